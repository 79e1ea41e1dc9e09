"""The Atlantic webhook receiver, independent of any web framework.

`handle_webhook(headers, body, ...)` returns `(http_status, json_body)`; the Cloud Function in
`functions/main.py` and `/webhook/atlantic` in the all-in-one server both call it. Order of
checks: size (413), signature in constant time (401, nothing changes), body shape (400), then
the webhook is treated as a hint: `settlement.settle` asks the supplier before moving money.
Unknown references answer 200 (logged as anomalies) so the supplier stops retrying them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import IO, Protocol

from shared.domain.supplier_status import SupplierEvent
from shared.log import correlation
from shared.services.settlement import SettleDeps, settle

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
"""Real webhooks are well under 2 KB; anything this big is not one."""

Answer = tuple[int, dict[str, object]]


class WebhookReader(Protocol):
    """Verifies and parses the supplier's callbacks (see `adapters.atlantic.AtlanticWebhook`)."""

    def verify(self, headers: Mapping[str, str]) -> bool:
        """True when the signature header is right."""
        ...

    def parse(self, body: bytes) -> SupplierEvent:
        """The event; raises ValueError when the body cannot be read."""
        ...


def read_capped(stream: IO[bytes], limit: int = MAX_BODY_BYTES) -> bytes:
    """Read at most `limit + 1` bytes, enough to tell an oversized body without buffering it."""
    return stream.read(limit + 1)


def handle_webhook(
    headers: Mapping[str, str], body: bytes, *, reader: WebhookReader, deps: SettleDeps
) -> Answer:
    """Check, parse and apply one webhook; never raises for bad input."""
    if len(body) > MAX_BODY_BYTES:
        log.warning("webhook rejected: body over %d bytes", MAX_BODY_BYTES)
        return 413, {"status": "error", "error": "body too large"}
    if not reader.verify(headers):
        log.warning("webhook rejected: bad signature")
        return 401, {"status": "error", "error": "invalid signature"}
    try:
        event = reader.parse(body)
    except ValueError as exc:
        log.warning("webhook rejected: malformed body (%s)", exc)
        return 400, {"status": "error", "error": "malformed webhook"}
    with correlation(reff_id=event.reff_id):
        log.info(
            "webhook %s %s for %s (%s)",
            event.kind,
            event.raw_status,
            event.reff_id,
            event.supplier_id,
        )
        result = settle(event.kind, event.reff_id, deps, hint_id=event.supplier_id)
    return 200, {"status": "ok", "result": result.value}
