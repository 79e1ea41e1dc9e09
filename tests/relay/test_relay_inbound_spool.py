"""The relay holds inbound messages whose publish failed and retries them (item 12).

WhatsApp hands a message to this device once. A failed publish to `wa-inbound` used to be
logged and the message lost. Now it waits in a spool persisted where the session store is
(SQLite beside the session file, or a table in the session's Postgres database), bounded, and
is published again in arrival order; later messages queue behind it so the order holds.
"""

from __future__ import annotations

from pathlib import Path

from fakes.memory_cache import MemoryCache
from fakes.neonize_client import FakeClient, FakeClock, FakeTimers, message_event
from neonize.events import ConnectedEv  # noqa: TID251
from relay.conftest import RecordingBus

from shared.adapters.pubsub.publisher import PublishError
from shared.adapters.storage.local import LocalMediaStore
from shared.adapters.whatsapp.relay import Relay
from shared.adapters.whatsapp.spool import InboundSpool
from shared.config import load_settings
from shared.messages import InboundMessage


class FlakyBus(RecordingBus):
    """Publishing to `wa-inbound` fails while `down` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.attempts = 0

    def publish_inbound(self, message: object) -> None:
        self.attempts += 1
        if self.down:
            raise PublishError("publish to wa-inbound failed: ServiceUnavailable")
        super().publish_inbound(message)


def _relay(
    tmp_path: Path, bus: FlakyBus, spool: InboundSpool, clock: FakeClock
) -> tuple[Relay, FakeClient, FakeTimers]:
    client = FakeClient(clock=clock)
    relay = Relay(
        client,
        bus=bus,
        media=LocalMediaStore(tmp_path / "media", ttl_seconds=3600),
        settings=load_settings(),
        clock=clock,
        cache=MemoryCache(clock),
        spool=spool,
    )
    timers = FakeTimers(clock)
    relay.schedule = timers
    relay.attach()
    client.dispatch(ConnectedEv())
    return relay, client, timers


def _ids(bus: RecordingBus) -> list[str]:
    return [m.wa_msg_id for m in bus.inbound]


def _retry(clock: FakeClock, timers: FakeTimers, seconds: float = 120) -> None:
    clock.advance(seconds)
    while timers.fire_due():
        pass


def test_a_failed_publish_is_kept_and_retried_in_order(tmp_path: Path) -> None:
    clock, bus = FakeClock(), FlakyBus()
    spool = InboundSpool.beside(str(tmp_path / "wa-session.db"))
    relay, client, timers = _relay(tmp_path, bus, spool, clock)
    bus.down = True
    client.dispatch(message_event(msg_id="M1", text="pulsa tsel 10rb", sent_at=clock.now()))
    bus.down = False
    client.dispatch(message_event(msg_id="M2", text="ke 081234567890", sent_at=clock.now()))
    assert _ids(bus) == []  # M2 waits behind M1: the customer's order of words holds
    assert len(spool) == 2
    _retry(clock, timers)
    assert _ids(bus) == ["M1", "M2"]
    assert len(spool) == 0
    client.dispatch(message_event(msg_id="M3", sent_at=clock.now()))
    assert _ids(bus) == ["M1", "M2", "M3"]  # straight through again


def test_retries_back_off_while_the_bus_stays_down(tmp_path: Path) -> None:
    clock, bus = FakeClock(), FlakyBus()
    spool = InboundSpool.beside(str(tmp_path / "wa-session.db"))
    relay, client, timers = _relay(tmp_path, bus, spool, clock)
    bus.down = True
    client.dispatch(message_event(msg_id="M1", sent_at=clock.now()))
    for _ in range(5):
        _retry(clock, timers)
    assert _ids(bus) == []
    assert timers.delays == sorted(timers.delays)  # growing pauses, never a tight loop
    assert timers.delays[-1] > timers.delays[0]
    bus.down = False
    _retry(clock, timers, seconds=600)
    assert _ids(bus) == ["M1"]


def test_messages_waiting_when_the_relay_stopped_go_out_after_a_restart(tmp_path: Path) -> None:
    clock, bus = FakeClock(), FlakyBus()
    session = str(tmp_path / "wa-session.db")
    relay, client, _timers = _relay(tmp_path, bus, InboundSpool.beside(session), clock)
    bus.down = True
    client.dispatch(message_event(msg_id="M1", sent_at=clock.now()))
    relay.shutdown()
    fresh_bus = FlakyBus()
    _relay2, _client2, timers2 = _relay(tmp_path, fresh_bus, InboundSpool.beside(session), clock)
    _retry(clock, timers2)
    assert _ids(fresh_bus) == ["M1"]


def test_the_spool_is_bounded_and_keeps_an_id_once(tmp_path: Path) -> None:
    spool = InboundSpool.beside(str(tmp_path / "wa-session.db"))
    small = InboundSpool(spool._backend, limit=2)  # noqa: SLF001 - same file, a smaller bound
    for n in range(3):
        small.add(InboundMessage(wa_msg_id=f"M{n}", chat="62811@s.whatsapp.net", text="x"))
    small.add(InboundMessage(wa_msg_id="M2", chat="62811@s.whatsapp.net", text="x"))
    assert [m.wa_msg_id for _, m in small.oldest()] == ["M1", "M2"]
    spool.close()


def test_the_spool_lives_in_the_session_postgres_database(database_url: str) -> None:
    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(database_url)
    dsn = f"postgresql://{info['user']}@{info['host']}:{info.get('port', 5432)}/{info['dbname']}"
    spool = InboundSpool.beside(dsn)  # a session store is a postgres:// URL (whatsapp.md §5)
    message = InboundMessage(wa_msg_id="PG1", chat="62811@s.whatsapp.net", text="halo")
    spool.add(message)
    [(seq, kept)] = [(s, m) for s, m in spool.oldest() if m.wa_msg_id == "PG1"]
    assert kept == message
    spool.remove(seq)
    assert all(m.wa_msg_id != "PG1" for _, m in spool.oldest())
    spool.close()
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT has_schema_privilege('public', 'wa_relay', 'USAGE')").fetchone()
    assert row == (False,)  # nobody but the relay's role reaches it
