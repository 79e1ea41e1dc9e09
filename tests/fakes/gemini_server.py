"""A local fake of the Gemini REST API so the real google-genai SDK runs in tests.

Speaks `POST /{v1|v1beta}/models/{model}:generateContent` (tech-notes §1.8–1.9) and the models
list `GET /{v1|v1beta}/models` (what `salesbot doctor` calls to check a key): records every
request (path, headers incl. `x-goog-api-key`, parsed JSON body) and answers from a script of
`Reply(status, body, delay)` entries, optionally per API key; falls back to a plain text answer
(generateContent) or the `models` it offers (the list).
A `responder` callable turns it into a "scripted model": a plain function that sees the request
and decides the answer (the conversation tests use it to play the model).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Recorded:
    """One request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    raw_size: int

    @property
    def api_key(self) -> str | None:
        return self.headers.get("x-goog-api-key")

    @property
    def contents(self) -> list[dict[str, Any]]:
        return list(self.body.get("contents", []))

    @property
    def system_text(self) -> str:
        sys = self.body.get("systemInstruction") or self.body.get("system_instruction") or {}
        return "".join(p.get("text", "") for p in sys.get("parts", []))

    @property
    def tool_names(self) -> list[str]:
        names: list[str] = []
        for tool in self.body.get("tools", []):
            decls = tool.get("functionDeclarations") or tool.get("function_declarations") or []
            names.extend(d["name"] for d in decls)
        return names

    def parts(self) -> Iterator[dict[str, Any]]:
        for content in self.contents:
            yield from content.get("parts", [])

    def function_responses(self) -> list[dict[str, Any]]:
        return [
            p.get("functionResponse") or p["function_response"]
            for p in self.parts()
            if "functionResponse" in p or "function_response" in p
        ]

    def inline_data(self) -> list[dict[str, Any]]:
        return [
            p.get("inlineData") or p["inline_data"]
            for p in self.parts()
            if "inlineData" in p or "inline_data" in p
        ]

    def last_user_text(self) -> str:
        for content in reversed(self.contents):
            texts = [p["text"] for p in content.get("parts", []) if "text" in p]
            if content.get("role") == "user" and texts:
                return " ".join(texts)
        return ""


def text_reply(text: str, *, tokens: int = 10) -> Reply:
    """A model answer made of one text part."""
    return Reply(
        200,
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": text}]},
                    "finishReason": "STOP",
                    "index": 0,
                }
            ],
            "usageMetadata": {
                "promptTokenCount": tokens,
                "candidatesTokenCount": 5,
                "totalTokenCount": tokens + 5,
            },
            "modelVersion": "gemini-fake",
        },
    )


def call_reply(*calls: tuple[str, dict[str, Any]], call_id: str | None = None) -> Reply:
    """A model answer asking for one or more function calls `(name, args)`."""
    parts = []
    for i, (name, args) in enumerate(calls):
        fc: dict[str, Any] = {"name": name, "args": args}
        if call_id is not None:
            fc["id"] = f"{call_id}-{i}"
        parts.append({"functionCall": fc, "thoughtSignature": "c2lnbmF0dXJl"})
    return Reply(
        200,
        {
            "candidates": [
                {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {"promptTokenCount": 30, "candidatesTokenCount": 8},
        },
    )


def error_reply(
    status: int, *, retry_delay: str | None = None, quota_id: str | None = None, delay: float = 0.0
) -> Reply:
    """An error body as Google sends it; a 429 may carry `QuotaFailure` and `RetryInfo`."""
    names = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 503: "UNAVAILABLE", 400: "INVALID"}
    details: list[dict[str, Any]] = []
    if quota_id is not None:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": [{"quotaMetric": "generate_content_requests", "quotaId": quota_id}],
            }
        )
    if retry_delay is not None:
        details.append(
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
        )
    message = "Resource has been exhausted (e.g. check quota)." if status == 429 else "error"
    error: dict[str, Any] = {
        "code": status,
        "message": message,
        "status": names.get(status, "UNKNOWN"),
    }
    if details:
        error["details"] = details
    return Reply(status, {"error": error}, delay)


def invalid_key_reply() -> Reply:
    """What Google answers for a key that does not exist: 400, not 401/403."""
    error = {
        "code": 400,
        "message": "API key not valid. Please pass a valid API key.",
        "status": "INVALID_ARGUMENT",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"},
            }
        ],
    }
    return Reply(400, {"error": error})


Responder = Callable[[Recorded], Reply]


class FakeGemini:
    """The fake server; use as a context manager, point the SDK at `url`."""

    def __init__(self, responder: Responder | None = None) -> None:
        self.requests: list[Recorded] = []
        self.responder = responder
        self.models = ["gemini-2.5-flash-lite", "gemini-2.5-flash", "gemini-2.5-pro"]
        self._script: deque[Reply] = deque()
        self._per_key: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def script(self, *replies: Reply, key: str | None = None) -> None:
        """Queue replies, for every key or only for requests made with `key`."""
        with self._lock:
            queue = self._script if key is None else self._per_key.setdefault(key, deque())
            queue.extend(replies)

    def always(self, reply: Reply, *, key: str, times: int = 1000) -> None:
        """Answer `reply` to every request made with `key` (e.g. a key that is out of quota)."""
        self.script(*([reply] * times), key=key)

    def keys_used(self) -> list[str | None]:
        return [r.api_key for r in self.requests]

    def _next(self, rec: Recorded, default: Reply | None = None) -> Reply:
        with self._lock:
            self.requests.append(rec)
            queue = self._per_key.get(rec.api_key or "")
            if queue:
                return queue.popleft()
            if self._script:
                return self._script.popleft()
        if default is not None:
            return default
        if self.responder is not None:
            return self.responder(rec)
        return text_reply("ok dari fake")

    def _model_list(self) -> Reply:
        models = [
            {
                "name": f"models/{m}",
                "displayName": m,
                "supportedGenerationMethods": ["generateContent"],
            }
            for m in self.models
        ]
        return Reply(200, {"models": models})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if ":generateContent" not in self.path:
                    self._send(Reply(404, {"error": {"code": 404, "status": "NOT_FOUND"}}))
                    return
                rec = Recorded(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=json.loads(raw or b"{}"),
                    raw_size=len(raw),
                )
                self._send(fake._next(rec))

            def do_GET(self) -> None:
                if not self.path.split("?")[0].rstrip("/").endswith("/models"):
                    self._send(Reply(404, {"error": {"code": 404, "status": "NOT_FOUND"}}))
                    return
                rec = Recorded(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body={},
                    raw_size=0,
                )
                self._send(fake._next(rec, fake._model_list()))

            def _send(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)  # the fake plays a slow server; tests never sleep
                data = json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
