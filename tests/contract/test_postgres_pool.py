"""The direct transport's pool checks only connections that sat idle (a killed backend)."""

from __future__ import annotations

import psycopg
import pytest

from shared.adapters.postgres.rpc import PostgresRpc
from shared.ports import RpcError


def _kill(database_url: str, pid: object) -> None:
    with psycopg.connect(database_url, autocommit=True) as admin:
        # The second argument waits until the backend is gone.
        admin.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))


def test_an_idle_connection_the_server_dropped_is_replaced_before_use(database_url: str) -> None:
    rpc = PostgresRpc(database_url, min_size=1, max_size=1, idle_check_seconds=0)
    pid = rpc.call("pg_backend_pid", {})
    _kill(database_url, pid)
    assert rpc.call("pg_backend_pid", {}) not in (None, pid)  # checked, replaced, no error
    rpc.close()


def test_a_connection_used_moments_ago_is_not_checked_again(database_url: str) -> None:
    rpc = PostgresRpc(database_url, min_size=1, max_size=1, idle_check_seconds=3600)
    pid = rpc.call("pg_backend_pid", {})
    _kill(database_url, pid)
    with pytest.raises(RpcError):  # no round trip first: this one call fails...
        rpc.call("pg_backend_pid", {})
    assert rpc.call("pg_backend_pid", {}) not in (None, pid)  # ...and the pool moves on
    rpc.close()
