"""The Today page: the shop at a glance.

Sales by period, the daily profit chart, orders by state, the supplier balance, Gemini keys and
which tier answered the customers' turns.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.errors import SupplierError
from shared.services.supplier_balance import BALANCE_KEY
from shared.store_console import OrderStates
from shared.store_models import SalesSummary
from shared.webconsole import fmt
from shared.webconsole.chart import Chart, bar_chart
from shared.webconsole.keys import KeyView, key_views
from shared.wiring import Components

log = logging.getLogger(__name__)

CHART_DAYS = 30
# A balance read live (when the check_balance job has not cached one) is kept this long.
BALANCE_KEEP_SECONDS = 300
TIERS = ("pending", "rules", "gemini", "fallback")
TIER_NAMES = {
    "pending": "Jawaban pertanyaan/konfirmasi",
    "rules": "Aturan (tanpa AI)",
    "gemini": "Gemini",
    "fallback": "Cadangan (AI istirahat)",
}


@dataclass(frozen=True, kw_only=True)
class Period:
    """Successful orders of a span of days: count, sales, supplier cost, profit."""

    label: str
    orders: int
    revenue: int
    cost: int

    @property
    def profit(self) -> int:
        """Sales minus supplier cost."""
        return self.revenue - self.cost


@dataclass(frozen=True, kw_only=True)
class Balance:
    """The supplier (Atlantic) balance and the alert threshold."""

    amount: int | None
    threshold: int

    @property
    def low(self) -> bool:
        """Below the alert threshold."""
        return self.amount is not None and self.amount < self.threshold


@dataclass(frozen=True, kw_only=True)
class TierShare:
    """How many turns one tier answered (in this process, since it started)."""

    tier: str
    name: str
    turns: int
    percent: int


@dataclass(frozen=True, kw_only=True)
class Today:
    """Everything the Today page shows."""

    periods: list[Period]
    chart: Chart
    states: OrderStates
    balance: Balance
    keys: list[KeyView]
    tiers: list[TierShare]
    now: datetime


def today(components: Components) -> Today:
    """Read the Today page's data."""
    now = components.clock.now()
    store = components.store
    days = store.console_sales(now, CHART_DAYS)
    return Today(
        periods=periods(days),
        chart=bar_chart([d.revenue - d.cost for d in days], [fmt.day(d.day_start) for d in days]),
        states=store.console_order_states(now),
        balance=Balance(
            amount=supplier_balance(components),
            threshold=components.settings.supplier_balance_alert,
        ),
        keys=key_views(components, now),
        tiers=tier_shares(),
        now=now,
    )


def periods(days: Sequence[SalesSummary]) -> list[Period]:
    """Today, yesterday, the last 7 and the last 30 days from daily summaries (oldest first)."""

    def total(label: str, span: Sequence[SalesSummary]) -> Period:
        return Period(
            label=label,
            orders=sum(d.orders for d in span),
            revenue=sum(d.revenue for d in span),
            cost=sum(d.cost for d in span),
        )

    return [
        total("Hari ini", days[-1:]),
        total("Kemarin", days[-2:-1]),
        total("7 hari", days[-7:]),
        total(f"{len(days)} hari", days),
    ]


def supplier_balance(components: Components) -> int | None:
    """The supplier balance the check_balance job last saw, else asked now (None: unknown)."""
    cache = components.cache
    cached = cache.get(BALANCE_KEY)
    if cached is not None and cached.lstrip("-").isdigit():
        return int(cached)
    try:
        balance = components.supplier.balance()
    except SupplierError as exc:
        log.warning("supplier balance unknown for the console: %s", exc)
        return None
    cache.set(BALANCE_KEY, str(balance), ttl_seconds=BALANCE_KEEP_SECONDS)
    return balance


def tier_shares() -> list[TierShare]:
    """Turns per tier from this process's `salesbot_turns_by_tier_total` counter."""
    from prometheus_client import REGISTRY  # noqa: PLC0415

    counts = {
        tier: int(REGISTRY.get_sample_value("salesbot_turns_by_tier_total", {"tier": tier}) or 0)
        for tier in TIERS
    }
    total = sum(counts.values())
    return [
        TierShare(
            tier=tier,
            name=TIER_NAMES[tier],
            turns=n,
            percent=round(100 * n / total) if total else 0,
        )
        for tier, n in counts.items()
    ]
