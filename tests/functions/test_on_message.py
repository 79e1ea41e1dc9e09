"""`on_message` served by a real functions-framework process: deliveries it must acknowledge.

Malformed envelopes are acknowledged and logged without ever crash-looping; deliveries Pub/Sub
has been retrying for too long are dropped. (`test_on_message_flow.py` covers the answered ones.)
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fakes.functions_server import (
    DATA,
    FunctionServer,
    envelope,
    new_customer,
    replies_for,
)
from fakes.pubsub_server import PubSubServer


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("malformed_*.json")))
def test_malformed_envelopes_are_acknowledged_and_logged(
    on_message: FunctionServer, pubsub_server: PubSubServer, name: str
) -> None:
    published = len(pubsub_server.state.published)
    response = on_message.post(envelope(name))
    assert response.status_code == 200  # acknowledged: a redelivery could never succeed
    assert len(pubsub_server.state.published) == published
    assert "malformed delivery" in on_message.logs()
    assert on_message.proc.poll() is None  # never a crash loop: the process keeps serving


def test_a_delivery_retried_for_too_long_is_dropped(
    on_message: FunctionServer, pubsub_server: PubSubServer
) -> None:
    phone, chat = new_customer()
    old = envelope("text_binary.json", wa_msg_id=uuid.uuid4().hex, chat=chat, sender_phone=phone)
    stale = (datetime.now(UTC) - timedelta(hours=2)).isoformat().replace("+00:00", "Z")
    old["body"]["message"]["publishTime"] = stale
    old["body"]["message"]["publish_time"] = stale
    assert on_message.post(old).status_code == 200
    assert replies_for(pubsub_server, chat) == []
