"""Fixtures for the relay tests: the fake Pub/Sub gRPC server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import fakes.neonize_client  # noqa: E402, F401 - imports neonize quietly, first
from fakes.memory_cache import MemoryCache  # noqa: E402
from fakes.pubsub_server import PubSubServer  # noqa: E402


@pytest.fixture
def pubsub(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubServer]:
    """A running fake Pub/Sub server, with PUBSUB_EMULATOR_HOST pointing at it."""
    server = PubSubServer().start()
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", server.host)
    yield server
    server.stop()


class RecordingBus:
    """A `Bus` that keeps what was published (the relay's side of the bus only)."""

    def __init__(self) -> None:
        from shared.messages import InboundMessage, OutboundMessage

        self.inbound: list[InboundMessage] = []
        self.outbound: list[OutboundMessage] = []

    def publish_inbound(self, message: object) -> None:
        self.inbound.append(message)  # type: ignore[arg-type]

    def publish_outbound(self, message: object) -> None:
        self.outbound.append(message)  # type: ignore[arg-type]


class RecordingOutbound:
    """Records start/pause of the outbound flow."""

    def __init__(self) -> None:
        self.events: list[str] = []

    def start(self) -> None:
        self.events.append("start")

    def pause(self) -> None:
        self.events.append("pause")


@pytest.fixture
def wa(tmp_path: Path) -> Iterator[object]:
    """A relay on a fake neonize client, connected, with a recording bus and a fake clock."""
    from fakes.neonize_client import FakeClient, FakeClock
    from neonize.events import ConnectedEv  # noqa: TID251

    from shared.adapters.storage.local import LocalMediaStore
    from shared.adapters.whatsapp.relay import Relay
    from shared.config import load_settings

    class Env:
        pass

    env = Env()
    env.clock = FakeClock()
    env.client = FakeClient(clock=env.clock)
    env.bus = RecordingBus()
    env.alerts = []
    env.media = LocalMediaStore(tmp_path / "media", ttl_seconds=3600, clock=lambda: 1e9)
    env.cache = MemoryCache(env.clock)
    env.relay = Relay(
        env.client,
        bus=env.bus,
        media=env.media,
        settings=load_settings(),
        clock=env.clock,
        cache=env.cache,
        alert=lambda _reason, text: env.alerts.append(text),
    )
    env.outbound = RecordingOutbound()
    env.relay.outbound = env.outbound
    env.relay.attach()
    env.client.dispatch(ConnectedEv())
    return env


@pytest.fixture
def timers(wa: object) -> object:
    """The relay's `schedule` on fake timers: callbacks run when a test calls `fire_due`."""
    from fakes.neonize_client import FakeTimers

    timers = FakeTimers(wa.clock)  # type: ignore[attr-defined]
    wa.relay.schedule = timers  # type: ignore[attr-defined]
    return timers
