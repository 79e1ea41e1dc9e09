"""The cache on a Redis server (`REDIS_URL`)."""

from __future__ import annotations

import redis

from shared.adapters.cache import EXTEND_LOCK, INCR_WITH_TTL, RELEASE_LOCK, to_millis
from shared.errors import CacheError


class RedisCache:
    """`ports.Cache` over redis-py; locks and counters are atomic Lua scripts."""

    def __init__(self, url: str, *, prefix: str = "", timeout_seconds: float = 5.0) -> None:
        self._prefix = prefix
        self._client: redis.Redis = redis.Redis.from_url(
            url,
            decode_responses=True,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
        )
        self._release = self._client.register_script(RELEASE_LOCK)
        self._incr = self._client.register_script(INCR_WITH_TTL)
        self._extend = self._client.register_script(EXTEND_LOCK)

    def get(self, key: str) -> str | None:
        """The value, or None when missing or expired."""
        try:
            value = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            raise CacheError(f"redis GET failed: {exc.__class__.__name__}") from exc
        return None if value is None else str(value)

    def set(
        self, key: str, value: str, *, ttl_seconds: float | None = None, nx: bool = False
    ) -> bool:
        """Store a value; with `nx` only when absent."""
        px = None if ttl_seconds is None else to_millis(ttl_seconds)
        try:
            return bool(self._client.set(self._prefix + key, value, px=px, nx=nx))
        except redis.RedisError as exc:
            raise CacheError(f"redis SET failed: {exc.__class__.__name__}") from exc

    def delete(self, key: str) -> bool:
        """Remove a key; True when it existed."""
        try:
            return bool(self._client.delete(self._prefix + key))
        except redis.RedisError as exc:
            raise CacheError(f"redis DEL failed: {exc.__class__.__name__}") from exc

    def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        """Add one; a new key gets the TTL in the same atomic step."""
        ttl = 0 if ttl_seconds is None else to_millis(ttl_seconds)
        try:
            return int(self._incr(keys=[self._prefix + key], args=[ttl]))
        except redis.RedisError as exc:
            raise CacheError(f"redis INCR failed: {exc.__class__.__name__}") from exc

    def ttl(self, key: str) -> float | None:
        """Seconds left, None when missing or without expiry."""
        try:
            millis = int(self._client.pttl(self._prefix + key))
        except redis.RedisError as exc:
            raise CacheError(f"redis PTTL failed: {exc.__class__.__name__}") from exc
        return None if millis < 0 else millis / 1000

    def acquire(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Take a lock if free (SET NX PX)."""
        return self.set(key, token, ttl_seconds=ttl_seconds, nx=True)

    def release(self, key: str, token: str) -> bool:
        """Compare-and-delete in one Lua call."""
        try:
            return bool(self._release(keys=[self._prefix + key], args=[token]))
        except redis.RedisError as exc:
            raise CacheError(f"redis EVAL failed: {exc.__class__.__name__}") from exc

    def extend(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Compare-and-extend in one Lua call."""
        try:
            return bool(
                self._extend(keys=[self._prefix + key], args=[token, to_millis(ttl_seconds)])
            )
        except redis.RedisError as exc:
            raise CacheError(f"redis EVAL failed: {exc.__class__.__name__}") from exc

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
