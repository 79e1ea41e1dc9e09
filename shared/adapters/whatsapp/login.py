"""Logging a device in: QR in the terminal and as a PNG, or a pairing code (tech-notes §2.2).

neonize calls the QR callback with the raw QR string (it rotates about every 20 s until the
login socket closes). With a pairing phone configured, the first QR event triggers exactly one
`PairPhone` call on a separate thread (it must run after `connect()` started, and QR rotations
must not request new codes). The PNG is written 0600 under DATA_DIR and removed once paired.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

import segno

log = logging.getLogger(__name__)


class LoginHandler:
    """The QR callback and the pairing-code flow for one client."""

    def __init__(
        self, *, qr_png: Path, pair_phone: str | None = None, out: TextIO | None = None
    ) -> None:
        self.qr_png = qr_png
        self.pair_phone = _digits(pair_phone) if pair_phone else None
        self.pair_code: str | None = None
        self._out = out or sys.stderr
        self._pair_requested = threading.Event()
        self.pair_thread: threading.Thread | None = None

    def on_qr(self, client: Any, data: bytes) -> None:
        """The QR callback: pairing code once, else show and save the QR."""
        if self.pair_phone:
            if not self._pair_requested.is_set():
                self._pair_requested.set()
                self.pair_thread = threading.Thread(
                    target=self._request_code, args=(client,), name="wa-pair", daemon=True
                )
                self.pair_thread.start()
            return
        qr = segno.make_qr(data)
        self.qr_png.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.qr_png, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            qr.save(handle, kind="png", scale=8)
        print("Scan this QR with WhatsApp > Linked devices:", file=self._out)
        qr.terminal(out=self._out, compact=True)
        print(f"(also saved as {self.qr_png})", file=self._out)

    def _request_code(self, client: Any) -> None:
        try:
            self.pair_code = str(client.PairPhone(self.pair_phone, True))
        except Exception as exc:
            log.error("pairing code request failed: %s", type(exc).__name__)  # noqa: TRY400
            return
        print(
            f"Pairing code: {self.pair_code} "
            "(WhatsApp > Linked devices > Link with phone number instead)",
            file=self._out,
        )

    def paired(self, _client: Any, ev: Any) -> None:
        """PairStatusEv: the QR is no longer needed."""
        if getattr(ev, "Error", ""):
            log.error("pairing failed: %s", ev.Error)
            return
        self.qr_png.unlink(missing_ok=True)
        log.info("WhatsApp device paired")


def _digits(phone: str) -> str:
    """`0812…`/`+62812…` → `62812…` (PairPhone wants international digits)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits
