"""Sending replies like a person would (whatsapp.md §2): read, type, wait, send, paced.

For each `OutboundMessage`: refuse while the session may not send; ask the governor for a slot
(cold chats are refused); mark the answered message read; show "composing", refreshed every
~8 s while waiting for the later of the slot and a human-like delay scaled to the reply (the
time already spent since the customer's message counts towards it); send "paused", then the
text or image. Ids of what we sent are remembered so our own echoes are not mistaken for the
owner typing on the phone.

Each `OutboundMessage.id` is sent at most once (`SentReplies`): replies are republished when
`on_message` is redelivered, and Pub/Sub itself delivers at least once. The record lives in the
shared cache (Upstash or Redis), so a restarted relay still knows what went out. A send claims
its id first (`wa:sent:{id}` = this relay's token, a short TTL kept alive while it types; a
send that finds its claim gone gives up), so two deliveries of one id never both send. The
claim becomes "sent" for days once WhatsApp took the message, and is released when the send
failed so the redelivery can try again. A relay that dies between WhatsApp's answer and the
"sent" mark leaves only a claim that expires: that message may go out a second time, which
beats losing it.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from neonize.utils.enum import (  # noqa: TID251 - this package owns neonize
    ChatPresence,
    ChatPresenceMedia,
    ReceiptType,
)

from shared.adapters.cache.memory import MemoryCache
from shared.adapters.storage import MediaStore
from shared.adapters.whatsapp import metrics
from shared.adapters.whatsapp.convert import parse_jid
from shared.adapters.whatsapp.lifecycle import ConnectionState
from shared.adapters.whatsapp.pacing import PacingGovernor
from shared.errors import WhatsAppError
from shared.log import correlation, hash_id
from shared.messages import OutboundMessage
from shared.ports import Cache

log = logging.getLogger(__name__)

TYPING_REFRESH_SECONDS = 8.0
# Longer than wa-outbound keeps a message (1 day), so every redelivery finds the mark.
SENT_TTL_SECONDS = 3 * 24 * 3600.0
# A send refreshes its claim every TYPING_REFRESH_SECONDS; a dead relay's claim lapses soon
# after, well before Pub/Sub's five outbound delivery attempts run out.
CLAIM_TTL_SECONDS = 45.0


class RelayClock(Protocol):
    """Time for the relay; tests pass one whose `sleep` only advances the clock."""

    def monotonic(self) -> float:
        """Seconds on a monotonic clock."""
        ...

    def now(self) -> datetime:
        """Timezone-aware wall time."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait (returns early when the relay is stopping)."""
        ...


class SystemClock:
    """The real clock; `sleep` wakes up early when `stopping` is set."""

    def __init__(self, stopping: threading.Event | None = None) -> None:
        self._stopping = stopping or threading.Event()

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def now(self) -> datetime:
        """Now in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Wait on the stop event."""
        if seconds > 0:
            self._stopping.wait(seconds)


@dataclass(frozen=True, kw_only=True)
class DelayPolicy:
    """Human-like delay: `base + chars / chars_per_second`, clamped (whatsapp.md §2: 2–15 s)."""

    base: float = 1.5
    chars_per_second: float = 30.0
    minimum: float = 2.0
    maximum: float = 15.0

    def for_text(self, text: str) -> float:
        """Seconds a person would take to type `text`."""
        return min(self.maximum, max(self.minimum, self.base + len(text) / self.chars_per_second))


@dataclass(frozen=True)
class Received:
    """What the sender needs about an inbound message to mark it read and time the reply."""

    chat: str
    sender: Any  # neonize JID of the author, as received
    at: float  # monotonic receipt time


