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
    /login (or /console)           a one-time link into the web console (shared/webconsole)

Everyone else gets a polite no; nothing an admin command does bypasses a ledger function.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Literal

from shared.domain.money_text import parse_amount
from shared.domain.pricing import SETTING_KEY, Markup, MarkupRules
from shared.errors import SupplierError
from shared.log import hash_id
from shared.services import receipts, replies
from shared.services.dialog.turn import Turn

if TYPE_CHECKING:
    from shared.services.refund import RefundOutcome
    from shared.services.settlement import Settled
    from shared.store import Store
    from shared.wiring import Components

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
    "/refund REF — kembalikan saldo pesanan yang gagal di supplier\n"
    "/login — link masuk konsol toko di browser"
)

_COMMAND = re.compile(r"^/([a-z]+)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)


def matches(text: str) -> bool:
    """Whether the message is an admin command (whoever sent it)."""
    return bool(_COMMAND.match(text.strip()))


def handle(turn: Turn) -> None:
    """Run an admin command, or refuse politely when the sender is not an admin."""
    if not turn.is_admin:
        log.info("admin command refused for %s", hash_id(turn.customer_id))
        turn.say(replies.not_admin())
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
    scope: MarkupScope = "global"
    name = ""
    if len(parts) >= 3 and parts[0].lower() in {"kategori", "category", "provider"}:
        scope = "providers" if parts[0].lower() == "provider" else "categories"
        name = " ".join(parts[1:-1])
    store = turn.components.store
    try:
        rules = (
            None
            if percent is None
            else markup_rules_with(markup_rules(store), scope, name, percent)
        )
    except ValueError:
        rules = None
    if percent is None or rules is None:
        turn.say("Format: /markup 5 atau /markup kategori Games 7 atau /markup provider XL 3")
        return
    save_markup_rules(store, rules)
    where = "global" if scope == "global" else f"{name}"
    turn.say(f"Oke, markup {where} sekarang {percent}% ✅ (berlaku dalam 1 menit)")


_BILL_WORDS = {"tagihan", "bill", "pascabayar"}


def _bill_fee(turn: Turn, amount_text: str) -> None:
    """The flat fee added to every postpaid bill (bills take no percent: see pricing)."""
    fee = parse_amount(amount_text) if amount_text.strip() not in {"0", "nol"} else 0
    store = turn.components.store
    try:
        rules = None if fee is None else bill_fee_rules_with(markup_rules(store), fee)
    except ValueError:
        rules = None
    if fee is None or rules is None:
        turn.say("Format: /markup tagihan 2500 (rupiah per tagihan, maksimal 100.000)")
        return
    save_markup_rules(store, rules)
    fee_text = replies.rupiah(fee)
    turn.say(f"Oke, biaya tambahan per tagihan sekarang {fee_text} ✅ (berlaku dalam 1 menit)")


# --- markup rules, shared with the web console -----------------------------------------------

MarkupScope = Literal["global", "categories", "providers"]


def markup_rules(store: Store) -> MarkupRules:
    """The rules stored now (the defaults when none are)."""
    return MarkupRules.model_validate(store.get_setting(SETTING_KEY) or {})


def save_markup_rules(store: Store, rules: MarkupRules) -> None:
    """Store the rules; the catalog picks them up within a minute."""
    store.set_setting(SETTING_KEY, rules.model_dump(mode="json"))


def markup_rules_with(
    rules: MarkupRules, scope: MarkupScope, name: str, percent: Decimal
) -> MarkupRules:
    """`rules` with one percent changed: global, or for one category or provider.

    Raises:
        ValueError: the percent is outside 0–100 or a category/provider has no name.
    """
    if not 0 <= percent <= 100:
        raise ValueError("percent must be between 0 and 100")
    if scope == "global":
        return rules.model_copy(update={"percent": percent})
    if not name.strip():
        raise ValueError("a category or provider needs a name")
    table = dict(getattr(rules, scope))
    table[name.strip().casefold()] = Markup(percent=percent, flat=rules.flat)
    return rules.model_copy(update={scope: table})


def bill_fee_rules_with(rules: MarkupRules, fee: int) -> MarkupRules:
    """`rules` with another flat fee per postpaid bill.

    Raises:
        ValueError: the fee is outside 0–100.000.
    """
    if not 0 <= fee <= 100_000:
        raise ValueError("the bill fee must be between 0 and 100.000")
    return rules.model_copy(update={"bill_fee": fee})


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
    if not rest:
        turn.say("Format: /retry REF")
        return
    ref = rest.upper()
    turn.say(retry_reply(ref, retry_order(turn.components, ref)))


def retry_order(components: Components, ref: str) -> Settled:
    """Ask the supplier about order `ref` and settle it (shared with the web console)."""
    from shared.services.settlement import settle  # noqa: PLC0415

    return settle("order", ref, components.settle_deps, recheck_final=True)


def retry_reply(ref: str, outcome: Settled) -> str:
    """What the admin reads after a retry."""
    return f"Cek ulang {ref} ke supplier: {outcome.value}"


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
    turn.say(refund_reply(ref, outcome, force=force))


def refund_reply(ref: str, outcome: RefundOutcome, *, force: bool = False) -> str:
    """What the admin reads after a refund (shared with the web console)."""
    if force and outcome == "refunded":
        return f"Refund {ref} dipaksa: saldo pelanggan sudah kembali."
    return _REFUND_TEXT[outcome].format(ref=ref)


def _login(turn: Turn, _rest: str) -> None:
    """A one-time link into the web console, for the admin who asked."""
    from shared.services.console_login import issue_login_link, login_message  # noqa: PLC0415

    phone = turn.message.sender_phone or ""
    link = issue_login_link(
        turn.components.store,
        phone=phone,
        base_url=turn.components.settings.console_base_url,
        now=turn.now,
    )
    log.info("console link sent to admin %s", hash_id(phone))
    turn.say(login_message(link))


_VERBS = {
    "markup": _markup,
    "saldo": _supplier_balance,
    "laporan": _report,
    "order": _order,
    "retry": _retry,
    "refund": _refund,
    "login": _login,
    "console": _login,
    "konsol": _login,
}
