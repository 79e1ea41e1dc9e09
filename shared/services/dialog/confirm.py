"""YA and BATAL: the only way a quote turns into a money movement, and the way to drop one.

YA confirms exactly the quote whose card the customer saw last: the dialog state remembers its
id when the card is shown (`quote_card.show_quote`), and nothing else is ever confirmed — not a
newer quote made without a card (a proposal that failed after its quote row was created), not
the newest open quote in the ledger. A quote waiting for its shortfall deposit stays the one YA
means, so YA again shows that same deposit again.
"""

from __future__ import annotations

import logging

from shared.services import receipts, replies
from shared.services.dialog import deposits
from shared.services.dialog.quote_card import ttl_minutes
from shared.services.dialog.requote import requote
from shared.services.dialog.state import DialogState
from shared.services.dialog.turn import Turn
from shared.services.language import say
from shared.services.quotes import Execution, execute_quote
from shared.store_models import Quote

log = logging.getLogger(__name__)


def _quote_gone() -> str:
    return say(
        "Pesanan di kartu tadi sudah nggak berlaku kak (sudah diganti atau dibatalkan) 🙏 "
        "Mau pesan apa lagi?",
        "The order on that card is no longer valid (it was replaced or cancelled) 🙏 "
        "What would you like instead?",
    )


def confirm(turn: Turn) -> None:
    """YA: execute the quote whose card was shown last (re-quote when it expired)."""
    shown = turn.state.quote_id
    if not shown:
        _nothing_to_confirm(turn)
        return
    store = turn.components.store
    quote = store.get_quote(shown)
    if quote is None or quote.customer_id != turn.customer_id:
        turn.state = DialogState()
        turn.say(receipts.nothing_to_confirm())
    elif quote.status == "open":
        _execute(turn, quote)
    elif quote.status == "expired":
        turn.state = DialogState()
        turn.say(receipts.quote_expired(ttl_minutes(turn.components)))
        requote(turn, quote)
    elif quote.status == "confirmed":
        _confirmed_again(turn, quote)
    else:  # superseded or cancelled: the card the customer saw no longer stands
        turn.state = DialogState()
        turn.say(_quote_gone())


def cancel(turn: Turn) -> None:
    """BATAL: drop every open quote and pending question."""
    had_something = not turn.state.empty
    cancelled = turn.components.store.cancel_open_quotes(turn.customer_id)
    turn.state = DialogState()
    if cancelled or had_something:
        turn.say(receipts.quote_cancelled())
    else:
        turn.say(receipts.nothing_to_cancel())


def _nothing_to_confirm(turn: Turn) -> None:
    """YA with no card shown: repeat our open question, if any, rather than guess."""
    state = turn.state
    if state.choices:
        turn.say(replies.invalid_option(len(state.choices)))
    elif state.intent and state.asking:
        turn.say(replies.ask(state.asking))
    else:
        turn.say(receipts.nothing_to_confirm())


def _execute(turn: Turn, quote: Quote) -> None:
    store = turn.components.store
    if quote.kind == "deposit":
        confirmed = store.confirm_quote(quote.id, turn.customer_id, now=turn.now)
        if confirmed.outcome in {"done", "already"}:
            method = str(quote.payload.get("method") or "") or None
            deposits.deposit_of_quote(turn, quote, quote.amount, method)
        elif confirmed.reason == "expired":
            turn.state = DialogState()
            turn.say(receipts.quote_expired(ttl_minutes(turn.components)))
            requote(turn, quote)
        else:
            turn.state = DialogState()
            turn.say(receipts.nothing_to_confirm())
        return
    _report(turn, quote, execute_quote(turn.components, turn.customer_id, quote.id, turn.now))


def _confirmed_again(turn: Turn, quote: Quote) -> None:
    """YA to a quote already confirmed: a retried turn, or a repeated YA.

    Executing is idempotent on the quote, so a still-pending order or transfer is reported
    again; a deposit quote shows its one deposit again.
    """
    if quote.kind == "deposit":
        method = str(quote.payload.get("method") or "") or None
        deposits.deposit_of_quote(turn, quote, quote.amount, method)
    elif _still_pending(turn, quote):
        _report(turn, quote, execute_quote(turn.components, turn.customer_id, quote.id, turn.now))
    else:
        turn.state = DialogState()
        turn.say(receipts.nothing_to_confirm())


def _report(turn: Turn, quote: Quote, result: Execution) -> None:
    """Put the outcome of a confirmed quote into words (or into the next step)."""
    if result.status == "insufficient":
        # The quote stays the one YA means until its deposit is paid.
        deposits.deposit_for_quote(turn, quote, result.shortfall or quote.amount)
        return
    turn.state = DialogState()
    if result.status in {"expired", "price_changed"}:
        if result.status == "expired":
            turn.say(receipts.quote_expired(ttl_minutes(turn.components)))
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
        code = str(quote.payload.get("code") or "")
        text = receipts.receipt(
            receipts.Receipt(
                product=name,
                target=target,
                price=quote.amount,
                status="success",
                ref=result.reff_id,
                sn=result.sn,
                name=_str_or_none(quote.payload.get("account_name")),
                is_pln=quote.kind == "topup" and receipts.looks_like_pln(name, code),
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
        text = receipts.nothing_to_confirm()
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
