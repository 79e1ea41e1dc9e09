"""The inbound pipeline: dedupe, identity, takeover, offline backlog, serialisation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from shared.services import inbound
from shared.services.inbound import handle_inbound

from .conftest import Chat, close, make_components


def test_greeting_gets_a_warm_answer(chat: Chat) -> None:
    assert "Selamat pagi!" in chat.say("Selamat pagi")


def test_duplicate_delivery_times_ten_gives_one_reply_set_and_one_order(chat: Chat) -> None:
    chat.fund(100_000)
    assert "YA" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    yes = chat.message("ya")
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: handle_inbound(yes, chat.components), range(10)))
    # Every delivery returns the one reply set (same ids), so a delivery whose publish failed
    # still gets it out; the relay sends each id once (tests/relay/test_relay_dedupe.py).
    first = results[0]
    assert first
    assert all(r == first for r in results)
    assert [r.id for r in first] == [f"{yes.wa_msg_id}#{n}" for n in range(len(first))]
    orders = [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]
    assert len(orders) == 1
    logged = [
        m
        for m in chat.components.store.recent_messages(chat.customer_id, limit=50)
        if m.meta.get("reply_to") == yes.wa_msg_id
    ]
    assert len(logged) == 1  # the turn ran once


def test_phone_and_lid_are_one_customer(chat: Chat) -> None:
    chat.lid = "99887766554433"
    chat.say("halo")
    only_lid = Chat(chat.components, phone=chat.phone, lid=chat.lid)
    msg = only_lid.message("saldo", sender_phone=None, chat=f"{chat.lid}@lid")
    handle_inbound(msg, chat.components)
    resolved = chat.components.store.resolve_customer(lid=chat.lid)
    assert resolved.customer_id == chat.customer_id


def test_owner_takeover_pauses_the_bot_in_that_chat(chat: Chat) -> None:
    assert chat.say("halo")
    owner = chat.message("Halo kak, saya bantu langsung ya", from_me=True, sender_phone=None)
    assert handle_inbound(owner, chat.components) == []
    assert chat.say("viu berapa?") == ""
    chat.components.clock.advance(  # type: ignore[attr-defined]
        chat.components.settings.takeover_minutes * 60 + 1
    )
    assert "Rp" in chat.say("viu berapa?")


def test_stale_messages_never_buy_and_get_one_catch_up(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234567890")
    old = chat.components.clock.now() - timedelta(minutes=30)
    first = chat.say("ya", timestamp=old)
    second = chat.say("ya", timestamp=old)
    assert "baru balas" in first
    assert second == ""
    assert chat.balance() == 50_000
    assert not [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]


def test_an_unreadable_message_is_asked_again_once_and_keeps_the_quote(chat: Chat) -> None:
    chat.fund(50_000)
    assert "Balas *YA*" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    first = chat.say("", kind="undecryptable", wa_msg_id="3EB0LOST1#undecryptable")
    second = chat.say("", kind="undecryptable", wa_msg_id="3EB0LOST2#undecryptable")
    assert first == "Maaf kak, pesan barusan nggak kebaca di sini 🙏 Boleh dikirim ulang?"
    assert second == ""  # one ask per burst, not one per unreadable message
    assert "diproses" in chat.say("ya")  # the quote before it still stands
    assert chat.balance() < 50_000


def test_two_instances_handle_one_customer_serially(
    database_url: str, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_components(database_url, redis_url=redis_url)
    second = make_components(database_url, redis_url=redis_url)
    entered = [threading.Event(), threading.Event()]
    release = threading.Event()
    real_respond = inbound.respond
    calls: list[int] = []

    def spy(turn: object) -> None:
        index = len(calls)
        calls.append(index)
        entered[index].set()
        if index == 0:
            release.wait(10)
        real_respond(turn)  # type: ignore[arg-type]

    monkeypatch.setattr(inbound, "respond", spy)
    a = Chat(first)
    b = Chat(second, phone=a.phone)
    with ThreadPoolExecutor(max_workers=2) as pool:
        one = pool.submit(a.say, "halo")
        assert entered[0].wait(10)
        two = pool.submit(b.say, "saldo")
        # The second instance must not enter while the first holds the customer.
        assert not entered[1].wait(0.3)
        release.set()
        assert one.result(10)
        assert two.result(10)
    assert entered[1].is_set()
    close(first)
    close(second)


def test_a_backlog_message_never_runs_a_side_effect(chat: Chat) -> None:
    """The relay flags messages sent before it connected: whatsapp.md §4 (item 6).

    The timestamp is recent (a reconnect after a short drop), so only `backlog` tells.
    """
    chat.fund(50_000)
    assert "YA" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    first = chat.say("ya", backlog=True)
    second = chat.say("ya", backlog=True)
    assert "baru balas" in first
    assert second == ""
    assert chat.balance() == 50_000
    assert not [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]
    assert not [h for h in chat.components.store.history(chat.customer_id) if h.kind == "deposit"]
