"""Money paths end to end: webhooks from the sandbox through settlement to the customer's chat."""

from __future__ import annotations

import pytest

from shared.wiring import Components

from .conftest import BusTap, Chat, close, make_components


def _only(chat: Chat, kind: str) -> object:
    [item] = [h for h in chat.components.store.history(chat.customer_id) if h.kind == kind]
    return item


def test_short_saldo_becomes_a_qris_deposit_and_the_order_finishes_by_itself(
    chat: Chat, tap: BusTap
) -> None:
    chat.fund(2_000)
    card = chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "kurang" in card
    answer = chat.say("ya")
    assert "QRIS" in answer
    deposit = _only(chat, "deposit")
    assert not [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]
    chat.components.sandbox.pay_deposit(deposit.reff_id)  # type: ignore[attr-defined]
    tap.wait_for(chat.chat, "Deposit")
    done = tap.wait_for(chat.chat, "SN:", timeout=20)
    assert "081234567890" in (done.text or "")
    order = _only(chat, "order")
    assert order.status == "success"  # type: ignore[attr-defined]
    assert chat.balance() >= 0


def test_failure_webhook_refunds_and_says_so(chat: Chat, tap: BusTap) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234569990")
    assert "diproses" in chat.say("ya")
    assert chat.balance() < 50_000
    notice = tap.wait_for(chat.chat, "dikembalikan", timeout=20)
    assert "gagal" in (notice.text or "")
    assert chat.balance() == 50_000
    assert _only(chat, "order").status == "failed"  # type: ignore[attr-defined]


def test_supplier_timeout_stays_pending_and_is_not_refunded(database_url: str) -> None:
    components = make_components(database_url, atl_timeout_seconds=1)
    chat = Chat(components)
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234569993")
    answer = chat.say("ya")
    assert "padat" in answer
    assert _only(chat, "order").status == "pending"  # type: ignore[attr-defined]
    assert chat.balance() < 50_000
    close(components)


def test_empty_product_offers_an_alternative(chat: Chat) -> None:
    engine = chat.components.sandbox.engine  # type: ignore[attr-defined]
    sold_out = [i for i in engine.catalog.values() if i["name"] == "Telkomsel 25.000"]
    assert [i["status"] for i in sold_out] == ["empty"]
    answer = chat.say("pulsa telkomsel 25rb ke 081234567890")
    assert "kosong" in answer
    assert "Balas *1*" in answer
    assert "YA" in chat.say("1")


def test_price_rise_above_the_locked_price_is_not_bought(
    chat: Chat, components: Components
) -> None:
    chat.fund(50_000)
    card = chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "YA" in card
    quote = components.store.get_open_quote(chat.customer_id)
    assert quote is not None
    engine = components.sandbox.engine  # type: ignore[attr-defined]
    engine.catalog[quote.payload["code"]]["price"] = str(quote.supplier_price + 5_000)
    answer = chat.say("ya")
    assert "naik" in answer
    assert chat.balance() == 50_000
    assert "YA" in answer


@pytest.mark.parametrize("text", ["/saldo", "/laporan", "/refund SBX"])
def test_admin_commands_refused_for_customers(chat: Chat, text: str) -> None:
    assert "khusus admin" in chat.say(text)


def test_admin_report_counts_a_completed_sale_with_its_profit(chat: Chat, tap: BusTap) -> None:
    store = chat.components.store
    admin = Chat(chat.components, phone="628111000111")
    before = store.sales_summary()
    chat.fund(50_000)
    assert "YA" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    chat.say("ya")
    tap.wait_for(chat.chat, "SN:", timeout=20)
    after = store.sales_summary()
    assert after.orders == before.orders + 1
    assert after.profit > before.profit
    report = admin.say("/laporan")
    assert f"{after.orders} transaksi sukses" in report
    assert "Profit: Rp" in report
