"""Postpaid bills: inquiry at the supplier (name, period, total), then a quote to pay it.

The inquiry's `reff_id` is made here and reused by the payment, as Atlantic requires; the
quote carries it, so paying is the same YA → hold → supplier path as a top-up.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from shared.domain.aliases import words
from shared.domain.targets import ascii_digits
from shared.errors import SupplierError, SupplierRejected
from shared.services import replies
from shared.services.dialog import products
from shared.services.dialog.quote_card import show_quote
from shared.services.dialog.state import Choice, DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.services.language import say
from shared.wiring import Components

if TYPE_CHECKING:
    from shared.adapters.atlantic.models import Bill

log = logging.getLogger(__name__)


def bill_check(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Ask for what is missing, check the bill, and quote it (both bill_check and bill_pay)."""
    brand = str(slots.get("brand") or "").strip()
    code = str(slots.get("code") or "")
    if not code and brand:
        matches = _bill_products(turn.components, brand, turn.text)
        if len(matches) > 1:
            # PDAM is one company per city: ask which, never pick one for the customer.
            keep = {k: v for k, v in slots.items() if k in {"customer_no", "target"}}
            turn.state = DialogState(
                intent="bill_check",
                slots=keep,
                choices=[Choice(label=name, slots={"code": c}) for c, name in matches],
            )
            turn.say(replies.which_bill(brand, [name for _c, name in matches]))
            return
        code = matches[0][0] if matches else ""
    if not code:
        turn.state = DialogState(intent="bill_check", slots=slots, asking="brand")
        turn.say(replies.which_bill_kind())
        return
    customer_no = ascii_digits(str(slots.get("customer_no") or slots.get("target") or "")).strip()
    if not customer_no:
        turn.state = DialogState(
            intent="bill_check", slots={**slots, "code": code}, asking="customer_no"
        )
        turn.say(replies.ask("meter" if code == "PPLN" else "customer_no"))
        return
    method = str(slots.get("method") or "") or None
    quote_bill(turn, code, "".join(ch for ch in customer_no if ch.isalnum()), method=method)


def _bill_products(components: Components, brand: str, text: str) -> list[tuple[str, str]]:
    """The postpaid products the customer may mean, as (code, name), narrowed by their words.

    "pdam bandung" → PDAM Kota Bandung; "pdam" → every PDAM; "pln" → PLN Pascabayar.
    """
    code = products.postpaid_code(components, brand)
    wanted = brand.strip().upper()
    items = products.postpaid_products(components)
    same = [
        (str(i["code"]), str(i["name"]))
        for i in items
        if wanted in {str(i["provider"]).upper(), str(i["category"]).upper()}
    ]
    if len(same) <= 1:
        return same or ([(code, products.postpaid_name(components, code))] if code else [])
    said = set(words(text)) - set(words(brand)) - {"kota", "kabupaten", "kab"}
    named = [(c, n) for c, n in same if said & set(words(n))]
    return named or same


def inquire(components: Components, code: str, customer_no: str) -> Bill:
    """Ask the supplier for the bill, under a fresh reference the payment must reuse."""
    reff_id = "BL" + uuid.uuid4().hex[:20].upper()
    return components.supplier.inquire_bill(code=code, customer_no=customer_no, reff_id=reff_id)


def quote_bill(turn: Turn, code: str, customer_no: str, *, method: str | None = None) -> None:
    """Inquire the bill and show the quote card with the customer's name and total.

    `method`: how a short saldo's deposit is paid (QRIS when None).
    """
    components = turn.components
    try:
        bill = inquire(components, code, customer_no)
    except SupplierRejected as exc:
        # The supplier's own words ("atlantic /transaksi/tagihan: …") are for the log only.
        log.info("bill inquiry refused: %s", exc)
        turn.say(replies.bill_not_found(customer_no))
        return
    except SupplierError:
        turn.say(replies.busy())
        return
    amount = products.bill_sell_price(components, bill.total_tagihan)
    label = products.postpaid_name(components, code)
    lines = [
        ("Tagihan", label),
        ("No. pelanggan", customer_no),
        ("Nama", bill.nama_pelanggan or "-"),
    ]
    period = _period(bill.detail)
    if period:
        lines.append(("Periode", period))
    lines.append(
        (
            "Tagihan + admin",
            f"{replies.rupiah(bill.harga)} + {replies.rupiah(amount - bill.harga)}",
        )
    )
    show_quote(
        turn,
        kind="bill",
        payload={
            "code": code,
            "target": customer_no,
            "name": label,
            "customer_name": bill.nama_pelanggan,
        },
        amount=amount,
        supplier_price=bill.total_tagihan,
        reff_id=bill.reff_id,
        title=say("Ini tagihannya kak", "Here's the bill"),
        lines=lines,
        intent="bill_check",
        request={
            "code": code,
            "customer_no": customer_no,
            **({"method": method} if method else {}),
        },
    )


def _period(detail: object) -> str | None:
    """The billing period(s) from the inquiry's product-specific `detail`."""
    rows = detail.get("detail") if isinstance(detail, dict) else None
    if not isinstance(rows, list):
        return None
    periods = [str(r["periode"]) for r in rows if isinstance(r, dict) and r.get("periode")]
    return ", ".join(periods) or None
