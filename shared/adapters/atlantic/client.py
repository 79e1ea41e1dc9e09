"""The Atlantic H2H client: every endpoint, typed results, and the lookups services need.

Build it once per process (`AtlanticClient.build(...)` or with an injected `httpx.Client`) and
share it; it is thread-safe because `httpx.Client` is. Creates (`create_transaction`,
`pay_bill`, `create_deposit`, `deposit_instant(action=True)`, `create_transfer`) are sent exactly
once; everything else is retried on transient failures. See `transport.py` for the outcome table.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Literal, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from shared.adapters.atlantic.models import (
    AccountCheck,
    Bank,
    Bill,
    BillPayment,
    Deposit,
    DepositInstant,
    DepositMethod,
    PriceItem,
    Profile,
    Transaction,
    Transfer,
    UnreadableAmount,
)
from shared.adapters.atlantic.status import map_status
from shared.adapters.atlantic.transport import Transport, make_http_client
from shared.domain.supplier_status import SupplierEvent
from shared.errors import SupplierTimeout, SupplierUnavailable, SupplierUnreadable

log = logging.getLogger(__name__)

PriceListType = Literal["prabayar", "pascabayar"]
M = TypeVar("M", bound=BaseModel)


def _one(model: type[M], data: object, path: str, *, create: bool = False) -> M:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        if _unreadable_amount(exc):
            # It answered, with money we cannot trust: never guessed, never moved on.
            raise SupplierUnreadable(f"atlantic {path}: an amount is not whole rupiah") from exc
        # A 200 we cannot read: for a create, we do not know what happened.
        kind = SupplierTimeout if create else SupplierUnavailable
        raise kind(f"atlantic {path}: unexpected data ({exc.error_count()} problems)") from exc


def _unreadable_amount(exc: ValidationError) -> bool:
    return any(
        isinstance(error.get("ctx", {}).get("error"), UnreadableAmount) for error in exc.errors()
    )


def _many(model: type[M], data: object, path: str) -> list[M]:
    """Every readable item; unreadable ones are left out (a list of none at all raises)."""
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    readable: list[M] = []
    for item in items:
        try:
            readable.append(_one(model, item, path))
        except (SupplierUnreadable, SupplierUnavailable) as exc:
            log.warning("%s; item left out", exc)
    if items and not readable:
        raise SupplierUnavailable(f"atlantic {path}: no readable item in {len(items)}")
    return readable


class AtlanticClient:
    """Typed calls to every Atlantic endpoint (atlantic-h2h.md §2)."""

    def __init__(
        self,
        http: httpx.Client,
        api_key: str,
        *,
        read_retries: int = 2,
        retry_backoff: float = 0.5,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        extra = {} if sleep is None else {"sleep": sleep}
        self._t = Transport(
            http, api_key, read_retries=read_retries, retry_backoff=retry_backoff, **extra
        )
        self._http = http

    @classmethod
    def build(cls, base_url: str, api_key: str, *, timeout_seconds: float) -> AtlanticClient:
        """A client with its own pooled `httpx.Client`."""
        return cls(make_http_client(base_url, timeout_seconds), api_key)

    def __repr__(self) -> str:
        return f"AtlanticClient(base_url={str(self._http.base_url)!r})"

    def close(self) -> None:
        """Close the pooled connections."""
        self._http.close()

    # --- account and catalogue ----------------------------------------------------------------
    def get_profile(self) -> Profile:
        """Account name, username and balance (the owner's supplier saldo)."""
        return _one(Profile, self._t.read("/get_profile"), "/get_profile")

    def price_list(self, type_: PriceListType, code: str | None = None) -> list[PriceItem]:
        """The prepaid or postpaid price list, or one product when `code` is given."""
        fields = {"type": type_} | ({"code": code} if code else {})
        return _many(PriceItem, self._t.read("/layanan/price_list", fields), "/price_list")

    # --- prepaid ------------------------------------------------------------------------------
    def create_transaction(
        self, *, code: str, reff_id: str, target: str, limit_price: int | None = None
    ) -> Transaction:
        """Buy a prepaid product; usually answers `pending`. Never retried."""
        fields = {"code": code, "reff_id": reff_id, "target": target}
        if limit_price is not None:
            fields["limit_price"] = str(limit_price)
        data = self._t.create("/transaksi/create", fields, reff_id=reff_id)
        return _one(Transaction, data, "/transaksi/create", create=True)

    def transaction_status(self, id_: str, type_: PriceListType = "prabayar") -> Transaction:
        """Status of a prepaid or postpaid transaction by its Atlantic id."""
        data = self._t.read("/transaksi/status", {"id": id_, "type": type_})
        return _one(Transaction, data, "/transaksi/status")

    # --- postpaid -----------------------------------------------------------------------------
    def inquire_bill(self, *, code: str, reff_id: str, customer_no: str) -> Bill:
        """Look up a bill; the same `reff_id` must be used to pay it."""
        fields = {"code": code, "reff_id": reff_id, "customer_no": customer_no}
        return _one(Bill, self._t.read("/transaksi/tagihan", fields), "/transaksi/tagihan")

    def pay_bill(self, *, code: str, reff_id: str, customer_no: str) -> BillPayment:
        """Pay an inquired bill (same `reff_id` as the inquiry). Never retried."""
        fields = {"code": code, "reff_id": reff_id, "customer_no": customer_no}
        data = self._t.create("/transaksi/tagihan/bayar", fields, reff_id=reff_id)
        return _one(BillPayment, data, "/transaksi/tagihan/bayar", create=True)

    # --- deposits -----------------------------------------------------------------------------
    def deposit_methods(
        self, type_: str | None = None, metode: str | None = None
    ) -> list[DepositMethod]:
        """Top-up methods with their limits and fees."""
        fields = ({"type": type_} if type_ else {}) | ({"metode": metode} if metode else {})
        return _many(DepositMethod, self._t.read("/deposit/metode", fields), "/deposit/metode")

    def create_deposit(
        self, *, reff_id: str, nominal: int, metode: str = "qris", type_: str = "ewallet"
    ) -> Deposit:
        """Open a top-up invoice (QRIS by default). Never retried."""
        fields = {"reff_id": reff_id, "nominal": str(nominal), "type": type_, "metode": metode}
        data = self._t.create("/deposit/create", fields, reff_id=reff_id)
        return _one(Deposit, data, "/deposit/create", create=True)

    def deposit_status(self, id_: str) -> Deposit:
        """Status of a deposit by its Atlantic id."""
        return _one(Deposit, self._t.read("/deposit/status", {"id": id_}), "/deposit/status")

    def deposit_instant(self, id_: str, *, action: bool) -> DepositInstant:
        """Settle a paid (`processing`) QRIS deposit now, or with `action=False` quote the fee."""
        fields = {"id": id_, "action": "true" if action else "false"}
        if action:
            data = self._t.create("/deposit/instant", fields, reff_id=id_)
        else:
            data = self._t.read("/deposit/instant", fields)
        return _one(DepositInstant, data, "/deposit/instant", create=action)

    def cancel_deposit(self, id_: str) -> Deposit:
        """Cancel an unpaid deposit."""
        return _one(Deposit, self._t.read("/deposit/cancel", {"id": id_}), "/deposit/cancel")

    # --- transfers ----------------------------------------------------------------------------
    def bank_list(self) -> list[Bank]:
        """Payout destinations: banks and e-wallets."""
        return _many(Bank, self._t.read("/transfer/bank_list"), "/transfer/bank_list")

    def check_account(self, *, bank_code: str, account_number: str) -> AccountCheck:
        """The (masked) owner name of an account; `SupplierRejected` when not found."""
        fields = {"bank_code": bank_code, "account_number": account_number}
        data = self._t.read("/transfer/cek_rekening", fields)
        return _one(AccountCheck, data, "/transfer/cek_rekening")

    def create_transfer(
        self,
        *,
        ref_id: str,
        bank_code: str,
        account_number: str,
        account_name: str,
        nominal: int,
        email: str = "",
        phone: str = "",
        note: str = "",
    ) -> Transfer:
        """Send money out (fee on top). Uses `ref_id` (single f), as Atlantic requires."""
        fields = {
            "ref_id": ref_id,
            "kode_bank": bank_code,
            "nomor_akun": account_number,
            "nama_pemilik": account_name,
            "nominal": str(nominal),
        } | {k: v for k, v in (("email", email), ("phone", phone), ("note", note)) if v}
        data = self._t.create("/transfer/create", fields, reff_id=ref_id)
        return _one(Transfer, data, "/transfer/create", create=True)

    def transfer_status(self, id_or_reff: str) -> Transfer:
        """Status of a transfer by Atlantic id or by our reff_id."""
        data = self._t.read("/transfer/status", {"id": id_or_reff})
        return _one(Transfer, data, "/transfer/status")

    # --- the `Supplier` port of shared.services.supplier_port ----------------------------------
    def balance(self) -> int:
        """The supplier account balance in rupiah."""
        return self.get_profile().balance

    def price_items(self, type_: PriceListType) -> list[dict[str, object]]:
        """One price list as plain dicts (price as int rupiah), for caches."""
        return [item.model_dump() for item in self.price_list(type_)]

    def submit_order(
        self, *, code: str, reff_id: str, target: str, limit_price: int | None, bill: bool
    ) -> SupplierEvent:
        """Buy (prepaid) or pay an inquired bill (postpaid, same reff_id as the inquiry)."""
        if bill:
            paid = self.pay_bill(code=code, reff_id=reff_id, customer_no=target)
            raw, sn, price, id_ = paid.status, paid.sn, paid.harga, paid.id
        else:
            tx = self.create_transaction(
                code=code, reff_id=reff_id, target=target, limit_price=limit_price
            )
            raw, sn, price, id_ = tx.status, tx.sn, tx.price, tx.id
        kind: Literal["order", "bill"] = "bill" if bill else "order"
        return SupplierEvent(
            kind=kind,
            supplier_id=id_,
            reff_id=reff_id,
            status=map_status(kind, raw),
            raw_status=raw,
            sn=sn,
            price=price or None,
        )

    def settle_deposit_now(self, supplier_id: str) -> None:
        """Settle a paid (`processing`) QRIS deposit: `/deposit/instant` with action=true."""
        self.deposit_instant(supplier_id, action=True)

    def order_state(self, *, supplier_id: str, reff_id: str, bill: bool = False) -> SupplierEvent:
        """Where a prepaid order or bill payment stands.

        Without an Atlantic id (the create timed out) the reff_id is tried; a supplier that does
        not accept it answers `SupplierRejected`, which the caller treats as "still unknown".
        """
        tx = self.transaction_status(supplier_id or reff_id, "pascabayar" if bill else "prabayar")
        kind: Literal["order", "bill"] = "bill" if bill else "order"
        return SupplierEvent(
            kind=kind,
            supplier_id=tx.id or supplier_id,
            reff_id=tx.reff_id or reff_id,
            status=map_status(kind, tx.status),
            raw_status=tx.status,
            sn=tx.sn,
            price=tx.price or None,
            message=tx.message,
        )

    def deposit_state(self, *, supplier_id: str, reff_id: str) -> SupplierEvent:
        """Where a deposit stands (needs the Atlantic id)."""
        dep = self.deposit_status(supplier_id)
        return SupplierEvent(
            kind="deposit",
            supplier_id=dep.id or supplier_id,
            reff_id=dep.reff_id or reff_id,
            status=map_status("deposit", dep.status),
            raw_status=dep.status,
            amount=dep.nominal,
            credit=dep.get_balance,
            fee=dep.fee,
        )

    def transfer_state(self, *, supplier_id: str, reff_id: str) -> SupplierEvent:
        """Where a transfer stands (Atlantic id or reff_id)."""
        tr = self.transfer_status(supplier_id or reff_id)
        return SupplierEvent(
            kind="transfer",
            supplier_id=tr.id or supplier_id,
            reff_id=tr.reff_id or reff_id,
            status=map_status("transfer", tr.status),
            raw_status=tr.status,
            amount=tr.nominal,
            fee=tr.fee,
        )
