"""The wallet under concurrency: 50 simultaneous placements, money for exactly 10."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
from psycopg.types.json import Jsonb

from shared.adapters.postgres.rpc import PostgresRpc
from shared.ports import MoneyResult
from shared.store import Store

PRICE = 10_000
ATTEMPTS = 50
AFFORDABLE = 10


def _open_quotes(database_url: str, customer_id: str, count: int) -> list[str]:
    """Open quotes inserted directly: create_quote would supersede all but the newest."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with psycopg.connect(database_url) as conn:
        for quote_id in ids:
            conn.execute(
                "INSERT INTO quotes (id, customer_id, kind, payload, amount, reff_id, expires_at)"
                " VALUES (%s, %s, 'topup', %s, %s, %s, now() + interval '10 minutes')",
                (
                    quote_id,
                    customer_id,
                    Jsonb({"code": "X5", "target": "0812"}),
                    PRICE,
                    "T" + quote_id.replace("-", ""),
                ),
            )
    return ids


def test_fifty_concurrent_placements_hold_exactly_what_the_wallet_can_pay(
    database_url: str,
) -> None:
    pools = [PostgresRpc(database_url, min_size=4, max_size=8, name=f"p{i}") for i in range(2)]
    stores = [Store(rpc) for rpc in pools]
    try:
        customer_id = (
            stores[0].resolve_customer(phone=f"62{uuid.uuid4().int % 10**11}").customer_id
        )
        leftover = PRICE // 2
        assert (
            stores[0]
            .adjust_balance(customer_id, PRICE * AFFORDABLE + leftover, f"seed-{customer_id}")
            .outcome
            == "done"
        )
        quotes = _open_quotes(database_url, customer_id, ATTEMPTS)
        start = threading.Barrier(ATTEMPTS)

        def place(i: int) -> MoneyResult:
            start.wait()
            return stores[i % 2].place_order(quotes[i], customer_id)

        with ThreadPoolExecutor(max_workers=ATTEMPTS) as executor:
            results = list(executor.map(place, range(ATTEMPTS)))

        outcomes = [(r.outcome, r.reason) for r in results]
        assert outcomes.count(("done", None)) == AFFORDABLE
        assert outcomes.count(("refused", "insufficient_funds")) == ATTEMPTS - AFFORDABLE
        assert all(r.balance is not None and r.balance >= 0 for r in results)
        balance = stores[1].get_balance(customer_id)
        assert balance.balance == balance.ledger_sum == leftover
        with psycopg.connect(database_url) as conn:
            holds, lowest = conn.execute(
                "SELECT count(*) FILTER (WHERE kind = 'hold'), min(balance_after)"
                " FROM ledger_entries WHERE customer_id = %s",
                (customer_id,),
            ).fetchone() or (None, None)
            orders = conn.execute(
                "SELECT count(*) FROM orders WHERE customer_id = %s", (customer_id,)
            ).fetchone()
        assert holds == AFFORDABLE
        assert orders == (AFFORDABLE,)
        assert lowest is not None
        assert lowest >= 0
    finally:
        for rpc in pools:
            rpc.close()


def test_the_database_itself_refuses_a_negative_balance(database_url: str) -> None:
    store = Store(PostgresRpc(database_url, max_size=1))
    try:
        customer_id = store.resolve_customer(phone=f"62{uuid.uuid4().int % 10**11}").customer_id
    finally:
        store.close()
    with psycopg.connect(database_url) as conn:
        try:
            conn.execute("UPDATE wallets SET balance = -1 WHERE customer_id = %s", (customer_id,))
        except psycopg.errors.CheckViolation:
            return
    raise AssertionError("a negative balance was accepted")
