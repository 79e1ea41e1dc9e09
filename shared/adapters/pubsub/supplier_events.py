"""The serverless hand-off of recorded supplier webhooks: `atl-events` on Pub/Sub.

`atlantic_webhook` publishes each recorded event (`PubSubHandOff`) and answers; the push
subscription delivers it to `settle_supplier_event`, which calls `handle_settle_push`. The
publish is sent at once (no batching delay, no ordering key: settling is idempotent and
order-free) and awaited only up to `wait_seconds`, because a Cloud Function's CPU is throttled
after it answers; a publish that fails or is slow is logged and the inbox row waits for the
reconciler's sweep instead. Malformed deliveries are acknowledged; stale ones (Pub/Sub kept
retrying them) are dropped, since the sweep settles any event still unsettled.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import ValidationError

from shared.adapters.pubsub.envelope import EnvelopeError, decode_json, decode_push, encode
from shared.config import Settings
from shared.errors import ConfigError
from shared.log import correlation
from shared.services.settlement import Settled
from shared.services.supplier_inbox import InboxEvent

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import PublisherClient

log = logging.getLogger(__name__)

MAX_DELIVERY_AGE = timedelta(minutes=30)

SettlePushOutcome = Literal["settled", "malformed", "stale"]


class PubSubHandOff:
    """`HandOff` that publishes `InboxEvent`s to one topic and never raises."""

    def __init__(self, project: str, topic: str, *, wait_seconds: float = 5.0) -> None:
        self._topic = (
            topic if topic.startswith("projects/") else f"projects/{project}/topics/{topic}"
        )
        self._wait = wait_seconds
        self._client: PublisherClient | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> PubSubHandOff:
        """The hand-off for the configured project and `PUBSUB_SUPPLIER_EVENTS_TOPIC`."""
        if not settings.gcp_project:
            raise ConfigError("GCP_PROJECT is required for the Pub/Sub hand-off")
        return cls(settings.gcp_project, settings.pubsub_supplier_events_topic)

    def _get_client(self) -> PublisherClient:
        with self._lock:
            if self._client is None:
                from google.cloud import pubsub_v1  # noqa: PLC0415 - 180-300 ms, only on use

                # max_latency: concurrent webhooks share a publish RPC without waiting long.
                self._client = pubsub_v1.PublisherClient(
                    batch_settings=pubsub_v1.types.BatchSettings(
                        max_messages=100, max_latency=0.001
                    ),
                )
            return self._client

    def hand_off(self, event: InboxEvent) -> None:
        """Publish `event` and wait for Pub/Sub, at most `wait_seconds`; failures are logged."""
        data, attributes = encode(event, reff_id=event.reff_id, kind=event.kind)
        try:
            future = self._get_client().publish(self._topic, data, **attributes)
            future.result(timeout=self._wait)
        except Exception as exc:  # the inbox row is durable: the sweep settles it
            log.warning(
                "hand-off of supplier event %d failed (%s); the reconciler will settle it",
                event.id,
                type(exc).__name__,
            )

    def close(self) -> None:
        """Flush and stop the client's threads."""
        with self._lock:
            if self._client is not None:
                self._client.stop()
                self._client = None


def handle_settle_push(
    data: object,
    *,
    event_id: str,
    settle: Callable[[InboxEvent], Settled],
    now: datetime | None = None,
) -> SettlePushOutcome:
    """Settle one pushed `atl-events` delivery; exceptions propagate so Pub/Sub redelivers."""
    try:
        pushed = decode_push(data, fallback_id=event_id)
        event = InboxEvent.model_validate(decode_json(pushed.data))
    except (EnvelopeError, ValidationError) as exc:
        log.error(  # noqa: TRY400 - the cause is the body, a traceback adds nothing
            "settle_supplier_event acknowledged malformed delivery %s: %s", event_id, exc
        )
        return "malformed"
    now = now or datetime.now(UTC)
    with correlation(reff_id=event.reff_id, pubsub_id=pushed.message_id):
        if pushed.publish_time is not None and now - pushed.publish_time > MAX_DELIVERY_AGE:
            log.warning(
                "settle_supplier_event dropped event %d published %s ago; the sweep has it",
                event.id,
                now - pushed.publish_time,
            )
            return "stale"
        result = settle(event)
        log.info("supplier event %d (%s) settled: %s", event.id, event.kind, result.value)
    return "settled"
