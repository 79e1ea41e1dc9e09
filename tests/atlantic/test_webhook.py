"""The Atlantic webhook over real HTTP, in both deployments: record, answer, settle later.

Every test runs twice:
- all-in-one: the server's `/webhook/atlantic` (werkzeug, in this process) hands recorded events
  to the process's settle worker, which the test drains with `wait_idle`;
- serverless: a real `functions-framework --target atlantic_webhook` process publishes each
  recorded event to `atl-events` on the fake Pub/Sub server; the test pushes what was published
  to a second real process, `--target settle_supplier_event`, exactly as the push subscription
  would, and reads the customer notifications it publishes on `wa-outbound`.
Both use the session database and one sandbox, which delivers its webhooks to the receiver
under test; settling re-queries the sandbox before it moves money.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import psycopg
import pytest
from fakes.functions_server import (
    PROJECT,
    start_function,
    stop_function,
)
from fakes.pubsub_server import PubSubServer
from werkzeug.serving import make_server

from atlantic.helpers import RecordingNotifier, fund, placed_order
from shared.adapters.atlantic import AtlanticClient, make_http_client
from shared.config import load_settings
from shared.messages import OutboundMessage
from shared.sandbox.server import Sandbox
from shared.services.notify import render
from shared.services.reconcile import reconcile
from shared.services.settlement import SettleDeps
from shared.services.supplier_submit import submit_order
from shared.store import Store
from shared.web import create_app
from shared.wiring import Components

SIGNATURE = hashlib.md5(b"sandbox").hexdigest()
ENVELOPE = Path(__file__).resolve().parents[1] / "data" / "pubsub" / "atl_event_binary.json"
EVENTS_TOPIC = f"projects/{PROJECT}/topics/atl-events"
OUT_TOPIC = f"projects/{PROJECT}/topics/wa-outbound"


@dataclass
class Receiver:
    """A running webhook receiver, how to let it settle, and what customers were told."""

    name: str
    url: str
    settle_all: Callable[[], None]
    """Deliver every hand-off made so far and return once it is settled."""
    notices: Callable[[str], list[str]]
    """Texts sent to customers about one reference, in order."""


@pytest.fixture(scope="module")
def webhook_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(
        state_file=tmp_path_factory.mktemp("sb") / "state.json",
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
        ticker=False,
    ) as sb:
        yield sb


@pytest.fixture(scope="module")
def all_in_one(
    webhook_sandbox: Sandbox, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Receiver]:
    settings = load_settings(
        database_url=database_url,
        atl_api_key=webhook_sandbox.api_key,
        atl_base_url=webhook_sandbox.url,
        atl_username="sandbox",
        data_dir=tmp_path_factory.mktemp("aio"),
    )
    components = Components(settings=settings)
    notifier = RecordingNotifier()
    components.__dict__["notifier"] = notifier  # observe what customers would be told
    server = make_server("127.0.0.1", 0, create_app(components), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    def settle_all() -> None:
        assert components.settle_worker.wait_idle(timeout=30), "settle worker did not drain"

    def notices(reff_id: str) -> list[str]:
        return [render(n) for n in notifier.sent if n.reff_id == reff_id]

    yield Receiver(
        "all-in-one",
        f"http://127.0.0.1:{server.server_port}/webhook/atlantic",
        settle_all,
        notices,
    )
    server.shutdown()
    components.stop_settle_worker()
    components.store.close()


@pytest.fixture(scope="module")
def pubsub_server() -> Iterator[PubSubServer]:
    server = PubSubServer().start()
    yield server
    server.stop()


def push_envelope(data: bytes, message_id: str, published: datetime) -> dict[str, object]:
    """The recorded atl-events push envelope carrying one published message."""
    recorded = json.loads(ENVELOPE.read_text("utf-8"))
    message = recorded["body"]["message"]
    message["data"] = base64.b64encode(data).decode()
    when = published.isoformat().replace("+00:00", "Z")
    for key in ("messageId", "message_id"):
        message[key] = message_id
    for key in ("publishTime", "publish_time"):
        message[key] = when
    recorded["headers"]["ce-id"] = message_id
    return dict(recorded)


@pytest.fixture(scope="module")
def serverless(
    webhook_sandbox: Sandbox,
    database_url: str,
    pubsub_server: PubSubServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Receiver]:
    env = {
        "DATABASE_URL": database_url,
        "ATL_API_KEY": webhook_sandbox.api_key,
        "ATL_BASE_URL": webhook_sandbox.url,
        "ATL_USERNAME": "sandbox",
        "GCP_PROJECT": PROJECT,
        "PUBSUB_EMULATOR_HOST": pubsub_server.host,
    }
    hook = start_function("atlantic_webhook", tmp_path_factory.mktemp("hook"), env)
    settler = start_function("settle_supplier_event", tmp_path_factory.mktemp("settle"), env)
    pushed: set[str] = set()

    def settle_all() -> None:
        for message in list(pubsub_server.state.published):
            if message.topic != EVENTS_TOPIC or message.message_id in pushed:
                continue
            pushed.add(message.message_id)
            envelope = push_envelope(message.data, message.message_id, datetime.now(UTC))
            answer = settler.post(envelope)
            assert answer.status_code == 200, settler.logs()[-3000:]

    def notices(reff_id: str) -> list[str]:
        return [
            OutboundMessage.model_validate_json(m.data).text or ""
            for m in pubsub_server.state.published
            if m.topic == OUT_TOPIC and m.attributes.get("reff_id") == reff_id
        ]

    yield Receiver("serverless", hook.url + "/", settle_all, notices)
    for server in (hook, settler):
        stop_function(server)


@pytest.fixture(params=["all-in-one", "serverless"])
def receiver(request: pytest.FixtureRequest, webhook_sandbox: Sandbox) -> Receiver:
    chosen: Receiver = request.getfixturevalue(
        "all_in_one" if request.param == "all-in-one" else "serverless"
    )
    webhook_sandbox.sender.target = chosen.url
    return chosen


@pytest.fixture
def sb_client(webhook_sandbox: Sandbox) -> Iterator[AtlanticClient]:
    c = AtlanticClient(make_http_client(webhook_sandbox.url, 5), webhook_sandbox.api_key)
    yield c
    c.close()


def _post(receiver: Receiver, body: bytes, signature: str = SIGNATURE) -> httpx.Response:
    headers = {"Content-Type": "application/json", "X-ATL-Signature": signature}
    return httpx.post(receiver.url, content=body, headers=headers, timeout=30)


def _envelope(reff_id: str, status: str, *, id_: str = "", event: str = "transaksi") -> bytes:
    data = {"id": id_, "reff_id": reff_id, "layanan": "X", "code": "ML86", "target": "1"}
    data |= {"price": "22081", "sn": None, "status": status, "created_at": "2026-03-01 10:00:00"}
    return json.dumps({"event": event, "status": status, "data": data}).encode()


def _submitted(
    store: Store, client: AtlanticClient, *, target: str, price: int = 30_000
) -> tuple[str, str]:
    """A funded customer (with a chat) whose ML86 order is at the sandbox; (customer, reff)."""
    phone = "62857" + str(uuid.uuid4().int)[:8]
    cid = store.resolve_customer(phone=phone, chat_jid=f"{phone}@s.whatsapp.net").customer_id
    fund(store, cid, 50_000)
    reff = placed_order(store, cid, code="ML86", target=target, price=price, supplier_price=25_000)
    deps = SettleDeps(store=store, supplier=client, notifier=RecordingNotifier())
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "submitted"
    return cid, reff


def _status(store: Store, reff_id: str) -> str:
    order = store.get_order(reff_id)
    assert order is not None
    return order.status


def _inbox(store: Store, reff_id: str) -> list[tuple[str, str | None]]:
    return [(e.state, e.result) for e in store.supplier_events_for(reff_id)]


def test_the_answer_does_not_wait_for_settling_and_a_success_is_captured_once(
    receiver: Receiver,
    webhook_sandbox: Sandbox,
    store: Store,
    sb_client: AtlanticClient,
    database_url: str,
) -> None:
    cid, reff = _submitted(store, sb_client, target="081234567890")
    # The order row is locked: settling it cannot finish, yet the webhook is answered.
    with psycopg.connect(database_url) as lock:
        lock.execute("SELECT 1 FROM orders WHERE reff_id = %s FOR UPDATE", (reff,))
        (delivery,) = [d for d in webhook_sandbox.advance(5) if d.reff_id == reff]
        assert delivery.http_status == 200
        assert _status(store, reff) == "pending"
        assert _inbox(store, reff) == [("received", None)]
    receiver.settle_all()
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "success"
    assert order.sn
    assert store.get_balance(cid).balance == 20_000
    assert _inbox(store, reff) == [("settled", "captured")]
    for _ in range(5):  # replay ×5 of the same success, then a late "pending"
        assert (
            _post(receiver, _envelope(reff, "success", id_=order.atl_id or "")).status_code == 200
        )
    assert _post(receiver, _envelope(reff, "pending", id_=order.atl_id or "")).status_code == 200
    receiver.settle_all()
    assert _status(store, reff) == "success"
    assert store.get_balance(cid).balance == 20_000
    assert _inbox(store, reff) == [("settled", "captured")] + [("settled", "unchanged")] * 6
    (notice,) = receiver.notices(reff)  # told once, with the serial number
    assert order.sn in notice


def test_a_failure_refunds_exactly_once(
    receiver: Receiver, webhook_sandbox: Sandbox, store: Store, sb_client: AtlanticClient
) -> None:
    cid, reff = _submitted(store, sb_client, target="081234569990")
    assert store.get_balance(cid).balance == 20_000
    webhook_sandbox.advance(5)
    receiver.settle_all()
    assert _status(store, reff) == "failed"
    assert store.get_balance(cid).balance == 50_000
    order = store.get_order(reff)
    assert order is not None
    for _ in range(3):
        assert (
            _post(receiver, _envelope(reff, "failed", id_=order.atl_id or "")).status_code == 200
        )
    receiver.settle_all()
    assert store.get_balance(cid).balance == 50_000
    (notice,) = receiver.notices(reff)  # told once that the money is back
    assert "dikembalikan" in notice


def test_a_bad_signature_records_nothing_and_a_success_the_supplier_denies_stays_pending(
    receiver: Receiver, store: Store, sb_client: AtlanticClient
) -> None:
    cid, reff = _submitted(store, sb_client, target="081234569992")  # stays pending
    bad = _post(receiver, _envelope(reff, "success"), signature="0" * 32)
    assert bad.status_code == 401
    assert store.supplier_events_for(reff) == []
    # Right signature, but the re-query says "still pending": the webhook is only a hint.
    hint = _post(receiver, _envelope(reff, "success"))
    assert hint.status_code == 200
    receiver.settle_all()
    assert _status(store, reff) == "pending"
    assert store.get_balance(cid).balance == 20_000
    assert _inbox(store, reff) == [("settled", "pending")]
    assert receiver.notices(reff) == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'{"event": "transaksi"}', 400),
        (b'{"event": "lottery", "status": "x", "data": {"reff_id": "a"}}', 400),
        (b"[]", 400),
        (b"x" * 70_000, 413),
    ],
)
def test_malformed_and_oversized_bodies(receiver: Receiver, body: bytes, status: int) -> None:
    response = _post(receiver, body)
    assert response.status_code == status
    assert response.json()["status"] == "error"


def test_an_unknown_reference_is_acknowledged(receiver: Receiver, store: Store) -> None:
    refs = []
    for event in ("transaksi", "deposit", "transfer", "transaksi.pascabayar"):
        reff = f"NOPE-{event}-{uuid.uuid4().hex[:8]}"
        refs.append(reff)
        response = _post(receiver, _envelope(reff, "success", event=event))
        assert response.status_code == 200
    receiver.settle_all()
    assert [_inbox(store, reff) for reff in refs] == [[("settled", "unknown")]] * 4


def test_a_lost_hand_off_is_settled_by_the_reconcile_sweep(
    serverless: Receiver,
    pubsub_server: PubSubServer,
    webhook_sandbox: Sandbox,
    store: Store,
    sb_client: AtlanticClient,
) -> None:
    webhook_sandbox.sender.target = serverless.url
    cid, reff = _submitted(store, sb_client, target="081234567890")
    pubsub_server.state.publish_failures = 1  # Pub/Sub refuses the hand-off
    (delivery,) = [d for d in webhook_sandbox.advance(5) if d.reff_id == reff]
    assert delivery.http_status == 200  # recorded, so acknowledged anyway
    assert pubsub_server.state.publish_failures == 0
    serverless.settle_all()  # nothing was published for it
    assert _status(store, reff) == "pending"
    assert _inbox(store, reff) == [("received", None)]
    notifier = RecordingNotifier()
    deps = SettleDeps(store=store, supplier=sb_client, notifier=notifier)
    later = datetime.now(UTC) + timedelta(minutes=2)
    report = reconcile(deps, after_minutes=5, alert_minutes=60, now=later)
    assert report["inbox"]
    assert _status(store, reff) == "success"
    assert store.get_balance(cid).balance == 20_000
    assert _inbox(store, reff) == [("settled", "captured")]
    assert notifier.kinds(reff) == ["order_success"]
    # The next sweep finds nothing left to settle for it.
    reconcile(deps, after_minutes=5, alert_minutes=60, now=later + timedelta(minutes=2))
    assert notifier.kinds(reff) == ["order_success"]
