"""Cloud Functions entry points: thin wrappers around shared services.

Only cheap modules are imported at the top (functions_framework is already loaded by the
runtime); everything else loads on first use, and the `Components` of this instance is built
once and reused by every request (tech-notes §7).
"""

# Imports inside functions are the point of this module: they keep cold starts cheap.
# ruff: noqa: PLC0415

from __future__ import annotations

import functools
import logging
from typing import TYPE_CHECKING

import functions_framework

if TYPE_CHECKING:
    import flask
    from cloudevents.http import CloudEvent

    from shared.messages import InboundMessage, OutboundMessage
    from shared.services.settlement import Settled
    from shared.services.supplier_inbox import InboxEvent
    from shared.wiring import Components


log = logging.getLogger(__name__)


@functools.cache
def _components() -> Components:
    from shared.config import get_settings
    from shared.log import setup_logging
    from shared.wiring import Components

    settings = get_settings()
    setup_logging(settings.log_level, settings.log_format)
    components = Components(settings=settings)
    if settings.gcp_project:
        # Serverless: replies and notifications go to wa-outbound on Pub/Sub (the relay sends
        # them), never to an in-process queue nobody drains here.
        from shared.adapters.pubsub.bus import PubSubBus

        components.bus = PubSubBus.from_settings(settings)  # type: ignore[misc]
        # Recorded webhooks are settled by settle_supplier_event via atl-events, not by a
        # thread of this instance (its CPU is throttled once it has answered).
        from shared.adapters.pubsub.supplier_events import PubSubHandOff

        components.event_hand_off = PubSubHandOff.from_settings(settings)  # type: ignore[misc]
    return components


def _run_job(name: str) -> tuple[dict[str, object], int]:
    from shared.jobs import run_job

    return {"job": name, "report": dict(run_job(name, _components()))}, 200


@functions_framework.http
def atlantic_webhook(request: flask.Request) -> tuple[dict[str, object], int]:
    from shared.services.webhook import read_capped

    headers = dict(request.headers.items())
    status, body = _components().handle_atlantic_webhook(headers, read_capped(request.stream))
    return body, status


@functions_framework.cloud_event
def settle_supplier_event(cloud_event: CloudEvent) -> None:
    """One recorded Atlantic webhook pushed from `atl-events`: re-query, settle, notify.

    Malformed or stale deliveries are acknowledged (the reconciler sweeps unsettled events);
    any other exception propagates (HTTP 500) so Pub/Sub redelivers; settling is idempotent.
    """
    from shared.adapters.pubsub.supplier_events import handle_settle_push

    handle_settle_push(cloud_event.data, event_id=str(cloud_event["id"]), settle=_settle_event)


def _settle_event(event: InboxEvent) -> Settled:
    from shared.services.supplier_inbox import settle_event

    return settle_event(event, _components().settle_deps)


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


@functions_framework.http
def deliver_outbox(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("deliver_outbox")


@functions_framework.http
def purge_media(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("purge_media")


@functions_framework.http
def console(request: flask.Request) -> flask.Response:
    """The owner's web console (shared/webconsole), reached at CONSOLE_URL."""
    from shared.webconsole.cloud import serve

    return serve(request, _console_app(), _components().settings.console_base_url)  # type: ignore[return-value]


@functools.cache
def _console_app() -> flask.Flask:
    from shared.webconsole.cloud import console_app

    return console_app(_components())


@functions_framework.cloud_event
def on_message(cloud_event: CloudEvent) -> None:
    """One inbound WhatsApp message pushed from `wa-inbound`; replies go to `wa-outbound`.

    Malformed or over-retried deliveries are logged and acknowledged; a reply whose publish
    failed waits in the outbox (the `deliver_outbox` job sends it); any other exception
    propagates (HTTP 500) so Pub/Sub redelivers; the inbound service dedupes on wa_msg_id.
    """
    from shared.adapters.pubsub.push import handle_inbound_push

    handle_inbound_push(
        cloud_event.data,
        event_id=str(cloud_event["id"]),
        handle=_handle_inbound,
        publish=_components().notifier.publish_replies,
    )


def _handle_inbound(message: InboundMessage) -> list[OutboundMessage]:
    from shared.services.inbound import handle_inbound

    return handle_inbound(message, _components())
