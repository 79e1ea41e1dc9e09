"""The dialog engine: cheapest understanding first, then one handler per intent.

Order (design.md §4.3): admin commands; a numbered choice; YA/BATAL to the open quote; the answer
to a pending question (a missing slot); a confident rules parse; the Gemini brain when one is
wired; a short rules answer otherwise. Handlers are listed explicitly in `HANDLERS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shared.domain.parser import ParseResult, parse
from shared.errors import LLMError
from shared.services import replies
from shared.services import admin
from shared.services.dialog import account, bills, catalog, confirm, deposits, topup, transfers
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn

log = logging.getLogger(__name__)

Handler = Callable[[Turn, dict[str, SlotValue]], None]

HANDLERS: dict[str, Handler] = {
    "greet": catalog.greet,
    "smalltalk": catalog.smalltalk,
    "help": catalog.help_,
    "price_lookup": catalog.price_lookup,
    "budget_filter": catalog.budget_filter,
    "topup_create": topup.topup_create,
    "bill_check": bills.bill_check,
    "bill_pay": bills.bill_check,
    "deposit_methods": deposits.deposit_methods,
    "deposit_create": deposits.deposit_create,
    "deposit_status": deposits.deposit_status,
    "transfer_banks": transfers.transfer_banks,
    "transfer_check": transfers.transfer_create,
    "transfer_create": transfers.transfer_create,
    "order_status": account.order_status,
    "history": account.history,
    "balance": account.balance,
}

# Intents that read only: they answer without dropping a pending quote.
READ_ONLY = {"greet", "smalltalk", "help", "balance", "history", "order_status", "unknown"}
CONFIDENT = 0.6


def respond(turn: Turn) -> None:
    """Answer one turn; replies and the new pending state are left on `turn`."""
    text = turn.text
    if admin.matches(text):
        admin.handle(turn)
        return
    if not text:
        _media_or_empty(turn)
        return
    state = turn.state
    if state.choices and text.strip().rstrip(".").isdigit():
        _pick_choice(turn, int(text.strip().rstrip(".")))
        return
    result = parse(text)
    if result.intent == "confirm":
        confirm.confirm(turn)
        return
    if result.intent == "cancel":
        confirm.cancel(turn)
        return
    if state.intent and state.asking and _answers_question(result, state):
        slots = {**state.slots, **_slot_answer(result, state.asking, text)}
        intent = state.intent
        turn.state = DialogState()
        HANDLERS[intent](turn, slots)
        return
    if result.intent in HANDLERS and result.confidence >= CONFIDENT:
        _start(turn, result.intent, dict(result.slots))
        return
    if _ask_brain(turn):
        return
    if result.intent in HANDLERS:
        _start(turn, result.intent, dict(result.slots))
        return
    turn.say(replies.UNKNOWN)


def _start(turn: Turn, intent: str, slots: dict[str, SlotValue]) -> None:
    """A new request: a money request drops the open quote and any earlier question."""
    if intent not in READ_ONLY:
        if turn.state.quote_id:
            turn.components.store.cancel_open_quotes(turn.customer_id)
        turn.state = DialogState()
    HANDLERS[intent](turn, slots)


def _answers_question(result: ParseResult, state: DialogState) -> bool:
    """Whether the message fills the pending slot rather than starting something new."""
    if result.intent in {"unknown", state.intent}:
        return True
    asking = state.asking or ""
    return bool(result.slots.get(asking)) or result.confidence < CONFIDENT


def _slot_answer(result: ParseResult, asking: str, text: str) -> dict[str, SlotValue]:
    """The value of the asked slot: the parser's when it found one, else the raw text."""
    found = {k: v for k, v in result.slots.items() if v not in (None, "")}
    if asking in found:
        return found
    if asking in {"target", "customer_no", "account_no"} and "target" in found:
        return {**found, asking: found["target"]}
    return {**found, asking: text.strip()}


def _pick_choice(turn: Turn, number: int) -> None:
    state = turn.state
    if not 1 <= number <= len(state.choices):
        turn.say(replies.invalid_option(len(state.choices)))
        return
    choice = state.choices[number - 1]
    intent = choice.intent or state.intent or "topup_create"
    slots = {**state.slots, **choice.slots}
    turn.state = DialogState()
    if turn.components.store is not None and state.quote_id:
        turn.components.store.cancel_open_quotes(turn.customer_id)
    HANDLERS[intent](turn, slots)


def _ask_brain(turn: Turn) -> bool:
    """Let the LLM tier answer; False when there is none or it declined."""
    brain = turn.components.brain
    if brain is None:
        return False
    try:
        answer = brain.respond(turn)
    except LLMError:
        log.warning("brain unavailable, rules answer instead")
        turn.say(replies.BRAIN_BUSY)
        return True
    if not answer:
        return False
    turn.replies.extend(answer)
    return True


def _media_or_empty(turn: Turn) -> None:
    message = turn.message
    if message.kind in {"voice", "audio", "image"}:
        if message.media_ref is None:
            turn.say(replies.MEDIA_FAILED)
        elif not _ask_brain(turn):
            turn.say(replies.MEDIA_UNSUPPORTED)
        return
    turn.say(replies.UNKNOWN)
