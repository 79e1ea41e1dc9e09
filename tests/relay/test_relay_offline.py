"""A session that stays down pages the owner once; whatsmeow's quick reconnects page nobody; a
dial that fails (neonize's `connect()` raises when WhatsApp cannot be reached) is tried again.

The offline check runs on the relay's `schedule`, driven here by fake timers on the fake clock.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fakes.neonize_client import FakeClient, FakeClock, FakeTimers
from neonize.events import ConnectedEv, DisconnectedEv, LoggedOutEv, TemporaryBanEv  # noqa: TID251
from neonize.exc import NeonizeError  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251

from shared.adapters.whatsapp.relay import (
    CONNECT_RETRY_SECONDS,
    OFFLINE_ALERT_MINUTES,
    owner_alert,
)

LIMIT = OFFLINE_ALERT_MINUTES * 60


def _offline_alerts(wa: Any) -> list[str]:
    return [a for a in wa.alerts if "not connected for" in a]


def test_a_socket_that_stays_down_pages_once(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(DisconnectedEv())
    wa.clock.advance(LIMIT - 1)
    timers.fire_due()
    assert wa.alerts == []

    wa.clock.advance(1)
    timers.fire_due()
    assert _offline_alerts(wa) == [
        f"WhatsApp not connected for {OFFLINE_ALERT_MINUTES} minutes: customers get no "
        "replies. Check the relay's log and /healthz; pair it again if it shows a QR"
    ]
    wa.clock.advance(10 * LIMIT)
    timers.fire_due()
    assert len(wa.alerts) == 1
    assert wa.relay.state.snapshot()["alerts"]  # /healthz shows it too


def test_whatsmeow_reconnecting_in_time_pages_nobody(wa: Any, timers: FakeTimers) -> None:
    for _ in range(3):
        wa.client.dispatch(DisconnectedEv())
        wa.clock.advance(LIMIT - 10)
        wa.client.dispatch(ConnectedEv())
        timers.fire_due()
    wa.clock.advance(10 * LIMIT)
    timers.fire_due()
    assert wa.alerts == []


def test_a_first_connect_that_never_comes_up_pages(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(DisconnectedEv())
    wa.client.dispatch(ConnectedEv())
    wa.relay.state.connected = False  # as on a fresh start: nothing connected yet
    wa.relay.connect_in_background().join(5)
    wa.clock.advance(LIMIT)
    timers.fire_due()
    assert len(_offline_alerts(wa)) == 1


def test_a_logout_or_a_ban_pages_for_itself_not_as_offline(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(DisconnectedEv())
    ban = TemporaryBanEv(Code=N.TemporaryBan.TempBanReason.Value("BLOCKED_BY_USERS"), Expire=3600)
    wa.client.dispatch(ban)
    wa.clock.advance(LIMIT)
    timers.fire_due()
    assert _offline_alerts(wa) == []  # the ban alerted; its end reconnects and re-arms the check

    wa.client.dispatch(
        LoggedOutEv(OnConnect=False, Reason=N.ConnectFailureReason.Value("LOGGED_OUT"))
    )
    wa.clock.advance(10 * LIMIT)
    timers.fire_due()
    assert _offline_alerts(wa) == []
    assert len(wa.alerts) == 2


def test_the_offline_alert_is_the_relay_offline_paging_event(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        owner_alert("offline", "WhatsApp not connected for 5 minutes")
    [record] = [r for r in caplog.records if getattr(r, "event", None) == "relay_offline"]
    assert record.levelno == logging.ERROR


class _Unreachable(FakeClient):
    """neonize's `connect()` when WhatsApp cannot be dialled: it raises at once."""

    def __init__(self, clock: FakeClock, failures: int) -> None:
        super().__init__(clock=clock)
        self.failures = failures

    def connect(self) -> None:
        super().connect()
        if self.failures > 0:
            self.failures -= 1
            raise NeonizeError("failed to dial whatsapp web websocket: no such host")


def test_a_failed_dial_is_retried_with_a_growing_pause_until_it_connects(wa: Any) -> None:
    wa.relay.client = client = _Unreachable(wa.clock, failures=7)
    wa.relay.connect_in_background().join(10)

    assert len(client.named("connect")) == 8
    assert wa.clock.sleeps == [*CONNECT_RETRY_SECONDS, 60.0, 60.0]
    assert "no such host" in str(wa.relay.state.snapshot()["last_connect_error"])


def test_a_stopped_relay_dials_no_more(wa: Any) -> None:
    wa.relay.client = client = _Unreachable(wa.clock, failures=1_000)
    wa.clock.sleep = lambda _s: wa.relay.shutdown()  # stopped while waiting to dial again
    wa.relay.connect_in_background().join(10)
    assert len(client.named("connect")) == 1
