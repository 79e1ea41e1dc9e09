"""A TemporaryBan: sending stops, the owner is told until when, and after it the relay reconnects
and sends again slowly, in serverless mode (Pub/Sub subscriber) and all-in-one (in-process bus).

Ban events are real neonize protobufs, parsed from bytes the way neonize's event callback does
(`TemporaryBan.FromString`); `Expire` is whole seconds (lifecycle._expire_seconds cites why).
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from fakes.neonize_client import T0, FakeClient, FakeTimers, message_event
from neonize.events import ConnectedEv, DisconnectedEv, TemporaryBanEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251

from shared.adapters.whatsapp.relay import OFFLINE_ALERT_MINUTES, hold_outbound_in_process
from shared.bus import InProcessBus
from shared.errors import WhatsAppError
from shared.messages import OutboundMessage

CHAT = "6281234567890@s.whatsapp.net"
HOUR = 3600


def _ban(expire: int, code: str = "SEND_TO_TOO_MANY_PEOPLE") -> Any:
    ev = TemporaryBanEv(Code=N.TemporaryBan.TempBanReason.Value(code), Expire=expire)
    return TemporaryBanEv.FromString(ev.SerializeToString())


def test_expire_is_seconds_and_sending_resumes_slowly_after_a_reconnect(
    wa: Any, timers: FakeTimers
) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    wa.client.dispatch(_ban(HOUR))

    until = T0 + timedelta(hours=1)
    assert wa.relay.state.banned_until == until
    assert wa.alerts == [
        f"WhatsApp temporary ban SEND_TO_TOO_MANY_PEOPLE: sending paused until {until.isoformat()}"
    ]
    assert wa.outbound.events == ["start", "pause"]
    assert timers.delays == [HOUR]
    with pytest.raises(WhatsAppError):
        wa.relay.send(OutboundMessage(chat=CHAT, text="halo", reply_to="IN1"))

    wa.clock.advance(HOUR - 1)
    assert timers.fire_due() == 0
    assert wa.client.named("stop") == []
    wa.clock.advance(1)
    assert timers.fire_due() == 1
    # whatsmeow will not reopen the refused session: the relay ends the old connect() and
    # connects again; sending waits for the session to be up.
    assert len(wa.client.named("stop")) == 1
    assert _connects(wa.client) == 1
    assert not wa.relay.state.can_send(wa.clock.now())
    assert wa.outbound.events == ["start", "pause"]

    wa.client.dispatch(ConnectedEv())
    assert wa.outbound.events == ["start", "pause", "start"]
    assert wa.relay.state.can_send(wa.clock.now())
    wa.relay.send(OutboundMessage(chat=CHAT, text="satu"))
    wa.relay.send(OutboundMessage(chat=CHAT, text="dua"))
    first, second = (t for t, _, _ in wa.client.named("send_message"))
    policy = wa.relay.governor.policy
    assert second - first >= policy.chat_min_gap * policy.slow_factor
    assert wa.alerts[1:] == []


def test_a_ban_without_a_usable_expiry_stops_sending_for_good(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(_ban(0, "BLOCKED_BY_USERS"))
    assert wa.relay.state.stopped_reason == "temporary_ban"
    assert "BLOCKED_BY_USERS" in wa.alerts[0]
    assert timers.pending == []
    wa.client.dispatch(ConnectedEv())
    assert not wa.relay.state.can_send(wa.clock.now())


def test_a_ban_longer_than_any_real_one_is_not_waited_out(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(_ban(HOUR * 10**9))  # what a nanosecond reading would have meant
    assert wa.relay.state.stopped_reason == "temporary_ban"
    assert timers.pending == []


def test_a_second_ban_replaces_the_first_expiry(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(_ban(HOUR))
    wa.clock.advance(HOUR)
    timers.fire_due()
    assert _connects(wa.client) == 1
    wa.client.dispatch(_ban(2 * HOUR))  # still banned on reconnect: wait again, longer
    # The reconnect armed the offline check; the second ban replaced it with its own expiry.
    assert timers.delays == [HOUR, OFFLINE_ALERT_MINUTES * 60, 2 * HOUR]
    wa.clock.advance(HOUR)
    assert timers.fire_due() == 0
    wa.clock.advance(HOUR)
    assert timers.fire_due() == 1
    assert _connects(wa.client) == 2


def test_shutdown_during_a_ban_cancels_the_reconnect(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(_ban(HOUR))
    wa.relay.shutdown()
    assert timers.pending == []
    # neonize's blocked connect() (a non-daemon worker) only ends on stop(): the process exits.
    assert [name for _, name, _, _ in wa.client.calls][-2:] == ["disconnect", "stop"]
    wa.clock.advance(HOUR)
    assert timers.fire_due() == 0
    assert _connects(wa.client) == 0


def test_all_in_one_replies_wait_out_the_ban_and_go_out_after_it(
    wa: Any, timers: FakeTimers
) -> None:
    bus = InProcessBus()
    outbox = hold_outbound_in_process(wa.relay, bus)
    bus.start()
    try:
        wa.client.dispatch(message_event(msg_id="IN1"))
        wa.client.dispatch(_ban(HOUR))
        bus.publish_outbound(OutboundMessage(chat=CHAT, text="pesanan diproses", reply_to="IN1"))
        bus.publish_outbound(OutboundMessage(chat=CHAT, text="sudah sukses ya kak"))
        assert outbox.wait_held(2, 10)
        assert wa.client.named("send_message") == []

        wa.clock.advance(HOUR)
        timers.fire_due()
        assert _connects(wa.client) == 1
        assert outbox.held == 2  # reconnecting is not connected
        wa.client.dispatch(ConnectedEv())
        assert outbox.wait_idle(10)
        texts = [args[1] for _, args, _ in wa.client.named("send_message")]
        assert texts == ["pesanan diproses", "sudah sukses ya kak"]
        assert outbox.held == 0
        assert wa.relay.governor.slow
    finally:
        bus.stop()


def test_all_in_one_replies_wait_out_a_dropped_socket(wa: Any) -> None:
    bus = InProcessBus()
    outbox = hold_outbound_in_process(wa.relay, bus)
    bus.start()
    try:
        wa.client.dispatch(message_event(msg_id="IN1"))
        wa.client.dispatch(DisconnectedEv())
        bus.publish_outbound(OutboundMessage(chat=CHAT, text="halo kak", reply_to="IN1"))
        assert outbox.wait_held(1, 10)
        wa.client.dispatch(ConnectedEv())
        assert outbox.wait_idle(10)
        assert [args[1] for _, args, _ in wa.client.named("send_message")] == ["halo kak"]
    finally:
        bus.stop()


def test_all_in_one_drops_replies_after_a_terminal_stop(wa: Any) -> None:
    bus = InProcessBus()
    outbox = hold_outbound_in_process(wa.relay, bus)
    wa.relay.lifecycle.stop("logged_out", "logged out")
    with pytest.raises(WhatsAppError):
        outbox.send(OutboundMessage(chat=CHAT, text="halo"))
    assert outbox.held == 0


def _connects(client: FakeClient) -> int:
    """`connect()` calls, after the relay's background connect threads have finished."""
    for thread in threading.enumerate():
        if thread.name == "wa-connect":
            thread.join(10)
    return len(client.named("connect"))
