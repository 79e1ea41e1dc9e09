"""Fixtures for the Atlantic tests: a sandbox on a manual clock, clients, the store, recorders."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.adapters.atlantic import AtlanticClient, make_http_client
from shared.adapters.postgres.rpc import PostgresRpc
from shared.sandbox.server import Sandbox
from shared.services.notifications import Notification
from shared.services.settlement import SettleDeps
from shared.store import Store

START = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)


class RecordingNotifier:
    """Keeps every notification, in order."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def notify(self, n: Notification) -> None:
        self.sent.append(n)

    def kinds(self, reff_id: str | None = None) -> list[str]:
        return [n.kind for n in self.sent if reff_id is None or n.reff_id == reff_id]


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


def new_customer(store: Store) -> str:
    return store.resolve_customer(phone="62" + str(uuid.uuid4().int)[:11]).customer_id


def fund(store: Store, customer_id: str, amount: int) -> None:
    deposit = store.create_deposit(customer_id, amount)
    assert deposit.reff_id is not None
    assert store.credit_deposit(deposit.reff_id, amount).outcome == "done"


def placed_order(
    store: Store, customer_id: str, *, code: str, target: str, price: int, supplier_price: int
) -> str:
    """A confirmed top-up order holding `price`; returns its reff_id."""
    quote = store.create_quote(
        customer_id=customer_id,
        kind="topup",
        payload={"code": code, "name": code, "target": target},
        amount=price,
        supplier_price=supplier_price,
    )
    assert store.place_order(quote.id, customer_id).outcome == "done"
    return quote.reff_id
