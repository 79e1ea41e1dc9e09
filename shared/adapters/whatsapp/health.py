"""`/healthz` and `/metrics` of the relay (Cloud Run probes and Prometheus scraping)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask import Flask, Response
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from shared.adapters.whatsapp.relay import Relay


def create_health_app(relay: Relay) -> Flask:
    """Health and metrics routes; `/healthz` answers 200 while the process runs.

    A failing probe would restart the container into a re-login loop, so the body says whether
    the session may send (and why not) and paging uses log events instead.
    """
    app = Flask("wa-relay")

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, object], int]:
        ok = relay.state.can_send(relay.clock.now())
        return {"status": "ok" if ok else "degraded", **relay.state.snapshot()}, 200

    @app.get("/metrics")
    def metrics() -> Response:
        from shared.metrics import render  # noqa: PLC0415

        body, content_type = render()
        return Response(body, content_type=content_type)

    return app


def serve_health(relay: Relay, host: str, port: int) -> BaseWSGIServer:
    """Serve the health app on a background thread; `shutdown()` stops it."""
    server = make_server(host, port, create_health_app(relay), threaded=True)
    threading.Thread(target=server.serve_forever, name="relay-http", daemon=True).start()
    return server
