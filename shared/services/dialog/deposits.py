"""Deposits: methods, creating a QRIS invoice (sent as a QR image), and status.

A deposit moves no saldo until the supplier says it was paid, so creating one needs no YA; the
money arrives through the webhook/reconciler (`credit_deposit`), and `Components.notifier` tells
the customer and finishes an order that was waiting for it (`shared.services.notify`).
"""

from __future__ import annotations

import io
import logging
import math
from datetime import datetime

import segno

from shared.errors import SalesbotError, SupplierError
from shared.services import receipts, replies
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.services.replies import JAKARTA
from shared.store_models import Quote
from shared.wiring import Components

log = logging.getLogger(__name__)

DEFAULT_METHOD = "qris"
MIN_DEPOSIT = 1_000
MAX_DEPOSIT = 5_000_000
FEE_ALLOWANCE_PERCENT = 3
ROUND_TO = 500


def deposit_methods(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """List the deposit methods the supplier offers."""
    try:
        methods = turn.components.supplier.deposit_methods()
    except SupplierError:
        turn.say(replies.BUSY)
        return
    rows = [
        (m.name or m.metode, m.min, m.max)
        for m in methods
        if m.status.lower() in {"aktif", "active", ""}
    ]
    turn.say(receipts.deposit_methods(rows or [(DEFAULT_METHOD, MIN_DEPOSIT, MAX_DEPOSIT)]))


def deposit_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Create a QRIS deposit of the asked amount (asks for the amount when missing)."""
    amount = slots.get("amount")
    if not isinstance(amount, int):
        turn.state = DialogState(intent="deposit_create", slots=slots, asking="amount")
        turn.say("Mau isi saldo berapa kak? Misal _50rb_.")
        return
    if not MIN_DEPOSIT <= amount <= MAX_DEPOSIT:
        turn.say(
            f"Deposit bisa dari {replies.rupiah(MIN_DEPOSIT)} sampai "
            f"{replies.rupiah(MAX_DEPOSIT)} ya kak."
        )
        return
    send_qris(turn, amount, quote=None)


def quote_deposit(turn: Turn, amount: int) -> None:
    """A deposit quote (the Gemini path proposes; YA creates the QRIS)."""
    if not MIN_DEPOSIT <= amount <= MAX_DEPOSIT:
        raise SalesbotError(f"deposit must be {MIN_DEPOSIT}..{MAX_DEPOSIT}")
    components = turn.components
    quote = components.store.create_quote(
        customer_id=turn.customer_id,
        kind="deposit",
        payload={"method": DEFAULT_METHOD, "name": "Deposit QRIS"},
        amount=amount,
        ttl_seconds=components.settings.quote_ttl_seconds,
        now=turn.now,
    )
    turn.state = DialogState(quote_id=quote.id, quote_intent="deposit_create")
    turn.say(f"Isi saldo *{replies.rupiah(amount)}* lewat QRIS ya kak?\n{receipts.CONFIRM_HINT}")


def deposit_for_quote(turn: Turn, quote: Quote, shortfall: int) -> None:
    """Saldo is short: a QRIS deposit covering the shortfall that completes `quote` once paid."""
    send_qris(turn, gross_up(shortfall), quote=quote)


def gross_up(shortfall: int) -> int:
    """A deposit whose credit after the QRIS fees still covers `shortfall` (rest stays saldo).

    The supplier deducts a percentage fee (and, for plain QRIS, an instant-settlement fee) from
    what is paid, so the invoice is raised by FEE_ALLOWANCE_PERCENT and rounded up to Rp 500.
    """
    raised = math.ceil(shortfall * (100 + FEE_ALLOWANCE_PERCENT) / 100)
    return max(MIN_DEPOSIT, -(-raised // ROUND_TO) * ROUND_TO)


def send_qris(turn: Turn, amount: int, *, quote: Quote | None) -> None:
    """Create the deposit in the ledger and at the supplier, then send the QR and how to pay."""
    components = turn.components
    store = components.store
    created = store.create_deposit(
        turn.customer_id, amount, metode=DEFAULT_METHOD, quote_id=quote.id if quote else None
    )
    reff_id = str(created.reff_id)
    try:
        invoice = components.supplier.create_deposit(
            reff_id=reff_id, nominal=amount, metode=DEFAULT_METHOD
        )
    except SupplierError as exc:
        log.warning("deposit invoice failed: %s", type(exc).__name__)
        store.close_deposit(reff_id, "failed")
        turn.say(replies.BUSY)
        return
    expires = jakarta_time(invoice.expired_at)
    store.update_deposit_invoice(
        reff_id,
        atl_id=invoice.id,
        qr_string=invoice.qr_string,
        fee=invoice.fee,
        get_balance=invoice.get_balance,
        expires_at=expires,
        tambahan=invoice.tambahan,
    )
    if quote is not None:
        name = str(quote.payload.get("name") or quote.payload.get("code") or "pesanan")
        turn.say(
            f"Saldonya masih kurang kak. Aku buatin QRIS {replies.rupiah(amount)} ya (sudah "
            f"termasuk biaya QRIS, sisanya masuk saldo); begitu dananya masuk, *{name}* langsung "
            "aku proses otomatis 👍"
        )
    # No credit figure: a paid plain-QRIS deposit is credited through `deposit/instant`, whose
    # handling fee is only known then, so the invoice's `get_balance` is not what arrives.
    caption = receipts.deposit_qris_caption(
        invoice.nominal + (invoice.tambahan or 0), expires, reff_id
    )
    if invoice.qr_string:
        turn.send_image(qr_png(components, invoice.qr_string, reff_id), caption)
    else:
        turn.say(caption)


def deposit_status(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """The state of the customer's deposit (by ref, else the latest)."""
    store = turn.components.store
    ref = str(slots.get("ref") or "").strip().upper()
    if not ref:
        items = [i for i in store.history(turn.customer_id, limit=10) if i.kind == "deposit"]
        if not items:
            turn.say("Belum ada deposit kak 😊 Ketik _deposit 50k_ buat isi saldo.")
            return
        ref = items[0].reff_id
    deposit = store.get_deposit(reff_id=ref)
    if deposit is None or deposit.customer_id != turn.customer_id:
        turn.say(f"Deposit {ref} nggak ketemu kak 🙏")
        return
    turn.say(receipts.deposit_status(deposit.nominal, deposit.status, deposit.reff_id))


def jakarta_time(text: str | None) -> datetime | None:
    """Atlantic's naive `YYYY-MM-DD HH:MM:SS` timestamps are Jakarta time."""
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=JAKARTA)
    except ValueError:
        return None


def qr_png(components: Components, qr_string: str, reff_id: str) -> str:
    """Render the QRIS payload as a PNG into the media store; returns its reference."""
    buffer = io.BytesIO()
    segno.make(qr_string, error="m").save(buffer, kind="png", scale=8, border=2)
    return components.media.put(f"qris/{reff_id}.png", buffer.getvalue(), "image/png")
