"""The doctor's database checks: reachable, migrations current, anon locked out, the session.

The SQL checks connect with psycopg to the URL migrations use (DATABASE_URL, or SUPABASE_DB_URL
beside a Supabase project); the embedded database is reported, not started: `salesbot serve`
starts and migrates it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg

from shared.adapters.postgres.migrate import load_migrations
from shared.doctor.finding import Finding, failed, passed
from shared.dsn import SESSION_SCHEMA, Dsn, DsnError, parse_dsn, unreachable_hint
from shared.ports import RpcError

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.wiring import Components

EXPOSED_ROLES = ("anon", "authenticated")
"""The roles Supabase's REST API acts as for callers without the service role key."""
EXPOSED_SCHEMAS = ("public", "private")
"""Where our tables and SQL functions live (migrations/)."""
_CONNECT_TIMEOUT = 5


def database(components: Components) -> list[Finding]:
    """The store answers: Supabase RPC with the service role key, or a direct connection."""
    settings = components.settings
    if settings.database_mode == "embedded":
        folder = (settings.data_dir / "postgres").resolve()
        return [
            passed(
                "database",
                f"embedded Postgres under {folder}: `salesbot serve` starts it (nothing to check)",
            )
        ]
    if settings.database_mode == "supabase":
        try:
            components.store.get_setting("doctor.probe")
        except RpcError as exc:
            return [failed("database", _rpc_problem(settings, exc))]
        return [
            passed("database", f"Supabase {settings.supabase_url} runs the bot's SQL functions")
        ]
    return [_connected("database", _sql_url(settings) or "", "DATABASE_URL", _server_version)]


def migrations(components: Components) -> list[Finding]:
    """Every file under migrations/ is applied, unchanged, and nothing unknown is."""
    embedded = "applied by `salesbot serve` each time it starts"
    return _over_sql(components, "migrations", embedded, "compare the migrations")


def rls(components: Components) -> list[Finding]:
    """Row level security is on and the REST API's anonymous roles reach no row or function."""
    embedded = "embedded database: nothing serves it over HTTP"
    return _over_sql(components, "rls", embedded, "check what anon can reach")


def rls_of(url: str, name: str = "SUPABASE_DB_URL") -> Finding:
    """The RLS check of the database at `url` (also what tests run on a fresh database)."""
    return _connected("rls", url, name, _PROBES["rls"])


def session(components: Components) -> list[Finding]:
    """The WhatsApp session the relay will open exists (a paired device)."""
    settings = components.settings
    if settings.wa_session_db is None and not settings.wa_enabled:
        return [passed("whatsapp", "off (WA_ENABLED=0): talk to the bot with `salesbot chat`")]
    from shared.adapters.whatsapp.session_store import session_db  # noqa: PLC0415

    where = session_db(settings)
    if not where.startswith("postgres"):
        return [_sqlite_session(Path(where))]
    return [_connected("whatsapp", where, "WA_SESSION_DB", _postgres_session)]


# --- helpers --------------------------------------------------------------------------------


def _over_sql(components: Components, check: str, embedded: str, purpose: str) -> list[Finding]:
    """Run `check`'s probe over SQL, where the migrations go; say why when it cannot."""
    settings = components.settings
    if settings.database_mode == "embedded":
        return [passed(check, embedded)]
    url = _sql_url(settings)
    if url is None:
        return [failed(check, _needs_db_url(purpose))]
    return [_connected(check, url, _url_name(settings), _PROBES[check])]


def _sql_url(settings: Settings) -> str | None:
    if settings.database_url is not None:
        return settings.database_url.get_secret_value()
    if settings.supabase_db_url is not None:
        return settings.supabase_db_url.get_secret_value()
    return None


def _url_name(settings: Settings) -> str:
    return "DATABASE_URL" if settings.database_url is not None else "SUPABASE_DB_URL"


def _needs_db_url(what: str) -> str:
    return (
        f"set SUPABASE_DB_URL (Supabase → Connect → Session pooler) so doctor can {what}; "
        "`salesbot migrate` needs it too"
    )


