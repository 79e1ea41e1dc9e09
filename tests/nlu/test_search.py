"""Catalog search on the sandbox list: aliases, denominations, typos, budgets, sold-out items."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.domain.catalog import Product, to_products
from shared.domain.pricing import DEFAULT_RULES
from shared.domain.search import Catalog
from shared.sandbox.catalog import prepaid_items

QUERIES = Path(__file__).parent / "data" / "queries.jsonl"
TOP3_FLOOR = 0.95


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(to_products(prepaid_items(), DEFAULT_RULES))


def _codes(products: tuple[Product, ...]) -> list[str]:
    return [p.code for p in products]


def test_labelled_queries_find_the_expected_product_in_the_top_three(catalog: Catalog) -> None:
    rows = [json.loads(line) for line in QUERIES.read_text("utf-8").splitlines() if line]
    assert len(rows) >= 60
    misses = []
    for row in rows:
        top = catalog.search(row["query"]).items[:3]
        if "group" in row:
            hit = bool(top) and all(p.group == row["group"] for p in top)
        else:
            hit = any(p.code in row["expected"] for p in top)
        if not hit:
            misses.append(f"{row['query']!r} -> {_codes(top)}")
    share = 1 - len(misses) / len(rows)
    print(f"\nsearch quality: {share:.1%} of {len(rows)} labelled queries in the top 3")
    assert share >= TOP3_FLOOR, "\n".join(misses)


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("tsel 10k", "TSEL10"),
        ("telkomsel 10.000", "TSEL10"),
        ("pulsa tsel 10rb", "TSEL10"),
        ("telkomsl 10rb", "TSEL10"),
        ("ml 86 dm", "ML86"),
        ("token listrik 100rb", "PLN100"),
        ("netflx 1 bulan", "NETFS121"),
    ],
)
def test_the_obvious_product_comes_first(catalog: Catalog, query: str, first: str) -> None:
    assert catalog.search(query).items[0].code == first


def test_categories_spread_over_providers_and_hint_how_to_narrow(catalog: Catalog) -> None:
    result = catalog.search("pulsa")
    assert len(result.items) == 5
    assert len({p.provider for p in result.items}) == 5
    assert all(p.group == "Pulsa" for p in result.items)
    assert result.total > 5
    assert result.hint is not None
    assert "brand" in result.hint


def test_a_precise_query_has_no_hint(catalog: Catalog) -> None:
    result = catalog.search("ml 86 dm")
    assert (result.total, result.hint) == (1, None)


def test_sold_out_products_are_never_offered_but_replaced(catalog: Catalog) -> None:
    empty = next(p for p in catalog.products if not p.available and p.group == "Pulsa")
    result = catalog.search(empty.code)
    assert result.sold_out == (empty,)
    assert result.items
    assert all(p.available for p in result.items)
    alternative = catalog.suggest_alternative(empty)
    assert alternative is not None
    assert alternative.available
    assert (alternative.provider, alternative.category) == (empty.provider, empty.category)
    assert result.items[0] == alternative


def test_no_search_ever_returns_an_empty_product(catalog: Catalog) -> None:
    for query in ("pulsa", "kuota", "games", "tri", "tsel", "e-money", "10k", "diamond"):
        assert all(p.available for p in catalog.search(query, limit=50).items)


def test_search_respects_budget_and_limit(catalog: Catalog) -> None:
    result = catalog.search("ml", budget=10_000, limit=3)
    assert len(result.items) == 3
    assert all(p.sell_price <= 10_000 and p.provider == "MOBILE LEGENDS" for p in result.items)


def test_nonsense_finds_nothing(catalog: Catalog) -> None:
    assert catalog.search("").items == ()
    assert catalog.search("zzzzqqqq").items == ()


def test_budget_filter_is_cheapest_first_and_spread_across_groups(catalog: Catalog) -> None:
    result = catalog.budget_filter(20_000)
    prices = [p.sell_price for p in result.items]
    assert prices == sorted(prices)
    assert all(p <= 20_000 for p in prices)
    assert len({p.group for p in result.items}) == len(result.items) == 5
    assert result.total > 5
    assert result.hint


def test_budget_filter_within_a_brand_or_category(catalog: Catalog) -> None:
    ml = catalog.budget_filter(50_000, "MOBILE LEGENDS")
    assert ml.items
    assert all(p.provider == "MOBILE LEGENDS" and p.sell_price <= 50_000 for p in ml.items)
    games = catalog.budget_filter(20_000, "games")
    assert games.items
    assert all(p.group == "Games" for p in games.items)
    assert catalog.budget_filter(100).items == ()


def test_get_ignores_case(catalog: Catalog) -> None:
    product = catalog.get("tsel10")
    assert product is not None
    assert product.name == "Telkomsel 10.000"
    assert catalog.get("NOPE") is None


def test_a_sold_out_products_stand_in_respects_the_budget(catalog: Catalog) -> None:
    def dearer_alternative(product: Product) -> bool:
        alternative = catalog.suggest_alternative(product)
        return alternative is not None and alternative.sell_price > product.sell_price

    empty = next(p for p in catalog.products if not p.available and dearer_alternative(p))
    result = catalog.search(empty.code, budget=empty.sell_price)
    assert result.sold_out == (empty,)
    assert result.items == ()
