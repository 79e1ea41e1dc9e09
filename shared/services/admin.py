"""Admin commands over WhatsApp, for ADMIN_NUMBERS only.

Commands start with `/` so they never collide with a customer's words:

    /markup 5                      global markup, percent
    /markup kategori Games 7       per category
    /markup provider TELKOMSEL 3   per provider
    /markup tagihan 2500           flat fee (rupiah) added to every postpaid bill
    /saldo                         the owner's supplier balance
    /laporan                       today's sales and profit
    /order REF                     look up an order
    /retry REF                     ask the supplier again about a pending order and settle it
    /refund REF                    refund a pending order the supplier says failed (refused
                                   while it is pending there, or delivered)

Everyone else gets a polite no; nothing an admin command does bypasses a ledger function.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation

from shared.domain.money_text import parse_amount
from shared.domain.pricing import SETTING_KEY, Markup, MarkupRules
from shared.errors import SupplierError
from shared.log import hash_id
from shared.services import receipts, replies
from shared.services.dialog.turn import Turn

log = logging.getLogger(__name__)

HELP = (
    "Perintah admin:\n"
    "/markup 5 — markup global (persen)\n"
    "/markup kategori Games 7\n"
    "/markup provider TELKOMSEL 3\n"
    "/markup tagihan 2500 — biaya tambahan per tagihan (rupiah)\n"
    "/saldo — saldo supplier\n"
    "/laporan — penjualan & profit hari ini\n"
    "/order REF — lihat pesanan\n"
    "/retry REF — cek ulang ke supplier\n"
    "/refund REF — kembalikan saldo pesanan yang gagal di supplier"
)

_COMMAND = re.compile(r"^/([a-z]+)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


def matches(text: str) -> bool:
    """Whether the message is an admin command (whoever sent it)."""
    return bool(_COMMAND.match(text.strip()))


def handle(turn: Turn) -> None:
    """Run an admin command, or refuse politely when the sender is not an admin."""
    if not turn.is_admin:
        log.info("admin command refused for %s", hash_id(turn.customer_id))
        turn.say(replies.NOT_ADMIN)
        return
    found = _COMMAND.match(turn.text.strip())
    verb, rest = (found.group(1).lower(), found.group(2).strip()) if found else ("", "")
    handler = _VERBS.get(verb)
    if handler is None:
        turn.say(HELP)
        return
    handler(turn, rest)


def _markup(turn: Turn, rest: str) -> None:
    """Change the owner's markup rules in the settings table (the catalog re-reads them)."""
    parts = rest.split()
    if parts and parts[0].lower() in _BILL_WORDS:
        _bill_fee(turn, " ".join(parts[1:]))
        return
    try:
        percent = Decimal(parts[-1].rstrip("%").replace(",", ".")) if parts else None
    except InvalidOperation:
        percent = None
    if percent is None or not 0 <= percent <= 100:
        turn.say("Format: /markup 5 atau /markup kategori Games 7 atau /markup provider XL 3")
        return
    store = turn.components.store
    current = MarkupRules.model_validate(store.get_setting(SETTING_KEY) or {})
    scope, name = "global", ""
    if len(parts) >= 3 and parts[0].lower() in {"kategori", "category", "provider"}:
        scope = "providers" if parts[0].lower() == "provider" else "categories"
        name = " ".join(parts[1:-1])
    if scope == "global":
        rules = current.model_copy(update={"percent": percent})
    else:
        table = dict(getattr(current, scope))
        table[name.casefold()] = Markup(percent=percent, flat=current.flat)
        rules = current.model_copy(update={scope: table})
    store.set_setting(SETTING_KEY, rules.model_dump(mode="json"))
    where = "global" if scope == "global" else f"{name}"
    turn.say(f"Oke, markup {where} sekarang {percent}% ✅ (berlaku dalam 1 menit)")


_BILL_WORDS = {"tagihan", "bill", "pascabayar"}


