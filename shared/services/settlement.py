"""Settle one of our operations from what the supplier says about it, through the ledger.

Used by the supplier-event inbox (a recorded webhook is only a hint, settled off the request
path by `supplier_inbox`), by the reconciler and by the admin's `/retry` and `/refund`. Every
path asks the supplier first, checks that its answer is about the same reference, then calls
exactly one idempotent ledger function; a customer is notified only when that call reports
`done`, so a replayed or out-of-order webhook changes nothing and tells nobody anything twice.
Ambiguity (lookup failed, unknown status, an amount that is not whole rupiah) leaves the
operation pending; an unreadable answer or a ledger refusal also alerts the owner.

A document that is already final here is final. When a hint (a webhook's status) says the
supplier sees it differently, the supplier is asked again, and a real contradiction (we
refunded what it delivered, credited nothing for a deposit it says was paid, ...) is reported
to the owner with both states: nothing moves by itself, a person decides.

The supplier's id of an operation comes from our record, else from the hint, else from the
last webhook recorded for the reference: a create that timed out is only known to Atlantic by
the id its webhook carried.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from shared.domain.supplier_status import OperationKind, SupplierEvent, SupplierStatus
from shared.errors import SupplierError, SupplierRejected, SupplierUnreadable
from shared.log import correlation
from shared.ports import MoneyResult
from shared.services.notifications import Notification, Notifier, order_failed
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
    """The supplier could not be asked, did not recognise the reference, or answered something
    we cannot trust (or the ledger refused the result): nothing moved, ask again later."""
    UNCHANGED = "unchanged"
    """Already final here, or the ledger had done it before: nothing moved."""
    CONTRADICTED = "contradicted"
    """Final here, and the supplier now reports it otherwise: nothing moved, owner alerted."""
    UNKNOWN = "unknown"
    """We have no such reference."""
    UNSENT = "unsent"
    """Held but never sent (its process died before claiming the submission): nothing to ask
    the supplier about; the reconciler sends it."""
    SUBMITTED = "submitted"
    """An unsent document the reconciler has now sent."""


@dataclass(frozen=True, kw_only=True)
class SettleDeps:
    """The ports settlement needs."""

    store: Store
    supplier: Supplier
    notifier: Notifier


@dataclass(frozen=True, kw_only=True)
class _Hint:
    """What the caller already heard about the reference (a webhook), and how sure to be."""

    supplier_id: str = ""
    status: SupplierStatus | None = None
    recheck_final: bool = False
    """Ask the supplier about a final document even without a contradicting hint (admin)."""


def settle(
    kind: OperationKind,
    reff_id: str,
    deps: SettleDeps,
    *,
    hint_id: str = "",
    hint_status: SupplierStatus | None = None,
    recheck_final: bool = False,
) -> Settled:
    """Bring our record of `reff_id` in line with the supplier (`hint_*`: a webhook's claim)."""
    hint = _Hint(supplier_id=hint_id, status=hint_status, recheck_final=recheck_final)
    with correlation(reff_id=reff_id):
        result = _settle(kind, reff_id, deps, hint)
        log.info("%s %s settled: %s", kind, reff_id, result.value)
        return result


def _settle(kind: OperationKind, reff_id: str, deps: SettleDeps, hint: _Hint) -> Settled:
    if kind in ("order", "bill"):
        order = deps.store.get_order(reff_id)
        return _order(order, deps, hint) if order else _unknown(kind, reff_id)
    if kind == "deposit":
        deposit = deps.store.get_deposit(reff_id)
        return _deposit(deposit, deps, hint) if deposit else _unknown(kind, reff_id)
    transfer = deps.store.get_transfer(reff_id)
    return _transfer(transfer, deps, hint) if transfer else _unknown(kind, reff_id)


def _unknown(kind: str, reff_id: str) -> Settled:
    log.warning("anomaly: supplier %s for unknown reference %s", kind, reff_id)
    return Settled.UNKNOWN


def alert_owner(deps: SettleDeps, text: str, *, reff_id: str, key: str) -> None:
    """Tell the owner once per `key` (the same finding is not reported twice)."""
    deps.notifier.notify(Notification(kind="owner_alert", reff_id=reff_id, reason=text, key=key))


def supplier_id_for(deps: SettleDeps, reff_id: str, known: str | None, hint_id: str = "") -> str:
    """The supplier's id of `reff_id`: ours, the hint's, or the last webhook's; "" if none."""
    if known or hint_id:
        return known or hint_id
    recorded = [e.supplier_id for e in deps.store.supplier_events_for(reff_id) if e.supplier_id]
    return recorded[-1] if recorded else ""


def _ask(
    deps: SettleDeps,
    lookup: Callable[[], SupplierEvent],
    reff_id: str,
    *,
    on_unknown: Callable[[], None] | None = None,
) -> SupplierEvent | None:
    """The supplier's answer about `reff_id`, or None when it cannot be trusted or had.

    `on_unknown`: called when the supplier refused the lookup (it does not know what it was
    asked about).
    """
    try:
        event = lookup()
    except SupplierRejected as exc:
        log.info("%s not known to the supplier by the id asked: %s", reff_id, exc)
        if on_unknown is not None:
            on_unknown()
        return None
    except SupplierUnreadable as exc:
        log.warning("anomaly: unreadable supplier answer about %s: %s", reff_id, exc)
        alert_owner(
            deps,
            f"Jawaban supplier untuk {reff_id} tidak bisa dibaca ({exc}); tidak ada saldo yang "
            "diubah, mohon cek manual",
            reff_id=reff_id,
            key=f"unreadable:{reff_id}",
        )
        return None
    except SupplierError as exc:
        log.info("%s not verified at the supplier: %s", reff_id, exc)
        return None
    if event.reff_id != reff_id:
        log.warning(
            "anomaly: supplier answered about %s when asked about %s", event.reff_id, reff_id
        )
        return None
    return event


def _closed(
    deps: SettleDeps,
    reff_id: str,
    *,
    ours: str,
    ours_paid: bool,
    lookup: Callable[[], SupplierEvent],
    hint: _Hint,
) -> Settled:
    """A document final here: compare with the supplier when there is a reason to doubt it.

    `ours_paid`: whether our final state means the money went through (captured, credited,
    transferred). Only a supplier answer that says the opposite is a contradiction.
    """
    doubt = hint.recheck_final or (
        hint.status is not None and _telling(hint.status) and _paid(hint.status) != ours_paid
    )
    if not doubt:
        return Settled.UNCHANGED
    event = _ask(deps, lookup, reff_id)
    if event is None:
        return Settled.UNVERIFIED
    if not _telling(event.status) or _paid(event.status) == ours_paid:
        return Settled.UNCHANGED
    log.warning("anomaly: %s is %s here, %s at the supplier", reff_id, ours, event.status.value)
    alert_owner(
        deps,
        f"{reff_id}: di sini {ours}, tapi supplier sekarang bilang {event.status.value}"
        f" ({event.raw_status or '-'}). Tidak ada yang diubah otomatis, mohon cek manual",
        reff_id=reff_id,
        key=f"contradiction:{reff_id}:{ours}:{event.status.value}",
    )
    return Settled.CONTRADICTED


def _telling(status: SupplierStatus) -> bool:
    """Whether a status says where the money went (final, or a deposit paid and settling)."""
    return status.is_final or status is SupplierStatus.PROCESSING


def _paid(status: SupplierStatus) -> bool:
    return status in (SupplierStatus.SUCCESS, SupplierStatus.PROCESSING)


def _order(order: Order, deps: SettleDeps, hint: _Hint) -> Settled:
    supplier_id = supplier_id_for(deps, order.reff_id, order.atl_id, hint.supplier_id)

    def lookup() -> SupplierEvent:
        return deps.supplier.order_state(
            supplier_id=supplier_id, reff_id=order.reff_id, bill=order.kind == "postpaid"
        )

    if order.status != "pending":
        paid = order.status == "success"
        return _closed(
            deps, order.reff_id, ours=order.status, ours_paid=paid, lookup=lookup, hint=hint
        )
    if not supplier_id and order.submitted_at is None:
        return Settled.UNSENT
    unseen = None
    if not supplier_id:
        what = f"{order.layanan or order.code} ke {order.target}"
        then = f"kalau transaksinya tidak ada, ketik /refund {order.reff_id} paksa"
        unseen = lambda: _unseen(order.reff_id, what, deps, then=then)  # noqa: E731
    event = _ask(deps, lookup, order.reff_id, on_unknown=unseen)
    if event is None:
        return Settled.UNVERIFIED
    if event.status is SupplierStatus.SUCCESS:
        return _capture(order, event, deps)
    if event.status is SupplierStatus.FAILED:
        return _release(order, event, deps)
    if event.supplier_id and not order.atl_id:
        deps.store.mark_order_submitted(order.reff_id, event.supplier_id)
    return Settled.PENDING


def _unseen(reff_id: str, what: str, deps: SettleDeps, *, then: str) -> None:
    """Ask the owner about a purchase sent (or about to be sent) whose answer never came.

    The supplier does not know it by our reference, so only its dashboard can tell whether it
    happened. The submission was claimed and then its process died or its answer was lost, and no
    webhook brought the Atlantic id. Sending again could buy twice and refunding could give
    away a product, so the money stays held and the owner is asked to look, once.
    """
    alert_owner(
        deps,
        f"{reff_id} ({what}) sudah dikirim ke supplier tapi jawabannya tidak sampai dan"
        " supplier tidak mengenal ref ini. Saldo pelanggan tetap ditahan. Mohon cek di"
        f" dashboard Atlantic; {then}",
        reff_id=reff_id,
        key=f"unseen:{reff_id}",
    )


def _capture(order: Order, event: SupplierEvent, deps: SettleDeps) -> Settled:
    result = deps.store.capture_order(
        order.reff_id, sn=event.sn, atl_id=event.supplier_id or None, supplier_price=event.price
    )
    if result.outcome != "done":
        return _not_done(result, order.reff_id, deps)
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
        return _not_done(result, order.reff_id, deps)
    deps.notifier.notify(order_failed(order, balance=result.balance, reason=event.message))
    return Settled.RELEASED


def _deposit_lookup(deposit: Deposit, deps: SettleDeps, supplier_id: str) -> SupplierEvent:
    event = deps.supplier.deposit_state(supplier_id=supplier_id, reff_id=deposit.reff_id)
    if (
        deposit.status in ("pending", "processing")
        and event.reff_id == deposit.reff_id
        and event.status is SupplierStatus.PROCESSING
    ):
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


def _deposit(deposit: Deposit, deps: SettleDeps, hint: _Hint) -> Settled:
    supplier_id = supplier_id_for(deps, deposit.reff_id, deposit.atl_id, hint.supplier_id)

    def lookup() -> SupplierEvent:
        return _deposit_lookup(deposit, deps, supplier_id)

    if deposit.status not in ("pending", "processing"):
        paid = deposit.status == "success"
        return _closed(
            deps, deposit.reff_id, ours=deposit.status, ours_paid=paid, lookup=lookup, hint=hint
        )
    if not supplier_id:
        return _without_invoice(deposit, deps)
    return _deposit_answer(deposit, _ask(deps, lookup, deposit.reff_id), deps)


def _deposit_answer(deposit: Deposit, event: SupplierEvent | None, deps: SettleDeps) -> Settled:
    """Act on the supplier's word about an open deposit."""
    if event is None:
        return Settled.UNVERIFIED
    if event.status is SupplierStatus.SUCCESS:
        return _credit(deposit, event, deps)
    if event.status in _CLOSING:
        result = deps.store.close_deposit(deposit.reff_id, _CLOSING[event.status])
        if result.outcome != "done":
            return _not_done(result, deposit.reff_id, deps)
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


def _without_invoice(deposit: Deposit, deps: SettleDeps) -> Settled:
    """Close a deposit whose invoice never came back (its create failed or its process died).

    The customer never saw a QRIS or an account number, so nothing can be paid into it, and the
    supplier cannot be asked about it without its id. Nobody is told (0017 queues no notice for
    a deposit without an invoice).
    """
    result = deps.store.close_deposit(deposit.reff_id, "failed")
    return Settled.CLOSED if result.outcome == "done" else Settled.UNCHANGED


def _credit(deposit: Deposit, event: SupplierEvent, deps: SettleDeps) -> Settled:
    credit = event.credit if event.credit is not None else (event.amount or 0) - (event.fee or 0)
    result = deps.store.credit_deposit(deposit.reff_id, credit)
    if result.outcome != "done":
        return _not_done(result, deposit.reff_id, deps, amount=credit)
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


def _transfer(transfer: Transfer, deps: SettleDeps, hint: _Hint) -> Settled:
    supplier_id = supplier_id_for(deps, transfer.reff_id, transfer.atl_id, hint.supplier_id)

    def lookup() -> SupplierEvent:
        return deps.supplier.transfer_state(supplier_id=supplier_id, reff_id=transfer.reff_id)

    if transfer.status != "pending":
        paid = transfer.status == "success"
        return _closed(
            deps, transfer.reff_id, ours=transfer.status, ours_paid=paid, lookup=lookup, hint=hint
        )
    if not supplier_id and transfer.submitted_at is None:
        return Settled.UNSENT
    unseen = None
    if not supplier_id:
        what = f"transfer {transfer.bank_code} ke {transfer.nomor_tujuan}"
        unseen = lambda: _unseen(  # noqa: E731
            transfer.reff_id, what, deps, then="transfer ini perlu diselesaikan manual"
        )
    event = _ask(deps, lookup, transfer.reff_id, on_unknown=unseen)
    if event is None:
        return Settled.UNVERIFIED
    if event.status not in (SupplierStatus.SUCCESS, SupplierStatus.FAILED):
        if event.supplier_id and not transfer.atl_id:
            deps.store.mark_transfer_submitted(transfer.reff_id, event.supplier_id)
        return Settled.PENDING
    success = event.status is SupplierStatus.SUCCESS
    result = deps.store.settle_transfer(
        transfer.reff_id,
        success=success,
        atl_id=event.supplier_id or None,
        reason=None if success else event.message or event.raw_status,
    )
    if result.outcome != "done":
        return _not_done(result, transfer.reff_id, deps)
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


def _not_done(
    result: MoneyResult, reff_id: str, deps: SettleDeps, *, amount: int | None = None
) -> Settled:
    """`already` or a race to another final state: nothing to do. Any other refusal: alert."""
    if result.outcome != "refused" or result.reason == "final_state":
        return Settled.UNCHANGED
    log.warning("anomaly: ledger refused to settle %s: %s", reff_id, result.reason)
    figure = f" (Rp {amount:,})".replace(",", ".") if amount is not None else ""
    alert_owner(
        deps,
        f"Ledger menolak {reff_id}{figure}: {result.reason}. Tidak ada saldo yang diubah, "
        "mohon cek manual",
        reff_id=reff_id,
        key=f"refused:{reff_id}:{result.reason}",
    )
    return Settled.UNVERIFIED
