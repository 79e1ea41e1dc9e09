"""The stand-ins of a whole serverless stack, for `salesbot doctor` to check line by line.

Supabase is one URL in front of the PostgREST-RPC fake and the Storage fake (as the real project
serves both); Upstash is the REST shim in front of the machine's Redis; Atlantic is the sandbox
under its own username; Gemini, Pub/Sub and the webhook are the fakes and the bot's own web app.
Each test starts from the healthy stack and breaks one thing.
"""

from __future__ import annotations

import io
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import psycopg
from fakes.gemini_server import FakeGemini
from fakes.pubsub_server import PubSubServer
from fakes.storage_server import StorageServer

from shared.config import get_settings, load_settings
from shared.doctor import run_doctor
from shared.sandbox.server import Sandbox
from shared.wiring import Components

PROJECT = "salesbot-doctor"
PREFIX = "salesbot"
SERVICE_KEY = "service-role-test-key"
USERNAME = "toko-doctor"


def as_url(conninfo: str) -> str:
    """The session database's keyword conninfo as the postgresql:// URL Supabase hands out."""
    info = psycopg.conninfo.conninfo_to_dict(conninfo)
    user, host = info.get("user") or "postgres", info.get("host", "127.0.0.1")
    return f"postgresql://{user}@{host}:{info.get('port', 5432)}/{info['dbname']}"


class SupabaseFront:
    """One HTTP origin forwarding /rest/ and /storage/ to two fakes, as a Supabase project."""

    def __init__(self, rest: str, storage: str) -> None:
        routes = {"/rest/": rest, "/storage/": storage}

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                base = next((b for p, b in routes.items() if self.path.startswith(p)), None)
                if base is None:
                    self.send_error(404)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                answer = httpx.request(
                    self.command, base + self.path, headers=headers, content=body, timeout=30
                )
                self.send_response(answer.status_code)
                for key in ("Content-Type",):
                    if key in answer.headers:
                        self.send_header(key, answer.headers[key])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            do_GET = do_POST = do_DELETE = _forward

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Stack:
    """The stand-ins and the environment that points the bot at them."""

    env: dict[str, str]
    pubsub: PubSubServer
    gemini: FakeGemini
    sandbox: Sandbox
    storage: StorageServer
    database_url: str

    def topic(self, name: str) -> str:
        return f"projects/{PROJECT}/topics/{PREFIX}-{name}"


@dataclass
class Report:
    code: int
    text: str

    def line(self, check: str) -> str:
        """The one line of `check` (fails when there is none or several)."""
        found = [ln for ln in self.text.splitlines() if ln[2:].startswith(f"{check}:")]
        assert len(found) == 1, f"{check!r} lines: {found}\n{self.text}"
        return found[0]

    def failed(self) -> list[str]:
        return [ln for ln in self.text.splitlines() if ln.startswith("✗")]


def paired_session(database_url: str) -> str:
    """A session store in schema whatsmeow (as migration 0035 and the guide's DSN make it)."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS whatsmeow.whatsmeow_device (jid text PRIMARY KEY)"
        )
        conn.execute(
            "INSERT INTO whatsmeow.whatsmeow_device VALUES ('6281234567890.0:12@s.whatsapp.net')"
            " ON CONFLICT DO NOTHING"
        )
    return as_url(database_url) + "?options=--search_path%3Dwhatsmeow"


def doctor(*skip: str) -> Report:
    """Run the doctor on the current environment, as `salesbot doctor` does."""
    get_settings.cache_clear()
    out = io.StringIO()
    components = Components(settings=load_settings())
    try:
        code = run_doctor(components, out=out, skip=skip)
    finally:
        store = components.__dict__.get("store")
        if store is not None:
            store.close()
    return Report(code, out.getvalue())


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"
