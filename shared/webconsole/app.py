"""The console's blueprint: the guard, the security headers, login/logout and the route table.

Mounted at `/console` by the all-in-one server (shared/web.py) and at the root of the `console`
Cloud Function (shared/webconsole/cloud.py). Every page is server-rendered; the one script
(static/console.js) only refreshes the markup preview as the owner types.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from shared.webconsole import fmt
from shared.webconsole.actions import Actions
from shared.webconsole.auth import COOKIE, SECURITY_HEADERS, SESSION_SECONDS, Admin, same_site
from shared.webconsole.context import ConsoleContext
from shared.webconsole.pages import Pages
from shared.wiring import Components

log = logging.getLogger(__name__)

_PUBLIC = {"console.login_help", "console.login_link", "console.login_open", "console.static"}


def console_blueprint(components: Components) -> Blueprint:
    """The console's routes over `components` (see the module docstring)."""
    # Assets under /assets: the functions-framework app answers /static itself (404).
    bp = Blueprint(
        "console",
        __name__,
        template_folder="templates",
        static_folder="static",
        static_url_path="/assets",
    )
    ctx = ConsoleContext(components)
    _hooks(bp, ctx)
    _login_routes(bp, ctx)
    pages, actions = Pages(ctx), Actions(ctx)
    routes: list[tuple[str, Callable[..., str | BaseResponse], str]] = [
        ("/", pages.today_page, "GET"),
        ("/orders", pages.orders, "GET"),
        ("/orders/<ref>", pages.order, "GET"),
        ("/orders/<ref>/retry", actions.order_retry, "POST"),
        ("/orders/<ref>/refund", actions.order_refund, "POST"),
        ("/customers", pages.customers, "GET"),
        ("/customers/<customer_id>", pages.customer, "GET"),
        ("/customers/<customer_id>/adjust", actions.customer_adjust, "POST"),
        ("/prices", pages.prices_view, "GET"),
        ("/prices", actions.prices_change, "POST"),
        ("/prices/preview", actions.prices_preview, "POST"),
        ("/keys", pages.keys_view, "GET"),
        ("/keys", actions.keys_add, "POST"),
        ("/keys/<key_id>/<verb>", actions.keys_switch, "POST"),
    ]
    for rule, view, method in routes:
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
    return bp


def _hooks(bp: Blueprint, ctx: ConsoleContext) -> None:
    """Filters, template context, the session/CSRF guard, headers and error pages."""
    settings = ctx.components.settings

    @bp.record_once
    def _filters(state: object) -> None:
        state.app.jinja_env.filters.update(fmt.FILTERS)  # type: ignore[attr-defined]

    @bp.context_processor
    def _context() -> dict[str, object]:
        current: Admin | None = g.get("admin")
        return {
            "admin": current,
            "csrf": current.csrf if current else "",
            "notice": ctx.sessions.read_notice(request.args.get("n")),
            "now": ctx.components.clock.now(),
            "ago": fmt.ago,
            "until": fmt.until,
        }

    @bp.before_request
    def _guard() -> BaseResponse | None:
        posting = request.method == "POST"
        if posting and not same_site(
            dict(request.headers.items()), request.host, settings.console_base_url
        ):
            log.warning("cross-site console post refused")
            abort(403)
        if request.endpoint in _PUBLIC:
            return None
        current = ctx.sessions.admin(request.cookies.get(COOKIE))
        if current is None:
            return redirect(url_for(".login_help"), 302)
        if posting and not ctx.sessions.csrf_ok(current, request.form.get("csrf")):
            log.warning("console post without a valid CSRF token refused")
            abort(403)
        g.admin = current
        return None

    @bp.after_request
    def _headers(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> tuple[str, int]:
        return render_template("console/error.html", code=exc.code), exc.code or 500

    @bp.errorhandler(Exception)
    def _crash(exc: Exception) -> tuple[str, int]:
        log.exception("console page failed")
        return render_template("console/error.html", code=500), 500


def _login_routes(bp: Blueprint, ctx: ConsoleContext) -> None:
    """The explanation page, the link's confirmation page, opening a session, logout."""

    @bp.get("/login")
    def login_help() -> str:
        return render_template("console/login_help.html")

    @bp.get("/login/<token>")
    def login_link(token: str) -> str:
        # A page, not the login itself: link previews fetch URLs, and must not use them up.
        return render_template("console/login_confirm.html", token=token)

    @bp.post("/login/<token>")
    def login_open(token: str) -> BaseResponse | tuple[str, int]:
        result, cookie = ctx.sessions.open(token)
        if cookie is None:
            return render_template("console/login_refused.html", reason=result.reason), 410
        response = redirect(url_for(".today_page"), 303)
        response.set_cookie(
            COOKIE,
            cookie,
            max_age=SESSION_SECONDS,
            path=ctx.cookie_path(),
            secure=ctx.secure_cookie,
            httponly=True,
            samesite="Strict",
        )
        return response

    @bp.post("/logout")
    def logout() -> BaseResponse:
        ctx.sessions.close(ctx.admin)
        response = redirect(url_for(".login_help", bye=1), 303)
        response.delete_cookie(
            COOKIE,
            path=ctx.cookie_path(),
            secure=ctx.secure_cookie,
            httponly=True,
            samesite="Strict",
        )
        return response
