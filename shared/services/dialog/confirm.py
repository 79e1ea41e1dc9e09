"""YA and BATAL: the only way a quote turns into a money movement, and the way to drop one."""

from __future__ import annotations

import logging

from shared.services import receipts
from shared.services.dialog import deposits
from shared.services.dialog.requote import requote
from shared.services.dialog.state import DialogState
from shared.services.dialog.turn import Turn
from shared.services.quotes import Execution, execute_quote
from shared.store_models import Quote

log = logging.getLogger(__name__)


def confirm(turn: Turn) -> None:
    """YA: execute the customer's open quote (re-quote when it expired)."""
    store = turn.components.store
    quote = store.get_open_quote(turn.customer_id, now=turn.now)
    remembered = turn.state.quote_id
    turn.state = DialogState()
    if quote is None:
        old = store.get_quote(remembered) if remembered else None
        if old is not None and old.status in {"open", "expired"}:
            turn.say(receipts.QUOTE_EXPIRED)
            requote(turn, old)
            return
        # Still remembered although confirmed: this is the retry of a turn that confirmed it and
        # crashed before answering (a finished YA forgets the quote). Executing is idempotent on
        # the quote, so this submits the order if needed and reports it; a deposit gets a fresh
        # QR, since the first one never reached the customer (only a paid one credits).
        if old is not None and old.status == "confirmed" and _still_pending(turn, old):
            _report(turn, old, execute_quote(turn.components, turn.customer_id, old.id, turn.now))
            return
        if old is not None and old.status == "confirmed" and old.kind == "deposit":
            deposits.send_qris(turn, old.amount, quote=None)
            return
        turn.say(receipts.NOTHING_TO_CONFIRM)
        return
    if quote.kind == "deposit":
        confirmed = store.confirm_quote(quote.id, turn.customer_id, now=turn.now)
        if confirmed.outcome == "done":
            deposits.send_qris(turn, quote.amount, quote=None)
        else:
            turn.say(receipts.NOTHING_TO_CONFIRM)
        return
    result = execute_quote(turn.components, turn.customer_id, quote.id, turn.now)
    _report(turn, quote, result)


def cancel(turn: Turn) -> None:
    """BATAL: drop every open quote and pending question."""
    had_something = not turn.state.empty
    cancelled = turn.components.store.cancel_open_quotes(turn.customer_id)
    turn.state = DialogState()
    if cancelled or had_something:
        turn.say(receipts.QUOTE_CANCELLED)
    else:
        turn.say(receipts.NOTHING_TO_CANCEL)


def _report(turn: Turn, quote: Quote, result: Execution) -> None:
    """Put the outcome of a confirmed quote into words (or into the next step)."""
    if result.status == "insufficient":
        deposits.deposit_for_quote(turn, quote, result.shortfall or quote.amount)
    elif result.status in {"expired", "price_changed"}:
        if result.status == "expired":
            turn.say(receipts.QUOTE_EXPIRED)
        else:
            turn.say(receipts.price_changed(_name(quote)))
        requote(turn, quote)
    else:
        text = outcome_text(quote, result)
        if text:
            turn.say(text)


def outcome_text(quote: Quote, result: Execution) -> str | None:
    """The customer's text for an executed quote (None: a notification already said it)."""
    name = _name(quote)
    target = str(quote.payload.get("target") or quote.payload.get("account_number") or "")
    text: str | None = None
    if result.status == "success":
        text = receipts.receipt(
            receipts.Receipt(
                product=name,
                target=target,
                price=quote.amount,
                status="success",
                ref=result.reff_id,
                sn=result.sn,
                name=_str_or_none(quote.payload.get("account_name")),
                is_pln=receipts.looks_like_pln(name, str(quote.payload.get("code") or "")),
                balance=result.balance,
            )
        )
    elif result.status == "pending" and result.delayed:
        text = receipts.order_delayed(result.reff_id)
    elif result.status == "pending":
        text = receipts.order_processing(name, target, result.reff_id)
    elif result.status == "insufficient":
        text = receipts.still_short(name, result.shortfall or quote.amount)
    elif result.status in {"not_confirmable", "expired"}:
        text = receipts.NOTHING_TO_CONFIRM
    elif result.status == "failed":
        text = receipts.order_failed_now(name, result.reason, result.balance or 0)
    return text


def _still_pending(turn: Turn, quote: Quote) -> bool:
    store = turn.components.store
    if quote.kind in {"topup", "bill"}:
        order = store.get_order(quote.reff_id)
        return order is not None and order.status == "pending"
    if quote.kind == "transfer":
        transfer = store.get_transfer(quote.reff_id)
        return transfer is not None and transfer.status == "pending"
    return False


def _name(quote: Quote) -> str:
    return str(quote.payload.get("name") or quote.payload.get("code") or "pesanan")


def _str_or_none(value: object) -> str | None:
    return None if value in (None, "") else str(value)
