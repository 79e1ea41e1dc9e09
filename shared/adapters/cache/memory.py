"""The in-process cache for the all-in-one mode and tests (nothing shared between processes)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from shared.errors import CacheError


class MemoryCache:
    """`ports.Cache` in a dict guarded by a lock; expiry is checked lazily on access."""

    def __init__(self, *, prefix: str = "", clock: Callable[[], float] = time.monotonic) -> None:
        self._prefix = prefix
        self._clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> tuple[str, float | None] | None:
        """The entry if present and unexpired (call with the lock held)."""
        item = self._items.get(self._prefix + key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= self._clock():
            del self._items[self._prefix + key]
            return None
        return item

    def _expiry(self, ttl_seconds: float | None) -> float | None:
        return None if ttl_seconds is None else self._clock() + ttl_seconds

    def get(self, key: str) -> str | None:
        """The value, or None when missing or expired."""
        with self._lock:
            item = self._live(key)
            return None if item is None else item[0]

    def set(
        self, key: str, value: str, *, ttl_seconds: float | None = None, nx: bool = False
    ) -> bool:
        """Store a value; with `nx` only when absent."""
        with self._lock:
            if nx and self._live(key) is not None:
                return False
            self._items[self._prefix + key] = (value, self._expiry(ttl_seconds))
            return True

    def delete(self, key: str) -> bool:
        """Remove a key; True when it existed."""
        with self._lock:
            existed = self._live(key) is not None
            self._items.pop(self._prefix + key, None)
            return existed

    def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        """Add one; a new key gets the TTL."""
        with self._lock:
            item = self._live(key)
            if item is None:
                self._items[self._prefix + key] = ("1", self._expiry(ttl_seconds))
                return 1
            try:
                value = int(item[0]) + 1
            except ValueError:
                raise CacheError("value is not an integer") from None
            self._items[self._prefix + key] = (str(value), item[1])
            return value

    def ttl(self, key: str) -> float | None:
        """Seconds left, None when missing or without expiry."""
        with self._lock:
            item = self._live(key)
            if item is None or item[1] is None:
                return None
            return item[1] - self._clock()

    def acquire(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Take a lock if free."""
        return self.set(key, token, ttl_seconds=ttl_seconds, nx=True)

    def release(self, key: str, token: str) -> bool:
        """Release only if `token` still holds the lock."""
        with self._lock:
            item = self._live(key)
            if item is None or item[0] != token:
                return False
            del self._items[self._prefix + key]
            return True

    def extend(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Reset the expiry only if `token` still holds the lock."""
        with self._lock:
            item = self._live(key)
            if item is None or item[0] != token:
                return False
            self._items[self._prefix + key] = (token, self._expiry(ttl_seconds))
            return True

    def close(self) -> None:
        """Nothing to release."""
