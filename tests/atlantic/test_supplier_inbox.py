"""The inbox's safety nets: dropped hand-offs are swept, nothing is settled or told twice.

Webhooks come from the sandbox (real body and signature) into `handle_webhook`; settling runs
against the sandbox and the real ledger.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from atlantic.helpers import RecordingNotifier, fund, new_customer, placed_order
from shared.adapters.atlantic import AtlanticClient, AtlanticWebhook
from shared.adapters.pubsub.supplier_events import handle_settle_push
from shared.sandbox.server import Sandbox
from shared.services.reconcile import reconcile
from shared.services.settlement import Settled, SettleDeps
from shared.services.supplier_inbox import InboxEvent, SettleWorker, settle_event
from shared.services.supplier_submit import submit_order
from shared.services.webhook import handle_webhook
from shared.store import Store

ENVELOPE = Path(__file__).resolve().parents[1] / "data" / "pubsub" / "atl_event_binary.json"


def _submitted(store: Store, client: AtlanticClient, deps: SettleDeps, target: str) -> str:
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(
        store, cid, code="ML86", target=target, price=30_000, supplier_price=25_000
    )
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "submitted"
    return reff


def _states(store: Store, reff: str) -> list[str]:
    return [e.state for e in store.supplier_events_for(reff)]


def test_events_a_full_or_stopped_worker_dropped_are_settled_once_by_the_sweep(
    sandbox: Sandbox,
    store: Store,
    client: AtlanticClient,
    deps: SettleDeps,
    notifier: RecordingNotifier,
) -> None:
    worker = SettleWorker(deps, capacity=1)  # not started: it holds one event, drops the next
    reader = AtlanticWebhook("sandbox")
    sandbox.sender.target = lambda headers, body: handle_webhook(
        headers, body, reader=reader, store=store, hand_off=worker
    )[0]
    refs = [_submitted(store, client, deps, "081234567890") for _ in range(2)]
    deliveries = [d for d in sandbox.advance(5) if d.reff_id in refs]
    assert [d.http_status for d in deliveries] == [200, 200]
    worker.stop()  # shutdown: the queued event is left behind too
    for reff in refs:
        assert _states(store, reff) == ["received"]
        order = store.get_order(reff)
        assert order is not None
        assert order.status == "pending"
    report = reconcile(deps, after_minutes=5, alert_minutes=60, inbox_after_seconds=0)
    assert report["inbox"]["captured"] >= 2  # type: ignore[index]
    for reff in refs:
        order = store.get_order(reff)
        assert order is not None
        assert order.status == "success"
        assert _states(store, reff) == ["settled"]
        assert notifier.kinds(reff) == ["order_success"]
    reconcile(deps, after_minutes=5, alert_minutes=60, inbox_after_seconds=0)
    assert [notifier.kinds(reff) for reff in refs] == [["order_success"]] * 2


def test_a_duplicate_hand_off_moves_and_tells_nothing_twice(
    sandbox: Sandbox,
    store: Store,
    client: AtlanticClient,
    deps: SettleDeps,
    notifier: RecordingNotifier,
) -> None:
    reff = _submitted(store, client, deps, "081234569990")  # the supplier will fail it
    sandbox.advance(5)
    order = store.get_order(reff)
    assert order is not None
    event_id = store.record_supplier_event(kind="order", reff_id=reff, raw_status="failed")
    event = InboxEvent(id=event_id, kind="order", reff_id=reff, supplier_id=order.atl_id or "")
    assert settle_event(event, deps) is Settled.RELEASED
    assert settle_event(event, deps) is Settled.UNCHANGED  # Pub/Sub delivered it again
    assert notifier.kinds(reff) == ["order_failed"]
    [row] = store.supplier_events_for(reff)
    assert (row.state, row.result) == ("settled", "released")  # the first outcome stays


def _push(data: bytes, published: datetime) -> dict[str, object]:
    body = json.loads(ENVELOPE.read_text("utf-8"))["body"]
    body["message"]["data"] = base64.b64encode(data).decode()
    body["message"]["publishTime"] = published.isoformat()
    return dict(body)


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b'{"v": 1, "kind": "order"}',
        b'{"v": 2, "id": 1, "kind": "order", "reff_id": "X"}',
    ],
)
def test_the_settle_push_acknowledges_what_it_cannot_read(data: bytes) -> None:
    calls: list[InboxEvent] = []

    def settle(event: InboxEvent) -> Settled:
        calls.append(event)
        return Settled.PENDING

    outcome = handle_settle_push(_push(data, datetime.now(UTC)), event_id="e1", settle=settle)
    assert outcome == "malformed"
    assert calls == []


def test_the_settle_push_drops_stale_deliveries_and_lets_errors_redeliver() -> None:
    event = InboxEvent(id=7, kind="order", reff_id="SB-7")
    data = event.model_dump_json().encode()
    calls: list[InboxEvent] = []

    def settle(e: InboxEvent) -> Settled:
        calls.append(e)
        return Settled.CAPTURED

    old = datetime.now(UTC) - timedelta(hours=1)
    assert handle_settle_push(_push(data, old), event_id="e1", settle=settle) == "stale"
    assert calls == []
    assert handle_settle_push(_push(data, datetime.now(UTC)), event_id="e2", settle=settle) == (
        "settled"
    )
    assert calls == [event]

    def broken(e: InboxEvent) -> Settled:
        raise RuntimeError("database away")

    with pytest.raises(RuntimeError):
        handle_settle_push(_push(data, datetime.now(UTC)), event_id="e3", settle=broken)


class _OnlyItsOwnIds(httpx.BaseTransport):
    """The sandbox, but like Atlantic's docs say: status lookups take the supplier's id only."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/status"):
            form = parse_qs(request.read().decode())
            if form.get("id", [""])[0].startswith("SB"):  # our reff_id, not Atlantic's id
                body = {"status": False, "message": "Transaksi tidak ditemukan", "code": 404}
                return httpx.Response(200, json=body)
        return self._inner.handle_request(request)


