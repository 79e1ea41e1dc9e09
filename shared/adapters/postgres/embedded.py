"""An embedded PostgreSQL (pgserver) under the data directory, for zero-configuration runs."""

from __future__ import annotations

import logging
from pathlib import Path

from shared.errors import ConfigError

log = logging.getLogger(__name__)


def embedded_database_url(data_dir: Path, *, keep_running: bool = False) -> str:
    """Start (or reuse) the embedded server under `data_dir/postgres` and return its URL.

    The server stops when this process exits unless `keep_running` is set; a second process
    asking for the same directory reuses the running server.
    """
    try:
        import pgserver  # noqa: PLC0415  (heavy, and only the all-in-one mode needs it)
    except ImportError as exc:  # pragma: no cover - the dev lock always installs it
        raise ConfigError(
            "DATABASE_URL is not set and the embedded Postgres (pgserver) is not installed"
        ) from exc
    path = (data_dir / "postgres").resolve()
    path.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(  # type: ignore[attr-defined]
        path, cleanup_mode=None if keep_running else "stop"
    )
    log.info("embedded postgres ready under %s", path)
    uri: str = server.get_uri()
    return uri
