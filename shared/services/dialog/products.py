"""The dialog's view of the catalog: finding products, choosing the obvious one, targets.

Prices and availability come from `shared.services.catalog` (supplier price list plus the
owner's markup); this module only decides how the conversation uses them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from shared.domain.aliases import words
from shared.domain.catalog import Product
from shared.services.dialog.state import SlotValue
from shared.services.replies import Option
from shared.wiring import Components

POSTPAID_KEY = "catalog:postpaid"
POSTPAID_TTL_SECONDS = 600


@dataclass(frozen=True, kw_only=True)
class Found:
    """A search's offer: available products best first, more matched, sold-out matches."""

    items: list[Product]
    more: bool
    sold_out: list[Product]


def find(components: Components, query: str, *, limit: int) -> Found:
    """Products matching a free-text query."""
    result = components.catalog.search(query, limit=limit)
    return Found(
        items=list(result.items),
        more=result.total > len(result.items),
        sold_out=list(result.sold_out),
    )


def within_budget(
    components: Components, budget: int, *, brand: str | None, limit: int
) -> list[Product]:
    """Available products up to `budget`, cheapest first, spread across categories."""
    return list(components.catalog.budget_filter(budget, brand, limit).items)


def get(components: Components, code: str) -> Product | None:
    """A product by its code, priced with the current markup."""
    return components.catalog.get(code)


def alternative(components: Components, product: Product) -> Product | None:
    """A similar available product when `product` is sold out."""
    return components.catalog.suggest_alternative(product)


def postpaid_products(components: Components) -> list[dict[str, object]]:
    """The supplier's postpaid products (code, name, provider, category, admin fee), cached."""
    raw = components.cache.get(POSTPAID_KEY)
    if raw is not None:
        cached: list[dict[str, object]] = json.loads(raw)
        return cached
    items: list[dict[str, object]] = [
        {
            "code": item.code,
            "name": item.name,
            "provider": item.provider,
            "category": item.category,
            "admin": item.price,
        }
        for item in components.supplier.price_list("pascabayar")
    ]
    components.cache.set(POSTPAID_KEY, json.dumps(items), ttl_seconds=POSTPAID_TTL_SECONDS)
    return items


def postpaid_code(components: Components, brand: str) -> str | None:
    """The postpaid product code for what the customer called the bill ("PLN", "BPJS")."""
    wanted = brand.strip().upper()
    if not wanted:
        return None
    for item in postpaid_products(components):
        names = (str(item["code"]), str(item["provider"]), str(item["category"]))
        if wanted in {n.upper() for n in names}:
            return str(item["code"])
    for item in postpaid_products(components):
        if wanted in f"{item['provider']} {item['name']}".upper():
            return str(item["code"])
    return None


def postpaid_name(components: Components, code: str) -> str:
    """A postpaid product's display name."""
    for item in postpaid_products(components):
        if item["code"] == code:
            return str(item["name"])
    return code


def bill_sell_price(components: Components, total: int) -> int:
    """What the customer pays for a bill: the supplier's total (bill + its admin) + our fee."""
    return components.catalog.rules().bill_price(total)


def option(product: Product) -> Option:
    """A numbered-list line for a product."""
    return Option(label=product.name, price=product.sell_price)


def query_of(slots: dict[str, SlotValue]) -> str:
    """The search text a parse left: brand, product words and amount."""
    parts = [str(slots[k]) for k in ("brand", "product") if slots.get(k)]
    amount = slots.get("amount")
    if isinstance(amount, int):
        parts.append(str(amount))
    return " ".join(parts).strip()


def title_of(slots: dict[str, SlotValue], found: list[Product]) -> str:
    """A short heading for a price list."""
    brand = slots.get("brand")
    if brand:
        return str(brand).title() if str(brand).isupper() else str(brand)
    return found[0].provider.title() if found else "produk"


def obvious(candidates: list[Product], slots: dict[str, SlotValue]) -> Product | None:
    """The product the customer clearly meant, or None when they should choose.

    One candidate is obvious; otherwise the best-ranked one whose name carries every number the
    customer said, else any of them ("ML 86" → "86 Diamonds", "tsel 10rb" → "Pulsa 10.000"),
    unless another such name is just as plain: "kuota xl 10gb" fits "10 GB / 1 Hari" and
    "10 GB / 7 Hari" alike, so the customer picks the validity ("Telkomsel 10.000" still beats
    "… Pulsa Transfer 10.000").
    """
    if len(candidates) == 1:
        return candidates[0]
    numbers = set(re.findall(r"\d+", str(slots.get("product") or "")))
    amount = slots.get("amount")
    if isinstance(amount, int):
        # "10 000" in the product words is the amount written out, not two more numbers.
        numbers -= set(re.findall(r"\d+", f"{amount:,}"))
        numbers.add(str(amount))
    if not numbers:
        return None
    carrying = [p for p in candidates if numbers <= _numbers_in(p.name)] or [
        p for p in candidates if numbers & _numbers_in(p.name)
    ]
    if not carrying:
        return None
    # The best-ranked one is obvious when every other is it plus more words (a variant: "…
    # Pulsa Transfer 10.000", "… GLOBAL - 86 Diamond"); a different kind ("Voucher … Data 5 GB"
    # next to "… Data 5 GB / 1 Hari") or another validity is the customer's choice.
    first = set(words(carrying[0].name))
    if any(not first < set(words(p.name)) for p in carrying[1:]):
        return None
    return carrying[0]


def _numbers_in(name: str) -> set[str]:
    """The numbers of a product name as digits: "Telkomsel 10.000" → {"10000"}."""
    return {n.replace(".", "") for n in re.findall(r"\d[\d.]*\d|\d", name)}


def closeness(product: Product, query: str) -> int:
    """How well a name fits the words said: shared words minus words nobody said."""
    said = {w for w in re.findall(r"[a-z]+", query.lower())}
    named = {w for w in re.findall(r"[a-z]+", product.name.lower())}
    return len(said & named) - len(named - said - {product.provider.lower()})


def is_game(product: Product) -> bool:
    """Game top-ups take a user id (and zone), not a phone number."""
    return product.category.lower() in {"games", "game", "voucher game"}


def is_pln(product: Product) -> bool:
    """PLN tokens take a meter number."""
    return "PLN" in product.provider.upper() or "PLN" in product.category.upper()


def target_question(product: Product) -> str:
    """Which slot question to ask for this product's target."""
    if is_game(product):
        return "game_target"
    if is_pln(product):
        return "meter"
    return "target"
