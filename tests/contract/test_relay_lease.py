"""The relay lease on a real Redis and on Upstash (REST shim): one holder, whatever the timing.

The dangerous moment is a renewal that meets the lease's expiry: the old relay (paused by a long
GC, a throttled CPU, a slow network) still believes it holds the lease, the lease runs out and
the new revision takes it. A renewal must then fail, and must never write the old token back:
otherwise both relays hold "their" lease for up to a renewal period and WhatsApp replaces one
stream with the other (whatsapp.md §3).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from fakes.upstash_rest import UpstashRestFake, running_upstash

from shared.adapters.cache.redis import RedisCache
from shared.adapters.cache.upstash import UpstashCache
from shared.adapters.whatsapp.lease import RelayLease
from shared.ports import Cache


@pytest.fixture(scope="module")
def upstash_shim(redis_url: str) -> Iterator[UpstashRestFake]:
    with running_upstash(redis_url) as shim:
        yield shim


@pytest.fixture(params=["redis", "upstash"])
def cache(request: pytest.FixtureRequest) -> Iterator[Cache]:
    prefix = f"test:{uuid.uuid4().hex}:"
    adapter: Cache
    if request.param == "redis":
        adapter = RedisCache(request.getfixturevalue("redis_url"), prefix=prefix)
    else:
        shim: UpstashRestFake = request.getfixturevalue("upstash_shim")
        adapter = UpstashCache(shim.url, shim.token, prefix=prefix)
    yield adapter
    adapter.close()


class ExpiresMidRenewal:
    """The old relay's view of the cache: its lease expires and is taken during its renewal.

    A renewal made of a read and a later write has a gap between them, and that gap is where the
    lease runs out; a compare-and-extend done by the server in one step has no gap, so there the
    lease runs out just before the call arrives. Every other call passes straight through.
    """

    def __init__(self, inner: Cache, take_over: Callable[[], None]) -> None:
        self._inner = inner
        self._take_over: Callable[[], None] | None = take_over

    def _expire_now(self) -> None:
        if self._take_over is not None:
            take_over, self._take_over = self._take_over, None
            take_over()

    def get(self, key: str) -> str | None:
        value = self._inner.get(key)
        self._expire_now()  # between this read and whatever write follows it
        return value

    def extend(self, key: str, token: str, ttl_seconds: float) -> bool:
        self._expire_now()
        return self._inner.extend(key, token, ttl_seconds)

    def __getattr__(self, name: str) -> object:
        return getattr(self._inner, name)


def test_a_renewal_that_meets_the_expiry_never_takes_the_lease_back(cache: Cache) -> None:
    newcomer = RelayLease(cache, ttl_seconds=30)

    def expire_and_take_over() -> None:
        cache.delete("relay:lease")  # the old relay's 30 s ran out
        assert newcomer.try_acquire()

    old = RelayLease(ExpiresMidRenewal(cache, expire_and_take_over), ttl_seconds=30)  # type: ignore[arg-type]
    assert old.try_acquire()

    assert not old.renew(), "the old relay must learn that it lost the lease"
    assert cache.get("relay:lease") == newcomer.token, "the newcomer's lease was overwritten"
    assert newcomer.renew()
    left = cache.ttl("relay:lease")
    assert left is not None
    assert 25 < left <= 30


def test_a_renewal_extends_only_the_holders_lease(cache: Cache) -> None:
    holder, other = RelayLease(cache, ttl_seconds=30), RelayLease(cache, ttl_seconds=30)
    assert holder.try_acquire()
    cache.extend("relay:lease", holder.token, 2)  # nearly run out
    assert not other.try_acquire()
    assert holder.renew()
    left = cache.ttl("relay:lease")
    assert left is not None
    assert left > 25
    holder.release()
    assert not holder.renew(), "a released lease is not renewed into existence"
    assert cache.get("relay:lease") is None
