"""The supplier's scheduled jobs, bound to a process's `Components`.

Registered in `shared.jobs` (all-in-one loop and `/jobs/<name>`) and exposed as HTTP functions
in `functions/main.py` for Cloud Scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.ports import Cache

if TYPE_CHECKING:
    from shared.wiring import Components


def _cache(components: Components) -> Cache | None:
    # The cache adapter is wired by the data layer; without one, the jobs still work.
    cache: Cache | None = getattr(components, "cache", None)
    return cache


def refresh_prices_job(components: Components) -> dict[str, object]:
    """Both price lists into the cache and `price_cache`."""
    from shared.services.prices import refresh_prices  # noqa: PLC0415

    return refresh_prices(
        supplier=components.supplier,
        store=components.store,
        cache=_cache(components),
        ttl_seconds=components.settings.price_cache_ttl_seconds,
    )


def reconcile_job(components: Components) -> dict[str, object]:
    """Settle what is pending too long, alert about what is stuck, place waiting orders.

    Waiting orders: those whose shortfall deposit is credited but which are not placed yet
    (`followup.complete_waiting_orders`).
    """
    from shared.services.followup import complete_waiting_orders  # noqa: PLC0415
    from shared.services.quotes import submit_unsent  # noqa: PLC0415
    from shared.services.reconcile import reconcile  # noqa: PLC0415

    report = reconcile(
        components.settle_deps,
        after_minutes=components.settings.reconcile_after_minutes,
        alert_minutes=components.settings.reconcile_alert_minutes,
        cache=_cache(components),
        now=components.clock.now(),
        submit_unsent=lambda doc, reff_id: submit_unsent(components, doc, reff_id),
    )
    return report | {"waiting_orders": complete_waiting_orders(components)}


def check_balance_job(components: Components) -> dict[str, object]:
    """Alert the owner when the supplier balance is below SUPPLIER_BALANCE_ALERT."""
    from shared.services.supplier_balance import check_supplier_balance  # noqa: PLC0415

    return check_supplier_balance(
        supplier=components.supplier,
        notifier=components.notifier,
        threshold=components.settings.supplier_balance_alert,
        cache=_cache(components),
    )
