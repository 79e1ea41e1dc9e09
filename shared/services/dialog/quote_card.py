"""Creating a quote and showing its card: the one way a money request reaches YA.

`show_quote` locks the price in a quote and shows the card in one step, and remembers the
quote's id as the one the customer saw: YA confirms exactly that quote, never a newer one made
without a card (`confirm`). When the saldo is short, the card offers the deposit that YA will
open, computed here once and kept in the quote (`payload["deposit"]`), so the amount the card
promises is the amount of the invoice that is shown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from shared.errors import SupplierError
from shared.services import receipts
from shared.services.dialog import payment_methods
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.store_models import Quote, QuoteKind
from shared.wiring import Components

log = logging.getLogger(__name__)


def ttl_minutes(components: Components) -> int:
    """How long a quote stands, in whole minutes, from QUOTE_TTL_SECONDS."""
    return max(components.settings.quote_ttl_seconds // 60, 1)


def deposit_offer(
    components: Components, shortfall: int, method: str | None
) -> dict[str, SlotValue] | None:
    """The deposit that covers `shortfall` by `method` (QRIS when None), as kept in a quote.

    None when the supplier's method list cannot be read or has no such method; the card then
    offers no figure and YA asks again.
    """
    try:
        methods = payment_methods.available(components)
    except SupplierError:
        log.warning("deposit methods unavailable for a shortfall offer")
        return None
    chosen = payment_methods.pick(methods, method)
    if chosen is None:
        return None
    pay = payment_methods.to_cover(chosen, shortfall)
    if pay > chosen.max > 0:
        return None
    return {
        "method": chosen.code,
        "label": chosen.label,
        "shortfall": shortfall,
        "pay": pay,
        "credit": chosen.credit(pay),
        # Plain QRIS is credited through `/deposit/instant`, whose fee is only known once paid.
        "estimate": chosen.code == payment_methods.DEFAULT_METHOD,
    }


def show_quote(  # noqa: PLR0913 -- every field of the card is the caller's to say
    turn: Turn,
    *,
    kind: QuoteKind,
    payload: dict[str, object],
    amount: int,
    title: str,
    lines: Sequence[tuple[str, str]],
    intent: str,
    request: dict[str, SlotValue],
    supplier_price: int | None = None,
    reff_id: str | None = None,
    warning: str | None = None,
) -> Quote:
    """Create the quote, show its card, and remember it as the one YA confirms."""
    components = turn.components
    store = components.store
    balance = store.get_balance(turn.customer_id).balance
    offer = None
    if amount > balance:
        offer = deposit_offer(components, amount - balance, _str(request.get("method")))
    if offer is not None:
        payload = {**payload, "deposit": offer}
    quote = store.create_quote(
        customer_id=turn.customer_id,
        kind=kind,
        payload=payload,
        amount=amount,
        supplier_price=supplier_price,
        ttl_seconds=components.settings.quote_ttl_seconds,
        now=turn.now,
        reff_id=reff_id,
    )
    turn.state = DialogState(quote_id=quote.id, quote_intent=intent, slots=request)
    turn.say(
        receipts.quote_card(
            receipts.QuoteCard(
                title=title,
                lines=lines,
                price=quote.amount,
                balance=balance,
                ttl_minutes=ttl_minutes(components),
                deposit=receipts.DepositLine.of(offer) if offer else None,
                warning=warning,
            )
        )
    )
    return quote


def _str(value: object) -> str | None:
    return None if value in (None, "") else str(value)
