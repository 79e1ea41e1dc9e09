"""Magic values: inputs that make the sandbox produce a given outcome on demand.

Documented in the README section "Atlantic sandbox"; tests and demos rely on them.
"""

from __future__ import annotations

SANDBOX_API_KEY = "sandbox"
"""The `api_key` the sandbox accepts unless told otherwise."""
SANDBOX_USERNAME = "sandbox"
"""The sandbox account's username; webhooks carry `X-ATL-Signature: md5("sandbox")`."""

# transaksi/create `target` suffixes (also transfer `nomor_akun` for FAILS and STAYS_PENDING)
TARGET_FAILS = "9990"
"""Accepted as pending, then completes as `failed` (the hold is refunded)."""
TARGET_REJECTED = "9991"
"""Refused at once: HTTP 200, `{"status": false, "message": "Transaksi Gagal", "code": 201}`."""
TARGET_STAYS_PENDING = "9992"
"""Accepted and never completes on its own (use /sandbox/complete)."""
TARGET_TIMES_OUT = "9993"
"""Recorded, then the answer is held past the client's timeout; later completes as success."""
TARGET_HTML = "9994"
"""Answered with a Cloudflare-style HTML challenge page (HTTP 403); nothing is recorded."""
TARGET_SLOW = "9995"
"""Answered normally after `slow_seconds` (below the client's timeout)."""
TARGET_IP_BLOCKED = "9996"
"""Refused as if this server's IP were not whitelisted."""

BILL_NOT_FOUND = "9991"
"""`customer_no` suffix: the bill inquiry fails ("tagihan tidak ditemukan")."""
ACCOUNT_INVALID = "0000"
"""`account_number` suffix: cek_rekening finds no such account."""

SELF_PAYING_MAX_SECONDS = 300
"""A deposit whose `nominal % 1000` is 1..300 pays itself after that many seconds."""

BLOCKED_IP = "103.28.52.11"
"""The IP quoted in the not-whitelisted message."""
