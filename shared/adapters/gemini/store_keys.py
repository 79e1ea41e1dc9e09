"""Gemini keys kept in the `api_keys` table (encrypted at rest), as a `KeySource`.

The list is read through the store's SQL functions and decrypted with the process's `KeyBox`;
it is kept for a short while (on the injected clock) so a turn of several model calls does not
query the database each time. Writing a cooldown drops that copy so the next read is fresh.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from shared.adapters.gemini.keys import GeminiKey
from shared.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from shared.crypto import KeyBox
    from shared.ports import Clock
    from shared.store import Store

log = logging.getLogger(__name__)


class StoreKeys:
    """Enabled keys of the `api_keys` table in priority order, with their stored cooldowns."""

    def __init__(
        self, store: Store, box: KeyBox, *, clock: Clock, keep: timedelta = timedelta(seconds=60)
    ) -> None:
        self._store = store
        self._box = box
        self._clock = clock
        self._keep = keep
        self._cached: tuple[datetime, list[GeminiKey]] | None = None
        self._lock = threading.Lock()

    def list_keys(self) -> list[GeminiKey]:
        """The table's enabled keys; an unreadable table counts as no keys (and is logged)."""
        now = self._clock.now()
        with self._lock:
            if self._cached and now - self._cached[0] < self._keep:
                return list(self._cached[1])
        try:
            rows = self._store.list_api_keys(now)
        except StoreError:
            log.exception("api_keys could not be read; using the environment's keys only")
            return []
        keys = []
        for row in rows:
            if not row.enabled:
                continue
            try:
                secret = self._box.decrypt(row.key_ciphertext)
            except ConfigError:
                log.warning("api key %s cannot be decrypted with this APP_SECRET", row.id)
                continue
            keys.append(
                GeminiKey(
                    id=row.id,
                    secret=secret,
                    priority=row.priority,
                    source="table",
                    cooldown_until=row.cooldown_until,
                    last_error=row.last_error,
                )
            )
        with self._lock:
            self._cached = (now, keys)
        return list(keys)

    def set_cooldown(self, key_id: str, until: datetime, error: str) -> None:
        """Write `cooldown_until` and `last_error` of the row (the cache still holds it if not)."""
        try:
            self._store.set_api_key_cooldown(key_id, until, error)
        except StoreError:
            log.exception("cooldown of api key %s not stored", key_id)
        self._forget()

    def clear_cooldown(self, key_id: str) -> None:
        """End the row's rest (its `last_error` stays for the operator)."""
        try:
            self._store.set_api_key_cooldown(key_id, None)
        except StoreError:
            log.exception("cooldown of api key %s not cleared", key_id)
        self._forget()

    def _forget(self) -> None:
        with self._lock:
            self._cached = None
