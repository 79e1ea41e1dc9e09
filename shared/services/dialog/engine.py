"""The dialog engine: the cheapest tier that can answer, then one handler per intent.

Tiers (design.md §4.3), run by `shared.agent.router.route`: (a) pending — a numbered choice, YA
or BATAL to the open quote, the answer to a missing slot; (b) rules — a confident parse; (c) the
Gemini brain when one is configured; (d) the rules' best effort otherwise. Admin commands come
before all of them. Handlers are listed explicitly in `HANDLERS` and write their replies (text or
images) on the `Turn`; the router only sees their texts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import overload

from shared.agent.media import Media
from shared.agent.memory import LoggedMessage
from shared.agent.router import Routed, Utterance, route
from shared.domain.parser import ParseResult, parse
from shared.errors import SalesbotError
from shared.services import admin, replies
from shared.services.agent_services import bound_turn
from shared.services.dialog import (
    account,
    bills,
    catalog,
    confirm,
    corrections,
    deposits,
    topup,
    transfers,
)
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Reply, Turn

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

# Intents that only read: they answer without dropping a pending quote or question.
READ_ONLY = {"greet", "smalltalk", "help", "balance", "history", "order_status"}
CONFIDENT = 0.75
MEMORY_MESSAGES = 12
MEDIA_KINDS = {"voice", "audio", "image"}


def respond(turn: Turn) -> None:
    """Answer one turn; the replies and the new pending state are left on `turn`."""
    if admin.matches(turn.text):
        admin.handle(turn)
        return
    media = _media(turn) if turn.message.kind in MEDIA_KINDS else None
    if media is None and not turn.text:
        turn.say(replies.UNKNOWN)
        return
    tiers = _Tiers(turn)
    with bound_turn(turn):
        routed = route(
            Utterance(
                customer_id=turn.customer_id,
                text=turn.text or None,
                media=media,
                log=_LazyLog(turn),
            ),
            pending=tiers.pending,
            rules=tiers.rules,
            brain=turn.components.brain,
            rules_fallback=tiers.fallback,
        )
    tiers.merge(routed)
    if media is not None and turn.message.media_ref:
        _forget_media(turn, turn.message.media_ref)


def _forget_media(turn: Turn, ref: str) -> None:
    """Voice notes and photos may be private (meter photos, ids): keep them only for the turn.

    Deleted only after the turn was answered, so a redelivery after a crash can still read it.
    """
    try:
        turn.components.media.delete(ref)
    except Exception:  # best-effort cleanup: the answer is already made, retention purges later
        log.warning("media of a %s message could not be deleted", turn.message.kind)


class _Tiers:
    """The engine's three tiers over one turn, as text handlers for the router."""

    def __init__(self, turn: Turn) -> None:
        self.turn = turn
        self._parsed: dict[str, ParseResult] = {}
        self._own: list[Reply] = []

    def parse(self, text: str) -> ParseResult:
        if text not in self._parsed:
            self._parsed[text] = parse(text)
        return self._parsed[text]

    def pending(self, text: str) -> list[str] | None:
        """Numbered choice, YA/BATAL, or the answer to the question the bot asked."""
        state = self.turn.state
        number = text.strip().rstrip(".")
        if state.choices and number.isdigit():
            return self._run(lambda: _pick_choice(self.turn, int(number)))
        # Issue 13: a message that changes the open quote ("salah nomor, ke 0813… aja", "ya tapi
        # ke 0813…", "pake dana aja") gets a new card; corrections.py decides what a change is.
        if state.quote_id and corrections.changes_quote(self.turn, text):
            return self._run(lambda: corrections.correct(self.turn, text))
        result = self.parse(text)
        if result.intent == "confirm":
            return self._run(lambda: confirm.confirm(self.turn))
        if result.intent == "cancel":
            return self._run(lambda: confirm.cancel(self.turn))
        if state.intent and state.asking and _answers_question(result, state):
            slots = {**state.slots, **_slot_answer(result, state.asking, text)}
            intent = state.intent
            self.turn.state = DialogState()
            return self._run(lambda: HANDLERS[intent](self.turn, slots))
        return None

    def rules(self, text: str) -> list[str] | None:
        """A confident parse of a known intent."""
        result = self.parse(text)
        if result.intent in HANDLERS and result.confidence >= CONFIDENT:
            return self._run(lambda: _start(self.turn, result.intent, dict(result.slots)))
        return None

    def fallback(self, text: str) -> list[str] | None:
        """The rules' best effort: any recognised intent, else a friendly "say it again"."""
        result = self.parse(text)
        if result.intent in HANDLERS:
            return self._run(lambda: _start(self.turn, result.intent, dict(result.slots)))
        return self._run(lambda: self.turn.say(replies.UNKNOWN))

    def _run(self, action: Callable[[], None]) -> list[str]:
        start = len(self.turn.replies)
        action()
        made = self.turn.replies[start:]
        self._own.extend(made)
        return [_text_of(reply) for reply in made]

    def merge(self, routed: Routed) -> None:
        """Final replies in the router's order, keeping our images and adding its texts."""
        own = iter(self._own)
        pending_own = next(own, None)
        final: list[Reply] = []
        for message in routed.messages:
            if pending_own is not None and message == _text_of(pending_own):
                final.append(pending_own)
                pending_own = next(own, None)
            else:
                final.append(Reply(text=message))
        self.turn.replies[:] = final
        if routed.proposals:
            # The model proposed a quote: YA must find it, and expiry must be noticed.
            self.turn.state = DialogState(quote_id=routed.proposals[-1].quote_id)


def _text_of(reply: Reply) -> str:
    return reply.text or reply.caption or ""


def _start(turn: Turn, intent: str, slots: dict[str, SlotValue]) -> None:
    """A new request: anything but a read drops the open quote and any earlier question."""
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
    """The asked slot's value: the parser's when it found one, else the raw text."""
    found = {k: v for k, v in result.slots.items() if v not in (None, "")}
    if asking in found:
        return found
    if asking in {"customer_no", "account_no"} and "target" in found:
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
    HANDLERS[intent](turn, slots)


def _media(turn: Turn) -> Media:
    """The voice note or image bytes (empty when the download or the file is missing)."""
    message = turn.message
    data = b""
    if message.media_ref:
        try:
            data = turn.components.media.get(message.media_ref)
        except SalesbotError:
            log.warning("media of a %s message could not be read", message.kind)
    return Media(data=data, mime=message.media_mime or "application/octet-stream")


class _LazyLog(Sequence[LoggedMessage]):
    """The message log for the model, read from the store only if the model is asked."""

    def __init__(self, turn: Turn) -> None:
        self._turn = turn

    @cached_property
    def _items(self) -> list[LoggedMessage]:
        turn = self._turn
        rows = turn.components.store.recent_messages(turn.customer_id, MEMORY_MESSAGES)
        return [
            LoggedMessage(
                role="customer" if row.direction == "inbound" else "bot",
                text=row.content_text or "",
            )
            for row in rows
            if row.wa_msg_id != turn.message.wa_msg_id and row.content_text
        ]

    @overload
    def __getitem__(self, index: int) -> LoggedMessage: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[LoggedMessage]: ...
    def __getitem__(self, index: int | slice) -> LoggedMessage | Sequence[LoggedMessage]:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[LoggedMessage]:
        return iter(self._items)
