"""What `on_message` does with one pushed `wa-inbound` delivery (functions/main.py stays thin).

Decode the envelope and validate the `InboundMessage`: anything malformed is logged and
acknowledged (a redelivery can never fix it, so it must not crash-loop). Deliveries published
longer ago than `MAX_DELIVERY_AGE` are dropped: Pub/Sub has been retrying them, and a poison
message must not retry forever. Everything else goes to the inbound service; its replies are
handed to `publish` (`BusNotifier.publish_replies`: each publish waits for Pub/Sub) before
returning. Failures of the turn itself propagate so the function answers 500 and Pub/Sub
redelivers.

A reply is never lost to a failed publish: what `publish` could not send it records in the
outbox (migration 0017), where the `deliver_outbox` job publishes it, and the delivery is
acknowledged; only if even that record fails does the error propagate for a redelivery. A
redelivery never runs a turn twice: the inbound service claims each `wa_msg_id` once and returns
the stored replies of a message it answered before, with their stable ids, and the relay sends
each id at most once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import ValidationError

from shared.adapters.pubsub.envelope import EnvelopeError, decode_json, decode_push
from shared.log import correlation, hash_id
from shared.messages import InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

MAX_DELIVERY_AGE = timedelta(minutes=30)

InboundService = Callable[[InboundMessage], Sequence[OutboundMessage]]
Publish = Callable[[list[OutboundMessage]], object]
PushOutcome = Literal["handled", "malformed", "stale"]


def handle_inbound_push(
    data: object,
    *,
    event_id: str,
    handle: InboundService,
    publish: Publish,
    now: datetime | None = None,
) -> PushOutcome:
    """Handle one push delivery; returns what happened (every outcome acknowledges)."""
    try:
        pushed = decode_push(data, fallback_id=event_id)
        message = InboundMessage.model_validate(decode_json(pushed.data))
    except (EnvelopeError, ValidationError) as exc:
        log.error(  # noqa: TRY400 - the cause is the body, a traceback adds nothing
            "on_message acknowledged malformed delivery %s: %s",
            event_id,
            _reason(exc),
        )
        return "malformed"
    now = now or datetime.now(UTC)
    with correlation(wa_msg_id=message.wa_msg_id, pubsub_id=pushed.message_id):
        if pushed.publish_time is not None and now - pushed.publish_time > MAX_DELIVERY_AGE:
            log.warning(
                "on_message dropped a delivery published %s ago (attempt %s)",
                now - pushed.publish_time,
                pushed.delivery_attempt,
            )
            return "stale"
        replies = list(handle(message))
        publish(replies)  # what does not go out waits in the outbox
        log.info("inbound from %s handled: %d replies", hash_id(message.chat), len(replies))
    return "handled"


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        fields = sorted({".".join(str(p) for p in err["loc"]) for err in exc.errors()})
        return f"not an InboundMessage ({', '.join(fields)})"
    return str(exc)
