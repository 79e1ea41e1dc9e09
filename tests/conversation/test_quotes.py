"""Quotes: slot filling, numbered choices, YA within the TTL, BATAL, expiry, the "#2" rule."""

from __future__ import annotations

from shared.domain.pricing import DEFAULT_RULES, SETTING_KEY
from shared.wiring import Components

from .conftest import Chat, close, make_components


def _orders(chat: Chat) -> list[object]:
    return [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]


def test_slots_are_asked_one_at_a_time_and_remembered(chat: Chat) -> None:
    asked = chat.say("ML 86")
    assert "ID" in asked
    card = chat.say("12345678 (1234)")
    # One form on the card, at the supplier and on the receipt: id then zone, digits only.
    assert "Tujuan: 123456781234" in card
    assert "YA" in card
    assert "86" in card


def test_a_game_id_with_zone_is_bought_as_one_run_of_digits(chat: Chat) -> None:
    chat.fund(100_000)
    card = chat.say("ML 86 diamond id 12345678 zone 1234")
    assert "Tujuan: 123456781234" in card
    answer = chat.say("ya")
    assert "123456781234" in answer
    [order] = _orders(chat)
    assert order.target == "123456781234"  # type: ignore[attr-defined]


def test_numbered_options_answer_by_number(chat: Chat) -> None:
    listing = chat.say("viu berapa?")
    assert "1." in listing
    assert "Rp" in listing
    asked = chat.say("1")
    assert "Nomor" in asked or "nomor" in asked


def test_ya_buys_and_the_receipt_comes_from_the_ledger(chat: Chat) -> None:
    chat.fund(50_000)
    card = chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "Saldo: Rp 50.000" in card
    answer = chat.say("ya")
    assert "081234567890" in answer
    orders = _orders(chat)
    assert len(orders) == 1
    assert chat.balance() < 50_000


def test_batal_drops_the_quote(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "dibatalin" in chat.say("batal")
    assert "Belum ada pesanan" in chat.say("ya")
    assert _orders(chat) == []
    assert chat.balance() == 50_000


def test_expired_quote_says_so_and_requotes_instead_of_buying(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234567890")
    chat.components.clock.advance(  # type: ignore[attr-defined]
        chat.components.settings.quote_ttl_seconds + 1
    )
    answer = chat.say("ya")
    assert "sudah lewat" in answer
    assert "YA" in answer
    assert _orders(chat) == []
    assert chat.balance() == 50_000
    chat.say("ya")
    assert len(_orders(chat)) == 1


def test_same_product_same_target_again_asks_again(chat: Chat) -> None:
    chat.fund(100_000)
    chat.say("pulsa telkomsel 10rb ke 081234567890")
    chat.say("ya")
    again = chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "lagi" in again
    assert len(_orders(chat)) == 1


def test_balance_and_history(chat: Chat) -> None:
    chat.fund(25_000)
    assert "Rp 25.000" in chat.say("saldo")
    assert "Belum ada riwayat" in chat.say("riwayat transaksi")


def test_non_admin_gets_a_polite_no(chat: Chat) -> None:
    assert "khusus admin" in chat.say("/markup 50")


def test_admin_can_set_markup(chat: Chat) -> None:
    admin = Chat(chat.components, phone="628111000111")
    assert "markup" in admin.say("/markup provider TELKOMSEL 3").lower()


def test_a_game_id_with_zone_survives_choosing_from_the_list(chat: Chat) -> None:
    listing = chat.say("mobile legends 12345678 (1234)")
    assert "1." in listing
    card = chat.say("1")
    assert "Tujuan: 123456781234" in card


def test_a_bill_costs_its_total_plus_the_owners_fee_which_the_admin_sets(
    database_url: str, components: Components
) -> None:
    store = components.store
    saved = store.get_setting(SETTING_KEY)
    try:
        chat = Chat(components)
        chat.say("cek tagihan PLN 123456789012")
        quote = store.get_open_quote(chat.customer_id)
        assert quote is not None
        assert quote.amount == quote.supplier_price + DEFAULT_RULES.bill_fee

        admin = Chat(components, phone="628111000111")
        assert "Rp 2.500" in admin.say("/markup tagihan 2.500")
        later = make_components(database_url)  # a fresh catalog reads the rules at once
        try:
            Chat(later, phone=chat.phone).say("cek tagihan PLN 123456789012")
            quote = store.get_open_quote(chat.customer_id)
            assert quote is not None
            assert quote.amount == quote.supplier_price + 2_500
        finally:
            close(later)
    finally:
        store.set_setting(SETTING_KEY, saved or {})
