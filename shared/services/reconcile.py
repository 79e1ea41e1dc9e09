"""The reconciler: settle what is still pending, alert the owner about what stays stuck.

Runs as a scheduled job. First it sweeps the supplier-event inbox: webhooks recorded more than
`inbox_after_seconds` ago whose hand-off did not settle them (lost, or the process stopped) are
settled now. Then every order, deposit and transfer pending longer than
`RECONCILE_AFTER_MINUTES` is settled from the supplier's status (the same path a webhook takes),
page by page, the least recently checked first (`Store.claim_pending_items`): a run goes through
all of them, up to `max_items`, and the next run starts with the ones this one did not reach, so
old stuck documents never hide newer ones.
An order or transfer whose money is held but that no process ever claimed to send (its turn
died in between) is sent then, through `submit_unsent` (given by the job).
Whatever is still unresolved after `RECONCILE_ALERT_MINUTES` is reported to the owner once (per
alert window when a cache is available) and left pending: never refunded on a guess.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from shared.domain.supplier_status import OperationKind
from shared.observability import Event, log_event
from shared.ports import Cache
from shared.services.notifications import Notification
from shared.services.settlement import Settled, SettleDeps, settle
from shared.services.supplier_inbox import SWEEP_AFTER_SECONDS, sweep
from shared.store_models import PendingItem

log = logging.getLogger(__name__)

_STILL_OPEN = frozenset({Settled.PENDING, Settled.UNVERIFIED, Settled.UNSENT})
ALERT_REPEAT_SECONDS = 6 * 3600
MAX_ITEMS_PER_RUN = 2000
"""A run's bound (each item is a supplier request); the next run continues where it stopped."""


def reconcile(
    deps: SettleDeps,
    *,
    after_minutes: int,
    alert_minutes: int,
    cache: Cache | None = None,
    now: datetime | None = None,
    limit: int = 100,
    max_items: int = MAX_ITEMS_PER_RUN,
    inbox_after_seconds: int = SWEEP_AFTER_SECONDS,
    submit_unsent: Callable[[str, str], object] | None = None,
) -> dict[str, object]:
    """One reconciliation pass; returns counts per outcome and how many alerts were sent.

    `limit`: the page size; `max_items`: how many documents one run asks about at most.
    `inbox`: how many recorded webhooks the sweep settled, by outcome.
    """
    now = now or datetime.now(UTC)
    swept = sweep(deps, older_than_seconds=inbox_after_seconds, now=now, limit=limit)
    outcomes: Counter[str] = Counter()
    stuck: list[tuple[str, str]] = []  # (reff_id, what the owner reads)
    checked = 0
    while checked < max_items:
        page = deps.store.claim_pending_items(
            after_minutes * 60, now, limit=min(limit, max_items - checked)
        )
        if not page:
            break
        checked += len(page)
        for item in page:
            _check(
                deps,
                item,
                now=now,
                alert_minutes=alert_minutes,
                outcomes=outcomes,
                stuck=stuck,
                submit_unsent=submit_unsent,
            )
    alerted = _alert(deps, stuck, cache)
    return {"checked": checked, "alerted": alerted, "inbox": dict(swept), **outcomes}


def _check(
    deps: SettleDeps,
    item: PendingItem,
    *,
    now: datetime,
    alert_minutes: int,
    outcomes: Counter[str],
    stuck: list[tuple[str, str]],
    submit_unsent: Callable[[str, str], object] | None,
) -> None:
    """Settle one pending document, or send it if no process ever did.

    A document still open after `alert_minutes` is noted for the owner.
    """
    kind: OperationKind = "bill" if item.kind == "postpaid" else item.doc
    reff_id, created_at = item.reff_id, item.created_at
    try:
        result = settle(kind, reff_id, deps)
        if result is Settled.UNSENT and submit_unsent is not None:
            submit_unsent(item.doc, reff_id)
            result = Settled.SUBMITTED
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
