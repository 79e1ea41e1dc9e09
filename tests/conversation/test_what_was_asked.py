"""Issue 13 through `salesbot chat`: the customer reads the right thing and buys what they asked.

Each test types one conversation into the real chat command (in this process, see
`money_corpus.chat`) and checks the replies and what the ledger holds afterwards: product code,
target, amount, method, for whom. One `chat` run is one conversation: the dialog state lives in
that process's cache, as it does for a customer of `salesbot chat`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import psycopg
import pytest

from shared.sandbox import money as sandbox_money

from .conftest import Chat, close, make_components
from .money_corpus import Customer, customer

New = Callable[..., Customer]


def reply_to(transcript: str, message: str, nth: int = 1) -> str:
    """What the bot answered the `nth` time `message` was typed (`salesbot chat` echoes it)."""
    parts = re.split(r"^> (.*)$", transcript, flags=re.MULTILINE)
    answers = [parts[i + 1] for i in range(1, len(parts) - 1, 2) if parts[i] == message]
    return answers[nth - 1].strip()


@pytest.fixture
def new(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[New]:
    """`new(saldo)`: a fresh customer of `salesbot chat` on the test database."""
    with ExitStack() as stack:

        def make(saldo: int = 0) -> Customer:
            return stack.enter_context(customer(database_url, monkeypatch, saldo=saldo))

        yield make


def _quote_statuses(database_url: str, who: Customer) -> list[str]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT status FROM quotes WHERE customer_id = %s ORDER BY created_at",
            (who.customer_id,),
        ).fetchall()
    return [str(row[0]) for row in rows]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("081234567890", "TSEL10"),
        ("087812345678", "XL10"),
        ("089612345678", "TRI10"),
        ("085212345678", "TSEL10"),
        ("083812345678", "AXIS10"),
        ("085712345678", "ISAT10"),
    ],
)
def test_pulsa_without_an_operator_takes_the_numbers_operator(
    new: New, number: str, code: str
) -> None:
    who = new(100_000)
    out = who.chat(f"pulsa 10rb {number}", "ya")
    assert f"Tujuan: {number}" in out
    assert who.purchases() == [{"order": code, "target": number}]


def test_a_named_operator_the_number_is_not_on_is_asked_about(new: New) -> None:
    who = new(100_000)
    out = who.chat("pulsa telkomsel 10rb ke 085712345678", "indosat aja", "ya")
    asked = reply_to(out, "pulsa telkomsel 10rb ke 085712345678")
    assert "0857 itu nomor Indosat kak, mau isi Indosat atau tetap Telkomsel?" in asked
    assert "Harga:" not in asked  # a question, never a silent quote
    assert "Produk: Indosat 10.000" in reply_to(out, "indosat aja")
    assert who.purchases() == [{"order": "ISAT10", "target": "085712345678"}]


def test_a_plain_ya_to_the_operator_question_buys_nothing(new: New, database_url: str) -> None:
    who = new(100_000)
    out = who.chat("pulsa telkomsel 10rb ke 085712345678", "ya")
    assert "Pilih nomor 1 sampai 2" in reply_to(out, "ya")
    assert _quote_statuses(database_url, who) == []
    assert who.purchases() == []


def test_keeping_the_named_operator_is_said_on_the_card(new: New) -> None:
    who = new(100_000)
    out = who.chat("pulsa telkomsel 10rb ke 085712345678", "2", "ya")
    assert "0857 itu nomor Indosat; sesuai permintaan kakak tetap Telkomsel" in reply_to(out, "2")
    assert who.purchases() == [{"order": "TSEL10", "target": "085712345678"}]


@pytest.mark.parametrize("written", ["62812345", "08123456789012345", "081012345678"])
def test_a_number_that_cannot_be_a_phone_gets_one_question_and_no_quote(
    new: New, written: str
) -> None:
    who = new(100_000)
    out = who.chat(f"pulsa tsel 10rb ke {written}", "ya")
    assert "diawali 08 dan 10–13 digit" in out
    assert "Tujuan:" not in out
    assert who.purchases() == []


def test_digits_of_any_script_reach_the_card_the_supplier_and_the_receipt_as_ascii(
    new: New,
) -> None:
    who = new(100_000)
    out = who.chat("pulsa tsel 10rb ０８１２３４５６７８９０", "ya", wait=15)
    assert "Tujuan: 081234567890" in out
    assert "０" not in out.split("\n", 1)[1]
    assert who.purchases() == [{"order": "TSEL10", "target": "081234567890"}]
    assert re.search(r"Transaksi berhasil.*\nProduk: Telkomsel 10.000\nTujuan: 081234567890", out)


def test_a_wrong_number_fixed_while_the_quote_is_open_is_the_one_bought(
    new: New, database_url: str
) -> None:
    who = new(100_000)
    out = who.chat("tsel 20k 081234567890", "salah nomor, ke 081311112222 aja", "ya")
    assert "Tujuan: 081234567890" in reply_to(out, "tsel 20k 081234567890")
    fixed = reply_to(out, "salah nomor, ke 081311112222 aja")
    assert "Tujuan: 081311112222" in fixed
    assert "belum nangkep" not in fixed
    assert who.purchases() == [{"order": "TSEL20", "target": "081311112222"}]
    assert _quote_statuses(database_url, who) == ["cancelled", "confirmed"]


def test_ya_with_a_change_is_a_change_not_a_confirmation(new: New) -> None:
    who = new(100_000)
    out = who.chat("tsel 20k 081234567890", "ya tapi ke 081311112222")
    assert "Tujuan: 081311112222" in reply_to(out, "ya tapi ke 081311112222")
    assert who.purchases() == []  # nothing bought until a plain YA to the new card
    again = new(100_000)
    again.chat("tsel 20k 081234567890", "ya tapi ke 081311112222", "ya")
    assert again.purchases() == [{"order": "TSEL20", "target": "081311112222"}]


@pytest.mark.parametrize(
    ("first", "change", "code", "nominal"),
    [
        ("pulsa 20rb 081234567890", "eh ganti jadi 50rb aja", "TSEL50", "50.000"),
        ("pulsa 50rb 081234567890", "yg 20rb aja", "TSEL20", "20.000"),
    ],
)
def test_a_new_amount_while_the_quote_is_open_makes_a_new_card(
    new: New, first: str, change: str, code: str, nominal: str
) -> None:
    who = new(100_000)
    out = who.chat(first, change, "ya")
    assert f"Produk: Telkomsel {nominal}" in reply_to(out, change)
    assert who.purchases() == [{"order": code, "target": "081234567890"}]


def test_a_repeated_ya_on_a_short_saldo_shows_the_same_qris_and_opens_one_deposit(
    new: New,
) -> None:
    who = new(0)
    transcript = who.chat("pulsa 10rb 081234567890", "ya", "ya")
    card = reply_to(transcript, "pulsa 10rb 081234567890")
    [promised] = re.findall(r"QRIS deposit \*(Rp [\d.]+)\*", card)
    out = reply_to(transcript, "ya") + reply_to(transcript, "ya", 2)
    refs = re.findall(r"Ref: (DP\w+)", out)
    assert len(refs) == 2
    assert refs[0] == refs[1]  # the same open QRIS, shown again
    assert out.count("[gambar:") == 2
    # The card's amount is the QRIS's amount.
    assert re.findall(r"QRIS deposit \*(Rp [\d.]+)\*", out) == [promised, promised]
    [deposit] = [h for h in who.store.history(who.customer_id) if h.kind == "deposit"]
    assert f"Rp {deposit.amount:,}".replace(",", ".") == promised
    assert who.purchases() == [{"waiting": "TSEL10", "target": "081234567890", "method": "qris"}]


def test_a_transfer_card_names_the_holder_and_warns_when_it_is_not_who_was_said(
    new: New,
) -> None:
    who = new(200_000)
    out = who.chat("tf 100k ke dana 081234567890 a.n. Budi", "ya")
    card = reply_to(out, "tf 100k ke dana 081234567890 a.n. Budi")
    [holder] = re.findall(r"Nama: (.+)", card)
    assert re.fullmatch(r"[A-Z]{2}X+( [A-Z]{2}X+)+", holder)
    assert not holder.startswith("BU")  # the sandbox's holder of this account is no Budi
    assert f"Nama pemilik rekening *{holder}*, bukan *Budi*" in card
    assert card.index("bukan *Budi*") < card.index("Balas *YA*")
    assert who.purchases() == [{"transfer": "dana", "account": "081234567890", "nominal": 100_000}]
    transfer = who.store.get_transfer(who.store.history(who.customer_id)[0].reff_id)
    assert transfer is not None
    assert transfer.account_name == holder


def test_a_transfer_to_the_named_holder_says_it_matches(new: New) -> None:
    who = new(200_000)
    card = who.chat("tf 100k ke dana 081234567890 a.n. Budi")
    holder = re.findall(r"Nama: (.+)", card)[0]
    [full] = [n for n in sandbox_money._NAMES if sandbox_money._mask(n) == holder]
    first = full.split()[0].title()
    matching = who.chat(f"tf 100k ke dana 081234567890 a.n. {first}")
    assert f"(cocok dengan {first} ✅)" in matching
    assert "bukan" not in matching


def test_the_transfer_fee_is_the_suppliers(new: New, monkeypatch: pytest.MonkeyPatch) -> None:
    who = new(500_000)
    monkeypatch.setattr(sandbox_money, "TRANSFER_FEE", 2_500)  # the supplier raises its fee
    out = who.chat("transfer 50rb ke bca 1234567890", "ya", "transfer 50rb ke bca 1234567890")
    first = reply_to(out, "transfer 50rb ke bca 1234567890")
    assert "Biaya: Rp 2.000" in first  # nothing seen yet: the documented flat fee
    [sent] = [p for p in who.purchases() if "transfer" in p]
    assert sent["nominal"] == 50_000
    assert who.store.history(who.customer_id)[0].amount == 52_000  # what the customer confirmed
    second = reply_to(out, "transfer 50rb ke bca 1234567890", 2)
    assert "Biaya: Rp 2.500" in second  # the fee the supplier charged last time
    assert "Harga: *Rp 52.500*" in second


@pytest.mark.parametrize(
    ("message", "method", "nominal", "shown"),
    [
        ("deposit 50rb via bca va", "bca", 50_000, "BCA Virtual Account"),
        ("depo 100k pake dana", "DANA", 100_000, "E-Wallet DANA"),
        ("deposit 50rb lewat ovo", "OVO", 50_000, "E-Wallet OVO"),
        ("deposit 50k via qris", "qris", 50_000, "[gambar:"),
    ],
)
def test_a_deposit_uses_the_method_asked_for(
    new: New, message: str, method: str, nominal: int, shown: str
) -> None:
    who = new()
    out = who.chat(message)
    assert shown in out
    assert "Harga:" not in out  # never a DANA top-up quote
    assert who.purchases() == [{"deposit": method, "nominal": nominal}]


def test_a_deposit_method_the_supplier_lacks_lists_the_ones_it_has(new: New) -> None:
    who = new()
    out = who.chat("deposit 50rb via jenius")
    assert "*jenius* belum bisa" in out
    assert "BCA Virtual Account" in out
    assert who.purchases() == []


def test_an_amount_outside_the_methods_limits_gets_the_limit(new: New) -> None:
    who = new()
    out = who.chat("deposit 5rb via bca")
    assert "bisa dari Rp 10.000 sampai Rp 50.000.000" in out
    assert who.purchases() == []


def test_a_negative_deposit_is_never_an_amount(new: New) -> None:
    who = new()
    out = who.chat("deposit -50000")
    assert "Mau isi saldo berapa" in out
    assert who.purchases() == []


def test_a_game_id_has_one_form_on_the_card_at_the_supplier_and_on_the_receipt(
    new: New,
) -> None:
    who = new(100_000)
    out = who.chat("ml 86 12345678 1234", "ya", wait=15)
    assert "Tujuan: 123456781234" in reply_to(out, "ml 86 12345678 1234")
    assert re.search(r"Transaksi berhasil.*\n.*\nTujuan: 123456781234", out)
    assert who.purchases() == [{"order": "ML86", "target": "123456781234"}]


def test_a_zone_game_without_its_zone_asks_for_it(new: New) -> None:
    who = new(100_000)
    out = who.chat("ml 86 12345678", "1234", "ya")
    assert "Zone ID-nya" in reply_to(out, "ml 86 12345678")
    assert "Tujuan: 123456781234" in reply_to(out, "1234")
    assert who.purchases() == [{"order": "ML86", "target": "123456781234"}]


def test_the_validity_on_the_card_comes_from_quote_ttl_seconds(
    new: New, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QUOTE_TTL_SECONDS", "120")
    who = new(100_000)
    out = who.chat("pulsa 10rb 081234567890")
    assert "(berlaku 2 menit)" in out
    assert "5 menit" not in out


def test_history_and_status_show_the_same_amount_for_a_deposit(new: New) -> None:
    who = new()
    out = who.chat("deposit 50rb", "riwayat", "status deposit")
    assert "Deposit — Rp 50.000" in reply_to(out, "riwayat")
    assert re.search(r"Deposit DP\w+: Rp 50.000", reply_to(out, "status deposit"))


def test_a_postpaid_receipt_has_no_token(new: New) -> None:
    who = new(1_000_000)
    out = who.chat("tagihan PLN 123456789012 bayar", "ya", wait=15)
    assert "Transaksi berhasil" in out
    assert "Token:" not in out
    assert "SN:" in out


def test_ya_binds_to_the_card_shown_not_to_a_newer_quote_made_without_one(chat: Chat) -> None:
    chat.fund(200_000)
    assert "Telkomsel 10.000" in chat.say("pulsa telkomsel 10rb ke 081234567890")
    components = chat.components
    components.store.create_quote(  # a quote no card was ever shown for
        customer_id=chat.customer_id,
        kind="topup",
        payload={"code": "ML86", "target": "123456781234", "name": "MOBILELEGEND - 86 Diamond"},
        amount=25_000,
        now=components.clock.now(),
    )
    answer = chat.say("ya")
    assert "nggak berlaku" in answer
    assert [h for h in components.store.history(chat.customer_id) if h.kind == "order"] == []
    assert chat.balance() == 200_000


def test_the_expiry_text_comes_from_quote_ttl_seconds(database_url: str) -> None:
    components = make_components(database_url, quote_ttl_seconds=120)
    try:
        chat = Chat(components)
        chat.fund(100_000)
        assert "(berlaku 2 menit)" in chat.say("pulsa 10rb 081234567890")
        components.clock.advance(121)  # type: ignore[attr-defined]
        answer = chat.say("ya")
        assert "sudah lewat 2 menit" in answer
        assert "Produk: Telkomsel 10.000" in answer  # and a fresh card
    finally:
        close(components)
