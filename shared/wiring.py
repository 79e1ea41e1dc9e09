"""The one place that picks adapters from configuration and builds them lazily.

Services and handlers receive a `Components` and never learn which adapters they got. Each
adapter is a `cached_property`: built on first use, then reused for the life of the process.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shared.config import Settings, get_settings
from shared.errors import ConfigError

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from shared.adapters.atlantic import AtlanticClient, AtlanticWebhook
    from shared.adapters.gemini.rotator import RotatingGemini
    from shared.adapters.storage import MediaStore
    from shared.agent.brain import GeminiBrain
    from shared.bus import Bus
    from shared.crypto import KeyBox
    from shared.ports import Cache, Clock
    from shared.sandbox.server import Sandbox
    from shared.services.catalog import CatalogService
    from shared.services.notify import BusNotifier
    from shared.services.settlement import SettleDeps
    from shared.services.supplier_inbox import HandOff, SettleWorker
    from shared.store import Store


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
        generator without ATL_API_KEY, else from the price cache the refresh job fills (asking
        Atlantic when it is empty).
        """
        from shared.domain.pricing import SETTING_KEY  # noqa: PLC0415
        from shared.services.catalog import CatalogService, price_items_loader  # noqa: PLC0415

        if self.settings.uses_sandbox:
            from shared.sandbox.catalog import prepaid_items  # noqa: PLC0415

            return CatalogService(
                load_items=prepaid_items, read_rules=lambda: self.store.get_setting(SETTING_KEY)
            )
        return CatalogService(
            load_items=price_items_loader(
                cache=self.cache,
                store=self.store,
                fetch=lambda: self.supplier.price_items("prabayar"),
            ),
            read_rules=lambda: self.store.get_setting(SETTING_KEY),
        )

    @functools.cached_property
    def cache(self) -> Cache:
        """Upstash (UPSTASH_REDIS_REST_URL), else Redis (REDIS_URL), else in-process memory."""
        settings = self.settings
        if settings.cache_mode == "upstash":
            from shared.adapters.cache.upstash import UpstashCache  # noqa: PLC0415

            if settings.upstash_redis_rest_token is None:
                raise ConfigError(
                    "UPSTASH_REDIS_REST_TOKEN is required with UPSTASH_REDIS_REST_URL"
                )
            return UpstashCache(
                str(settings.upstash_redis_rest_url),
                settings.upstash_redis_rest_token.get_secret_value(),
            )
        if settings.redis_url is not None:
            from shared.adapters.cache.redis import RedisCache  # noqa: PLC0415

            return RedisCache(settings.redis_url.get_secret_value())
        from shared.adapters.cache.memory import MemoryCache  # noqa: PLC0415

        return MemoryCache()

    @functools.cached_property
    def app_secret(self) -> str:
        """APP_SECRET, else a secret generated and kept under DATA_DIR."""
        if self.settings.app_secret is not None:
            return self.settings.app_secret.get_secret_value()
        return _local_secret(self.settings, "app_secret")

    @functools.cached_property
    def key_box(self) -> KeyBox:
        """Encrypts Gemini keys at rest with keys derived from `app_secret`."""
        from shared.crypto import KeyBox  # noqa: PLC0415

        return KeyBox(self.app_secret)

    @functools.cached_property
    def sandbox(self) -> Sandbox:
        """The in-process Atlantic sandbox (127.0.0.1, a free port, state under DATA_DIR).

        Its webhooks go straight into the same handler `/webhook/atlantic` uses.
        """
        from shared.sandbox.server import Sandbox  # noqa: PLC0415

        def deliver(headers: Mapping[str, str], body: bytes) -> int:
            return self.handle_atlantic_webhook(headers, body)[0]

        sandbox = Sandbox(
            state_file=self.settings.data_dir / "sandbox.json", webhook_target=deliver
        ).start()
        log.info("atlantic sandbox on %s (api_key=%s)", sandbox.url, sandbox.api_key)
        return sandbox

    @functools.cached_property
    def supplier(self) -> AtlanticClient:
        """Atlantic H2H at ATL_BASE_URL when ATL_API_KEY is set, else the in-process sandbox."""
        from shared.adapters.atlantic import AtlanticClient  # noqa: PLC0415

        timeout = self.settings.atl_timeout_seconds
        if self.settings.atl_api_key is None:
            sandbox = self.sandbox
            return AtlanticClient.build(sandbox.url, sandbox.api_key, timeout_seconds=timeout)
        return AtlanticClient.build(
            self.settings.atl_base_url,
            self.settings.atl_api_key.get_secret_value(),
            timeout_seconds=timeout,
        )

    @functools.cached_property
    def supplier_webhook(self) -> AtlanticWebhook:
        """Verifies Atlantic callbacks: md5 of ATL_USERNAME (the sandbox's username locally)."""
        from shared.adapters.atlantic import AtlanticWebhook  # noqa: PLC0415

        if self.settings.atl_api_key is None:
            from shared.sandbox.magic import SANDBOX_USERNAME  # noqa: PLC0415

            return AtlanticWebhook(SANDBOX_USERNAME)
        if self.settings.atl_username is None:
            raise ConfigError("ATL_USERNAME is required with ATL_API_KEY (it signs webhooks)")
        return AtlanticWebhook(self.settings.atl_username.get_secret_value())

    @functools.cached_property
    def settle_deps(self) -> SettleDeps:
        """The ports the webhook receiver and the reconciler settle with."""
        from shared.services.settlement import SettleDeps  # noqa: PLC0415

        return SettleDeps(store=self.store, supplier=self.supplier, notifier=self.notifier)

    @functools.cached_property
    def settle_worker(self) -> SettleWorker:
        """The all-in-one settler of recorded webhooks: one thread, started on first use."""
        from shared.services.supplier_inbox import SettleWorker  # noqa: PLC0415

        return SettleWorker(self.settle_deps).start()

    @functools.cached_property
    def event_hand_off(self) -> HandOff:
        """Where recorded webhooks go to be settled: the in-process worker (all-in-one).

        functions/main.py replaces it with Pub/Sub `atl-events` in the serverless deployment.
        """
        return self.settle_worker

    def stop_settle_worker(self) -> None:
        """Stop the settle worker if it runs; unsettled events stay in the inbox for the sweep."""
        worker: SettleWorker | None = self.__dict__.get("settle_worker")
        if worker is not None:
            worker.stop()

    def handle_atlantic_webhook(
        self, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, object]]:
        """The Atlantic webhook, for every entry point: (HTTP status, JSON body)."""
        from shared.services.webhook import handle_webhook  # noqa: PLC0415

        return handle_webhook(
            headers,
            body,
            reader=self.supplier_webhook,
            store=self.store,
            hand_off=self.event_hand_off,
        )

    @functools.cached_property
    def jobs_token(self) -> str:
        """Bearer token for `/jobs/*`: JOBS_TOKEN, else one generated and kept under DATA_DIR."""
        if self.settings.jobs_token is not None:
            return self.settings.jobs_token.get_secret_value()
        return _local_secret(self.settings, "jobs_token")

    @functools.cached_property
    def clock(self) -> Clock:
        """The time source of the handlers (tests replace it with a controllable one)."""
        from shared.services.clock import SystemClock  # noqa: PLC0415

        return SystemClock()

    @functools.cached_property
    def bus(self) -> Bus:
        """Where replies and notifications are published: the in-process bus (all-in-one)."""
        from shared.bus import InProcessBus  # noqa: PLC0415

        return InProcessBus()

    @functools.cached_property
    def notifier(self) -> BusNotifier:
        """Renders supplier/ledger events as customer messages and owner alerts on the bus."""
        from shared.services.notify import BusNotifier  # noqa: PLC0415

        return BusNotifier(self)

    @functools.cached_property
    def media(self) -> MediaStore:
        """Private media (voice notes, images, QRIS PNGs): Supabase Storage or DATA_DIR/media."""
        from shared.adapters.storage import media_store  # noqa: PLC0415

        return media_store(self.settings)

    @functools.cached_property
    def gemini(self) -> RotatingGemini | None:
        """The Gemini client rotating over every configured key; None when there is none."""
        from shared.adapters.gemini.factory import build_gemini  # noqa: PLC0415
        from shared.adapters.gemini.store_keys import StoreKeys  # noqa: PLC0415

        table = StoreKeys(self.store, self.key_box, clock=self.clock)
        return build_gemini(self.settings, cache=self.cache, sources=[table], clock=self.clock)

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

    def reload_gemini(self) -> None:
        """Let the next turn see a key added at run time when none existed at start-up.

        With keys, the table's are re-read within a minute anyway; without any, `gemini` was
        built as None and would stay so until a restart.
        """
        if "gemini" in self.__dict__ and self.__dict__["gemini"] is None:
            self.__dict__.pop("gemini", None)
            self.__dict__.pop("brain", None)

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
    if path.exists() and (kept := path.read_text("utf-8").strip()):
        return kept
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    path.touch(mode=0o600)
    path.write_text(value, "utf-8")
    return value
