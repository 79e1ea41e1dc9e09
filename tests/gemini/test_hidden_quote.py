"""YA confirms the card the customer saw, never a quote a failed proposal left behind (#15.7).

The model (the fake Gemini server) proposes a top-up; the proposal fails after its quote row
was created (the card is never shown, the model is told "internal error"). A later plain `ya`
must not buy that unseen quote — whether or not another card was shown before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conversation.conftest import Chat
from fakes.gemini_server import FakeGemini, Recorded, Reply, call_reply, text_reply

from shared.services import receipts
from shared.wiring import Components

pytestmark = pytest.mark.postgres

HIDDEN = {"product_code": "ML86", "target": "123456781234"}


def _model(rec: Recorded) -> Reply:
    """Proposes ML 86 once; after the tool's answer, says sorry in words."""
    if not rec.function_responses():
        return call_reply(("propose_topup", HIDDEN), call_id="p")
    return text_reply("Maaf kak, lagi ada gangguan sebentar. Coba lagi ya 🙏")


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    with FakeGemini(responder=_model) as server:
        yield server


@pytest.fixture
def break_next_card(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Set `[True]`: the next quote card cannot be made (its quote row exists, no card shows)."""
    real = receipts.quote_card
    armed = [False]

    def failing(card: Any) -> str:
        if armed[0]:
            armed[0] = False
            raise RuntimeError("the card could not be rendered")
        return real(card)

    monkeypatch.setattr(receipts, "quote_card", failing)
    return armed


def _orders(chat: Chat) -> list[object]:
    return [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]


def test_ya_after_a_failed_proposal_buys_nothing(
    engine_components: Components, fake: FakeGemini, break_next_card: list[bool]
) -> None:
    chat = Chat(engine_components)
    chat.fund(200_000)
    break_next_card[0] = True
    answer = chat.say("kak tolong beliin diamond buat adikku dong")
    assert not break_next_card[0]  # the proposal's card failed
    assert "gangguan" in answer
    assert "YA" not in answer

    confirmed = chat.say("ya")

    assert "Belum ada pesanan" in confirmed
    assert _orders(chat) == []
    assert chat.balance() == 200_000


def test_ya_after_a_failed_proposal_never_buys_it_instead_of_the_card_shown(
    engine_components: Components, fake: FakeGemini, break_next_card: list[bool]
) -> None:
    chat = Chat(engine_components)
    chat.fund(200_000)
    shown = chat.say("pulsa telkomsel 10rb ke 081234567890")
    assert "Telkomsel 10.000" in shown
    break_next_card[0] = True
    chat.say("kak tolong beliin diamond buat adikku dong")
    assert not break_next_card[0]

    chat.say("ya")

    bought = [(o.label, o.target) for o in _orders(chat)]  # type: ignore[attr-defined]
    assert ("MOBILELEGEND - 86 Diamond", "123456781234") not in bought
