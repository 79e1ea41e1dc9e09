"""Builds the rotating Gemini client from settings, and the key reactivation job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from shared.adapters.gemini.breaker import CircuitBreakers
from shared.adapters.gemini.keys import EnvKeys, KeyRing, KeySource
from shared.adapters.gemini.rotator import RotatingGemini

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.ports import Cache, Clock
    from shared.wiring import Components


def build_gemini(
    settings: Settings,
    *,
    cache: Cache | None = None,
    sources: Sequence[KeySource] = (),
    clock: Clock,
) -> RotatingGemini | None:
    """The rotating client over GEMINI_KEYS plus `sources`, or None when there is no key."""
    all_sources: list[KeySource] = []
    if settings.gemini_keys is not None:
        all_sources.append(EnvKeys(settings.gemini_keys.get_secret_value()))
    all_sources.extend(sources)
    ring = KeyRing(
        all_sources,
        clock=clock,
        cache=cache,
        cooldown=timedelta(hours=settings.gemini_cooldown_hours),
    )
    if not ring.ordered_keys():
        return None
    return RotatingGemini(settings, ring=ring, breakers=CircuitBreakers(clock), clock=clock)


def run_reactivation(components: Components) -> dict[str, int]:
    """The `reactivate_keys` job: re-enable keys whose cooldown passed; report the counts."""
    gemini = components.gemini
    if gemini is None:
        return {"keys": 0, "active": 0, "cooling": 0, "reactivated": 0}
    return gemini.ring.reactivate()