def _rpc_problem(settings: Settings, exc: RpcError) -> str:
    text = str(exc)
    if "unreachable" in text:
        return f"cannot reach {settings.supabase_url}: check SUPABASE_URL and this network"
    if (exc.sqlstate or "").startswith("PGRST30") or "API key" in text or "JWT" in text:
        return (
            f"Supabase refused SUPABASE_SERVICE_ROLE_KEY ({text.split(': ', 1)[-1]}): copy the "
            "service_role key from Project Settings → API keys"
        )
    if exc.sqlstate == "PGRST202":
        return "the bot's SQL functions are missing: run `salesbot migrate`"
    return f"Supabase answered with an error: {text}"


@dataclass(frozen=True)
class _Target:
    """Where a probe is connected: for messages, and to know whether it is Supabase."""

    where: str
    dsn: Dsn | None

    @property
    def supabase(self) -> bool:
        return self.dsn is not None and self.dsn.kind != "other"


_Conn = psycopg.Connection[tuple[object, ...]]
_Probe = Callable[[str, _Conn, _Target], Finding]


def _connected(check: str, url: str, name: str, probe: _Probe) -> Finding:
    """Connect to `url` and run `probe`, turning a failed connection into what to do."""
    try:
        dsn: Dsn | None = parse_dsn(url)
    except DsnError:  # a keyword=value DATABASE_URL: fine for psycopg
        dsn = None
    target = _Target(dsn.where() if dsn else name, dsn)
    try:
        with psycopg.connect(url, connect_timeout=_CONNECT_TIMEOUT, autocommit=True) as conn:
            return probe(check, conn, target)
    except psycopg.OperationalError as exc:
        lines = str(exc).strip().splitlines()
        reason = lines[-1].strip() if lines else type(exc).__name__
        if "authentication failed" in reason:
            return failed(check, f"{target.where} refused the user or password in {name}")
        hint = unreachable_hint(dsn) if dsn else "check the connection string"
        return failed(check, f"cannot connect to {target.where} ({reason}): {hint}")


def _server_version(check: str, conn: _Conn, target: _Target) -> Finding:
    row = conn.execute("SELECT current_setting('server_version')").fetchone()
    return passed(check, f"PostgreSQL {row[0] if row else '?'} at {target.where} answers")


def _migration_state(check: str, conn: _Conn, target: _Target) -> Finding:
    files = load_migrations()
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    rows = (
        conn.execute("SELECT version, name, checksum FROM schema_migrations").fetchall()
        if exists and exists[0]
        else []
    )
    applied = {str(version): (str(name), str(checksum)) for version, name, checksum in rows}
    changed = [
        m.name for m in files if m.version in applied and applied[m.version][1] != m.checksum
    ]
    pending = [m.name for m in files if m.version not in applied]
    unknown = sorted(
        name for v, (name, _) in applied.items() if v not in {m.version for m in files}
    )
    if changed:
        return failed(
            check,
            f"{', '.join(changed)} changed after it was applied: restore the file and put the "
            "change in a new migration",
        )
    if unknown:
        return failed(
            check,
            f"{target.where} has {', '.join(unknown)}, which this code does not know: deploy "
            "the code that matches the database",
        )
    if pending:
        return failed(
            check, f"{len(pending)} pending ({', '.join(pending)}): run `salesbot migrate`"
        )
    return passed(check, f"all {len(files)} applied (latest {files[-1].name})")


_TABLES = """
SELECT c.relname, c.relkind IN ('r', 'p') AS is_table, c.relrowsecurity
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
 ORDER BY c.relname
"""
# What a role reaches over the REST API: a table or view it holds a privilege on, unless row
# level security hides every row (RLS on and no policy for it or PUBLIC); and any function in our
# schemas it may execute (including through PUBLIC) in a schema it may use.
_READABLE = """
SELECT c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND has_schema_privilege(%(role)s, n.oid, 'USAGE')
   AND has_table_privilege(%(role)s, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
   AND (c.relkind NOT IN ('r', 'p') OR NOT c.relrowsecurity OR EXISTS (
        SELECT 1 FROM pg_policy p
         WHERE p.polrelid = c.oid
           AND (0 = ANY (p.polroles) OR (SELECT oid FROM pg_roles WHERE rolname = %(role)s)
                = ANY (p.polroles))))
 ORDER BY c.relname
"""
_EXECUTABLE = """
SELECT DISTINCT p.proname
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = ANY (%(schemas)s)
   AND has_schema_privilege(%(role)s, n.oid, 'USAGE')
   AND has_function_privilege(%(role)s, p.oid, 'EXECUTE')
 ORDER BY p.proname
"""


