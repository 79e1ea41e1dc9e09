"""One conversation, three ways to run the bot: the customer reads the same thing in each.

The conversation is the demanding one: a greeting, a top-up with no saldo (the quote offers a
QRIS deposit of the shortfall), YA (the QRIS image), the customer pays, the deposit is credited
and the top-up completes by itself with its serial number. It runs
1. in the console chat of the all-in-one process (`salesbot chat`/`make run`);
2. all-in-one with WhatsApp (`WA_ENABLED=1`): the relay on the in-process bus, a neonize-shaped
   client standing in for WhatsApp;
3. serverless: relay → Pub/Sub `wa-inbound` → push → `on_message` → Pub/Sub `wa-outbound` →
   streaming pull → relay, and Atlantic's webhooks → `atlantic_webhook` → Pub/Sub `atl-events` →
   push → `settle_supplier_event` → `wa-outbound`. Every function is a real functions-framework
   process, every Pub/Sub call goes through the real google-cloud-pubsub client to the local
   stand-in, whose subscriptions are wired the way infra/pubsub.tf wires them, and the QRIS
   image travels from the functions to the relay through the Supabase Storage stand-in.
The transcripts (ids, times and serial numbers masked) must be identical.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fakes.functions_server import (
    PROJECT,
    FunctionServer,
    serverless_relay,
    start_function,
    stop_function,
)
from fakes.neonize_client import FakeClient, FakeClock, message_event
from fakes.pubsub_server import PubSubServer
from fakes.storage_server import StorageServer
from neonize.events import ConnectedEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251

from shared.adapters.postgres.rpc import PostgresRpc
from shared.adapters.whatsapp.relay import start_whatsapp
from shared.config import load_settings
from shared.console import ConsoleChat
from shared.local_stack import start_local_stack
from shared.sandbox.server import Sandbox
from shared.store import Store
from shared.wiring import Components

SCRIPT = ["halo", "pulsa telkomsel 10rb ke 081234567890", "ya"]
PNG = b"\x89PNG\r\n\x1a\n"
WAIT = 60.0
STORAGE_KEY = "service-role-key"


def _masked(text: str) -> str:
    """What may differ between two runs of the same conversation: ids, clock times, serials."""
    text = re.sub(r"\[gambar[^\]]*\]", "[gambar]", text)
    text = re.sub(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{10,}\b", "<ref>", text)
    text = re.sub(r"\b\d{1,2}[.:]\d{2} WIB", "<jam> WIB", text)
    return re.sub(r"(SN\W*)\S+", r"\1<sn>", text)


@dataclass
class Transcript:
    """What the customer has read so far, with a condition to wait on."""

    lines: list[str] = field(default_factory=list)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def add(self, text: str) -> None:
        with self.changed:
            self.lines.append(text)
            self.changed.notify_all()

    def wait(self, predicate: Callable[[list[str]], bool]) -> list[str]:
        with self.changed:
            reached = self.changed.wait_for(lambda: predicate(self.lines), WAIT)
            assert reached, f"the conversation stalled at: {self.lines}"
            return list(self.lines)


class WhatsAppPhone(FakeClient):
    """The neonize-shaped client whose sends are what the customer reads on the phone."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock=clock)
        self.transcript = Transcript()
        self.connected = threading.Event()

    def connect(self) -> None:
        super().connect()
        self.connected.set()

    def send_message(self, to: Any, message: Any) -> Any:
        response = super().send_message(to, message)
        self.transcript.add(str(message))
        return response

    def send_image(self, to: Any, file: bytes, caption: str | None = None) -> Any:
        assert file.startswith(PNG), "the QRIS reaches the phone as a PNG image"
        response = super().send_image(to, file, caption=caption)
        self.transcript.add("\n".join(["[gambar]", *([caption] if caption else [])]))
        return response

    def write(self, phone: str, text: str) -> None:
        """The customer `phone` sends `text` to the bot's number."""
        self.dispatch(
            message_event(
                msg_id=f"3EB0{uuid.uuid4().hex[:16].upper()}",
                chat=N.JID(User=phone, Server="s.whatsapp.net"),
                text=text,
                sent_at=self.clock.now(),
            )
        )


@dataclass
class Channel:
    """One way of reaching the bot, seen from the customer's side."""

    number: str
    say: Callable[[str], object]
    transcript: Transcript
    sandbox: Sandbox


def _number() -> str:
    return "62859" + str(uuid.uuid4().int)[:8]


def _phone_channel(phone: WhatsAppPhone, sandbox: Sandbox) -> Channel:
    number = _number()
    return Channel(number, lambda text: phone.write(number, text), phone.transcript, sandbox)


def _in_process(database_url: str, data_dir: Path, **overrides: object) -> Components:
    return Components(
        settings=load_settings(database_url=database_url, data_dir=data_dir, **overrides)
    )


@pytest.fixture
def console(database_url: str, tmp_path: Path) -> Iterator[Channel]:
    components = _in_process(database_url, tmp_path / "console")
    transcript = Transcript()
    chat = ConsoleChat(components, phone=_number(), printer=transcript.add)
    stack = start_local_stack(components, on_outbound=chat.on_outbound)
    yield Channel(chat.phone, chat.send, transcript, components.sandbox)
    stack.stop()
    components.stop_settle_worker()
    components.sandbox.close()


