"""Random sequences of money operations (with replays) keep the ledger exact.

A tiny model predicts every outcome and the saldo; after each step the store must agree, and
the ledger sum must equal the saldo, which is never negative.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.adapters.postgres.rpc import PostgresRpc
from shared.store import Store

Step = tuple[str, int]

steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["deposit", "order", "capture", "release", "transfer_ok", "transfer_fail"]
        ),
        st.integers(min_value=0, max_value=7),
    ),
    min_size=1,
    max_size=20,
)


@pytest.fixture(scope="module")
def store(database_url: str) -> Iterator[Store]:
    rpc = PostgresRpc(database_url, max_size=2)
    yield Store(rpc)
    rpc.close()


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(sequence=steps)
def test_any_sequence_of_movements_keeps_saldo_equal_to_the_ledger(
    store: Store, sequence: list[Step]
) -> None:
    cid = store.resolve_customer(phone=f"62{uuid.uuid4().int % 10**11}").customer_id
    balance = 0
    orders: list[tuple[str, int]] = []  # (reff_id, price) of held orders
    transfers: list[tuple[str, int]] = []
    settled: dict[str, str] = {}  # reff_id -> "captured" | "released"
    deposits: list[tuple[str, int]] = []
    for action, n in sequence:
        amount = (n + 1) * 1_000
        if action == "deposit":
            if deposits and n % 3 == 0:  # replay an earlier credit
                reff, credited = deposits[n % len(deposits)]
                assert store.credit_deposit(reff, credited).outcome == "already"
            else:
                reff = store.create_deposit(cid, amount).reff_id or ""
                assert store.credit_deposit(reff, amount).outcome == "done"
                deposits.append((reff, amount))
                balance += amount
        elif action == "order":
            quote = store.create_quote(
                customer_id=cid, kind="topup", payload={"code": "P", "target": "08"}, amount=amount
            )
            result = store.place_order(quote.id, cid)
            if amount <= balance:
                assert result.outcome == "done"
                balance -= amount
                orders.append((quote.reff_id, amount))
            else:
                assert (result.reason, result.shortfall) == (
                    "insufficient_funds",
                    amount - balance,
                )
            assert store.place_order(quote.id, cid).outcome == (
                "already" if result.ok else "refused"
            )
        elif action in {"capture", "release"} and orders:
            reff, price = orders[n % len(orders)]
            before = settled.get(reff)
            result = (
                store.capture_order(reff) if action == "capture" else store.release_order(reff)
            )
            wanted = "captured" if action == "capture" else "released"
            if before is None:
                assert result.outcome == "done"
                settled[reff] = wanted
                balance += price if action == "release" else 0
            else:
                assert result.outcome == ("already" if before == wanted else "refused")
        elif action.startswith("transfer"):
            if amount + 500 <= balance:
                quote = store.create_quote(
                    customer_id=cid,
                    kind="transfer",
                    payload={
                        "bank_code": "bca",
                        "account_number": "1",
                        "nominal": amount,
                        "fee": 500,
                    },
                    amount=amount + 500,
                )
                assert store.hold_transfer(quote.id, cid).outcome == "done"
                balance -= amount + 500
                transfers.append((quote.reff_id, amount + 500))
            if transfers:
                reff, total = transfers[n % len(transfers)]
                ok = action == "transfer_ok"
                result = store.settle_transfer(reff, success=ok)
                before = settled.get(reff)
                if before is None:
                    assert result.outcome == "done"
                    settled[reff] = "captured" if ok else "released"
                    balance += 0 if ok else total
                else:
                    same = before == ("captured" if ok else "released")
                    assert result.outcome == ("already" if same else "refused")
        saldo = store.get_balance(cid)
        assert saldo.balance == saldo.ledger_sum == balance >= 0
