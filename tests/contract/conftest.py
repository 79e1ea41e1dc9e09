"""The store contract suite runs once per transport: the same SQL functions, the same answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.adapters.postgres.rpc import PostgresRpc
from shared.store import Store


@pytest.fixture(params=["postgres"])
def store(request: pytest.FixtureRequest, database_url: str) -> Iterator[Store]:
    """A Store over each transport, all against migrated databases."""
    rpc = PostgresRpc(database_url, max_size=2)
    yield Store(rpc)
    rpc.close()