class RecentMessages:
    """A bounded id → value map (received messages to mark read; our own sent ids)."""

    def __init__(self, limit: int = 5000) -> None:
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def put(self, key: str, value: Any = True) -> None:
        """Remember `key`, evicting the oldest past the limit."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def pop(self, key: str) -> Any:
        """Forget and return the value (None when unknown)."""
        with self._lock:
            return self._items.pop(key, None)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            return key in self._items


class SentReplies:
    """Outbound ids claimed or sent, in the shared cache (or this process's memory)."""

    SENT = "sent"

    def __init__(self, cache: Cache | None = None) -> None:
        self._cache: Cache = cache if cache is not None else MemoryCache()
        self._token = f"sending:{secrets.token_hex(8)}"

    @staticmethod
    def _key(message_id: str) -> str:
        return f"wa:sent:{message_id}"

    def was_sent(self, message_id: str) -> bool:
        """True when this id went out before."""
        return self._cache.get(self._key(message_id)) == self.SENT

    def claim(self, message_id: str) -> bool:
        """Take the right to send this id; False when it was sent or is being sent elsewhere."""
        return self._cache.acquire(self._key(message_id), self._token, CLAIM_TTL_SECONDS)

    def keep(self, message_id: str) -> bool:
        """Extend this relay's claim while the send is still waiting; False when it was lost."""
        key = self._key(message_id)
        if self._cache.get(key) != self._token:
            return False
        return self._cache.set(key, self._token, ttl_seconds=CLAIM_TTL_SECONDS)

    def mark_sent(self, message_id: str) -> None:
        """WhatsApp took it: never send this id again."""
        self._cache.set(self._key(message_id), self.SENT, ttl_seconds=SENT_TTL_SECONDS)

    def release(self, message_id: str) -> None:
        """The send did not happen: let a redelivery try again."""
        self._cache.release(self._key(message_id), self._token)


class OutboundSender:
    """Sends `OutboundMessage`s through a neonize client, one at a time."""

    def __init__(
        self,
        client: Any,
        *,
        state: ConnectionState,
        governor: PacingGovernor,
        clock: RelayClock,
        media: MediaStore,
        delay: DelayPolicy | None = None,
        sent: SentReplies | None = None,
    ) -> None:
        self._client = client
        self.sent = sent or SentReplies()
        self._state = state
        self._governor = governor
        self._clock = clock
        self._media = media
        self._delay = delay or DelayPolicy()
        self.received = RecentMessages()
        self.sent_ids = RecentMessages()
        self._lock = threading.Lock()  # one send at a time keeps the pacing honest

    def note_received(self, wa_msg_id: str, chat: str, sender: Any) -> None:
        """Remember an inbound message (the sender marks it read when the reply goes out)."""
        self.received.put(wa_msg_id, Received(chat, sender, self._clock.monotonic()))

    def send(self, message: OutboundMessage) -> None:
        """Send one message, or drop it when it must never go out (or already went out).

        Raises:
            WhatsAppError: the session may not send now, or another delivery of the same id is
                being sent (the caller keeps the message and offers it again later).
        """
        if message.channel != "whatsapp":
            return
        # The ids that tie this send to its inbound message and order in the logs.
        ids = correlation(wa_msg_id=message.reply_to or "", reff_id=message.correlation_id or "")
        with ids, self._lock:
            if message.id is None:
                self._send_locked(message)
                return
            if self.sent.was_sent(message.id):
                log.info("outbound %s was sent before; not sent again", hash_id(message.id))
                return
            if not self._state.can_send(self._clock.now()):
                raise WhatsAppError("WhatsApp sending is stopped or not connected")
            if not self.sent.claim(message.id):
                if self.sent.was_sent(message.id):
                    return
                raise WhatsAppError("the same outbound message is being sent elsewhere")
            try:
                delivered = self._send_locked(message)
            except BaseException:
                self.sent.release(message.id)
                raise
            if delivered:
                self.sent.mark_sent(message.id)
            else:
                self.sent.release(message.id)

    def _send_locked(self, message: OutboundMessage) -> bool:
        """Send now; False when the governor refused it (nothing went out)."""
        if not self._state.can_send(self._clock.now()):
            raise WhatsAppError("WhatsApp sending is stopped or not connected")
        if not self._governor.admit(message, self._clock.now()):
            return False  # a follow-up refused or held for the end of the quiet hours
        received = self.received.pop(message.reply_to) if message.reply_to else None
        now = self._clock.monotonic()
        started = received.at if received is not None else now
        text = message.text or message.image_caption or ""
        # The governor books the real send time: the human-like delay first, then the caps.
        earliest = max(now, started + self._delay.for_text(text))
        proactive = message.kind != "reply"
        slot = self._governor.reserve(message.chat, proactive=proactive, now=earliest)
        if slot is None:
            metrics.OUTBOUND_DROPPED.labels(reason="cold_chat").inc()
            log.warning("refused a send to a chat that never wrote (%s)", hash_id(message.chat))
            return False
        chat = parse_jid(message.chat)
        if received is not None:
            self._call(
                "mark_read",
                message.reply_to,
                chat=chat,
                sender=received.sender,
                receipt=ReceiptType.READ,
            )
        self._type_until(chat, slot, message.id)
        self._call(
            "send_chat_presence",
            chat,
            ChatPresence.CHAT_PRESENCE_PAUSED,
            ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT,
        )
        response = self._deliver(message, chat)
        self._governor.record(message, self._clock.now())
        sent_id = getattr(response, "ID", "")
        if sent_id:
            self.sent_ids.put(str(sent_id))
        metrics.MESSAGES_OUT.labels(kind=message.kind).inc()
        log.info("sent %s to %s", message.kind, hash_id(message.chat))
        return True

    def _type_until(self, chat: Any, ready: float, message_id: str | None) -> None:
        """Show "composing" until `ready`, refreshing it before WhatsApp lets it lapse (~10 s)."""
        while True:
            self._call(
                "send_chat_presence",
                chat,
                ChatPresence.CHAT_PRESENCE_COMPOSING,
                ChatPresenceMedia.CHAT_PRESENCE_MEDIA_TEXT,
            )
            left = ready - self._clock.monotonic()
            if left <= 0:
                return
            self._clock.sleep(min(left, TYPING_REFRESH_SECONDS))
            if message_id is not None and not self.sent.keep(message_id):
                # The claim lapsed (the cache lost it, or this relay stalled): whoever holds
                # it now sends the message; this delivery is offered again later.
                raise WhatsAppError("the claim on this outbound message was lost")
            if not self._state.can_send(self._clock.now()):
                raise WhatsAppError("sending stopped while the reply was waiting")
            if self._clock.monotonic() >= ready:
                return

    def _deliver(self, message: OutboundMessage, chat: Any) -> Any:
        try:
            if message.image_ref:
                image = self._media.get(message.image_ref)
                response = self._client.send_image(
                    chat, image, caption=message.image_caption or ""
                )
                if message.text and message.text != message.image_caption:
                    response = self._client.send_message(chat, message.text)
                return response
            return self._client.send_message(chat, message.text or "")
        except Exception as exc:
            with self._state.lock:
                self._state.last_send_error = type(exc).__name__
            metrics.SEND_ERRORS.inc()
            raise WhatsAppError(f"send failed: {type(exc).__name__}") from exc

    def _call(self, method: str, *args: Any, **kwargs: Any) -> None:
        """Receipts and presence are courtesy: a failure is logged, never blocks the reply."""
        try:
            getattr(self._client, method)(*args, **kwargs)
        except Exception as exc:
            log.warning("%s failed: %s", method, type(exc).__name__)
