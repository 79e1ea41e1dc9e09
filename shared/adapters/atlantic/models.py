"""Typed Atlantic responses that absorb the provider's drift.

The real API mixes strings and numbers for money inside one object, says `status: "true"` on some
endpoints, `ref_id` or `reff_id`, and `null` where a string will come later. These frozen models
coerce all of that once, here: money becomes `int` rupiah, ids become `str`, unknown fields are
ignored so a new field never breaks us.
"""

from __future__ import annotations

import math
import re
from typing import Annotated

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field

from shared.messages import strip_controls

_AMOUNT = re.compile(r"[0-9]{1,13}(?:\.0+)?")
MAX_AMOUNT = 10**13
"""No rupiah amount from the supplier is this large; bounding the text bounds the work."""
_MAX_TEXT = 24


class UnreadableAmount(ValueError):
    """A money field that is not whole rupiah digits: the answer cannot be trusted."""


def _to_int(value: object) -> int:
    r"""Whole rupiah: an integer, or text `\d+(\.0+)?` (`"100113"`, `"19580.00"`).

    Anything else (`"19.580"`, `"Rp 19.580"`, `"1e3"`, a fraction, a sign, non-ASCII digits,
    absurdly long text) is unreadable, never guessed: dropping separators once turned
    `"19580.00"` into Rp 1.958.000.
    """
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise UnreadableAmount("a boolean is not an amount")
    if isinstance(value, int):
        if not 0 <= value < MAX_AMOUNT:
            raise UnreadableAmount("amount out of range")
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or not 0 <= value < MAX_AMOUNT:
            raise UnreadableAmount("amounts are whole rupiah")
        return int(value)
    if isinstance(value, str) and len(value) <= _MAX_TEXT:
        text = value.strip()
        if _AMOUNT.fullmatch(text):
            return int(text.partition(".")[0])
    raise UnreadableAmount(f"not an amount: {str(value)[:20]!r}")


def _to_str(value: object) -> str:
    return "" if value is None else strip_controls(str(value))


def _to_opt_str(value: object) -> str | None:
    return None if value is None or value == "" else strip_controls(str(value))


Money = Annotated[int, BeforeValidator(_to_int)]
Text = Annotated[str, BeforeValidator(_to_str)]
OptText = Annotated[str | None, BeforeValidator(_to_opt_str)]
_REFF = AliasChoices("reff_id", "ref_id")


class AtlanticModel(BaseModel):
    """Base of every provider payload: frozen, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class Envelope(AtlanticModel):
    """`{"status": bool|"true", "message"?, "data"?, "code"?}`."""

    status: object = False
    message: Text = ""
    data: object = None
    code: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the supplier said yes (boolean or string)."""
        return self.status in (True, "true", "True", 1, "1")


class Profile(AtlanticModel):
    """`/get_profile` data."""

    name: Text = ""
    username: Text = ""
    email: Text = ""
    phone: Text = ""
    balance: Money = 0
    status: Text = ""


class PriceItem(AtlanticModel):
    """One `/layanan/price_list` item (prepaid; postpaid items use the same fields)."""

    code: Text
    name: Text = ""
    category: Text = ""
    type: Text = ""
    provider: Text = ""
    price: Money = 0
    note: Text = ""
    status: Text = "available"
    img_url: Text = ""

    @property
    def available(self) -> bool:
        """False for sold-out (`empty`) items."""
        return self.status.lower() == "available"


class Transaction(AtlanticModel):
    """`/transaksi/create` and `/transaksi/status` data (prepaid or postpaid)."""

    id: Text = ""
    reff_id: Text = Field(default="", validation_alias=_REFF)
    layanan: Text = ""
    code: Text = ""
    target: Text = ""
    price: Money = 0
    sn: OptText = None
    status: Text = "pending"
    message: OptText = None
    created_at: OptText = None


class Bill(AtlanticModel):
    """`/transaksi/tagihan` data: the inquiry of a postpaid bill."""

    reff_id: Text = Field(default="", validation_alias=_REFF)
    nomor_pelanggan: Text = ""
    nama_pelanggan: Text = ""
    code: Text = ""
    harga: Money = 0
    biaya_admin: Money = 0
    total_tagihan: Money = 0
    detail: object = None


class BillPayment(AtlanticModel):
    """`/transaksi/tagihan/bayar` data; the official example carries no `id`."""

    id: Text = ""
    reff_id: Text = Field(default="", validation_alias=_REFF)
    nomor_pelanggan: Text = ""
    nama_pelanggan: Text = ""
    code: Text = ""
    harga: Money = 0
    sn: OptText = None
    status: Text = "pending"
    created_at: OptText = None


class DepositMethod(AtlanticModel):
    """One `/deposit/metode` item (JSON types unknown upstream: both accepted)."""

    metode: Text
    type: Text = ""
    name: Text = ""
    min: Money = 0
    max: Money = 0
    fee: Money = 0
    fee_persen: Text = "0"
    status: Text = ""
    img_url: Text = ""


class Deposit(AtlanticModel):
    """`/deposit/create`, `/deposit/status` and `/deposit/cancel` data."""

    id: Text = ""
    reff_id: Text = Field(default="", validation_alias=_REFF)
    nominal: Money = 0
    tambahan: Money = 0
    fee: Money = 0
    get_balance: Money | None = None
    metode: OptText = None
    qr_string: OptText = None
    qr_image: OptText = None
    tujuan: OptText = None
    nomor_va: OptText = None
    atas_nama: OptText = None
    url: OptText = None
    status: Text = "pending"
    created_at: OptText = None
    expired_at: OptText = None


class DepositInstant(AtlanticModel):
    """`/deposit/instant` data: the handling-fee quote (action=false) or the settlement."""

    id: Text = ""
    reff_id: Text = Field(default="", validation_alias=_REFF)
    nominal: Money = 0
    penanganan: Money = 0
    total_fee: Money = 0
    total_diterima: Money = 0
    status: Text = ""
    created_at: OptText = None


class Bank(AtlanticModel):
    """One `/transfer/bank_list` item."""

    id: Text = ""
    bank_code: Text
    bank_name: Text = ""
    type: Text = "bank"


class AccountCheck(AtlanticModel):
    """`/transfer/cek_rekening` data."""

    kode_bank: Text = ""
    nomor_akun: Text = ""
    nama_pemilik: Text = ""
    status: Text = ""

    @property
    def valid(self) -> bool:
        """Whether the supplier found the account."""
        return self.status.lower() == "valid"


class Transfer(AtlanticModel):
    """`/transfer/create`, `/transfer/status` and the `transfer` webhook data."""

    id: Text = ""
    reff_id: Text = Field(default="", validation_alias=_REFF)
    nama: Text = ""
    nomor_tujuan: Text = ""
    nominal: Money = 0
    fee: Money = 0
    total: Money | None = None
    bank_code: OptText = None
    status: Text = "pending"
    created_at: OptText = None


class Webhook(AtlanticModel):
    """The callback envelope `{"event", "status", "data"}`."""

    event: Text
    status: Text = ""
    data: dict[str, object]
