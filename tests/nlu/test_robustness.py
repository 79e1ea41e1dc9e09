"""Any text at all: the parser and the search answer in shape and never raise."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.domain.catalog import to_products
from shared.domain.money_text import find_amounts
from shared.domain.parser import INTENTS, SLOT_KEYS, parse
from shared.domain.pricing import DEFAULT_RULES
from shared.domain.search import Catalog
from shared.sandbox.catalog import prepaid_items

# Text that looks like chat: words, digits, money and phone punctuation, emoji, accents.
chat_text = st.text(
    alphabet=st.sampled_from(list("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,-+()/:#@!?é😀\n")),
    max_size=120,
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog(to_products(prepaid_items(), DEFAULT_RULES))


@settings(max_examples=300, deadline=None)
@given(chat_text)
@example("00sf")  # once crashed: the token "00" reads as the number 0
@example("0sf")  # once gave amount 0
def test_parse_always_answers_in_the_contract_shape(text: str) -> None:
    result = parse(text)
    assert result.intent in INTENTS
    assert set(result.slots) <= set(SLOT_KEYS)
    assert 0.0 <= result.confidence <= 1.0
    if "amount" in result.slots:
        assert isinstance(result.slots["amount"], int)
        assert result.slots["amount"] > 0
    if result.intent == "unknown":
        assert result.slots == {}


@settings(max_examples=300, deadline=None)
@given(chat_text)
def test_amounts_are_positive_and_inside_the_text(text: str) -> None:
    for amount in find_amounts(text):
        assert amount.value > 0
        assert 0 <= amount.start < amount.end <= len(text)


@settings(max_examples=150, deadline=None)
@given(chat_text, st.none() | st.integers(min_value=0, max_value=2_000_000))
def test_search_never_offers_a_sold_out_or_over_budget_product(
    catalog: Catalog, text: str, budget: int | None
) -> None:
    result = catalog.search(text, budget=budget)
    assert len(result.items) <= 5
    assert all(p.available for p in result.items)
    if budget is not None:
        assert all(p.sell_price <= budget for p in result.items)
