"""The Pub/Sub bus and the outbound subscriber, through the real google-cloud-pubsub client."""

from __future__ import annotations

import json
import threading

import pytest
from fakes.pubsub_server import PubSubServer

from shared.adapters.pubsub.bus import PubSubBus
from shared.adapters.pubsub.publisher import Publisher, PublishError
from shared.adapters.pubsub.subscriber import OutboundSubscriber
from shared.config import load_settings
from shared.errors import ConfigError
from shared.messages import InboundMessage, OutboundMessage

CHAT = "6281234567890@s.whatsapp.net"


def test_inbound_is_published_with_the_chat_as_ordering_key(pubsub: PubSubServer) -> None:
    bus = PubSubBus(Publisher("proj"), inbound_topic="wa-inbound", outbound_topic="wa-outbound")
    try:
        bus.publish_inbound(InboundMessage(wa_msg_id="3EB0A", chat=CHAT, text="halo"))
        bus.publish_outbound(
            OutboundMessage(chat=CHAT, text="Halo kak!", reply_to="3EB0A", correlation_id="SB1")
        )
    finally:
        bus.close()

    inbound, outbound = pubsub.state.published
    assert inbound.topic == "projects/proj/topics/wa-inbound"
    assert inbound.ordering_key == CHAT
    assert inbound.attributes == {"v": "1", "wa_msg_id": "3EB0A", "kind": "text"}
    assert InboundMessage.model_validate_json(inbound.data).text == "halo"
    assert outbound.topic == "projects/proj/topics/wa-outbound"
    assert outbound.ordering_key == CHAT
    # The ids travel as attributes too, so logs and dead letters can be traced without decoding.
    assert outbound.attributes == {
        "v": "1",
        "kind": "reply",
        "wa_msg_id": "3EB0A",
        "reff_id": "SB1",
    }
    assert OutboundMessage.model_validate_json(outbound.data).text == "Halo kak!"


def test_a_failed_publish_raises_and_the_chat_can_publish_again(pubsub: PubSubServer) -> None:
    publisher = Publisher("proj", timeout_seconds=5)
    pubsub.state.publish_failures = 1  # PERMISSION_DENIED: not retried by the client
    try:
        with pytest.raises(PublishError):
            publisher.publish("wa-outbound", b"{}", ordering_key=CHAT)
        pubsub.state.publish_failures = 0
        assert publisher.publish("wa-outbound", b"{}", ordering_key=CHAT)
    finally:
        publisher.close()
    assert len(pubsub.state.published) == 1


def test_bus_needs_a_project() -> None:
    with pytest.raises(ConfigError, match="GCP_PROJECT"):
        PubSubBus.from_settings(load_settings())


def test_subscriber_hands_valid_replies_over_and_acks_them(pubsub: PubSubServer) -> None:
    received: list[OutboundMessage] = []
    got = threading.Event()

    def handler(message: OutboundMessage) -> None:
        received.append(message)
        got.set()

    sub = OutboundSubscriber("proj", "wa-outbound-relay", handler)
    body = OutboundMessage(chat=CHAT, text="Siap kak").model_dump_json().encode()
    message_id = pubsub.state.queue_message("projects/proj/subscriptions/wa-outbound-relay", body)
    sub.start()
    try:
        assert got.wait(10)
        pubsub.state.wait_for(lambda: message_id in pubsub.state.acked)
    finally:
        sub.stop()
    assert received[0].text == "Siap kak"


def test_malformed_replies_are_acked_and_failed_sends_are_nacked(pubsub: PubSubServer) -> None:
    def handler(message: OutboundMessage) -> None:
        raise RuntimeError("socket closed")

    sub = OutboundSubscriber("proj", "projects/proj/subscriptions/out", handler)
    bad = pubsub.state.queue_message("projects/proj/subscriptions/out", b"not json")
    invalid = pubsub.state.queue_message(
        "projects/proj/subscriptions/out", json.dumps({"text": "no chat"}).encode()
    )
    failing = pubsub.state.queue_message(
        "projects/proj/subscriptions/out",
        OutboundMessage(chat=CHAT, text="x").model_dump_json().encode(),
    )
    sub.start()
    try:
        pubsub.state.wait_for(
            lambda: {bad, invalid} <= set(pubsub.state.acked) and failing in pubsub.state.nacked
        )
    finally:
        sub.stop()
    assert failing not in pubsub.state.acked
