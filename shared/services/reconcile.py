"""The reconciler: settle what is still pending, alert the owner about what stays stuck.

Runs as a scheduled job. First it sweeps the supplier-event inbox: webhooks recorded more than
`inbox_after_seconds` ago whose hand-off did not settle them (lost, or the process stopped) are
settled now. Then every order, deposit and transfer pending longer than
`RECONCILE_AFTER_MINUTES` is settled from the supplier's status (the same path a webhook takes).
Whatever is still unresolved after `RECONCILE_ALERT_MINUTES` is reported to the owner once (per
alert window when a cache is available) and left pending: never refunded on a guess.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

from shared.domain.supplier_status import OperationKind
from shared.observability import Event, log_event
from shared.ports import Cache
from shared.services.notifications import Notification
from shared.services.settlement import Settled, SettleDeps, settle
from shared.services.supplier_inbox import SWEEP_AFTER_SECONDS, sweep

log = logging.getLogger(__name__)

_STILL_OPEN = frozenset({Settled.PENDING, Settled.UNVERIFIED})
ALERT_REPEAT_SECONDS = 6 * 3600


def reconcile(
    deps: SettleDeps,
    *,
    after_minutes: int,
    alert_minutes: int,
    cache: Cache | None = None,
    now: datetime | None = None,
    limit: int = 100,
    inbox_after_seconds: int = SWEEP_AFTER_SECONDS,
) -> dict[str, object]:
    """One reconciliation pass; returns counts per outcome and how many alerts were sent.

    `inbox`: how many recorded webhooks the sweep settled, by outcome.
    """
    now = now or datetime.now(UTC)
    swept = sweep(deps, older_than_seconds=inbox_after_seconds, now=now, limit=limit)
    pending = deps.store.pending_items(after_minutes * 60, now=now, limit=limit)
    work: list[tuple[OperationKind, str, datetime]] = [
        ("bill" if o.kind == "postpaid" else "order", o.reff_id, o.created_at)
        for o in pending.orders
    ]
    work += [("deposit", d.reff_id, d.created_at) for d in pending.deposits]
    work += [("transfer", t.reff_id, t.created_at) for t in pending.transfers]
    outcomes: Counter[str] = Counter()
    stuck: list[tuple[str, str]] = []  # (reff_id, what the owner reads)
    for kind, reff_id, created_at in work:
        try:
            result = settle(kind, reff_id, deps)
        except Exception:
            # One bad row must not stop the pass; it is retried on the next run.
            log.exception("reconciling %s %s failed", kind, reff_id)
            result = Settled.UNVERIFIED
        outcomes[result.value] += 1
        age_minutes = (now - created_at).total_seconds() / 60
        if result in _STILL_OPEN and age_minutes >= alert_minutes:
            log_event(
                log,
                Event.ORDER_PENDING_TOO_LONG,
                "%s %s still pending after %d minutes",
                kind,
                reff_id,
                int(age_minutes),
                kind=kind,
                reff_id=reff_id,
                minutes=int(age_minutes),
            )
            stuck.append((reff_id, f"{kind} {reff_id} ({int(age_minutes)} menit)"))
    alerted = _alert(deps, stuck, cache)
    return {"checked": len(work), "alerted": alerted, "inbox": dict(swept), **outcomes}


def _alert(deps: SettleDeps, stuck: list[tuple[str, str]], cache: Cache | None) -> int:
    fresh = [
        text
        for reff_id, text in stuck
        if cache is None
        or cache.set(
            f"reconcile:alerted:{reff_id}", "1", ttl_seconds=ALERT_REPEAT_SECONDS, nx=True
        )
    ]
    if fresh:
        deps.notifier.notify(
            Notification(
                kind="owner_alert",
                reason="Masih pending di supplier, mohon dicek manual: " + "; ".join(fresh),
            )
        )
    return len(fresh)
