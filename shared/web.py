"""The all-in-one HTTP app: health, metrics, the Atlantic webhook and the job endpoints."""

from __future__ import annotations

from flask import Flask

from shared.wiring import Components


def create_app(components: Components) -> Flask:
    """Build the Flask app served by `salesbot serve`."""
    app = Flask("salesbot")

    @app.get("/healthz")
    def healthz() -> tuple[dict[str, object], int]:
        return {"status": "ok", **components.health()}, 200

    return app
