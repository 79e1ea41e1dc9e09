"""The owner's markup rules and the sell price they give.

    sell = round_up(supplier + ceil(supplier * percent / 100) + flat, step)

Postpaid bills are different: the supplier's total is a bill the customer owes, so a percent of
it would be an odd price. The owner adds one flat `bill_fee` per bill instead, on top of the
supplier's total (which already includes the supplier's own admin fee), with no rounding.

`MarkupRules` holds a global `percent` and `flat`, optional overrides per category (matched
against the product's category or group, e.g. "Games", "Pulsa Reguler", "Pulsa") and per
provider ("TELKOMSEL", "MOBILE LEGENDS"), and the rounding `step` (Rp 100, Rp 500, …). A
provider override beats a category override, which beats the global rule. Keys match without
regard to case.

The rules are stored as JSON in the store's settings under `SETTING_KEY` (`"markup_rules"`), e.g.

    {"percent": "3", "flat": 500, "step": 100, "bill_fee": 1500,
     "categories": {"Games": {"percent": "5"}}, "providers": {"PLN": {"flat": 1000}}}

so the owner can change them at run time. Money stays integer rupiah: the percent is a
`Decimal` and every rounding goes up, so the margin is never less than the rule says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

SETTING_KEY = "markup_rules"


class Markup(BaseModel):
    """One markup: a percent of the supplier price plus a flat amount in rupiah."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: Decimal = Field(default=Decimal(0), ge=0, le=100)
    flat: int = Field(default=0, ge=0, le=1_000_000)

    def apply(self, supplier_price: int) -> int:
        """Supplier price plus this markup, in whole rupiah (fractions round up)."""
        margin = math.ceil(Decimal(supplier_price) * self.percent / 100)
        return supplier_price + margin + self.flat


class MarkupRules(BaseModel):
    """The whole rule set; `MarkupRules()` is the default used when nothing is stored."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    percent: Decimal = Field(default=Decimal(2), ge=0, le=100)
    flat: int = Field(default=500, ge=0, le=1_000_000)
    step: int = Field(default=100, ge=1, le=100_000)
    bill_fee: int = Field(default=1_000, ge=0, le=100_000)
    categories: Mapping[str, Markup] = Field(default_factory=dict)
    providers: Mapping[str, Markup] = Field(default_factory=dict)

    @field_validator("categories", "providers")
    @classmethod
    def _casefold_keys(cls, value: Mapping[str, Markup]) -> dict[str, Markup]:
        return {key.casefold(): markup for key, markup in value.items()}

    def markup_for(self, *, provider: str, category: str, group: str) -> Markup:
        """The rule that applies to a product: provider, then category or group, then global."""
        for table, key in (
            (self.providers, provider),
            (self.categories, category),
            (self.categories, group),
        ):
            found = table.get(key.casefold())
            if found is not None:
                return found
        return Markup(percent=self.percent, flat=self.flat)

    def sell_price(self, supplier_price: int, *, provider: str, category: str, group: str) -> int:
        """The customer's price for a product, rounded up to `step`."""
        raw = self.markup_for(provider=provider, category=category, group=group).apply(
            supplier_price
        )
        return -(-raw // self.step) * self.step

    def bill_price(self, supplier_total: int) -> int:
        """The customer's price for a postpaid bill: the supplier's total plus `bill_fee`."""
        return supplier_total + self.bill_fee


DEFAULT_RULES = MarkupRules()
