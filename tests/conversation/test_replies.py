"""What the customer reads: prices, receipts, PLN tokens, media problems."""

from __future__ import annotations

import pytest

from shared.adapters.storage import MediaNotFound
from shared.services import receipts
from shared.services.replies import pln_token, rupiah

from .conftest import Chat


def test_prices_are_written_the_indonesian_way() -> None:
    assert rupiah(10_500) == "Rp 10.500"
    assert rupiah(1_250_000) == "Rp 1.250.000"
    assert rupiah(0) == "Rp 0"


def test_pln_tokens_are_grouped_four_by_four() -> None:
    assert pln_token("12345678901234567890") == "1234-5678-9012-3456-7890"
    assert pln_token("SN-ABC") == "SN-ABC"


def test_receipt_carries_product_target_price_status_and_token() -> None:
    text = receipts.receipt(
        receipts.Receipt(
            product="PLN 20.000",
            target="12345678901",
            price=20_700,
            status="success",
            ref="SB123",
            sn="12345678901234567890",
            is_pln=True,
        )
    )
    for part in ("PLN 20.000", "12345678901", "Rp 20.700", "Sukses", "1234-5678-9012-3456-7890"):
        assert part in text


def test_a_voice_note_that_failed_to_download_asks_to_resend(chat: Chat) -> None:
    answer = chat.say("", kind="voice", media_ref=None, media_mime="audio/ogg; codecs=opus")
    assert "kirim ulang" in answer


def test_unknown_text_gets_a_helpful_nudge(chat: Chat) -> None:
    reply = chat.say("qwerty zxcv")
    assert "belum bisa bantu" in reply
    assert "pulsa" in reply  # says what the bot can do


def test_a_voice_note_is_deleted_from_storage_once_answered(chat: Chat) -> None:
    media = chat.components.media
    ref = media.put(f"wa/{chat.customer_id}/vn.ogg", b"OggS fake opus", "audio/ogg")
    assert media.get(ref) == b"OggS fake opus"
    answer = chat.say("", kind="voice", media_ref=ref, media_mime="audio/ogg; codecs=opus")
    assert answer
    with pytest.raises(MediaNotFound):
        media.get(ref)
