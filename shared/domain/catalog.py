"""Products: supplier price-list items normalised and priced for customers.

`PriceListItem` reads one Atlantic `/layanan/price_list` item (every value arrives as a string;
`price` is a digit string, sometimes a number) and ignores unknown fields. `Product` is the
domain object the bot works with: code, name, category, type, provider, a coarse `group`
(Pulsa, Data, Games, E-Money, Streaming, Aplikasi, Voucher, PLN, Tagihan, Lainnya) used for
category searches and budget spreads, the supplier price, the sell price from the owner's
`MarkupRules`, status and note. `to_products(items, rules)` does both steps and skips items that
cannot be read (no code, no price) rather than failing the whole list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from shared.domain.aliases import aliases, fold
from shared.domain.pricing import MarkupRules

GROUPS = (
    "Pulsa",
    "Data",
    "Games",
    "E-Money",
    "Streaming",
    "Aplikasi",
    "Voucher",
    "PLN",
    "Tagihan",
    "Lainnya",
)
_CATEGORY_GROUP = {
    "pulsa": "Pulsa",
    "data": "Data",
    "internet": "Data",
    "game": "Games",
    "e-money": "E-Money",
    "emoney": "E-Money",
    "e-wallet": "E-Money",
    "streaming": "Streaming",
    "aplikasi": "Aplikasi",
    "membership": "Aplikasi",
    "voucher": "Voucher",
    "pln": "PLN",
}


class PriceListItem(BaseModel):
    """One supplier price-list item as it arrives (the string/number drift coerced here)."""

    model_config = ConfigDict(frozen=True, extra="ignore", coerce_numbers_to_str=True)

    code: str
    name: str = ""
    category: str = ""
    type: str = ""
    provider: str = ""
    price: int
    note: str = ""
    status: str = "available"

    @field_validator("price", mode="before")
    @classmethod
    def _digits(cls, value: object) -> object:
        if isinstance(value, str):
            digits = re.sub(r"[^\d]", "", value.split(",")[0])
            return int(digits) if digits else value
        return value

    @field_validator("code")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("empty code")
        return value.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Product:
    """A product the bot can quote; prices are integer rupiah."""

    code: str
    name: str
    category: str
    type: str
    provider: str
    group: str
    supplier_price: int
    sell_price: int
    status: str
    note: str

    @property
    def available(self) -> bool:
        """True when the supplier can sell it now (status `available`)."""
        return self.status == "available"

    def as_dict(self) -> dict[str, object]:
        """The CLI/tool shape: code, name, provider, category, price (= sell price), status."""
        return {
            "code": self.code,
            "name": self.name,
            "provider": self.provider,
            "category": self.category,
            "price": self.sell_price,
            "status": self.status,
        }


def product_group(*, category: str, type_: str, provider: str) -> str:
    """The coarse group of an item, from its provider when we know it, else its category."""
    known = aliases().group_of(provider)
    text = fold(f"{category} {type_}")
    if known == "operator":
        return "Pulsa" if "pulsa" in text else "Data"
    if known is not None:
        return known
    for needle, group in _CATEGORY_GROUP.items():
        if needle in text:
            return group
    return "Lainnya"


def to_product(item: PriceListItem, rules: MarkupRules) -> Product:
    """Normalise and price one item."""
    group = product_group(category=item.category, type_=item.type, provider=item.provider)
    sell = rules.sell_price(
        item.price, provider=item.provider, category=item.category, group=group
    )
    return Product(
        code=item.code,
        name=item.name.strip() or item.code,
        category=item.category,
        type=item.type,
        provider=item.provider,
        group=group,
        supplier_price=item.price,
        sell_price=sell,
        status="available" if item.status.strip().lower() == "available" else "empty",
        note=item.note,
    )


def to_products(items: Iterable[Mapping[str, object]], rules: MarkupRules) -> list[Product]:
    """Normalise and price a raw price list; unreadable items are skipped, duplicates dropped."""
    products: dict[str, Product] = {}
    for raw in items:
        try:
            item = PriceListItem.model_validate(raw)
        except ValidationError:
            continue
        products.setdefault(item.code.upper(), to_product(item, rules))
    return list(products.values())
