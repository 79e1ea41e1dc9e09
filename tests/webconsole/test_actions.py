"""Console actions go through the admin commands' services: retry, refund, markup, a manual
adjustment with its reason, Gemini keys. Orders are bought in a chat with the bot."""

from __future__ import annotations

import re

from conversation.conftest import Chat

from shared.domain.pricing import SETTING_KEY, MarkupRules
from shared.store_models import Order
from webconsole.conftest import ADMIN, Console

GEMINI_KEY = "AIzaSyD-console-test-key-0123456789abc"


def bought(console: Console, target: str, *, lose_webhooks: bool = False) -> tuple[Chat, Order]:
    """A customer buys Telkomsel 10k for `target` in a chat; the order is at the supplier."""
    buyer = Chat(console.components)
    buyer.fund(50_000)
    if lose_webhooks:  # the supplier's callbacks never arrive: only a re-query can tell
        console.components.sandbox.sender.target = None
    assert "YA" in buyer.say(f"pulsa telkomsel 10rb ke {target}")
    buyer.say("ya")
    ref = console.components.store.history(buyer.customer_id, limit=1)[0].reff_id
    order = console.components.store.get_order(ref)
    assert order is not None
    assert order.status == "pending"
    assert order.code.startswith("TSEL") or "TELKOMSEL" in order.layanan.upper()
    assert order.target == target
    return buyer, order


def test_retry_asks_the_supplier_and_settles_like_the_whatsapp_command(
    admin_console: Console,
) -> None:
    _buyer, order = bought(admin_console, "081234569992", lose_webhooks=True)
    page = admin_console.follow(admin_console.post(f"/console/orders/{order.reff_id}/retry"))
    assert f"Cek ulang {order.reff_id} ke supplier: pending" in page
    assert "Cek ulang ke supplier oleh 628111000111" in page

    admin_console.components.sandbox.complete(order.reff_id, "success")  # webhook lost
    page = admin_console.follow(admin_console.post(f"/console/orders/{order.reff_id}/retry"))
    assert f"Cek ulang {order.reff_id} ke supplier: captured" in page
    settled = admin_console.components.store.get_order(order.reff_id)
    assert settled is not None
    assert settled.status == "success"


def test_refund_of_an_order_the_supplier_delivered_is_refused(admin_console: Console) -> None:
    buyer, order = bought(admin_console, "081234569992", lose_webhooks=True)
    admin_console.components.sandbox.complete(order.reff_id, "success")  # webhook lost
    page = admin_console.follow(
        admin_console.post(f"/console/orders/{order.reff_id}/refund", {"confirm": "yes"})
    )
    assert f"{order.reff_id} sudah sukses di supplier, tidak di-refund." in page
    assert buyer.balance() == 50_000 - order.price
    settled = admin_console.components.store.get_order(order.reff_id)
    assert settled is not None
    assert settled.status == "success"


def test_refund_needs_the_confirmation_box(admin_console: Console) -> None:
    _buyer, order = bought(admin_console, "081234569992", lose_webhooks=True)
    page = admin_console.follow(admin_console.post(f"/console/orders/{order.reff_id}/refund"))
    assert "Centang konfirmasi" in page
    still = admin_console.components.store.get_order(order.reff_id)
    assert still is not None
    assert still.status == "pending"


def test_refund_is_refused_while_the_supplier_says_pending(admin_console: Console) -> None:
    buyer, order = bought(admin_console, "081234569992", lose_webhooks=True)
    page = admin_console.follow(
        admin_console.post(f"/console/orders/{order.reff_id}/refund", {"confirm": "yes"})
    )
    assert f"{order.reff_id} masih diproses supplier, refund ditahan" in page
    kept = admin_console.components.store.get_order(order.reff_id)
    assert kept is not None
    assert kept.status == "pending"
    assert buyer.balance() == 50_000 - order.price


def test_refund_of_an_order_the_supplier_failed_refunds_once(admin_console: Console) -> None:
    buyer, order = bought(admin_console, "081234569992", lose_webhooks=True)
    admin_console.components.sandbox.complete(order.reff_id, "failed")  # webhook lost
    page = admin_console.follow(
        admin_console.post(f"/console/orders/{order.reff_id}/refund", {"confirm": "yes"})
    )
    assert f"Refund {order.reff_id} berhasil: supplier memastikan gagal" in page
    assert buyer.balance() == 50_000
    again = admin_console.follow(
        admin_console.post(f"/console/orders/{order.reff_id}/refund", {"confirm": "yes"})
    )
    assert "sudah pernah di-refund" in again
    assert buyer.balance() == 50_000
    record = admin_console.components.store.console_order(order.reff_id)
    assert record is not None
    assert [e.kind for e in record.ledger].count("release") == 1
    assert [a.action for a in record.actions] == ["refund", "refund"]