def _exposed_roles(conn: _Conn) -> list[str]:
    """Which of the anonymous REST roles exist here (a Supabase database has both)."""
    rows = conn.execute(
        "SELECT rolname FROM pg_roles WHERE rolname = ANY (%s) ORDER BY rolname",
        (list(EXPOSED_ROLES),),
    ).fetchall()
    return [str(row[0]) for row in rows]


def _exposure(check: str, conn: _Conn, target: _Target) -> Finding:
    tables = conn.execute(_TABLES).fetchall()
    without_rls = [str(name) for name, is_table, secured in tables if is_table and not secured]
    roles = _exposed_roles(conn)
    count = sum(1 for _, is_table, _ in tables if is_table)
    if not roles:
        return passed(
            check,
            f"{count - len(without_rls)} of {count} tables have RLS; no {'/'.join(EXPOSED_ROLES)} "
            "role on this server, so nothing is served to anonymous callers",
        )
    problems: list[str] = []
    for role in roles:
        params = {"role": role, "schemas": list(EXPOSED_SCHEMAS)}
        readable = [str(r[0]) for r in conn.execute(_READABLE, params).fetchall()]
        runnable = [str(r[0]) for r in conn.execute(_EXECUTABLE, params).fetchall()]
        if readable:
            problems.append(f"{role} can reach table(s) {_few(readable)}")
        if runnable:
            problems.append(f"{role} can run {len(runnable)} function(s) ({_few(runnable)})")
    if without_rls:
        problems.append(f"RLS is off on {_few(without_rls)}")
    if problems:
        return failed(
            check,
            "; ".join(problems)
            + ": run `salesbot migrate` (the privilege migrations lock these out); anything "
            "still listed was created outside migrations: enable RLS on it and revoke it from "
            + " and ".join(roles),
        )
    return passed(
        check,
        f"RLS on all {count} tables; {' and '.join(roles)} can read no row and run no function",
    )


def _few(names: list[str], limit: int = 4) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _postgres_session(check: str, conn: _Conn, target: _Target) -> Finding:
    row = conn.execute("SELECT current_schema(), to_regclass('whatsmeow_device')::text").fetchone()
    schema, table = (str(row[0] or ""), row[1]) if row else ("", None)
    served = target.supabase or bool(_exposed_roles(conn))
    if served and schema != SESSION_SCHEMA:
        return failed(
            check,
            f"this connection works in schema {schema or '(none)'}, not {SESSION_SCHEMA}: the "
            "session tables would sit beside the business data and be served by the REST API; "
            f"WA_SESSION_DB must end in ?options=--search_path%3D{SESSION_SCHEMA} (docs/"
            "operations.md, section 2), and `salesbot migrate` creates that schema",
        )
    if table is None:
        return failed(check, f"no WhatsApp session in {target.where}: {_PAIR}")
    devices = conn.execute(f"SELECT jid FROM {table}").fetchall()  # noqa: S608 - a regclass
    if not devices:
        return failed(check, f"the session store {target.where} has no paired device: {_PAIR}")
    return passed(
        check, f"paired device {_masked(str(devices[0][0]))} in {target.where} ({table})"
    )


_PAIR = "pair the number (docs/operations.md, section 4: `salesbot relay` on your machine)"


def _sqlite_session(path: Path) -> Finding:
    if not path.exists():
        return failed("whatsapp", f"no session file {path}: start with WA_ENABLED=1 and {_PAIR}")
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            devices = db.execute("SELECT jid FROM whatsmeow_device").fetchall()
    except sqlite3.Error as exc:
        return failed("whatsapp", f"{path} is not a readable session store ({exc}): {_PAIR}")
    if not devices:
        return failed("whatsapp", f"{path} has no paired device: {_PAIR}")
    return passed("whatsapp", f"paired device {_masked(str(devices[0][0]))} in {path}")


def _masked(jid: str) -> str:
    """`6281234567890.0:12@s.whatsapp.net` → `62812****7890` (the bot's own number)."""
    user = jid.split("@", 1)[0].split(".", 1)[0].split(":", 1)[0]
    return user[:5] + "****" + user[-4:] if len(user) > 9 else user


_PROBES: dict[str, _Probe] = {"migrations": _migration_state, "rls": _exposure}
