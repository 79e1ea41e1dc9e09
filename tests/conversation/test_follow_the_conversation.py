"""Following the conversation: a person when asked, complaints from the live ledger, queues.

Through `handle_inbound` with a controllable clock, so the pause, the complaint window and the
timing words can be checked at exact times; the corpus (`test_corpus.py`) covers the wording.
"""

from __future__ import annotations

import pytest

from shared.bus import InProcessBus
from shared.services import replies
from shared.services.clock import ManualClock

from .conftest import BusTap, Chat, close, make_components

OWNER_CHAT = "628111000111@s.whatsapp.net"
PENDING_TARGET = "081234569992"  # the sandbox keeps it pending


def _clock(chat: Chat) -> ManualClock:
    clock = chat.components.clock
    assert isinstance(clock, ManualClock)
    return clock


def test_asking_for_a_person_alerts_the_owner_and_pauses_like_a_takeover(
    chat: Chat, tap: BusTap
) -> None:
    chat.say("viu berapa?")
    told = chat.say("mana admin nya, mau ngomong sama orang")

    assert "admin" in told
    alert = tap.wait_for(OWNER_CHAT, "viu berapa?")
    assert chat.phone[2:] in (alert.text or "")
    assert "mau ngomong sama orang" in (alert.text or "")
    assert chat.say("halo??") == ""  # quiet, exactly as when the owner types in the chat
    customer = chat.components.store.get_customer(chat.customer_id)
    assert customer is not None
    assert customer.paused_until is not None

    _clock(chat).advance(chat.components.settings.takeover_minutes * 60 + 1)
    assert chat.say("halo") != ""  # the pause ends like a takeover's


def test_three_misreads_in_a_row_call_a_person(chat: Chat, tap: BusTap) -> None:
    assert "belum bisa bantu" in chat.say("kmrn sy udh blg ke mas nya")
    assert "belum bisa bantu" in chat.say("itu lho yg dibilang temen sy")
    assert "admin" in chat.say("pokoknya yg kayak punya dia")
    tap.wait_for(OWNER_CHAT, "pokoknya yg kayak punya dia")
    assert chat.say("halo") == ""


def test_an_understood_message_starts_the_misread_count_again(chat: Chat) -> None:
    chat.say("kmrn sy udh blg ke mas nya")
    chat.say("itu lho yg dibilang temen sy")
    assert "Viu" in chat.say("viu berapa?")
    assert "belum bisa bantu" in chat.say("pokoknya yg kayak punya dia")


def test_repeated_anger_calls_a_person(chat: Chat, tap: BusTap) -> None:
    chat.say("parah banget sih kalian")
    assert "admin" in chat.say("kecewa saya, pelayanan jelek")
    tap.wait_for(OWNER_CHAT, "pelanggan kesal")


@pytest.mark.parametrize(
    "complaint", ["woi lama banget sih, gimana nih pelayanannya", "kok belum masuk ya kak"]
)
def test_anger_after_a_complaint_calls_a_person(chat: Chat, tap: BusTap, complaint: str) -> None:
    """Fresh batch 3, H32: the complaint and then the anger are two signs of the same upset."""
    chat.fund(50_000)
    chat.say(f"pulsa tsel 10rb ke {PENDING_TARGET}")
    chat.say("ya")
    assert "diproses" in chat.say(complaint)

    assert "admin" in chat.say("parah bgt, udah ga jelas")
    tap.wait_for(OWNER_CHAT, "pelanggan kesal")


