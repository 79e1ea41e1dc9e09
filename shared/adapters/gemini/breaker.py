"""Per-key circuit breaker for server errors and timeouts: 30 s, then 2 min, then 10 min.

A failure opens the breaker for the next step of the schedule; once the open period has passed
the key may be tried again (half-open), and a further failure opens it for the next, longer step.
A success closes it and resets the schedule. State is per process: a breaker protects this
instance's latency, while quota cooldowns (shared across instances) live in the cache and store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.ports import Clock

SCHEDULE = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))


@dataclass
class _State:
    failures: int = 0
    open_until: datetime | None = None


class CircuitBreakers:
    """Breakers keyed by key id, reading time from an injected clock."""

    def __init__(self, clock: Clock, schedule: tuple[timedelta, ...] = SCHEDULE) -> None:
        self._clock = clock
        self._schedule = schedule
        self._states: dict[str, _State] = {}
        self._lock = threading.Lock()

    def is_open(self, key_id: str) -> bool:
        """True while the key must not be tried."""
        with self._lock:
            state = self._states.get(key_id)
            return bool(state and state.open_until and self._clock.now() < state.open_until)

    def open_until(self, key_id: str) -> datetime | None:
        """When the breaker of this key closes (None when it is closed)."""
        with self._lock:
            state = self._states.get(key_id)
            if state and state.open_until and self._clock.now() < state.open_until:
                return state.open_until
            return None

    def failure(self, key_id: str) -> timedelta:
        """Record a server error or timeout; returns how long the key is now benched."""
        with self._lock:
            state = self._states.setdefault(key_id, _State())
            step = self._schedule[min(state.failures, len(self._schedule) - 1)]
            state.failures += 1
            state.open_until = self._clock.now() + step
            return step

    def success(self, key_id: str) -> None:
        """Close the breaker and reset its schedule."""
        with self._lock:
            self._states.pop(key_id, None)
