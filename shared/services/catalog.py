"""The live catalogue: supplier price list + the owner's current markup rules, indexed for search.

`CatalogService` is what the conversation engine and the agent's tools call:

    service.search(query, budget=None, limit=5) -> SearchResult
    service.budget_filter(budget, brand_or_category=None, limit=5) -> SearchResult
    service.get(code) -> Product | None
    service.suggest_alternative(product) -> Product | None
    service.catalog() -> Catalog            # the current indexed snapshot

It takes two callables so it never learns where data lives:

- `load_items()` returns the raw prepaid price list (Atlantic item dicts). `price_items_loader`
  builds one that reads the cache key `prices:prabayar` (written by the price-refresh job), then
  the store's `price_cache` table, then asks the supplier; wiring passes the sandbox catalogue
  generator instead when no Atlantic key is configured.
- `read_rules()` returns the stored markup rules JSON (the store's setting `markup_rules`), or
  None for the defaults.

Both are re-read after short TTLs (rules: 30 s, items: 60 s by default), and the index is rebuilt
only when the items or the rules actually changed, so an owner's markup change applies within
seconds without a restart. A failing read keeps the last good data (or the defaults) and logs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from pydantic import ValidationError

from shared.domain.catalog import Product, to_products
from shared.domain.pricing import DEFAULT_RULES, MarkupRules
from shared.domain.search import Catalog, SearchResult
from shared.errors import SalesbotError
from shared.ports import Cache

log = logging.getLogger(__name__)

PriceItems = Sequence[Mapping[str, object]]
PREPAID_CACHE_KEY = "prices:prabayar"


class _PriceCacheEntry(Protocol):
    @property
    def payload(self) -> object: ...


class PriceCacheReader(Protocol):
    """The store's persisted price lists (`Store.get_price_cache`)."""

    def get_price_cache(self, type: str) -> _PriceCacheEntry | None:  # noqa: A002
        """The last persisted list of one type, or None."""
        ...


def price_items_loader(
    *,
    cache: Cache | None = None,
    store: PriceCacheReader | None = None,
    fetch: Callable[[], PriceItems] | None = None,
) -> Callable[[], PriceItems]:
    """A `load_items` that tries the cache, then the store's price cache, then the supplier."""

    def load() -> PriceItems:
        if cache is not None:
            raw = cache.get(PREPAID_CACHE_KEY)
            if raw:
                items = json.loads(raw)
                if isinstance(items, list) and items:
                    return items
        if store is not None:
            entry = store.get_price_cache("prabayar")
            if entry is not None and isinstance(entry.payload, list) and entry.payload:
                return entry.payload
        if fetch is not None:
            return fetch()
        raise SalesbotError("no price list available (cache, store and supplier are empty)")

    return load


class CatalogService:
    """The priced, indexed catalogue, refreshed from its sources after short TTLs."""

    def __init__(
        self,
        *,
        load_items: Callable[[], PriceItems],
        read_rules: Callable[[], object] | None = None,
        rules_ttl_seconds: float = 30.0,
        items_ttl_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._load_items = load_items
        self._read_rules = read_rules
        self._rules_ttl = rules_ttl_seconds
        self._items_ttl = items_ttl_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._rules = DEFAULT_RULES
        self._rules_read_at: float | None = None
        self._items: PriceItems = ()
        self._items_read_at: float | None = None
        self._catalog: Catalog | None = None

    def rules(self) -> MarkupRules:
        """The markup rules in force (re-read from settings when older than the TTL)."""
        with self._lock:
            self._refresh_rules()
            return self._rules

    def catalog(self) -> Catalog:
        """The current indexed snapshot (rebuilt when the price list or the rules changed)."""
        with self._lock:
            rules_changed = self._refresh_rules()
            items_changed = self._refresh_items()
            if self._catalog is None or rules_changed or items_changed:
                self._catalog = Catalog(to_products(self._items, self._rules))
                log.info("catalog built: %d products", len(self._catalog))
            return self._catalog

    def search(self, query: str, budget: int | None = None, limit: int = 5) -> SearchResult:
        """See `Catalog.search`."""
        return self.catalog().search(query, budget=budget, limit=limit)

    def budget_filter(
        self, budget: int, brand_or_category: str | None = None, limit: int = 5
    ) -> SearchResult:
        """See `Catalog.budget_filter`."""
        return self.catalog().budget_filter(budget, brand_or_category, limit)

    def knows(self, word: str) -> bool:
        """Whether a word the parser cannot place names a product (see `Catalog.knows`)."""
        return self.catalog().knows(word)

    def get(self, code: str) -> Product | None:
        """The product with this code, priced with the current rules."""
        return self.catalog().get(code)

    def suggest_alternative(self, product: Product) -> Product | None:
        """See `Catalog.suggest_alternative`."""
        return self.catalog().suggest_alternative(product)

    def _due(self, read_at: float | None, ttl: float) -> bool:
        return read_at is None or self._clock() - read_at >= ttl

    def _refresh_rules(self) -> bool:
        if self._read_rules is None or not self._due(self._rules_read_at, self._rules_ttl):
            return False
        self._rules_read_at = self._clock()
        try:
            raw = self._read_rules()
            rules = DEFAULT_RULES if raw is None else MarkupRules.model_validate(raw)
        except ValidationError as exc:
            log.warning("markup_rules setting is invalid, keeping the previous rules: %s", exc)
            return False
        except SalesbotError as exc:
            log.warning("markup rules not re-read, keeping the previous ones: %s", exc)
            return False
        changed = rules != self._rules
        self._rules = rules
        return changed

    def _refresh_items(self) -> bool:
        if not self._due(self._items_read_at, self._items_ttl):
            return False
        self._items_read_at = self._clock()
        try:
            items = self._load_items()
        except (SalesbotError, ValueError) as exc:
            if not self._items:
                raise
            log.warning("price list not re-read, keeping the previous one: %s", exc)
            return False
        changed = list(items) != list(self._items)
        self._items = items
        return changed
