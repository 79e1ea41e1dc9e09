"""Fixtures for the Atlantic tests: a sandbox on a manual clock, clients, the store, recorders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from atlantic.helpers import RecordingNotifier
from shared.adapters.atlantic import AtlanticClient, make_http_client
from shared.adapters.postgres.rpc import PostgresRpc
from shared.sandbox.server import Sandbox
from shared.services.settlement import SettleDeps
from shared.store import Store

START = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox whose time only moves with `advance()`; timeouts hold answers for 2 s."""
    with Sandbox(
        state_file=tmp_path / "sandbox.json",
        clock=lambda: START,
        ticker=False,
        timeout_seconds=2.0,
        slow_seconds=0.05,
    ) as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[AtlanticClient]:
    """A client of the sandbox with a short timeout and no real backoff sleeps."""
    c = AtlanticClient(make_http_client(sandbox.url, 0.5), sandbox.api_key, sleep=lambda _s: None)
    yield c
    c.close()


@pytest.fixture(scope="session")
def store(database_url: str) -> Iterator[Store]:
    rpc = PostgresRpc(database_url, max_size=4)
    yield Store(rpc)
    rpc.close()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def deps(store: Store, client: AtlanticClient, notifier: RecordingNotifier) -> SettleDeps:
    return SettleDeps(store=store, supplier=client, notifier=notifier)
