"""Shared fixtures: no network but loopback, an isolated Postgres database per session, Redis.

Postgres: the machine's server at 127.0.0.1:5432 (trust auth) when it answers, otherwise an
embedded pgserver under a temporary directory, so `make test` passes on a bare machine. Every test
session gets its own freshly created database, so parallel runs never see each other's rows.
Redis: tests marked `redis` skip with a visible reason when no server answers.
"""

from __future__ import annotations

import atexit
import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from shared.adapters.postgres.migrate import apply_migrations

LOCAL_PG = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
LOCAL_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: object) -> object:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if not (host.startswith("127.") or host in {"::1", "localhost", "0.0.0.0"}):
            raise RuntimeError(f"test tried to reach the network: {host}")
    return _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Fail any outbound connection that is not to this machine."""
    socket.socket.connect = _loopback_only  # type: ignore[method-assign,assignment]
    yield
    socket.socket.connect = _real_connect  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's configuration or write into the repository."""
    prefixes = ("ATL_", "GEMINI_", "SUPABASE_", "UPSTASH_", "WA_", "PUBSUB_")
    for name in list(os.environ):
        if name.startswith(prefixes) or name in {
            "DATABASE_URL",
            "REDIS_URL",
            "ADMIN_NUMBERS",
            "OWNER_NUMBER",
            "APP_SECRET",
            "JOBS_TOKEN",
            "GOOGLE_GEMINI_BASE_URL",
            "GOOGLE_API_KEY",
        }:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    from shared.config import get_settings

    get_settings.cache_clear()


def _local_server_up() -> bool:
    try:
        with psycopg.connect(LOCAL_PG, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A URL with rights to create databases: the local server, else an embedded one."""
    if _local_server_up():
        yield LOCAL_PG
        return
    import pgserver

    server = pgserver.get_server(tmp_path_factory.mktemp("pg"), cleanup_mode="stop")
    yield server.get_uri()
    server.cleanup()
    # pgserver keeps its exit hook in "stop" mode; run at exit, it logs to pytest's closed stream.
    atexit.unregister(server._cleanup)


def _with_database(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in info.items() if v is not None})


@pytest.fixture(scope="session")
def fresh_database(pg_admin_url: str) -> Iterator[object]:
    """A factory of empty databases, all dropped when the session ends."""
    created: list[str] = []

    def make() -> str:
        name = f"salesbot_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(pg_admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        return _with_database(pg_admin_url, name)

    yield make
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(fresh_database: object) -> str:
    """A migrated database shared by the session (tests use their own customers/refs)."""
    url: str = fresh_database()  # type: ignore[operator]
    apply_migrations(url)
    return url


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis, or a skip that says why."""
    import redis

    client = redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {LOCAL_REDIS}: Redis-backed variants not run")
    finally:
        client.close()
    return LOCAL_REDIS
