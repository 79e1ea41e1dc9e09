"""Watch the owner's supplier balance and alert the owner when it runs low.

The last known balance is kept in the cache under `supplier:balance` so the conversation can
tell customers honestly that stock is short instead of failing their orders.
"""

from __future__ import annotations

import logging

from shared.errors import SupplierError
from shared.observability import Event, log_event
from shared.ports import Cache
from shared.services.notifications import Notification, Notifier
from shared.services.supplier_port import Supplier

log = logging.getLogger(__name__)

BALANCE_KEY = "supplier:balance"
ALERT_KEY = "supplier:balance:alerted"
ALERT_REPEAT_SECONDS = 3600


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def check_supplier_balance(
    *, supplier: Supplier, notifier: Notifier, threshold: int, cache: Cache | None = None
) -> dict[str, object]:
    """Read the balance; below `threshold`, alert the owner (at most hourly with a cache)."""
    try:
        balance = supplier.balance()
    except SupplierError as exc:
        log.warning("supplier balance unknown: %s", exc)
        return {"balance": None, "low": None}
    low = balance < threshold
    if low:
        # Every low reading pages through the log-based alert; the owner's chat is rate-limited.
        log_event(
            log,
            Event.SUPPLIER_BALANCE_LOW,
            "supplier balance %d is below %d",
            balance,
            threshold,
            balance=balance,
            threshold=threshold,
        )
    if cache is not None:
        cache.set(BALANCE_KEY, str(balance), ttl_seconds=3 * ALERT_REPEAT_SECONDS)
    should_alert = low and (
        cache is None or cache.set(ALERT_KEY, "1", ttl_seconds=ALERT_REPEAT_SECONDS, nx=True)
    )
    if should_alert:
        notifier.notify(
            Notification(
                kind="owner_alert",
                amount=balance,
                reason=(
                    f"Saldo Atlantic tinggal {_rupiah(balance)} (batas {_rupiah(threshold)}). "
                    "Yuk isi ulang biar order pelanggan nggak ketahan."
                ),
            )
        )
    return {"balance": balance, "low": low, "alerted": bool(should_alert)}
