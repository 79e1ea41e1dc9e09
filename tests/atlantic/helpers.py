"""Builders shared by the Atlantic tests (imported as `atlantic.helpers`)."""

from __future__ import annotations

import uuid

from shared.services.notifications import Notification
from shared.store import Store


class RecordingNotifier:
    """Keeps every notification, in order."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def notify(self, n: Notification) -> None:
        self.sent.append(n)

    def kinds(self, reff_id: str | None = None) -> list[str]:
        return [n.kind for n in self.sent if reff_id is None or n.reff_id == reff_id]


def new_customer(store: Store) -> str:
    return store.resolve_customer(phone="62" + str(uuid.uuid4().int)[:11]).customer_id


def fund(store: Store, customer_id: str, amount: int) -> None:
    deposit = store.create_deposit(customer_id, amount)
    assert deposit.reff_id is not None
    assert store.credit_deposit(deposit.reff_id, amount).outcome == "done"


def placed_order(
    store: Store, customer_id: str, *, code: str, target: str, price: int, supplier_price: int
) -> str:
    """A confirmed top-up order holding `price`; returns its reff_id."""
    quote = store.create_quote(
        customer_id=customer_id,
        kind="topup",
        payload={"code": code, "name": code, "target": target},
        amount=price,
        supplier_price=supplier_price,
    )
    assert store.place_order(quote.id, customer_id).outcome == "done"
    return quote.reff_id
