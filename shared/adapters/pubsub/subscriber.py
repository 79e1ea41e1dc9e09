"""Streaming-pull subscriber for `wa-outbound`: each reply is validated and handed to the sender.

Malformed bodies are acknowledged and logged (redelivering them can never succeed); a handler
exception nacks the message so Pub/Sub redelivers it. `pause`/`stop` cancel the stream, leaving
undelivered replies in the subscription, which is how the relay stops sending after a logout or
a ban without losing or hot-looping messages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from shared.adapters.pubsub.envelope import EnvelopeError, decode_json
from shared.messages import OutboundMessage

if TYPE_CHECKING:
    from google.cloud.pubsub_v1 import SubscriberClient

log = logging.getLogger(__name__)

OutboundHandler = Callable[[OutboundMessage], None]


class OutboundSubscriber:
    """Pulls `OutboundMessage`s from one subscription and calls `handler` for each."""

    def __init__(
        self,
        project: str,
        subscription: str,
        handler: OutboundHandler,
        *,
        max_messages: int = 10,
    ) -> None:
        self._path = (
            subscription
            if subscription.startswith("projects/")
            else f"projects/{project}/subscriptions/{subscription}"
        )
        self._handler = handler
        self._max_messages = max_messages
        self._client: SubscriberClient | None = None
        self._future: Any = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """True while the streaming pull is open."""
        return self._future is not None and not self._future.done()

    def start(self) -> None:
        """Open the streaming pull (idempotent)."""
        with self._lock:
            if self.running:
                return
            from google.cloud import pubsub_v1  # noqa: PLC0415 - heavy, relay only

            if self._client is None:
                self._client = pubsub_v1.SubscriberClient()
            self._future = self._client.subscribe(
                self._path,
                callback=self._on_message,
                flow_control=pubsub_v1.types.FlowControl(max_messages=self._max_messages),
            )
            log.info("outbound subscriber started on %s", self._path)

    def pause(self) -> None:
        """Stop pulling; messages stay in the subscription until `start` is called again."""
        with self._lock:
            if self._future is not None:
                self._future.cancel()
                try:
                    self._future.result(timeout=10)
                except Exception:  # a cancelled stream reports its cancellation
                    log.debug("outbound stream closed")
                self._future = None

    def stop(self) -> None:
        """Stop pulling and close the client."""
        self.pause()
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _on_message(self, message: Any) -> None:
        try:
            outbound = OutboundMessage.model_validate(decode_json(bytes(message.data)))
        except (EnvelopeError, ValidationError) as exc:
            log.error(  # noqa: TRY400 - the body is not worth a traceback
                "malformed outbound message %s acknowledged and dropped: %s",
                message.message_id,
                type(exc).__name__,
            )
            message.ack()
            return
        try:
            self._handler(outbound)
        except Exception:
            log.exception("sending outbound message %s failed; nacked", message.message_id)
            message.nack()
            return
        message.ack()
