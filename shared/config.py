"""Typed settings read once from the environment and an optional `.env` file.

Every variable here is listed in `.env.example` and in the README's configuration table. Nothing
is read at import time: `get_settings()` builds the object on first use so a missing or malformed
value fails when the process wires itself up, with a message that names the variable and never
its value.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.dsn import check_session_dsn
from shared.errors import ConfigError


class Settings(BaseSettings):
    """All configuration of every deployment; empty values mean "use the embedded default"."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        frozen=True,
        hide_input_in_errors=True,
        # `NAME=` (as copied from .env.example) means "use the default", never an empty value:
        # an empty JOBS_TOKEN would let `Bearer ` in, an empty ATL_USERNAME signs with md5("").
        env_ignore_empty=True,
    )

    # --- process -----------------------------------------------------------------------------
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "text"] = "text"
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8080, ge=0, le=65535)
    data_dir: Path = Path(".data")
    app_secret: SecretStr | None = None
    jobs_token: SecretStr | None = None

    # --- database ----------------------------------------------------------------------------
    database_url: SecretStr | None = None
    supabase_url: str | None = None
    supabase_service_role_key: SecretStr | None = None
    supabase_db_url: SecretStr | None = None

    # --- cache -------------------------------------------------------------------------------
    redis_url: SecretStr | None = None
    upstash_redis_rest_url: str | None = None
    upstash_redis_rest_token: SecretStr | None = None

    # --- supplier (Atlantic H2H) ------------------------------------------------------------
    atl_base_url: str = "https://atlantich2h.com"
    atl_api_key: SecretStr | None = None
    atl_username: SecretStr | None = None
    # The callback URL Atlantic was given (its API page, CALLBACK); only `salesbot doctor` reads
    # it, to check that an unsigned call reaches the webhook and is refused there.
    atl_webhook_url: str | None = None
    atl_timeout_seconds: float = Field(default=20.0, gt=0, le=60)
    supplier_balance_alert: int = Field(default=100_000, ge=0)
    reconcile_after_minutes: int = Field(default=5, ge=1)
    reconcile_alert_minutes: int = Field(default=60, ge=1)
    price_cache_ttl_seconds: int = Field(default=600, ge=300, le=900)

    # --- brain (Gemini) ----------------------------------------------------------------------
    gemini_keys: SecretStr | None = None
    gemini_model: str = "gemini-2.5-flash-lite"
    gemini_base_url: str | None = None
    gemini_timeout_ms: int = Field(default=20_000, ge=1_000)
    gemini_max_tokens: int = Field(default=1024, ge=64)
    gemini_cooldown_hours: float = Field(default=24, gt=0)

    # --- conversation ------------------------------------------------------------------------
    admin_numbers: str = ""
    owner_number: str | None = None
    quote_ttl_seconds: int = Field(default=300, ge=30)
    stale_message_seconds: int = Field(default=300, ge=10)
    takeover_minutes: int = Field(default=30, ge=1)

    # --- owner's web console -----------------------------------------------------------------
    console_url: str | None = None

    # --- WhatsApp relay and bus --------------------------------------------------------------
    wa_enabled: bool = False
    wa_session_db: SecretStr | None = None
    wa_pair_phone: str | None = None
    gcp_project: str | None = None
    pubsub_inbound_topic: str = "wa-inbound"
    pubsub_outbound_topic: str = "wa-outbound"
    pubsub_outbound_subscription: str = "wa-outbound-relay"
    pubsub_supplier_events_topic: str = "atl-events"
    media_bucket: str = "wa-media"
    media_ttl_seconds: int = Field(default=3600, ge=60)
    # Proactive messages that are not transactional status updates (whatsapp.md §1.3).
    wa_quiet_hours: str = "21:00-08:00"
    wa_timezone: str = "Asia/Jakarta"
    wa_followups_per_topic: int = Field(default=2, ge=0, le=2)
    wa_proactive_daily_cap: int = Field(default=20, ge=0, le=200)
    wa_warmup_days: int = Field(default=14, ge=1, le=90)

    @field_validator(
        "app_secret",
        "jobs_token",
        "database_url",
        "supabase_service_role_key",
        "supabase_db_url",
        "redis_url",
        "upstash_redis_rest_token",
        "atl_api_key",
        "atl_username",
        "gemini_keys",
        "wa_session_db",
    )
    @classmethod
    def _blank_secret_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        # Whitespace is not a secret: never sign or authenticate with it. Unset, a required
        # secret is refused where it is needed (ATL_USERNAME with ATL_API_KEY) or generated
        # (JOBS_TOKEN, APP_SECRET).
        if value is not None and not value.get_secret_value().strip():
            return None
        return value

    @field_validator("admin_numbers")
    @classmethod
    def _digits_and_commas(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if any(not p.lstrip("+").isdigit() for p in parts):
            raise ValueError("expected comma-separated phone numbers")
        return ",".join(parts)

    @field_validator("wa_session_db")
    @classmethod
    def _session_store_url(cls, value: SecretStr | None) -> SecretStr | None:
        # neonize opens PostgreSQL only for a name starting with "postgres"; anything else
        # becomes a SQLite file of that name, and the session would vanish with the container.
        if value is not None and value.get_secret_value():
            check_session_dsn(value.get_secret_value(), purpose="the WhatsApp session store")
        return value

    @field_validator("supabase_db_url")
    @classmethod
    def _migration_url(cls, value: SecretStr | None) -> SecretStr | None:
        # The migration runner holds a session-level advisory lock across its transactions.
        if value is not None and value.get_secret_value():
            check_session_dsn(value.get_secret_value(), purpose="salesbot migrate")
        return value

    @field_validator("console_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        return value.rstrip("/") if value else None

    @field_validator("wa_quiet_hours")
    @classmethod
    def _time_window(cls, value: str) -> str:
        start, sep, end = value.replace(" ", "").partition("-")
        if not sep or not _is_hh_mm(start) or not _is_hh_mm(end):
            raise ValueError("expected HH:MM-HH:MM, e.g. 21:00-08:00")
        return f"{start}-{end}"

    @field_validator("wa_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone, e.g. Asia/Jakarta") from None
        return value

    @property
    def admins(self) -> frozenset[str]:
        """Admin phone numbers normalised to `62…` digits."""
        return frozenset(_msisdn(p) for p in self.admin_numbers.split(",") if p)

    @property
    def console_base_url(self) -> str:
        """Where the owner's console is reached (CONSOLE_URL, else this server's /console)."""
        if self.console_url:
            return self.console_url
        host = "127.0.0.1" if self.http_host in {"", "0.0.0.0", "::"} else self.http_host  # noqa: S104
        return f"http://{host}:{self.http_port}/console"

    @property
    def alert_numbers(self) -> frozenset[str]:
        """Where owner alerts go: OWNER_NUMBER and every admin, as `62…` digits."""
        owner = {_msisdn(self.owner_number)} if self.owner_number else set()
        return self.admins | owner

    @property
    def database_mode(self) -> Literal["postgres", "supabase", "embedded"]:
        """Which store transport the configuration selects."""
        if self.database_url is not None:
            return "postgres"
        if self.supabase_url:
            return "supabase"
        return "embedded"

    @property
    def cache_mode(self) -> Literal["upstash", "redis", "memory"]:
        """Which cache adapter the configuration selects."""
        if self.upstash_redis_rest_url:
            return "upstash"
        if self.redis_url is not None:
            return "redis"
        return "memory"

    @property
    def uses_sandbox(self) -> bool:
        """True when no Atlantic key is configured: the built-in sandbox is the supplier."""
        return self.atl_api_key is None


def _is_hh_mm(text: str) -> bool:
    hours, sep, minutes = text.partition(":")
    return (
        bool(sep)
        and len(minutes) == 2
        and hours.isdigit()
        and minutes.isdigit()
        and int(hours) < 24
        and int(minutes) < 60
    )


def _msisdn(raw: str) -> str:
    digits = raw.lstrip("+")
    return "62" + digits[1:] if digits.startswith("0") else digits


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation errors into a `ConfigError` naming the variables."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        names = sorted({str(err["loc"][0]).upper() for err in exc.errors() if err["loc"]})
        reasons = "; ".join(
            f"{str(err['loc'][0]).upper()}: {err['msg']}" for err in exc.errors() if err["loc"]
        )
        raise ConfigError(f"invalid configuration for {', '.join(names)} ({reasons})") from None


@functools.cache
def get_settings() -> Settings:
    """The process-wide settings, built on first use."""
    return load_settings()
