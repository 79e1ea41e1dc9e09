"""The admin's `/refund`: ask the supplier first, refund only what it did not deliver.

Refunding an order the supplier is still working on gives the customer the product and the
money once it completes. So a pending order is first settled from the supplier's own answer:
success captures it (no refund), failure releases it (the refund, through the same path a
webhook takes), pending or no answer refuses. Only when the supplier does not know the order at
all may an admin force the refund; should it turn up delivered later, the settle that sees it
alerts the owner with both states (`settlement._closed`).
"""

from __future__ import annotations

import logging
from typing import Literal

from shared.domain.supplier_status import SupplierStatus
from shared.errors import SupplierError, SupplierRejected
from shared.services.notifications import order_failed
from shared.services.settlement import SettleDeps, settle, supplier_id_for
from shared.store_models import Order

log = logging.getLogger(__name__)

RefundOutcome = Literal[
    "refunded", "already_refunded", "delivered", "pending", "unreachable", "unknown", "not_found"
]


def refund_order(reff_id: str, deps: SettleDeps, *, force: bool = False) -> RefundOutcome:
    """Refund a pending order unless the supplier delivered it or may still deliver it.

    `force`: refund without the supplier's word (only an admin who knows it never went out).
    """
    order = deps.store.get_order(reff_id)
    if order is None:
        return "not_found"
    if order.status != "pending":
        return "delivered" if order.status == "success" else "already_refunded"
    if force:
        return _release(deps, reff_id, "refund by admin (paksa)")
    doubt = _supplier_doubt(order, deps)
    if doubt is not None:
        return doubt
    settle("bill" if order.kind == "postpaid" else "order", reff_id, deps)  # its final word
    return _now(deps, reff_id)


def _supplier_doubt(order: Order, deps: SettleDeps) -> RefundOutcome | None:
    """Why the supplier's answer forbids settling now, or None when it is final."""
    try:
        event = deps.supplier.order_state(
            supplier_id=supplier_id_for(deps, order.reff_id, order.atl_id),
            reff_id=order.reff_id,
            bill=order.kind == "postpaid",
        )
    except SupplierRejected as exc:
        log.info("refund of %s: the supplier does not know it (%s)", order.reff_id, exc)
        return "unknown"
    except SupplierError as exc:
        log.info("refund of %s: supplier not reachable (%s)", order.reff_id, exc)
        return "unreachable"
    if event.reff_id != order.reff_id or not event.status.is_final:
        return "pending" if event.status is SupplierStatus.PENDING else "unreachable"
    return None


def _now(deps: SettleDeps, reff_id: str) -> RefundOutcome:
    """What the order is after settling: delivered, refunded, or still not verified."""
    order = deps.store.get_order(reff_id)
    status = order.status if order is not None else "pending"
    return {"success": "delivered", "failed": "refunded"}.get(status, "unreachable")  # type: ignore[return-value]


def _release(deps: SettleDeps, reff_id: str, reason: str) -> RefundOutcome:
    result = deps.store.release_order(reff_id, reason=reason)
    order = deps.store.get_order(reff_id)
    if result.outcome != "done" or order is None:
        return "already_refunded" if result.outcome == "already" else "delivered"
    deps.notifier.notify(order_failed(order, balance=result.balance, reason=reason))
    return "refunded"
