"""The client against recorded real-shaped responses (tests/data/atlantic), through httpx's
MockTransport: the drift cases, HTTP 200 failures, HTML bodies, timeouts, and the exact form
bodies we send.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from shared.adapters.atlantic import AtlanticClient, AtlanticWebhook, IpNotWhitelisted
from shared.adapters.atlantic.webhook import MalformedWebhook
from shared.domain.supplier_status import SupplierStatus
from shared.errors import SupplierRejected, SupplierTimeout, SupplierUnavailable

DATA = Path(__file__).resolve().parents[1] / "data" / "atlantic"
KEY = "atl-test-key-0123456789"


class Recorder:
    """Answers each path with a recorded file (or a callable) and keeps every request."""

    def __init__(self, routes: dict[str, str | Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        route = self.routes[request.url.path]
        if callable(route):
            return route(request)
        body = (DATA / route).read_bytes()
        kind = "text/html" if route.endswith(".html") else "application/json; charset=UTF-8"
        return httpx.Response(200, content=body, headers={"Content-Type": kind})

    def form(self, index: int = -1) -> dict[str, str]:
        parsed = parse_qs(self.requests[index].content.decode(), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}


def _client(recorder: Recorder) -> AtlanticClient:
    http = httpx.Client(base_url="https://atl.test", transport=httpx.MockTransport(recorder))
    return AtlanticClient(http, KEY, sleep=lambda _s: None)


def test_string_true_and_money_as_text_on_get_profile_and_bank_list() -> None:
    rec = Recorder({"/get_profile": "get_profile.json", "/transfer/bank_list": "bank_list.json"})
    client = _client(rec)
    assert client.get_profile().balance == 1_250_750
    banks = client.bank_list()
    assert [b.id for b in banks] == ["1", "166", "167", "201"]  # a number id becomes text
    assert {b.type for b in banks} == {"bank", "ewallet"}
    request = rec.requests[0]
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert KEY not in str(request.url)
    assert rec.form(0) == {"api_key": KEY}


def test_price_list_mixed_types_and_a_single_object() -> None:
    rec = Recorder({"/layanan/price_list": "price_list_prabayar.json"})
    items = _client(rec).price_list("prabayar")
    assert [i.price for i in items] == [100_113, 12_325, 3_150]
    assert [i.available for i in items] == [True, True, False]
    assert items[2].img_url == ""
    assert rec.form() == {"api_key": KEY, "type": "prabayar"}
    one = _client(Recorder({"/layanan/price_list": "price_list_one_object.json"}))
    (item,) = one.price_list("prabayar", "PLN100")
    assert item.code == "PLN100"


def test_transaksi_create_sends_limit_price_and_reads_the_pending_answer() -> None:
    rec = Recorder({"/transaksi/create": "transaksi_create.json"})
    tx = _client(rec).create_transaction(
        code="KODE1", reff_id="OR123", target="0856123456789", limit_price=60_000
    )
    assert (tx.id, tx.price, tx.sn, tx.status) == ("FFdVZCHky5Fc848eTxDg", 58_507, None, "pending")
    assert rec.form() == {
        "api_key": KEY,
        "code": "KODE1",
        "reff_id": "OR123",
        "target": "0856123456789",
        "limit_price": "60000",
    }


def test_http_200_with_status_false_is_a_decline_with_its_code() -> None:
    client = _client(Recorder({"/transaksi/create": "transaksi_create_failed.json"}))
    with pytest.raises(SupplierRejected) as declined:
        client.create_transaction(code="ML10", reff_id="R1", target="1")
    assert declined.value.code == 201
    assert "Transaksi Gagal" in str(declined.value)
    assert declined.value.reff_id == "R1"


def test_a_duplicate_reff_on_a_create_is_ambiguous_not_a_decline() -> None:
    client = _client(Recorder({"/transaksi/create": "duplicate_reff.json"}))
    with pytest.raises(SupplierTimeout):
        client.create_transaction(code="ML10", reff_id="R1", target="1")


def test_ip_whitelist_refusal_names_the_ip() -> None:
    client = _client(Recorder({"/get_profile": "ip_not_whitelisted.json"}))
    with pytest.raises(IpNotWhitelisted) as blocked:
        client.get_profile()
    assert blocked.value.ip == "34.101.22.7"


def test_html_challenge_is_ambiguous_for_creates_and_retried_then_clear_for_reads() -> None:
    rec = Recorder({"/transaksi/create": "challenge.html", "/transaksi/status": "challenge.html"})
    client = _client(rec)
    with pytest.raises(SupplierTimeout, match="non-JSON"):
        client.create_transaction(code="ML10", reff_id="R1", target="1")
    assert len(rec.requests) == 1  # never retried
    with pytest.raises(SupplierUnavailable, match="HTML"):
        client.transaction_status("FFdVZCHky5Fc848eTxDg")
    assert len(rec.requests) == 1 + 3  # a read: first try + 2 retries


def _raise(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def test_timeouts_and_connection_errors() -> None:
    read_timeout = _raise(httpx.ReadTimeout("timed out"))
    refused = _raise(httpx.ConnectError("refused"))
    client = _client(Recorder({"/transaksi/create": read_timeout, "/deposit/create": refused}))
    with pytest.raises(SupplierTimeout):
        client.create_transaction(code="ML10", reff_id="R1", target="1")
    with pytest.raises(SupplierUnavailable) as unavailable:
        client.create_deposit(reff_id="D1", nominal=10_000)
    assert not isinstance(unavailable.value, SupplierTimeout)
    status_client = _client(Recorder({"/transaksi/status": read_timeout}))
    with pytest.raises(SupplierUnavailable):
        status_client.transaction_status("X")


def test_deposit_endpoints_and_their_drift() -> None:
    rec = Recorder(
        {
            "/deposit/metode": "deposit_metode.json",
            "/deposit/create": "deposit_create.json",
            "/deposit/status": "deposit_status.json",
            "/deposit/instant": "deposit_instant.json",
            "/deposit/cancel": "deposit_cancel.json",
        }
    )
    client = _client(rec)
    (method,) = client.deposit_methods(type_="ewallet")
    assert (method.min, method.max, method.fee, method.fee_persen) == (500, 5_000_000, 200, "1.4")
    created = client.create_deposit(reff_id="DP1", nominal=5_000, metode="qris")
    assert rec.form() == {
        "api_key": KEY,
        "reff_id": "DP1",
        "nominal": "5000",
        "type": "ewallet",
        "metode": "qris",
    }
    assert created.nominal == 5_000
    status = client.deposit_status(created.id)
    assert (status.nominal, status.fee, status.get_balance) == (20_000, 300, 19_700)
    state = client.deposit_state(supplier_id=created.id, reff_id="DP1")
    assert (state.status, state.credit) == (SupplierStatus.SUCCESS, 19_700)
    quote = client.deposit_instant(created.id, action=False)
    assert quote.total_diterima == quote.nominal - quote.total_fee
    assert rec.form()["action"] == "false"
    assert client.cancel_deposit(created.id).status == "cancel"


def test_bills_and_transfers() -> None:
    rec = Recorder(
        {
            "/transaksi/tagihan": "tagihan.json",
            "/transaksi/tagihan/bayar": "tagihan_bayar.json",
            "/transfer/cek_rekening": "cek_rekening.json",
            "/transfer/create": "transfer_create.json",
            "/transfer/status": "transfer_status.json",
        }
    )
    client = _client(rec)
    bill = client.inquire_bill(code="PPLN", reff_id="BL1", customer_no="530000000001")
    assert (bill.harga, bill.biaya_admin) == (101_099, 2_750)
    paid = client.pay_bill(code="PPLN", reff_id="BL1", customer_no="530000000001")
    assert (paid.harga, paid.id) == (125_000, "")
    assert client.check_account(bank_code="ovo", account_number="0811222221").valid
    assert rec.form() == {"api_key": KEY, "bank_code": "ovo", "account_number": "0811222221"}
    created = client.create_transfer(
        ref_id="TF1",
        bank_code="ovo",
        account_number="0811222221",
        account_name="DHIKA",
        nominal=10_000,
    )
    form = rec.form()
    assert form["ref_id"] == "TF1"
    assert "reff_id" not in form
    assert (form["kode_bank"], form["nomor_akun"], form["nama_pemilik"]) == (
        "ovo",
        "0811222221",
        "DHIKA",
    )
    assert (created.reff_id, created.nominal, created.fee, created.total) == (
        "TF1",
        10_000,
        2_000,
        12_000,
    )
    status = client.transfer_status("TF1")
    assert (status.fee, status.bank_code, status.status) == (2_000, "shopeepay", "success")


@pytest.mark.parametrize(
    ("name", "kind", "status", "credit"),
    [
        ("webhook_transaksi.json", "order", SupplierStatus.SUCCESS, None),
        ("webhook_pascabayar.json", "bill", SupplierStatus.SUCCESS, None),
        ("webhook_transfer.json", "transfer", SupplierStatus.FAILED, None),
        ("webhook_deposit.json", "deposit", SupplierStatus.PROCESSING, 19_700),
    ],
)
def test_recorded_webhooks_parse(
    name: str, kind: str, status: SupplierStatus, credit: int | None
) -> None:
    event = AtlanticWebhook("tokoberkah").parse((DATA / name).read_bytes())
    assert (event.kind, event.status, event.credit) == (kind, status, credit)
    assert event.reff_id


def test_webhook_signature_is_md5_of_the_username_compared_case_insensitively() -> None:
    reader = AtlanticWebhook("tokoberkah")
    good = hashlib.md5(b"tokoberkah").hexdigest()
    assert reader.verify({"x-atl-signature": good.upper()})
    assert not reader.verify({"X-ATL-Signature": hashlib.md5(b"other").hexdigest()})
    assert not reader.verify({})
    with pytest.raises(MalformedWebhook):
        reader.parse(json.dumps({"event": "transaksi", "data": {"status": "success"}}).encode())
