"""What the supplier-facing services tell customers and the owner, as data.

Services emit a `Notification` for every real state change (order success or failure, deposit
credited or expired, transfer settled) and for owner alerts; a `Notifier` turns it into a
message. Rendering (Indonesian text) and delivery live with the conversation layer; the
`LoggingNotifier` here is the fallback when nothing better is wired.
"""

from __future__ import annotations

import logging
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from shared.log import hash_id
from shared.store_models import Order

log = logging.getLogger(__name__)

NotificationKind = Literal[
    "order_success",
    "order_failed",
    "deposit_credited",
    "deposit_expired",
    "transfer_success",
    "transfer_failed",
    "owner_alert",
]


class Notification(BaseModel):
    """One thing worth telling someone; `customer_id` is None for owner alerts.

    Attributes:
        kind: what happened.
        customer_id: who to tell (None: the owner).
        reff_id: our reference of the order, deposit or transfer.
        product: product name (orders) or bank name (transfers).
        target: phone number, game id, meter number or account number.
        price: what the customer paid for an order (sell price), in rupiah.
        sn: serial number or PLN token of a successful order.
        amount: deposit credit, refund, or transfer nominal, in rupiah.
        balance: the customer's saldo after the change.
        reason: why it failed, or the alert text.
        quote_id: an order quote waiting for this deposit, if any.
        key: owner alerts only: alerts with the same key are sent once (a stuck or
            contradicted reference is reported once, however often it is looked at).
    """

    model_config = ConfigDict(frozen=True)

    kind: NotificationKind
    customer_id: str | None = None
    reff_id: str | None = None
    product: str | None = None
    target: str | None = None
    price: int | None = None
    sn: str | None = None
    amount: int | None = None
    balance: int | None = None
    reason: str | None = None
    quote_id: str | None = None
    key: str | None = None


def order_failed(order: Order, *, balance: int | None, reason: str | None) -> Notification:
    """The customer's notice that an order failed and its price went back to the saldo."""
    return Notification(
        kind="order_failed",
        customer_id=order.customer_id,
        reff_id=order.reff_id,
        product=order.layanan or order.code,
        target=order.target,
        price=order.price,
        amount=order.price,
        balance=balance,
        reason=reason,
    )


def notification_id(n: Notification) -> str | None:
    """The stable id of a customer notification: its kind and settled reference.

    The same name the ledger's outbox triggers give it (migration 0017).
    """
    return f"n:{n.kind}:{n.reff_id}" if n.reff_id else None


class Notifier(Protocol):
    """Delivers notifications; must not raise for a delivery problem (log it instead)."""

    def notify(self, n: Notification) -> None:
        """Tell the customer (or the owner) about `n`."""
        ...


class LoggingNotifier:
    """Writes notifications to the log only (no customer sees them)."""

    def notify(self, n: Notification) -> None:
        """Log the notification without personal data."""
        who = "owner" if n.customer_id is None else hash_id(n.customer_id)
        log.info("notification %s for %s (%s): %s", n.kind, who, n.reff_id, n.reason or "")
