"""Scheduled jobs, one registry for every way they are triggered.

Cloud Scheduler calls them through HTTP functions, the all-in-one server at `/jobs/<name>`, and
the all-in-one process runs them on its own periodic loop. A job takes the process's `Components`
and returns a small JSON-able report (counts, never secrets). Add a job by appending one `Job` to
the list in `_registry`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.wiring import Components

log = logging.getLogger(__name__)

JobReport = Mapping[str, object]


@dataclass(frozen=True, kw_only=True)
class Job:
    """A named periodic task; `every_seconds` is the all-in-one schedule."""

    name: str
    every_seconds: float
    run: Callable[[Components], JobReport]


def _registry() -> dict[str, Job]:
    # Imported lazily so that importing shared.jobs stays cheap for functions/main.py.
    from shared.adapters.gemini.factory import run_reactivation  # noqa: PLC0415
    from shared.services import supplier_jobs  # noqa: PLC0415

    jobs: list[Job] = [
        Job(name="reactivate_keys", every_seconds=300, run=run_reactivation),
        Job(name="refresh_prices", every_seconds=300, run=supplier_jobs.refresh_prices_job),
        Job(name="reconcile", every_seconds=60, run=supplier_jobs.reconcile_job),
        Job(name="check_balance", every_seconds=600, run=supplier_jobs.check_balance_job),
        Job(name="purge_media", every_seconds=600, run=purge_media_job),
        Job(name="deliver_outbox", every_seconds=15, run=deliver_outbox_job),
    ]
    return {job.name: job for job in jobs}


def deliver_outbox_job(components: Components) -> JobReport:
    """Publish replies, notifications and alerts whose first publish did not go through."""
    return components.notifier.deliver_due(now=components.clock.now())


def purge_media_job(components: Components) -> JobReport:
    """Delete stored media (voice notes, images, QRIS codes) past MEDIA_TTL_SECONDS."""
    return {"deleted": components.media.purge_expired()}


def get_jobs() -> dict[str, Job]:
    """Every registered job by name."""
    return _registry()


def run_job(name: str, components: Components) -> JobReport:
    """Run one job by name; KeyError when unknown."""
    job = get_jobs()[name]
    report = job.run(components)
    log.info("job %s done: %s", name, dict(report))
    return report


class JobLoop:
    """Runs every job on its schedule in a background thread until stopped."""

    def __init__(self, components: Components, stopping: threading.Event) -> None:
        self._components = components
        self._stopping = stopping
        self._thread = threading.Thread(target=self._loop, name="jobs", daemon=True)

    def start(self) -> None:
        """Start the loop thread."""
        self._thread.start()

    def _loop(self) -> None:
        import time  # noqa: PLC0415

        next_run = {name: time.monotonic() for name in get_jobs()}
        while not self._stopping.is_set():
            now = time.monotonic()
            for name, job in get_jobs().items():
                if now >= next_run.get(name, now):
                    next_run[name] = now + job.every_seconds
                    try:
                        run_job(name, self._components)
                    except Exception:
                        log.exception("job %s failed", name)
            self._stopping.wait(1.0)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the loop to finish after `stopping` is set."""
        self._thread.join(timeout)
