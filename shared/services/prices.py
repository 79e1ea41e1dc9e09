"""Price-list refresh: both Atlantic lists into the cache (with a TTL) and the `price_cache` table.

Readers take `prices:<type>` from the cache (a JSON array of price-list items, `price` as int
rupiah) and fall back to `Store.get_price_cache(type)` when the cache is cold.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from shared.errors import SupplierError
from shared.ports import Cache
from shared.services.supplier_port import PriceListType, Supplier
from shared.store import Store

log = logging.getLogger(__name__)

PRICE_TYPES: tuple[PriceListType, ...] = ("prabayar", "pascabayar")


def cache_key(type_: PriceListType) -> str:
    """The cache key of one price list."""
    return f"prices:{type_}"


def refresh_prices(
    *,
    supplier: Supplier,
    store: Store,
    cache: Cache | None,
    ttl_seconds: int,
    now: datetime | None = None,
) -> dict[str, object]:
    """Fetch both lists; a list that cannot be fetched keeps its previous cached copy."""
    report: dict[str, object] = {}
    for type_ in PRICE_TYPES:
        try:
            items = supplier.price_items(type_)
        except SupplierError as exc:
            log.warning("price list %s not refreshed: %s", type_, exc)
            report[type_] = "unavailable"
            continue
        if cache is not None:
            cache.set(cache_key(type_), json.dumps(items), ttl_seconds=ttl_seconds)
        store.put_price_cache(type_, items, ttl_seconds, now=now)
        report[type_] = len(items)
    return report