def test_a_webhook_met_by_an_outage_stays_received_and_its_supplier_id_settles_it_later(
    sandbox: Sandbox, store: Store, notifier: RecordingNotifier
) -> None:
    """Item 3: the webhook's Atlantic id is all we have for a create that timed out."""
    http = httpx.Client(
        base_url=sandbox.url, transport=_OnlyItsOwnIds(), timeout=httpx.Timeout(0.5)
    )
    client = AtlanticClient(http, sandbox.api_key, sleep=lambda _s: None)
    deps = SettleDeps(store=store, supplier=client, notifier=notifier)
    worker = SettleWorker(deps).start()
    reader = AtlanticWebhook("sandbox")
    sandbox.sender.target = lambda headers, body: handle_webhook(
        headers, body, reader=reader, store=store, hand_off=worker
    )[0]
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(
        store, cid, code="ML86", target="081234569993", price=30_000, supplier_price=25_000
    )
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "pending"
    assert store.get_order(reff).atl_id is None  # type: ignore[union-attr]  # the create timed out
    sandbox.engine.inject_fault("error", 3)  # a short outage: every retry of one lookup fails
    try:
        delivered = [d for d in sandbox.advance(30) if d.reff_id == reff]
        assert [d.http_status for d in delivered] == [200]
        assert worker.wait_idle(timeout=10)
    finally:
        worker.stop()
    [event] = store.supplier_events_for(reff)
    assert event.state == "received"  # unverified is not settled
    assert event.supplier_id
    assert store.get_order(reff).status == "pending"  # type: ignore[union-attr]
    later = datetime.now(UTC) + timedelta(minutes=10)
    reconcile(deps, after_minutes=5, alert_minutes=600, now=later, inbox_after_seconds=0)
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "success"
    assert order.atl_id == event.supplier_id
    assert notifier.kinds(reff) == ["order_success"]
    assert [e.state for e in store.supplier_events_for(reff)] == ["settled"]
