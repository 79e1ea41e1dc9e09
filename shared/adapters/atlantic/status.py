"""Atlantic's status words mapped to the internal `SupplierStatus` vocabulary.

Unknown words map to PENDING (logged once per call site): an unfamiliar answer is an ambiguous
answer, and ambiguous outcomes are never refunded on a guess.
"""

from __future__ import annotations

import logging

from shared.domain.supplier_status import OperationKind, SupplierStatus

log = logging.getLogger(__name__)

_COMMON: dict[str, SupplierStatus] = {
    "pending": SupplierStatus.PENDING,
    "success": SupplierStatus.SUCCESS,
    "sukses": SupplierStatus.SUCCESS,
    "berhasil": SupplierStatus.SUCCESS,
    "failed": SupplierStatus.FAILED,
    "gagal": SupplierStatus.FAILED,
    # `error` comes with a `message` in the data of a status answer: the supplier itself says
    # the operation did not go through, which is a definite failure, not a transport problem.
    "error": SupplierStatus.FAILED,
}

_BY_KIND: dict[OperationKind, dict[str, SupplierStatus]] = {
    # A prepaid "processing" is still in progress; a cancelled purchase is a failed one.
    "order": {
        **_COMMON,
        "processing": SupplierStatus.PENDING,
        "proses": SupplierStatus.PENDING,
        "cancel": SupplierStatus.FAILED,
    },
    "bill": {**_COMMON, "processing": SupplierStatus.PENDING, "cancel": SupplierStatus.FAILED},
    "deposit": {
        **_COMMON,
        "processing": SupplierStatus.PROCESSING,
        "expired": SupplierStatus.EXPIRED,
        "cancel": SupplierStatus.CANCELLED,
        "canceled": SupplierStatus.CANCELLED,
        "cancelled": SupplierStatus.CANCELLED,
    },
    "transfer": {**_COMMON, "processing": SupplierStatus.PENDING},
}


def map_status(kind: OperationKind, raw: str | None) -> SupplierStatus:
    """The internal status for Atlantic's word `raw` about an operation of `kind`."""
    word = (raw or "").strip().lower()
    status = _BY_KIND[kind].get(word)
    if status is None:
        log.warning("unknown atlantic %s status %r: treated as pending", kind, word)
        return SupplierStatus.PENDING
    return status
