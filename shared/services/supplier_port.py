"""The supplier as services see it: lookups in the internal vocabulary, nothing Atlantic-shaped.

`shared.adapters.atlantic.AtlanticClient` implements it (against the real API or the sandbox);
tests may pass any object with these methods.
"""

from __future__ import annotations

from typing import Literal, Protocol

from shared.domain.supplier_status import SupplierEvent

PriceListType = Literal["prabayar", "pascabayar"]


class Supplier(Protocol):
    """Read the supplier's view of our operations; settle paid QRIS deposits."""

    def order_state(self, *, supplier_id: str, reff_id: str, bill: bool = False) -> SupplierEvent:
        """Where a prepaid order (or postpaid bill payment) stands."""
        ...

    def deposit_state(self, *, supplier_id: str, reff_id: str) -> SupplierEvent:
        """Where a deposit stands."""
        ...

    def transfer_state(self, *, supplier_id: str, reff_id: str) -> SupplierEvent:
        """Where a transfer stands."""
        ...

    def settle_deposit_now(self, supplier_id: str) -> None:
        """Ask the supplier to settle a paid (`processing`) QRIS deposit at once."""
        ...

    def balance(self) -> int:
        """The supplier account balance in rupiah."""
        ...

    def price_items(self, type_: PriceListType) -> list[dict[str, object]]:
        """One price list as plain dicts (price as int rupiah)."""
        ...
