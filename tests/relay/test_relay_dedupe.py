"""Each outbound id is sent to WhatsApp at most once: repeated, concurrent, after a restart.

`on_message` republishes a turn's replies (same ids) whenever Pub/Sub redelivers the inbound
message, and Pub/Sub delivers wa-outbound at least once; the customer must see each reply once.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fakes.neonize_client import FakeClient, message_event
from fakes.pubsub_server import PubSubServer
from neonize.events import ConnectedEv  # noqa: TID251

from shared.adapters.pubsub.subscriber import OutboundSubscriber
from shared.adapters.whatsapp.relay import Relay
from shared.adapters.whatsapp.sender import (
    CLAIM_TTL_SECONDS,
    DelayPolicy,
    OutboundSender,
    SentReplies,
)
from shared.config import load_settings
from shared.errors import WhatsAppError
from shared.messages import OutboundMessage

CHAT = "6281234567890@s.whatsapp.net"
SUBSCRIPTION = "projects/proj/subscriptions/wa-outbound-relay"


def _reply(n: int = 0, **extra: Any) -> OutboundMessage:
    fields: dict[str, Any] = {
        "id": f"IN1#{n}",
        "chat": CHAT,
        "text": f"Siap kak ({n})",
        "reply_to": "IN1",
    }
    fields.update(extra)
    return OutboundMessage(**fields)


def _texts(client: FakeClient) -> list[str]:
    return [str(args[1]) for _, args, _ in client.named("send_message")]


def _restarted(wa: Any) -> tuple[Relay, FakeClient]:
    """A new relay process on a new client, sharing only the cache (Upstash/Redis)."""
    client = FakeClient(clock=wa.clock)
    relay = Relay(
        client,
        bus=wa.bus,
        media=wa.media,
        settings=load_settings(),
        clock=wa.clock,
        cache=wa.cache,
        alert=lambda _reason, _text: None,
    )
    relay.attach()
    client.dispatch(ConnectedEv())
    return relay, client


def test_a_reply_delivered_twice_is_sent_once(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    for _ in range(3):
        wa.relay.send(_reply(0))
        wa.relay.send(_reply(1))
    assert _texts(wa.client) == ["Siap kak (0)", "Siap kak (1)"]
    assert len(wa.client.named("mark_read")) == 1


def test_concurrent_deliveries_of_one_reply_send_it_once(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    start = threading.Barrier(8)

    def deliver() -> None:
        start.wait()
        wa.relay.send(_reply(0))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert _texts(wa.client) == ["Siap kak (0)"]


def test_a_restarted_relay_does_not_send_again_what_went_out(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    wa.relay.send(_reply(0))
    relay, client = _restarted(wa)
    relay.send(_reply(0))  # Pub/Sub redelivers what the old process had not acked
    relay.send(_reply(1))
    assert _texts(wa.client) == ["Siap kak (0)"]
    assert _texts(client) == ["Siap kak (1)"]


def test_a_failed_send_is_sent_by_the_redelivery(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    wa.client.fail.add("send_message")
    with pytest.raises(WhatsAppError):
        wa.relay.send(_reply(0))
    wa.client.fail.clear()
    wa.relay.send(_reply(0))
    wa.relay.send(_reply(0))
    assert _texts(wa.client)[-1] == "Siap kak (0)"
    assert len(_texts(wa.client)) == 2  # the failed attempt, then exactly one success


def test_a_reply_another_relay_is_sending_waits_for_it_or_for_its_claim_to_lapse(
    wa: Any,
) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    other, other_client = _restarted(wa)
    assert other.sender.sent.claim("IN1#0")  # the other relay is sending it (or died doing so)
    with pytest.raises(WhatsAppError):  # nacked: Pub/Sub offers it again later
        wa.relay.send(_reply(0))
    assert _texts(wa.client) == []
    wa.clock.advance(CLAIM_TTL_SECONDS + 1)  # the other relay died: its claim lapsed
    wa.relay.send(_reply(0))
    other.send(_reply(0))
    assert _texts(wa.client) == ["Siap kak (0)"]
    assert _texts(other_client) == []


def test_a_cold_chat_refusal_does_not_mark_the_reply_sent(wa: Any) -> None:
    cold = _reply(0, chat="6289999999999@s.whatsapp.net")
    wa.relay.send(cold)
    assert _texts(wa.client) == []
    wa.relay.governor.known.add(cold.chat)  # the customer writes after all
    wa.relay.send(cold)
    assert _texts(wa.client) == ["Siap kak (0)"]


def test_messages_without_an_id_are_never_deduped(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    wa.relay.send(OutboundMessage(chat=CHAT, text="tanpa id"))
    wa.relay.send(OutboundMessage(chat=CHAT, text="tanpa id"))
    assert _texts(wa.client) == ["tanpa id", "tanpa id"]


def test_the_outbound_subscriber_acks_a_republished_reply_and_sends_it_once(
    wa: Any, pubsub: PubSubServer
) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    body = _reply(0).model_dump_json().encode()
    ids = [pubsub.state.queue_message(SUBSCRIPTION, body) for _ in range(3)]
    sub = OutboundSubscriber("proj", SUBSCRIPTION, wa.relay.send)
    sub.start()
    try:
        pubsub.state.wait_for(lambda: set(ids) <= set(pubsub.state.acked))
    finally:
        sub.stop()
    assert _texts(wa.client) == ["Siap kak (0)"]
    assert not pubsub.state.nacked


class _WatchingClock:
    """The fake clock, calling `on_sleep` each time the sender waits."""

    def __init__(self, inner: Any, on_sleep: Any) -> None:
        self._inner = inner
        self._on_sleep = on_sleep

    def monotonic(self) -> float:
        return float(self._inner.monotonic())

    def now(self) -> Any:
        return self._inner.now()

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)
        self._on_sleep()


def test_a_reply_waiting_long_to_go_out_keeps_its_claim(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    other = SentReplies(wa.cache)  # another relay, trying while this one is still typing
    tries: list[bool] = []
    wait = 3 * CLAIM_TTL_SECONDS
    sender = OutboundSender(
        wa.client,
        state=wa.relay.state,
        governor=wa.relay.governor,
        clock=_WatchingClock(wa.clock, lambda: tries.append(other.claim("IN1#0"))),
        media=wa.media,
        delay=DelayPolicy(minimum=wait, maximum=wait),
        sent=SentReplies(wa.cache),
    )
    started = wa.clock.monotonic()
    sender.send(_reply(0))
    assert wa.clock.monotonic() - started >= wait
    assert tries
    assert not any(tries)
    assert other.was_sent("IN1#0")
    assert _texts(wa.client) == ["Siap kak (0)"]


def test_a_sender_that_lost_its_claim_while_waiting_does_not_send(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    other = SentReplies(wa.cache)

    def stall() -> None:  # this relay stalled past its claim, another relay took the message
        wa.cache.delete("wa:sent:IN1#0")
        other.claim("IN1#0")

    sender = OutboundSender(
        wa.client,
        state=wa.relay.state,
        governor=wa.relay.governor,
        clock=_WatchingClock(wa.clock, stall),
        media=wa.media,
        delay=DelayPolicy(minimum=10, maximum=10),
        sent=SentReplies(wa.cache),
    )
    with pytest.raises(WhatsAppError):  # nacked; the redelivery finds it sent by the other
        sender.send(_reply(0))
    assert _texts(wa.client) == []
    assert not other.was_sent("IN1#0")
    assert not other.claim("IN1#0")  # still the other relay's claim