def _bill_fee(turn: Turn, amount_text: str) -> None:
    """The flat fee added to every postpaid bill (bills take no percent: see pricing)."""
    fee = parse_amount(amount_text) if amount_text.strip() not in {"0", "nol"} else 0
    if fee is None or not 0 <= fee <= 100_000:
        turn.say("Format: /markup tagihan 2500 (rupiah per tagihan, maksimal 100.000)")
        return
    store = turn.components.store
    current = MarkupRules.model_validate(store.get_setting(SETTING_KEY) or {})
    store.set_setting(
        SETTING_KEY, current.model_copy(update={"bill_fee": fee}).model_dump(mode="json")
    )
    fee_text = replies.rupiah(fee)
    turn.say(f"Oke, biaya tambahan per tagihan sekarang {fee_text} ✅ (berlaku dalam 1 menit)")


def _supplier_balance(turn: Turn, _rest: str) -> None:
    try:
        profile = turn.components.supplier.get_profile()
    except SupplierError:
        turn.say("Supplier lagi nggak bisa dihubungi, coba lagi sebentar.")
        return
    turn.say(f"Saldo supplier: {replies.rupiah(profile.balance)}")


def _report(turn: Turn, _rest: str) -> None:
    summary = turn.components.store.sales_summary(turn.now)
    turn.say(
        f"Hari ini: {summary.orders} transaksi sukses\n"
        f"Penjualan: {replies.rupiah(summary.revenue)}\n"
        f"Modal: {replies.rupiah(summary.cost)}\n"
        f"Profit: {replies.rupiah(summary.profit)}"
    )


def _order(turn: Turn, rest: str) -> None:
    order = turn.components.store.get_order(reff_id=rest.upper()) if rest else None
    if order is None:
        turn.say("Pesanan nggak ketemu. Format: /order REF")
        return
    turn.say(
        receipts.receipt(receipts.order_receipt(order))
        + f"\nModal: {replies.rupiah(order.supplier_price or 0)}"
        + (f"\nAlasan gagal: {order.failure_reason}" if order.failure_reason else "")
    )


def _retry(turn: Turn, rest: str) -> None:
    """Ask the supplier again about an order and settle it the way a webhook would."""
    from shared.services.settlement import settle  # noqa: PLC0415

    if not rest:
        turn.say("Format: /retry REF")
        return
    outcome = settle("order", rest.upper(), turn.components.settle_deps, recheck_final=True)
    turn.say(f"Cek ulang {rest.upper()} ke supplier: {outcome.value}")


_REFUND_TEXT = {
    "refunded": "Refund {ref} berhasil: supplier memastikan gagal, saldo pelanggan sudah kembali.",
    "already_refunded": "{ref} sudah pernah di-refund, tidak diulang.",
    "delivered": "{ref} sudah sukses di supplier, tidak di-refund.",
    "pending": "{ref} masih diproses supplier, refund ditahan. Coba lagi nanti ya.",
    "unreachable": "Supplier belum bisa memastikan status {ref}, refund ditahan. Coba lagi nanti.",
    "unknown": (
        "Supplier tidak mengenali {ref}. Kalau yakin pesanan ini tidak pernah terkirim, kirim "
        "/refund {ref} paksa"
    ),
    "not_found": "{ref} nggak ketemu.",
}


def _refund(turn: Turn, rest: str) -> None:
    """Refund only what the supplier says it did not deliver (see `services.refund`)."""
    from shared.services.refund import refund_order  # noqa: PLC0415

    parts = rest.split()
    if not parts:
        turn.say("Format: /refund REF")
        return
    ref = parts[0].upper()
    force = len(parts) > 1 and parts[1].lower() == "paksa"
    outcome = refund_order(ref, turn.components.settle_deps, force=force)
    log.info("admin refund of %s (force=%s): %s", ref, force, outcome)
    if force and outcome == "refunded":
        turn.say(f"Refund {ref} dipaksa: saldo pelanggan sudah kembali.")
        return
    turn.say(_REFUND_TEXT[outcome].format(ref=ref))


_VERBS = {
    "markup": _markup,
    "saldo": _supplier_balance,
    "laporan": _report,
    "order": _order,
    "retry": _retry,
    "refund": _refund,
}
