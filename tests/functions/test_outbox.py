"""The outbox: no message is lost to a failed publish or a process that died (item 5).

A failed publish of a success notification (SN, PLN token) used to be swallowed while the event
was acknowledged: the token never reached the customer. Now the transition that triggers a
notification records it in the outbox in the same transaction, every publisher marks what went
out, and the `deliver_outbox` job publishes whatever is still pending. These tests publish to
the Pub/Sub stand-in through the real client and read `wa-outbound` back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conversation.conftest import Chat, close, make_components
from fakes.functions_server import PROJECT
from fakes.pubsub_server import PubSubServer

from shared.adapters.pubsub.bus import PubSubBus
from shared.jobs import run_job
from shared.messages import OutboundMessage
from shared.wiring import Components

OUT_TOPIC = f"projects/{PROJECT}/topics/wa-outbound"


@pytest.fixture
def serverless(
    pubsub_server: PubSubServer, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Components]:
    """Components publishing to the Pub/Sub stand-in, as functions/main.py wires them."""
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_server.host)
    components = make_components(database_url, gcp_project=PROJECT, admin_numbers="628111000111")
    bus = PubSubBus.from_settings(components.settings)
    components.__dict__["bus"] = bus
    yield components
    bus.close()
    close(components)


def _published(pubsub: PubSubServer, message_id: str) -> list[OutboundMessage]:
    found = [
        OutboundMessage.model_validate_json(p.data)
        for p in pubsub.state.published
        if p.topic == OUT_TOPIC
    ]
    return [m for m in found if m.id == message_id]


def _pending_order(chat: Chat) -> str:
    chat.say("halo")
    chat.fund(50_000)
    chat.say("pulsa telkomsel 10rb ke 081234569992")  # stays pending at the sandbox
    assert "diproses" in chat.say("ya")
    [order] = [h for h in chat.components.store.history(chat.customer_id) if h.kind == "order"]
    return order.reff_id


def test_a_notification_whose_publish_failed_is_published_by_the_drain(
    serverless: Components, pubsub_server: PubSubServer
) -> None:
    chat = Chat(serverless)
    reff = _pending_order(chat)
    pubsub_server.state.publish_failures = 1  # Pub/Sub refuses the notification's publish
    try:
        serverless.sandbox.complete(reff, "success")  # the webhook: re-query, capture, notify
        assert serverless.settle_worker.wait_idle(timeout=10)
    finally:
        pubsub_server.state.publish_failures = 0
    order = serverless.store.get_order(reff)
    assert order is not None
    assert order.status == "success"
    notification_id = f"n:order_success:{reff}"
    assert _published(pubsub_server, notification_id) == []
    serverless.clock.advance(60)  # type: ignore[attr-defined]  # past the outbox's grace
    report = run_job("deliver_outbox", serverless)
    assert report["published"] >= 1
    [notice] = _published(pubsub_server, notification_id)
    assert notice.chat == chat.chat
    assert order.sn is not None
    assert order.sn in (notice.text or "")
    run_job("deliver_outbox", serverless)  # nothing twice
    assert len(_published(pubsub_server, notification_id)) == 1


def test_a_process_that_dies_after_the_capture_still_notifies(
    serverless: Components, pubsub_server: PubSubServer
) -> None:
    chat = Chat(serverless)
    reff = _pending_order(chat)
    # The ledger call commits, then the process dies before any notifier runs.
    assert serverless.store.capture_order(reff, sn="TOKEN-1234-5678").outcome == "done"
    assert _published(pubsub_server, f"n:order_success:{reff}") == []
    serverless.clock.advance(60)  # type: ignore[attr-defined]
    run_job("deliver_outbox", serverless)
    [notice] = _published(pubsub_server, f"n:order_success:{reff}")
    assert "TOKEN-1234-5678" in (notice.text or "")
    assert f"{chat.balance():,}".replace(",", ".") in (notice.text or "")


def test_an_owner_alert_with_a_key_goes_out_once(
    serverless: Components, pubsub_server: PubSubServer
) -> None:
    from shared.services.notifications import Notification

    alert = Notification(kind="owner_alert", reason="supplier menjawab aneh", key="test:once")
    serverless.notifier.notify(alert)
    serverless.notifier.notify(alert)
    owner = next(iter(serverless.settings.alert_numbers))
    assert len(_published(pubsub_server, f"alert:test:once:{owner}")) == 1
