"""An unreachable database or cache is a clear StoreError/CacheError, never a hang."""

from __future__ import annotations

import socket

import pytest

from shared.adapters.cache.redis import RedisCache
from shared.adapters.cache.upstash import UpstashCache
from shared.adapters.postgres.rpc import PostgresRpc
from shared.errors import CacheError, StoreError


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_database_raises_store_error() -> None:
    rpc = PostgresRpc(
        f"postgresql://postgres@127.0.0.1:{_closed_port()}/x", min_size=0, timeout_seconds=0.3
    )
    try:
        with pytest.raises(StoreError, match="get_setting: database unreachable"):
            rpc.call("get_setting", {"p_key": "x"})
    finally:
        rpc.close()


@pytest.mark.parametrize("kind", ["redis", "upstash"])
def test_an_unreachable_cache_raises_cache_error(kind: str) -> None:
    port = _closed_port()
    cache = (
        RedisCache(f"redis://127.0.0.1:{port}/0", timeout_seconds=0.5)
        if kind == "redis"
        else UpstashCache(f"http://127.0.0.1:{port}", "token", timeout_seconds=0.5)
    )
    try:
        with pytest.raises(CacheError):
            cache.get("k")
        with pytest.raises(CacheError):
            cache.acquire("lock", "t", 5)
    finally:
        cache.close()
