"""Customers, identities, message dedupe, settings, price cache and API keys through the Store."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from store_helpers import fund, new_customer, topup_quote

from shared.store import Store


def _phone() -> str:
    return "62" + str(uuid.uuid4().int)[:11]


def test_phone_and_lid_resolve_to_one_customer(store: Store) -> None:
    phone, lid = _phone(), f"{uuid.uuid4().int % 10**15}@lid"
    first = store.resolve_customer(phone=phone, push_name="Budi")
    assert first.is_new
    assert first.customer.display_name == "Budi"
    linked = store.resolve_customer(phone=phone, lid=lid, chat_jid=f"{lid}")
    by_lid = store.resolve_customer(lid=lid)
    assert not linked.is_new
    assert not by_lid.is_new
    assert first.customer_id == linked.customer_id == by_lid.customer_id
    assert {(i.kind, i.value) for i in by_lid.customer.identities} == {("pn", phone), ("lid", lid)}
    assert by_lid.customer.wa_jid == lid


def test_a_lid_seen_first_gains_the_phone_later(store: Store) -> None:
    phone, lid = _phone(), f"{uuid.uuid4().int % 10**15}@lid"
    first = store.resolve_customer(lid=lid)
    again = store.resolve_customer(phone=phone, lid=lid)
    assert again.customer_id == first.customer_id
    assert store.resolve_customer(phone=phone).customer_id == first.customer_id


def test_concurrent_first_messages_create_one_customer(store: Store) -> None:
    phone = _phone()
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: store.resolve_customer(phone=phone), range(8)))
    assert len({r.customer_id for r in results}) == 1
    assert sum(r.is_new for r in results) == 1


def test_the_same_whatsapp_message_is_recorded_once(store: Store) -> None:
    cid = store.resolve_customer(phone=_phone()).customer_id
    wa_id = "3EB0" + uuid.uuid4().hex[:16].upper()

    def record(_: int) -> bool:
        return store.record_message(
            customer_id=cid, direction="inbound", wa_msg_id=wa_id, text="pulsa 10rb"
        ).inserted

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(record, range(6))) == [False] * 5 + [True]
    store.record_message(customer_id=cid, direction="outbound", text="Siap kak", meta={"q": 1})
    messages = store.recent_messages(cid)
    assert [(m.direction, m.content_text) for m in messages] == [
        ("inbound", "pulsa 10rb"),
        ("outbound", "Siap kak"),
    ]
    assert messages[1].meta == {"q": 1}


def test_owner_takeover_pauses_until_a_time(store: Store) -> None:
    cid = store.resolve_customer(phone=_phone()).customer_id
    now = datetime.now(UTC)
    paused = store.set_customer_pause(cid, now + timedelta(minutes=30))
    assert paused is not None
    assert paused.paused_at(now)
    resumed = store.set_customer_pause(cid, None)
    assert resumed is not None
    assert not resumed.paused_at(now)


def test_settings_keep_any_json_value(store: Store) -> None:
    key = f"markup-{uuid.uuid4().hex}"
    assert store.get_setting(key) is None
    rules = {"percent": 5, "round_to": 100, "category": {"Games": 7}}
    assert store.set_setting(key, rules) == rules
    assert store.get_setting(key) == rules
    assert store.set_setting(key, 3) == 3
    assert store.list_settings()[key] == 3


def test_the_price_cache_knows_when_it_is_stale(store: Store) -> None:
    kind = f"prabayar-{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    store.put_price_cache(kind, [{"code": "ML10", "price": 2_500}], 600, now=now)
    entry = store.get_price_cache(kind, now=now + timedelta(seconds=599))
    assert entry is not None
    assert entry.fresh
    assert entry.payload == [{"code": "ML10", "price": 2_500}]
    stale = store.get_price_cache(kind, now=now + timedelta(seconds=601))
    assert stale is not None
    assert not stale.fresh
    assert store.get_price_cache(f"none-{uuid.uuid4().hex}") is None


def test_api_keys_rotate_by_priority_and_cool_down(store: Store) -> None:
    tag = uuid.uuid4().hex
    first = store.add_api_key(ciphertext="c1", fingerprint=f"{tag}-1", label="a", priority=1)
    second = store.add_api_key(ciphertext="c2", fingerprint=f"{tag}-2", label="b", priority=2)
    assert first.created
    assert second.created
    assert not store.add_api_key(ciphertext="c1", fingerprint=f"{tag}-1").created
    now = datetime.now(UTC)

    def mine() -> list[tuple[str, bool]]:
        keys = [k for k in store.list_api_keys(now=now) if k.key_fingerprint.startswith(tag)]
        return [(k.label, k.available) for k in keys]

    assert mine() == [("a", True), ("b", True)]
    cooled = store.set_api_key_cooldown(first.id, now + timedelta(hours=24), "429 quota")
    assert cooled is not None
    assert cooled.last_error == "429 quota"
    assert mine() == [("a", False), ("b", True)]
    failed = store.record_api_key_result(second.id, "500")
    assert failed is not None
    assert failed.failure_count == 1
    recovered = store.record_api_key_result(second.id)
    assert recovered is not None
    assert recovered.failure_count == 0
    assert store.clear_expired_cooldowns(now + timedelta(hours=25)) >= 1
    assert mine() == [("a", True), ("b", True)]
    disabled = store.update_api_key(second.id, enabled=False)
    assert disabled is not None
    assert not disabled.available
    assert store.delete_api_key(first.id)
    assert not store.delete_api_key(first.id)


def test_sales_summary_counts_todays_captured_orders_with_their_cost(store: Store) -> None:
    before = store.sales_summary()
    customer = new_customer(store)
    fund(store, customer, 50_000)
    quote_id, reff_id = topup_quote(store, customer, 15_000)
    assert store.place_order(quote_id, customer).outcome == "done"
    assert store.sales_summary().orders == before.orders  # a hold is not a sale yet
    assert store.capture_order(reff_id, sn="SN1", supplier_price=14_100).outcome == "done"
    after = store.sales_summary()
    assert after.orders == before.orders + 1
    assert after.revenue == before.revenue + 15_000
    assert after.cost == before.cost + 14_100
    assert after.profit == before.profit + 900
    tomorrow = store.sales_summary(after.day_start + timedelta(days=1, hours=1))
    assert tomorrow.orders == 0
