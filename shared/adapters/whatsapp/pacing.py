"""The one outbound rate governor (whatsapp.md §1.3): per-chat and global caps with jitter.

Every send asks `reserve` for a slot. Replies go to chats that wrote to us; notifications
(proactive sends) are rationed more tightly, and anything addressed to a chat that never wrote
first is refused: the bot never sends unsolicited bulk. Slots are spaced with random jitter so
sends never fall on a fixed interval.
"""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from shared.ports import Cache

_KNOWN_TTL_SECONDS = 30 * 24 * 3600


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


class PacingGovernor:
    """Hands out send times; callers wait until their slot (the sender does the waiting)."""

    def __init__(
        self,
        policy: PacingPolicy | None = None,
        *,
        known: KnownChats | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.policy = policy or PacingPolicy()
        self.known = known or KnownChats()
        self.slow = False
        self._rng = rng
        self._lock = threading.Lock()
        self._next_global = 0.0
        self._next_chat: dict[str, float] = {}
        self._global_sent: deque[float] = deque()
        self._chat_sent: dict[str, deque[float]] = {}
        self._proactive_sent: deque[float] = deque()

    def reserve(self, chat: str, *, proactive: bool, now: float) -> float | None:
        """The monotonic time at which this message may go, or None when refused (cold chat)."""
        if chat not in self.known:
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


def _window_opens(sent: deque[float], cap: int, at: float) -> float:
    """When a 60 s sliding window holding `sent` has room for one more at or after `at`."""
    while sent and sent[0] <= at - 60.0:
        sent.popleft()
    if len(sent) < cap:
        return at
    return sent[len(sent) - cap] + 60.0
