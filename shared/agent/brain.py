"""The Gemini brain: one customer turn in, the replies to send out.

It builds the request from the persona, the memory (recent turns plus a rolling summary), the
current text and an optional image, then runs the tool loop. What the customer reads about money
never comes from the model's own words: a turn that created a quote answers with the quote's own
text (the latest, when the model made several), and rupiah amounts the model states that no tool
returned are cut from its reply. Voice notes are transcribed first (structured output) so the
caller can echo the transcript and route it like typed text, rules first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from shared.agent import prompts
from shared.agent.context import AgentServices, Proposal, ToolContext
from shared.agent.loop import LLM, run_loop
from shared.agent.memory import HISTORY_BUDGET_CHARS, LoggedMessage, recall, to_contents
from shared.services.language import say

if TYPE_CHECKING:
    from shared.agent.media import Media

NOT_SURE = "Maaf kak, aku belum nangkep maksudnya 🙏 Bisa diulang dengan kata lain?"
NO_PRICE = "Bentar kak, aku cek dulu ya. Produk apa yang dicari? 🙏"
ECHO = "🎤 aku dengar: “{}”"
ECHO_EN = "🎤 I heard: “{}”"

_RUPIAH = re.compile(r"(?i)\brp\.?\s*(\d[\d.,]*)")
_NUMBER = re.compile(r"\d[\d.,]*")
_DONE_CLAIM = re.compile(
    r"(?i)\b(berhasil|sukses|sudah (aku |saya |ku)?(transfer|proses|kirim|bayar|isi|konfirmasi)"
    r"|telah (di)?(proses|kirim|transfer|bayar))"
)
_STATUS_TOOLS = frozenset({"check_status", "get_history"})


class Transcript(BaseModel):
    """A voice note's words as spoken."""

    text: str = Field(description="the transcript, numbers as digits")


@dataclass(frozen=True, kw_only=True)
class BrainTurn:
    """One customer message for the model, with the conversation before it."""

    customer_id: str
    text: str | None = None
    image: Media | None = None
    log: Sequence[LoggedMessage] = ()
    summary: str | None = None
    context: str | None = None
    """The open question, list and quote, so an answer to them is read as one."""


@dataclass(kw_only=True)
class BrainReply:
    """What to send back (in order), the quotes created, and what it cost."""

    messages: list[str]
    proposals: list[Proposal] = field(default_factory=list)
    tool_calls: list[str] = field(default_factory=list)
    steps: int = 0
    tokens: int = 0


class GeminiBrain:
    """The model-backed tier of the conversation, over an `LLM` port and the agent services."""

    def __init__(
        self,
        llm: LLM,
        services: AgentServices,
        *,
        max_tokens: int = 512,
        history_budget: int = HISTORY_BUDGET_CHARS,
    ) -> None:
        self.llm = llm
        self.services = services
        self.max_tokens = max_tokens
        self.history_budget = history_budget

    def transcribe(self, voice: Media) -> str:
        """The words of a voice note (sent inline with its mime type)."""
        from google.genai import types  # noqa: PLC0415

        config = types.GenerateContentConfig(
            response_mime_type="application/json",
            response_schema=Transcript,
            temperature=0.0,
            max_output_tokens=self.max_tokens,
        )
        content = types.Content(
            role="user",
            parts=[
                types.Part.from_bytes(data=voice.data, mime_type=voice.base_mime),
                types.Part.from_text(text=prompts.TRANSCRIBE),
            ],
        )
        response = self.llm.generate([content], config)
        parsed = response.parsed
        if isinstance(parsed, Transcript):
            return parsed.text.strip()
        return (response.text or "").strip()

    def reply(self, turn: BrainTurn) -> BrainReply:
        """Answer one turn through the tool loop; raises the LLM errors of the port."""
        from google.genai import types  # noqa: PLC0415

        memory = recall(turn.log, budget_chars=self.history_budget, summary=turn.summary)
        contents = to_contents(memory.recent)
        parts = []
        if turn.image is not None:
            parts.append(
                types.Part.from_bytes(data=turn.image.data, mime_type=turn.image.base_mime)
            )
        parts.append(types.Part.from_text(text=turn.text or prompts.IMAGE_ONLY))
        if contents and contents[-1].role == "user":  # the log ended on an unanswered message
            contents[-1].parts = [*(contents[-1].parts or []), *parts]
        else:
            contents.append(types.Content(role="user", parts=parts))
        ctx = ToolContext(customer_id=turn.customer_id, services=self.services)
        result = run_loop(
            self.llm,
            contents=contents,
            ctx=ctx,
            system=prompts.system_prompt(memory.summary, turn.context),
            max_tokens=self.max_tokens,
        )
        proposals = ctx.proposals[-1:]  # one pending quote at a time: the latest one stands
        if proposals:
            messages = [proposals[0].message]
        elif result.text:
            known = known_amounts(result.tool_outputs, turn.text or "", turn.log)
            status_read = any(name in _STATUS_TOOLS for name in result.tool_calls)
            messages = [guard_reply(result.text, known, status_read=status_read)]
        else:
            messages = [
                say(NOT_SURE, "Sorry, I didn't quite get that 🙏 Could you say it another way?")
            ]
        return BrainReply(
            messages=messages,
            proposals=proposals,
            tool_calls=result.tool_calls,
            steps=result.steps,
            tokens=result.tokens,
        )


def known_amounts(
    outputs: Sequence[object], customer_text: str, log: Sequence[LoggedMessage]
) -> set[int]:
    """Amounts a reply may state: numbers in tool data, the customer's own, earlier bot prices.

    Inside tool strings only `Rp …` amounts count, so digits in a product name or an injected
    instruction do not vouch for a price.
    """
    known: set[int] = set()
    stack: list[object] = list(outputs)
    while stack:
        item = stack.pop()
        if isinstance(item, bool):
            continue
        if isinstance(item, int):
            known.add(item)
        elif isinstance(item, str):
            known.update(_amount(m) for m in _RUPIAH.findall(item))
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    known.update(_amount(m) for m in _NUMBER.findall(customer_text))
    for message in log:
        pattern = _NUMBER if message.role == "customer" else _RUPIAH
        known.update(_amount(m) for m in pattern.findall(message.text))
    return known


def guard_reply(text: str, known: set[int], *, status_read: bool) -> str:
    """Drop sentences with an unknown rupiah amount or, unless a status tool ran, a done-claim.

    The model cannot buy, pay or transfer anything, so "sudah berhasil" in its own words is
    never true unless it is reading a status back from a tool.
    """
    sentences = re.split(r"(?<=[.!?\n])\s+", text)
    kept = [
        s
        for s in sentences
        if all(_amount(m) in known for m in _RUPIAH.findall(s))
        and (status_read or not _DONE_CLAIM.search(s))
    ]
    if len(kept) == len(sentences):
        return text
    return " ".join(kept).strip() or say(
        NO_PRICE, "One moment, let me check. Which product are you looking for? 🙏"
    )


def _amount(raw: str) -> int:
    digits = re.sub(r"[.,]\d{1,2}$", "", raw.rstrip(".,"))  # "10.500,00" → "10.500"
    return int(re.sub(r"\D", "", digits) or 0)
