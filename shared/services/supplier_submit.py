"""Send a confirmed order to the supplier exactly once, and act only on definite answers.

Call after `Store.place_order` succeeded. The submission is claimed in the ledger first
(`mark_order_submitted`), so two workers never buy twice. Then:

| supplier answer | what happens |
|---|---|
| accepted (pending) | the Atlantic id is recorded; the webhook or the reconciler settles it |
| success at once | captured, customer notified |
| declined (`SupplierRejected`) | released: refunded exactly once, customer notified |
| nothing happened (`SupplierUnavailable`) | released the same way (nothing was bought) |
| ambiguous (`SupplierTimeout`) | left pending, no refund; the reconciler asks later |
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from shared.domain.supplier_status import SupplierEvent, SupplierStatus
from shared.errors import SupplierRejected, SupplierTimeout, SupplierUnavailable
from shared.log import correlation, note
from shared.services.notifications import Notification, Notifier, order_failed
from shared.services.settlement import Settled, SettleDeps, settle
from shared.store import Store

log = logging.getLogger(__name__)

SubmitOutcome = Literal["submitted", "captured", "released", "pending", "already", "missing"]


class OrderSupplier(Protocol):
    """What submitting needs from the supplier (`AtlanticClient` implements it)."""

    def submit_order(
        self, *, code: str, reff_id: str, target: str, limit_price: int | None, bill: bool
    ) -> SupplierEvent:
        """Create a prepaid purchase or pay an inquired bill; never retried."""
        ...


def submit_order(
    reff_id: str, *, store: Store, supplier: OrderSupplier, deps: SettleDeps
) -> SubmitOutcome:
    """Submit the pending order `reff_id` to the supplier once; see the module table."""
    note(reff_id=reff_id)  # the turn that placed the order, and its reply, carry it from here
    with correlation(reff_id=reff_id):
        # Read before claiming: a claim is final, so nothing that can fail may stand between it
        # and the request (a failed read after it left the order claimed and never sent).
        order = store.get_order(reff_id)
        if order is None:
            return "missing"
        claim = store.mark_order_submitted(reff_id)
        if claim.outcome != "done":
            return "already" if claim.outcome == "already" else "missing"
        try:
            event = supplier.submit_order(
                code=order.code,
                reff_id=reff_id,
                target=order.target,
                limit_price=order.supplier_price,
                bill=order.kind == "postpaid",
            )
        except SupplierTimeout as exc:
            log.warning("order %s outcome unknown, left pending: %s", reff_id, exc)
            return "pending"
        except SupplierRejected as exc:
            return _refund(reff_id, str(exc), store, deps.notifier)
        except SupplierUnavailable as exc:
            # Nothing was bought, but the owner should know the supplier is unreachable
            # (outage, refused API key, IP not whitelisted).
            deps.notifier.notify(
                Notification(kind="owner_alert", reff_id=reff_id, reason=str(exc))
            )
            return _refund(reff_id, str(exc), store, deps.notifier)
        # Logged under the confirming message's wa_msg_id and the reff_id: the join of the two.
        log.info("order %s submitted to the supplier: %s", reff_id, event.status.value)
        return _accepted(event, order.kind == "postpaid", store, deps)


def _accepted(event: SupplierEvent, bill: bool, store: Store, deps: SettleDeps) -> SubmitOutcome:
    if event.supplier_id:
        store.mark_order_submitted(event.reff_id, event.supplier_id)
    if event.status in (SupplierStatus.SUCCESS, SupplierStatus.FAILED):
        # Already final: settle through the same verified path a webhook takes.
        result = settle("bill" if bill else "order", event.reff_id, deps)
        if result is Settled.CAPTURED:
            return "captured"
        if result is Settled.RELEASED:
            return "released"
    return "submitted"


def _refund(reff_id: str, reason: str, store: Store, notifier: Notifier) -> SubmitOutcome:
    result = store.release_order(reff_id, reason=reason[:200])
    order = store.get_order(reff_id)
    if result.outcome == "done" and order is not None:
        notifier.notify(order_failed(order, balance=result.balance, reason=reason))
    return "released"
