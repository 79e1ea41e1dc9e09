"""The pure rules behind following a conversation: list picks, clauses, follow-ups, a person."""

from __future__ import annotations

import pytest

from shared.domain.clauses import clauses
from shared.domain.followups import find_ref, followup, is_goodbye, is_holding, wants_human
from shared.domain.language import detect
from shared.domain.parser import parse, read_slots
from shared.domain.picks import Option, Pick, pick

VIU = [
    Option(label="Viu 1 Hari", price=5_300),
    Option(label="Viu 7 Hari", price=14_400),
    Option(label="Viu 1 Bulan", price=38_300),
    Option(label="Viu 3 Bulan", price=99_900),
]
ML = [
    Option(label="MOBILELEGEND - 3 Diamond", price=1_400),
    Option(label="MOBILELEGEND - 86 Diamond", price=23_100),
    Option(label="MOBILELEGEND GLOBAL - 86 Diamond", price=25_500),
]
TSEL = [Option(label="Telkomsel 5.000", price=6_400), Option(label="Telkomsel 20.000")]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("2", 1),
        ("no 2", 1),
        ("nomor 2 kak", 1),
        ("yg kedua", 1),
        ("yang ke-2", 1),
        ("pilih 3", 2),
        ("aku ambil yang nomor 3 ya", 2),
        ("the second one", 1),
        ("yg terakhir aja", 3),
        ("yg 1 bulan", 2),
        ("sebulan", 2),
        ("yang 3 bulan aja kak", 3),
        ("yg buat 7 hari itu aja deh", 1),
        ("yg paling murah aja kak", 0),
        ("yg murah2 aja", 0),
        ("yg paling mahal", 3),
    ],
)
def test_a_pick_by_number_ordinal_part_or_price(text: str, index: int) -> None:
    assert pick(text, VIU) == Pick(index=index)


def test_a_distinctive_number_picks_the_plain_item() -> None:
    assert pick("yang 86", ML) == Pick(index=1)
    assert pick("86", ML) == Pick(index=1)  # no list has 86 items: it names a part


def test_an_amount_picks_the_item_with_that_denomination() -> None:
    assert pick("yg 20rb", TSEL) == Pick(index=1)


def test_a_small_number_outside_the_list_is_said_to_be_outside() -> None:
    assert pick("7", VIU) == Pick(out_of_range=7)
    assert pick("no 12", VIU) == Pick(out_of_range=12)


@pytest.mark.parametrize(
    "text",
    ["tsel 10rb ke 081234567890", "ya", "ok", "halo kak", "saldo aku brp", "netflix", "yg hari"],
)
def test_anything_else_is_no_pick(text: str) -> None:
    assert pick(text, VIU) is None


def test_no_options_no_pick() -> None:
    assert pick("2", []) is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        (
            "pulsa tsel 10rb ke 081234567890 sama token pln 20rb ke 53123456789",
            ["pulsa tsel 10rb ke 081234567890", "token pln 20rb ke 53123456789"],
        ),
        (
            "saldo aku brp? kalau kurang aku depo 50rb",
            ["saldo aku brp", "kalau kurang aku depo 50rb"],
        ),
        ("saldo aku berapa ya. terus token", ["saldo aku berapa ya", "token"]),
        ("ini kak 53123456789, buat rumah ibu", ["ini kak 53123456789", "buat rumah ibu"]),
        ("tf 1,5jt ke bca", ["tf 1,5jt ke bca"]),
        ("harga Rp 10.000 ya", ["harga Rp 10.000 ya"]),
        ("tf 100k ke dana 0812 a.n. Budi", ["tf 100k ke dana 0812 a.n. Budi"]),
        ("viu brp? sekalian pulsa xl", ["viu brp", "pulsa xl"]),
    ],
)
def test_clauses_fall_at_sentence_ends_commas_and_joining_words(
    text: str, parts: list[str]
) -> None:
    assert clauses(text) == parts


@pytest.mark.parametrize(
    ("text", "kind", "subject", "hint"),
    [
        ("kok belum masuk kak?", "where", None, None),
        ("mana token listriknya?", "where", None, "PLN"),
        ("kok gagal?", "failed", None, None),
        ("refund nya mana?", "refund", None, None),
        ("jadi saldo aku balik?", "refund", None, None),
        ("udah 1 jam loh", "where", None, None),
        ("pesananku mana", "where", None, None),
        ("udah sukses belum", "status", None, None),
        ("is my order done yet?", "status", None, None),
        ("udah bayar kok saldo belum masuk?", "where", "deposit", None),
        ("transferan aku kok belum masuk?", "where", "transfer", None),
        ("diamondnya kok belum masuk ya kak", "where", None, "Diamond"),
        ("status deposit aku gimana", "status", "deposit", None),
    ],
)
def test_follow_ups_say_what_they_are_about(
    text: str, kind: str, subject: str | None, hint: str | None
) -> None:
    found = followup(text)
    assert found is not None
    assert (found.kind, found.subject, found.hint) == (kind, subject, hint)
    assert found.complaint == (kind != "status")