def test_a_first_angry_word_is_met_with_the_latest_order_not_a_shrug(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say(f"pulsa tsel 10rb ke {PENDING_TARGET}")
    chat.say("ya")

    answer = chat.say("parah banget deh")

    assert "Telkomsel 10.000" in answer
    assert "belum bisa bantu" not in answer


def test_a_complaint_reads_the_live_order_with_real_timing_words(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say(f"pulsa tsel 10rb ke {PENDING_TARGET}")
    chat.say("ya")
    _clock(chat).advance(5 * 60)

    answer = chat.say("udah 1 jam loh kak, kok belum masuk?")

    assert "Telkomsel 10.000" in answer
    assert "masih diproses" in answer
    assert "menit lalu" in answer  # the order is minutes old (store time vs. the test clock)
    assert "1 jam" not in answer
    assert replies.offer_human() not in answer


def test_a_second_complaint_within_minutes_offers_a_person(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say(f"pulsa tsel 10rb ke {PENDING_TARGET}")
    chat.say("ya")
    assert replies.offer_human() not in chat.say("kok belum masuk ya")
    _clock(chat).advance(3 * 60)
    assert replies.offer_human() in chat.say("masih belum masuk juga nih")


def test_a_status_question_is_no_complaint(chat: Chat) -> None:
    chat.fund(50_000)
    chat.say(f"pulsa tsel 10rb ke {PENDING_TARGET}")
    chat.say("ya")
    chat.say("udah sukses belum?")
    assert replies.offer_human() not in chat.say("statusnya gimana kak")


def test_nothing_to_complain_about(chat: Chat) -> None:
    assert "Belum ada pesanan" in chat.say("pesananku mana")
    assert "Belum ada deposit" in chat.say("udah bayar kok saldo belum masuk?")
    assert "nggak ketemu" in chat.say("status SB27840B2E6EF7497BABDE")


def test_several_requests_one_card_each_and_batal_drops_only_its_own(chat: Chat) -> None:
    chat.fund(100_000)
    first = chat.say("token 20rb ke 53123456789 sama dana 20rb ke 081298765432")
    assert "PLN 20.000" in first
    assert "dana 20rb ke 081298765432" in first  # said to follow, not dropped

    second = chat.say("ya")
    assert "DANA 20.000" in second
    assert "YA" in second

    assert "dibatalin" in chat.say("batal")
    orders = [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]
    assert [(o.label, o.target) for o in orders] == [("PLN 20.000", "53123456789")]


def test_a_new_request_gives_up_the_waiting_ones_out_loud(chat: Chat) -> None:
    chat.fund(100_000)
    chat.say("pulsa xl 10rb ke 087812345678 dan pulsa tsel 5rb ke 081234567890")
    answer = chat.say("eh saldo aku berapa?")
    assert "Rp 100.000" in answer  # a read keeps the card and the queue
    dropped = chat.say("viu berapa?")
    assert "nggak aku lanjutkan" in dropped
    assert "pulsa tsel 5rb ke 081234567890" in dropped


def test_a_bare_number_with_nothing_open_is_asked_about(chat: Chat) -> None:
    assert "maksudnya apa" in chat.say("2")
    assert "mau diisi apa" in chat.say("081234567890")
    assert "Telkomsel 10.000" in chat.say("pulsa 10rb")


def test_saldo_suggests_a_deposit_only_when_low_and_not_every_time(chat: Chat) -> None:
    assert "deposit 50k" in chat.say("saldo")
    assert "deposit 50k" not in chat.say("saldo")
    chat.fund(100_000)
    _clock(chat).advance(3600)
    assert "deposit 50k" not in chat.say("saldo")


def test_a_timeout_after_the_purchase_went_through_tells_one_story(database_url: str) -> None:
    # The sandbox completes the order after 3 s and holds its answer past the client's 5 s
    # timeout: the success webhook arrives while YA is still waiting for the supplier.
    components = make_components(database_url, atl_timeout_seconds=5)
    tap = BusTap()
    bus = components.bus
    assert isinstance(bus, InProcessBus)
    bus.on_outbound(tap)
    bus.start()
    try:
        chat = Chat(components)
        chat.fund(50_000)
        chat.say("pulsa telkomsel 10rb ke 081234569993")
        answer = chat.say("ya")
        receipt = tap.wait_for(chat.chat, "Transaksi berhasil")
        assert "padat" not in answer
        assert "diproses" not in answer
        assert "berhasil" in (receipt.text or "")
    finally:
        close(components)


def test_an_english_customer_reads_english_cards_and_receipts(chat: Chat, tap: BusTap) -> None:
    chat.fund(50_000)
    card = chat.say("please top up telkomsel 10k to 081234567890")
    assert "Reply *YES*" in card
    assert "Price: *Rp" in card
    assert "kak" not in card
    chat.say("yes")
    receipt = tap.wait_for(chat.chat, "Transaction successful")
    assert "Balance left" in (receipt.text or "")
    assert "Saldo kakak" in chat.say("saldo aku berapa kak")  # back to Indonesian when they are
