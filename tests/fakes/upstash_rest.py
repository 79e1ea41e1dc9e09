"""A local stand-in for the Upstash Redis REST API in front of a real Redis (tech-notes §4.3).

Speaks the JSON protocol upstash-redis uses (`POST /` one command, `/pipeline`, `/multi-exec`;
`Authorization: Bearer`, `Upstash-Encoding: base64`) and RESP2 to Redis over a plain socket, one
connection per request, so the real SDK is exercised against real Redis semantics.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class RedisReplyError(Exception):
    """A `-ERR ...` reply."""


class _Resp:
    """A minimal RESP2 client on one socket."""

    def __init__(self, host: str, port: int, db: int) -> None:
        self._sock = socket.create_connection((host, port), timeout=5)
        self._file = self._sock.makefile("rb")
        if db:
            self.command(["SELECT", db])

    def send(self, args: list[object]) -> None:
        parts = [_to_bytes(a) for a in args]
        frame = b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
        self._sock.sendall(frame)

    def read(self) -> object:
        line = self._file.readline()
        if not line:
            raise ConnectionError("redis closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RedisReplyError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            if size < 0:
                return None
            return self._file.read(size + 2)[:-2]
        if kind == b"*":
            count = int(rest)
            return None if count < 0 else [self.read() for _ in range(count)]
        raise ConnectionError(f"unexpected RESP reply {line!r}")

    def command(self, args: list[object]) -> object:
        self.send(args)
        return self.read()

    def close(self) -> None:
        self._file.close()
        self._sock.close()


def _to_bytes(value: object) -> bytes:
    if isinstance(value, bool):
        return b"1" if value else b"0"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return repr(value).encode()
    return str(value).encode()


def _encode(value: object, b64: bool) -> object:
    if isinstance(value, RedisReplyError):
        return str(value)
    if isinstance(value, bytes | str):
        raw = value if isinstance(value, bytes) else value.encode()
        return base64.b64encode(raw).decode() if b64 else raw.decode("utf-8", "replace")
    if isinstance(value, list):
        return [_encode(v, b64) for v in value]
    return value


def _entry(value: object, b64: bool) -> dict[str, object]:
    if isinstance(value, RedisReplyError):
        return {"error": str(value)}
    return {"result": _encode(value, b64)}


class UpstashRestFake:
    """A threaded HTTP server on 127.0.0.1 forwarding to the Redis at `redis_url`."""

    def __init__(self, redis_url: str, *, token: str) -> None:
        parts = urlsplit(redis_url)
        self._redis = (parts.hostname or "127.0.0.1", parts.port or 6379, int(parts.path[1:] or 0))
        self.token = token
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                fake.handle(self, json.loads(self.rfile.read(length) or b"null"))

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def handle(self, request: BaseHTTPRequestHandler, body: object) -> None:
        """Authenticate, run the command(s), reply with `{result}`/`{error}` JSON."""
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _reply(request, 401, {"error": "Unauthorized"})
        b64 = request.headers.get("Upstash-Encoding") == "base64"
        path = urlsplit(request.path).path.rstrip("/")
        conn = _Resp(*self._redis)
        try:
            if path == "":
                result = _entry(conn.command(list(body)), b64)  # type: ignore[arg-type]
                return _reply(request, 400 if "error" in result else 200, result)
            commands: list[list[object]] = list(body)  # type: ignore[arg-type]
            if path == "/pipeline":
                for command in commands:
                    conn.send(command)
                return _reply(request, 200, [_entry(conn.read(), b64) for _ in commands])
            if path == "/multi-exec":
                return self._multi(request, conn, commands, b64)
            return _reply(request, 404, {"error": "ERR unknown endpoint"})
        finally:
            conn.close()

    def _multi(
        self, request: BaseHTTPRequestHandler, conn: _Resp, commands: list[list[object]], b64: bool
    ) -> None:
        conn.command(["MULTI"])
        for command in commands:
            queued = conn.command(command)
            if isinstance(queued, RedisReplyError):
                conn.command(["DISCARD"])
                return _reply(request, 400, {"error": str(queued)})
        results = conn.command(["EXEC"])
        if not isinstance(results, list):
            message = str(results) if results is not None else "EXECABORT transaction aborted"
            return _reply(request, 400, {"error": message})
        return _reply(request, 200, [_entry(r, b64) for r in results])

    def start(self) -> None:
        """Serve in a daemon thread."""
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


def _reply(request: BaseHTTPRequestHandler, status: int, payload: object) -> None:
    body = json.dumps(payload).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(body)))
    request.end_headers()
    request.wfile.write(body)


@contextmanager
def running_upstash(
    redis_url: str, token: str = "upstash-test-token"
) -> Iterator[UpstashRestFake]:
    """A started shim, stopped on exit."""
    fake = UpstashRestFake(redis_url, token=token)
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()
