"""Money movements through the Store: once per reference, never below zero, final is final."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from store_helpers import fund, new_customer, topup_quote

from shared.ports import RpcError
from shared.store import Store


def test_a_confirmed_quote_holds_the_price_and_capture_keeps_it(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 20_000)
    quote_id, reff = topup_quote(store, cid, 15_000)

    placed = store.place_order(quote_id, cid)
    assert (placed.outcome, placed.status, placed.balance, placed.amount) == (
        "done",
        "pending",
        5_000,
        15_000,
    )
    assert placed.reff_id == reff
    captured = store.capture_order(reff, sn="SN-123", atl_id="ATL1", supplier_price=14_500)
    assert (captured.outcome, captured.status, captured.balance) == ("done", "success", 5_000)
    order = store.get_order(reff)
    assert order is not None
    assert (order.sn, order.atl_id, order.price, order.kind) == (
        "SN-123",
        "ATL1",
        15_000,
        "prepaid",
    )
    assert store.get_order(atl_id="ATL1") == order
    balance = store.get_balance(cid)
    assert balance.balance == balance.ledger_sum == 5_000


def test_placing_the_same_quote_twice_holds_once(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 20_000)
    quote_id, _ = topup_quote(store, cid, 15_000)
    first = store.place_order(quote_id, cid)
    second = store.place_order(quote_id, cid)
    assert (first.outcome, second.outcome) == ("done", "already")
    assert second.id == first.id
    assert store.get_balance(cid).balance == 5_000


def test_crediting_a_deposit_twice_credits_once(store: Store) -> None:
    cid = new_customer(store)
    deposit = store.create_deposit(cid, 10_000)
    assert deposit.reff_id is not None
    assert deposit.reff_id.startswith("DP")
    first = store.credit_deposit(deposit.reff_id, 9_700)
    second = store.credit_deposit(deposit.reff_id, 9_700)
    assert (first.outcome, first.balance) == ("done", 9_700)
    assert (second.outcome, second.balance) == ("already", 9_700)


def test_a_deposit_credits_after_processing_but_not_after_closing(store: Store) -> None:
    cid = new_customer(store)
    paid = store.create_deposit(cid, 10_000).reff_id
    assert paid is not None
    assert store.mark_deposit_processing(paid).status == "processing"
    assert store.credit_deposit(paid, 10_000).outcome == "done"

    expired = store.create_deposit(cid, 5_000).reff_id
    assert expired is not None
    assert store.close_deposit(expired, "expired").outcome == "done"
    assert store.close_deposit(expired, "expired").outcome == "already"
    late = store.credit_deposit(expired, 5_000)
    assert (late.outcome, late.reason, late.balance) == ("refused", "final_state", 10_000)
    assert store.close_deposit(paid, "cancel").reason == "final_state"


def test_releasing_twice_refunds_once(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 15_000)
    quote_id, reff = topup_quote(store, cid, 15_000)
    assert store.place_order(quote_id, cid).balance == 0
    first = store.release_order(reff, "produk gangguan")
    second = store.release_order(reff, "produk gangguan")
    assert (first.outcome, first.status, first.balance) == ("done", "failed", 15_000)
    assert (second.outcome, second.balance) == ("already", 15_000)
    order = store.get_order(reff)
    assert order is not None
    assert order.failure_reason == "produk gangguan"


def test_release_after_capture_and_capture_after_release_are_refused(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 30_000)
    captured_q, captured = topup_quote(store, cid, 10_000)
    store.place_order(captured_q, cid)
    released_q, released = topup_quote(store, cid, 10_000)
    store.place_order(released_q, cid)
    assert store.capture_order(captured, sn="SN").outcome == "done"
    assert store.release_order(released).outcome == "done"

    late_release = store.release_order(captured)
    late_capture = store.capture_order(released, sn="SN")
    assert (late_release.outcome, late_release.reason) == ("refused", "final_state")
    assert (late_capture.outcome, late_capture.reason) == ("refused", "final_state")
    assert store.get_balance(cid).balance == 20_000
    assert store.capture_order(captured).outcome == "already"


def test_short_saldo_is_refused_with_the_shortfall_and_the_quote_stays_open(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 4_000)
    quote_id, _ = topup_quote(store, cid, 10_500)
    refused = store.place_order(quote_id, cid)
    assert (refused.outcome, refused.reason, refused.shortfall, refused.balance) == (
        "refused",
        "insufficient_funds",
        6_500,
        4_000,
    )
    open_quote = store.get_open_quote(cid)
    assert open_quote is not None
    assert open_quote.id == quote_id


def test_a_deposit_for_a_waiting_order_names_the_quote_and_completes_it(store: Store) -> None:
    cid = new_customer(store)
    now = datetime.now(UTC)
    quote_id, _ = topup_quote(store, cid, 10_000, ttl_seconds=60, now=now)
    assert store.place_order(quote_id, cid, now=now).reason == "insufficient_funds"
    deposit = store.create_deposit(
        cid, 10_000, quote_id=quote_id, expires_at=now + timedelta(minutes=30)
    )
    assert deposit.reff_id is not None
    credited = store.credit_deposit(deposit.reff_id, 10_000)
    assert credited.quote_id == quote_id
    later = now + timedelta(minutes=10)  # past the quote's own TTL, within the deposit's
    placed = store.place_order(quote_id, cid, now=later)
    assert (placed.outcome, placed.balance) == ("done", 0)


def test_expired_cancelled_and_foreign_quotes_are_refused(store: Store) -> None:
    cid, other = new_customer(store), new_customer(store)
    fund(store, cid, 50_000)
    now = datetime.now(UTC)
    quote_id, _ = topup_quote(store, cid, 1_000, ttl_seconds=60, now=now)
    assert store.place_order(quote_id, other).reason == "not_found"
    expired = store.place_order(quote_id, cid, now=now + timedelta(seconds=61))
    assert (expired.outcome, expired.reason) == ("refused", "expired")
    assert store.place_order(quote_id, cid, now=now).reason == "expired"

    cancelled, _ = topup_quote(store, cid, 1_000)
    assert store.cancel_open_quotes(cid) == 1
    assert store.place_order(cancelled, cid).reason == "not_confirmable"
    superseded, _ = topup_quote(store, cid, 1_000)
    newest, _ = topup_quote(store, cid, 2_000)
    assert store.place_order(superseded, cid).reason == "not_confirmable"
    assert store.place_order(newest, cid).outcome == "done"
    assert store.get_balance(cid).balance == 48_000


def test_only_the_first_submission_claim_wins(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 5_000)
    quote_id, reff = topup_quote(store, cid, 5_000)
    store.place_order(quote_id, cid)
    assert store.mark_order_submitted(reff).outcome == "done"
    again = store.mark_order_submitted(reff, atl_id="TRX9")
    assert (again.outcome, again.atl_id) == ("already", "TRX9")
    assert store.mark_order_submitted("SBNOPE").reason == "not_found"


def test_a_transfer_holds_nominal_plus_fee_and_a_failure_refunds_once(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 60_000)
    quote = store.create_quote(
        customer_id=cid,
        kind="transfer",
        payload={
            "bank_code": "bca",
            "account_number": "1234567890",
            "account_name": "BUDI",
            "nominal": 50_000,
            "fee": 2_500,
        },
        amount=52_500,
    )
    assert store.place_order(quote.id, cid).reason == "mismatch"
    held = store.hold_transfer(quote.id, cid)
    assert (held.outcome, held.balance, held.amount) == ("done", 7_500, 52_500)
    assert store.hold_transfer(quote.id, cid).outcome == "already"
    assert store.mark_transfer_submitted(quote.reff_id, "TF-ATL").outcome == "done"
    failed = store.settle_transfer(quote.reff_id, success=False, reason="rekening tidak valid")
    assert (failed.outcome, failed.balance) == ("done", 60_000)
    assert store.settle_transfer(quote.reff_id, success=False).outcome == "already"
    assert store.settle_transfer(quote.reff_id, success=True).reason == "final_state"
    transfer = store.get_transfer(atl_id="TF-ATL")
    assert transfer is not None
    assert (transfer.status, transfer.total) == ("failed", 52_500)
    assert store.get_balance(cid).ledger_sum == 60_000


def test_a_malformed_quote_is_a_clear_error(store: Store) -> None:
    cid = new_customer(store)
    with pytest.raises(RpcError) as caught:
        store.create_quote(customer_id=cid, kind="topup", payload={"code": "ML10"}, amount=1_000)
    assert caught.value.sqlstate == "22023"
    assert "target" in str(caught.value)


def test_adjustments_are_idempotent_and_never_overdraw(store: Store) -> None:
    cid = new_customer(store)
    assert store.adjust_balance(cid, 5_000, f"adj-{cid}-1").outcome == "done"
    assert store.adjust_balance(cid, 5_000, f"adj-{cid}-1").outcome == "already"
    overdraw = store.adjust_balance(cid, -6_000, f"adj-{cid}-2")
    assert (overdraw.outcome, overdraw.reason, overdraw.balance) == (
        "refused",
        "insufficient_funds",
        5_000,
    )


def test_history_lists_orders_deposits_and_transfers_newest_first(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 20_000)
    quote_id, reff = topup_quote(store, cid, 12_000)
    store.place_order(quote_id, cid)
    items = store.history(cid)
    assert [(i.kind, i.amount) for i in items] == [("order", 12_000), ("deposit", 20_000)]
    assert items[0].reff_id == reff
    assert items[0].status == "pending"
    assert len(store.history(cid, limit=1)) == 1


def test_pending_items_lists_what_waits_for_the_supplier(store: Store) -> None:
    cid = new_customer(store)
    fund(store, cid, 10_000)
    quote_id, reff = topup_quote(store, cid, 10_000)
    store.place_order(quote_id, cid)
    waiting = store.create_deposit(cid, 5_000).reff_id
    later = datetime.now(UTC) + timedelta(minutes=10)
    pending = store.pending_items(300, now=later, limit=10_000)
    assert reff in {o.reff_id for o in pending.orders}
    assert waiting in {d.reff_id for d in pending.deposits}
    assert reff not in {o.reff_id for o in store.pending_items(300, limit=10_000).orders}
    store.capture_order(reff, sn="x")
    assert reff not in {
        o.reff_id for o in store.pending_items(300, now=later, limit=10_000).orders
    }
