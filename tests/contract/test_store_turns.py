"""Turns through the Store on every transport: claim once, store the replies, repeat them."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from store_helpers import new_customer

from shared.ports import Json, RpcError
from shared.store import Store

REPLIES = [
    {"id": "A#0", "chat": "62811@s.whatsapp.net", "text": "Siap kak", "reply_to": "A"},
    {"id": "A#1", "chat": "62811@s.whatsapp.net", "image_ref": "qr/x.png", "image_caption": "QR"},
]


def _wa_id() -> str:
    return "3EB0" + uuid.uuid4().hex[:16].upper()


def _claim(store: Store, cid: str, wa_id: str, lease_seconds: int = 180) -> tuple[str, int]:
    claim = store.claim_turn(
        customer_id=cid, wa_msg_id=wa_id, text="pulsa 10rb", lease_seconds=lease_seconds
    )
    return claim.outcome, claim.attempt


def test_a_turn_is_claimed_once_and_its_replies_come_back_on_every_later_delivery(
    store: Store,
) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    assert _claim(store, cid, wa_id) == ("run", 1)
    assert _claim(store, cid, wa_id) == ("busy", 1)  # still running, within its lease
    ended = store.finish_turn(
        wa_id, 1, REPLIES, type="image", text="Siap kak\n\nQR", meta={"reply_to": wa_id}
    )
    assert ended.finished
    assert ended.replies == REPLIES
    for _ in range(2):
        again = store.claim_turn(customer_id=cid, wa_msg_id=wa_id, text="pulsa 10rb")
        assert (again.outcome, again.attempt, again.replies) == ("done", 1, REPLIES)
    # Logged once: the inbound message and one outbound row for the whole turn.
    log = [(m.direction, m.type, m.content_text) for m in store.recent_messages(cid)]
    assert log == [("inbound", "text", "pulsa 10rb"), ("outbound", "image", "Siap kak\n\nQR")]
    # A finish of the same turn again changes nothing and reports what stands.
    late = store.finish_turn(wa_id, 1, [{"id": "other"}], text="other")
    assert not late.finished
    assert late.replies == REPLIES
    assert len(store.recent_messages(cid)) == 2


def test_a_turn_without_replies_is_done_with_nothing_to_repeat(store: Store) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    assert _claim(store, cid, wa_id) == ("run", 1)
    assert store.finish_turn(wa_id, 1, [], text=None).finished
    assert _claim(store, cid, wa_id) == ("done", 1)
    assert [m.direction for m in store.recent_messages(cid)] == ["inbound"]  # no empty row


def test_a_failed_turn_is_released_and_the_next_delivery_runs_it_again(store: Store) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    assert _claim(store, cid, wa_id) == ("run", 1)
    assert not store.fail_turn(wa_id, 2)  # only the attempt holding it may release it
    assert store.fail_turn(wa_id, 1)
    assert not store.fail_turn(wa_id, 1)
    assert _claim(store, cid, wa_id) == ("run", 2)
    assert not store.finish_turn(wa_id, 1, REPLIES).finished  # the released attempt is out
    assert store.finish_turn(wa_id, 2, REPLIES).finished
    assert store.claim_turn(customer_id=cid, wa_msg_id=wa_id).replies == REPLIES


def test_a_turn_whose_worker_died_is_taken_over_after_its_lease(store: Store) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    assert _claim(store, cid, wa_id) == ("run", 1)
    assert _claim(store, cid, wa_id, lease_seconds=3600) == ("busy", 1)
    assert _claim(store, cid, wa_id, lease_seconds=0) == ("run", 2)  # the lease ran out
    assert not store.finish_turn(wa_id, 1, REPLIES).finished  # the dead worker's late finish
    assert store.finish_turn(wa_id, 2, []).finished


def test_concurrent_deliveries_of_a_new_message_run_one_turn(store: Store) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(lambda _: _claim(store, cid, wa_id)[0], range(8)))
    assert sorted(outcomes) == ["busy"] * 7 + ["run"]


def test_a_message_logged_before_turns_existed_counts_as_answered(store: Store) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    assert store.record_message(customer_id=cid, direction="inbound", wa_msg_id=wa_id).inserted
    claim = store.claim_turn(customer_id=cid, wa_msg_id=wa_id)
    assert (claim.outcome, claim.replies) == ("done", [])


def test_a_turn_needs_a_message_id_and_replies_as_a_list(store: Store) -> None:
    cid, wa_id = new_customer(store), _wa_id()
    with pytest.raises(RpcError) as no_id:
        store.claim_turn(customer_id=cid, wa_msg_id="")
    assert no_id.value.sqlstate == "22023"
    assert _claim(store, cid, wa_id) == ("run", 1)
    with pytest.raises(RpcError) as not_a_list:
        store._call(  # a malformed payload, past the typed wrapper
            "finish_turn", wa_msg_id=wa_id, attempt=1, replies=Json({"id": "x"})
        )
    assert not_a_list.value.sqlstate == "22023"
