"""Logging: one JSON object per line for Cloud Logging, or plain text on a terminal.

`shared/` never calls `basicConfig`; entry points call `setup_logging` once. Phone numbers are
hashed with `hash_id` before they reach a log record, and a `correlation` context (WhatsApp
message id, reff_id) is attached to every record logged while it is set.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

_correlation: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "salesbot_correlation", default=None
)

_SEVERITY = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


def hash_id(value: str) -> str:
    """A short, stable, non-reversible tag for a phone number or JID in logs."""
    salt = os.environ.get("LOG_HASH_SALT", "salesbot")
    return hashlib.sha256(f"{salt}:{value}".encode()).hexdigest()[:12]


@contextlib.contextmanager
def correlation(**ids: str) -> Iterator[None]:
    """Attach ids (wa_msg_id, reff_id, customer) to every record logged inside the block."""
    merged = {**(_correlation.get() or {}), **{k: v for k, v in ids.items() if v}}
    token = _correlation.set(merged)
    try:
        yield
    finally:
        _correlation.reset(token)


class JsonFormatter(logging.Formatter):
    """Structured records Cloud Logging understands (severity, message, labels, trace)."""

    def format(self, record: logging.LogRecord) -> str:
        """Render one record as a single JSON line."""
        payload: dict[str, object] = {
            "severity": _SEVERITY.get(record.levelno, "DEFAULT"),
            "message": record.getMessage(),
            "logger": record.name,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
        }
        labels = dict(_correlation.get() or {})
        execution_id = os.environ.get("FUNCTION_EXECUTION_ID")
        if execution_id:
            labels["execution_id"] = execution_id
        if labels:
            payload["logging.googleapis.com/labels"] = labels
        trace = labels.get("trace")
        if trace:
            payload["logging.googleapis.com/trace"] = trace
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
