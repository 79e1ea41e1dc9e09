"""The reconciler pages through every pending item, the least recently checked first (item 10).

`ORDER BY created_at LIMIT 100` let 100 old stuck orders hide every newer pending one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from atlantic.helpers import RecordingNotifier, fund, new_customer, placed_order
from shared.adapters.atlantic import AtlanticClient
from shared.adapters.postgres.migrate import apply_migrations
from shared.adapters.postgres.rpc import PostgresRpc
from shared.sandbox.server import Sandbox
from shared.services.reconcile import reconcile
from shared.services.settlement import SettleDeps
from shared.services.supplier_submit import submit_order
from shared.store import Store


@pytest.fixture
def own_store(fresh_database) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """A database of its own: the reconciler reads every pending item there is."""
    url = fresh_database()
    apply_migrations(url)
    rpc = PostgresRpc(url, max_size=2)
    yield Store(rpc)
    rpc.close()


def _later(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def _stuck_and_one_done(
    store: Store, client: AtlanticClient, deps: SettleDeps, stuck: int
) -> tuple[list[str], str]:
    cid = new_customer(store)
    fund(store, cid, 30_000 * (stuck + 1))
    stuck_refs = []
    for _ in range(stuck):
        reff = placed_order(
            store, cid, code="ML86", target="081234569992", price=30_000, supplier_price=25_000
        )
        assert submit_order(reff, store=store, supplier=client, deps=deps) == "submitted"
        stuck_refs.append(reff)
    newest = placed_order(
        store, cid, code="ML86", target="081234567890", price=30_000, supplier_price=25_000
    )
    assert submit_order(newest, store=store, supplier=client, deps=deps) == "submitted"
    return stuck_refs, newest


def test_a_newer_pending_order_is_not_hidden_behind_a_page_of_stuck_ones(
    sandbox: Sandbox, client: AtlanticClient, own_store: Store
) -> None:
    notifier = RecordingNotifier()
    deps = SettleDeps(store=own_store, supplier=client, notifier=notifier)
    stuck, newest = _stuck_and_one_done(own_store, client, deps, stuck=12)
    sandbox.advance(10)  # the newest completed at the supplier; the others stay pending
    report = reconcile(deps, after_minutes=5, alert_minutes=600, now=_later(10), limit=5)
    assert report["checked"] == 13
    assert report["captured"] == 1
    order = own_store.get_order(newest)
    assert order is not None
    assert order.status == "success"
    assert notifier.kinds(newest) == ["order_success"]


def test_a_capped_run_continues_with_the_least_recently_checked(
    sandbox: Sandbox, client: AtlanticClient, own_store: Store
) -> None:
    notifier = RecordingNotifier()
    deps = SettleDeps(store=own_store, supplier=client, notifier=notifier)
    stuck, newest = _stuck_and_one_done(own_store, client, deps, stuck=6)
    sandbox.advance(10)
    first = reconcile(
        deps, after_minutes=5, alert_minutes=600, now=_later(10), limit=2, max_items=4
    )
    assert first["checked"] == 4  # the four oldest, never checked before
    second = reconcile(
        deps, after_minutes=5, alert_minutes=600, now=_later(11), limit=2, max_items=4
    )
    assert second["checked"] == 4  # the three never checked first (the newest among them)
    assert second["captured"] == 1
    assert notifier.kinds(newest) == ["order_success"]
