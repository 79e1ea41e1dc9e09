"""The one outbound rate governor (whatsapp.md §1.3): caps, jitter and the proactive rules.

Every send asks `reserve` for a slot. Replies go to chats that wrote to us; anything addressed
to a chat that never wrote first is refused: the bot never sends unsolicited bulk. The owner's and
admins' phone chats are exempt (`exempt`): their alerts must arrive whether or not they wrote
lately, or wrote from a LID chat. Slots are
spaced with random jitter so sends never fall on a fixed interval; proactive sends (anything
but a reply) share a tighter per-minute cap.

Proactive messages come in two kinds (`OutboundMessage.kind`):
- `notification`: the status of something the customer started (order, deposit, transfer).
  It goes at any hour and counts towards no daily cap: the customer is waiting for it.
- `followup`: anything else (a reminder, a promotion). `admit` rations these before a slot is
  booked: a topic is required and each customer gets at most `followups_per_topic` per topic;
  the exact same text never goes to a second chat on the same day (ban class 104); inside the
  quiet hours the message is held, not dropped, and handed back when they end; the whole
  number sends at most a daily cap that grows slowly over the first `warmup_days` (a new number
  is the riskiest). Counts live in the cache when there is one, so restarts remember them.
  Opt-in cannot be checked here (the relay has no consent records): producers of followups
  must only address customers who asked for them.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import random
import threading
from collections import deque
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from shared.adapters.cache.memory import MemoryCache
from shared.adapters.whatsapp import metrics
from shared.log import hash_id
from shared.messages import OutboundMessage
from shared.ports import Cache

if TYPE_CHECKING:
    from shared.config import Settings

log = logging.getLogger(__name__)

_KNOWN_TTL_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class QuietHours:
    """A daily window in local time; `start == end` means none."""

    start: time
    end: time
    tz: tzinfo

    @classmethod
    def parse(cls, spec: str, tz: str) -> QuietHours:
        """From `HH:MM-HH:MM` (validated by `Settings`) and an IANA zone."""
        start, _, end = spec.partition("-")
        return cls(time.fromisoformat(start), time.fromisoformat(end), ZoneInfo(tz))

    def ends_after(self, wall: datetime) -> datetime | None:
        """When the window holding `wall` ends, or None when `wall` is outside it."""
        local = wall.astimezone(self.tz)
        now = local.time()
        if self.start == self.end:
            return None
        day = local.date()
        if self.start < self.end:
            inside = self.start <= now < self.end
        else:  # across midnight: 21:00-08:00
            inside = now >= self.start or now < self.end
            if now >= self.start:
                day = date.fromordinal(day.toordinal() + 1)
        return datetime.combine(day, self.end, tzinfo=self.tz) if inside else None


WIB_QUIET_HOURS = QuietHours(time(21, 0), time(8, 0), ZoneInfo("Asia/Jakarta"))


@dataclass(frozen=True, kw_only=True)
class PacingPolicy:
    """Caps and spacing; defaults stay well under 1 message/s and 5 proactive sends/min."""

    chat_min_gap: float = 2.0  # seconds between two messages to one chat
    chat_per_minute: int = 8
    global_min_gap: float = 1.5
    global_per_minute: int = 30
    proactive_per_minute: int = 4
    jitter: float = 1.0  # up to this many extra seconds on each gap
    slow_factor: float = 3.0  # gaps multiply by this in slow mode (after a temporary ban)
    quiet_hours: QuietHours = WIB_QUIET_HOURS
    followups_per_topic: int = 2
    followups_per_day: int = 20  # the whole number's daily cap once warmed up
    warmup_days: int = 14

    @classmethod
    def from_settings(cls, settings: Settings) -> PacingPolicy:
        """The proactive rules from `WA_*` settings; spacing keeps its defaults."""
        return cls(
            quiet_hours=QuietHours.parse(settings.wa_quiet_hours, settings.wa_timezone),
            followups_per_topic=settings.wa_followups_per_topic,
            followups_per_day=settings.wa_proactive_daily_cap,
            warmup_days=settings.wa_warmup_days,
        )

    def daily_cap(self, days_since_first: int) -> int:
        """Follow-ups allowed on the n-th day (0-based) since the number's first one.

        Grows linearly from `1/warmup_days` of the cap on day 0 to the full cap on the last
        warm-up day (default 20 over 14 days: 2, 3, 5, 6, 8, …, 20).
        """
        if self.followups_per_day <= 0:
            return 0
        share = min(1.0, (days_since_first + 1) / self.warmup_days)
        return max(1, math.ceil(self.followups_per_day * share))


class KnownChats:
    """Chats that wrote to us first: in the cache when there is one, so restarts remember."""

    def __init__(self, cache: Cache | None = None) -> None:
        self._cache = cache
        self._memory: set[str] = set()

    def add(self, chat: str) -> None:
        """Remember that `chat` wrote to us."""
        self._memory.add(chat)
        if self._cache is not None:
            self._cache.set(f"wa:known:{chat}", "1", ttl_seconds=_KNOWN_TTL_SECONDS)

    def __contains__(self, chat: object) -> bool:
        if chat in self._memory:
            return True
        if (
            self._cache is not None
            and isinstance(chat, str)
            and self._cache.get(f"wa:known:{chat}")
        ):
            self._memory.add(chat)
            return True
        return False


class HeldMessages:
    """Follow-ups waiting for the quiet hours to end, oldest first; mirrored in the cache."""

    KEY = "wa:held"
    TTL_SECONDS = 3 * 24 * 3600
    LIMIT = 1000

    def __init__(self, cache: Cache | None = None) -> None:
        self._cache = cache
        self._lock = threading.Lock()
        self._items: list[tuple[datetime, OutboundMessage]] = []
        raw = cache.get(self.KEY) if cache is not None else None
        for entry in json.loads(raw) if raw else []:
            until = datetime.fromisoformat(entry["until"])
            self._items.append((until, OutboundMessage.model_validate(entry["message"])))

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def add(self, message: OutboundMessage, until: datetime) -> None:
        """Keep `message` until `until` (the oldest goes when the hold is full)."""
        with self._lock:
            if len(self._items) >= self.LIMIT:
                self._items.pop(0)
                metrics.OUTBOUND_DROPPED.labels(reason="held_overflow").inc()
            self._items.append((until, message))
            self._save()

    def next_at(self) -> datetime | None:
        """When the earliest held message may go."""
        with self._lock:
            return min((until for until, _ in self._items), default=None)

    def due(self, wall: datetime) -> list[OutboundMessage]:
        """Take the messages whose hold is over, in the order they came."""
        with self._lock:
            ready = [m for until, m in self._items if until <= wall]
            self._items = [(u, m) for u, m in self._items if u > wall]
            if ready:
                self._save()
            return ready

    def _save(self) -> None:
        metrics.OUTBOUND_HELD.set(len(self._items))
        if self._cache is None:
            return
        entries = [
            {"until": until.isoformat(), "message": m.model_dump(mode="json")}
            for until, m in self._items
        ]
        self._cache.set(self.KEY, json.dumps(entries), ttl_seconds=self.TTL_SECONDS)


class PacingGovernor:
    """Hands out send times; callers wait until their slot (the sender does the waiting)."""

    def __init__(
        self,
        policy: PacingPolicy | None = None,
        *,
        known: KnownChats | None = None,
        rng: Callable[[], float] = random.random,
        cache: Cache | None = None,
        on_hold: Callable[[], None] = lambda: None,
        exempt: Collection[str] = (),
    ) -> None:
        self.policy = policy or PacingPolicy()
        self.known = known or KnownChats()
        self._exempt = frozenset(exempt)
        self.slow = False
        self.held = HeldMessages(cache)
        self._counts: Cache = cache if cache is not None else MemoryCache()
        self._on_hold = on_hold
        self._rng = rng
        self._lock = threading.Lock()
        self._next_global = 0.0
        self._next_chat: dict[str, float] = {}
        self._global_sent: deque[float] = deque()
        self._chat_sent: dict[str, deque[float]] = {}
        self._proactive_sent: deque[float] = deque()

    def may_address(self, chat: str) -> bool:
        """Whether `chat` wrote to us first, or belongs to the owner or an admin."""
        return chat in self._exempt or chat in self.known

    # --- proactive rules (whatsapp.md §1.3) ------------------------------------------------

    def admit(self, message: OutboundMessage, wall: datetime) -> bool:
        """True when `message` may be sent now; False when it was refused or held.

        Only followups are rationed here: replies and transactional notifications pass (the
        slot caps in `reserve` still apply to them). Call it with sends serialised (the sender
        holds its lock), so two followups cannot both take the last place under a cap.
        """
        if message.kind != "followup":
            return True
        reason = self._refusal(message, wall)
        if reason is None:
            until = self.policy.quiet_hours.ends_after(wall)
            if until is not None:
                self.held.add(message, until)
                log.info(
                    "follow-up to %s held until %s (quiet hours)",
                    hash_id(message.chat),
                    until.isoformat(),
                )
                self._on_hold()
                return False
            reason = self._over_daily_cap(wall)
        if reason is not None:
            metrics.OUTBOUND_DROPPED.labels(reason=reason).inc()
            log.warning("follow-up to %s refused: %s", hash_id(message.chat), reason)
            return False
        return True

    def record(self, message: OutboundMessage, wall: datetime) -> None:
        """Count a followup that was sent (the caps read these counts)."""
        if message.kind != "followup" or message.topic is None:
            return
        day = self._day(wall)
        self._counts.set(_FIRST_DAY_KEY, day.isoformat(), nx=True)
        self._counts.incr(f"wa:followups:{day.isoformat()}", ttl_seconds=2 * 86400)
        self._counts.incr(_topic_key(message.chat, message.topic), ttl_seconds=_TOPIC_TTL)
        self._counts.set(_text_key(message, day), message.chat, ttl_seconds=2 * 86400, nx=True)

    def _refusal(self, message: OutboundMessage, wall: datetime) -> str | None:
        """Why a followup may never go (independent of the hour), or None."""
        if not self.may_address(message.chat):
            return "cold_chat"
        if not message.topic:
            return "no_topic"
        sent = int(self._counts.get(_topic_key(message.chat, message.topic)) or 0)
        if sent >= self.policy.followups_per_topic:
            return "topic_cap"
        first_chat = self._counts.get(_text_key(message, self._day(wall)))
        if first_chat is not None and first_chat != message.chat:
            return "identical_text"
        return None

    def _over_daily_cap(self, wall: datetime) -> str | None:
        day = self._day(wall)
        first = self._counts.get(_FIRST_DAY_KEY)
        days = (day - date.fromisoformat(first)).days if first else 0
        sent = int(self._counts.get(f"wa:followups:{day.isoformat()}") or 0)
        return "daily_cap" if sent >= self.policy.daily_cap(days) else None

    def _day(self, wall: datetime) -> date:
        return wall.astimezone(self.policy.quiet_hours.tz).date()

    # --- slots ---------------------------------------------------------------------------------

    def reserve(self, chat: str, *, proactive: bool, now: float) -> float | None:
        """The monotonic time at which this message may go, or None when refused (cold chat)."""
        if not self.may_address(chat):
            return None
        p = self.policy
        factor = p.slow_factor if self.slow else 1.0
        with self._lock:
            chat_sent = self._chat_sent.setdefault(chat, deque())
            at = max(now, self._next_global, self._next_chat.get(chat, 0.0))
            at = max(at, _window_opens(self._global_sent, p.global_per_minute, at))
            at = max(at, _window_opens(chat_sent, p.chat_per_minute, at))
            if proactive:
                at = max(at, _window_opens(self._proactive_sent, p.proactive_per_minute, at))
                self._proactive_sent.append(at)
            self._global_sent.append(at)
            chat_sent.append(at)
            self._next_global = at + (p.global_min_gap + p.jitter * self._rng()) * factor
            self._next_chat[chat] = at + (p.chat_min_gap + p.jitter * self._rng()) * factor
            return at


_FIRST_DAY_KEY = "wa:followups:first_day"
_TOPIC_TTL = 180 * 86400


def _topic_key(chat: str, topic: str) -> str:
    return f"wa:followups:topic:{chat}:{topic}"


def _text_key(message: OutboundMessage, day: date) -> str:
    text = " ".join((message.text or message.image_caption or "").split()).casefold()
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"wa:followups:text:{day.isoformat()}:{digest}"


def _window_opens(sent: deque[float], cap: int, at: float) -> float:
    """When a 60 s sliding window holding `sent` has room for one more at or after `at`."""
    while sent and sent[0] <= at - 60.0:
        sent.popleft()
    if len(sent) < cap:
        return at
    return sent[len(sent) - cap] + 60.0
