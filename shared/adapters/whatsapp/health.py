"""`/healthz` and `/metrics` of the relay (Cloud Run probes and Prometheus scraping)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from flask import Flask, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.serving import BaseWSGIServer, make_server

if TYPE_CHECKING:
    from shared.adapters.whatsapp.relay import Relay


def create_health_app(relay: Relay) -> Flask:
    """200 while the session may send, 503 (with the reason) otherwise."""
    app = Flask("wa-relay")

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, object], int]:
        ok = relay.state.can_send(relay.clock.now())
        body = {"status": "ok" if ok else "degraded", **relay.state.snapshot()}
        return body, 200 if ok else 503

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    return app


def serve_health(relay: Relay, host: str, port: int) -> BaseWSGIServer:
    """Serve the health app on a background thread; `shutdown()` stops it."""
    server = make_server(host, port, create_health_app(relay), threaded=True)
    threading.Thread(target=server.serve_forever, name="relay-http", daemon=True).start()
    return server
