"""The sandbox as an HTTP server: standalone (`salesbot sandbox`) or embedded (`with Sandbox()`).

Every Atlantic path answers `POST` with form fields like the real API. A few extra routes under
`/sandbox/` drive it from tests and demos: `advance` (move time), `complete` (finish an order or
transfer now), `deposit/pay` (the customer paid), `fault` (make the next calls misbehave).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from shared.sandbox import magic
from shared.sandbox.engine import Engine, Reply
from shared.sandbox.money import ROUTES as MONEY_ROUTES
from shared.sandbox.money import complete_transfer, mark_paid
from shared.sandbox.orders import ROUTES as ORDER_ROUTES
from shared.sandbox.orders import complete_transaction
from shared.sandbox.state import DEFAULT_BALANCE, SandboxState
from shared.sandbox.webhooks import Delivery, DirectTarget, WebhookSender

log = logging.getLogger(__name__)


class _QuietHandler(WSGIRequestHandler):
    """Request lines go to our logger at debug level instead of stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("sandbox %s %s", self.requestline, code)


class Sandbox:
    """A running sandbox on `host:port` (0 = any free port); use as a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state_file: Path | None = None,
        webhook_target: str | DirectTarget | None = None,
        catalog_size: int | None = None,
        clock: Callable[[], datetime] | None = None,
        ticker: bool = True,
        tick_seconds: float = 0.5,
        api_key: str = magic.SANDBOX_API_KEY,
        username: str = magic.SANDBOX_USERNAME,
        balance: int = DEFAULT_BALANCE,
        complete_after: float = 3.0,
        slow_seconds: float = 3.0,
        timeout_seconds: float = 25.0,
        auto_pay_seconds: float | None = None,
    ) -> None:
        self.engine = Engine(
            SandboxState(state_file, balance=balance),
            clock=clock,
            api_key=api_key,
            username=username,
            catalog_size=catalog_size,
            complete_after=complete_after,
            slow_seconds=slow_seconds,
            timeout_seconds=timeout_seconds,
            auto_pay_seconds=auto_pay_seconds,
        )
        self.sender = WebhookSender(username, webhook_target)
        self._release = threading.Event()
        self._stopping = threading.Event()
        self._server: BaseWSGIServer = make_server(
            host, port, self._app(), threaded=True, request_handler=_QuietHandler
        )
        self._threads = [
            threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        ]
        if ticker:
            self._threads.append(threading.Thread(target=self._tick_loop, args=(tick_seconds,)))
            self._threads[-1].daemon = True
        self._started = False

    @property
    def url(self) -> str:
        """Base URL of the running sandbox."""
        return f"http://{self._server.host}:{self._server.server_port}"

    @property
    def api_key(self) -> str:
        """The API key the sandbox accepts."""
        return self.engine.api_key

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivered so far."""
        return self.sender.deliveries

    def start(self) -> Sandbox:
        """Start serving (idempotent)."""
        if not self._started:
            self._started = True
            for thread in self._threads:
                thread.start()
        return self

    def close(self) -> None:
        """Stop serving; answers being held back are released at once."""
        self._stopping.set()
        self._release.set()
        if self._started:
            self._server.shutdown()
        self._server.server_close()
        self.engine.state.save()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- driving it ---------------------------------------------------------------------------
    def flush(self) -> list[Delivery]:
        """Apply due transitions and deliver the queued webhooks now."""
        sent = [self.sender.send(envelope) for envelope in self.engine.tick()]
        return [d for d in sent if d is not None]

    def advance(self, seconds: float) -> list[Delivery]:
        """Move sandbox time forward, then flush."""
        self.engine.advance(seconds)
        return self.flush()

    def complete(self, id_or_reff: str, outcome: str = "success") -> list[Delivery]:
        """Finish a pending transaction or transfer now, with `success` or `failed`."""
        state = self.engine.state
        with state.lock:
            for table, finish in (
                ("transactions", complete_transaction),
                ("transfers", complete_transfer),
            ):
                record = state.table(table).get(id_or_reff) or state.find_reff(table, id_or_reff)
                if record is not None:
                    finish(self.engine, record, outcome)
                    break
            else:
                raise KeyError(id_or_reff)
        return self.flush()

    def pay_deposit(self, id_or_reff: str) -> list[Delivery]:
        """The customer paid this deposit."""
        state = self.engine.state
        with state.lock:
            dep = state.table("deposits").get(id_or_reff) or state.find_reff(
                "deposits", id_or_reff
            )
            if dep is None:
                raise KeyError(id_or_reff)
            mark_paid(self.engine, dep)
        return self.flush()

    def _tick_loop(self, every: float) -> None:
        while not self._stopping.wait(every):
            try:
                self.flush()
            except Exception:
                log.exception("sandbox tick failed")

    # --- HTTP ---------------------------------------------------------------------------------
    def _render(self, reply: Reply) -> Response:
        if reply.delay > 0:
            self._release.wait(reply.delay)
        if isinstance(reply.body, str):
            return Response(reply.body, status=reply.status, mimetype="text/html")
        response = jsonify(reply.body)
        response.status_code = reply.status
        response.headers["Cache-Control"] = "no-store, max-age=0, no-cache"
        return response

    def _app(self) -> Flask:
        app = Flask("atlantic_sandbox")
        app.json.sort_keys = False  # type: ignore[attr-defined]

        @app.get("/")
        def index() -> dict[str, Any]:
            return {
                "sandbox": "Atlantic H2H",
                "endpoints": sorted([*ORDER_ROUTES, *MONEY_ROUTES]),
                "products": len(self.engine.catalog),
                "magic": "see the README section 'Atlantic sandbox'",
            }

        @app.post("/sandbox/advance")
        def advance() -> dict[str, Any]:
            sent = self.advance(float(request.form.get("seconds", "0")))
            return {"status": True, "webhooks": len(sent)}

        @app.post("/sandbox/complete")
        def complete() -> tuple[dict[str, Any], int]:
            try:
                sent = self.complete(request.form["id"], request.form.get("status", "success"))
            except KeyError:
                return {"status": False, "message": "not found"}, 404
            return {"status": True, "webhooks": len(sent)}, 200

        @app.post("/sandbox/deposit/pay")
        def pay() -> tuple[dict[str, Any], int]:
            try:
                sent = self.pay_deposit(request.form["id"])
            except KeyError:
                return {"status": False, "message": "not found"}, 404
            return {"status": True, "webhooks": len(sent)}, 200

        @app.post("/sandbox/fault")
        def fault() -> dict[str, Any]:
            self.engine.inject_fault(request.form["mode"], int(request.form.get("count", "1")))
            return {"status": True}

        @app.post("/<path:path>")
        def api(path: str) -> Response:
            return self._render(self.engine.handle("/" + path, request.form.to_dict()))

        return app


