"""Quoting again from an old quote's payload (after it expired or the price moved)."""

from __future__ import annotations

from shared.services import replies
from shared.services.dialog import bills, deposits, products, topup, transfers
from shared.services.dialog.turn import Turn
from shared.store_models import Quote


def requote(turn: Turn, old: Quote) -> None:
    """Show a fresh quote card for the same request, at today's price."""
    payload = old.payload
    if old.kind == "topup":
        product = products.get(turn.components, str(payload.get("code", "")))
        if product is None or product.status != "available":
            turn.say(replies.product_empty(str(payload.get("name", "produk")), None))
            return
        topup.propose_topup(turn, product, str(payload.get("target", "")))
    elif old.kind == "bill":
        bills.quote_bill(turn, str(payload.get("code", "")), str(payload.get("target", "")))
    elif old.kind == "transfer":
        transfers.quote_transfer(
            turn,
            str(payload.get("bank_code", "")),
            str(payload.get("account_number", "")),
            int(str(payload.get("nominal", 0))),
            given_name=_str(payload.get("given_name")),
        )
    else:
        deposits.quote_deposit(turn, old.amount, _str(payload.get("method")))


def _str(value: object) -> str | None:
    return None if value in (None, "") else str(value)
