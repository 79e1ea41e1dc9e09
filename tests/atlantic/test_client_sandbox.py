"""The client against the sandbox over real HTTP: every endpoint, and every magic outcome."""

from __future__ import annotations

import logging
import uuid

import pytest

from shared.adapters.atlantic import AtlanticClient, IpNotWhitelisted, make_http_client
from shared.domain.supplier_status import SupplierStatus
from shared.errors import SupplierRejected, SupplierTimeout, SupplierUnavailable
from shared.sandbox.server import Sandbox


def _ref() -> str:
    return "T" + uuid.uuid4().hex[:12]


def test_profile_and_price_lists(client: AtlanticClient) -> None:
    profile = client.get_profile()
    assert profile.username == "sandbox"
    assert profile.balance == 5_000_000
    prepaid = client.price_list("prabayar")
    assert len(prepaid) >= 1_500
    assert any(not item.available for item in prepaid)
    (ml,) = client.price_list("prabayar", "ML86")
    assert ml.name == "MOBILELEGEND - 86 Diamond"
    assert isinstance(ml.price, int)
    postpaid = {item.code for item in client.price_list("pascabayar")}
    assert {"PPLN", "BPJS", "PINT1", "HP3"} <= postpaid


def test_purchase_completes_with_a_serial_and_the_pln_token_has_20_digits(
    client: AtlanticClient, sandbox: Sandbox
) -> None:
    reff = _ref()
    tx = client.create_transaction(code="PLN20", reff_id=reff, target="512345678901")
    assert tx.status == "pending"
    assert tx.sn is None
    assert client.get_profile().balance == 5_000_000 - tx.price
    deliveries = sandbox.advance(5)
    assert [d.event for d in deliveries] == []  # no webhook target configured
    done = client.transaction_status(tx.id)
    assert done.status == "success"
    assert done.sn is not None
    assert done.sn.isdigit()
    assert len(done.sn) == 20


def test_limit_price_below_the_price_is_refused(client: AtlanticClient) -> None:
    with pytest.raises(SupplierRejected, match="limit"):
        client.create_transaction(code="ML86", reff_id=_ref(), target="1234", limit_price=100)


def test_magic_targets(client: AtlanticClient, sandbox: Sandbox) -> None:
    with pytest.raises(SupplierRejected) as declined:
        client.create_transaction(code="ML86", reff_id=_ref(), target="12349991")
    assert declined.value.code == 201
    failing = client.create_transaction(code="ML86", reff_id=_ref(), target="12349990")
    stuck = client.create_transaction(code="ML86", reff_id=_ref(), target="12349992")
    sandbox.advance(60)
    assert client.order_state(supplier_id=failing.id, reff_id="").status is SupplierStatus.FAILED
    assert client.order_state(supplier_id=stuck.id, reff_id="").status is SupplierStatus.PENDING
    with pytest.raises(SupplierTimeout):
        client.create_transaction(code="ML86", reff_id=_ref(), target="12349994")  # HTML
    with pytest.raises(IpNotWhitelisted) as blocked:
        client.create_transaction(code="ML86", reff_id=_ref(), target="12349996")
    assert blocked.value.ip == "103.28.52.11"
    slow = client.create_transaction(code="ML86", reff_id=_ref(), target="12349995")
    assert slow.status == "pending"


def test_a_create_that_times_out_is_ambiguous_and_did_happen(
    client: AtlanticClient, sandbox: Sandbox
) -> None:
    reff = _ref()
    with pytest.raises(SupplierTimeout) as timed_out:
        client.create_transaction(code="ML86", reff_id=reff, target="12349993")
    assert timed_out.value.reff_id == reff
    sandbox.advance(10)
    # The sandbox also answers status lookups by reff_id, which the reconciler relies on.
    state = client.order_state(supplier_id="", reff_id=reff)
    assert state.status is SupplierStatus.SUCCESS


def test_reads_are_retried_and_creates_are_not(client: AtlanticClient, sandbox: Sandbox) -> None:
    sandbox.engine.inject_fault("html", 2)
    assert client.get_profile().username == "sandbox"  # third attempt succeeds
    sandbox.engine.inject_fault("html", 3)
    with pytest.raises(SupplierUnavailable, match="non-JSON"):
        client.get_profile()
    sandbox.engine.inject_fault("error", 1)
    with pytest.raises(SupplierTimeout):
        client.create_deposit(reff_id=_ref(), nominal=10_000)
    assert client.get_profile().balance == 5_000_000  # the one create did nothing


