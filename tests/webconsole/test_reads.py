"""The console's read functions (migration 0031) against a database of their own.

Orders are made the way the bot makes them (quote → place_order → capture/release), so the
reads see exactly the rows production writes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from shared.adapters.postgres.migrate import apply_migrations
from shared.adapters.postgres.rpc import PostgresRpc
from shared.ports import RpcError
from shared.store import Store


@pytest.fixture(scope="module")
def own_db(fresh_database) -> str:  # noqa: ANN001
    url: str = fresh_database()
    apply_migrations(url)
    return url


@pytest.fixture(scope="module")
def store(own_db: str) -> Iterator[Store]:
    store = Store(PostgresRpc(own_db, max_size=2))
    yield store
    store.close()


def customer(store: Store, phone: str | None = None, name: str = "Budi") -> str:
    phone = phone or "62857" + str(uuid.uuid4().int)[:8]
    return store.resolve_customer(phone=phone, push_name=name).customer_id


def fund(store: Store, customer_id: str, amount: int) -> None:
    deposit = store.create_deposit(customer_id, amount)
    assert store.credit_deposit(str(deposit.reff_id), amount).outcome == "done"


def order(
    store: Store,
    customer_id: str,
    *,
    code: str = "TSEL10",
    name: str = "Telkomsel 10.000",
    price: int = 10_700,
    cost: int = 10_150,
    outcome: str = "success",
) -> str:
    quote = store.create_quote(
        customer_id=customer_id,
        kind="topup",
        payload={"code": code, "name": name, "target": "081234567890"},
        amount=price,
        supplier_price=cost,
    )
    assert store.place_order(quote.id, customer_id).outcome == "done"
    assert store.mark_order_submitted(quote.reff_id, "ATL" + quote.reff_id[-6:]).outcome == "done"
    if outcome == "success":
        assert store.capture_order(quote.reff_id, sn="SN123", supplier_price=cost).ok
    elif outcome == "failed":
        assert store.release_order(quote.reff_id, reason="Transaksi Gagal").ok
    return quote.reff_id


def test_sales_are_sales_summary_day_by_day(store: Store) -> None:
    buyer = customer(store)
    fund(store, buyer, 100_000)
    order(store, buyer, price=10_700, cost=10_150)
    order(store, buyer, price=20_500, cost=20_000)
    order(store, buyer, price=5_000, cost=4_500, outcome="failed")
    now = datetime.now(UTC)
    days = store.console_sales(now, 30)
    assert len(days) == 30
    assert days[-1] == store.sales_summary(now)
    assert (days[-1].orders, days[-1].revenue, days[-1].cost) == (2, 31_200, 30_150)
    assert days[-2] == store.sales_summary(now - timedelta(days=1))
    assert [d.day_start for d in days] == sorted(d.day_start for d in days)
    assert days[-1].day_start - days[0].day_start == timedelta(days=29)


def test_order_states_count_today_and_whats_still_open(store: Store) -> None:
    before = store.console_order_states()
    buyer = customer(store)
    fund(store, buyer, 50_000)
    order(store, buyer, outcome="pending")
    order(store, buyer, outcome="failed")
    after = store.console_order_states()
    assert after.today.get("pending", 0) == before.today.get("pending", 0) + 1
    assert after.today.get("failed", 0) == before.today.get("failed", 0) + 1
    assert after.pending_orders == before.pending_orders + 1
    assert after.oldest_pending_at is not None
    assert after.pending_deposits == before.pending_deposits  # funded deposits are credited


def test_order_search_filters(store: Store) -> None:
    phone = "62813" + str(uuid.uuid4().int)[:8]
    buyer = customer(store, phone, name="Siti")
    fund(store, buyer, 100_000)
    ml = order(store, buyer, code="ML86", name="MOBILE LEGENDS 86 Diamond", price=20_000)
    pending = order(store, buyer, code="PLN20", name="PLN 20.000", outcome="pending")

    assert [o.reff_id for o in store.console_orders(ref=ml.lower())] == [ml]
    mine = store.console_orders(phone=phone[3:])
    assert [o.reff_id for o in mine] == [pending, ml]  # newest first
    assert mine[0].phone == phone
    assert mine[0].display_name == "Siti"
    assert [o.reff_id for o in store.console_orders(phone=phone, product="diamond")] == [ml]
    assert [o.reff_id for o in store.console_orders(phone=phone, status="pending")] == [pending]
    today = datetime.now(UTC) - timedelta(hours=1)
    assert len(store.console_orders(phone=phone, created_from=today)) == 2
    assert store.console_orders(phone=phone, created_to=today) == []
    # The searched text is literal: % and _ are not wildcards.
    assert store.console_orders(phone=phone, product="%") == []
    assert store.console_orders(phone=phone, product="_") == []


def test_an_orders_record_holds_its_whole_story(store: Store) -> None:
    buyer = customer(store)
    fund(store, buyer, 30_000)
    ref = order(store, buyer, price=10_700)
    store.record_supplier_event(
        kind="order", reff_id=ref, supplier_id="ATL1", raw_status="success"
    )
    store.record_message(
        customer_id=buyer,
        direction="outbound",
        text="Pulsa masuk ✅\nSN: SN123",
        meta={"notification": True, "ref": ref},
    )
    store.console_record_action("628111000111", "retry", ref, {"result": "captured"})
    record = store.console_order(ref.lower())
    assert record is not None
    assert record.order.reff_id == ref
    assert record.quote is not None
    assert record.quote.amount == 10_700
    assert [(e.kind, e.amount) for e in record.ledger] == [("hold", -10_700), ("capture", 0)]
    assert [e.raw_status for e in record.events] == ["success"]
    assert record.notifications[0].text.startswith("Pulsa masuk")
    assert record.actions[0].admin_phone == "628111000111"
    assert record.customer.balance == 30_000 - 10_700
    assert store.console_order("SBNOSUCH") is None


def test_customers_holding_most_saldo_come_first(store: Store) -> None:
    rich = customer(store, name="Kaya " + uuid.uuid4().hex[:6])
    fund(store, rich, 9_000_000)
    top = store.console_customers(limit=1)[0]
    assert top.id == rich
    assert top.balance == 9_000_000
    found = store.console_customers(top.phone[4:10])
    assert rich in [c.id for c in found]
    assert [c.id for c in store.console_customers(top.display_name)] == [rich]


def test_a_manual_adjustment_names_who_and_why(store: Store) -> None:
    buyer = customer(store)
    fund(store, buyer, 5_000)
    ref = f"adj:628111000111:{uuid.uuid4().hex[:16]}"
    done = store.console_adjust_balance(
        buyer, 2_500, ref=ref, admin_phone="628111000111", reason="transfer manual BCA"
    )
    assert done.outcome == "done"
    assert done.balance == 7_500
    again = store.console_adjust_balance(
        buyer, 2_500, ref=ref, admin_phone="628111000111", reason="transfer manual BCA"
    )
    assert again.outcome == "already"
    assert again.balance == 7_500
    too_much = store.console_adjust_balance(
        buyer, -100_000, ref=ref + "x", admin_phone="628111000111", reason="salah input"
    )
    assert too_much.outcome == "refused"
    assert too_much.reason == "insufficient_funds"
    with pytest.raises(RpcError) as refused:
        store.console_adjust_balance(buyer, 1_000, ref=ref + "y", admin_phone="6281", reason=" ")
    assert refused.value.sqlstate == "22023"

    record = store.console_customer(buyer)
    assert record is not None
    assert record.customer.balance == 7_500
    newest = record.ledger[0]
    assert (newest.kind, newest.amount, newest.balance_after) == ("adjust", 2_500, 7_500)
    assert (newest.admin_phone, newest.reason) == ("628111000111", "transfer manual BCA")
    # balance_after is the running saldo: each entry's = the previous one's + its amount
    running = [e.balance_after for e in reversed(record.ledger)]
    amounts = [e.amount for e in reversed(record.ledger)]
    assert running == [sum(amounts[: i + 1]) for i in range(len(amounts))]
    assert len(record.deposits) == 1


def test_price_lists_report_their_freshness_not_their_payload(store: Store) -> None:
    now = datetime.now(UTC)
    store.put_price_cache("prabayar", [{"code": "A"}, {"code": "B"}], 600, now=now)
    lists = store.console_price_lists(now + timedelta(seconds=30))
    assert [(p.type, p.items, p.fresh) for p in lists] == [("prabayar", 2, True)]
    assert not store.console_price_lists(now + timedelta(seconds=601))[0].fresh


def test_console_functions_are_service_role_only(own_db: str) -> None:
    with psycopg.connect(own_db, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT p.oid::regprocedure::text, "
            "       has_function_privilege('public', p.oid, 'EXECUTE') "
            "  FROM pg_proc p "
            " WHERE p.pronamespace IN ('public'::regnamespace, 'private'::regnamespace) "
            "   AND p.proname LIKE 'console\\_%'"
        ).fetchall()
        assert len(rows) >= 15
        # has_function_privilege('public', ...) asks about PUBLIC: nobody may call them by default.
        assert [name for name, public in rows if public] == []
        tables = conn.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'console\\_%' AND relkind = 'r' "
            "AND NOT relrowsecurity"
        ).fetchall()
        assert tables == []
