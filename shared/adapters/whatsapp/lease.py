"""The single-instance lease: one relay per WhatsApp session (whatsapp.md §3).

Two relays on one session ping-pong through StreamReplaced. The relay takes `relay:lease` in the
cache (SET NX EX 30) before connecting and renews it every 10 s with an atomic compare-and-extend;
a relay that cannot take it waits (a rolling deploy's old revision is shutting down) and never
connects meanwhile, and a relay that loses it stops sending.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from shared.ports import Cache

log = logging.getLogger(__name__)

LEASE_KEY = "relay:lease"


class RelayLease:
    """Acquire, renew in the background, release on shutdown."""

    def __init__(
        self,
        cache: Cache,
        *,
        ttl_seconds: float = 30.0,
        renew_every: float = 10.0,
        key: str = LEASE_KEY,
    ) -> None:
        self._cache = cache
        self._ttl = ttl_seconds
        self._renew_every = renew_every
        self._key = key
        self.token = uuid.uuid4().hex
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_acquire(self) -> bool:
        """Take the lease if free (or already ours)."""
        if self._cache.acquire(self._key, self.token, self._ttl):
            return True
        return self.renew()

    def wait_acquire(self, stopping: threading.Event, *, poll: float = 5.0) -> bool:
        """Block until the lease is ours; False when `stopping` was set first."""
        while not stopping.is_set():
            if self.try_acquire():
                return True
            log.warning("another relay holds the WhatsApp lease; waiting")
            stopping.wait(poll)
        return False

    def renew(self) -> bool:
        """Extend the lease if we still hold it, in one atomic compare-and-extend.

        A read followed by a write would let a lease that expired in between (and was taken by
        the next relay) be written back, leaving two relays on one session.
        """
        return self._cache.extend(self._key, self.token, self._ttl)

    def keep_alive(self, on_lost: Callable[[], None]) -> None:
        """Renew in a background thread; call `on_lost` once if the lease is taken from us."""

        def loop() -> None:
            while not self._stop.wait(self._renew_every):
                try:
                    held = self.renew()
                except Exception:
                    log.exception("lease renewal failed; retrying")
                    continue
                if not held:
                    log.critical("the WhatsApp lease was lost to another relay")
                    on_lost()
                    return

        self._thread = threading.Thread(target=loop, name="relay-lease", daemon=True)
        self._thread.start()

    def release(self) -> None:
        """Stop renewing and free the lease for the next relay."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._cache.release(self._key, self.token)
