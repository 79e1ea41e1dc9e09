"""Where the whatsmeow session lives (neonize's client name), without importing neonize.

`salesbot doctor` looks there too, so this module stays free of the relay's imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.config import Settings


def session_db(settings: Settings) -> str:
    """The whatsmeow store: WA_SESSION_DB, else the database URL, else SQLite under DATA_DIR.

    A name starting with `postgres` makes neonize use PostgreSQL; anything else is a SQLite file.
    """
    for secret in (settings.wa_session_db, settings.database_url, settings.supabase_db_url):
        if secret is not None and secret.get_secret_value():
            return secret.get_secret_value()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return str(settings.data_dir / "wa-session.db")
