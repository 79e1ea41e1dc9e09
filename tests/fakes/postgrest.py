"""A local stand-in for Supabase's PostgREST RPC endpoint, in front of a real PostgreSQL.

It speaks the wire protocol supabase-py uses (`POST /rest/v1/rpc/{fn}` with a JSON object of
SQL parameter names, or `GET` with query parameters), calls the function with named notation in
its own transaction and answers like PostgREST: the bare JSON value of a scalar function, an
array of row objects for a set-returning one, and `400 {code, message, details, hint}` with the
SQLSTATE on a database error. Only RPC is served: the bot keeps all data access in functions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

_FUNCTION = """
SELECT p.proretset, p.proargnames, array(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) t)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = %s AND p.proname = %s
"""


class PostgrestRpcFake:
    """A threaded HTTP server on 127.0.0.1 forwarding RPC calls to `database_url`."""

    def __init__(self, database_url: str, *, api_key: str) -> None:
        self.api_key = api_key
        self.calls: list[str] = []
        self._pool = ConnectionPool(database_url, min_size=1, max_size=8, open=True)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.handle(self, body)

            def do_GET(self) -> None:
                fake.handle(self, dict(parse_qsl(urlsplit(self.path).query)))

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, request: BaseHTTPRequestHandler, params: dict[str, object]) -> None:
        """Authenticate, resolve the function, call it, reply like PostgREST."""
        path = urlsplit(request.path).path
        if not path.startswith("/rest/v1/rpc/"):
            return _reply(request, 404, {"code": "PGRST125", "message": "Invalid path"})
        if (
            request.headers.get("apikey") != self.api_key
            or request.headers.get("Authorization") != f"Bearer {self.api_key}"
        ):
            return _reply(request, 401, {"code": "PGRST301", "message": "JWT invalid"})
        fn = path.rsplit("/", 1)[1]
        schema = request.headers.get("Content-Profile") or request.headers.get(
            "Accept-Profile", "public"
        )
        self.calls.append(fn)
        try:
            status, result = self._call(schema, fn, params)
        except psycopg.Error as exc:
            diag = exc.diag
            return _reply(
                request,
                400,
                {
                    "code": diag.sqlstate,
                    "message": diag.message_primary or str(exc),
                    "details": diag.message_detail,
                    "hint": diag.message_hint,
                },
            )
        return _reply(request, status, result)

    def _call(self, schema: str, fn: str, params: dict[str, object]) -> tuple[int, object]:
        with self._pool.connection() as conn:
            found = conn.execute(_FUNCTION, (schema, fn)).fetchone()
            if found is None:
                message = f"Could not find the function {schema}.{fn} in the schema cache"
                return 404, {"code": "PGRST202", "message": message}
            returns_set, names, types = found
            arg_types = dict(zip(names or [], types, strict=False))
            unknown = set(params) - set(arg_types)
            if unknown:
                message = f"Could not find the function {schema}.{fn}({', '.join(sorted(params))})"
                return 404, {"code": "PGRST202", "message": message}
            args, values = [], []
            for name, value in params.items():
                kind = arg_types[name]
                args.append(
                    sql.SQL("{} => {}::{}").format(
                        sql.Identifier(name), sql.Placeholder(), sql.SQL(kind)
                    )
                )
                values.append(_argument(kind, value))
            call = sql.SQL("{}.{}({})").format(
                sql.Identifier(schema), sql.Identifier(fn), sql.SQL(", ").join(args)
            )
            if returns_set:
                cur = conn.cursor(row_factory=dict_row)
                rows = cur.execute(sql.SQL("SELECT * FROM {}").format(call), values).fetchall()
                return 200, rows
            row = conn.execute(sql.SQL("SELECT to_jsonb({})").format(call), values).fetchone()
            return 200, None if row is None else row[0]

    def start(self) -> None:
        """Serve in a daemon thread."""
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        """Stop serving and close the pool."""
        self._server.shutdown()
        self._server.server_close()
        self._pool.close()


def _argument(kind: str, value: object) -> object:
    if value is None:
        return None
    if kind in {"json", "jsonb"}:
        return Jsonb(value)
    return value if isinstance(value, str) else json.dumps(value)


def _reply(request: BaseHTTPRequestHandler, status: int, payload: object) -> None:
    body = json.dumps(payload, default=str).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json; charset=utf-8")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


@contextmanager
def running_postgrest(
    database_url: str, api_key: str = "service-role-test-key"
) -> Iterator[PostgrestRpcFake]:
    """A started fake, stopped on exit."""
    fake = PostgrestRpcFake(database_url, api_key=api_key)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
