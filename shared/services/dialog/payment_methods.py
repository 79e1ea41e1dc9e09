"""Deposit (payment) methods as the supplier lists them (`/deposit/metode`), their fees and limits.

`available` reads the active methods (cached for a few minutes); `pick` finds the one the
customer named (`via bca va`, `pake dana`, `lewat ovo`, `qris`); `to_cover` is the smallest
deposit whose credit still covers a shortfall after that method's fees, so the amount a quote
card promises is computed once and is exactly the invoice that will be shown.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from shared.domain.aliases import words
from shared.wiring import Components

DEFAULT_METHOD = "qris"
METHODS_KEY = "deposit:methods"
METHODS_TTL_SECONDS = 600
MIN_DEPOSIT = 1_000
ROUND_TO = 500
# A paid plain-QRIS deposit is credited through `/deposit/instant`, whose handling fee is only
# known once it is paid (the docs' example: Rp 361 on Rp 25,000, 1.44 %): allow for 1.5 %.
INSTANT_ALLOWANCE = Decimal("1.5")
_ACTIVE = {"aktif", "active", ""}


@dataclass(frozen=True, kw_only=True)
class Method:
    """One deposit method: its code for `/deposit/create`, its limits and fees."""

    code: str
    type: str
    name: str
    min: int
    max: int
    flat_fee: int
    percent_fee: str

    @property
    def label(self) -> str:
        """How the customer reads it (`QRIS`, `BCA Virtual Account`)."""
        return self.name or self.code.upper()

    @property
    def is_qris(self) -> bool:
        """Paid by scanning a QR code (`qris`, `qrisfast`)."""
        return self.code.lower().startswith("qris")

    @property
    def lowest(self) -> int:
        """The smallest deposit we open with this method."""
        return max(self.min, MIN_DEPOSIT)

    @property
    def percent(self) -> Decimal:
        """The percentage fee (plain QRIS: with its instant fee)."""
        percent = _decimal(self.percent_fee)
        return percent + INSTANT_ALLOWANCE if self.code == DEFAULT_METHOD else percent

    def fee(self, nominal: int) -> int:
        """What the supplier keeps of a paid deposit of `nominal`."""
        return self.flat_fee + math.ceil(Decimal(nominal) * self.percent / 100)

    def credit(self, nominal: int) -> int:
        """What reaches the saldo from a paid deposit of `nominal`."""
        return nominal - self.fee(nominal)


def _decimal(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().rstrip("%") or "0")
    except InvalidOperation:
        return Decimal(0)
    return value if value.is_finite() and value >= 0 else Decimal(0)


def available(components: Components) -> list[Method]:
    """The supplier's active deposit methods (cached); raises `SupplierError` when unreachable."""
    raw = components.cache.get(METHODS_KEY)
    if raw is not None:
        return [Method(**item) for item in json.loads(raw)]
    methods = [
        Method(
            code=m.metode,
            type=m.type or "ewallet",
            name=m.name,
            min=m.min,
            max=m.max,
            flat_fee=m.fee,
            percent_fee=m.fee_persen,
        )
        for m in components.supplier.deposit_methods()
        if m.status.lower() in _ACTIVE
    ]
    components.cache.set(
        METHODS_KEY, json.dumps([asdict(m) for m in methods]), ttl_seconds=METHODS_TTL_SECONDS
    )
    return methods


def pick(methods: list[Method], said: str | None) -> Method | None:
    """The method the customer named (None said: QRIS), or None when none fits.

    The code is matched first (`qris` is not `qrisfast`), then a word of the name (`bca` is
    "BCA Virtual Account", `dana` is "E-Wallet DANA").
    """
    wanted = (said or DEFAULT_METHOD).strip().lower()
    candidates = [wanted, *words(wanted)]  # "pake bca aja": each word is tried too
    for candidate in candidates:
        for method in methods:
            if method.code.lower() == candidate:
                return method
    for candidate in candidates:
        for method in methods:
            if candidate in words(method.name) and not method.is_qris:
                return method
    return None


def to_cover(method: Method, shortfall: int) -> int:
    """The smallest deposit (a multiple of Rp 500) whose credit covers `shortfall`."""
    kept = min(method.percent, Decimal(50)) / 100
    estimate = math.ceil((shortfall + method.flat_fee) / (1 - kept))
    nominal = max(method.lowest, -(-estimate // ROUND_TO) * ROUND_TO)
    while method.credit(nominal) < shortfall:
        nominal += ROUND_TO
    return nominal
