"""The store contract suite runs once per transport: the same SQL functions, the same answers.

- `postgres`: psycopg against the session database (the machine's server, or embedded);
- `embedded`: psycopg against a pgserver started for this session under a temporary directory;
- `supabase`: the real supabase-py client through a local PostgREST-RPC stand-in that forwards
  to the session database.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.postgrest import PostgrestRpcFake, running_postgrest

from shared.adapters.postgres.migrate import apply_migrations
from shared.adapters.postgres.rpc import PostgresRpc
from shared.adapters.supabase.rpc import SupabaseRpc
from shared.ports import RpcTransport
from shared.store import Store


@pytest.fixture(scope="session")
def embedded_database_url() -> Iterator[str]:
    """A migrated database on an embedded pgserver of its own (about a second to start).

    Under root, pgserver runs postgres as its own user, which cannot enter pytest's private
    (0700) temporary tree: the data directory is made directly under the system temp dir.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on import
        import pgserver

        folder = Path(tempfile.mkdtemp(prefix="salesbot-embedded-pg-"))
        server = pgserver.get_server(folder, cleanup_mode="stop")
    url: str = server.get_uri()
    apply_migrations(url)
    yield url
    server.cleanup()
    # pgserver keeps its exit hook in "stop" mode; run at exit, it logs to pytest's closed stream.
    atexit.unregister(server._cleanup)
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgrest(database_url: str) -> Iterator[PostgrestRpcFake]:
    """The PostgREST-RPC stand-in in front of the session database."""
    with running_postgrest(database_url) as fake:
        yield fake


@pytest.fixture(scope="session", params=["postgres", "embedded", "supabase"])
def rpc(request: pytest.FixtureRequest) -> Iterator[RpcTransport]:
    """One transport per parameter, shared by the session."""
    transport: RpcTransport
    if request.param == "postgres":
        transport = PostgresRpc(request.getfixturevalue("database_url"), max_size=4)
    elif request.param == "embedded":
        transport = PostgresRpc(request.getfixturevalue("embedded_database_url"), max_size=4)
    else:
        fake: PostgrestRpcFake = request.getfixturevalue("postgrest")
        transport = SupabaseRpc(fake.url, fake.api_key)
    yield transport
    transport.close()


@pytest.fixture
def store(rpc: RpcTransport) -> Store:
    """A Store over each transport."""
    return Store(rpc)
