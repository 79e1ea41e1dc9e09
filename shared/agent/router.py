"""Which tier answers a turn, cheapest first, and the honest fallback when the model cannot.

(a) a pending question or quote answered deterministically (YA/BATAL, a missing slot); (b) the
rules parser when it is confident; (c) Gemini; (d) when no Gemini key can answer: the rules'
best effort plus a short notice. Voice notes are transcribed by Gemini, echoed back
("🎤 aku dengar: …"), then routed like typed text; images go to Gemini with the conversation.
Every turn logs and counts the tier that answered (`salesbot_turns_by_tier_total{tier}`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from prometheus_client import Counter

from shared.agent.brain import ECHO, ECHO_EN, BrainTurn, GeminiBrain
from shared.agent.context import Proposal
from shared.agent.media import NO_BRAIN, Media, in_language, media_problem
from shared.agent.memory import LoggedMessage
from shared.errors import LLMError
from shared.services.language import english, say

log = logging.getLogger(__name__)

TIERS = Counter("salesbot_turns_by_tier", "Turns by the tier that answered them.", ["tier"])

Tier = Literal["pending", "rules", "gemini", "fallback"]


BUSY_NOTICE = (
    "Maaf kak, asisten pintarku lagi istirahat sebentar 🙏 Sementara aku paham perintah singkat "
    "dulu ya, contoh: *pulsa tsel 10rb 08123456789*, *saldo*, *cek status*."
)

UNCLEAR_VOICE = "Maaf kak, voice notenya kurang jelas 🙏 Bisa diulang atau diketik aja?"
_ENGLISH = {
    BUSY_NOTICE: "Sorry, my smart assistant is taking a short break 🙏 For now I understand "
    "short commands, e.g. *telkomsel 10k 08123456789*, *balance*, *order status*.",
    UNCLEAR_VOICE: "Sorry, I couldn't make out the voice note 🙏 Could you repeat or type it?",
}


def _said(text: str) -> str:
    return _ENGLISH.get(text, text) if english() else text


TierHandler = Callable[[str], list[str] | None]
"""Answers a text (a list of replies) or declines with None."""


@dataclass(frozen=True, kw_only=True)
class Utterance:
    """One customer turn as the router sees it."""

    customer_id: str
    text: str | None = None
    media: Media | None = None
    log: Sequence[LoggedMessage] = ()
    summary: str | None = None
    context: Callable[[], str | None] | None = None
    """What the conversation has open (question, list, quote), read only if the model is asked."""


@dataclass(kw_only=True)
class Routed:
    """The replies of a turn, which tier produced them, and any quotes the model proposed."""

    tier: Tier
    messages: list[str]
    proposals: list[Proposal] = field(default_factory=list)
    transcript: str | None = None


def route(
    turn: Utterance,
    *,
    pending: TierHandler,
    rules: TierHandler,
    brain: GeminiBrain | None,
    rules_fallback: TierHandler | None = None,
) -> Routed:
    """Answer one turn with the cheapest tier that can.

    Args:
        turn: the customer's message and conversation.
        pending: answers when a question or quote is pending (tier a).
        rules: answers when the rules parser is confident (tier b).
        brain: Gemini, or None when no key is configured (tier c).
        rules_fallback: the rules' best effort even when unsure, used with the notice (tier d).
    """
    tiers = _Tiers(pending=pending, rules=rules, brain=brain, fallback=rules_fallback or rules)
    routed = tiers.route(turn)
    TIERS.labels(routed.tier).inc()
    log.info("turn answered by tier %s", routed.tier)
    return routed


@dataclass(frozen=True, kw_only=True)
class _Tiers:
    pending: TierHandler
    rules: TierHandler
    brain: GeminiBrain | None
    fallback: TierHandler

    def route(self, turn: Utterance) -> Routed:
        if turn.media is None:
            return self.route_text(turn, turn.text or "")
        problem = media_problem(turn.media)
        if problem is not None:
            return Routed(tier="rules", messages=[problem])
        if self.brain is None:
            return Routed(tier="fallback", messages=[in_language(NO_BRAIN)])
        if not turn.media.is_audio:
            return self.ask_brain(turn, self.brain, image=turn.media)
        return self.hear(turn, self.brain, turn.media)

    def hear(self, turn: Utterance, brain: GeminiBrain, voice: Media) -> Routed:
        try:
            transcript = brain.transcribe(voice)
        except LLMError as exc:
            log.warning("voice note not transcribed: %s", exc)
            return Routed(tier="fallback", messages=[in_language(NO_BRAIN)])
        if not transcript:
            return Routed(tier="gemini", messages=[_said(UNCLEAR_VOICE)])
        echoed = self.route_text(turn, transcript)
        echoed.messages.insert(0, say(ECHO, ECHO_EN).format(transcript))
        echoed.transcript = transcript
        return echoed

    def route_text(self, turn: Utterance, text: str) -> Routed:
        answer = self.pending(text)
        if answer is not None:
            return Routed(tier="pending", messages=answer)
        answer = self.rules(text)
        if answer is not None:
            return Routed(tier="rules", messages=answer)
        if self.brain is None:
            return Routed(tier="rules", messages=self.fallback(text) or [_said(BUSY_NOTICE)])
        plain = Utterance(
            customer_id=turn.customer_id,
            text=text,
            log=turn.log,
            summary=turn.summary,
            context=turn.context,
        )
        return self.ask_brain(plain, self.brain)

    def ask_brain(self, turn: Utterance, brain: GeminiBrain, image: Media | None = None) -> Routed:
        brain_turn = BrainTurn(
            customer_id=turn.customer_id,
            text=turn.text,
            image=image,
            log=turn.log,
            summary=turn.summary,
            context=turn.context() if turn.context is not None else None,
        )
        try:
            reply = brain.reply(brain_turn)
        except LLMError as exc:
            log.warning("gemini tier unavailable, falling back to rules: %s", exc)
            rescued = self.fallback(turn.text or "") or []
            return Routed(tier="fallback", messages=[*rescued, _said(BUSY_NOTICE)])
        return Routed(tier="gemini", messages=reply.messages, proposals=reply.proposals)
