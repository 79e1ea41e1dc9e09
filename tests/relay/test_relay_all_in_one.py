"""All-in-one mode: the same relay on the in-process bus, started and stopped with the process."""

from __future__ import annotations

import threading

from fakes.neonize_client import FakeClient, message_event
from neonize.events import ConnectedEv  # noqa: TID251

from shared.adapters.whatsapp.lease import LEASE_KEY
from shared.adapters.whatsapp.relay import start_whatsapp
from shared.bus import InProcessBus
from shared.config import load_settings
from shared.messages import InboundMessage
from shared.runner import start_whatsapp_if_enabled
from shared.wiring import Components


class _ConnectingClient(FakeClient):
    def __init__(self) -> None:
        super().__init__()
        self.connected = threading.Event()
        self.disconnected = threading.Event()

    def connect(self) -> None:
        super().connect()
        self.connected.set()

    def disconnect(self) -> None:
        super().disconnect()
        self.disconnected.set()


def test_whatsapp_stays_off_unless_enabled() -> None:
    components = Components(settings=load_settings())
    assert start_whatsapp_if_enabled(components, InProcessBus(), threading.Event()) is None


def test_relay_runs_on_the_in_process_bus_under_the_lease_and_stops_with_the_process() -> None:
    components = Components(settings=load_settings(wa_enabled=True))
    bus = InProcessBus()
    received: list[InboundMessage] = []
    got = threading.Event()
    bus.on_inbound(lambda m: (received.append(m), got.set()))
    client = _ConnectingClient()
    stopping = threading.Event()
    relay = start_whatsapp(components, bus, stopping, client=client)
    bus.start()
    try:
        assert client.connected.wait(10)
        assert components.cache.get(LEASE_KEY) is not None  # single instance guarded
        client.dispatch(ConnectedEv())
        client.dispatch(message_event(msg_id="AIO1", text="halo"))
        assert got.wait(10)
        assert received[0].wa_msg_id == "AIO1"
        assert relay.state.can_send(relay.clock.now())
    finally:
        stopping.set()
        bus.stop()
    assert client.disconnected.wait(10)
    assert relay.state.stopped_reason == "shutdown"
