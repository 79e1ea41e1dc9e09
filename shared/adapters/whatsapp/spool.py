"""Inbound messages the relay could not publish wait here, persisted, until a publish succeeds.

WhatsApp delivers a message once to this device; if the publish to `wa-inbound` fails (Pub/Sub
unreachable, a token refresh failing) and the relay only logged it, the customer's message was
gone. The spool keeps such messages in arrival order where the session store is: a table in the
session's Postgres database (schema `wa_relay`, never exposed by PostgREST) or a SQLite file
next to the session's SQLite file. It is bounded (`LIMIT` messages; past it the oldest is
dropped, logged and counted) and one message id is kept once.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

from shared.adapters.whatsapp import metrics
from shared.log import hash_id
from shared.messages import InboundMessage

log = logging.getLogger(__name__)

LIMIT = 10_000


class _Backend(Protocol):
    def add(self, wa_msg_id: str, body: str) -> bool: ...

    def oldest(self, limit: int) -> list[tuple[int, str]]: ...

    def remove(self, seq: int) -> bool: ...

    def count(self) -> int: ...

    def drop_oldest(self, keep: int) -> int: ...

    def close(self) -> None: ...


class InboundSpool:
    """A persisted FIFO of `InboundMessage`s waiting for a publish."""

    def __init__(self, backend: _Backend, *, limit: int = LIMIT) -> None:
        self._backend = backend
        self._limit = limit
        self._lock = threading.Lock()
        # Kept in memory: the relay asks on every inbound message, on neonize's callback thread.
        self._count = backend.count()

    @classmethod
    def beside(cls, session_db: str) -> InboundSpool:
        """The spool where the whatsmeow session store is (a Postgres DSN or a SQLite path)."""
        if session_db.startswith(("postgres://", "postgresql://")):
            return cls(_Postgres(session_db))
        path = Path(session_db)
        return cls(_Sqlite(path.with_name(f"{path.stem}-inbound-spool.db")))

    def __len__(self) -> int:
        with self._lock:
            return self._count

    def add(self, message: InboundMessage) -> None:
        """Keep `message` behind the ones already waiting (the oldest go past the limit)."""
        with self._lock:
            self._count += self._backend.add(message.wa_msg_id, message.model_dump_json())
            dropped = self._backend.drop_oldest(self._limit)
            self._count -= dropped
        if dropped:
            metrics.INBOUND_SPOOL_DROPPED.inc(dropped)
            log.error("inbound spool full: the %d oldest waiting messages were dropped", dropped)
        log.warning("inbound %s kept for a later publish", hash_id(message.wa_msg_id))

    def oldest(self, limit: int = 100) -> list[tuple[int, InboundMessage]]:
        """The next messages to publish, oldest first, with their place in the spool."""
        with self._lock:
            rows = self._backend.oldest(limit)
        return [(seq, InboundMessage.model_validate_json(body)) for seq, body in rows]

    def remove(self, seq: int) -> None:
        """That one was published."""
        with self._lock:
            self._count -= self._backend.remove(seq)

    def close(self) -> None:
        """Close the connection (what waits stays stored)."""
        with self._lock:
            self._backend.close()


class _Sqlite:
    """A SQLite file of its own: whatsmeow's Go driver holds the session file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS inbound_spool ("
            " seq INTEGER PRIMARY KEY AUTOINCREMENT, wa_msg_id TEXT NOT NULL UNIQUE,"
            " body TEXT NOT NULL)"
        )

    def add(self, wa_msg_id: str, body: str) -> bool:
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO inbound_spool (wa_msg_id, body) VALUES (?, ?)",
            (wa_msg_id, body),
        )
        return cursor.rowcount == 1

    def oldest(self, limit: int) -> list[tuple[int, str]]:
        rows = self._db.execute(
            "SELECT seq, body FROM inbound_spool ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [(int(seq), str(body)) for seq, body in rows]

    def remove(self, seq: int) -> bool:
        return self._db.execute("DELETE FROM inbound_spool WHERE seq = ?", (seq,)).rowcount == 1

    def count(self) -> int:
        (n,) = self._db.execute("SELECT count(*) FROM inbound_spool").fetchone()
        return int(n)

    def drop_oldest(self, keep: int) -> int:
        cursor = self._db.execute(
            "DELETE FROM inbound_spool WHERE seq IN (SELECT seq FROM inbound_spool"
            " ORDER BY seq DESC LIMIT -1 OFFSET ?)",
            (keep,),
        )
        return int(cursor.rowcount)

    def close(self) -> None:
        self._db.close()


class _Postgres:
    """A table in the session's database, in a schema of its own (nothing else can read it)."""

    def __init__(self, dsn: str) -> None:
        import psycopg  # noqa: PLC0415 - only relays on a Postgres session store need it

        self._db = psycopg.connect(dsn, autocommit=True)
        self._db.execute("CREATE SCHEMA IF NOT EXISTS wa_relay")
        self._db.execute("REVOKE ALL ON SCHEMA wa_relay FROM PUBLIC")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS wa_relay.inbound_spool ("
            " seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " wa_msg_id text NOT NULL UNIQUE, body text NOT NULL,"
            " added_at timestamptz NOT NULL DEFAULT now())"
        )

    def add(self, wa_msg_id: str, body: str) -> bool:
        cursor = self._db.execute(
            "INSERT INTO wa_relay.inbound_spool (wa_msg_id, body) VALUES (%s, %s)"
            " ON CONFLICT (wa_msg_id) DO NOTHING",
            (wa_msg_id, body),
        )
        return cursor.rowcount == 1

    def oldest(self, limit: int) -> list[tuple[int, str]]:
        rows = self._db.execute(
            "SELECT seq, body FROM wa_relay.inbound_spool ORDER BY seq LIMIT %s", (limit,)
        ).fetchall()
        return [(int(seq), str(body)) for seq, body in rows]

    def remove(self, seq: int) -> bool:
        cursor = self._db.execute("DELETE FROM wa_relay.inbound_spool WHERE seq = %s", (seq,))
        return cursor.rowcount == 1

    def count(self) -> int:
        row = self._db.execute("SELECT count(*) FROM wa_relay.inbound_spool").fetchone()
        return int(row[0]) if row else 0

    def drop_oldest(self, keep: int) -> int:
        cursor = self._db.execute(
            "DELETE FROM wa_relay.inbound_spool WHERE seq IN (SELECT seq FROM"
            " wa_relay.inbound_spool ORDER BY seq DESC OFFSET %s)",
            (keep,),
        )
        return int(cursor.rowcount)

    def close(self) -> None:
        self._db.close()
