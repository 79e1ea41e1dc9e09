"""Voice notes and images reach Gemini as inline parts; the transcript is echoed before acting."""

from __future__ import annotations

import base64
import json

from fakes.gemini_server import FakeGemini, call_reply, text_reply

from shared.agent.brain import ECHO
from shared.agent.media import DOWNLOAD_FAILED, NO_BRAIN, TOO_BIG, UNSUPPORTED, Media

from .conftest import Chat


def b64(data: str) -> bytes:
    """The SDK sends bytes URL-safe base64-encoded (the API accepts both alphabets)."""
    return base64.urlsafe_b64decode(data.replace("+", "-").replace("/", "_"))


OGG = b"OggS\x00\x02fake-opus-voice-note"
JPEG = b"\xff\xd8\xff\xe0fake-jpeg-screenshot"


def test_voice_note_is_sent_as_audio_ogg_and_its_transcript_echoed(
    chat: Chat, fake: FakeGemini
) -> None:
    heard = "beliin diamond ml 86 ke id 12345678 (1234)"
    fake.script(
        text_reply(json.dumps({"text": heard})),
        call_reply(("propose_topup", {"product_code": "ML86", "target": "12345678(1234)"})),
        text_reply("Siap kak"),
    )

    routed = chat.send(media=Media(data=OGG, mime="audio/ogg; codecs=opus"))

    transcribe, agent, _ = fake.requests
    (audio,) = transcribe.inline_data()
    assert (audio.get("mimeType") or audio.get("mime_type")) == "audio/ogg"
    assert b64(audio["data"]) == OGG
    assert transcribe.body["generationConfig"]["responseMimeType"] == "application/json"
    assert routed.transcript == heard
    assert routed.messages[0] == ECHO.format(heard) == f"🎤 aku dengar: “{heard}”"
    assert "MOBILE LEGENDS 86 Diamond ke 12345678(1234)" in routed.messages[1]
    assert agent.last_user_text() == heard  # the agent reads the transcript, not the audio again
    assert agent.inline_data() == []
    assert chat.services.money_moves == []


def test_voice_note_saying_saldo_is_answered_by_rules_after_the_echo(
    chat: Chat, fake: FakeGemini
) -> None:
    fake.script(text_reply(json.dumps({"text": "saldo"})))

    routed = chat.send(media=Media(data=OGG, mime="audio/ogg"))

    assert routed.tier == "rules"
    assert routed.messages == [ECHO.format("saldo"), "Saldo kakak Rp 100.000"]
    assert len(fake.requests) == 1


def test_screenshot_goes_inline_with_the_conversation_and_numbers_become_a_quote(
    chat: Chat, fake: FakeGemini
) -> None:
    fake.script(
        call_reply(("propose_topup", {"product_code": "ML86", "target": "87654321(2001)"})),
        text_reply("Aku baca ID 87654321 (2001) ya kak"),
    )

    routed = chat.send("isi 86 ke akun ini", media=Media(data=JPEG, mime="image/jpeg"))

    first = fake.requests[0]
    (image,) = first.inline_data()
    assert (image.get("mimeType") or image.get("mime_type")) == "image/jpeg"
    assert b64(image["data"]) == JPEG
    assert first.last_user_text() == "isi 86 ke akun ini"
    assert "Gambar: baca nomor" in first.system_text
    assert routed.tier == "gemini"
    assert "87654321(2001)" in routed.messages[0]  # the customer confirms the number read
    assert "YA" in routed.messages[0]
    assert chat.services.money_moves == []


def test_media_limits_and_failures_get_friendly_answers_without_gemini(
    chat: Chat, fake: FakeGemini
) -> None:
    big = Media(data=b"x" * (5 * 1024 * 1024 + 1), mime="image/png")
    assert chat.send(media=big).messages == [TOO_BIG]
    assert chat.send(media=Media(data=b"%PDF", mime="application/pdf")).messages == [UNSUPPORTED]
    assert chat.send(media=Media(data=b"", mime="audio/ogg")).messages == [DOWNLOAD_FAILED]
    assert fake.requests == []


def test_without_keys_media_gets_an_honest_no(chat: Chat) -> None:
    chat.brain = None
    assert chat.send(media=Media(data=OGG, mime="audio/ogg")).messages == [NO_BRAIN]


def test_an_unclear_voice_note_asks_again(chat: Chat, fake: FakeGemini) -> None:
    from shared.agent.router import UNCLEAR_VOICE

    fake.script(text_reply(json.dumps({"text": "  "})))
    routed = chat.send(media=Media(data=OGG, mime="audio/ogg"))
    assert routed.messages == [UNCLEAR_VOICE]
    assert len(fake.requests) == 1
