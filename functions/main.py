"""Cloud Functions entry points: thin wrappers around shared services.

Only cheap modules are imported at the top (functions_framework is already loaded by the
runtime); everything else loads on first use, and the `Components` of this instance is built
once and reused by every request (tech-notes §7).
"""

# Imports inside functions are the point of this module: they keep cold starts cheap.
# ruff: noqa: PLC0415

from __future__ import annotations

import base64
import functools
import logging
from typing import TYPE_CHECKING

import functions_framework

if TYPE_CHECKING:
    import flask
    from cloudevents.http import CloudEvent

    from shared.wiring import Components


log = logging.getLogger(__name__)


@functools.cache
def _components() -> Components:
    from shared.wiring import Components

    return Components()


def _run_job(name: str) -> tuple[dict[str, object], int]:
    from shared.jobs import run_job

    return {"job": name, "report": dict(run_job(name, _components()))}, 200


@functions_framework.http
def atlantic_webhook(request: flask.Request) -> tuple[dict[str, object], int]:
    from shared.services.webhook import read_capped

    headers = dict(request.headers.items())
    status, body = _components().handle_atlantic_webhook(headers, read_capped(request.stream))
    return body, status


@functions_framework.http
def refresh_prices(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("refresh_prices")


@functions_framework.http
def reconcile(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("reconcile")


@functions_framework.http
def check_balance(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("check_balance")


@functions_framework.http
def reactivate_keys(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("reactivate_keys")


@functions_framework.cloud_event
def on_message(cloud_event: CloudEvent) -> None:
    """One inbound WhatsApp message from `wa-inbound`; replies go to `wa-outbound`.

    A body that is not an InboundMessage is logged and acknowledged (redelivery cannot fix
    it); any other exception propagates so Pub/Sub redelivers (handling is idempotent).
    """
    from pydantic import ValidationError

    from shared.messages import InboundMessage

    try:
        raw = base64.b64decode(cloud_event.data["message"]["data"])
        message = InboundMessage.model_validate_json(raw)
    except (KeyError, TypeError, ValueError, ValidationError) as exc:
        log.warning("on_message dropped a malformed envelope: %s", type(exc).__name__)
        return
    from shared.services.inbound import handle_inbound

    components = _components()
    for reply in handle_inbound(message, components):
        components.bus.publish_outbound(reply)
