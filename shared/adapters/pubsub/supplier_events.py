"""The serverless hand-off of recorded supplier webhooks: `atl-events` on Pub/Sub.

`atlantic_webhook` publishes each recorded event (`PubSubHandOff`) and answers; the push
subscription delivers it to `settle_supplier_event`, which calls `handle_settle_push`. No
ordering key: settling is idempotent and order-free. A publish is awaited before the last
request in progress answers, because a Cloud Function's CPU is throttled once it is idle, but
only up to `wait_seconds`: a publish that fails or is slow is logged and the inbox row waits for
the reconciler's sweep instead. Malformed deliveries are acknowledged; stale ones (Pub/Sub kept
retrying them) are dropped, since the sweep settles any event still unsettled.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import ValidationError

from shared.adapters.pubsub.envelope import EnvelopeError, decode_json, decode_push, encode
from shared.config import Settings
from shared.errors import ConfigError
from shared.log import correlation
from shared.services.settlement import Settled
from shared.services.supplier_inbox import InboxEvent

log = logging.getLogger(__name__)

MAX_DELIVERY_AGE = timedelta(minutes=30)

SettlePushOutcome = Literal["settled", "malformed", "stale"]


class PubSubHandOff:
    """`HandOff` that publishes `InboxEvent`s to one topic and never raises.

    The last webhook request to leave publishes: inside `request()` a hand-off is buffered, and
    the request that brings the number of requests in progress back to zero publishes the whole
    buffer in one `Publish` RPC and waits for it, so no hand-off is left unsent when the instance
    goes idle (its CPU is throttled then). Before it does, it lingers up to `linger_seconds`: a
    webhook arriving meanwhile takes the buffer over (it is in progress, so the instance keeps
    its CPU), which under load turns one RPC per request into one per `max_delay_seconds`; a
    Publish costs the function about three times the CPU of the rest of the request. The batch
    also goes out once it holds `max_batch` messages or its oldest is `max_delay_seconds` old.
    At low traffic every request is the last one: it answers after the linger and its own
    publish, a few milliseconds.

    The RPC is made on the authorised channel of the GAPIC client that google-cloud-pubsub ships
    (which also honours PUBSUB_EMULATOR_HOST), with the protobuf messages built directly: the
    batching client's threads and futures, and the GAPIC wrappers, cost several times the CPU of
    the call itself, and the webhook would pay that on every request.
    """

    def __init__(
        self,
        project: str,
        topic: str,
        *,
        wait_seconds: float = 5.0,
        max_batch: int = 100,
        max_delay_seconds: float = 0.02,
        linger_seconds: float = 0.005,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._topic = (
            topic if topic.startswith("projects/") else f"projects/{project}/topics/{topic}"
        )
        self._wait = wait_seconds
        self._max_batch = max_batch
        self._max_delay = max_delay_seconds
        self._clock = clock
        self._rpc: _PublishRpc | None = None
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._linger = linger_seconds
        self._active = 0
        self._buffer: list[tuple[InboxEvent, float]] = []

    @classmethod
    def from_settings(cls, settings: Settings) -> PubSubHandOff:
        """The hand-off for the configured project and `PUBSUB_SUPPLIER_EVENTS_TOPIC`."""
        if not settings.gcp_project:
            raise ConfigError("GCP_PROJECT is required for the Pub/Sub hand-off")
        return cls(settings.gcp_project, settings.pubsub_supplier_events_topic)

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        """Bracket one webhook request; the last one to leave publishes what is buffered."""
        with self._lock:
            self._active += 1
            self._arrived.notify_all()
        try:
            yield
        finally:
            with self._lock:
                self._active -= 1
                if self._active == 0 and self._buffer and not self._too_old(self._clock()):
                    self._arrived.wait_for(lambda: self._active > 0, self._linger)
                batch = self._take_if(self._active == 0 or self._too_old(self._clock()))
            self._publish(batch)

    def hand_off(self, event: InboxEvent) -> None:
        """Buffer `event` (publish at once outside `request()`); failures are logged."""
        now = self._clock()
        with self._lock:
            self._buffer.append((event, now))
            batch = self._take_if(
                self._active == 0 or len(self._buffer) >= self._max_batch or self._too_old(now)
            )
        self._publish(batch)

    def _too_old(self, now: float) -> bool:
        return bool(self._buffer) and now - self._buffer[0][1] >= self._max_delay

    def _take_if(self, condition: bool) -> list[InboxEvent]:
        if not condition or not self._buffer:
            return []
        batch = [event for event, _ in self._buffer]
        self._buffer.clear()
        return batch

    def _publish(self, batch: list[InboxEvent]) -> None:
        if not batch:
            return
        try:
            rpc = self._get_rpc()
            rpc.publish(self._topic, [encode(e, reff_id=e.reff_id, kind=e.kind) for e in batch])
        except Exception as exc:  # the inbox rows are durable: the sweep settles them
            log.warning(
                "hand-off of %d supplier event(s) failed (%s); the reconciler will settle %s",
                len(batch),
                type(exc).__name__,
                ", ".join(str(e.id) for e in batch),
            )

    def _get_rpc(self) -> _PublishRpc:
        with self._lock:
            if self._rpc is None:
                self._rpc = _PublishRpc(self._topic, self._wait)
            return self._rpc

    def close(self) -> None:
        """Publish what is buffered and close the channel."""
        with self._lock:
            batch = self._take_if(condition=True)
        self._publish(batch)
        with self._lock:
            if self._rpc is not None:
                self._rpc.close()
                self._rpc = None


class _PublishRpc:
    """`google.pubsub.v1.Publisher/Publish` on the GAPIC client's channel, retried in a bound."""

    def __init__(self, topic: str, wait_seconds: float) -> None:
        # 180-300 ms of imports: only the webhook function's first hand-off pays them.
        from google.api_core import grpc_helpers  # noqa: PLC0415
        from google.api_core.retry import Retry  # noqa: PLC0415
        from google.pubsub_v1 import (  # noqa: PLC0415
            PublisherClient,
            PublishRequest,
            PublishResponse,
            PubsubMessage,
        )
        from google.pubsub_v1.services.publisher.transports.grpc import (  # noqa: PLC0415
            PublisherGrpcTransport,
        )

        self._client = PublisherClient(transport="grpc")
        transport = self._client.transport
        assert isinstance(transport, PublisherGrpcTransport)  # noqa: S101 - asked for above
        self._request = PublishRequest.pb()
        self._message = PubsubMessage.pb()
        call = transport.grpc_channel.unary_unary(
            "/google.pubsub.v1.Publisher/Publish",
            request_serializer=self._request.SerializeToString,
            response_deserializer=PublishResponse.pb().FromString,
        )
        # Transient errors (the default predicate) are retried within the same bound.
        retry = Retry(initial=0.05, maximum=1.0, timeout=wait_seconds)
        self._call = retry(grpc_helpers.wrap_errors(call))  # type: ignore[no-untyped-call]
        self._timeout = wait_seconds
        self._metadata = (("x-goog-request-params", f"topic={topic}"),)

    def publish(self, topic: str, messages: list[tuple[bytes, dict[str, str]]]) -> None:
        """Publish `(data, attributes)` pairs in one call; raises when Pub/Sub refuses."""
        request = self._request(
            topic=topic,
            messages=[self._message(data=data, attributes=attrs) for data, attrs in messages],
        )
        self._call(request, timeout=self._timeout, metadata=self._metadata)

    def close(self) -> None:
        """Close the channel."""
        self._client.transport.close()  # type: ignore[no-untyped-call]


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
