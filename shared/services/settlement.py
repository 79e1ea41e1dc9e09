"""Settle one of our operations from what the supplier says about it, through the ledger.

Used by the supplier-event inbox (a recorded webhook is only a hint, settled off the request
path by `supplier_inbox`) and by the reconciler. Every path asks
the supplier first, checks that its answer is about the same reference, then calls exactly one
idempotent ledger function; a customer is notified only when that call reports `done`, so a
replayed or out-of-order webhook changes nothing and tells nobody anything twice. Ambiguity
(lookup failed, unknown status) leaves the operation pending.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from shared.domain.supplier_status import OperationKind, SupplierEvent, SupplierStatus
from shared.errors import SupplierError
from shared.log import correlation
from shared.ports import MoneyResult
from shared.services.notifications import Notification, Notifier
from shared.services.supplier_port import Supplier
from shared.store import Store
from shared.store_models import Deposit, Order, Transfer

log = logging.getLogger(__name__)


class Settled(enum.StrEnum):
    """What settling one reference did."""

    CAPTURED = "captured"
    RELEASED = "released"
    CREDITED = "credited"
    CLOSED = "closed"
    TRANSFERRED = "transferred"
    TRANSFER_FAILED = "transfer_failed"
    PENDING = "pending"
    """The supplier says it is still in progress (or said something we do not know)."""
    UNVERIFIED = "unverified"
    """The supplier could not be asked or did not recognise the reference: nothing moved."""
    UNCHANGED = "unchanged"
    """Already final here, or the ledger had done it before: nothing moved."""
    UNKNOWN = "unknown"
    """We have no such reference."""


@dataclass(frozen=True, kw_only=True)
class SettleDeps:
    """The ports settlement needs."""

    store: Store
    supplier: Supplier
    notifier: Notifier


def settle(kind: OperationKind, reff_id: str, deps: SettleDeps, *, hint_id: str = "") -> Settled:
    """Bring our record of `reff_id` in line with the supplier (`hint_id`: a webhook's id)."""
    with correlation(reff_id=reff_id):
        result = _settle(kind, reff_id, deps, hint_id)
        log.info("%s %s settled: %s", kind, reff_id, result.value)
        return result


def _settle(kind: OperationKind, reff_id: str, deps: SettleDeps, hint_id: str) -> Settled:
    if kind in ("order", "bill"):
        order = deps.store.get_order(reff_id)
        return _order(order, deps, hint_id) if order else _unknown(kind, reff_id)
    if kind == "deposit":
        deposit = deps.store.get_deposit(reff_id)
        return _deposit(deposit, deps, hint_id) if deposit else _unknown(kind, reff_id)
    transfer = deps.store.get_transfer(reff_id)
    return _transfer(transfer, deps, hint_id) if transfer else _unknown(kind, reff_id)


def _unknown(kind: str, reff_id: str) -> Settled:
    log.warning("anomaly: supplier %s for unknown reference %s", kind, reff_id)
    return Settled.UNKNOWN


def _ask(lookup: Callable[[], SupplierEvent], reff_id: str) -> SupplierEvent | None:
    """The supplier's answer about `reff_id`, or None when it cannot be trusted or had."""
    try:
        event = lookup()
    except SupplierError as exc:
        log.info("%s not verified at the supplier: %s", reff_id, exc)
        return None
    if event.reff_id != reff_id:
        log.warning(
            "anomaly: supplier answered about %s when asked about %s", event.reff_id, reff_id
        )
        return None
    return event


def _order(order: Order, deps: SettleDeps, hint_id: str) -> Settled:
    if order.status != "pending":
        return Settled.UNCHANGED
    event = _ask(
        lambda: deps.supplier.order_state(
            supplier_id=order.atl_id or hint_id,
            reff_id=order.reff_id,
            bill=order.kind == "postpaid",
        ),
        order.reff_id,
    )
    if event is None:
        return Settled.UNVERIFIED
    if event.status is SupplierStatus.SUCCESS:
        return _capture(order, event, deps)
    if event.status is SupplierStatus.FAILED:
        return _release(order, event, deps)
    if event.supplier_id and not order.atl_id:
        deps.store.mark_order_submitted(order.reff_id, event.supplier_id)
    return Settled.PENDING


def _capture(order: Order, event: SupplierEvent, deps: SettleDeps) -> Settled:
    result = deps.store.capture_order(
        order.reff_id, sn=event.sn, atl_id=event.supplier_id or None, supplier_price=event.price
    )
    if result.outcome != "done":
        return _not_done(result, order.reff_id)
    deps.notifier.notify(
        Notification(
            kind="order_success",
            customer_id=order.customer_id,
            reff_id=order.reff_id,
            product=order.layanan or order.code,
            target=order.target,
            price=order.price,
            sn=event.sn,
            balance=result.balance,
        )
    )
    return Settled.CAPTURED


def _release(order: Order, event: SupplierEvent, deps: SettleDeps) -> Settled:
    result = deps.store.release_order(order.reff_id, reason=event.message or event.raw_status)
    if result.outcome != "done":
        return _not_done(result, order.reff_id)
    deps.notifier.notify(
        Notification(
            kind="order_failed",
            customer_id=order.customer_id,
            reff_id=order.reff_id,
            product=order.layanan or order.code,
            target=order.target,
            price=order.price,
            amount=order.price,
            balance=result.balance,
            reason=event.message,
        )
    )
    return Settled.RELEASED


def _deposit_lookup(deposit: Deposit, deps: SettleDeps, hint_id: str) -> SupplierEvent:
    supplier_id = deposit.atl_id or hint_id
    event = deps.supplier.deposit_state(supplier_id=supplier_id, reff_id=deposit.reff_id)
    if event.reff_id == deposit.reff_id and event.status is SupplierStatus.PROCESSING:
        deps.store.mark_deposit_processing(deposit.reff_id)
        # Paid plain QRIS waits for `instant`; settle it now, then look again (a refusal
        # usually means someone settled it already; the second look tells).
        try:
            deps.supplier.settle_deposit_now(event.supplier_id or supplier_id)
        except SupplierError as exc:
            log.info("instant settlement of %s refused: %s", deposit.reff_id, exc)
        event = deps.supplier.deposit_state(supplier_id=supplier_id, reff_id=deposit.reff_id)
    return event


_CLOSING: dict[SupplierStatus, Literal["expired", "cancel", "failed"]] = {
    SupplierStatus.EXPIRED: "expired",
    SupplierStatus.CANCELLED: "cancel",
    SupplierStatus.FAILED: "failed",
}


def _deposit(deposit: Deposit, deps: SettleDeps, hint_id: str) -> Settled:
    if deposit.status not in ("pending", "processing"):
        return Settled.UNCHANGED
    event = _ask(lambda: _deposit_lookup(deposit, deps, hint_id), deposit.reff_id)
    if event is None:
        return Settled.UNVERIFIED
    if event.status is SupplierStatus.SUCCESS:
        return _credit(deposit, event, deps)
    if event.status in _CLOSING:
        result = deps.store.close_deposit(deposit.reff_id, _CLOSING[event.status])
        if result.outcome != "done":
            return _not_done(result, deposit.reff_id)
        deps.notifier.notify(
            Notification(
                kind="deposit_expired",
                customer_id=deposit.customer_id,
                reff_id=deposit.reff_id,
                amount=deposit.nominal,
                reason=event.raw_status,
            )
        )
        return Settled.CLOSED
    return Settled.PENDING


def _credit(deposit: Deposit, event: SupplierEvent, deps: SettleDeps) -> Settled:
    credit = event.credit if event.credit is not None else (event.amount or 0) - (event.fee or 0)
    result = deps.store.credit_deposit(deposit.reff_id, credit)
    if result.outcome != "done":
        return _not_done(result, deposit.reff_id)
    deps.notifier.notify(
        Notification(
            kind="deposit_credited",
            customer_id=deposit.customer_id,
            reff_id=deposit.reff_id,
            amount=credit,
            balance=result.balance,
            quote_id=result.quote_id,
        )
    )
    return Settled.CREDITED


def _transfer(transfer: Transfer, deps: SettleDeps, hint_id: str) -> Settled:
    if transfer.status != "pending":
        return Settled.UNCHANGED
    event = _ask(
        lambda: deps.supplier.transfer_state(
            supplier_id=transfer.atl_id or hint_id, reff_id=transfer.reff_id
        ),
        transfer.reff_id,
    )
    if event is None:
        return Settled.UNVERIFIED
    if event.status not in (SupplierStatus.SUCCESS, SupplierStatus.FAILED):
        return Settled.PENDING
    success = event.status is SupplierStatus.SUCCESS
    result = deps.store.settle_transfer(
        transfer.reff_id,
        success=success,
        atl_id=event.supplier_id or None,
        reason=None if success else event.message or event.raw_status,
    )
    if result.outcome != "done":
        return _not_done(result, transfer.reff_id)
    deps.notifier.notify(
        Notification(
            kind="transfer_success" if success else "transfer_failed",
            customer_id=transfer.customer_id,
            reff_id=transfer.reff_id,
            product=transfer.bank_code,
            target=transfer.nomor_tujuan,
            amount=transfer.nominal if success else transfer.total,
            balance=result.balance,
            reason=None if success else event.message,
        )
    )
    return Settled.TRANSFERRED if success else Settled.TRANSFER_FAILED


def _not_done(result: MoneyResult, reff_id: str) -> Settled:
    if result.outcome == "refused":
        log.warning("anomaly: ledger refused to settle %s: %s", reff_id, result.reason)
    return Settled.UNCHANGED
