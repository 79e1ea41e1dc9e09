"""A multi-turn sale through the real google-genai SDK against the fake Gemini server."""

from __future__ import annotations

import base64

from fakes.gemini_server import FakeGemini, call_reply, text_reply

from shared.agent import tools
from shared.agent.memory import LoggedMessage

from .conftest import Chat


def test_search_quote_ya_order(chat: Chat, fake: FakeGemini) -> None:
    fake.script(
        call_reply(("search_products", {"query": "ml diamond"}), call_id="c1"),
        text_reply("Ada kak: MOBILE LEGENDS 86 Diamond Rp 19.500. Mau yang ini?"),
        call_reply(("propose_topup", {"product_code": "ML86", "target": "12345678(1234)"})),
        text_reply("Sudah aku proses ya kak, berhasil!"),  # the model overclaims: never shown
    )

    first = chat.send("ada diamond ml yg murah ga kak")
    assert first.tier == "gemini"
    assert first.messages == ["Ada kak: MOBILE LEGENDS 86 Diamond Rp 19.500. Mau yang ini?"]

    second = chat.send("mau yg 86 ya, id 12345678 (1234)")
    assert second.tier == "gemini"
    assert len(second.proposals) == 1
    assert "Rp 19.500" in second.messages[0]
    assert "YA" in second.messages[0]
    assert "berhasil" not in " ".join(second.messages)
    assert chat.services.money_moves == []  # a quote only

    requests_before = len(fake.requests)
    third = chat.send("ya")
    assert third.tier == "pending"
    assert len(fake.requests) == requests_before  # YA never reaches the model
    assert chat.services.money_moves == [(second.proposals[0].quote_id, 19_500)]
    assert "SN-777" in third.messages[0]

    # What the SDK actually sent.
    search, answer, propose, _ = fake.requests
    for rec in fake.requests:
        assert rec.path.endswith("/models/gemini-2.5-flash-lite:generateContent")
        assert rec.api_key == "key-1"
        assert "HANYA dari hasil tool" in rec.system_text
        assert rec.tool_names == list(tools.TOOLS)
        assert rec.body["toolConfig"]["functionCallingConfig"]["mode"] == "AUTO"
    assert search.last_user_text() == "ada diamond ml yg murah ga kak"
    # The model's call comes back unchanged (id, thought signature) with our function response.
    model_turn = answer.contents[-2]
    assert model_turn["role"] == "model"
    assert model_turn["parts"][0]["functionCall"]["id"] == "c1-0"
    assert base64.b64decode(model_turn["parts"][0]["thoughtSignature"]) == b"signature"
    (response,) = answer.function_responses()
    assert response["id"] == "c1-0"
    assert response["name"] == "search_products"
    assert response["response"]["output"][0] == {
        "code": "ML86",
        "name": "MOBILE LEGENDS 86 Diamond",
        "price": 19_500,
    }
    # Turn two carries turn one as history.
    texts = [p.get("text") for p in propose.parts()]
    assert "ada diamond ml yg murah ga kak" in texts
    assert "Ada kak: MOBILE LEGENDS 86 Diamond Rp 19.500. Mau yang ini?" in texts


def test_history_is_trimmed_to_budget_with_a_rolling_summary(chat: Chat, fake: FakeGemini) -> None:
    for i in range(40):
        chat.log.append(LoggedMessage(role="customer", text=f"pesan lama nomor {i} " + "x" * 80))
        chat.log.append(LoggedMessage(role="bot", text=f"jawaban {i} " + "y" * 80))
    fake.script(text_reply("Halo kak!"))

    chat.send("halo")

    (rec,) = fake.requests
    history_chars = sum(len(p.get("text", "")) for c in rec.contents[:-1] for p in c["parts"])
    assert 0 < history_chars <= chat.brain.history_budget  # type: ignore[union-attr]
    assert rec.contents[0]["role"] == "user"
    assert "Ringkasan obrolan sebelumnya" in rec.system_text
    assert "pesan lama nomor" in rec.system_text  # older requests survive in the summary
    assert rec.raw_size < 8 * 1024


def test_bad_arguments_go_back_to_the_model_to_fix(chat: Chat, fake: FakeGemini) -> None:
    fake.script(
        call_reply(("search_products", {"query": "pulsa", "budget": "lima ribu"})),
        call_reply(("search_products", {"query": "telkomsel", "budget": 6000})),
        text_reply("Ada Telkomsel 5.000 harganya Rp 5.900 kak."),
    )

    routed = chat.send("pulsa budget goceng")

    assert routed.messages == ["Ada Telkomsel 5.000 harganya Rp 5.900 kak."]
    (error,) = fake.requests[1].function_responses()
    assert "invalid arguments" in error["response"]["error"]
    assert "budget" in error["response"]["error"]


def test_loop_is_bounded_and_the_last_step_forbids_tools(chat: Chat, fake: FakeGemini) -> None:
    fake.script(
        *[call_reply(("get_balance", {})) for _ in range(4)], text_reply("Saldo kakak aman.")
    )

    routed = chat.send("cek saldo dong berkali-kali")

    assert len(fake.requests) == 5
    assert fake.requests[-1].body["toolConfig"]["functionCallingConfig"]["mode"] == "NONE"
    assert routed.messages == ["Saldo kakak aman."]


def test_rules_tier_answers_without_gemini(chat: Chat, fake: FakeGemini) -> None:
    routed = chat.send("saldo")
    assert routed.tier == "rules"
    assert fake.requests == []


def test_invented_prices_are_cut_from_the_reply(chat: Chat, fake: FakeGemini) -> None:
    fake.script(text_reply("Pulsa 10rb harganya Rp 9.000 kak. Mau aku cekin stoknya?"))

    routed = chat.send("pulsa 10rb berapa")

    assert routed.messages == ["Mau aku cekin stoknya?"]


def test_only_the_latest_of_several_quotes_is_shown(chat: Chat, fake: FakeGemini) -> None:
    fake.script(
        call_reply(
            ("propose_topup", {"product_code": "TSEL5", "target": "081234567890"}),
            ("propose_topup", {"product_code": "TSEL10", "target": "081234567890"}),
        ),
        text_reply("ini kak"),
    )

    routed = chat.send("pulsa tsel ke 081234567890, 5rb eh 10rb deh")

    assert [p.total for p in routed.proposals] == [10_800]
    assert len(routed.messages) == 1
    assert "Rp 10.800" in routed.messages[0]


def test_an_unanswered_last_message_is_merged_with_the_new_one(
    chat: Chat, fake: FakeGemini
) -> None:
    chat.log.append(LoggedMessage(role="customer", text="kak"))
    fake.script(text_reply("Iya kak?"))

    chat.send("mau tanya")

    (rec,) = fake.requests
    assert [c["role"] for c in rec.contents] == ["user"]
    assert [p["text"] for p in rec.contents[0]["parts"]] == ["kak", "mau tanya"]
