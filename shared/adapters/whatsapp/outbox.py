"""All-in-one outbound flow control: replies wait in memory while the session cannot send.

In serverless mode the Pub/Sub subscription is the waiting room: the relay pauses the streaming
pull and replies stay queued until it starts again. The in-process bus has no such room (its
worker logs a failed handler and moves on), so `HeldOutbound` plays the subscription's part:
it is the relay's `OutboundControl` (`pause` on a ban or a stop, `start` on `Connected`) and the
bus's outbound handler. While paused, or while the session is disconnected or inside a ban,
messages are kept in arrival order; `start` sends them on a worker thread (never on neonize's
Go callback thread, which `Connected` runs on) through the same sender and governor.

Messages are only kept while sending can come back by itself. After a terminal stop (logout,
stream replaced, outdated client, a ban without expiry) they are dropped with a log line, as
before: nothing would ever send them, and a restart starts clean.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime

from shared.adapters.whatsapp import metrics
from shared.adapters.whatsapp.lifecycle import ConnectionState
from shared.errors import WhatsAppError
from shared.log import hash_id
from shared.messages import OutboundMessage

log = logging.getLogger(__name__)

HELD_LIMIT = 500


class HeldOutbound:
    """The in-process bus's side of the outbound flow: send now, or hold until `start`."""

    def __init__(
        self,
        send: Callable[[OutboundMessage], None],
        *,
        state: ConnectionState,
        now: Callable[[], datetime],
        limit: int = HELD_LIMIT,
    ) -> None:
        self._send = send
        self._state = state
        self._now = now
        self._held: deque[OutboundMessage] = deque()
        self._limit = limit
        self._paused = False
        self._flushing = False
        self._cond = threading.Condition()

    @property
    def held(self) -> int:
        """How many messages are waiting."""
        with self._cond:
            return len(self._held)

    def send(self, message: OutboundMessage) -> None:
        """The bus handler: send, or keep the message when the session cannot send now."""
        with self._cond:
            waiting = self._paused or self._flushing or bool(self._held)
            if waiting and self._may_come_back():
                self._hold(message)  # behind the ones already waiting: keep the order
                return
        try:
            self._send(message)
        except WhatsAppError:
            if not self._may_come_back():
                raise
            with self._cond:
                self._hold(message)
            # `Connected` may have arrived between the refusal and the hold.
            if self._state.can_send(self._now()):
                self.start()

    def pause(self) -> None:
        """Hold everything from now on (a ban or a stop)."""
        with self._cond:
            self._paused = True

    def start(self) -> None:
        """Send what was held, in order, then pass messages straight through again."""
        with self._cond:
            self._paused = False
            if self._flushing or not self._held:
                return
            self._flushing = True
        threading.Thread(target=self._flush, name="wa-outbox", daemon=True).start()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is being flushed; True when idle (used by tests and shutdown)."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._flushing, timeout)

    def wait_held(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` messages are held; True when they are."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._held) >= count, timeout)

    def _may_come_back(self) -> bool:
        with self._state.lock:
            return self._state.stopped_reason is None

    def _hold(self, message: OutboundMessage) -> None:
        if len(self._held) >= self._limit:
            dropped = self._held.popleft()
            metrics.OUTBOUND_DROPPED.labels(reason="held_overflow").inc()
            log.warning("outbound hold full: dropped the oldest (%s)", hash_id(dropped.chat))
        self._held.append(message)
        self._cond.notify_all()

    def _flush(self) -> None:
        while (message := self._next()) is not None:
            try:
                self._send(message)
            except WhatsAppError:
                if self._may_come_back():
                    with self._cond:
                        self._held.appendleft(message)  # the next `start` tries again
                        self._done_flushing()
                    return
                log.warning("held message to %s dropped: sending stopped", hash_id(message.chat))
            except Exception:
                log.exception("held message to %s failed", hash_id(message.chat))

    def _next(self) -> OutboundMessage | None:
        """The next held message, or None after ending the flush.

        Ending under the same lock means a message held meanwhile is never stranded behind a
        finished flush.
        """
        with self._cond:
            if self._paused or not self._held:
                self._done_flushing()
                return None
            return self._held.popleft()

    def _done_flushing(self) -> None:
        self._flushing = False
        self._cond.notify_all()