@pytest.mark.parametrize(
    "text",
    ["tf 100k ke dana", "duit aku cuma 10rb, buat game dapet apa", "viu berapa?", "saldo"],
)
def test_requests_are_no_follow_ups(text: str) -> None:
    assert followup(text) is None


def test_our_references_are_found_whole_or_by_their_start_in_any_case() -> None:
    assert find_ref("status SB27840B2E6EF7497BABDE") == "SB27840B2E6EF7497BABDE"
    assert find_ref("cek sb2784ab dong") == "SB2784AB"
    assert find_ref("DP63060CD609D44A88BC09") == "DP63060CD609D44A88BC09"
    assert find_ref("cek sb106603 dong") == "SB106603"  # a start that happens to be digits
    assert find_ref("tf1000000 ke bca") is None  # digits only after tf: an amount
    ref = followup("SB27840B2E6EF7497BABDE")
    assert ref is not None
    assert (ref.kind, ref.subject) == ("status", "order")


@pytest.mark.parametrize(
    "text",
    [
        "mana admin nya, mau ngomong sama orang",
        "cs nya mana ya",
        "admin dong",
        "admin",
        "bisa sambungin ke orang beneran ga?",
        "minta tolong hubungin owner nya",
        "can I talk to a human?",
    ],
)
def test_asking_for_a_person(text: str) -> None:
    assert wants_human(text)


@pytest.mark.parametrize("text", ["biaya admin nya berapa", "tagihan + admin", "ml 86"])
def test_the_admin_fee_is_no_request_for_a_person(text: str) -> None:
    assert not wants_human(text)


def test_holding_goodbyes() -> None:
    assert is_holding("bentar ya kak aku cari dulu nomornya")
    assert not is_holding("bentar, harganya brp tadi?")
    assert is_goodbye("wassalamualaikum")
    assert is_goodbye("udah itu aja kak, makasih")
    assert not is_goodbye("saldo cukup ga")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("what's my balance", "en"),
        ("how much is netflix", "en"),
        ("I want to buy telkomsel credit 10k for 081234567890", "en"),
        ("thanks, bye", "en"),
        ("saldo aku brp kak", "id"),
        ("pulsa tsel 10rb ke 081234567890", "id"),
        ("thanks kak", "id"),
        ("081234567890", None),
        ("ok", None),
        ("yes", None),
        ("cancel", None),
        ("deposit 50k", None),
    ],
)
def test_the_customer_language_from_their_words(text: str, language: str | None) -> None:
    assert detect(text) == language


def test_a_number_before_a_comma_is_still_an_identifier() -> None:
    assert read_slots("ini kak 53123456789, buat rumah ibu")["target"] == "53123456789"
    found = parse("mau token listrik 50rb, nomor meternya 53123456789, makasih ya")
    assert found.slots["target"] == "53123456789"
    assert "target" not in parse("tf 1.000.000,00 ke bca 1234567890").slots


# Found by fresh batch 3 (tests/conversation/corpus/fresh3.convo), scored before these fixes.
@pytest.mark.parametrize(
    ("text", "intent", "amount"),
    [
        # Pulsa comes in denominations: "is there a 5rb one?" asks for that nominal.
        ("pulsa indosat ada yang 5rb?", "price_lookup", 5_000),
        ("pulsa tsel ada yg 25rb ga", "price_lookup", 25_000),
        # A data package or a bare amount is still a budget.
        ("data indosat ada yang 5rb?", "budget_filter", 5_000),
        ("ada yang 5rb?", "budget_filter", 5_000),
    ],
)
def test_asking_for_a_pulsa_nominal_is_no_budget(text: str, intent: str, amount: int) -> None:
    result = parse(text)
    assert (result.intent, result.slots.get("amount")) == (intent, amount)


@pytest.mark.parametrize(
    "text",
    ["depositnya bisa lewat apa aja kak?", "deponya bisa pake apa aja", "isi saldonya lewat apa"],
)
def test_deposit_methods_asked_with_nya(text: str) -> None:
    assert parse(text).intent == "deposit_methods"


@pytest.mark.parametrize(
    "text",
    [
        "parah bgt, udah ga jelas",
        "pelayanan kok gini amat sih",
        "lama banget sih, gimana nih pelayanannya",
        "ga jelas banget deh",
    ],
)
def test_everyday_anger_is_anger(text: str) -> None:
    from shared.domain.followups import is_angry

    assert is_angry(text)
