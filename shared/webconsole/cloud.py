"""The console as one HTTP Cloud Function: the blueprint at the root of its own Flask app.

The function is reached at CONSOLE_URL (e.g. `https://REGION-PROJECT.cloudfunctions.net/
NAME-console`); links the pages make must keep that path, so the request is handed to the app
with the path of CONSOLE_URL as its SCRIPT_NAME (and stripped from PATH_INFO if the platform
left it there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from flask import Request

    from shared.wiring import Components


def console_app(components: Components) -> Flask:
    """A Flask app serving only the console (build it once per instance)."""
    from shared.webconsole.app import console_blueprint  # noqa: PLC0415

    app = Flask("salesbot-console", static_folder=None)
    app.register_blueprint(console_blueprint(components))
    return app


def serve(request: Request, app: Flask, console_url: str) -> Response:
    """Answer one request of the `console` function with `app` (see the module docstring)."""
    base = urlsplit(console_url).path.rstrip("/")
    environ = dict(request.environ)
    path = str(environ.get("PATH_INFO") or "/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base) :] or "/"
    environ["PATH_INFO"] = path
    environ["SCRIPT_NAME"] = base
    return Response.from_app(app, environ)
