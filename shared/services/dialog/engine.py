"""The dialog engine: the cheapest tier that can answer, then one handler per intent.

Tiers (design.md §4.3), run by `shared.agent.router.route`: (a) pending — a pick from the open
list, YA or BATAL to the open quote, the answer to the open question (only messages that answer
it: `answers`); (b) rules — a request for a person, a complaint or status question
(`followups`), several requests in one message (`several`), a confident parse (with the
catalog's typo repair); (c) the Gemini brain when one is configured; (d) the rules' best effort
otherwise, which says what the bot can do and calls a person after three misunderstandings in a
row (`handoff`). Admin commands come before all of them. Handlers are listed explicitly in
`HANDLERS` and write their replies (text or images) on the `Turn`; the router only sees their
texts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import overload

from shared.agent.media import Media
from shared.agent.memory import LoggedMessage
from shared.agent.router import Routed, Utterance, route
from shared.domain.aliases import words
from shared.domain.followups import (
    asks_limits,
    asks_price,
    asks_who,
    followup,
    is_angry,
    is_goodbye,
    is_holding,
    wants_human,
    wants_to_complain,
)
from shared.domain.parser import (
    ParseResult,
    filler_words,
    parse,
    read_slots,
    says_thanks,
    unplaced_words,
)
from shared.domain.picks import Option, pick
from shared.errors import SalesbotError
from shared.services import admin, replies
from shared.services.agent_services import bound_turn
from shared.services.dialog import (
    account,
    answers,
    bills,
    catalog,
    confirm,
    corrections,
    deposits,
    describe,
    followups,
    handoff,
    several,
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
    "deposit_status": followups.deposit_status,
    "transfer_banks": transfers.transfer_banks,
    "transfer_check": account.account_check,
    "transfer_create": transfers.transfer_create,
    "order_status": followups.order_status,
    "history": account.history,
    "balance": account.balance,
}

# Intents that only read: they answer without dropping a pending quote, list or question (an
# open question is asked again after the answer).
READ_ONLY = {
    "greet",
    "smalltalk",
    "help",
    "balance",
    "history",
    "order_status",
    "deposit_status",
    "deposit_methods",
    "transfer_banks",
}
MONEY = {"topup_create", "bill_check", "bill_pay", "deposit_create", "transfer_create"}
CONFIDENT = 0.75
MEMORY_MESSAGES = 12
MEDIA_KINDS = {"voice", "audio", "image"}
_PRICE_WORDS = frozenset({"berapa", "brp", "brapa", "harga", "harganya", "hrg", "berapaan"})


def respond(turn: Turn) -> None:
    """Answer one turn; the replies and the new pending state are left on `turn`."""
    if admin.matches(turn.text):
        admin.handle(turn)
        return
    media = _media(turn) if turn.message.kind in MEDIA_KINDS else None
    if media is None and not turn.text:
        turn.say(replies.unknown())
        return
    tiers = _Tiers(turn)
    with bound_turn(turn):
        routed = route(
            Utterance(
                customer_id=turn.customer_id,
                text=turn.text or None,
                media=media,
                log=_LazyLog(turn),
                context=lambda: describe.describe(turn),
            ),
            pending=tiers.pending,
            rules=tiers.rules,
            brain=turn.components.brain,
            rules_fallback=tiers.fallback,
        )
    tiers.merge(routed)
    if not tiers.misunderstood:
        handoff.understood(turn)
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
        self.misunderstood = False

    def parse(self, text: str) -> ParseResult:
        """The parser's reading, with the catalog's typo repair for words it cannot place."""
        if text not in self._parsed:
            self._parsed[text] = parse(text, known=self.turn.components.catalog.knows)
        return self._parsed[text]

    # --- tier (a): what answers the open list, quote or question --------------------------

    def pending(self, text: str) -> list[str] | None:
        """A pick from the open list, YA/BATAL, or the answer to the question the bot asked."""
        action = self._pending(text)
        return None if action is None else self._run(action)

    def _pending(self, text: str) -> Callable[[], None] | None:
        turn = self.turn
        state = turn.state
        chosen = _pick(turn, text) if state.choices else None
        if chosen is not None:
            return chosen
        # Issue 13: a message that changes the open quote ("salah nomor, ke 0813… aja", "ya tapi
        # ke 0813…", "pake dana aja") gets a new card; corrections.py decides what a change is.
        if state.quote_id and corrections.changes_quote(turn, text):
            return lambda: corrections.correct(turn, text)
        result = self.parse(text)
        if result.intent in {"confirm", "cancel"}:
            return self._confirm if result.intent == "confirm" else self._cancel
        return self._answer(text, result) if state.intent and state.asking else None

    def _answer(self, text: str, result: ParseResult) -> Callable[[], None] | None:
        """The open question's answer, "bentar" (it keeps), or None: something else."""
        turn = self.turn
        state = turn.state
        slots = answers.slot_answer(state, text, result)
        if slots is None and state.asking == "amount" and asks_limits(text):
            return lambda: self._limits(state.intent or "")
        if slots is None:
            holding = is_holding(text) and not read_slots(text)
            return (lambda: turn.say(replies.holding())) if holding else None
        intent = state.intent or ""
        filled = {**state.slots, **slots}

        def answer() -> None:
            turn.state = DialogState()
            HANDLERS[intent](turn, filled)

        return answer

    def _limits(self, intent: str) -> None:
        """The limits while an amount is asked ("minimal berapa?"), then the question again."""
        turn = self.turn
        if intent == "deposit_create":
            deposits.deposit_methods(turn, {})
        elif intent == "transfer_create":
            turn.say(replies.transfer_limits(transfers.MIN_TRANSFER, transfers.MAX_TRANSFER))
        catalog.ask_again(turn)

    def _confirm(self) -> None:
        turn = self.turn
        state = turn.state
        if state.choices and not state.quote_id:
            turn.say(replies.which_option(len(state.choices)))
            return
        store = turn.components.store
        if _nod(turn.text) and state.empty and store.get_open_quote(turn.customer_id) is None:
            # "oke sip" with nothing waiting for a YA is a nod, not a confirmation.
            turn.say(replies.smalltalk())
            return
        confirm.confirm(turn)
        self._next_queued()

    def _cancel(self) -> None:
        confirm.cancel(self.turn)
        self._next_queued()

    def _next_queued(self) -> None:
        """After a card's YA or BATAL, the next request the customer sent with it."""
        turn = self.turn
        if turn.state.quote_id:
            return
        text = several.pop_queue(turn)
        if text is not None:
            turn.say(replies.next_request())
            self._request(text)

    # --- tier (b): a confident reading ------------------------------------------------------

    def rules(self, text: str) -> list[str] | None:
        """A person asked for, a complaint, several requests, or one confident request."""
        action = self._rule(text)
        return None if action is None else self._run(action)

    def _rule(self, text: str) -> Callable[[], None] | None:  # noqa: PLR0911 -- ordered rules
        turn = self.turn
        if wants_human(text):
            return lambda: handoff.hand_off(turn, "minta bicara dengan admin")
        if is_angry(text) and handoff.note_anger(turn):
            return lambda: handoff.hand_off(turn, "pelanggan kesal")
        if asks_who(text):
            return lambda: turn.say(replies.who_am_i())
        if wants_to_complain(text) and followup(text) is None:
            return lambda: followups.complain(turn)
        if turn.state.quote_id and asks_price(text) and not _names_goods(text):
            return lambda: followups.quote_price(turn)
        action = self._request_rule(text)
        if action is None and is_angry(text):
            # A first angry word names no request: meet it like a complaint, never a shrug.
            return lambda: followups.complain(turn)
        return action

    def _request_rule(self, text: str) -> Callable[[], None] | None:
        turn = self.turn
        bare = text.strip().rstrip(".")
        if bare.isdigit():
            return lambda: self._bare_number(bare)
        requests = several.requests_in(text, self.parse)
        result = self.parse(text)
        asked = followup(text)
        if asked is not None and not _moves_money(result) and not _any_money(requests):
            return lambda: followups.answer(turn, asked)
        if requests is not None and len(requests) > 1:
            return lambda: self._several(requests)
        chosen = result if result.confidence >= CONFIDENT else None
        if chosen is None and requests:
            chosen = requests[0].result
        if chosen is not None and chosen.intent in HANDLERS:
            intent, slots = chosen.intent, _within_list(turn.state, chosen)
            return lambda: self._new(intent, slots)
        if unplaced_words(text, known=turn.components.catalog.knows):
            return None
        narrowed = _narrowing(turn.state, text)
        return None if narrowed is None else (lambda: self._new("price_lookup", narrowed))

    def _request(self, text: str) -> None:
        """One request from the queue, read like a message of its own."""
        result = self.parse(text)
        if result.intent in HANDLERS:
            _start(self.turn, result.intent, dict(result.slots))
        else:
            self.turn.say(replies.unknown())

    def _new(self, intent: str, slots: dict[str, SlotValue]) -> None:
        """A new request from the customer: waiting requests give way to anything but a read."""
        turn = self.turn
        if not _reads_only(intent, slots):
            dropped = several.drop_queue(turn)
            if dropped:
                turn.say(replies.queue_dropped(dropped))
        if _just_pulsa(intent, slots):
            # "mau isi pulsa": which amount (and number) before any product is guessed.
            if turn.state.quote_id:
                turn.components.store.cancel_open_quotes(turn.customer_id)
            keep = {k: v for k, v in slots.items() if k in {"brand", "product", "target"}}
            turn.state = DialogState(intent="topup_create", slots=keep, asking="amount")
            turn.say(replies.which_pulsa(bool(slots.get("target"))))
            return
        _start(turn, intent, slots)

    def _several(self, requests: list[several.Request]) -> None:
        """Each request in order; money movements after the first card wait for its YA."""
        turn = self.turn
        dropped = several.drop_queue(turn)
        if dropped:
            turn.say(replies.queue_dropped(dropped))
        later: list[str] = []
        for request in requests:
            intent, slots = request.result.intent, dict(request.result.slots)
            busy = bool(turn.state.quote_id or turn.state.asking)
            if busy and not _reads_only(intent, slots):
                later.append(request.text)
                continue
            amount = slots.get("amount")
            if intent == "deposit_create" and isinstance(amount, int):
                _deposit_card(turn, amount)
            else:
                _start(turn, intent, slots)
        if later:
            several.save_queue(turn, later)
            turn.say(replies.queued(later))

    def _bare_number(self, digits: str) -> None:
        """A number with nothing open: a phone number to top up, or a question back."""
        turn = self.turn
        phone = answers.slot_answer(
            DialogState(intent="topup_create", asking="target"), digits, self.parse(digits)
        )
        target = str((phone or {}).get("target") or "")
        if target.startswith("08"):
            turn.state = DialogState(
                intent="topup_create", slots={"target": target}, asking="product"
            )
            turn.say(replies.what_for_number(target))
            return
        turn.say(replies.what_number(digits))

    # --- tier (d): the rules' best effort ----------------------------------------------------

    def fallback(self, text: str) -> list[str] | None:
        """Any useful reading, then the catalog's guess, then "what I can do"."""
        turn = self.turn
        result = self.parse(text)
        if result.intent in HANDLERS and _useful(result):
            return self._run(lambda: self._new(result.intent, dict(result.slots)))
        unplaced = _unplaced_product(text)
        if unplaced:
            return self._run(lambda: turn.say(replies.nothing_found(unplaced)))
        if says_thanks(text) or is_goodbye(text):
            # "ok makasih ya kak, nanti aku order lagi": chatter that closes the conversation.
            return self._run(lambda: catalog.smalltalk(turn, {}))
        self.misunderstood = True
        if handoff.note_unknown(turn):
            return self._run(lambda: handoff.hand_off(turn, "bot 3x nggak paham"))
        return self._run(lambda: turn.say(replies.unknown()))

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


