"""What a Postgres connection string points at, and what that means on Supabase.

Supabase offers three doors to one database (https://supabase.com/docs/guides/database/
connecting-to-postgres): the direct host `db.<ref>.supabase.co:5432`, which resolves to IPv6
only unless the paid IPv4 add-on is on (Cloud Run's default egress has no IPv6 route, and many
home networks have none), and the shared pooler Supavisor at `aws-N-<region>.pooler.supabase.com`
in session mode (port 5432, user `postgres.<ref>`, IPv4) or transaction mode (port 6543).
Transaction mode hands each transaction a different server connection: session state such as
whatsmeow's prepared statements or the migration runner's advisory lock does not survive it.
Supavisor also routes reliably only to the `postgres` database (supabase/supavisor#234, #254,
#562), so whatsmeow's tables live there in their own schema, chosen by the connection's
`options=--search_path=whatsmeow` (the form Supavisor reads, supabase/supavisor#440, #768).

Standard library only: `shared.config` validates with it at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Kind = Literal["supabase_direct", "supabase_session", "supabase_transaction", "other"]

SESSION_SCHEMA = "whatsmeow"
"""The schema that holds the WhatsApp session tables on Supabase (migration 0035)."""

_SEARCH_PATH = re.compile(r"(?:^|\s)(?:--search_path=|-c\s*search_path=)(\S+)")


class DsnError(ValueError):
    """Not a connection string the bot can use; the message says what to write instead."""


@dataclass(frozen=True, kw_only=True)
class Dsn:
    """The parts of a `postgres://` / `postgresql://` URL that decide where it connects."""

    host: str
    port: int
    user: str
    dbname: str
    options: str

    @property
    def kind(self) -> Kind:
        """Which Supabase door, or `other` (any other server)."""
        if re.fullmatch(r"db\.[a-z0-9]+\.supabase\.co", self.host):
            return "supabase_direct"
        if self.host.endswith(".pooler.supabase.com"):
            return "supabase_transaction" if self.port == 6543 else "supabase_session"
        return "other"

    @property
    def search_path(self) -> str | None:
        """The schema the `options` parameter selects, if any."""
        match = _SEARCH_PATH.search(self.options)
        return match.group(1) if match else None

    def where(self) -> str:
        """host:port/db for messages (never the user's password)."""
        return f"{self.host}:{self.port}/{self.dbname}"


def parse_dsn(url: str) -> Dsn:
    """Split a Postgres URL.

    Raises:
        DsnError: not a `postgres://` or `postgresql://` URL.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in {"postgres", "postgresql"}:
        raise DsnError("expected a postgresql://user:password@host:port/database URL")
    query = parse_qs(parts.query)
    try:
        port = parts.port or 5432
    except ValueError:
        raise DsnError("the port is not a number") from None
    return Dsn(
        host=(parts.hostname or "").lower(),
        port=port,
        user=unquote(parts.username or ""),
        dbname=unquote(parts.path.lstrip("/")) or "postgres",
        options=" ".join(query.get("options", [])),
    )


def check_session_dsn(url: str, *, purpose: str) -> Dsn:
    """A URL for a long session (the WhatsApp store, migrations): not the transaction pooler.

    Raises:
        DsnError: the URL cannot hold a session; the message names the fix.
    """
    dsn = parse_dsn(url)
    if dsn.kind == "supabase_transaction":
        raise DsnError(
            f"{purpose} needs a session: use Supabase's session pooler (port 5432), not the "
            "transaction pooler (port 6543)"
        )
    return dsn


def unreachable_hint(dsn: Dsn) -> str:
    """What to do when a connection to `dsn` fails, for the Supabase doors that need it."""
    if dsn.kind == "supabase_direct":
        return (
            f"{dsn.host} is IPv6-only without Supabase's paid IPv4 add-on, and this network "
            "(like Cloud Run's default egress) may have no IPv6 route: use the session pooler "
            "string from Supabase → Connect → Session pooler (user postgres.<ref>, port 5432)"
        )
    if dsn.kind == "supabase_session" and "." not in dsn.user:
        return "the pooler's user is postgres.<project ref>, not postgres"
    return "check the host, the port and the password, and that this machine may connect"
