"""The Atlantic webhook receiver over real HTTP, in both deployments.

Every test runs twice: against the all-in-one server's `/webhook/atlantic` (werkzeug, in this
process) and against a real `functions-framework --target atlantic_webhook` process using the
same test database. The sandbox delivers its webhooks to the receiver under test, and the
receiver re-queries the sandbox before it moves money.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from werkzeug.serving import make_server

from atlantic.helpers import RecordingNotifier, fund, new_customer, placed_order
from shared.adapters.atlantic import AtlanticClient, make_http_client
from shared.config import load_settings
from shared.sandbox.server import Sandbox
from shared.services.settlement import SettleDeps
from shared.services.supplier_submit import submit_order
from shared.store import Store
from shared.web import create_app
from shared.wiring import Components

REPO = Path(__file__).resolve().parents[2]
SIGNATURE = hashlib.md5(b"sandbox").hexdigest()


@dataclass
class Receiver:
    """A running webhook receiver and what we can observe of it."""

    name: str
    url: str
    notifier: RecordingNotifier | None  # only visible in-process


@pytest.fixture(scope="module")
def webhook_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    with Sandbox(
        state_file=tmp_path_factory.mktemp("sb") / "state.json",
        clock=lambda: datetime(2026, 3, 1, tzinfo=UTC),
        ticker=False,
    ) as sb:
        yield sb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
    yield Receiver(
        "all-in-one", f"http://127.0.0.1:{server.server_port}/webhook/atlantic", notifier
    )
    server.shutdown()
    components.store.close()


@pytest.fixture(scope="module")
def functions_framework(
    webhook_sandbox: Sandbox, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Receiver]:
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("ff")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATL_", "DATABASE_"))}
    env |= {
        "DATABASE_URL": database_url,
        "ATL_API_KEY": webhook_sandbox.api_key,
        "ATL_BASE_URL": webhook_sandbox.url,
        "ATL_USERNAME": "sandbox",
        "DATA_DIR": str(data_dir),
    }
    log_path = data_dir / "ff.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "functions-framework"),
                "--target=atlantic_webhook",
                f"--source={REPO / 'functions' / 'main.py'}",
                f"--port={port}",
                "--host=127.0.0.1",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=data_dir,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(url, timeout=1)
            break
        except httpx.TransportError:
            continue
    assert proc.poll() is None, log_path.read_text()
    yield Receiver("functions-framework", url, None)
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(params=["all-in-one", "functions-framework"])
def receiver(request: pytest.FixtureRequest, webhook_sandbox: Sandbox) -> Receiver:
    chosen: Receiver = request.getfixturevalue(
        "all_in_one" if request.param == "all-in-one" else "functions_framework"
    )
    webhook_sandbox.sender.target = chosen.url
    if chosen.notifier is not None:
        chosen.notifier.sent.clear()
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
    """A funded customer's order for ML86 submitted to the sandbox; (customer_id, reff_id)."""
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(store, cid, code="ML86", target=target, price=price, supplier_price=25_000)
    deps = SettleDeps(store=store, supplier=client, notifier=RecordingNotifier())
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "submitted"
    return cid, reff


def test_success_is_captured_once_and_replays_change_nothing(
    receiver: Receiver, webhook_sandbox: Sandbox, store: Store, sb_client: AtlanticClient
) -> None:
    cid, reff = _submitted(store, sb_client, target="081234567890")
    (delivery,) = [d for d in webhook_sandbox.advance(5) if d.reff_id == reff]
    assert delivery.http_status == 200
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "success"
    assert order.sn
    assert store.get_balance(cid).balance == 20_000
    atl_id = order.atl_id or ""
    for _ in range(5):  # replay ×5 of the same success
        assert (
            _post(receiver, _envelope(reff, "success", id_=atl_id)).json()["result"] == "unchanged"
        )
    late_pending = _post(receiver, _envelope(reff, "pending", id_=atl_id))  # out of order
    assert late_pending.status_code == 200
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "success"
    assert store.get_balance(cid).balance == 20_000
    if receiver.notifier is not None:
        assert receiver.notifier.kinds(reff) == ["order_success"]
        assert receiver.notifier.sent[0].sn == order.sn


def test_a_failure_refunds_exactly_once(
    receiver: Receiver, webhook_sandbox: Sandbox, store: Store, sb_client: AtlanticClient
) -> None:
    cid, reff = _submitted(store, sb_client, target="081234569990")
    assert store.get_balance(cid).balance == 20_000
    webhook_sandbox.advance(5)
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "failed"
    assert store.get_balance(cid).balance == 50_000
    for _ in range(3):
        assert (
            _post(receiver, _envelope(reff, "failed", id_=order.atl_id or "")).status_code == 200
        )
    assert store.get_balance(cid).balance == 50_000
    if receiver.notifier is not None:
        assert receiver.notifier.kinds(reff) == ["order_failed"]


def test_a_forged_success_for_a_pending_order_moves_nothing(
    receiver: Receiver, store: Store, sb_client: AtlanticClient
) -> None:
    cid, reff = _submitted(store, sb_client, target="081234569992")  # stays pending
    bad = _post(receiver, _envelope(reff, "success"), signature="0" * 32)
    assert bad.status_code == 401
    # Right signature but the supplier says pending: the webhook is only a hint.
    hint = _post(receiver, _envelope(reff, "success"))
    assert hint.status_code == 200
    assert hint.json()["result"] == "pending"
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "pending"
    assert store.get_balance(cid).balance == 20_000


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


def test_an_unknown_reference_is_acknowledged(receiver: Receiver) -> None:
    for event in ("transaksi", "deposit", "transfer", "transaksi.pascabayar"):
        response = _post(receiver, _envelope("NOPE-" + event, "success", event=event))
        assert response.status_code == 200
        assert response.json()["result"] == "unknown"
