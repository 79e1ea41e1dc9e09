"""Money strings from the supplier: whole rupiah digits or nothing moves (item 1).

`_to_int` used to drop every `.` and `,`: a deposit status with `"19580.00"` credited
Rp 1.958.000 for a Rp 20.000 deposit, and `"1e1000000"` in a signed webhook cost ~27 s of CPU.
Now only integers and `\\d+(\\.0+)?` of bounded length are amounts; anything else is unreadable:
the settlement moves no money, leaves the document pending and alerts the owner. Independently,
the ledger never credits a deposit more than it can be worth (its nominal plus the unique
`tambahan` the customer paid on top).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import httpx
import pytest

from atlantic.helpers import RecordingNotifier, new_customer
from shared.adapters.atlantic import AtlanticClient, AtlanticWebhook
from shared.errors import SupplierUnreadable
from shared.services.settlement import Settled, SettleDeps, settle
from shared.services.supplier_inbox import InboxEvent
from shared.services.webhook import handle_webhook
from shared.store import Store

ATL_ID = "txIsgoOtPklEOZ5w1N7A"


def _status_client(deposit: Callable[[], dict[str, object]]) -> AtlanticClient:
    """A client whose `/deposit/status` answers `deposit()` as the real API would."""

    def answer(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/deposit/status"
        # Python's json reads `Infinity` too, so the body may carry it.
        body = json.dumps({"status": True, "data": deposit(), "code": 200})
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    http = httpx.Client(base_url="https://atl.test", transport=httpx.MockTransport(answer))
    return AtlanticClient(http, "key", sleep=lambda _s: None)


def _status(get_balance: object, **extra: object) -> dict[str, object]:
    return {
        "id": ATL_ID,
        "reff_id": "DP1",
        "nominal": "20000",
        "tambahan": "0",
        "fee": "420",
        "get_balance": get_balance,
        "status": "success",
        **extra,
    }


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("19580", 19_580),
        ("19580.00", 19_580),
        ("19580.0", 19_580),
        (19580, 19_580),
        (19580.0, 19_580),
        (" 19580 ", 19_580),
        ("0", 0),
    ],
)
def test_whole_rupiah_digits_are_amounts(raw: object, amount: int) -> None:
    assert _status_client(lambda: _status(raw)).deposit_status(ATL_ID).get_balance == amount


@pytest.mark.parametrize(
    "raw",
    [
        "19.580",
        "19,580",
        "Rp 19.580",
        "19580.5",
        "1e3",
        "1e1000000",
        "-5",
        "+5",
        "0x10",
        "１９５８０",
        "19_580",
        "9" * 40,
        "1" + "0" * 5000,
        True,
        19580.5,
        -1,
        float("inf"),
        [19580],
        {"v": 1},
    ],
)
def test_anything_else_is_unreadable(raw: object) -> None:
    with pytest.raises(SupplierUnreadable):
        _status_client(lambda: _status(raw)).deposit_status(ATL_ID)


def _pending_deposit(store: Store, nominal: int = 20_000) -> tuple[str, str]:
    cid = new_customer(store)
    created = store.create_deposit(cid, nominal)
    assert created.reff_id is not None
    store.update_deposit_invoice(created.reff_id, atl_id=ATL_ID)
    return cid, created.reff_id


def test_a_decimal_credit_is_credited_at_its_face_value(store: Store) -> None:
    cid, reff = _pending_deposit(store)
    notifier = RecordingNotifier()
    client = _status_client(lambda: _status("19580.00", reff_id=reff))
    deps = SettleDeps(store=store, supplier=client, notifier=notifier)
    assert settle("deposit", reff, deps) is Settled.CREDITED
    assert store.get_balance(cid).balance == 19_580
    assert [n.amount for n in notifier.sent] == [19_580]


@pytest.mark.parametrize("raw", ["1.958.000", "19580,00", "Rp19580"])
def test_an_unreadable_credit_moves_nothing_and_alerts_the_owner(store: Store, raw: str) -> None:
    cid, reff = _pending_deposit(store)
    notifier = RecordingNotifier()
    client = _status_client(lambda: _status(raw, reff_id=reff))
    deps = SettleDeps(store=store, supplier=client, notifier=notifier)
    assert settle("deposit", reff, deps) is Settled.UNVERIFIED
    assert store.get_balance(cid).balance == 0
    deposit = store.get_deposit(reff)
    assert deposit is not None
    assert deposit.status == "pending"  # still asked about by the reconciler
    [alert] = notifier.sent
    assert alert.kind == "owner_alert"
    assert reff in (alert.reason or "") or alert.reff_id == reff


def test_a_credit_above_what_the_deposit_can_be_worth_is_refused(store: Store) -> None:
    cid, reff = _pending_deposit(store)
    notifier = RecordingNotifier()
    client = _status_client(lambda: _status("1958000", reff_id=reff))
    deps = SettleDeps(store=store, supplier=client, notifier=notifier)
    assert settle("deposit", reff, deps) is Settled.UNVERIFIED
    assert store.get_balance(cid).balance == 0
    assert [n.kind for n in notifier.sent] == ["owner_alert"]


def test_the_ledger_caps_a_credit_at_nominal_plus_tambahan(store: Store) -> None:
    cid = new_customer(store)
    created = store.create_deposit(cid, 20_000)
    assert created.reff_id is not None
    store.update_deposit_invoice(created.reff_id, atl_id="X1", tambahan=137)
    refused = store.credit_deposit(created.reff_id, 20_138)
    assert (refused.outcome, refused.reason) == ("refused", "over_cap")
    assert store.get_balance(cid).balance == 0
    assert store.credit_deposit(created.reff_id, 20_137).outcome == "done"
    assert store.get_balance(cid).balance == 20_137


class _NoHandOff:
    def request(self):  # type: ignore[no-untyped-def]
        import contextlib

        return contextlib.nullcontext()

    def hand_off(self, event: InboxEvent) -> None:
        raise AssertionError("an unreadable webhook must not be handed off")


def test_a_signed_webhook_with_an_absurd_amount_is_refused_at_once(store: Store) -> None:
    body = json.dumps(
        {
            "event": "deposit",
            "status": "success",
            "data": {"id": ATL_ID, "reff_id": "DP1", "nominal": "1e1000000", "status": "success"},
        }
    ).encode()
    headers = {"X-ATL-Signature": hashlib.md5(b"sandbox").hexdigest()}
    status, answer = handle_webhook(
        headers, body, reader=AtlanticWebhook("sandbox"), store=store, hand_off=_NoHandOff()
    )
    assert status == 400
    assert answer["error"] == "malformed webhook"
