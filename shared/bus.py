"""The message bus between the WhatsApp side and the handlers.

Serverless: Pub/Sub topics `wa-inbound` (ordering key = chat) and `wa-outbound`
(`shared/adapters/pubsub/`). All-in-one: `InProcessBus`, the same message models on in-process
queues, each drained by one worker thread so handlers behave as they do behind Pub/Sub.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Protocol

from shared.log import correlation, correlation_ids
from shared.messages import InboundMessage, OutboundMessage

log = logging.getLogger(__name__)

InboundHandler = Callable[[InboundMessage], None]
OutboundHandler = Callable[[OutboundMessage], None]


class Bus(Protocol):
    """Publishes messages in either direction."""

    def publish_inbound(self, message: InboundMessage) -> None:
        """Hand a received WhatsApp message to the handlers."""
        ...

    def publish_outbound(self, message: OutboundMessage) -> None:
        """Hand a reply or notification to whoever sends it."""
        ...


class InProcessBus:
    """Two queues with one consumer thread each; consumers are set before `start`."""

    def __init__(self) -> None:
        self._inbound: queue.Queue[InboundMessage | None] = queue.Queue()
        self._outbound: queue.Queue[OutboundMessage | None] = queue.Queue()
        self._inbound_handler: InboundHandler | None = None
        self._outbound_handlers: list[OutboundHandler] = []
        self._threads: list[threading.Thread] = []

    def on_inbound(self, handler: InboundHandler) -> None:
        """Set the single consumer of inbound messages."""
        self._inbound_handler = handler

    def on_outbound(self, handler: OutboundHandler) -> None:
        """Add a consumer of outbound messages (relay sender, console printer)."""
        self._outbound_handlers.append(handler)

    def publish_inbound(self, message: InboundMessage) -> None:
        """Queue an inbound message."""
        self._inbound.put(message)

    def publish_outbound(self, message: OutboundMessage) -> None:
        """Queue an outbound message (with the reff_id of the work that publishes it)."""
        self._outbound.put(with_reff_id(message))

    def start(self) -> None:
        """Start the consumer threads."""
        self._threads = [
            threading.Thread(target=self._drain_inbound, name="bus-inbound", daemon=True),
            threading.Thread(target=self._drain_outbound, name="bus-outbound", daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the queues drain, then stop the threads."""
        self._inbound.put(None)
        self._outbound.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _drain_inbound(self) -> None:
        while (message := self._inbound.get()) is not None:
            if self._inbound_handler is None:
                log.warning("inbound message dropped: no handler registered")
                continue
            # The ids on_message re-opens from Pub/Sub attributes, for the same log trail here.
            with correlation(wa_msg_id=message.wa_msg_id, chat_jid=message.chat):
                try:
                    self._inbound_handler(message)
                except Exception:
                    log.exception("inbound handler failed")

    def _drain_outbound(self) -> None:
        while (message := self._outbound.get()) is not None:
            ids = correlation(
                wa_msg_id=message.reply_to, reff_id=message.correlation_id, chat_jid=message.chat
            )
            with ids:
                for handler in self._outbound_handlers:
                    try:
                        handler(message)
                    except Exception:
                        log.exception("outbound handler failed")


def with_reff_id(message: OutboundMessage) -> OutboundMessage:
    """`message` with `correlation_id` set to the current correlation's reff_id when it has none.

    A reply published by the turn that placed an order then carries the order's reff_id to the
    sender's log line, in either bus (see `shared.log.note`).
    """
    reff_id = correlation_ids().get("reff_id")
    if reff_id and message.correlation_id is None:
        return message.model_copy(update={"correlation_id": reff_id})
    return message
