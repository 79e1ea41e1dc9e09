"""The Gemini key ring: keys in priority order, each either usable or resting until a time.

Keys come from `GEMINI_KEYS` (comma-separated, priority order) and/or the `api_keys` table; the
environment's keys come first, then the table's by its `priority`, the same secret counted once.
A quota error rests a key for `GEMINI_COOLDOWN_HOURS`: the time is written to the cache (with a
TTL, so every instance sees it at once) and, for table keys, to `cooldown_until`/`last_error`.
Whether a key rests is always decided by comparing with the injected clock, so the cache's own
TTL is only garbage collection. Key ids are stable and never contain the secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

from shared.adapters.gemini import metrics
from shared.errors import CacheError

if TYPE_CHECKING:
    from shared.ports import Cache, Clock

log = logging.getLogger(__name__)

_CACHE_PREFIX = "gemini:cooldown:"


@dataclass(frozen=True, kw_only=True)
class GeminiKey:
    """One API key; `secret` never appears in reprs or logs."""

    id: str
    secret: str = field(repr=False)
    priority: int
    source: str = "env"
    cooldown_until: datetime | None = None
    last_error: str | None = None


def key_id_for(secret: str) -> str:
    """A stable, non-secret id of a key (a short hash)."""
    return "k-" + hashlib.sha256(secret.encode()).hexdigest()[:10]


class KeySource(Protocol):
    """Where keys and their durable cooldown state live (the env list, the `api_keys` table)."""

    def list_keys(self) -> list[GeminiKey]:
        """Every key of this source in priority order, with its stored cooldown."""
        ...

    def set_cooldown(self, key_id: str, until: datetime, error: str) -> None:
        """Persist a cooldown and the error that caused it."""
        ...

    def clear_cooldown(self, key_id: str) -> None:
        """Re-enable a key whose cooldown has passed."""
        ...


class EnvKeys:
    """Keys from GEMINI_KEYS; their cooldowns live only in the cache."""

    def __init__(self, raw: str) -> None:
        secrets = [s.strip() for s in raw.split(",") if s.strip()]
        self._keys = [
            GeminiKey(id=key_id_for(s), secret=s, priority=i) for i, s in enumerate(secrets)
        ]

    def list_keys(self) -> list[GeminiKey]:
        """The keys in the order they were written."""
        return list(self._keys)

    def set_cooldown(self, key_id: str, until: datetime, error: str) -> None:
        """Nothing durable to write for environment keys."""

    def clear_cooldown(self, key_id: str) -> None:
        """Nothing durable to clear for environment keys."""


class _MemoryCooldowns:
    """Stand-in for the cache when none is wired (single process, tests of the ring alone)."""

    def __init__(self) -> None:
        self._values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def set(self, key: str, value: str, *, ttl_seconds: float | None = None) -> bool:
        self._values[key] = value
        return True

    def delete(self, key: str) -> bool:
        return self._values.pop(key, None) is not None


class _CooldownCache(Protocol):
    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, *, ttl_seconds: float | None = None) -> bool: ...
    def delete(self, key: str) -> bool: ...


class KeyRing:
    """Every configured key, which of them may be used now, and resting them."""

    def __init__(
        self,
        sources: Sequence[KeySource],
        *,
        clock: Clock,
        cache: Cache | None = None,
        cooldown: timedelta = timedelta(hours=24),
    ) -> None:
        self._sources = list(sources)
        self._clock = clock
        self._cache: _CooldownCache = cache if cache is not None else _MemoryCooldowns()
        self._cooldown = cooldown
        self._owners: dict[str, KeySource] = {}

    def ordered_keys(self) -> list[GeminiKey]:
        """All keys, environment first, each secret once."""
        seen: set[str] = set()
        result: list[GeminiKey] = []
        for source in self._sources:
            for key in sorted(source.list_keys(), key=lambda k: k.priority):
                digest = key_id_for(key.secret)
                if digest not in seen:
                    seen.add(digest)
                    result.append(key)
                    self._owners[key.id] = source
        return result

    def resting_until(self, key: GeminiKey) -> datetime | None:
        """When the key's cooldown ends, or None when it may be used now."""
        now = self._clock.now()
        candidates = [key.cooldown_until, self._cached_until(key.id)]
        ends = [c for c in candidates if c is not None and c > now]
        return max(ends) if ends else None

    def usable(self) -> list[GeminiKey]:
        """Keys not on a quota cooldown, in priority order."""
        return [k for k in self.ordered_keys() if self.resting_until(k) is None]

    def rest(self, key: GeminiKey, error: str, *, period: timedelta | None = None) -> datetime:
        """Put a key on its cooldown (GEMINI_COOLDOWN_HOURS unless `period`); returns the end."""
        period = period or self._cooldown
        until = self._clock.now() + period
        try:
            self._cache.set(
                _CACHE_PREFIX + key.id, until.isoformat(), ttl_seconds=period.total_seconds()
            )
        except CacheError:  # the row (table keys) or this turn's own skip still holds
            log.warning("cooldown of gemini key %s not cached", key.id)
        self._owner(key).set_cooldown(key.id, until, error[:200])
        metrics.COOLDOWNS.inc()
        log.warning("gemini key %s rests until %s: %s", key.id, until.isoformat(), error)
        return until

    def reactivate(self) -> dict[str, int]:
        """Re-enable every key whose cooldown has passed; report the counts."""
        now = self._clock.now()
        reactivated = 0
        for key in self.ordered_keys():
            cached = self._cached_until(key.id)
            stored = key.cooldown_until
            if cached is not None and cached <= now:
                with contextlib.suppress(CacheError):
                    self._cache.delete(_CACHE_PREFIX + key.id)
            if stored is not None and stored <= now:
                self._owner(key).clear_cooldown(key.id)
            if (cached is not None and cached <= now) or (stored is not None and stored <= now):
                reactivated += int(self.resting_until(key) is None)
        keys = self.ordered_keys()
        active = sum(1 for k in keys if self.resting_until(k) is None)
        metrics.ACTIVE_KEYS.set(active)
        return {
            "keys": len(keys),
            "active": active,
            "cooling": len(keys) - active,
            "reactivated": reactivated,
        }

    def _owner(self, key: GeminiKey) -> KeySource:
        if key.id not in self._owners:
            self.ordered_keys()
        return self._owners[key.id]

    def _cached_until(self, key_id: str) -> datetime | None:
        try:
            raw = self._cache.get(_CACHE_PREFIX + key_id)
        except CacheError:  # an unreachable cache must not stop the brain
            return None
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError:
            return None
        return value if value.tzinfo else value.replace(tzinfo=UTC)
