"""Sell prices follow the owner's markup rules: global, per category, per provider, rounded up."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from shared.domain.catalog import to_products
from shared.domain.pricing import DEFAULT_RULES, Markup, MarkupRules

ITEMS = [
    {"code": "TSEL10", "name": "Telkomsel 10.000", "category": "Pulsa Reguler", "type": "Umum",
     "provider": "TELKOMSEL", "price": "10210", "status": "available"},
    {"code": "ML86", "name": "MOBILELEGEND - 86 Diamond", "category": "Games", "type": "Umum",
     "provider": "MOBILE LEGENDS", "price": 21000, "status": "available"},
    {"code": "PLN100", "name": "PLN 100.000", "category": "PLN", "type": "Umum",
     "provider": "PLN", "price": "100113", "status": "available"},
]  # fmt: skip


def _prices(rules: MarkupRules) -> dict[str, int]:
    return {p.code: p.sell_price for p in to_products(ITEMS, rules)}


def test_global_percent_and_flat_are_added_then_rounded_up_to_the_step() -> None:
    rules = MarkupRules(percent=Decimal(3), flat=0, step=500)
    # 10210 * 1.03 = 10516.3 -> 10517 -> 11000; 21000 * 1.03 = 21630 -> 22000
    assert _prices(rules) == {"TSEL10": 11_000, "ML86": 22_000, "PLN100": 103_500}


def test_provider_beats_category_beats_global() -> None:
    rules = MarkupRules.model_validate(
        {
            "percent": "0",
            "flat": 100,
            "step": 1,
            "categories": {"games": {"percent": "10"}, "PLN": {"flat": 5000}},
            "providers": {"pln": {"flat": 2000}},
        }
    )
    assert _prices(rules) == {"TSEL10": 10_310, "ML86": 23_100, "PLN100": 102_113}


def test_a_category_rule_also_matches_the_products_group() -> None:
    rules = MarkupRules(percent=Decimal(0), flat=0, step=1, categories={"Pulsa": Markup(flat=7)})
    assert _prices(rules)["TSEL10"] == 10_217


def test_the_sell_price_never_falls_below_the_supplier_price() -> None:
    for product in to_products(ITEMS, DEFAULT_RULES):
        assert product.sell_price > product.supplier_price
        assert product.sell_price % DEFAULT_RULES.step == 0


@pytest.mark.parametrize(
    "raw",
    [{"percent": "-1"}, {"percent": "101"}, {"step": 0}, {"flat": -5}, {"percentage": 3}],
)
def test_malformed_rules_are_refused(raw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        MarkupRules.model_validate(raw)


def test_unreadable_items_are_skipped_not_fatal() -> None:
    items = [*ITEMS, {"code": "", "price": "100"}, {"code": "X1"}, {"code": "X2", "price": "abc"}]
    assert [p.code for p in to_products(items, DEFAULT_RULES)] == ["TSEL10", "ML86", "PLN100"]
