"""The supplier-event inbox: webhooks are recorded fast, settled later, never twice.

The webhook receiver records each verified event with one INSERT (`Store.record_supplier_event`)
and hands it to a `HandOff`: Pub/Sub `atl-events` in production (pushed to the
`settle_supplier_event` function), a bounded in-process queue drained by `SettleWorker` in the
all-in-one process. Either way `settle_event` runs the unchanged settlement (supplier re-query,
one idempotent ledger call, notify only on `done`) and then marks the row settled. A hand-off
that never arrives is harmless: `sweep` (run by the reconciler) settles every row still
unsettled after a short age. Settling an event twice moves nothing twice.

A row stays `received` until the supplier's answer verified it: when settling is `unverified`
(the re-query met an outage, or answered something unreadable) the row is deferred, due again
after a growing pause, and keeps the webhook's supplier id for the next attempt. The sweep takes
rows by when they are due, so a few that keep failing never hide the others.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import Counter
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from shared.domain.supplier_status import OperationKind, SupplierStatus
from shared.log import correlation
from shared.services.settlement import Settled, SettleDeps, settle

log = logging.getLogger(__name__)

SWEEP_AFTER_SECONDS = 60
"""An unsettled event this old is the sweep's: its hand-off should have been settled by now."""


class InboxEvent(BaseModel):
    """What a hand-off carries: the inbox row's id and what settling it needs (versioned)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: Literal[1] = 1
    id: int
    kind: OperationKind
    reff_id: str
    supplier_id: str = ""
    status: str = ""
    """The webhook's mapped status (a `SupplierStatus` value; "" from older producers)."""


class HandOff(Protocol):
    """Passes a recorded event to whoever settles it. Never raises: the inbox row is durable."""

    def request(self) -> AbstractContextManager[None]:
        """Bracket one webhook request (a hand-off may batch work until the last one leaves)."""
        ...

    def hand_off(self, event: InboxEvent) -> None:
        """Start the settling of `event` somewhere else, as soon as possible."""
        ...


def settle_event(event: InboxEvent, deps: SettleDeps) -> Settled:
    """Settle one recorded event, then mark its row settled (errors propagate: retry later).

    An unverified result defers the row instead: it stays received for the sweep.
    """
    with correlation(reff_id=event.reff_id):
        result = settle(
            event.kind,
            event.reff_id,
            deps,
            hint_id=event.supplier_id,
            hint_status=_status(event.status),
        )
        if result is Settled.UNVERIFIED:
            deps.store.defer_supplier_event(event.id, result.value)
        elif not deps.store.mark_supplier_event_settled(event.id, result.value):
            log.info("supplier event %d was already settled (now: %s)", event.id, result.value)
        return result


def _status(value: str) -> SupplierStatus | None:
    try:
        return SupplierStatus(value)
    except ValueError:
        return None


def sweep(
    deps: SettleDeps,
    *,
    older_than_seconds: int = SWEEP_AFTER_SECONDS,
    now: datetime | None = None,
    limit: int = 100,
) -> Counter[str]:
    """Settle recorded events whose hand-off did not settle them in time; counts per outcome."""
    outcomes: Counter[str] = Counter()
    for row in deps.store.unsettled_supplier_events(older_than_seconds, now=now, limit=limit):
        event = InboxEvent(
            id=row.id,
            kind=row.kind,
            reff_id=row.reff_id,
            supplier_id=row.supplier_id,
            status=row.status,
        )
        try:
            outcomes[settle_event(event, deps).value] += 1
        except Exception:
            # One bad row must not stop the sweep; it stays unsettled for the next one.
            log.exception("sweeping supplier event %d (%s) failed", row.id, row.reff_id)
            outcomes["failed"] += 1
    return outcomes


class SettleWorker:
    """The all-in-one `HandOff`: a bounded queue drained by one thread.

    A full queue drops the hand-off (logged); so does `stop`, which lets the event in progress
    finish and leaves the rest queued. Dropped events stay unsettled in the inbox for the sweep.
    """

    def __init__(self, deps: SettleDeps, *, capacity: int = 1000) -> None:
        self._deps = deps
        self._queue: queue.Queue[InboxEvent | None] = queue.Queue(maxsize=capacity)
        self._stopping = threading.Event()
        self._idle = threading.Condition()
        self._busy = 0  # queued or being settled
        self._thread = threading.Thread(target=self._run, name="settle-worker", daemon=True)

    def start(self) -> SettleWorker:
        """Start the thread (returns self)."""
        self._thread.start()
        return self

    def request(self) -> AbstractContextManager[None]:
        """Nothing to bracket: every hand-off is queued at once."""
        return contextlib.nullcontext()

    def hand_off(self, event: InboxEvent) -> None:
        """Queue `event` for settling; never blocks."""
        if self._stopping.is_set():
            log.info("settle worker stopped: event %d left for the sweep", event.id)
            return
        with self._idle:
            self._busy += 1
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self._done()
            log.warning(
                "settle queue full: event %d (%s) left for the sweep", event.id, event.reff_id
            )

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued event is settled (or dropped); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the event in progress and stop; what is still queued waits for the sweep."""
        self._stopping.set()
        with self._idle:
            self._busy -= self._drop_queued()
            self._idle.notify_all()
        with contextlib.suppress(queue.Full):  # then the thread skips what is left, then blocks
            self._queue.put_nowait(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _drop_queued(self) -> int:
        dropped = 0
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return dropped
            dropped += item is not None

    def _done(self) -> None:
        with self._idle:
            self._busy -= 1
            self._idle.notify_all()

    def _run(self) -> None:
        while (event := self._queue.get()) is not None:
            if self._stopping.is_set():
                self._done()
                continue
            try:
                settle_event(event, self._deps)
            except Exception:
                log.exception("settling supplier event %d failed; the sweep retries it", event.id)
            finally:
                self._done()
