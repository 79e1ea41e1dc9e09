"""The `Cache` port in memory on a controllable clock (for relay tests)."""

from __future__ import annotations

import time


class MemoryCache:
    """The `Cache` port in memory with the fake clock's time (enough for lease and known chats)."""

    def __init__(self, clock: object = None) -> None:
        self._now = getattr(clock, "monotonic", time.monotonic)
        self._data: dict[str, tuple[str, float | None]] = {}

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is not None and item[1] is not None and item[1] <= self._now():
            del self._data[key]
            return None
        return item

    def get(self, key: str) -> str | None:
        item = self._live(key)
        return item[0] if item else None

    def set(
        self, key: str, value: str, *, ttl_seconds: float | None = None, nx: bool = False
    ) -> bool:
        if nx and self._live(key) is not None:
            return False
        self._data[key] = (value, None if ttl_seconds is None else self._now() + ttl_seconds)
        return True

    def delete(self, key: str) -> bool:
        return self._data.pop(key, None) is not None

    def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        value = int(self.get(key) or 0) + 1
        self.set(key, str(value), ttl_seconds=ttl_seconds)
        return value

    def ttl(self, key: str) -> float | None:
        item = self._live(key)
        return None if item is None or item[1] is None else item[1] - self._now()

    def acquire(self, key: str, token: str, ttl_seconds: float) -> bool:
        return self.set(key, token, ttl_seconds=ttl_seconds, nx=True)

    def release(self, key: str, token: str) -> bool:
        if self.get(key) == token:
            return self.delete(key)
        return False

    def extend(self, key: str, token: str, ttl_seconds: float) -> bool:
        if self.get(key) != token:
            return False
        self._data[key] = (token, self._now() + ttl_seconds)
        return True
