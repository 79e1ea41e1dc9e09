"""Complaints and questions about what already happened, answered from the ledger's live state.

"kok belum masuk?", "mana token listriknya?", "kok gagal?", "refund nya mana?", "status SB…":
the message is resolved to the customer's latest relevant order, deposit or transfer (or the one
its reference names, whole or by its start), and the answer says in plain words what happened,
what happens next and when, and for a failure that the money came back and how much. Times come
from the records' own timestamps. A second complaint within a few minutes offers a person.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.domain.followups import Followup
from shared.services import replies, stories
from shared.services.dialog import handoff
from shared.services.dialog.state import SlotValue
from shared.services.dialog.turn import Turn
from shared.store_models import HistoryItem

HISTORY_LIMIT = 30
RECENT_SECONDS = 24 * 3600
_FAILED = {"failed", "refunded"}


def answer(turn: Turn, f: Followup) -> None:
    """Answer a complaint or a status question about one order, deposit or transfer."""
    items = turn.components.store.history(turn.customer_id, limit=HISTORY_LIMIT)
    if f.ref:
        item = next((i for i in items if i.reff_id.upper().startswith(f.ref)), None)
        if item is None:
            turn.say(replies.ref_not_found(f.ref))
            return
    else:
        item = _latest(items, f)
        if item is None:
            turn.say(replies.nothing_yet(f.subject))
            return
    turn.say(_describe(turn, item))
    if f.complaint and handoff.note_complaint(turn):
        turn.say(replies.offer_human())


def complain(turn: Turn) -> None:
    """A complaint about nothing named: the latest thing bought today, and a way to a person."""
    items = turn.components.store.history(turn.customer_id, limit=1)
    recent = [i for i in items if (turn.now - i.created_at).total_seconds() < RECENT_SECONDS]
    if recent:
        turn.say(_describe(turn, recent[0]))
    turn.say(replies.tell_me_more(bool(recent)))
    handoff.note_complaint(turn)


def quote_price(turn: Turn) -> None:
    """A price question while a card is open ("biaya admin nya berapa?"): its total again."""
    quote = turn.components.store.get_quote(turn.state.quote_id or "")
    if quote is None or quote.status != "open":
        turn.say(replies.nothing_yet(None))
        return
    name = str(quote.payload.get("name") or quote.payload.get("code") or quote.kind)
    turn.say(replies.quote_total(name, quote.amount))


def order_status(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """The `order_status` intent: by reference when one was given, else the latest."""
    ref = str(slots.get("ref") or "").strip().upper() or None
    answer(turn, Followup(kind="status", ref=ref))


def deposit_status(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """The `deposit_status` intent: by reference when one was given, else the latest deposit."""
    ref = str(slots.get("ref") or "").strip().upper() or None
    answer(turn, Followup(kind="status", subject="deposit", ref=ref))


def _latest(items: Sequence[HistoryItem], f: Followup) -> HistoryItem | None:
    """The item the customer most likely means (history is newest first)."""
    pool = [i for i in items if f.subject is None or i.kind == f.subject]
    if f.kind in {"failed", "refund"}:
        failed = [i for i in pool if i.status in _FAILED]
        pool = failed or pool
    if f.hint:
        hinted = [i for i in pool if f.hint.lower() in (i.label or "").lower()]
        pool = hinted or pool
    return pool[0] if pool else None


def _describe(turn: Turn, item: HistoryItem) -> str:
    store = turn.components.store
    now = turn.now
    if item.kind == "deposit":
        deposit = store.get_deposit(reff_id=item.reff_id)
        if deposit is None:
            return replies.ref_not_found(item.reff_id)
        balance = store.get_balance(turn.customer_id).balance
        return stories.deposit_story(deposit, balance=balance, now=now)
    if item.kind == "transfer":
        transfer = store.get_transfer(item.reff_id)
        if transfer is None:
            return replies.ref_not_found(item.reff_id)
        balance = store.get_balance(turn.customer_id).balance
        return stories.transfer_story(transfer, balance=balance, now=now)
    order = store.get_order(item.reff_id)
    if order is None:
        return replies.ref_not_found(item.reff_id)
    balance = store.get_balance(turn.customer_id).balance
    return stories.order_story(order, balance=balance, now=now)
