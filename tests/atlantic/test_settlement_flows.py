"""Money flows against the sandbox and the real ledger: timeouts, reconciliation, deposits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from atlantic.helpers import (
    DictCache,
    RecordingNotifier,
    fund,
    new_customer,
    placed_order,
    transfer_reff,
)
from shared.adapters.atlantic import AtlanticClient, AtlanticWebhook
from shared.sandbox.server import Sandbox
from shared.services.reconcile import reconcile
from shared.services.settlement import SettleDeps
from shared.services.supplier_inbox import SettleWorker
from shared.services.supplier_submit import submit_order
from shared.services.webhook import handle_webhook
from shared.store import Store


@pytest.fixture
def worker(deps: SettleDeps) -> Iterator[SettleWorker]:
    """The all-in-one settler of recorded webhooks; `wait_idle()` drains it."""
    worker = SettleWorker(deps).start()
    yield worker
    worker.stop()


@pytest.fixture
def wired(sandbox: Sandbox, deps: SettleDeps, worker: SettleWorker) -> Sandbox:
    """The sandbox delivers webhooks (real body and headers) straight into the handler."""
    reader = AtlanticWebhook("sandbox")
    sandbox.sender.target = lambda headers, body: handle_webhook(
        headers, body, reader=reader, store=deps.store, hand_off=worker
    )[0]
    return sandbox


def _later(minutes: int) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)


def test_a_create_that_times_out_stays_pending_until_the_reconciler_settles_it(
    sandbox: Sandbox,
    store: Store,
    client: AtlanticClient,
    deps: SettleDeps,
    notifier: RecordingNotifier,
) -> None:
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(
        store, cid, code="ML86", target="081234569993", price=30_000, supplier_price=25_000
    )
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "pending"
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "pending"
    assert store.get_balance(cid).balance == 20_000  # held, not refunded
    assert notifier.sent == []

    sandbox.advance(10)  # the sandbox did buy it
    report = reconcile(deps, after_minutes=5, alert_minutes=60, now=_later(10))
    assert report["captured"] >= 1
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "success"
    assert order.atl_id
    assert store.get_balance(cid).balance == 20_000
    assert notifier.kinds(reff) == ["order_success"]
    # A second pass finds nothing to do for it.
    reconcile(deps, after_minutes=5, alert_minutes=60, now=_later(11))
    assert notifier.kinds(reff) == ["order_success"]


def test_a_declined_create_refunds_once_and_tells_the_customer(
    store: Store, client: AtlanticClient, deps: SettleDeps, notifier: RecordingNotifier
) -> None:
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(
        store, cid, code="ML86", target="081234569991", price=30_000, supplier_price=25_000
    )
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "released"
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "already"
    assert store.get_balance(cid).balance == 50_000
    assert notifier.kinds(reff) == ["order_failed"]


def test_a_stuck_order_alerts_the_owner_once_and_stays_pending(
    sandbox: Sandbox,
    store: Store,
    client: AtlanticClient,
    deps: SettleDeps,
    notifier: RecordingNotifier,
) -> None:
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(
        store, cid, code="ML86", target="081234569992", price=30_000, supplier_price=25_000
    )
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "submitted"
    sandbox.advance(600)
    cache = DictCache()
    first = reconcile(deps, after_minutes=5, alert_minutes=60, cache=cache, now=_later(90))
    assert first["alerted"] >= 1
    alerts = [n for n in notifier.sent if n.kind == "owner_alert"]
    assert len(alerts) == 1
    assert alerts[0].customer_id is None
    assert reff in (alerts[0].reason or "")
    reconcile(deps, after_minutes=5, alert_minutes=60, cache=cache, now=_later(95))
    assert len([n for n in notifier.sent if n.kind == "owner_alert"]) == 1
    order = store.get_order(reff)
    assert order is not None
    assert order.status == "pending"
    assert store.get_balance(cid).balance == 20_000


def test_qris_deposit_processing_then_instant_credits_get_balance_exactly_once(
    wired: Sandbox,
    worker: SettleWorker,
    store: Store,
    client: AtlanticClient,
    notifier: RecordingNotifier,
) -> None:
    cid = new_customer(store)
    deposit = store.create_deposit(cid, 20_000)
    assert deposit.reff_id is not None
    invoice = client.create_deposit(reff_id=deposit.reff_id, nominal=20_000, metode="qris")
    store.update_deposit_invoice(
        deposit.reff_id, atl_id=invoice.id, qr_string=invoice.qr_string, fee=invoice.fee
    )
    deliveries = wired.pay_deposit(invoice.id)  # webhook "processing" -> instant -> success
    assert [d.status for d in deliveries] == ["processing"]
    assert worker.wait_idle(timeout=10)
    settled = client.deposit_status(invoice.id)
    assert settled.status == "success"
    assert settled.get_balance is not None
    assert settled.get_balance < 20_000  # fees were taken
    assert store.get_balance(cid).balance == settled.get_balance
    replays = wired.flush()  # the "success" webhook the instant call produced
    assert [d.status for d in replays] == ["success"]
    envelope = (
        b'{"event":"deposit","status":"success","data":{"id":"%s","reff_id":"%s",'
        b'"nominal":"20000","status":"success"}}' % (invoice.id.encode(), deposit.reff_id.encode())
    )
    headers = {"X-ATL-Signature": hashlib.md5(b"sandbox").hexdigest()}
    for _ in range(5):
        assert wired.sender.target(headers, envelope) == 200  # type: ignore[operator,misc]
    assert worker.wait_idle(timeout=10)
    assert store.get_balance(cid).balance == settled.get_balance
    assert notifier.kinds(deposit.reff_id) == ["deposit_credited"]
    assert notifier.sent[0].amount == settled.get_balance


def test_deposit_that_pays_itself_is_credited_by_the_reconciler_and_unpaid_ones_expire(
    sandbox: Sandbox,
    store: Store,
    client: AtlanticClient,
    deps: SettleDeps,
    notifier: RecordingNotifier,
) -> None:
    cid = new_customer(store)
    paid = store.create_deposit(cid, 10_005, metode="qrisfast")
    unpaid = store.create_deposit(cid, 10_000)
    assert paid.reff_id is not None
    assert unpaid.reff_id is not None
    for doc, metode in ((paid, "qrisfast"), (unpaid, "qris")):
        assert doc.reff_id is not None
        invoice = client.create_deposit(
            reff_id=doc.reff_id, nominal=doc.amount or 0, metode=metode
        )
        store.update_deposit_invoice(doc.reff_id, atl_id=invoice.id)
    sandbox.advance(3_601)
    reconcile(deps, after_minutes=5, alert_minutes=600, now=_later(61))
    credited = client.deposit_state(
        supplier_id=store.get_deposit(paid.reff_id).atl_id or "", reff_id=""
    )  # type: ignore[union-attr]
    assert store.get_balance(cid).balance == credited.credit
    unpaid_now = store.get_deposit(unpaid.reff_id)
    assert unpaid_now is not None
    assert unpaid_now.status == "expired"
    assert notifier.kinds(paid.reff_id) == ["deposit_credited"]
    assert notifier.kinds(unpaid.reff_id) == ["deposit_expired"]


def test_transfers_settle_from_webhooks_and_a_failure_refunds_nominal_and_fee(
    wired: Sandbox,
    worker: SettleWorker,
    store: Store,
    client: AtlanticClient,
    notifier: RecordingNotifier,
) -> None:
    cid = new_customer(store)
    fund(store, cid, 100_000)
    ok_reff = transfer_reff(store, cid, bank="dana", account="081234567890", nominal=25_000)
    bad_reff = transfer_reff(store, cid, bank="bca", account="1234569990", nominal=10_000)
    assert store.get_balance(cid).balance == 100_000 - 27_000 - 12_000
    for reff, bank, account, nominal in (
        (ok_reff, "dana", "081234567890", 25_000),
        (bad_reff, "bca", "1234569990", 10_000),
    ):
        assert store.mark_transfer_submitted(reff).outcome == "done"
        created = client.create_transfer(
            ref_id=reff, bank_code=bank, account_number=account, account_name="X", nominal=nominal
        )
        store.mark_transfer_submitted(reff, created.id)
    deliveries = wired.advance(5)
    assert sorted(d.status for d in deliveries) == ["failed", "success"]
    assert all(d.http_status == 200 for d in deliveries)
    assert worker.wait_idle(timeout=10)
    assert store.get_balance(cid).balance == 100_000 - 27_000
    assert notifier.kinds(ok_reff) == ["transfer_success"]
    assert notifier.kinds(bad_reff) == ["transfer_failed"]


def test_a_refunded_order_the_supplier_then_completes_alerts_the_owner_with_both_states(
    wired: Sandbox,
    worker: SettleWorker,
    store: Store,
    client: AtlanticClient,
    deps: SettleDeps,
    notifier: RecordingNotifier,
) -> None:
    """Item 2: a settle finding a closed document the supplier reports differently says so."""
    cid = new_customer(store)
    fund(store, cid, 50_000)
    reff = placed_order(
        store, cid, code="ML86", target="081234569992", price=30_000, supplier_price=25_000
    )
    assert submit_order(reff, store=store, supplier=client, deps=deps) == "submitted"
    assert store.release_order(reff, reason="refund by admin").outcome == "done"  # the old way
    deliveries = wired.complete(reff, "success")  # and the supplier delivers after all
    assert [d.status for d in deliveries] == ["success"]
    assert worker.wait_idle(timeout=10)
    assert store.get_order(reff).status == "failed"  # type: ignore[union-attr]  # final is final
    assert store.get_balance(cid).balance == 50_000
    alerts = [n for n in notifier.sent if n.kind == "owner_alert"]
    assert len(alerts) == 1
    assert reff in (alerts[0].reason or "")
    assert "failed" in (alerts[0].reason or "")
    assert "success" in (alerts[0].reason or "")
