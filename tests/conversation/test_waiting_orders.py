"""An order waiting for its shortfall deposit is its own retried work (item 4).

It used to be placed from inside the best-effort notifier: with the customer's lock busy at that
moment it was skipped, and nothing retried it, although the customer had been told it would
complete by itself.
"""

from __future__ import annotations

from shared.jobs import run_job
from shared.wiring import Components

from .conftest import BusTap, Chat


def _docs(chat: Chat, kind: str) -> list[object]:
    return [h for h in chat.components.store.history(chat.customer_id) if h.kind == kind]


def _short_of_saldo(chat: Chat) -> str:
    """YA to a quote the saldo cannot pay: a QRIS deposit for the shortfall; its reff_id."""
    chat.say("halo")
    chat.fund(2_000)
    assert "kurang" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "QRIS" in chat.say("ya")
    [deposit] = _docs(chat, "deposit")
    return deposit.reff_id  # type: ignore[attr-defined,no-any-return]


def _paid_while_busy(chat: Chat, components: Components, deposit: str) -> None:
    """The deposit is paid and credited while the customer's lock is held elsewhere."""
    lock = f"lock:customer:{chat.customer_id}"
    assert components.cache.acquire(lock, "someone-else", 120)  # the customer is mid-turn
    try:
        components.sandbox.pay_deposit(deposit)  # type: ignore[attr-defined]
        assert components.settle_worker.wait_idle(timeout=60)
    finally:
        components.cache.release(lock, "someone-else")


def test_a_waiting_order_skipped_while_the_customer_was_busy_is_placed_later(
    chat: Chat, components: Components, tap: BusTap
) -> None:
    deposit = _short_of_saldo(chat)
    _paid_while_busy(chat, components, deposit)
    tap.wait_for(chat.chat, "Deposit")  # credited and told
    assert _docs(chat, "order") == []  # could not be placed while the lock was held
    report = run_job("reconcile", components)
    assert report["waiting_orders"]["placed"] >= 1  # type: ignore[index]
    [order] = _docs(chat, "order")
    assert order.target == "081234567890"  # type: ignore[attr-defined]
    tap.wait_for(chat.chat, "SN:", timeout=20)
    run_job("reconcile", components)  # done: not again
    assert len(_docs(chat, "order")) == 1


def test_a_waiting_order_the_customer_cancelled_is_left_alone(
    chat: Chat, components: Components, tap: BusTap
) -> None:
    deposit = _short_of_saldo(chat)
    chat.say("batal")
    components.sandbox.pay_deposit(deposit)  # type: ignore[attr-defined]
    tap.wait_for(chat.chat, "Deposit")
    assert components.settle_worker.wait_idle(timeout=30)
    run_job("reconcile", components)
    assert _docs(chat, "order") == []
    assert chat.balance() > 2_000  # the deposit stays as saldo


def test_a_waiting_order_placed_by_a_process_that_died_is_submitted_later(
    chat: Chat, components: Components, tap: BusTap
) -> None:
    """The hold was taken (`place_order` committed), then the process died before the supplier."""
    deposit = _short_of_saldo(chat)
    _paid_while_busy(chat, components, deposit)  # keeps the fast path out
    quote = components.store.get_deposit(deposit).quote_id  # type: ignore[union-attr]
    assert quote is not None
    assert components.store.place_order(quote, chat.customer_id).outcome == "done"  # then died
    [order] = _docs(chat, "order")
    assert order.status == "pending"  # type: ignore[attr-defined]
    run_job("reconcile", components)
    tap.wait_for(chat.chat, "SN:", timeout=20)
    assert [o.status for o in _docs(chat, "order")] == ["success"]  # type: ignore[attr-defined]