def sandbox_command(args: argparse.Namespace) -> int:
    """`salesbot sandbox`: serve until Ctrl-C or SIGTERM; state survives restarts."""
    from shared.config import get_settings  # noqa: PLC0415 -- only the CLI needs settings
    from shared.log import setup_logging  # noqa: PLC0415

    settings = get_settings()
    setup_logging(settings.log_level, settings.log_format)
    state_file = Path(args.state_file) if args.state_file else settings.data_dir / "sandbox.json"
    sandbox = Sandbox(
        host=args.host,
        port=args.port,
        state_file=state_file,
        webhook_target=args.webhook_url,
        catalog_size=args.catalog_size,
    ).start()
    stopping = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(
        f"Atlantic sandbox on {sandbox.url} (api_key={sandbox.api_key}, "
        f"{len(sandbox.engine.catalog)} products, state in {state_file})\n"
        f"try: curl -s -X POST {sandbox.url}/get_profile -d api_key={sandbox.api_key}\n"
        f"magic targets: ...{magic.TARGET_FAILS} fails, ...{magic.TARGET_STAYS_PENDING} stays "
        f"pending, ...{magic.TARGET_TIMES_OUT} times out (see README)",
        file=sys.stderr,
        flush=True,
    )
    stopping.wait()
    sandbox.close()
    return 0
