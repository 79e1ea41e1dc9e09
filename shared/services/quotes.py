"""Executing a confirmed quote: ledger hold first, then the supplier at the locked price.

Only a customer's YA reaches `execute_quote`. The order of work is what makes it money-safe:

1. `place_order` / `hold_transfer` (one SQL function): the quote becomes an order and its price
   is held from the saldo; refused when expired, cancelled or short of saldo.
2. `mark_*_submitted` claims the single submission; only the caller that claimed it calls the
   supplier, with our `reff_id` and (for top-ups) `limit_price` = the locked supplier price.
3. The supplier's answer settles it: success → capture; definite failure or "nothing
   happened" → release (refund, once); a timeout or unknown answer → stays pending for the
   webhook or the reconciler (never refunded on a guess).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.errors import SupplierRejected, SupplierTimeout, SupplierUnavailable
from shared.log import hash_id
from shared.store_models import Quote
from shared.wiring import Components

log = logging.getLogger(__name__)

ExecStatus = Literal[
    "success",
    "pending",
    "failed",
    "expired",
    "insufficient",
    "not_confirmable",
    "price_changed",
]


@dataclass(frozen=True, kw_only=True)
class Execution:
    """What happened to a confirmed quote, for the dialog to put into words."""

    status: ExecStatus
    reff_id: str
    balance: int | None = None
    sn: str | None = None
    reason: str | None = None
    shortfall: int | None = None
    delayed: bool = False


def execute_quote(
    components: Components, customer_id: str, quote_id: str, now: datetime
) -> Execution:
    """Hold, submit and settle one quote the customer confirmed (see the module docstring)."""
    store = components.store
    quote = store.get_quote(quote_id)
    if quote is None:
        return Execution(status="not_confirmable", reff_id="")
    if quote.kind == "transfer":
        held = store.hold_transfer(quote_id, customer_id, now=now)
    else:
        held = store.place_order(quote_id, customer_id, now=now)
    if held.outcome == "refused":
        reason = held.reason or "refused"
        if reason == "insufficient_funds":
            balance = held.balance or 0
            return Execution(
                status="insufficient",
                reff_id=quote.reff_id,
                balance=balance,
                shortfall=quote.amount - balance,
            )
        if reason == "expired":
            return Execution(status="expired", reff_id=quote.reff_id)
        return Execution(status="not_confirmable", reff_id=quote.reff_id, reason=reason)
    if quote.kind == "transfer":
        return _submit_transfer(components, quote, held.balance)
    return _submit_order(components, quote, held.balance)


def _submit_order(components: Components, quote: Quote, balance: int | None) -> Execution:
    store = components.store
    reff_id = quote.reff_id
    claim = store.mark_order_submitted(reff_id)
    if claim.outcome != "done":
        # Submitted before (a retried YA): its state comes from the ledger, not from a new call.
        return Execution(status="pending", reff_id=reff_id, balance=balance)
    payload = quote.payload
    try:
        if quote.kind == "bill":
            paid = components.supplier.pay_bill(
                code=str(payload["code"]), customer_no=str(payload["target"]), reff_id=reff_id
            )
            atl_id, raw_status, sn, message = paid.id, paid.status, paid.sn, None
        else:
            result = components.supplier.create_transaction(
                code=str(payload["code"]),
                target=str(payload["target"]),
                reff_id=reff_id,
                limit_price=quote.supplier_price,
            )
            atl_id, raw_status, sn, message = result.id, result.status, result.sn, result.message
    except SupplierTimeout:
        log.warning("order %s timed out at the supplier; stays pending", reff_id)
        return Execution(status="pending", reff_id=reff_id, balance=balance, delayed=True)
    except SupplierRejected as exc:
        released = store.release_order(reff_id, reason=str(exc))
        status: ExecStatus = "price_changed" if _is_price_error(exc) else "failed"
        return Execution(status=status, reff_id=reff_id, balance=released.balance, reason=str(exc))
    except SupplierUnavailable as exc:
        released = store.release_order(reff_id, reason="supplier unavailable")
        log.warning("supplier unavailable for %s: %s", hash_id(reff_id), exc)
        return Execution(status="failed", reff_id=reff_id, balance=released.balance)
    return _settle_answer(components, reff_id, balance, (atl_id, raw_status, sn, message))


def _settle_answer(
    components: Components,
    reff_id: str,
    balance: int | None,
    answer: tuple[str, str, str | None, str | None],
) -> Execution:
    """Act on the supplier's immediate answer: only a definite one settles the order now."""
    store = components.store
    atl_id, raw_status, sn, message = answer
    if atl_id:
        store.mark_order_submitted(reff_id, atl_id=atl_id)
    outcome = supplier_outcome(raw_status)
    if outcome == "success":
        captured = store.capture_order(reff_id, sn=sn, atl_id=atl_id or None)
        return Execution(status="success", reff_id=reff_id, balance=captured.balance, sn=sn)
    if outcome == "failed":
        released = store.release_order(reff_id, reason=message)
        return Execution(status="failed", reff_id=reff_id, balance=released.balance)
    return Execution(status="pending", reff_id=reff_id, balance=balance)


def _submit_transfer(components: Components, quote: Quote, balance: int | None) -> Execution:
    store = components.store
    reff_id = quote.reff_id
    claim = store.mark_transfer_submitted(reff_id)
    if claim.outcome != "done":
        return Execution(status="pending", reff_id=reff_id, balance=balance)
    payload = quote.payload
    try:
        result = components.supplier.create_transfer(
            ref_id=reff_id,
            bank_code=str(payload["bank_code"]),
            account_number=str(payload["account_number"]),
            account_name=str(payload.get("account_name") or ""),
            nominal=int(str(payload["nominal"])),
        )
    except SupplierTimeout:
        return Execution(status="pending", reff_id=reff_id, balance=balance, delayed=True)
    except (SupplierRejected, SupplierUnavailable) as exc:
        settled = store.settle_transfer(reff_id, success=False, reason=str(exc))
        return Execution(status="failed", reff_id=reff_id, balance=settled.balance)
    if result.id:
        store.mark_transfer_submitted(reff_id, atl_id=result.id)
    outcome = supplier_outcome(result.status)
    if outcome == "success":
        settled = store.settle_transfer(reff_id, success=True)
        return Execution(status="success", reff_id=reff_id, balance=settled.balance)
    if outcome == "failed":
        settled = store.settle_transfer(reff_id, success=False, reason="failed")
        return Execution(status="failed", reff_id=reff_id, balance=settled.balance)
    return Execution(status="pending", reff_id=reff_id, balance=balance)


def supplier_outcome(raw: str | None) -> Literal["success", "failed", "pending"]:
    """A create call's status word, read conservatively: anything unclear stays pending."""
    word = (raw or "").strip().lower()
    if word in {"success", "sukses", "berhasil"}:
        return "success"
    if word in {"failed", "gagal", "error"}:
        return "failed"
    return "pending"


def _is_price_error(exc: SupplierRejected) -> bool:
    text = str(exc).lower()
    return "limit" in text or "harga" in text
