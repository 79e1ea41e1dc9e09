"""Executing a confirmed quote: ledger hold first, then the supplier at the locked price.

Only a customer's YA reaches `execute_quote`. The order of work is what makes it money-safe:

1. `place_order` / `hold_transfer` (one SQL function): the quote becomes an order and its price
   is held from the saldo; refused when expired, cancelled or short of saldo.
2. Orders go through `supplier_submit.submit_order` (claim once, call the supplier with our
   `reff_id` and `limit_price` = the locked supplier price, settle only definite answers and
   notify); transfers claim with `mark_transfer_submitted` and are sent here the same way.
3. Success → capture; definite failure or "nothing happened" → release (refund, once); a
   timeout or unknown answer stays pending for the webhook or the reconciler (never refunded
   on a guess).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from shared.errors import SupplierRejected, SupplierTimeout, SupplierUnavailable
from shared.ports import MoneyResult
from shared.services import transfer_fees
from shared.services.supplier_submit import submit_order
from shared.store import Store
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
    "notified",
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
    """Send the held order through `supplier_submit` (the single submission path)."""
    reff_id = quote.reff_id
    outcome = submit_order(
        reff_id, store=components.store, supplier=components.supplier, deps=components.settle_deps
    )
    if outcome in {"pending", "submitted"} and _settled_meanwhile(components, reff_id):
        # A webhook settled it while the supplier's answer was still on its way (a timeout
        # after the purchase went through): its receipt already told the customer, and a
        # "still processing" or "supplier busy" now would contradict it.
        return Execution(status="notified", reff_id=reff_id)
    if outcome == "pending":
        return Execution(status="pending", reff_id=reff_id, balance=balance, delayed=True)
    if outcome == "captured":
        # The receipt went out as a notification (the same one a webhook would send).
        return Execution(status="notified", reff_id=reff_id)
    if outcome == "released":
        order = components.store.get_order(reff_id)
        reason = order.failure_reason if order else None
        if reason and _is_price_error(reason):
            return Execution(status="price_changed", reff_id=reff_id, reason=reason)
        return Execution(status="notified", reff_id=reff_id)
    return Execution(status="pending", reff_id=reff_id, balance=balance)


def _settled_meanwhile(components: Components, reff_id: str) -> bool:
    order = components.store.get_order(reff_id)
    return order is not None and order.status != "pending"


def submit_unsent(components: Components, doc: str, reff_id: str) -> None:
    """Submit a held order or transfer that no process ever claimed to send (the reconciler).

    Its turn died between holding the money and claiming the submission, and a redelivered YA
    finds the quote already confirmed, so nothing else would ever send it. Unclaimed means the
    supplier was never asked (the claim comes first), so sending it now cannot buy twice; the
    claim inside makes a concurrent sender a no-op.
    """
    store = components.store
    if doc == "order":
        submit_order(
            reff_id, store=store, supplier=components.supplier, deps=components.settle_deps
        )
        return
    transfer = store.get_transfer(reff_id)
    quote = store.get_quote(transfer.quote_id) if transfer and transfer.quote_id else None
    if quote is not None:
        _submit_transfer(components, quote, None, told=False)


def _submit_transfer(
    components: Components, quote: Quote, balance: int | None, *, told: bool = True
) -> Execution:
    """Claim and send a held transfer; `told`: this turn's reply tells its outcome."""
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
        settled = _settle_told(store, reff_id, success=False, reason=str(exc), told=told)
        return Execution(status="failed", reff_id=reff_id, balance=settled.balance)
    if result.id:
        store.mark_transfer_submitted(reff_id, atl_id=result.id)
    try:
        transfer_fees.observe(
            components,
            bank_code=str(payload["bank_code"]),
            quoted_fee=int(str(payload.get("fee") or 0)),
            fee=result.fee,
            total=result.total,
            nominal=int(str(payload["nominal"])),
            reff_id=reff_id,
        )
    except Exception:  # the transfer is sent; learning its fee must not turn that into an error
        log.exception("transfer fee of %s not compared", reff_id)
    outcome = supplier_outcome(result.status)
    if outcome == "success":
        settled = _settle_told(store, reff_id, success=True, told=told)
        return Execution(status="success", reff_id=reff_id, balance=settled.balance)
    if outcome == "failed":
        settled = _settle_told(store, reff_id, success=False, reason="failed", told=told)
        return Execution(status="failed", reff_id=reff_id, balance=settled.balance)
    return Execution(status="pending", reff_id=reff_id, balance=balance)


def _settle_told(
    store: Store, reff_id: str, *, success: bool, reason: str | None = None, told: bool = True
) -> MoneyResult:
    """Settle a transfer whose outcome this turn tells the customer itself (`told`).

    The ledger queues a notification for every settled transfer (the outbox, migration 0017);
    one the turn tells is marked told, so the customer does not read it twice; otherwise the
    outbox drain sends it.
    """
    settled = store.settle_transfer(reff_id, success=success, reason=reason)
    if settled.outcome == "done" and told:
        kind = "transfer_success" if success else "transfer_failed"
        store.outbox_sent([f"n:{kind}:{reff_id}"])
    return settled


def supplier_outcome(raw: str | None) -> Literal["success", "failed", "pending"]:
    """A create call's status word, read conservatively: anything unclear stays pending."""
    word = (raw or "").strip().lower()
    if word in {"success", "sukses", "berhasil"}:
        return "success"
    if word in {"failed", "gagal", "error"}:
        return "failed"
    return "pending"


def _is_price_error(reason: str) -> bool:
    """The supplier refused because its price rose above our locked `limit_price`."""
    text = reason.lower()
    return "limit" in text or "harga" in text
