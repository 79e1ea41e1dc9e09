"""The invariant checks can fail: each one is shown a settled world with one thing broken."""

from __future__ import annotations

import pytest

from faults.inject import Faults
from faults.invariants import violations
from faults.runner import retire
from faults.scenarios import (
    buy_with_saldo,
    pay_deposits,
    supplier_works,
    the_supplier_fails_the_order,
)
from faults.world import Shared, World

pytestmark = pytest.mark.postgres


@pytest.fixture
def bought(world_shared: Shared) -> World:
    world = World(world_shared, Faults())
    buy_with_saldo(world)
    world.settle()
    assert violations(world) == []
    yield world
    retire(world_shared, world)


def _customer(world: World) -> str:
    [(customer,)] = world.shared.sql(
        "SELECT customer_id::text FROM customer_identities WHERE value = %s", world.phones[0]
    )
    return str(customer)


def test_a_lost_receipt_is_caught(bought: World) -> None:
    bought.outbound[:] = [m for m in bought.outbound if not m.id.startswith("n:order_success")]
    assert any("never told" in v for v in violations(bought))


def test_a_lost_reply_is_caught(bought: World) -> None:
    del bought.outbound[0]
    assert any("never published" in v for v in violations(bought))


def test_an_unanswered_message_is_caught(bought: World) -> None:
    bought.say(bought.phones[0], "halo")
    bought.shared.sql(
        "UPDATE turns SET status = 'running' WHERE wa_msg_id = %s", bought.accepted[-1].wa_msg_id
    )
    assert any("never answered" in v for v in violations(bought))


def test_saldo_out_of_line_with_the_ledger_is_caught(bought: World) -> None:
    bought.shared.sql(
        "UPDATE wallets SET balance = balance + 1000 WHERE customer_id = %s::uuid",
        _customer(bought),
    )
    assert any("ledger sums to" in v for v in violations(bought))


def test_a_delivered_order_refunded_without_a_word_to_the_owner_is_caught(bought: World) -> None:
    customer = _customer(bought)
    [(reff, price)] = bought.shared.sql(
        "SELECT reff_id, price FROM orders WHERE customer_id = %s::uuid", customer
    )
    bought.shared.sql(
        "INSERT INTO ledger_entries (customer_id, amount, kind, ref, balance_after)"
        " SELECT %s::uuid, %s, 'release', %s, balance + %s FROM wallets"
        " WHERE customer_id = %s::uuid",
        customer,
        price,
        reff,
        price,
        customer,
    )
    bought.shared.sql(
        "UPDATE wallets SET balance = balance + %s WHERE customer_id = %s::uuid", price, customer
    )
    bought.shared.sql("UPDATE orders SET status = 'failed' WHERE reff_id = %s", reff)
    broken = violations(bought)
    assert any("refunded here, and the owner not told" in v for v in broken), broken


def test_a_charge_for_a_failed_order_is_caught(world_shared: Shared) -> None:
    world = World(world_shared, Faults())
    the_supplier_fails_the_order(world)
    world.settle()
    assert violations(world) == []
    customer = _customer(world)
    [(reff,)] = world.shared.sql(
        "SELECT reff_id FROM orders WHERE customer_id = %s::uuid", customer
    )
    world.shared.sql("DELETE FROM ledger_entries WHERE ref = %s AND kind = 'release'", reff)
    world.shared.sql(
        "UPDATE wallets SET balance = (SELECT sum(amount) FROM ledger_entries"
        " WHERE customer_id = %s::uuid) WHERE customer_id = %s::uuid",
        customer,
        customer,
    )
    broken = violations(world)
    retire(world_shared, world)
    assert any("failed but the customer is charged" in v for v in broken), broken


def test_a_double_credit_is_caught(world_shared: Shared) -> None:
    world = World(world_shared, Faults())
    phone = world.new_customer(0)
    world.say(phone, "deposit 50rb")
    pay_deposits(world)
    supplier_works(world, 1)
    world.settle()
    assert violations(world) == []
    customer = _customer(world)
    world.shared.sql(
        "UPDATE ledger_entries SET amount = amount * 2 WHERE customer_id = %s::uuid"
        " AND kind = 'deposit'",
        customer,
    )
    broken = violations(world)
    retire(world_shared, world)
    assert any("deposit" in v and "ledger" in v for v in broken), broken
