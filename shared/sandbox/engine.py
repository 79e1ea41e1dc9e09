"""The sandbox's brain: routes a form POST to an endpoint and moves time-driven state forward.

It knows nothing about HTTP servers: `handle(path, form)` returns a `Reply` (status, JSON or
HTML body, and how long the server should hold the answer), and `tick()` applies every due
transition and hands back the webhooks to deliver. Time comes from an injected clock plus an
offset that `advance()` moves, so tests drive completion and expiry without sleeping.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from shared.sandbox import magic
from shared.sandbox.catalog import postpaid_items, prepaid_items
from shared.sandbox.state import Record, SandboxState

WIB = timezone(timedelta(hours=7), "WIB")
_ID_ALPHABET = string.ascii_letters + string.digits

HTML_CHALLENGE = (
    '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title></head>'
    "<body><h1>Checking if the site connection is secure</h1>"
    "<p>atlantich2h.com needs to review the security of your connection before "
    "proceeding.</p></body></html>"
)


@dataclass(frozen=True)
class Reply:
    """One answer: HTTP status, a JSON object or an HTML string, and a delay to apply first."""

    status: int
    body: dict[str, Any] | str
    delay: float = 0.0


Handler = Callable[["Engine", Mapping[str, str]], Reply]


def ok(data: object, *, code: int | None = 200, message: str | None = None) -> Reply:
    """A success envelope with a boolean `status`."""
    body: dict[str, Any] = {"status": True}
    if message:
        body["message"] = message
    body["data"] = data
    if code is not None:
        body["code"] = code
    return Reply(200, body)


def fail(message: str, code: int = 201) -> Reply:
    """A business refusal: HTTP 200 with `status: false`, as the real API does."""
    return Reply(200, {"status": False, "message": message, "code": code})


class Engine:
    """The simulated Atlantic account."""

    def __init__(
        self,
        state: SandboxState,
        *,
        clock: Callable[[], datetime] | None = None,
        api_key: str = magic.SANDBOX_API_KEY,
        username: str = magic.SANDBOX_USERNAME,
        catalog_size: int | None = None,
        complete_after: float = 3.0,
        slow_seconds: float = 3.0,
        timeout_seconds: float = 25.0,
        auto_pay_seconds: float | None = None,
    ) -> None:
        self.state = state
        self._clock = clock or (lambda: datetime.now(UTC))
        self.api_key = api_key
        self.username = username
        self.catalog = {item["code"]: item for item in prepaid_items(catalog_size)}
        self.postpaid = {item["code"]: item for item in postpaid_items()}
        self.complete_after = complete_after
        self.slow_seconds = slow_seconds
        self.timeout_seconds = timeout_seconds
        self.auto_pay_seconds = auto_pay_seconds
        self._outbox: list[dict[str, Any]] = []
        self._faults: list[str] = []

    # --- time ---------------------------------------------------------------------------------
    def now(self) -> datetime:
        """Sandbox time: the clock plus every `advance()`."""
        return self._clock() + timedelta(seconds=float(self.state.data["clock_offset"]))

    def epoch(self) -> float:
        """Sandbox time as a POSIX timestamp (due times are stored this way)."""
        return self.now().timestamp()

    def timestamp(self, seconds_from_now: float = 0.0) -> str:
        """Atlantic's `YYYY-MM-DD HH:MM:SS` in WIB."""
        moment = self.now() + timedelta(seconds=seconds_from_now)
        return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M:%S")

    def advance(self, seconds: float) -> None:
        """Move sandbox time forward; `tick()` then applies what became due."""
        with self.state.lock:
            self.state.data["clock_offset"] = float(self.state.data["clock_offset"]) + seconds

    # --- helpers for endpoints ----------------------------------------------------------------
    @staticmethod
    def new_id() -> str:
        """A 20-character mixed-case alphanumeric id, like Atlantic's."""
        return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))

    def emit(self, event: str, data: Record) -> None:
        """Queue a webhook `{event, status, data}` for the next `tick()`."""
        self._outbox.append({"event": event, "status": data.get("status", ""), "data": data})

    def inject_fault(self, mode: str, count: int = 1) -> None:
        """Make the next `count` API calls fail with `mode` (html, ip, slow, timeout, error)."""
        with self.state.lock:
            self._faults.extend([mode] * count)

    # --- entry points -------------------------------------------------------------------------
    def handle(self, path: str, form: Mapping[str, str]) -> Reply:
        """Answer one API call."""
        from shared.sandbox.money import ROUTES as MONEY  # noqa: PLC0415 -- circular
        from shared.sandbox.orders import ROUTES as ORDERS  # noqa: PLC0415 -- circular

        handler = ORDERS.get(path) or MONEY.get(path)
        if handler is None:
            return Reply(
                404, {"status": False, "message": "Endpoint tidak ditemukan", "code": 404}
            )
        with self.state.lock:
            fault = self._faults.pop(0) if self._faults else None
            if fault is not None:
                early = self._fault_reply(fault)
                if early is not None:
                    return early
            if not secrets.compare_digest(form.get("api_key", "").encode(), self.api_key.encode()):
                return fail("API Key tidak valid", 401)
            self.apply_due()
            reply = handler(self, form)
            self.state.save()
        if fault == "slow":
            return Reply(reply.status, reply.body, self.slow_seconds)
        if fault == "timeout":
            return Reply(reply.status, reply.body, self.timeout_seconds)
        return reply

    def _fault_reply(self, fault: str) -> Reply | None:
        if fault == "html":
            return Reply(403, HTML_CHALLENGE)
        if fault == "ip":
            return fail(f"IP {magic.BLOCKED_IP} tidak terdaftar di whitelist", 403)
        if fault == "error":
            return Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
        return None

    def apply_due(self) -> None:
        """Apply every transition whose time has come (completion, payment, expiry)."""
        from shared.sandbox.money import apply_due as money_due  # noqa: PLC0415 -- circular
        from shared.sandbox.orders import apply_due as orders_due  # noqa: PLC0415 -- circular

        with self.state.lock:
            orders_due(self)
            money_due(self)

    def tick(self) -> list[dict[str, Any]]:
        """Apply due transitions, persist, and take the queued webhooks."""
        with self.state.lock:
            self.apply_due()
            self.state.save()
            out, self._outbox = self._outbox, []
        return out
