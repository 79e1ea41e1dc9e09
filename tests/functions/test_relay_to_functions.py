"""The serverless path end to end, locally: relay → Pub/Sub → on_message → Pub/Sub → relay.

A WhatsApp event reaches the relay (fake neonize client, real neonize protobufs); the relay
publishes it through the real Pub/Sub client to the fake server; the push subscription's
delivery is posted to `on_message` served by functions-framework; the replies it publishes are
pulled by the relay's streaming-pull subscriber and sent on the fake client.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from fakes.functions_server import PROJECT, FunctionServer, drain_outbox, serverless_relay
from fakes.neonize_client import FakeClient, FakeClock, message_event, voice_note
from fakes.pubsub_server import PubSubServer
from neonize.events import ConnectedEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251

from shared.adapters.whatsapp.relay import Relay
from shared.config import load_settings

SUBSCRIPTION = f"projects/{PROJECT}/subscriptions/wa-outbound-relay"


@dataclass
class ServerlessPath:
    client: FakeClient
    relay: Relay
    pubsub: PubSubServer
    function: FunctionServer

    def push_inbound(self, chat: str, *, expect: int = 200) -> None:
        """What the wa-inbound push subscription does with the relay's message."""
        [published] = [
            p
            for p in self.pubsub.state.published
            if p.topic.endswith("/wa-inbound") and p.ordering_key == chat
        ]
        now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        body = {
            "message": {
                "data": base64.b64encode(published.data).decode(),
                "attributes": published.attributes,
                "messageId": published.message_id,
                "publishTime": now,
                "orderingKey": chat,
            },
            "subscription": f"projects/{PROJECT}/subscriptions/wa-inbound-push",
        }
        response = self.function.post(
            {"headers": {"Content-Type": "application/json"}, "path": "/", "body": body}
        )
        assert response.status_code == expect, self.function.logs()[-3000:]

    def deliver_outbound(self, chat: str) -> int:
        """What the wa-outbound subscription does: stream the replies to the relay."""
        replies = [
            p
            for p in self.pubsub.state.published
            if p.topic.endswith("/wa-outbound") and p.ordering_key == chat
        ]
        ids = [
            self.pubsub.state.queue_message(SUBSCRIPTION, p.data, p.attributes) for p in replies
        ]
        self.pubsub.state.wait_for(lambda: set(ids) <= set(self.pubsub.state.acked), timeout=30)
        return len(ids)


@pytest.fixture
def path(
    on_message: FunctionServer, pubsub_server: PubSubServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServerlessPath]:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_server.host)
    clock = FakeClock(start=datetime.now(UTC))
    client = FakeClient(clock=clock)
    # The function's media folder stands in for the bucket both sides use in production.
    with serverless_relay(client, clock, load_settings(data_dir=on_message.data_dir)) as relay:
        client.dispatch(ConnectedEv())  # starts the streaming pull
        yield ServerlessPath(client, relay, pubsub_server, on_message)


@pytest.mark.parametrize("kind", ["text", "voice"])
def test_a_customer_message_is_answered_through_pubsub_and_the_functions(
    path: ServerlessPath, kind: str
) -> None:
    phone = "62858" + str(uuid.uuid4().int)[:8]
    chat = f"{phone}@s.whatsapp.net"
    msg_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    path.client.dispatch(
        message_event(
            msg_id=msg_id,
            chat=N.JID(User=phone, Server="s.whatsapp.net"),
            text="halo kak, pulsa tsel 10rb ada?",
            message=voice_note() if kind == "voice" else None,
            sent_at=path.client.clock.now(),
        )
    )
    path.push_inbound(chat)
    answered = path.deliver_outbound(chat)

    assert answered > 0
    sent = path.client.named("send_message") + path.client.named("send_image")
    assert len(sent) == answered
    assert all(args[0].User == phone for _, args, _ in sent)
    [(_, read_ids, _)] = path.client.named("mark_read")
    assert read_ids == (msg_id,)


def test_a_reply_whose_publish_failed_reaches_whatsapp_once_through_the_outbox(
    path: ServerlessPath, database_url: str
) -> None:
    phone = "62858" + str(uuid.uuid4().int)[:8]
    chat = f"{phone}@s.whatsapp.net"
    path.client.dispatch(
        message_event(
            msg_id=f"3EB0{uuid.uuid4().hex[:16].upper()}",
            chat=N.JID(User=phone, Server="s.whatsapp.net"),
            text="pulsa tsel 10rb ke 081234567890",
            sent_at=path.client.clock.now(),
        )
    )
    path.pubsub.state.publish_failures = 1  # on_message cannot publish the reply
    try:
        path.push_inbound(chat)  # acknowledged: the reply waits in the outbox
    finally:
        path.pubsub.state.publish_failures = 0
    drain_outbox(database_url, path.pubsub)  # the deliver_outbox job publishes it
    path.push_inbound(chat)  # a redelivery (at-least-once): published again, same ids
    published = path.deliver_outbound(chat)

    sent = path.client.named("send_message") + path.client.named("send_image")
    assert published == 2 * len(sent)
    assert len(sent) >= 1
    assert "YA" in str(path.client.named("send_message")[0][1][1])
