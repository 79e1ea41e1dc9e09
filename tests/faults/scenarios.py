"""Realistic mixes the fault runs drive: conversations with quotes and YA, shortfall deposits,
transfers, bills, webhooks replayed, out of order and late, the reconciler and the admin.

A scenario only does what customers, the supplier, Pub/Sub and Cloud Scheduler do; it asserts
nothing (a fault may make any reply go missing). The invariants are checked after the world
settles.
"""

from __future__ import annotations

from collections.abc import Callable

from faults.world import ADMIN, World
from shared.sandbox.money import mark_paid
from shared.sandbox.orders import complete_transaction

Scenario = Callable[[World], None]


def supplier_works(world: World, seconds: float = 5) -> None:
    """Time passes; the supplier finishes what is due and sends its webhooks; they settle."""
    world.advance(seconds)
    world.supplier_tick()
    world.deliver_events()


def pay_deposits(world: World) -> None:
    """The customer pays every QRIS the bot gave them."""
    with world.engine.state.lock:
        for deposit in list(world.engine.state.table("deposits").values()):
            if deposit["status"] == "pending":
                mark_paid(world.engine, deposit)


def _reff(world: World, table: str, *, status: str | None = None) -> str | None:
    """The supplier's latest record of `table` (what an admin would read off the receipt)."""
    records = [
        r
        for r in world.engine.state.table(table).values()
        if status is None or r["status"] == status
    ]
    return str(records[-1]["reff_id"]) if records else None


def buy_with_saldo(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "pulsa telkomsel 10rb ke 081234567890")
    world.say(phone, "ya")
    supplier_works(world)
    world.say(phone, "udah masuk belum kak?")


def buy_with_a_shortfall_deposit(world: World) -> None:
    phone = world.new_customer(0)
    world.say(phone, "pulsa telkomsel 10rb ke 081234567890")
    world.say(phone, "ya")  # a QRIS for the shortfall; the order waits for it
    pay_deposits(world)
    supplier_works(world, 1)  # credited; the waiting order is placed
    supplier_works(world)  # and completes
    world.job("reconcile")


def the_supplier_fails_the_order(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "pulsa telkomsel 10rb ke 081234569990")
    world.say(phone, "ya")
    supplier_works(world)
    world.say(phone, "kok gagal?")


def a_transfer(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "tf 20rb ke dana 081234567890")
    world.say(phone, "ya")
    supplier_works(world)


def a_bill_paid_after_a_deposit(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "cek tagihan PLN 123456789012")
    world.say(phone, "ya")
    pay_deposits(world)
    supplier_works(world, 1)
    supplier_works(world)


def a_deposit(world: World) -> None:
    phone = world.new_customer(0)
    world.say(phone, "deposit 50rb")
    pay_deposits(world)
    supplier_works(world, 1)
    world.say(phone, "saldo aku berapa?")


def webhooks_replayed_out_of_order_and_late(world: World) -> None:
    first = world.new_customer(50_000)
    second = world.new_customer(50_000)
    world.say(first, "pulsa telkomsel 10rb ke 081234567890")
    world.say(first, "ya")
    world.say(second, "pulsa telkomsel 20rb ke 081298765432")
    world.say(second, "ya")
    world.advance(5)
    held = world.engine.tick()  # both complete; their webhooks are late
    world.advance(world.settings.reconcile_after_minutes * 60 + 1)
    world.job("reconcile")  # the reconciler settles them first
    for envelope in reversed(held):  # then the webhooks arrive, in the other order
        world.webhooks.send(envelope)
    world.replay_webhook(0)  # and one arrives again
    world.deliver_events()


def an_admin_refund_while_the_supplier_works(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "pulsa telkomsel 10rb ke 081234569992")  # stays pending at the supplier
    world.say(phone, "ya")
    reff = _reff(world, "transactions", status="pending")
    if reff is None:
        return
    world.say(ADMIN, f"/refund {reff}")  # refused: the supplier still works on it
    with world.engine.state.lock:
        record = world.engine.state.find_reff("transactions", reff)
        if record is not None:
            complete_transaction(world.engine, record, "failed")
    world.supplier_tick()
    world.deliver_events()
    world.say(ADMIN, f"/refund {reff}")  # already refunded by the webhook


def a_refund_then_the_supplier_delivers(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "pulsa telkomsel 10rb ke 081234569992")
    world.say(phone, "ya")
    reff = _reff(world, "transactions", status="pending")
    if reff is None:
        return
    world.say(ADMIN, f"/refund {reff} paksa")
    with world.engine.state.lock:
        record = world.engine.state.find_reff("transactions", reff)
        if record is not None:
            complete_transaction(world.engine, record, "success")
    world.supplier_tick()
    world.deliver_events()


def a_correction_before_ya(world: World) -> None:
    phone = world.new_customer(50_000)
    world.say(phone, "tsel 20k 081234567890")
    world.say(phone, "salah nomor, ke 081311112222 aja")
    world.say(phone, "ya")
    supplier_works(world)


SCENARIOS: dict[str, Scenario] = {
    scenario.__name__: scenario
    for scenario in (
        buy_with_saldo,
        buy_with_a_shortfall_deposit,
        the_supplier_fails_the_order,
        a_transfer,
        a_bill_paid_after_a_deposit,
        a_deposit,
        webhooks_replayed_out_of_order_and_late,
        an_admin_refund_while_the_supplier_works,
        a_refund_then_the_supplier_delivers,
        a_correction_before_ya,
    )
}
