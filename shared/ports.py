"""Ports: the protocols services depend on. Adapters implement them; only wiring picks one.

The store is reached through one small transport, `RpcTransport`: every read and every money
movement is a SQL function (see `migrations/`), called either directly over psycopg or through
Supabase's PostgREST `rpc`. `shared.store.Store` turns those calls into typed methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

JsonValue = object
"""A decoded JSON value (dict, list, str, int, float, bool or None)."""


class RpcTransport(Protocol):
    """Calls one SQL function by name with named parameters, in its own transaction."""

    def call(self, fn: str, params: Mapping[str, object]) -> JsonValue:
        """Run `fn(param => value, ...)` and return its result decoded from JSON.

        Raises:
            StoreError: the database raised (the SQLSTATE and message are kept) or is unreachable.
        """
        ...

    def close(self) -> None:
        """Release connections."""
        ...


MoneyOutcome = Literal["done", "already", "refused"]


class MoneyResult(BaseModel):
    """What a money function did: done now, already done before, or refused (and why).

    `reason` is a stable machine word when refused (`insufficient_funds`, `not_found`,
    `final_state`, `expired`, `mismatch`, `not_confirmable`); `balance` is the customer's saldo
    after the call; `id`/`status` describe the order, deposit or transfer touched.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    outcome: MoneyOutcome
    reason: str | None = None
    balance: int | None = None
    id: str | None = None
    reff_id: str | None = None
    status: str | None = None
    customer_id: str | None = None
    amount: int | None = None


class Cache(Protocol):
    """Key-value cache with TTLs: price cache, key cooldowns, dedupe hints, locks, counters.

    Values are strings (callers JSON-encode structures). Implementations: in-memory, Redis
    (`REDIS_URL`) and Upstash REST; one contract test suite runs against all three.
    """

    def get(self, key: str) -> str | None:
        """The value, or None when missing or expired."""
        ...

    def set(
        self, key: str, value: str, *, ttl_seconds: float | None = None, nx: bool = False
    ) -> bool:
        """Store a value; with `nx` only when absent. Returns whether it was stored."""
        ...

    def delete(self, key: str) -> bool:
        """Remove a key; True when it existed."""
        ...

    def incr(self, key: str, *, ttl_seconds: float | None = None) -> int:
        """Atomically add one; the TTL is set when the key is created."""
        ...

    def ttl(self, key: str) -> float | None:
        """Seconds left, None when the key is missing or has no expiry."""
        ...

    def acquire(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Take a lock if free (SET NX with expiry)."""
        ...

    def release(self, key: str, token: str) -> bool:
        """Release a lock only if `token` still holds it (compare-and-delete)."""
        ...


class Clock(Protocol):
    """Current time; tests pass a controllable one."""

    def now(self) -> datetime:
        """Timezone-aware now."""
        ...
