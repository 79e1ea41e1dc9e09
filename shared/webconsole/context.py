"""What every console view needs: the components, the sessions, the current admin, redirects."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import g, redirect, url_for
from werkzeug.wrappers import Response

from shared.webconsole import fmt
from shared.webconsole.auth import Admin, Sessions
from shared.wiring import Components


class ConsoleContext:
    """The console's view of one process: built with the blueprint, used per request."""

    def __init__(self, components: Components) -> None:
        self.components = components
        self.secure_cookie = components.settings.console_base_url.startswith("https://")

    @functools.cached_property
    def sessions(self) -> Sessions:
        """Built on the first request: mounting the console must not open the store."""
        components = self.components
        return Sessions(
            components.store,
            components.app_secret,
            admins=lambda: components.settings.admins,
            now=components.clock.now,
        )

    @property
    def admin(self) -> Admin:
        """The admin of the current request (the guard has checked there is one)."""
        current: Admin = g.admin
        return current

    def back(self, endpoint: str, message: str, **values: Any) -> Response:
        """Redirect (303) to a page that shows `message` once."""
        return redirect(url_for(endpoint, n=self.sessions.notice(message), **values), 303)

    def cookie_path(self) -> str:
        """The console's path as the browser sees it (the session cookie's scope)."""
        return url_for("console.today_page").rstrip("/") or "/"


def clean(value: str | None, limit: int = 64) -> str | None:
    """A trimmed form value, None when empty."""
    text = (value or "").strip()[:limit]
    return text or None


def phone_digits(value: str | None) -> str | None:
    """The digits of a (partial) phone number, `08…` written as `628…`."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())[:16]
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits or None


def bounded_int(value: str | None, *, default: int, low: int, high: int) -> int:
    """A form number within [low, high]; `default` when it is not a number."""
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, low), high)


def day_start(value: str | None) -> datetime | None:
    """Midnight WIB of a `YYYY-MM-DD` date field, None when it is not one."""
    try:
        day = datetime.strptime(value or "", "%Y-%m-%d")  # noqa: DTZ007 (WIB attached below)
    except ValueError:
        return None
    return day.replace(tzinfo=fmt.WIB)


def day_after(value: str | None) -> datetime | None:
    """Midnight WIB after a date field: the exclusive end of an inclusive day range."""
    start = day_start(value)
    return start + timedelta(days=1) if start else None


def is_uuid(value: str) -> bool:
    """Whether a path segment is a UUID (customer and key ids)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
