"""A one-answer HTTP server that remembers every path it was asked for.

Plays a party whose only job in a test is to answer the same way every time: a tripwire
"Atlantic" that must never be called, Cloud Run's front end refusing an anonymous caller.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class HttpStub:
    """Answers every GET and POST alike; use it as a context manager."""

    def __init__(self, status: int, body: bytes, content_type: str) -> None:
        self.paths: list[str] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                stub.paths.append(self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Self:
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def google_front_end() -> HttpStub:
    """What Cloud Run's front end answers an anonymous caller while the invoker check is on."""
    page = b"<html><title>403 Forbidden</title>Your client does not have permission to get URL"
    return HttpStub(403, page, "text/html; charset=UTF-8")
