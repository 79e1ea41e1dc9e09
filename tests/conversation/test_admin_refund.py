"""`/refund` asks the supplier first; a settled document the supplier contradicts alerts the owner.

Item 2: an admin `/refund` of an order still pending at the supplier refunded without asking;
when the supplier then completed it, the settle saw a closed order, recorded `unchanged`, and
nobody was told: the customer had the product and the money.
"""

from __future__ import annotations

from shared.wiring import Components

from .conftest import BusTap, Chat

ADMIN = "628111000111"


def _order(chat: Chat) -> object:
    [order] = [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]
    return order


def _admin(components: Components) -> Chat:
    return Chat(components, phone=ADMIN)


def _finish_without_webhook(components: Components, ref: str, outcome: str) -> None:
    """The supplier finishes the order; its webhook is lost, so only a question tells us."""
    sandbox = components.sandbox
    sandbox.sender.target = lambda _headers, _body: 500  # type: ignore[attr-defined]
    sandbox.complete(ref, outcome)  # type: ignore[attr-defined]


def test_refund_is_refused_while_the_supplier_says_pending(
    chat: Chat, components: Components
) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234569992")  # stays pending at the sandbox
    assert "diproses" in chat.say("ya")
    held = chat.balance()
    ref = _order(chat).reff_id  # type: ignore[attr-defined]
    answer = _admin(components).say(f"/refund {ref}")
    assert "masih diproses" in answer
    assert chat.balance() == held
    assert _order(chat).status == "pending"  # type: ignore[attr-defined]


def test_refund_is_refused_when_the_supplier_says_success_and_the_order_is_captured(
    chat: Chat, components: Components, tap: BusTap
) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234569992")
    chat.say("ya")
    held = chat.balance()
    ref = _order(chat).reff_id  # type: ignore[attr-defined]
    _finish_without_webhook(components, ref, "success")
    answer = _admin(components).say(f"/refund {ref}")
    assert "sukses" in answer
    assert chat.balance() == held  # not refunded
    assert _order(chat).status == "success"  # type: ignore[attr-defined]
    tap.wait_for(chat.chat, "SN:")


def test_refund_goes_ahead_when_the_supplier_says_failed(
    chat: Chat, components: Components, tap: BusTap
) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234569992")
    chat.say("ya")
    ref = _order(chat).reff_id  # type: ignore[attr-defined]
    _finish_without_webhook(components, ref, "failed")
    answer = _admin(components).say(f"/refund {ref}")
    assert "berhasil" in answer
    assert chat.balance() == 50_000
    assert _order(chat).status == "failed"  # type: ignore[attr-defined]
    tap.wait_for(chat.chat, "dikembalikan")
    assert _admin(components).say(f"/refund {ref}").count("sudah") == 1


def test_an_order_the_supplier_never_saw_needs_the_admin_to_say_paksa(
    chat: Chat, components: Components, tap: BusTap
) -> None:
    chat.say("halo")
    chat.fund(50_000)
    store = components.store
    quote = store.create_quote(
        customer_id=chat.customer_id,
        kind="topup",
        payload={"code": "ML86", "name": "ML86", "target": "081234567890"},
        amount=30_000,
        supplier_price=25_000,
    )
    assert store.place_order(quote.id, chat.customer_id).outcome == "done"  # never submitted
    admin = _admin(components)
    assert "paksa" in admin.say(f"/refund {quote.reff_id}")
    assert chat.balance() == 20_000
    assert "dipaksa" in admin.say(f"/refund {quote.reff_id} paksa")
    assert chat.balance() == 50_000
    tap.wait_for(chat.chat, "dikembalikan")
