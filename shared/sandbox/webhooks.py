"""Delivers sandbox webhooks the way Atlantic does: JSON POST signed `X-ATL-Signature`.

The target is a URL, or (in the all-in-one process) a callable that takes the headers and the
raw body and returns an HTTP status, so no port needs to be known in advance.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

log = logging.getLogger(__name__)

DirectTarget = Callable[[Mapping[str, str], bytes], int]


@dataclass(frozen=True)
class Delivery:
    """One delivery attempt: the event and the receiver's HTTP status (0 = unreachable)."""

    event: str
    reff_id: str
    status: str
    http_status: int


class WebhookSender:
    """Signs and posts webhooks to one target; keeps a record of every delivery."""

    def __init__(self, username: str, target: str | DirectTarget | None = None) -> None:
        self.signature = hashlib.md5(username.encode(), usedforsecurity=False).hexdigest()
        self.target = target
        self.deliveries: list[Delivery] = []

    def send(self, envelope: Mapping[str, Any]) -> Delivery | None:
        """Deliver one `{event, status, data}`; None when no target is configured."""
        if self.target is None:
            return None
        body = json.dumps(envelope, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-ATL-Signature": self.signature}
        if callable(self.target):
            code = self.target(headers, body)
        else:
            try:
                code = httpx.post(
                    self.target, content=body, headers=headers, timeout=10
                ).status_code
            except httpx.HTTPError as exc:
                log.warning("sandbox webhook to receiver failed: %s", type(exc).__name__)
                code = 0
        data = envelope.get("data") or {}
        delivery = Delivery(
            event=str(envelope.get("event")),
            reff_id=str(data.get("reff_id", "")),
            status=str(envelope.get("status", "")),
            http_status=code,
        )
        self.deliveries.append(delivery)
        log.info("sandbox webhook %s %s -> %d", delivery.event, delivery.status, code)
        return delivery
