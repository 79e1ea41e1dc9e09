"""The Atlantic webhook receiver, independent of any web framework.

`handle_webhook(headers, body, ...)` returns `(http_status, json_body)`; the Cloud Function in
`functions/main.py` and `/webhook/atlantic` in the all-in-one server both call it. Order of
checks: size (413), signature in constant time (401, nothing written), body shape (400). A
valid webhook is then recorded in the supplier-event inbox with one INSERT, handed off for
settling and answered 200: the supplier re-query and the ledger call happen off the request path
(`supplier_inbox`), and the webhook stays only a hint. Unknown references answer 200 too (the
settler logs them as anomalies) so the supplier stops retrying them. If the INSERT fails the
answer is a 500, so the supplier retries: a webhook is never acknowledged unrecorded.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import IO, Protocol

from shared.domain.supplier_status import SupplierEvent
from shared.log import correlation
from shared.services.supplier_inbox import HandOff, InboxEvent
from shared.store import Store

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
    headers: Mapping[str, str],
    body: bytes,
    *,
    reader: WebhookReader,
    store: Store,
    hand_off: HandOff,
) -> Answer:
    """Check, parse, record and hand off one webhook; never raises for bad input."""
    with hand_off.request():
        return _handle(headers, body, reader=reader, store=store, hand_off=hand_off)


def _handle(
    headers: Mapping[str, str],
    body: bytes,
    *,
    reader: WebhookReader,
    store: Store,
    hand_off: HandOff,
) -> Answer:
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
        event_id = store.record_supplier_event(
            kind=event.kind,
            reff_id=event.reff_id,
            supplier_id=event.supplier_id,
            raw_status=event.raw_status,
            status=event.status.value,
        )
        hand_off.hand_off(
            InboxEvent(
                id=event_id,
                kind=event.kind,
                reff_id=event.reff_id,
                supplier_id=event.supplier_id,
                status=event.status.value,
            )
        )
    return 200, {"status": "ok", "event_id": event_id}