_NODS = frozenset({"ok", "oke", "okay", "okee", "okey", "oce", "sip", "siap", "mantap", "noted"})


_POLITE = frozenset({"kak", "ya", "yaa", "deh", "dong", "min", "aja", "sih", "gan", "bang", "sis"})


def _nod(text: str) -> bool:
    """An acknowledgement ("oke sip", "siap kak") rather than an explicit yes."""
    said = set(words(text)) - _POLITE
    return bool(said) and said <= _NODS


def _reads_only(intent: str, slots: dict[str, SlotValue]) -> bool:
    """Whether a request only reads (a price question naming nothing reads the open one)."""
    named = any(slots.get(k) for k in ("brand", "product", "amount"))
    return intent in READ_ONLY or (intent == "price_lookup" and not named)


def _start(turn: Turn, intent: str, slots: dict[str, SlotValue]) -> None:
    """A request: anything but a read drops the open quote and any earlier question.

    A read leaves them; an open question is asked again after the answer.
    """
    if _reads_only(intent, slots):
        asking = turn.state.asking
        HANDLERS[intent](turn, slots)
        if asking and turn.state.asking == asking and intent != "price_lookup":
            catalog.ask_again(turn)
        return
    if turn.state.quote_id:
        turn.components.store.cancel_open_quotes(turn.customer_id)
    turn.state = DialogState()
    HANDLERS[intent](turn, slots)


