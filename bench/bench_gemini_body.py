"""Gemini request size of typical turns (budget: <= 8 KB average) and the share of turns that
never reach Gemini, on a realistic mixed set of conversations.

Each conversation runs through the real router: pending YA/BATAL answers (tier a), the offline
rules parser when confident (tier b), otherwise the real google-genai SDK against the local fake
Gemini server (tier c), which plays a model that searches once and then answers. Voice notes
cost a transcription call, then route like text. Prints the body sizes the SDK actually sent.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fakes.agent_services import FakeServices  # noqa: E402
from fakes.gemini_server import FakeGemini, Recorded, Reply, call_reply, text_reply  # noqa: E402

from shared.adapters.gemini.factory import build_gemini  # noqa: E402
from shared.agent.brain import GeminiBrain  # noqa: E402
from shared.agent.media import Media  # noqa: E402
from shared.agent.memory import LoggedMessage  # noqa: E402
from shared.agent.router import Utterance, route  # noqa: E402
from shared.config import load_settings  # noqa: E402
from shared.domain.parser import parse  # noqa: E402
from shared.services.clock import SystemClock  # noqa: E402

CONFIDENT = 0.8
VOICE = "🎤 "

CONVERSATIONS: list[list[str]] = [
    ["halo kak", "pulsa tsel 10rb ke 081234567890", "ya"],
    ["ada diamond ml yang murah ga kak?", "yang 86 aja deh, id 12345678 (1234)", "ya"],
    ["saldo", "riwayat transaksi"],
    ["punya 5000 bisa beli apa aja", "yang telkomsel aja kak", "oke ke 081298765432", "ya"],
    ["token listrik 50rb 14123456789", "batal"],
    ["kak kemarin aku beli pulsa kok belum masuk ya?", "cek status"],
    [VOICE + "isi pulsa indosat dua puluh ribu ke 085712345678", "ya"],
    ["deposit 100rb", "ya"],
    ["min bisa transfer ke dana ga", "ke 081377788899 50rb", "ya"],
    ["ff 140 diamond berapa", "id 98765432", "ya"],
    ["paket data xl yang buat sebulan ada?", "yang paling murah aja", "ke 087812345678"],
    ["cek tagihan pln 531234567890", "bayar", "ya"],
    ["makasih kak"],
    ["netflix ada ga kak", "berapa harganya yang sebulan"],
    ["pulsa", "telkomsel 25rb", "0813 1111 2222", "ya"],
    [VOICE + "saldo aku berapa ya kak"],
    ["halo", "mau top up gopay 100 ribu ke 089912345678", "ya"],
    ["aku mau beli voucher google play buat anakku yang 50rb bisa?", "ya"],
]


def _model(rec: Recorded) -> Reply:
    """A plausible model: transcribe voice, search once, then answer from the tool result."""
    if rec.body.get("generationConfig", {}).get("responseMimeType") == "application/json":
        return text_reply(json.dumps({"text": "isi pulsa indosat 20rb ke 085712345678"}))
    responses = rec.function_responses()
    if not responses:
        return call_reply(("search_products", {"query": rec.last_user_text()[:40]}))
    items: Any = responses[-1]["response"].get("output") or []
    listing = ", ".join(f"{i['name']} Rp {i['price']:,}".replace(",", ".") for i in items[:3])
    return text_reply(f"Ada kak: {listing or 'belum nemu yang pas'}. Mau yang mana? 😊")


def main() -> None:
    started = time.perf_counter()
    tiers: dict[str, int] = {}
    without = 0
    with FakeGemini(responder=_model) as fake:
        settings = load_settings(gemini_keys="bench-key", gemini_base_url=fake.url)
        llm = build_gemini(settings, clock=SystemClock())
        assert llm is not None
        first_bodies: list[int] = []
        for number, conversation in enumerate(CONVERSATIONS):
            services = FakeServices(balance_of={f"c{number}": 200_000})
            brain = GeminiBrain(llm, services)
            log: list[LoggedMessage] = []
            for message in conversation:
                before = len(fake.requests)
                is_voice = message.startswith(VOICE)
                routed = route(
                    Utterance(
                        customer_id=f"c{number}",
                        text=None if is_voice else message,
                        media=Media(data=b"OggS" * 500, mime="audio/ogg") if is_voice else None,
                        log=list(log),
                    ),
                    pending=lambda t: ["ok"] if parse(t).intent in {"confirm", "cancel"} else None,
                    rules=lambda t: ["rules"] if _confident(t) else None,
                    brain=brain,
                )
                tiers[routed.tier] = tiers.get(routed.tier, 0) + 1
                new = fake.requests[before:]
                without += not new
                agent_calls = [
                    r
                    for r in new
                    if "generationConfig" not in r.body
                    or "responseMimeType" not in r.body["generationConfig"]
                ]
                if agent_calls:
                    first_bodies.append(agent_calls[0].raw_size)
                log.append(LoggedMessage(role="customer", text=routed.transcript or message))
                log.extend(LoggedMessage(role="bot", text=m) for m in routed.messages)
        all_bodies = [r.raw_size for r in fake.requests]
    turns = sum(tiers.values())
    print(f"turns: {turns} in {len(CONVERSATIONS)} conversations; by tier: {tiers}")
    print(f"answered without a Gemini call: {without}/{turns} = {without / turns:.0%}")
    print(
        f"first request of a Gemini turn: avg {statistics.mean(first_bodies) / 1024:.2f} KB, "
        f"max {max(first_bodies) / 1024:.2f} KB (budget 8 KB average)"
    )
    print(
        f"every request incl. tool follow-ups and transcriptions: {len(all_bodies)} requests, "
        f"avg {statistics.mean(all_bodies) / 1024:.2f} KB, max {max(all_bodies) / 1024:.2f} KB"
    )
    print(f"elapsed {time.perf_counter() - started:.1f} s")


def _confident(text: str) -> bool:
    result = parse(text)
    return result.intent != "unknown" and result.confidence >= CONFIDENT


if __name__ == "__main__":
    main()
