"""Gemini keys as the console shows and changes them; a key's secret is never shown again.

States come from where the brain keeps them: the `api_keys` rows (enabled, cooldown, last
error), the shared cache's cooldowns (`KeyRing.resting_until`, for GEMINI_KEYS too) and, when
this process runs the brain, its circuit breakers. New keys are encrypted with the process's
`KeyBox` exactly as the table expects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.adapters.gemini.keys import EnvKeys, GeminiKey, KeyRing
from shared.store_models import AddedApiKey
from shared.wiring import Components

MIN_KEY_LENGTH = 20
MAX_KEY_LENGTH = 200


@dataclass(frozen=True, kw_only=True)
class KeyView:
    """One key's state; `id` and `label` identify it, nothing reveals the secret."""

    id: str
    label: str
    source: str
    priority: int
    enabled: bool
    resting_until: datetime | None
    breaker_until: datetime | None
    last_error: str | None
    failure_count: int
    added_at: datetime | None

    @property
    def state(self) -> str:
        """`aktif`, `nonaktif`, `istirahat` (quota cooldown) or `breaker` (5xx/timeout)."""
        if not self.enabled:
            return "nonaktif"
        if self.resting_until is not None:
            return "istirahat"
        if self.breaker_until is not None:
            return "breaker"
        return "aktif"


def key_views(components: Components, now: datetime) -> list[KeyView]:
    """Every key the brain may use: GEMINI_KEYS first, then the table's by priority."""
    ring = KeyRing([], clock=components.clock, cache=components.cache)
    # Breakers are per process: only a process that runs the brain has any to show.
    gemini = components.__dict__.get("gemini")
    views: list[KeyView] = []
    raw = components.settings.gemini_keys
    for key in EnvKeys(raw.get_secret_value()).list_keys() if raw is not None else []:
        views.append(
            KeyView(
                id=key.id,
                label="GEMINI_KEYS",
                source="env",
                priority=key.priority,
                enabled=True,
                resting_until=ring.resting_until(key),
                breaker_until=gemini.breaker_open_until(key.id) if gemini else None,
                last_error=None,
                failure_count=0,
                added_at=None,
            )
        )
    for row in components.store.list_api_keys(now):
        probe = GeminiKey(
            id=row.id, secret="", priority=row.priority, cooldown_until=row.cooldown_until
        )
        views.append(
            KeyView(
                id=row.id,
                label=row.label,
                source="table",
                priority=row.priority,
                enabled=row.enabled,
                resting_until=ring.resting_until(probe),
                breaker_until=gemini.breaker_open_until(row.id) if gemini else None,
                last_error=row.last_error,
                failure_count=row.failure_count,
                added_at=row.created_at,
            )
        )
    return views


def clean_key(raw: str) -> str:
    """The key as typed, checked for shape.

    Raises:
        ValueError: empty, too short or too long, or containing spaces.
    """
    key = raw.strip()
    if not MIN_KEY_LENGTH <= len(key) <= MAX_KEY_LENGTH or any(ch.isspace() for ch in key):
        raise ValueError("a Gemini key is one word of 20 to 200 characters")
    return key


def add_key(components: Components, secret: str, *, label: str, priority: int) -> AddedApiKey:
    """Store a new key encrypted (the same key twice keeps one row) and let the brain see it."""
    box = components.key_box
    added = components.store.add_api_key(
        ciphertext=box.encrypt(secret),
        fingerprint=box.fingerprint(secret),
        label=label.strip()[:60],
        priority=priority,
    )
    components.reload_gemini()
    return added
