"""The Prices page: markup rules, a sell-price preview, sold-out items, price list freshness.

Changes are made by the same functions as the WhatsApp `/markup` command
(`shared.services.admin.markup_rules_with` / `bill_fee_rules_with`), so the console cannot
accept a rule the bot would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from shared.domain.catalog import GROUPS, Product
from shared.domain.money_text import parse_amount
from shared.domain.pricing import MarkupRules
from shared.services.admin import MarkupScope, bill_fee_rules_with, markup_rules_with
from shared.wiring import Components

INVALID = "Nilainya belum pas: persen 0–100, biaya tagihan 0–100.000, dan nama wajib diisi."
PER_GROUP = 3
SOLD_OUT_SHOWN = 20
SCOPES: dict[str, str] = {
    "global": "Semua produk (global)",
    "categories": "Satu kategori",
    "providers": "Satu provider",
    "bill": "Biaya per tagihan (Rp)",
}


@dataclass(frozen=True, kw_only=True)
class Change:
    """A markup change as the owner typed it."""

    scope: str = "global"
    name: str = ""
    value: str = ""

    @classmethod
    def from_form(cls, form: Mapping[str, str]) -> Change:
        """Read the change form's fields."""
        scope = form.get("scope", "global")
        return cls(
            scope=scope if scope in SCOPES else "global",
            name=form.get("name", "").strip()[:60],
            value=form.get("value", "").strip()[:20],
        )

    def apply(self, rules: MarkupRules) -> MarkupRules:
        """The rules after this change.

        Raises:
            ValueError: the value is not a percent 0–100 (a fee 0–100.000 for bills), or a
                category/provider change has no name.
        """
        if self.scope == "bill":
            fee = parse_amount(self.value) if self.value not in {"0", "nol"} else 0
            if fee is None:
                raise ValueError("not an amount")
            return bill_fee_rules_with(rules, fee)
        try:
            percent = Decimal(self.value.rstrip("%").replace(",", "."))
        except InvalidOperation:
            raise ValueError("not a percent") from None
        scope: MarkupScope = self.scope  # type: ignore[assignment]
        return markup_rules_with(rules, scope, self.name, percent)


@dataclass(frozen=True, kw_only=True)
class PreviewRow:
    """One sample product: supplier price, sell price now, sell price after the change."""

    product: Product
    now: int
    after: int

    @property
    def changed(self) -> bool:
        """The change moves this product's price."""
        return self.now != self.after


def samples(products: Sequence[Product], per_group: int = PER_GROUP) -> list[Product]:
    """A few available products per group (cheapest, middle, dearest), in group order."""
    picked: list[Product] = []
    for group in GROUPS:
        members = sorted(
            (p for p in products if p.group == group and p.available),
            key=lambda p: (p.supplier_price, p.code),
        )
        if len(members) <= per_group:
            picked.extend(members)
            continue
        step = (len(members) - 1) / (per_group - 1)
        picked.extend(members[round(i * step)] for i in range(per_group))
    return picked


def preview(products: Sequence[Product], now: MarkupRules, after: MarkupRules) -> list[PreviewRow]:
    """Sell prices of the sample products under the rules in force and the proposed ones."""

    def price(rules: MarkupRules, p: Product) -> int:
        return rules.sell_price(
            p.supplier_price, provider=p.provider, category=p.category, group=p.group
        )

    return [PreviewRow(product=p, now=price(now, p), after=price(after, p)) for p in products]


def sold_out(products: Sequence[Product]) -> list[Product]:
    """Products the supplier cannot sell now, by group and name."""
    return sorted((p for p in products if not p.available), key=lambda p: (p.group, p.name))


def catalog_products(components: Components) -> list[Product]:
    """The live catalogue's products (priced with the rules in force)."""
    return list(components.catalog.catalog().products)
