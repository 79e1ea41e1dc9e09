"""The cache on Upstash Redis over its REST API (serverless deployment)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import httpx
from upstash_redis import Redis
from upstash_redis.errors import UpstashError

from shared.adapters.cache import EXTEND_LOCK, INCR_WITH_TTL, RELEASE_LOCK, to_millis
from shared.errors import CacheError

T = TypeVar("T")


class UpstashCache:
    """`ports.Cache` over upstash-redis; locks and counters are atomic EVAL scripts.

    The SDK's HTTP client has no timeout and retries after 3 s by default; a function must not
    hang on the cache, so this sets a timeout and at most one quick retry.
    """

    def __init__(
        self, url: str, token: str, *, prefix: str = "", timeout_seconds: float = 5.0
    ) -> None:
        self._prefix = prefix
        self._client = Redis(
            url=url, token=token, rest_retries=1, rest_retry_interval=0.1, allow_telemetry=False
        )
        # The constructor cannot set a timeout; swapping the private httpx client is the
        # documented workaround (tech-notes §4.1).
        self._client._http._client.close()
        self._client._http._client = httpx.Client(timeout=timeout_seconds)

    def _run(self, command: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (UpstashError, httpx.HTTPError, json.JSONDecodeError) as exc:
            raise CacheError(f"upstash {command} failed: {exc.__class__.__name__}") from exc

    def get(self, key: str) -> str | None:
        """The value, or None when missing or expired."""
        value = self._run("GET", lambda: self._client.get(self._prefix + key))
        return None if value is None else str(value)

    def set(
        self, key: str, value: str, *, ttl_seconds: float | None = None, nx: bool = False
    ) -> bool:
        """Store a value; with `nx` only when absent."""
        px = None if ttl_seconds is None else to_millis(ttl_seconds)
        return bool(
            self._run("SET", lambda: self._client.set(self._prefix + key, value, px=px, nx=nx))
        )

    def delete(self, key: str) -> bool:
        """Remove a key; True when it existed."""
        return bool(self._run("DEL", lambda: self._client.delete(self._prefix + key)))

    def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        """Add one; a new key gets the TTL in the same atomic step."""
        ttl = 0 if ttl_seconds is None else to_millis(ttl_seconds)
        result = self._run(
            "EVAL",
            lambda: self._client.eval(INCR_WITH_TTL, keys=[self._prefix + key], args=[str(ttl)]),
        )
        return int(result)

    def ttl(self, key: str) -> float | None:
        """Seconds left, None when missing or without expiry."""
        millis = int(self._run("PTTL", lambda: self._client.pttl(self._prefix + key)))
        return None if millis < 0 else millis / 1000

    def acquire(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Take a lock if free (SET NX PX)."""
        return self.set(key, token, ttl_seconds=ttl_seconds, nx=True)

    def release(self, key: str, token: str) -> bool:
        """Compare-and-delete in one EVAL."""
        result = self._run(
            "EVAL",
            lambda: self._client.eval(RELEASE_LOCK, keys=[self._prefix + key], args=[token]),
        )
        return bool(result)

    def extend(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Compare-and-extend in one EVAL."""
        args = [token, str(to_millis(ttl_seconds))]
        result = self._run(
            "EVAL", lambda: self._client.eval(EXTEND_LOCK, keys=[self._prefix + key], args=args)
        )
        return bool(result)

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()  # type: ignore[no-untyped-call]
