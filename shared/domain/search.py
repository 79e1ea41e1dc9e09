"""Catalog search: an inverted index over products, aliases, denominations and typo repair.

    catalog = Catalog(products)
    catalog.search("tsel 10k")                  # SearchResult(items=(Telkomsel 10.000, ...), ...)
    catalog.search("ml 86 dm", budget=30_000)
    catalog.budget_filter(20_000)               # cheapest first, one per group
    catalog.budget_filter(50_000, "MOBILE LEGENDS")
    catalog.get("TSEL10")
    catalog.suggest_alternative(sold_out_product)

A query is read like the parser reads a message: alias phrases become provider filters
(`tsel` -> TELKOMSEL, `token listrik` -> PLN) or group filters (`games`, `e-money`, `kuota`);
amounts become denominations (`10k`, `10rb` and `10.000` all match "10.000"; a bare `10` matches
10 or 10.000); units are spelled out (`dm` -> diamond); other words must appear in the name,
code, category or provider, after typo repair against the index vocabulary with rapidfuzz
(`telkomsl`, `netflx`). Each constraint narrows the candidates only while something is left,
so a word that matches nothing never empties the result.

Ranking puts the obvious product first: products whose names carry the fewest extra words (the
plain "Telkomsel 10.000" before "Telkomsel Pulsa Transfer 10.000" and promo variants), then the
cheaper. Queries naming no provider spread results across providers. Empty (sold-out) products
are never offered: they are reported in `sold_out` and a similar available product takes their
place. At most `limit` items are returned; `total` and an Indonesian `hint` say how to narrow.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from shared.domain.aliases import aliases, fold, words
from shared.domain.catalog import Product
from shared.domain.money_text import find_amounts
from shared.domain.parser import filler_words

_NAME_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![\d])|(?<![\d.,])\d+(?![\d])")
_NUMBER_UNIT = re.compile(r"(\d+)([a-z]+)")
_TYPO_CUTOFF = 80.0
_MIN_KNOWN = 4


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What a search found.

    Attributes:
        items: at most `limit` available products, best first.
        total: how many available products matched in all.
        hint: a short Indonesian hint on how to narrow, when `total` exceeds what is shown.
        sold_out: matching products that are empty right now (alternatives are in `items`).
    """

    items: tuple[Product, ...]
    total: int
    hint: str | None = None
    sold_out: tuple[Product, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The CLI shape: `{"items": [...], "total": n, "hint": str | None}`."""
        return {
            "items": [p.as_dict() for p in self.items],
            "total": self.total,
            "hint": self.hint,
        }


@dataclass(kw_only=True)
class _Query:
    providers: set[str]
    groups: set[str]
    terms: list[str]
    numbers: list[frozenset[int]]
    codes: list[str]

    @property
    def empty(self) -> bool:
        return not (self.providers or self.groups or self.terms or self.numbers or self.codes)


def _name_numbers(name: str) -> set[int]:
    return {int(m.group().replace(".", "")) for m in _NAME_NUMBER.finditer(name)}


def _index_words(product: Product) -> set[str]:
    text = f"{product.name} {product.provider} {product.category} {product.type}"
    found = {part for w in words(text) for part in _split(w) if not part.isdigit()}
    found.add(product.code.casefold())
    return found


def _split(token: str) -> list[str]:
    match = _NUMBER_UNIT.fullmatch(token)
    return [match[1], match[2]] if match else [token]


class Catalog:
    """An immutable, indexed product list; build a new one when prices or rules change."""

    def __init__(self, products: Iterable[Product]) -> None:
        # Ids follow the ranking order (fewest name words, then cheapest), so sorting a candidate
        # set of ids ranks it.
        self._products: list[Product] = sorted(
            products, key=lambda p: (len(words(p.name)), p.sell_price, p.code)
        )
        self._by_code = {p.code.casefold(): i for i, p in enumerate(self._products)}
        self._terms: dict[str, set[int]] = {}
        self._numbers: dict[int, set[int]] = {}
        self._providers: dict[str, set[int]] = {}
        self._groups: dict[str, set[int]] = {}
        for i, product in enumerate(self._products):
            for word in _index_words(product):
                self._terms.setdefault(word, set()).add(i)
            for number in _name_numbers(product.name):
                self._numbers.setdefault(number, set()).add(i)
            self._providers.setdefault(product.provider.casefold(), set()).add(i)
            self._groups.setdefault(product.group, set()).add(i)
        self._vocabulary = sorted(self._terms)
        self._provider_words = {w for p in self._products for w in words(p.provider)}
        by_price = sorted(range(len(self._products)), key=lambda i: self._products[i].sell_price)
        self._by_price = [i for i in by_price if self._products[i].available]
        self._available = frozenset(self._by_price)
        self._prices = [self._products[i].sell_price for i in self._by_price]
        self._alias_words = sorted({k[0] for k in aliases().phrases if len(k) == 1})
        self._stopwords = filler_words()
        self._repairs: dict[str, tuple[str, str] | None] = {}

    def __len__(self) -> int:
        return len(self._products)

    @property
    def products(self) -> tuple[Product, ...]:
        """Every product, available or not."""
        return tuple(self._products)

    def knows(self, word: str) -> bool:
        """Whether a word the parser cannot place names a product here.

        Words of provider names count (`capcut`, `wetv`), and misspellings that repair to a
        provider or a category (`netflx` → Netflix, `tokn` → PLN). Other name words do not
        (`hari`, `indonesia` would make "cuaca hari ini" a product), nor repairs to them
        (`kucing` → "king").
        """
        word = fold(word)
        if len(word) < _MIN_KNOWN or word in self._stopwords:
            return False
        if word in self._provider_words:
            return True
        if word not in self._repairs:
            self._repairs[word] = self._repair(word)
        repaired = self._repairs[word]
        return repaired is not None and repaired[0] in {"provider", "category"}

    def get(self, code: str) -> Product | None:
        """The product with this code (any casing), or None."""
        i = self._by_code.get(code.strip().casefold())
        return None if i is None else self._products[i]

    def search(self, query: str, budget: int | None = None, limit: int = 5) -> SearchResult:
        """Products matching `query`, best first, optionally only those up to `budget`.

        Args:
            query: what the customer typed ("tsel 10k", "ml 86 dm", "netflix", "games").
            budget: only products whose sell price is at most this.
            limit: how many items to return at most.
        """
        parsed = self._understand(query)
        if parsed.empty or limit <= 0:
            return SearchResult((), 0)
        candidates = self._candidates(parsed)
        if budget is not None:
            candidates = {i for i in candidates if self._products[i].sell_price <= budget}
        diverse = not parsed.providers and not parsed.codes
        items, sold_out = self._pick(sorted(candidates), limit, diverse=diverse, budget=budget)
        total = len(candidates & self._available)
        return SearchResult(tuple(items), total, _hint(parsed, total, len(items)), sold_out)

    def budget_filter(
        self, budget: int, brand_or_category: str | None = None, limit: int = 5
    ) -> SearchResult:
        """Available products up to `budget`, cheapest first.

        Without a brand or category the picks are spread over groups (one pulsa, one game, one
        e-money, …) instead of five variants of one product; with one, they are spread over its
        price range so the customer sees small and large options.
        """
        fits = self._by_price[: bisect.bisect_right(self._prices, budget)]
        if brand_or_category:
            parsed = self._understand(brand_or_category)
            allowed = self._candidates(parsed) if not parsed.empty else set()
            fits = [i for i in fits if i in allowed]
            picks = _spread(fits, limit)
        else:
            picks = self._one_per_group(fits, limit)
        items = tuple(self._products[i] for i in picks)
        hint = None
        if len(fits) > len(items):
            hint = "Masih ada pilihan lain. Sebut kategori atau brand-nya biar aku carikan ya."
        return SearchResult(items, len(fits), hint)

    def suggest_alternative(self, product: Product) -> Product | None:
        """The available product most like `product`, nearest in price.

        Looked for among the same provider's products of the same category, then of the same
        group, then the whole group.
        """
        same_provider = [
            self._products[i] for i in self._providers.get(product.provider.casefold(), ())
        ]
        in_group = [self._products[i] for i in self._groups.get(product.group, ())]
        for pool in (
            [p for p in same_provider if p.category == product.category],
            [p for p in same_provider if p.group == product.group],
            in_group,
        ):
            options = [p for p in pool if p.available and p.code != product.code]
            if options:
                return min(
                    options,
                    key=lambda p: (abs(p.sell_price - product.sell_price), p.sell_price, p.code),
                )
        return None

    # --- query understanding -------------------------------------------------------------

    def _understand(self, query: str) -> _Query:
        text = fold(query)
        parsed = _Query(providers=set(), groups=set(), terms=[], numbers=[], codes=[])
        for amount in find_amounts(text):
            value = amount.value
            alternatives = {value} if amount.has_unit else {value, value * 1_000}
            parsed.numbers.append(frozenset(alternatives))
            text = text[: amount.start] + " " * (amount.end - amount.start) + text[amount.end :]
        tokens = [part for token in words(text) for part in _split(token)]
        book = aliases()
        i = 0
        while i < len(tokens):
            token = tokens[i]
            hit = book.match(tokens, i)
            if token in self._by_code:
                parsed.codes.append(token)
            elif hit is not None:
                target = parsed.providers if hit.kind == "provider" else parsed.groups
                target.add(hit.name.casefold() if hit.kind == "provider" else hit.name)
                i += hit.length
                continue
            elif token.isdigit():
                parsed.numbers.append(frozenset({int(token), int(token) * 1_000}))
            else:
                for word in book.units.get(token, token).split():
                    self._understand_word(word, parsed)
            i += 1
        return parsed

    def _understand_word(self, word: str, parsed: _Query) -> None:
        if word in self._terms:
            parsed.terms.append(word)
            return
        if word in self._stopwords or len(word) < 4:
            return
        if word not in self._repairs:
            self._repairs[word] = self._repair(word)
        repaired = self._repairs[word]
        if repaired is None:
            return
        kind, value = repaired
        {"provider": parsed.providers, "category": parsed.groups}.get(kind, set()).add(value)
        if kind == "term":
            parsed.terms.append(value)

    def _repair(self, word: str) -> tuple[str, str] | None:
        """A misspelt word's meaning: ("provider"|"category"|"term", value), or None."""
        alias = _closest(word, self._alias_words)
        hit = aliases().match([alias], 0) if alias is not None else None
        if hit is not None:
            return hit.kind, hit.name.casefold() if hit.kind == "provider" else hit.name
        term = _closest(word, self._vocabulary)
        return None if term is None else ("term", term)

    def _candidates(self, parsed: _Query) -> set[int]:
        if parsed.codes:
            return {self._by_code[c] for c in parsed.codes}
        found: set[int] | None = None
        if parsed.providers:
            found = set().union(*(self._providers.get(p, set()) for p in parsed.providers))
        if parsed.groups:
            in_groups = set().union(*(self._groups.get(g, set()) for g in parsed.groups))
            found = in_groups if found is None else (found & in_groups) or found
        # The most selective constraint first, so a vague one cannot crowd it out.
        for constraint in sorted(self._constraints(parsed), key=len):
            narrowed = constraint if found is None else found & constraint
            if narrowed:
                found = narrowed
        return found or set()

    def _constraints(self, parsed: _Query) -> Iterator[set[int]]:
        for term in parsed.terms:
            yield self._terms[term]
        for alternatives in parsed.numbers:
            yield set().union(*(self._numbers.get(n, set()) for n in alternatives))

    # --- picking -------------------------------------------------------------------------

    def _pick(
        self, ranked: list[int], limit: int, *, diverse: bool, budget: int | None
    ) -> tuple[list[Product], tuple[Product, ...]]:
        items: list[Product] = []
        sold_out: list[Product] = []
        seen_providers: set[str] = set()
        for second_pass in (False, True) if diverse else (True,):
            for i in ranked:
                product = self._products[i]
                if len(items) >= limit:
                    break
                if not second_pass and product.provider in seen_providers:
                    continue
                if not product.available:
                    if product not in sold_out:
                        sold_out.append(product)
                    product = self.suggest_alternative(product) or product
                affordable = budget is None or product.sell_price <= budget
                if product.available and affordable and product not in items:
                    items.append(product)
                    seen_providers.add(product.provider)
        return items, tuple(sold_out)

    def _one_per_group(self, fits: list[int], limit: int) -> list[int]:
        """The cheapest of each group, then of each further provider, then anything."""
        picks: list[int] = []
        keys: tuple[Callable[[Product], str], ...] = (
            lambda p: p.group,
            lambda p: p.provider,
            lambda p: p.code,
        )
        for key in keys:
            seen = {key(self._products[i]) for i in picks}
            for i in fits:
                if len(picks) >= limit:
                    return sorted(picks, key=lambda i: self._products[i].sell_price)
                value = key(self._products[i])
                if value not in seen and i not in picks:
                    picks.append(i)
                    seen.add(value)
        return sorted(picks, key=lambda i: self._products[i].sell_price)


def _spread(ids: list[int], limit: int) -> list[int]:
    """`limit` ids evenly spread over a price-sorted list, keeping the cheapest and dearest."""
    if len(ids) <= limit:
        return ids
    if limit == 1:
        return ids[:1]
    step = (len(ids) - 1) / (limit - 1)
    return [ids[round(k * step)] for k in range(limit)]


def _closest(word: str, choices: list[str]) -> str | None:
    found = process.extractOne(word, choices, scorer=fuzz.ratio, score_cutoff=_TYPO_CUTOFF)
    return None if found is None else str(found[0])


def _hint(parsed: _Query, total: int, shown: int) -> str | None:
    if total <= shown:
        return None
    if not parsed.providers:
        return (
            f"Ada {total} pilihan. Sebut brand-nya (mis. Telkomsel, DANA, MLBB) biar lebih pas ya."
        )
    return f"Ada {total} pilihan. Sebut nominal atau jumlahnya (mis. 10rb, 86 diamond) ya."