def _names_goods(text: str) -> bool:
    slots = read_slots(text)
    return bool(slots.get("brand") or slots.get("product") or slots.get("amount"))


def _just_pulsa(intent: str, slots: dict[str, SlotValue]) -> bool:
    """Pulsa with neither an operator nor an amount ("mau isi pulsa", "pulsa ke 0812…")."""
    return (
        intent in {"topup_create", "price_lookup"}
        and slots.get("brand") == "Pulsa"
        and not slots.get("amount")
        and not any(ch.isdigit() for ch in str(slots.get("product") or ""))
    )


def _deposit_card(turn: Turn, amount: int) -> None:
    """A deposit next to other requests gets a card and a YA like any money movement."""
    try:
        deposits.quote_deposit(turn, amount)
    except SalesbotError:
        deposits.deposit_create(turn, {"amount": amount})  # says the limits


def _moves_money(result: ParseResult) -> bool:
    return result.intent in MONEY and result.confidence >= CONFIDENT


def _any_money(requests: list[several.Request] | None) -> bool:
    return any(_moves_money(r.result) for r in requests or [])


def _useful(result: ParseResult) -> bool:
    """A reading worth acting on without confidence: a product search must name something."""
    if result.intent not in {"price_lookup", "topup_create"}:
        return result.intent not in {"order_status", "deposit_status"}
    return bool(result.slots.get("brand") or result.slots.get("amount"))


