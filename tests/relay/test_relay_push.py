"""`handle_inbound_push` on recorded envelopes, with the inbound service played by a function."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from shared.adapters.pubsub.push import handle_inbound_push
from shared.messages import InboundMessage, OutboundMessage

DATA = Path(__file__).resolve().parents[1] / "data" / "pubsub"
PUBLISHED = datetime(2026, 1, 1, 2, 0, 1, tzinfo=UTC)


class ListBus:
    def __init__(self) -> None:
        self.outbound: list[OutboundMessage] = []

    def publish_inbound(self, message: InboundMessage) -> None:
        raise AssertionError("functions never publish inbound")

    def publish_outbound(self, message: OutboundMessage) -> None:
        self.outbound.append(message)


def _data(name: str) -> object:
    body = json.loads((DATA / name).read_text())["body"]
    return body.get("data", body) if "specversion" in body else body


def _echo(message: InboundMessage) -> list[OutboundMessage]:
    return [
        OutboundMessage(chat=message.chat, text=f"echo {message.kind}", reply_to=message.wa_msg_id)
    ]


@pytest.mark.parametrize(
    "name", ["text_binary.json", "voice_structured.json", "image_binary.json"]
)
def test_valid_deliveries_reach_the_service_and_replies_are_published(name: str) -> None:
    bus = ListBus()
    outcome = handle_inbound_push(
        _data(name),
        event_id="e1",
        handle=_echo,
        publish=bus.outbound.extend,
        now=PUBLISHED + timedelta(seconds=1),
    )
    assert outcome == "handled"
    [reply] = bus.outbound
    assert reply.chat == "6281234567890@s.whatsapp.net"


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("malformed_*.json")))
def test_malformed_deliveries_are_acknowledged_and_logged(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    def never(_message: InboundMessage) -> list[OutboundMessage]:
        raise AssertionError("a malformed delivery reached the service")

    bus = ListBus()
    assert (
        handle_inbound_push(
            _data(name), event_id="bad-1", handle=never, publish=bus.outbound.extend
        )
        == "malformed"
    )
    assert bus.outbound == []
    assert "malformed delivery bad-1" in caplog.text


def test_deliveries_retried_for_too_long_are_dropped() -> None:
    bus = ListBus()
    outcome = handle_inbound_push(
        _data("text_binary.json"),
        event_id="e",
        handle=_echo,
        publish=bus.outbound.extend,
        now=PUBLISHED + timedelta(hours=2),
    )
    assert outcome == "stale"
    assert bus.outbound == []


def test_transient_failures_propagate_for_redelivery() -> None:
    def down(_message: InboundMessage) -> list[OutboundMessage]:
        raise ConnectionError("database unreachable")

    with pytest.raises(ConnectionError):
        handle_inbound_push(
            _data("text_binary.json"),
            event_id="e",
            handle=down,
            publish=ListBus().outbound.extend,
            now=PUBLISHED,
        )
