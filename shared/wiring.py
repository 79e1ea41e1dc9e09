"""The one place that picks adapters from configuration and builds them lazily.

Services and handlers receive a `Components` and never learn which adapters they got.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from shared.config import Settings, get_settings


@dataclass(kw_only=True)
class Components:
    """The adapter set of one process, each built on first use and then reused."""

    settings: Settings = field(default_factory=get_settings)

    @functools.cached_property
    def database_url(self) -> str:
        """The Postgres URL of the direct transport (DATABASE_URL or the embedded server)."""
        from shared.adapters.postgres.migrate import migration_database_url  # noqa: PLC0415

        return migration_database_url(self.settings)

    def health(self) -> dict[str, object]:
        """What `/healthz` reports about the wiring (never a secret)."""
        return {
            "database": self.settings.database_mode,
            "cache": self.settings.cache_mode,
            "supplier": "sandbox" if self.settings.uses_sandbox else "atlantic",
        }
