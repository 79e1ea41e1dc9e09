"""Apply the numbered SQL files in `migrations/` in order, each exactly once.

Applied versions are recorded in `schema_migrations` with a checksum; a file edited after it was
applied is refused rather than silently skipped. A session-level advisory lock lets several
processes start at once without applying anything twice. Every run ends with
`private.lock_down()` (migration 0013): nothing in `public` or `private` stays readable,
writable or callable by PUBLIC, anon or authenticated, whatever later migrations forgot.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from shared.config import Settings, get_settings
from shared.errors import ConfigError, StoreError

log = logging.getLogger(__name__)

_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK_KEY = 7_142_001  # arbitrary, constant: identifies "migrations" among advisory locks


@dataclass(frozen=True, kw_only=True)
class Migration:
    """One SQL file."""

    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file's text."""
        return hashlib.sha256(self.sql.encode()).hexdigest()


def migrations_dir() -> Path:
    """The repository's `migrations/` folder."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "migrations"
        if candidate.is_dir() and (parent / "pyproject.toml").exists():
            return candidate
    raise ConfigError("cannot find the migrations/ folder next to pyproject.toml")


def load_migrations(folder: Path | None = None) -> list[Migration]:
    """Every migration file, ordered by version; duplicate versions are an error."""
    found: dict[str, Migration] = {}
    for path in sorted((folder or migrations_dir()).glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise ConfigError(f"migration file name not understood: {path.name}")
        version = match.group(1)
        if version in found:
            raise ConfigError(f"two migrations share version {version}")
        found[version] = Migration(version=version, name=path.name, sql=path.read_text("utf-8"))
    return [found[v] for v in sorted(found)]


def apply_migrations(database_url: str, folder: Path | None = None) -> list[str]:
    """Apply pending migrations; returns the names applied now (empty when up to date)."""
    migrations = load_migrations(folder)
    applied_now: list[str] = []
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_LOCK_KEY,))
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())"
                )
                rows = conn.execute("SELECT version, checksum FROM schema_migrations").fetchall()
                done = {str(v): str(c) for v, c in rows}
                for migration in migrations:
                    if migration.version in done:
                        if done[migration.version] != migration.checksum:
                            raise StoreError(
                                f"migration {migration.name} changed after it was applied; "
                                "add a new migration instead"
                            )
                        continue
                    with conn.transaction():
                        conn.execute(migration.sql.encode())
                        conn.execute(
                            "INSERT INTO schema_migrations (version, name, checksum)"
                            " VALUES (%s, %s, %s)",
                            (migration.version, migration.name, migration.checksum),
                        )
                    log.info("applied migration %s", migration.name)
                    applied_now.append(migration.name)
                _lock_down(conn)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_LOCK_KEY,))
    except psycopg.Error as exc:
        raise StoreError(f"migration failed: {exc.__class__.__name__}: {exc}") from exc
    return applied_now


def _lock_down(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Run `private.lock_down()` (migration 0013) after every run, when it exists.

    A later migration that creates a table or function without revoking anon's privileges (or
    a grant made by hand) is closed again here, whatever the migration says.
    """
    found = conn.execute("SELECT to_regprocedure('private.lock_down()')").fetchone()
    if found is not None and found[0] is not None:
        conn.execute("SELECT private.lock_down()")


def migration_database_url(settings: Settings) -> str:
    """The Postgres URL migrations go to: DATABASE_URL, Supabase's, or the embedded server."""
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    if settings.supabase_url:
        if settings.supabase_db_url is None:
            raise ConfigError(
                "SUPABASE_DB_URL (the project's Postgres connection string) is required to "
                "migrate a Supabase database"
            )
        return settings.supabase_db_url.get_secret_value()
    from shared.adapters.postgres.embedded import embedded_database_url  # noqa: PLC0415

    return embedded_database_url(settings.data_dir)


def migrate_command(args: argparse.Namespace) -> int:
    """`salesbot migrate`."""
    from shared.log import setup_logging  # noqa: PLC0415

    settings = get_settings()
    setup_logging(settings.log_level, settings.log_format)
    applied = apply_migrations(migration_database_url(settings))
    print(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))
    return 0
