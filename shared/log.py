"""Logging: one JSON object per line for Cloud Logging, or plain text on a terminal.

`shared/` never calls `basicConfig`; entry points call `setup_logging` once. Phone numbers are
hashed with `hash_id` before they reach a log record, and a `correlation` context (WhatsApp
message id, reff_id, hashed customer) is attached to every record logged while it is set.

The trail of one purchase (tests/infra/test_correlation_trail.py follows it):
- inbound: the relay logs under the message's `wa_msg_id` (and hashed chat); the bus hands the
  message on with it (Pub/Sub attribute, re-opened by `on_message`; the in-process bus re-opens
  it around its consumer), so the whole turn logs under it;
- supplier: the order's submission logs under the confirming message's `wa_msg_id` and the
  order's `reff_id` (the line that joins the two) and `note`s the `reff_id` into the turn, so the
  reply the turn publishes carries it (`OutboundMessage.correlation_id`);
- webhook, settlement (also from the reconciler) and notifications log under the `reff_id`;
- outbound: each bus re-opens `reply_to` as `wa_msg_id` and `correlation_id` as `reff_id`, and
  the relay logs each send under both where known.

JSON records carry what Cloud Logging reads: `severity`, `message`, `time`, the correlation ids
and the function execution id as `logging.googleapis.com/labels`, the request's trace and span
(from `X-Cloud-Trace-Context` or `traceparent`) as `logging.googleapis.com/trace`/`spanId`, the
source location, and the `event` name plus its fields for `shared.observability.log_event`.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

_correlation: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "salesbot_correlation", default=None
)
# The ids of every open `correlation` block, innermost last (`note` adds to all of them).
_scopes: contextvars.ContextVar[tuple[dict[str, str], ...]] = contextvars.ContextVar(
    "salesbot_correlation_scopes", default=()
)

_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}

# Raw identifiers of people are accepted under these names and stored hashed under the value.
_HASHED_INPUTS = {"customer_id": "customer", "chat_jid": "chat", "phone": "phone"}

# Ids that travel with a message across the bus (Pub/Sub attributes, stored orders).
CARRIED_IDS = ("wa_msg_id", "reff_id", "customer", "chat")

_CLOUD_TRACE = re.compile(r"^(?P<trace>[0-9a-fA-F]{32})(?:/(?P<span>\d+))?")
_SPAN_MASK = (1 << 64) - 1
_TRACEPARENT = re.compile(r"^[0-9a-f]{2}-(?P<trace>[0-9a-f]{32})-(?P<span>[0-9a-f]{16})-")
_RESERVED = frozenset({"severity", "message", "logger", "time", "event", "exception"})


def hash_id(value: str) -> str:
    """A short, stable, non-reversible tag for a phone number or JID in logs."""
    salt = os.environ.get("LOG_HASH_SALT") or "salesbot"
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:12]


@contextlib.contextmanager
def correlation(**ids: str | None) -> Iterator[None]:
    """Attach ids to every record logged inside the block (nested blocks add to the outer ones).

    Pass `wa_msg_id`, `reff_id` and the like as they are; pass people's identifiers as
    `customer_id=`, `chat_jid=` or `phone=`: they are hashed (`customer`, `chat`, `phone`) before
    they are stored. `trace` may carry a trace id for work outside an HTTP request.
    """
    added: dict[str, str] = {}
    for key, value in ids.items():
        if not value:
            continue
        if key in _HASHED_INPUTS:
            added[_HASHED_INPUTS[key]] = hash_id(value)
        else:
            added[key] = str(value)
    scope = {**(_correlation.get() or {}), **added}
    token = _correlation.set(scope)
    scopes = _scopes.set((*_scopes.get(), scope))
    try:
        yield
    finally:
        _scopes.reset(scopes)
        _correlation.reset(token)


def note(**ids: str | None) -> None:
    """Add ids learned during the current unit of work to its correlation, in place.

    For an id found midway, e.g. the reff_id of the order a WhatsApp turn just placed: the rest
    of that turn's records, and the replies it publishes (the buses copy `reff_id` into
    `OutboundMessage.correlation_id`), carry it too. Ids the scope already has are kept, so a
    deposit's settlement that completes a waiting order stays under the deposit's reff_id. Does
    nothing outside a `correlation` block. Every open block gets them, so an inner block (the
    supplier call's own) does not swallow them.
    """
    for scope in _scopes.get():
        for key, value in ids.items():
            if value and key not in _HASHED_INPUTS:
                scope.setdefault(key, str(value))


def correlation_ids() -> dict[str, str]:
    """The carried ids set now (for Pub/Sub attributes or to store beside an order)."""
    current = _correlation.get() or {}
    return {key: current[key] for key in CARRIED_IDS if key in current}


def carried(attributes: Mapping[str, str]) -> dict[str, str]:
    """The carried ids found in `attributes`, ready for `correlation(**carried(attrs))`."""
    return {key: str(attributes[key]) for key in CARRIED_IDS if attributes.get(key)}


def parse_trace_header(
    cloud_trace: str | None, traceparent: str | None = None
) -> tuple[str, str | None] | None:
    """(trace id, span id) from `X-Cloud-Trace-Context` or W3C `traceparent`, else None.

    The span id is in Cloud Logging's form, 16 hex digits: `X-Cloud-Trace-Context` writes it in
    decimal (googleapis/python-logging#942), `traceparent` already in hex. A zero span is none.
    """
    if cloud_trace and (match := _CLOUD_TRACE.match(cloud_trace)):
        span = int(match["span"]) & _SPAN_MASK if match["span"] else 0
        return match["trace"].lower(), format(span, "016x") if span else None
    if traceparent and (match := _TRACEPARENT.match(traceparent)):
        return match["trace"], match["span"]
    return None


def _request_trace() -> tuple[str, str | None] | None:
    # Only look at Flask when it is already loaded (the functions and the local server), so a
    # CLI log line never imports it.
    flask = sys.modules.get("flask")
    if flask is None or not flask.has_request_context():
        return None
    headers = flask.request.headers
    return parse_trace_header(headers.get("X-Cloud-Trace-Context"), headers.get("traceparent"))


def _execution_id() -> str | None:
    # functions-framework keeps the current invocation's id in a context variable; read it only
    # when the framework is already loaded.
    framework = sys.modules.get("functions_framework.execution_id")
    if framework is not None:
        with contextlib.suppress(Exception):
            context = framework._get_current_context()  # noqa: SLF001 (no public accessor)
            if context is not None and context.execution_id:
                return str(context.execution_id)
    return os.environ.get("FUNCTION_EXECUTION_ID") or None


class JsonFormatter(logging.Formatter):
    """Structured records Cloud Logging understands (severity, message, labels, trace)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a single JSON line."""
        payload: dict[str, object] = {
            "severity": _SEVERITY.get(record.levelno, "DEFAULT"),
            "message": record.getMessage(),
            "logger": record.name,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "logging.googleapis.com/sourceLocation": {
                "file": record.pathname,
                "line": record.lineno,
                "function": record.funcName,
            },
        }
        event = getattr(record, "event", None)
        if event:
            payload["event"] = str(event)
            fields = getattr(record, "event_fields", None) or {}
            for key, value in fields.items():
                payload[f"field_{key}" if key in _RESERVED else key] = value
        labels = dict(_correlation.get() or {})
        explicit_trace = labels.pop("trace", None)
        execution_id = _execution_id()
        if execution_id:
            labels["execution_id"] = execution_id
        if labels:
            payload["logging.googleapis.com/labels"] = labels
        trace = _request_trace() or ((explicit_trace, None) if explicit_trace else None)
        if trace:
            trace_id, span_id = trace
            project = os.environ.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GCP_PROJECT")
            payload["logging.googleapis.com/trace"] = (
                f"projects/{project}/traces/{trace_id}" if project else trace_id
            )
            if span_id:
                payload["logging.googleapis.com/spanId"] = span_id
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines with the correlation ids appended."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        """Render one record with its correlation ids."""
        line = super().format(record)
        event = getattr(record, "event", None)
        if event:
            fields = getattr(record, "event_fields", None) or {}
            line += f" <{event}{''.join(f' {k}={v}' for k, v in fields.items())}>"
        ids = _correlation.get()
        return f"{line} [{' '.join(f'{k}={v}' for k, v in ids.items())}]" if ids else line


def setup_logging(level: str = "info", fmt: str = "text") -> None:
    """Configure the root logger once, for an entry point (never from library code)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO; ours never carry secrets, but keep the noise down.
    for noisy in ("httpx", "httpcore", "httpx2", "werkzeug", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
