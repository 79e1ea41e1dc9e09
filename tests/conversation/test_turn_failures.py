"""A turn that crashes after its message was claimed: answered on the retry, money moves once.

The claim is released when the turn raises, so the next delivery (Pub/Sub's redelivery, or
`process_inbound`'s retry in the all-in-one mode) runs the turn again; after
MAX_TURN_ATTEMPTS the customer gets an apology instead of silence.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.services import inbound
from shared.services.dialog.state import DialogState, save_state
from shared.services.inbound import (
    MAX_TURN_ATTEMPTS,
    TURN_FAILED,
    TurnBusy,
    handle_inbound,
    process_inbound,
)
from shared.services.notifications import Notification

from .conftest import BusTap, Chat


class Crash(RuntimeError):
    """What the patched turn raises."""


def crash_after(monkeypatch: pytest.MonkeyPatch, times: int) -> list[int]:
    """Make the next `times` turns run for real and then raise (a crash after side effects)."""
    real: Callable[[object], None] = inbound.respond  # type: ignore[assignment]
    calls: list[int] = []

    def respond(turn: object) -> None:
        calls.append(1)
        real(turn)
        if len(calls) <= times:
            raise Crash("the database went away mid-turn")

    monkeypatch.setattr(inbound, "respond", respond)
    return calls


def orders(chat: Chat) -> int:
    return len([h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"])


def test_a_turn_that_crashed_after_placing_the_order_runs_again_and_charges_once(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat.fund(100_000)
    assert "YA" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    yes = chat.message("ya")
    calls = crash_after(monkeypatch, times=1)
    with pytest.raises(Crash):
        handle_inbound(yes, chat.components)
    charged = chat.balance()
    assert charged < 100_000
    assert orders(chat) == 1

    replies = handle_inbound(yes, chat.components)  # Pub/Sub's redelivery
    assert len(calls) == 2  # the turn ran again
    assert replies
    assert "Belum ada pesanan" not in (replies[0].text or "")
    assert "081234567890" in (replies[0].text or "")
    assert orders(chat) == 1
    assert chat.balance() == charged  # money moved once
    assert handle_inbound(yes, chat.components) == replies  # and now it is answered for good
    assert len(calls) == 2


def test_a_turn_that_keeps_crashing_ends_in_one_apology(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = crash_after(monkeypatch, times=100)
    message = chat.message("halo")
    for _ in range(MAX_TURN_ATTEMPTS - 1):
        with pytest.raises(Crash):
            handle_inbound(message, chat.components)
    [apology] = handle_inbound(message, chat.components)
    assert apology.text == TURN_FAILED
    assert apology.id == f"{message.wa_msg_id}#0"
    assert len(calls) == MAX_TURN_ATTEMPTS
    assert handle_inbound(message, chat.components) == [apology]  # repeated, not run again
    assert len(calls) == MAX_TURN_ATTEMPTS


def test_all_in_one_retries_a_crashed_turn_and_publishes_its_answer(
    chat: Chat, tap: BusTap, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = crash_after(monkeypatch, times=1)
    process_inbound(chat.message("Selamat pagi"), chat.components)
    assert len(calls) == 2
    assert "Selamat pagi" in (tap.wait_for(chat.chat, "Selamat pagi").text or "")


def test_all_in_one_apologises_when_the_turn_keeps_crashing(
    chat: Chat, tap: BusTap, monkeypatch: pytest.MonkeyPatch
) -> None:
    crash_after(monkeypatch, times=100)
    process_inbound(chat.message("halo"), chat.components)
    assert tap.wait_for(chat.chat, TURN_FAILED).kind == "reply"


def test_a_turn_held_by_a_worker_that_died_is_taken_over_after_its_lease(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = chat.message("Selamat pagi")
    chat.components.store.claim_turn(  # a worker claimed it and was killed mid-turn
        customer_id=chat.customer_id, wa_msg_id=message.wa_msg_id, text=message.text
    )
    with pytest.raises(TurnBusy):  # within its lease: Pub/Sub tries again later
        handle_inbound(message, chat.components)
    monkeypatch.setattr(inbound, "TURN_LEASE_SECONDS", 0)  # later: the lease ran out
    assert "Selamat pagi" in (handle_inbound(message, chat.components)[0].text or "")


def test_a_replayed_notification_keeps_its_id(chat: Chat, tap: BusTap) -> None:
    chat.say("halo")
    done = Notification(
        kind="order_success",
        customer_id=chat.customer_id,
        reff_id="SBTEST123",
        product="Telkomsel 10.000",
        target="081234567890",
        price=10_500,
        sn="SN-1",
    )
    chat.components.notifier.notify(done)
    chat.components.notifier.notify(done)
    failed = done.model_copy(update={"kind": "order_failed"})
    chat.components.notifier.notify(failed)
    tap.wait_for(chat.chat, "Telkomsel")
    with tap.cond:
        tap.cond.wait_for(lambda: len(tap.messages) == 2, 10)
    # The replay is recognised in the outbox (same id, already out) and not published again;
    # were it published, the relay would still send the id once.
    assert [m.id for m in tap.messages] == [
        "n:order_success:SBTEST123",
        "n:order_failed:SBTEST123",
    ]


def test_a_deposit_yes_that_crashed_still_gets_its_qr_on_the_retry(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat.say("halo")
    components = chat.components
    quote = components.store.create_quote(  # what the agent's deposit proposal leaves behind
        customer_id=chat.customer_id,
        kind="deposit",
        payload={"method": "qris", "name": "Deposit QRIS"},
        amount=50_000,
        now=components.clock.now(),
    )
    save_state(components.cache, chat.customer_id, DialogState(quote_id=quote.id))
    yes = chat.message("ya")
    crash_after(monkeypatch, times=1)
    with pytest.raises(Crash):
        handle_inbound(yes, components)
    replies = handle_inbound(yes, components)
    assert [r.image_ref is not None for r in replies] == [True]
    assert chat.balance() == 0  # nothing is credited before a QR is paid
    deposits = [h for h in components.store.history(chat.customer_id) if h.kind == "deposit"]
    assert len(deposits) == 1  # the retry shows the deposit the crashed turn opened
