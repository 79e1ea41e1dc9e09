"""One internal vocabulary for supplier outcomes, with the labels a customer reads.

Atlantic speaks several status dialects (transaksi, deposit, transfer; `cancel` vs `cancelled`,
`error`, unknown words). Adapters map them to `SupplierStatus` once; everything else reasons in
these values. A `SupplierEvent` is what the supplier told us about one operation, from a webhook
or a status lookup, with money already coerced to integer rupiah.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal


class SupplierStatus(enum.StrEnum):
    """Where an operation stands at the supplier."""

    PENDING = "pending"
    """Accepted and in progress, or an unknown word: never final, never refunded."""
    PROCESSING = "processing"
    """Deposits only: paid by the customer, funds held until settled (plain QRIS)."""
    SUCCESS = "success"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True when nothing will change any more at the supplier."""
        return self in _FINAL

    @property
    def label(self) -> str:
        """A short, friendly Indonesian description for the customer."""
        return LABELS[self]


_FINAL = frozenset(
    {
        SupplierStatus.SUCCESS,
        SupplierStatus.FAILED,
        SupplierStatus.EXPIRED,
        SupplierStatus.CANCELLED,
    }
)

LABELS: dict[SupplierStatus, str] = {
    SupplierStatus.PENDING: "lagi diproses",
    SupplierStatus.PROCESSING: "pembayaran sudah masuk, lagi dicairkan",
    SupplierStatus.SUCCESS: "berhasil",
    SupplierStatus.FAILED: "gagal",
    SupplierStatus.EXPIRED: "sudah kedaluwarsa",
    SupplierStatus.CANCELLED: "dibatalkan",
}

OperationKind = Literal["order", "bill", "deposit", "transfer"]


@dataclass(frozen=True, kw_only=True)
class SupplierEvent:
    """What the supplier reports about one operation (a webhook or a status lookup).

    Attributes:
        kind: order (prepaid), bill (postpaid payment), deposit or transfer.
        supplier_id: the supplier's id of the operation ("" when it did not give one).
        reff_id: our reference, echoed back.
        status: the mapped status.
        raw_status: the supplier's own word, for logs.
        sn: serial number or PLN token (orders and bills).
        price: what the supplier charged (orders, bills).
        amount: deposit nominal or transfer nominal.
        credit: the amount a deposit credits (`get_balance`), when known.
        fee: supplier fee (deposits, transfers).
        message: a reason the supplier gave, if any.
    """

    kind: OperationKind
    supplier_id: str
    reff_id: str
    status: SupplierStatus
    raw_status: str = ""
    sn: str | None = None
    price: int | None = None
    amount: int | None = None
    credit: int | None = None
    fee: int | None = None
    message: str | None = None
