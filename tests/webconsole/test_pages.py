"""The pages read what the bot recorded: order search by the form's fields, customers, notices."""

from __future__ import annotations

from datetime import timedelta

from conversation.conftest import Chat

from shared.webconsole.fmt import WIB
from webconsole.conftest import Console


def test_order_search_by_the_forms_fields(admin_console: Console) -> None:
    buyer = Chat(admin_console.components)
    buyer.fund(50_000)
    buyer.say("pulsa telkomsel 10rb ke 081234569992")
    buyer.say("ya")
    ref = admin_console.components.store.history(buyer.customer_id, limit=1)[0].reff_id
    local = "0" + buyer.phone[2:]
    today = admin_console.components.clock.now().astimezone(WIB).date()
    found = admin_console.get(
        f"/console/orders?phone={local}&status=pending&from={today}&to={today}&product=telkomsel"
    )
    assert ref in found
    assert "Telkomsel 10.000" in found
    assert ref in admin_console.get(f"/console/orders?ref={ref.lower()}")
    yesterday = today - timedelta(days=1)
    assert ref not in admin_console.get(f"/console/orders?phone={local}&to={yesterday}")
    assert ref not in admin_console.get(f"/console/orders?phone={local}&status=success")
    # Nonsense in the form is ignored, not an error.
    assert ref in admin_console.get(f"/console/orders?phone={local}&from=kemarin&page=x")


def test_customers_are_found_by_phone_or_name(admin_console: Console) -> None:
    buyer = Chat(admin_console.components)
    buyer.fund(12_345)
    page = admin_console.get(f"/console/customers?q=0{buyer.phone[2:]}")
    assert buyer.phone in page
    assert "Rp 12.345" in page
    assert buyer.phone not in admin_console.get("/console/customers?q=tidak-ada-yang-begini")


def test_a_notice_shows_only_when_the_console_signed_it(admin_console: Console) -> None:
    forged = admin_console.get("/console/?n=Refund+berhasil")
    assert "Refund berhasil" not in forged
    signed = admin_console.client.get(
        "/console/?n=" + admin_console.components_notice("Markup disimpan")
    )
    assert "Markup disimpan" in signed.text
