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


class DictCache:
    """Just enough of the `Cache` port for the jobs (set with nx, get); no expiry."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(
        self, key: str, value: str, *, ttl_seconds: float | None = None, nx: bool = False
    ) -> bool:
        if nx and key in self.values:
            return False
        self.values[key] = value
        return True


def transfer_reff(store: Store, customer_id: str, *, bank: str, account: str, nominal: int) -> str:
    """A held transfer (nominal + Rp 2,000 fee); returns its reff_id."""
    quote = store.create_quote(
        customer_id=customer_id,
        kind="transfer",
        payload={"bank_code": bank, "account_number": account, "nominal": nominal, "fee": 2_000},
        amount=nominal + 2_000,
    )
    assert store.hold_transfer(quote.id, customer_id).outcome == "done"
    return quote.reff_id
