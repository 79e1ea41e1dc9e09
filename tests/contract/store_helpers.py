"""Small builders shared by the store contract tests."""

from __future__ import annotations

import uuid

from shared.store import Store


def new_customer(store: Store) -> str:
    """A fresh customer (unique phone) with an empty wallet."""
    return store.resolve_customer(phone="62" + str(uuid.uuid4().int)[:11]).customer_id


def fund(store: Store, customer_id: str, amount: int) -> None:
    """Credit the wallet through a real deposit."""
    deposit = store.create_deposit(customer_id, amount)
    assert deposit.reff_id is not None
    assert store.credit_deposit(deposit.reff_id, amount).outcome == "done"


def topup_quote(store: Store, customer_id: str, amount: int, **kw: object) -> tuple[str, str]:
    """An open top-up quote; returns (quote_id, reff_id)."""
    quote = store.create_quote(
        customer_id=customer_id,
        kind="topup",
        payload={"code": "ML10", "name": "MOBILELEGEND - 10 Diamond", "target": "12345(678)"},
        amount=amount,
        supplier_price=amount - 500,
        **kw,  # type: ignore[arg-type]
    )
    return quote.id, quote.reff_id
