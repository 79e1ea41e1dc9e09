"""The one place that picks adapters from configuration and builds them lazily.

Services and handlers receive a `Components` and never learn which adapters they got. Each
adapter is a `cached_property`: built on first use, then reused for the life of the process.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shared.config import Settings, get_settings
from shared.errors import ConfigError

if TYPE_CHECKING:
    from shared.crypto import KeyBox
    from shared.services.catalog import CatalogService
    from shared.store import Store

if TYPE_CHECKING:
    from shared.adapters.gemini.rotator import RotatingGemini
    from shared.agent.brain import GeminiBrain

if TYPE_CHECKING:
    from shared.adapters.storage import MediaStore


@dataclass(kw_only=True)
class Components:
    """The adapter set of one process, each built on first use and then reused."""

    settings: Settings = field(default_factory=get_settings)

    @functools.cached_property
    def database_url(self) -> str:
        """The Postgres URL of the direct transport (DATABASE_URL or the embedded server)."""
        from shared.adapters.postgres.migrate import migration_database_url  # noqa: PLC0415

        return migration_database_url(self.settings)

    @functools.cached_property
    def store(self) -> Store:
        """The store over Supabase RPC (SUPABASE_URL without DATABASE_URL) or direct Postgres."""
        from shared.store import Store  # noqa: PLC0415

        if self.settings.database_mode == "supabase":
            from shared.adapters.supabase.rpc import SupabaseRpc  # noqa: PLC0415

            key = self.settings.supabase_service_role_key
            if key is None:
                raise ConfigError("SUPABASE_SERVICE_ROLE_KEY is required with SUPABASE_URL")
            return Store(SupabaseRpc(str(self.settings.supabase_url), key.get_secret_value()))
        from shared.adapters.postgres.rpc import PostgresRpc  # noqa: PLC0415

        return Store(PostgresRpc(self.database_url))

    @functools.cached_property
    def catalog(self) -> CatalogService:
        """The priced catalogue, with the owner's markup rules re-read every 30 s.

        Rules come from the store's `markup_rules` setting; the prepaid list from the sandbox
        generator without ATL_API_KEY, else from the price cache the refresh job fills.
        """
        from shared.domain.pricing import SETTING_KEY  # noqa: PLC0415
        from shared.services.catalog import CatalogService, price_items_loader  # noqa: PLC0415

        if self.settings.uses_sandbox:
            from shared.sandbox.catalog import prepaid_items  # noqa: PLC0415

            return CatalogService(
                load_items=prepaid_items, read_rules=lambda: self.store.get_setting(SETTING_KEY)
            )
        return CatalogService(
            load_items=price_items_loader(store=self.store),
            read_rules=lambda: self.store.get_setting(SETTING_KEY),
        )

    @functools.cached_property
    def key_box(self) -> KeyBox:
        """Encrypts Gemini keys at rest: APP_SECRET, else a secret generated under DATA_DIR."""
        from shared.crypto import KeyBox  # noqa: PLC0415

        if self.settings.app_secret is not None:
            return KeyBox(self.settings.app_secret.get_secret_value())
        return KeyBox(_local_secret(self.settings, "app_secret"))

    @functools.cached_property
    def jobs_token(self) -> str:
        """Bearer token for `/jobs/*`: JOBS_TOKEN, else one generated and kept under DATA_DIR."""
        if self.settings.jobs_token is not None:
            return self.settings.jobs_token.get_secret_value()
        return _local_secret(self.settings, "jobs_token")

    @functools.cached_property
    def media(self) -> MediaStore:
        """Private media (voice notes, images, QRIS PNGs): Supabase Storage or DATA_DIR/media."""
        from shared.adapters.storage import media_store  # noqa: PLC0415

        return media_store(self.settings)

    @functools.cached_property
    def gemini(self) -> RotatingGemini | None:
        """The Gemini client rotating over every configured key; None when there is none."""
        from shared.adapters.gemini.factory import SystemClock, build_gemini  # noqa: PLC0415
        from shared.adapters.gemini.store_keys import StoreKeys  # noqa: PLC0415

        clock = SystemClock()
        table = StoreKeys(self.store, self.key_box, clock=clock)
        return build_gemini(self.settings, sources=[table], clock=clock)

    @functools.cached_property
    def brain(self) -> GeminiBrain | None:
        """The Gemini tier of the conversation; None (rules only) when no key is configured."""
        if self.gemini is None:
            return None
        from shared.agent.brain import GeminiBrain  # noqa: PLC0415
        from shared.agent.bridge import agent_services  # noqa: PLC0415

        return GeminiBrain(
            self.gemini,
            agent_services(self),
            max_tokens=min(self.settings.gemini_max_tokens, 1024),
        )

    def health(self) -> dict[str, object]:
        """What `/healthz` reports about the wiring (never a secret)."""
        return {
            "database": self.settings.database_mode,
            "cache": self.settings.cache_mode,
            "supplier": "sandbox" if self.settings.uses_sandbox else "atlantic",
        }


def _local_secret(settings: Settings, name: str) -> str:
    """A random secret persisted under DATA_DIR (0600) so restarts keep it."""
    path = settings.data_dir / "secrets" / name
    if path.exists():
        return path.read_text("utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(value, "utf-8")
    return value
