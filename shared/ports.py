"""Ports: the protocols services depend on. Adapters implement them; only wiring picks one.

The store is reached through one small transport, `RpcTransport`: every read and every money
movement is a SQL function (see `migrations/`), called either directly over psycopg or through
Supabase's PostgREST `rpc`. `shared.store.Store` turns those calls into typed methods.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from shared.errors import StoreError

JsonValue = object
"""A decoded JSON value (dict, list, str, int, float, bool or None)."""


@dataclass(frozen=True)
class Json:
    """Marks an RPC argument as a `jsonb` parameter (a dict, list or JSON scalar).

    The direct transport must tell Postgres the type (a bare Python int would not match a jsonb
    parameter); the Supabase transport sends `value` as it is.
    """

    value: object


class RpcError(StoreError):
    """A store call failed; `sqlstate` is the database's error code when there was one."""

    def __init__(self, message: str, *, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class RpcTransport(Protocol):
    """Calls one SQL function by name with named parameters, in its own transaction."""

    def call(self, fn: str, params: Mapping[str, object]) -> JsonValue:
        """Run `fn(param => value, ...)` and return its result decoded from JSON.

        Values are JSON-safe (str, int, bool, None; datetimes as ISO-8601 strings) or `Json`.

        Raises:
            RpcError: the database raised (`sqlstate` and message kept) or is unreachable.
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
    after the call; `id`/`reff_id`/`status`/`amount` describe the order, deposit or transfer
    touched (`amount`: the price held, the total of a transfer, the sum credited by a deposit).
    `shortfall` is set with `insufficient_funds` (what a deposit must add); `quote_id` names the
    quote behind an order or transfer, or the order quote waiting for a deposit.
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
    quote_id: str | None = None
    atl_id: str | None = None
    shortfall: int | None = None

    @property
    def ok(self) -> bool:
        """True when the movement happened, now or before (`done` or `already`)."""
        return self.outcome != "refused"


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

    def extend(self, key: str, token: str, ttl_seconds: float) -> bool:
        """Reset a lock's expiry only if `token` still holds it (compare-and-extend, atomic)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class Clock(Protocol):
    """Current time; tests pass a controllable one."""

    def now(self) -> datetime:
        """Timezone-aware now."""
        ...
