"""The real conversation engine with GEMINI_KEYS set: the SDK talks to the fake Gemini server.

Search → quote → YA → order through `handle_inbound`, the dialog services behind the agent's
tools, the store's ledger and the sandbox supplier; only the model is played by a function.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from conversation.conftest import Chat
from fakes.gemini_server import FakeGemini, Recorded, Reply, call_reply, text_reply

from shared.agent import tools
from shared.wiring import Components

pytestmark = pytest.mark.postgres

TARGET = "081234567890"


def _model(rec: Recorded) -> Reply:
    """Searches for pulsa, proposes the first result to TARGET, then says a short line."""
    responses = rec.function_responses()
    if not responses:
        return call_reply(("search_products", {"query": "pulsa telkomsel"}), call_id="s")
    last: Any = responses[-1]
    if last["name"] == "search_products":
        items = last["response"]["output"]["items"]
        code = next(i["code"] for i in items if i.get("available", True))
        return call_reply(("propose_topup", {"product_code": code, "target": TARGET}), call_id="p")
    return text_reply("Siap kak, ini rinciannya ya.")


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    with FakeGemini(responder=_model) as server:
        yield server


def test_free_text_goes_through_gemini_tools_to_a_quote_and_ya_buys(
    engine_components: Components, fake: FakeGemini
) -> None:
    chat = Chat(engine_components)
    chat.say("halo")
    chat.fund(500_000)
    before = chat.balance()

    quote = chat.say("kak tolong beliin pulsa yang paling pas buat adikku dong")

    assert fake.requests, "the free-form request should reach Gemini"
    first = fake.requests[0]
    assert first.tool_names == list(tools.TOOLS)
    assert "HANYA dari hasil tool" in first.system_text
    calls = [r.function_responses()[-1]["name"] for r in fake.requests if r.function_responses()]
    assert calls == ["search_products", "propose_topup"]
    assert "YA" in quote
    assert "Rp" in quote
    assert chat.balance() == before  # a quote moves nothing

    asked = len(fake.requests)
    done = chat.say("YA")

    assert len(fake.requests) == asked  # the confirmation never reaches the model
    assert chat.balance() < before
    assert done