def _unplaced_product(text: str) -> str | None:
    """A price question about something the catalog does not know: "steam wallet brp"."""
    tokens = words(text)
    if not _PRICE_WORDS & set(tokens):
        return None
    rest = [t for t in tokens if t not in _PRICE_WORDS and t not in filler_words()]
    return " ".join(rest) if 0 < len(rest) <= 3 else None  # noqa: PLR2004


def _pick(turn: Turn, text: str) -> Callable[[], None] | None:
    """The list item `text` picks, as an action; None when it picks nothing."""
    state = turn.state
    options = [
        Option(label=c.label, price=_price(turn, c.slots.get("code"))) for c in state.choices
    ]
    chosen = pick(text, options)
    if chosen is None:
        return None
    if chosen.index is None:
        count = len(state.choices)
        return lambda: turn.say(replies.invalid_option(count))
    choice = state.choices[chosen.index]

    def run() -> None:
        intent = choice.intent or state.intent or "topup_create"
        slots = {**state.slots, **choice.slots}
        turn.state = DialogState()
        turn.say(replies.picked(choice.label, _price(turn, choice.slots.get("code"))))
        HANDLERS[intent](turn, slots)

    return run


def _within_list(state: DialogState, result: ParseResult) -> dict[str, SlotValue]:
    """A product question naming no brand, asked over an open list, stays within it."""
    slots = dict(result.slots)
    searching = result.intent in {"price_lookup", "topup_create"}
    if state.choices and state.slots.get("brand") and searching and not slots.get("brand"):
        return _narrower(state, slots) if slots else slots
    return slots


def _narrower(state: DialogState, said: dict[str, SlotValue]) -> dict[str, SlotValue]:
    """The open list's request narrowed by what was said ("kuota 5 gb" + "30 hari")."""
    listed = state.slots
    words_said = [str(v) for v in (listed.get("product"), said.get("product")) if v]
    narrowed = {**said, "brand": listed["brand"]}
    if words_said:
        narrowed["product"] = " ".join(words_said)
    if "amount" not in said and isinstance(listed.get("amount"), int):
        narrowed["amount"] = listed["amount"]
    return narrowed


def _narrowing(state: DialogState, text: str) -> dict[str, SlotValue] | None:
    """A narrower ask within the open list's brand ("yg 20rb" when no item says 20rb)."""
    brand = state.slots.get("brand")
    if not state.choices or not brand:
        return None
    said = {k: v for k, v in read_slots(text).items() if k in {"product", "amount", "brand"}}
    if not said or said.get("brand", brand) != brand:
        return None
    return _narrower(state, said)


def _price(turn: Turn, code: SlotValue | None) -> int | None:
    product = turn.components.catalog.get(str(code)) if code else None
    return product.sell_price if product is not None else None


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
