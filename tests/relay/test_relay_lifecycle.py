"""Connection events: each terminal one stops sending, alerts the owner once, never reconnects."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fakes.neonize_client import FakeClient, message_event
from neonize.events import (  # noqa: TID251
    ClientOutdatedEv,
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    LoggedOutEv,
    StreamReplacedEv,
)
from neonize.proto import Neonize_pb2 as N  # noqa: TID251
from neonize.utils.enum import Presence  # noqa: TID251

from shared.adapters.whatsapp.health import create_health_app
from shared.errors import WhatsAppError
from shared.messages import OutboundMessage

CHAT = "6281234567890@s.whatsapp.net"
REASON = N.ConnectFailureReason


def _wait_disconnect(client: FakeClient) -> None:
    done = threading.Event()
    for thread in threading.enumerate():
        if thread.name == "wa-disconnect":
            thread.join(5)
    done.set()
    assert client.named("disconnect"), "the client was not disconnected"


def test_connected_sets_presence_and_starts_outbound(wa: Any) -> None:
    assert [args for _, args, _ in wa.client.named("send_presence")] == [(Presence.AVAILABLE,)]
    assert wa.outbound.events == ["start"]
    assert wa.relay.state.can_send(wa.clock.now())


@pytest.mark.parametrize(
    ("event", "reason", "words"),
    [
        (LoggedOutEv(OnConnect=False, Reason=REASON.Value("LOGGED_OUT")), "logged_out", "QR"),
        (StreamReplacedEv(), "stream_replaced", "exactly one relay"),
        (ClientOutdatedEv(), "client_outdated", "upgrade neonize"),
        (ConnectFailureEv(Reason=REASON.Value("CLIENT_OUTDATED")), "client_outdated", "upgrade"),
        (ConnectFailureEv(Reason=REASON.Value("MAIN_DEVICE_GONE")), "logged_out", "pairing code"),
        (ConnectFailureEv(Reason=REASON.Value("TEMP_BANNED")), "temporary_ban", "banned"),
        (
            ConnectFailureEv(Reason=REASON.Value("SERVICE_UNAVAILABLE")),
            "connect_failure",
            "SERVICE_UNAVAILABLE",
        ),
    ],
)
def test_terminal_events_stop_sending_alert_once_and_do_not_reconnect(
    wa: Any, event: Any, reason: str, words: str
) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    wa.client.dispatch(event)
    wa.client.dispatch(event)  # repeated: still one alert

    assert wa.relay.state.stopped_reason == reason
    assert len(wa.alerts) == 1
    assert words in wa.alerts[0]
    assert wa.outbound.events == ["start", "pause"]
    _wait_disconnect(wa.client)
    assert [n for _, n, _, _ in wa.client.calls].count("connect") == 0
    with pytest.raises(WhatsAppError):
        wa.relay.send(OutboundMessage(chat=CHAT, text="halo", reply_to="IN1"))
    assert wa.client.named("send_message") == []
    # A reconnect after a terminal event does not resume sending either.
    wa.client.dispatch(ConnectedEv())
    assert not wa.relay.state.can_send(wa.clock.now())
    response = create_health_app(wa.relay).test_client().get("/healthz")
    assert response.status_code == 200  # a failing probe would restart into a re-login loop
    assert response.get_json()["status"] == "degraded"
    assert response.get_json()["stopped_reason"] == reason


def test_disconnect_waits_for_whatsmeow_to_reconnect(wa: Any) -> None:
    wa.client.dispatch(DisconnectedEv())
    assert not wa.relay.state.can_send(wa.clock.now())
    assert wa.alerts == []
    assert wa.relay.state.stopped_reason is None
    wa.client.dispatch(ConnectedEv())
    assert wa.relay.state.can_send(wa.clock.now())


def test_healthz_and_metrics(wa: Any) -> None:
    wa.client.dispatch(message_event())
    client = create_health_app(wa.relay).test_client()
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["connected"] is True
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'salesbot_relay_inbound_total{kind="text"}' in metrics
    assert "salesbot_relay_connected 1.0" in metrics
