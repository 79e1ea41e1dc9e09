"""The direct store transport: SQL functions called over a psycopg connection pool."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Mapping
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool, PoolTimeout

from shared.ports import Json, JsonValue, RpcError

log = logging.getLogger(__name__)


class PostgresRpc:
    """`RpcTransport` over psycopg: `SELECT fn(p_a => %s, ...)`, one transaction per call.

    The statement is the transaction (autocommit), exactly as PostgREST runs an RPC.
    """

    def __init__(
        self,
        database_url: str,
        *,
        min_size: int = 1,
        max_size: int = 4,
        timeout_seconds: float = 10.0,
        name: str = "store",
        idle_check_seconds: float = 5.0,
    ) -> None:
        self._idle_check = idle_check_seconds
        self._last_used: weakref.WeakKeyDictionary[psycopg.Connection[Any], float] = (
            weakref.WeakKeyDictionary()
        )
        self._pool = ConnectionPool(
            database_url,
            min_size=min_size,
            max_size=max_size,
            timeout=timeout_seconds,
            check=self._check_if_idle,
            # No server-side prepared statements: DATABASE_URL may point at a transaction pooler.
            # Autocommit: each call is one statement, hence its own transaction already; without
            # it every call also paid a COMMIT round trip.
            kwargs={"prepare_threshold": None, "autocommit": True},
            name=name,
            open=True,
        )
        # Rendered once per (function, argument names): composing and quoting the statement
        # cost more CPU than the rest of a short call, and psycopg caches the parse of bytes.
        self._queries: dict[tuple[str, tuple[str, ...]], bytes] = {}

    def _check_if_idle(self, conn: psycopg.Connection[Any]) -> None:
        # A round trip before every call doubles the cost of short calls; connections die
        # while idle (server restarts, poolers' idle timeouts), so only those are checked.
        if time.monotonic() - self._last_used.get(conn, 0.0) >= self._idle_check:
            ConnectionPool.check_connection(conn)

    def _query(self, fn: str, names: tuple[str, ...], conn: psycopg.Connection[Any]) -> bytes:
        key = (fn, names)
        query = self._queries.get(key)
        if query is None:
            args = sql.SQL(", ").join(
                sql.SQL("{} => {}").format(sql.Identifier(n), sql.Placeholder()) for n in names
            )
            query = sql.SQL("SELECT {}({})").format(sql.Identifier(fn), args).as_bytes(conn)
            self._queries[key] = query
        return query

    def call(self, fn: str, params: Mapping[str, object]) -> JsonValue:
        """Run one SQL function in its own transaction and return its decoded result."""
        names = tuple(params)
        values = [Jsonb(v.value) if isinstance(v, Json) else v for v in params.values()]
        try:
            with self._pool.connection() as conn:
                row = conn.execute(self._query(fn, names, conn), values).fetchone()
                self._last_used[conn] = time.monotonic()
        except PoolTimeout as exc:
            raise RpcError(f"{fn}: database unreachable (no connection within timeout)") from exc
        except psycopg.Error as exc:
            diag = exc.diag
            message = diag.message_primary or exc.__class__.__name__
            raise RpcError(f"{fn}: {message}", sqlstate=diag.sqlstate) from exc
        return None if row is None else row[0]

    def close(self) -> None:
        """Close the pool."""
        self._pool.close()