def test_a_refused_api_key_is_unavailable_not_a_decline(sandbox: Sandbox) -> None:
    bad = AtlanticClient(make_http_client(sandbox.url, 1), "wrong-key", sleep=lambda _s: None)
    with pytest.raises(SupplierUnavailable, match="API key"):
        bad.create_transaction(code="ML86", reff_id=_ref(), target="1")
    bad.close()
    odd = AtlanticClient(make_http_client(sandbox.url, 1), "kunci-é", sleep=lambda _s: None)
    with pytest.raises(SupplierUnavailable, match="API key"):
        odd.get_profile()
    odd.close()


def test_bill_inquiry_and_payment(client: AtlanticClient) -> None:
    reff = _ref()
    bill = client.inquire_bill(code="PPLN", reff_id=reff, customer_no="531234567890")
    assert bill.total_tagihan == bill.harga + bill.biaya_admin
    paid = client.pay_bill(code="PPLN", reff_id=reff, customer_no="531234567890")
    assert paid.status == "success"
    assert paid.harga == bill.total_tagihan
    with pytest.raises(SupplierRejected):
        client.inquire_bill(code="PPLN", reff_id=_ref(), customer_no="5312349991")
    state = client.order_state(supplier_id="", reff_id=reff, bill=True)
    assert state.status is SupplierStatus.SUCCESS


def test_deposit_methods_qris_instant_qrisfast_expiry_and_cancel(
    client: AtlanticClient, sandbox: Sandbox
) -> None:
    methods = {m.metode: m for m in client.deposit_methods()}
    assert {"qris", "qrisfast"} <= set(methods)
    assert methods["qris"].min == 500

    qris = client.create_deposit(reff_id=_ref(), nominal=20_000)
    assert qris.qr_string
    assert qris.qr_image
    sandbox.pay_deposit(qris.id)
    assert client.deposit_status(qris.id).status == "processing"
    quote = client.deposit_instant(qris.id, action=False)
    assert quote.total_diterima == quote.nominal - quote.total_fee
    settled = client.deposit_instant(qris.id, action=True)
    assert settled.status == "success"
    status = client.deposit_status(qris.id)
    assert status.get_balance == settled.total_diterima
    assert client.get_profile().balance == 5_000_000 + settled.total_diterima

    fast = client.create_deposit(reff_id=_ref(), nominal=30_007, metode="qrisfast")
    sandbox.advance(7)  # nominal % 1000 = 7: pays itself after 7 seconds
    assert client.deposit_status(fast.id).status == "success"

    unpaid = client.create_deposit(reff_id=_ref(), nominal=10_000)
    cancelled = client.create_deposit(reff_id=_ref(), nominal=10_000)
    assert client.cancel_deposit(cancelled.id).status == "cancel"
    sandbox.advance(3_600)
    assert client.deposit_status(unpaid.id).status == "expired"


def test_transfers(client: AtlanticClient, sandbox: Sandbox) -> None:
    banks = client.bank_list()
    assert {"bank", "ewallet"} <= {b.type for b in banks}
    assert all(isinstance(b.id, str) for b in banks)
    account = client.check_account(bank_code="bca", account_number="1234567890")
    assert account.valid
    assert "X" in account.nama_pemilik
    with pytest.raises(SupplierRejected):
        client.check_account(bank_code="bca", account_number="1234560000")
    reff = _ref()
    tr = client.create_transfer(
        ref_id=reff,
        bank_code="dana",
        account_number="081234567890",
        account_name="SITI",
        nominal=25_000,
    )
    assert (tr.reff_id, tr.fee, tr.total) == (reff, 2_000, 27_000)
    sandbox.advance(5)
    by_reff = client.transfer_status(reff)
    assert by_reff.status == "success"
    assert by_reff.bank_code == "dana"
    failing = client.create_transfer(
        ref_id=_ref(), bank_code="bca", account_number="1239990", account_name="X", nominal=10_000
    )
    sandbox.advance(5)
    assert (
        client.transfer_state(supplier_id=failing.id, reff_id="").status is SupplierStatus.FAILED
    )
    assert client.get_profile().balance == 5_000_000 - 27_000


def test_the_api_key_never_reaches_logs_or_errors(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-live-" + uuid.uuid4().hex
    c = AtlanticClient(make_http_client(sandbox.url, 1), secret, sleep=lambda _s: None)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SupplierUnavailable) as refused:
        c.get_profile()
    assert secret not in str(refused.value)
    assert secret not in repr(c)
    assert secret not in caplog.text
    c.close()


def test_state_survives_a_restart(sandbox: Sandbox, client: AtlanticClient) -> None:
    tx = client.create_transaction(code="ML86", reff_id=_ref(), target="12349992")
    state_file = sandbox.engine.state.path
    sandbox.close()
    with Sandbox(state_file=state_file, ticker=False) as again:
        c = AtlanticClient.build(again.url, again.api_key, timeout_seconds=1)
        assert c.transaction_status(tx.id).reff_id == tx.reff_id
        assert c.get_profile().balance == 5_000_000 - tx.price
        c.close()
