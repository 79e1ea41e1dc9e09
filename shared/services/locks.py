"""Per-customer serialisation across instances, through the shared cache."""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager

from shared.errors import SalesbotError
from shared.log import hash_id
from shared.ports import Cache

LOCK_TTL_SECONDS = 30.0
LOCK_WAIT_SECONDS = 25.0


class CustomerBusy(SalesbotError):
    """Another instance held the customer's lock too long; raise so the bus redelivers."""


@contextmanager
def customer_lock(
    cache: Cache, customer_id: str, *, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold `lock:customer:{id}` while one message (or one completion) is handled.

    Raises:
        CustomerBusy: someone else held it for longer than `wait_seconds`.
    """
    key = f"lock:customer:{customer_id}"
    token = secrets.token_hex(8)
    deadline = time.monotonic() + wait_seconds
    delay = 0.002
    while not cache.acquire(key, token, LOCK_TTL_SECONDS):
        if time.monotonic() > deadline:
            raise CustomerBusy(f"customer {hash_id(customer_id)} is busy")
        # Polling backoff: the cache has no blocking wait that also works over Upstash REST.
        time.sleep(delay)
        delay = min(delay * 2, 0.1)
    try:
        yield
    finally:
        cache.release(key, token)
