"""One contract for every cache: in-memory, a real Redis, and upstash-redis via the REST shim."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fakes.upstash_rest import UpstashRestFake, running_upstash

from shared.adapters.cache.memory import MemoryCache
from shared.adapters.cache.redis import RedisCache
from shared.adapters.cache.upstash import UpstashCache
from shared.errors import CacheError
from shared.ports import Cache


@pytest.fixture(scope="session")
def upstash_shim(redis_url: str) -> Iterator[UpstashRestFake]:
    """The Upstash REST shim in front of the machine's Redis."""
    with running_upstash(redis_url) as shim:
        yield shim


@pytest.fixture(params=["memory", "redis", "upstash"])
def cache(request: pytest.FixtureRequest) -> Iterator[Cache]:
    """Each adapter with a key prefix of its own, so runs never share keys."""
    prefix = f"test:{uuid.uuid4().hex}:"
    if request.param == "memory":
        yield MemoryCache(prefix=prefix)
        return
    if request.param == "redis":
        adapter: Cache = RedisCache(request.getfixturevalue("redis_url"), prefix=prefix)
        yield adapter
        adapter.close()
        return
    shim: UpstashRestFake = request.getfixturevalue("upstash_shim")
    adapter = UpstashCache(shim.url, shim.token, prefix=prefix)
    yield adapter
    adapter.close()


def _eventually(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Wait for a condition (expiry happens on the server's clock), polling briefly."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while time.monotonic() < deadline:
        if condition():
            return True
        pause.wait(0.01)
    return condition()


def test_values_round_trip_including_emoji(cache: Cache) -> None:
    assert cache.get("missing") is None
    assert cache.set("greeting", "Halo kak 👋 Rp 10.500")
    assert cache.get("greeting") == "Halo kak 👋 Rp 10.500"
    assert cache.set("greeting", '{"a": 1}')
    assert cache.get("greeting") == '{"a": 1}'
    assert cache.delete("greeting")
    assert not cache.delete("greeting")
    assert cache.get("greeting") is None


def test_set_nx_only_stores_when_absent(cache: Cache) -> None:
    assert cache.set("dedup:3EB0A", "1", nx=True, ttl_seconds=600)
    assert not cache.set("dedup:3EB0A", "2", nx=True, ttl_seconds=600)
    assert cache.get("dedup:3EB0A") == "1"


def test_ttl_reports_time_left_and_keys_expire(cache: Cache) -> None:
    cache.set("forever", "x")
    assert cache.ttl("forever") is None
    assert cache.ttl("missing") is None
    cache.set("price", "x", ttl_seconds=600)
    left = cache.ttl("price")
    assert left is not None
    assert 590 < left <= 600
    cache.set("brief", "x", ttl_seconds=0.05)
    assert _eventually(lambda: cache.get("brief") is None)
    assert cache.ttl("brief") is None


def test_incr_counts_atomically_and_sets_the_ttl_once(cache: Cache) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        values = list(pool.map(lambda _: cache.incr("rate:628", ttl_seconds=60), range(20)))
    assert sorted(values) == list(range(1, 21))
    left = cache.ttl("rate:628")
    assert left is not None
    assert 50 < left <= 60
    assert cache.incr("plain") == 1
    assert cache.ttl("plain") is None
    cache.set("word", "abc")
    with pytest.raises(CacheError):
        cache.incr("word")


def test_a_lock_has_one_holder_and_only_the_holder_releases_it(cache: Cache) -> None:
    tokens = [uuid.uuid4().hex for _ in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        won = list(pool.map(lambda t: cache.acquire("lock:cust", t, 30), tokens))
    assert won.count(True) == 1
    holder = tokens[won.index(True)]
    other = next(t for t in tokens if t != holder)
    assert not cache.release("lock:cust", other)
    assert cache.get("lock:cust") == holder
    assert cache.release("lock:cust", holder)
    assert not cache.release("lock:cust", holder)
    assert cache.acquire("lock:cust", other, 30)


def test_only_the_holder_extends_a_lock_and_an_expired_one_stays_gone(cache: Cache) -> None:
    assert cache.acquire("lock:lease", "a", 5)
    assert not cache.extend("lock:lease", "b", 600)
    left = cache.ttl("lock:lease")
    assert left is not None
    assert left <= 5
    assert cache.extend("lock:lease", "a", 600)
    left = cache.ttl("lock:lease")
    assert left is not None
    assert 590 < left <= 600
    assert cache.get("lock:lease") == "a"
    assert cache.extend("lock:lease", "a", 0.05)
    assert _eventually(lambda: cache.get("lock:lease") is None)
    assert not cache.extend("lock:lease", "a", 600), "an expired lock is not extended back"
    assert cache.get("lock:lease") is None


def test_an_expired_lock_can_be_taken_again(cache: Cache) -> None:
    assert cache.acquire("lock:short", "a", 0.05)
    assert _eventually(lambda: cache.acquire("lock:short", "b", 30))
    assert not cache.release("lock:short", "a")
    assert cache.get("lock:short") == "b"


def test_the_memory_cache_follows_its_clock() -> None:
    now = [1000.0]
    cache = MemoryCache(clock=lambda: now[0])
    cache.set("k", "v", ttl_seconds=10)
    now[0] += 9.5
    assert cache.get("k") == "v"
    assert cache.ttl("k") == pytest.approx(0.5)
    now[0] += 1
    assert cache.get("k") is None