def test_markup_from_the_console_is_the_markup_command(admin_console: Console) -> None:
    store = admin_console.components.store
    store.set_setting(SETTING_KEY, MarkupRules().model_dump(mode="json"))
    Chat(admin_console.components, phone=ADMIN).say("/markup kategori Games 7")
    by_command = store.get_setting(SETTING_KEY)

    store.set_setting(SETTING_KEY, MarkupRules().model_dump(mode="json"))
    preview = admin_console.post(
        "/console/prices",
        {"scope": "categories", "name": "Games", "value": "7", "action": "preview"},
    )
    assert preview.status_code == 200
    assert "Pratinjau harga jual" in preview.text
    assert store.get_setting(SETTING_KEY) == MarkupRules().model_dump(mode="json")  # not saved

    saved = admin_console.post(
        "/console/prices",
        {"scope": "categories", "name": "Games", "value": "7", "action": "save"},
    )
    assert "Markup disimpan" in admin_console.follow(saved)
    assert store.get_setting(SETTING_KEY) == by_command

    refused = admin_console.post(
        "/console/prices", {"scope": "global", "value": "150", "action": "save"}
    )
    assert refused.status_code == 200
    assert "belum pas" in refused.text
    assert store.get_setting(SETTING_KEY) == by_command


def test_the_preview_shows_what_a_change_does_to_prices(admin_console: Console) -> None:
    store = admin_console.components.store
    store.set_setting(SETTING_KEY, MarkupRules().model_dump(mode="json"))
    fragment = admin_console.post(
        "/console/prices/preview", {"scope": "global", "value": "10"}
    ).text
    rows = re.findall(r'<tr class="(changed)?">', fragment)
    assert len(rows) >= 10  # a few products per group
    # 2 % → 10 % moves the price of all but the cheapest items (rounded up to Rp 100 anyway)
    assert rows.count("changed") > len(rows) * 3 // 4
    assert "Games" in fragment


def test_a_manual_adjustment_needs_a_reason_and_names_the_admin(admin_console: Console) -> None:
    buyer = Chat(admin_console.components)
    buyer.say("halo")
    page = admin_console.get(f"/console/customers/{buyer.customer_id}")
    form_ref = re.search(r'name="ref" value="([0-9a-f]{16})"', page)
    assert form_ref is not None
    path = f"/console/customers/{buyer.customer_id}/adjust"
    no_reason = admin_console.post(path, {"amount": "10rb", "reason": " ", "ref": form_ref[1]})
    assert "Isi jumlah dan alasan" in admin_console.follow(no_reason)
    assert buyer.balance() == 0

    form = {"amount": "10.000", "reason": "transfer manual BCA", "ref": form_ref[1]}
    page = admin_console.follow(admin_console.post(path, form))
    assert "Saldo +Rp 10.000 ✅ Saldo sekarang Rp 10.000." in page
    assert "transfer manual BCA — oleh 628111000111" in page
    again = admin_console.follow(admin_console.post(path, form))  # the same form sent twice
    assert "sudah tercatat sebelumnya" in again
    debit = {**form, "direction": "debit", "amount": "50000", "ref": "0" * 16}
    assert "tidak cukup" in admin_console.follow(admin_console.post(path, debit))
    assert buyer.balance() == 10_000


def test_a_gemini_key_is_stored_encrypted_and_never_shown_again(admin_console: Console) -> None:
    components = admin_console.components
    assert components.gemini is None  # no GEMINI_KEYS, no table keys: rules only
    added = admin_console.post(
        "/console/keys", {"label": "akun kedua", "key": f"  {GEMINI_KEY} ", "priority": "5"}
    )
    page = admin_console.follow(added)
    assert "Kunci Gemini ditambahkan" in page
    assert "akun kedua" in page
    assert GEMINI_KEY not in page
    row = next(k for k in components.store.list_api_keys() if k.label == "akun kedua")
    assert row.key_ciphertext != GEMINI_KEY
    assert GEMINI_KEY not in row.key_ciphertext
    assert components.key_box.decrypt(row.key_ciphertext) == GEMINI_KEY
    assert row.priority == 5
    brain = components.gemini  # the next turn sees the key without a restart
    assert brain is not None
    assert row.id in [k.id for k in brain.ring.ordered_keys()]
    assert "Kunci itu sudah tersimpan" in admin_console.follow(
        admin_console.post("/console/keys", {"label": "lagi", "key": GEMINI_KEY})
    )
    assert "formatnya bukan kunci API" in admin_console.follow(
        admin_console.post("/console/keys", {"label": "x", "key": "pendek"})
    )
    off = admin_console.follow(admin_console.post(f"/console/keys/{row.id}/disable"))
    assert "akun kedua dinonaktifkan" in off
    assert not next(k for k in components.store.list_api_keys() if k.id == row.id).enabled
    today = admin_console.get("/console/")
    assert "nonaktif</span> akun kedua" in today
    assert all(GEMINI_KEY not in p for p in admin_console.pages)
