"""Gemini gets the conversation's open question, list and quote, as the rules tier has them.

The real engine with GEMINI_KEYS set and the real google-genai SDK against the fake Gemini
server: the rules open a list, a question or a quote; a message the rules cannot read goes to
the model, whose request must carry that state (with product codes, so an answer to the list
can become a quote through the tools).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conversation.conftest import Chat, close, make_components
from fakes.gemini_server import FakeGemini, Recorded, Reply, call_reply, text_reply

from shared.wiring import Components

pytestmark = pytest.mark.postgres

TARGET = "081234567890"


def _model(rec: Recorded) -> Reply:
    """Picks the 7-day item of the list in its state for TARGET; otherwise says a line."""
    if rec.function_responses():
        return text_reply("Siap kak.")
    if "Viu 7 Hari [kode VIUS01]" in rec.system_text and "drakor" in rec.last_user_text():
        return call_reply(("propose_topup", {"product_code": "VIUS01", "target": TARGET}))
    return text_reply("Oke kak, ditunggu ya.")


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    with FakeGemini(responder=_model) as server:
        yield server


@pytest.fixture
def components(database_url: str, fake: FakeGemini) -> Iterator[Components]:
    comps = make_components(database_url, gemini_keys="key-1", gemini_base_url=fake.url)
    yield comps
    if comps.__dict__.get("gemini") is not None:
        comps.__dict__["gemini"].close()
    close(comps)


def _state_of(fake: FakeGemini) -> str:
    text: Any = fake.requests[-1].system_text
    assert "Keadaan percakapan (" in text
    return str(text).split("Keadaan percakapan (", 1)[1]


def test_the_open_list_reaches_the_model_with_codes_and_its_pick_becomes_the_quote(
    components: Components, fake: FakeGemini
) -> None:
    chat = Chat(components)
    chat.fund(50_000)
    listed = chat.say("viu berapa?")
    assert "Viu 7 Hari" in listed
    assert not fake.requests  # the rules answered

    quote = chat.say(f"menurutmu yg mana yg paling worth buat nonton drakor semingguan? {TARGET}")

    state = _state_of(fake)
    assert "Viu 7 Hari [kode VIUS01]" in state
    assert "Viu 1 Hari [kode VIUS00]" in state
    assert "Viu 7 Hari" in quote
    assert "YA" in quote
    chat.say("ya")
    order = components.store.history(chat.customer_id, limit=1)[0]
    assert (order.kind, order.label, order.target) == ("order", "Viu 7 Hari", TARGET)


def test_the_open_question_reaches_the_model(components: Components, fake: FakeGemini) -> None:
    chat = Chat(components)
    asked = chat.say("pulsa tsel 10rb")
    assert "Nomor tujuannya" in asked

    chat.say("nomornya nanti aku kirimin ya, itu buat ibu aku yang lagi di bandung")

    state = _state_of(fake)
    assert "menanyakan nomor tujuan" in state
    assert "TSEL10" in state


def test_the_open_quote_reaches_the_model(components: Components, fake: FakeGemini) -> None:
    chat = Chat(components)
    chat.fund(50_000)
    assert "YA" in chat.say(f"pulsa tsel 10rb ke {TARGET}")

    chat.say("hmm itu kemahalan ga sih dibanding konter sebelah menurutmu")

    state = _state_of(fake)
    assert "Penawaran menunggu YA" in state
    assert "Telkomsel 10.000" in state
    assert TARGET in state


def test_nothing_open_sends_no_state(components: Components, fake: FakeGemini) -> None:
    chat = Chat(components)
    chat.say("hmm bingung juga ya mau ngapain hari ini enaknya apa")
    assert fake.requests
    assert "Keadaan percakapan (" not in fake.requests[-1].system_text
