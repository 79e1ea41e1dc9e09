"""The all-in-one HTTP app: health, metrics, Atlantic webhook, jobs, and the `/console`."""

from __future__ import annotations

import hmac

from flask import Flask, Response, request

from shared.jobs import get_jobs, run_job
from shared.wiring import Components


def create_app(components: Components) -> Flask:
    """Build the Flask app served by `salesbot serve`."""
    app = Flask("salesbot")

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, object], int]:
        return {"status": "ok", **components.health()}, 200

    @app.get("/metrics")
    def metrics() -> Response:
        # Imported here: prometheus_client is only needed once something scrapes.
        from shared.metrics import render  # noqa: PLC0415

        body, content_type = render()
        return Response(body, status=200, content_type=content_type)

    @app.post("/jobs/<name>")
    def job(name: str) -> tuple[dict[str, object], int]:
        token = components.jobs_token
        expected = f"Bearer {token}"
        given = request.headers.get("Authorization", "")
        if not token or not hmac.compare_digest(given.encode(), expected.encode()):
            return {"error": "unauthorized"}, 401
        if name not in get_jobs():
            return {"error": f"unknown job {name!r}"}, 404
        return {"job": name, "report": dict(run_job(name, components))}, 200

    @app.post("/webhook/atlantic")
    def atlantic_webhook() -> tuple[dict[str, object], int]:
        from shared.services.webhook import read_capped  # noqa: PLC0415

        headers = {k: v for k, v in request.headers.items()}
        status, body = components.handle_atlantic_webhook(headers, read_capped(request.stream))
        return body, status

    from shared.webconsole.app import console_blueprint  # noqa: PLC0415

    app.register_blueprint(console_blueprint(components), url_prefix="/console")
    return app