@pytest.fixture
def all_in_one_whatsapp(database_url: str, tmp_path: Path) -> Iterator[Channel]:
    components = _in_process(database_url, tmp_path / "aio", wa_enabled=True)
    stack = start_local_stack(components)
    stopping = threading.Event()
    clock = FakeClock(start=datetime.now(UTC))
    phone = WhatsAppPhone(clock)
    start_whatsapp(components, stack.bus, stopping, client=phone, clock=clock)
    assert phone.connected.wait(WAIT)
    phone.dispatch(ConnectedEv())
    yield _phone_channel(phone, components.sandbox)
    stopping.set()
    stack.stop()
    components.stop_settle_worker()
    components.sandbox.close()


@pytest.fixture
def serverless(
    database_url: str, pubsub_server: PubSubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Channel]:
    # Atlantic: a sandbox on its own port, calling back the webhook function over HTTP.
    sandbox = Sandbox(state_file=tmp_path / "sandbox.json").start()
    # Media (the QRIS image) crosses from the functions to the relay through Supabase Storage.
    storage = StorageServer(STORAGE_KEY).__enter__()
    env = {
        "DATABASE_URL": database_url,
        "ATL_API_KEY": sandbox.api_key,
        "ATL_BASE_URL": sandbox.url,
        "ATL_USERNAME": "sandbox",
        "GCP_PROJECT": PROJECT,
        "PUBSUB_EMULATOR_HOST": pubsub_server.host,
        "SUPABASE_URL": storage.url,
        "SUPABASE_SERVICE_ROLE_KEY": STORAGE_KEY,
    }
    functions: dict[str, FunctionServer] = {}
    for name in ("on_message", "atlantic_webhook", "settle_supplier_event"):
        (tmp_path / name).mkdir()  # each function instance has a disk of its own
        functions[name] = start_function(name, tmp_path / name, env)
    sandbox.sender.target = functions["atlantic_webhook"].url + "/"
    state = pubsub_server.state
    topic = f"projects/{PROJECT}/topics"
    subscription = f"projects/{PROJECT}/subscriptions"
    state.route(
        f"{topic}/wa-inbound",
        f"{subscription}/wa-inbound-push",
        push_endpoint=functions["on_message"].url + "/",
    )
    state.route(
        f"{topic}/atl-events",
        f"{subscription}/atl-events-push",
        push_endpoint=functions["settle_supplier_event"].url + "/",
    )
    state.route(f"{topic}/wa-outbound", f"{subscription}/wa-outbound-relay")

    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_server.host)
    clock = FakeClock(start=datetime.now(UTC))
    phone = WhatsAppPhone(clock)
    settings = load_settings(supabase_url=storage.url, supabase_service_role_key=STORAGE_KEY)
    with serverless_relay(phone, clock, settings):
        phone.dispatch(ConnectedEv())  # starts the streaming pull
        yield _phone_channel(phone, sandbox)
    state.stop_routes()
    for server in functions.values():
        stop_function(server)
    sandbox.close()
    assert any(name.endswith(".png") for name in storage.storage.objects)  # the QRIS went there
    storage.__exit__()
    for pushes in state.push_routes.values():
        for push in pushes:
            assert not push.dead_lettered, f"{push.name} dead-lettered: {push.dead_lettered}"


def _converse(channel: Channel, replies_per_line: list[int] | None = None) -> list[str]:
    """Run the script; `replies_per_line` (from a synchronous run) says when a line is answered.

    Returns the replies per line, then everything the customer read.
    """
    transcript = channel.transcript
    counts: list[int] = []
    for n, line in enumerate(SCRIPT):
        before = len(transcript.lines)
        channel.say(line)
        if replies_per_line is not None:
            expected = before + replies_per_line[n]
            transcript.wait(lambda lines, expected=expected: len(lines) >= expected)
        counts.append(len(transcript.lines) - before)
    [reff] = re.findall(r"Ref: (\S+)", transcript.lines[-1])
    channel.sandbox.pay_deposit(reff)
    # The deposit is credited, the waiting top-up is bought, the supplier reports its SN.
    final = transcript.wait(lambda lines: "SN:" in lines[-1])
    return [*(str(c) for c in counts), *final]


def test_console_whatsapp_and_serverless_tell_the_customer_the_same_story(
    console: Channel,
    all_in_one_whatsapp: Channel,
    serverless: Channel,
    database_url: str,
) -> None:
    reference = _converse(console)
    replies_per_line = [int(c) for c in reference[: len(SCRIPT)]]
    expected = [_masked(t) for t in reference]
    assert replies_per_line == [1, 1, 2]
    qris = expected[len(SCRIPT) + 3]
    assert qris.startswith("[gambar]\nQRIS deposit")  # the QR image, how to pay as its caption
    # The caption promises no credit the deposit notice then contradicts.
    [credited] = re.findall(r"Deposit (Rp [\d.]+) sudah masuk", "\n".join(expected))
    assert re.findall(r"saldo masuk (Rp [\d.]+)", qris) in ([], [credited])

    for channel in (all_in_one_whatsapp, serverless):
        got = [_masked(t) for t in _converse(channel, replies_per_line)]
        assert got == expected

    store = Store(PostgresRpc(database_url, max_size=1))
    for number in (console.number, all_in_one_whatsapp.number, serverless.number):
        customer = store.resolve_customer(phone=number).customer_id
        [order] = [h for h in store.history(customer) if h.kind == "order"]
        [deposit] = [h for h in store.history(customer) if h.kind == "deposit"]
        assert (order.status, deposit.status) == ("success", "success")
        assert order.sn
        # What the QRIS credited, less the top-up: the change stays as saldo.
        paid = store.get_deposit(reff_id=deposit.reff_id)
        assert paid is not None
        assert paid.get_balance is not None
        assert store.get_balance(customer).balance == paid.get_balance - order.amount
