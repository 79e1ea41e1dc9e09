"""Deposits: methods, opening an invoice (a QR image or where to pay), and status.

A deposit moves no saldo until the supplier says it was paid, so a plain deposit needs no YA;
the money arrives through the webhook/reconciler (`credit_deposit`), and `Components.notifier`
tells the customer and finishes an order that was waiting for it (`shared.services.notify`).
The method is the one the customer asked for (`via bca va`, `pake dana`, `qris`), from the
supplier's own list with its own fee and limits (`payment_methods`). A quote short of saldo has
at most one open deposit: YA again shows that same invoice again.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime

import segno

from shared.errors import SalesbotError, SupplierError
from shared.services import receipts, replies
from shared.services.dialog import payment_methods
from shared.services.dialog.payment_methods import Method
from shared.services.dialog.state import DialogState, SlotValue, amount_of
from shared.services.dialog.turn import Turn
from shared.services.language import say
from shared.services.replies import JAKARTA
from shared.store_models import Deposit, Quote
from shared.wiring import Components

log = logging.getLogger(__name__)

OPEN = {"pending", "processing"}


def deposit_methods(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """List the deposit methods the supplier offers, with their limits."""
    try:
        methods = payment_methods.available(turn.components)
    except SupplierError:
        turn.say(replies.busy())
        return
    turn.say(receipts.deposit_methods([(m.label, m.lowest, m.max) for m in methods]))


def deposit_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Open a deposit of the asked amount by the asked method (asks for what is missing)."""
    amount = amount_of(slots)
    said = str(slots.get("method") or "") or None
    if amount is None:
        _ask(turn, slots, "amount", replies.how_much_deposit())
        return
    try:
        methods = payment_methods.available(turn.components)
    except SupplierError:
        turn.say(replies.busy())
        return
    method = payment_methods.pick(methods, said)
    if method is None:
        _ask(
            turn, {"amount": amount}, "method", receipts.unknown_method(said or "", _rows(methods))
        )
        return
    problem = limit_problem(method, amount)
    if problem:
        _ask(turn, {"method": method.code}, "amount", problem)
        return
    open_deposit(turn, method, amount, quote=None)


def limit_problem(method: Method, amount: int) -> str | None:
    """The method's own limits, in the reply, when `amount` is outside them."""
    if method.lowest <= amount <= method.max:
        return None
    return receipts.deposit_limits(method.label, method.lowest, method.max)


def quote_deposit(turn: Turn, amount: int, method_said: str | None = None) -> None:
    """A deposit quote (the Gemini path proposes; YA opens the invoice)."""
    methods = payment_methods.available(turn.components)
    method = payment_methods.pick(methods, method_said)
    if method is None:
        raise SalesbotError(receipts.unknown_method(method_said or "", _rows(methods)))
    problem = limit_problem(method, amount)
    if problem:
        raise SalesbotError(problem)
    components = turn.components
    quote = components.store.create_quote(
        customer_id=turn.customer_id,
        kind="deposit",
        payload={"method": method.code, "name": f"Deposit {method.label}"},
        amount=amount,
        ttl_seconds=components.settings.quote_ttl_seconds,
        now=turn.now,
    )
    turn.state = DialogState(
        quote_id=quote.id,
        quote_intent="deposit_create",
        slots={"amount": amount, "method": method.code},
    )
    turn.say(
        say(
            f"Isi saldo *{replies.rupiah(amount)}* lewat {method.label} ya kak?",
            f"Add *{replies.rupiah(amount)}* to your balance by {method.label}?",
        )
        + f"\n{receipts.confirm_hint()}"
    )


def deposit_for_quote(turn: Turn, quote: Quote, shortfall: int) -> None:
    """Saldo is short for `quote`: its one deposit, opened now or shown again.

    The amount and method are the ones its card promised (kept in `payload["deposit"]`) as long
    as the shortfall is still the one the card was made for.
    """
    offer = quote.payload.get("deposit")
    promised = offer if isinstance(offer, dict) else {}
    method_code = str(promised.get("method") or "") or None
    if promised.get("shortfall") == shortfall:
        deposit_of_quote(turn, quote, int(str(promised["pay"])), method_code)
    else:
        deposit_of_quote(turn, quote, None, method_code, shortfall=shortfall)


def deposit_of_quote(
    turn: Turn,
    quote: Quote,
    amount: int | None,
    method_code: str | None,
    *,
    shortfall: int = 0,
) -> None:
    """The one open deposit of a quote: shown again when it exists, else opened.

    `amount` None: the smallest deposit that covers `shortfall` by that method.
    """
    store = turn.components.store
    latest = store.latest_deposit_for_quote(quote.id)
    if latest is not None and latest.status in OPEN:
        if latest.qr_string or latest.pay_to:
            show_again(turn, latest)
            return
        store.close_deposit(latest.reff_id, "failed")  # opened here, never at the supplier
    elif latest is not None and latest.status == "success" and quote.kind == "deposit":
        turn.say(receipts.deposit_already_paid())
        return
    try:
        method = payment_methods.pick(payment_methods.available(turn.components), method_code)
    except SupplierError:
        method = None
    if method is None:
        turn.say(replies.busy())
        return
    pay = amount if amount is not None else payment_methods.to_cover(method, shortfall)
    open_deposit(turn, method, pay, quote=quote)


def open_deposit(turn: Turn, method: Method, amount: int, *, quote: Quote | None) -> None:
    """Create the deposit in the ledger and at the supplier, then show how to pay it."""
    components = turn.components
    store = components.store
    created = store.create_deposit(
        turn.customer_id, amount, metode=method.code, quote_id=quote.id if quote else None
    )
    reff_id = str(created.reff_id)
    try:
        invoice = components.supplier.create_deposit(
            reff_id=reff_id, nominal=amount, metode=method.code, type_=method.type
        )
    except SupplierError as exc:
        log.warning("deposit invoice failed: %s", type(exc).__name__)
        store.close_deposit(reff_id, "failed")
        turn.say(replies.busy())
        return
    store.update_deposit_invoice(
        reff_id,
        atl_id=invoice.id,
        qr_string=invoice.qr_string,
        fee=invoice.fee,
        get_balance=invoice.get_balance,
        expires_at=jakarta_time(invoice.expired_at),
        tambahan=invoice.tambahan,
    )
    pay_to = None
    if not invoice.qr_string:
        pay_to = _pay_to(invoice.nomor_va or invoice.tujuan, invoice.atas_nama, invoice.url)
    if pay_to:
        store.set_deposit_pay_to(reff_id, pay_to)
    if quote is not None:
        name = str(quote.payload.get("name") or quote.payload.get("code") or "pesanan")
        qris = bool(invoice.qr_string)
        turn.say(receipts.shortfall_deposit_intro(name, amount, method.label, qris=qris))
    deposit = store.get_deposit(reff_id=reff_id)
    if deposit is not None:
        _show(turn, deposit, total=invoice.nominal + (invoice.tambahan or 0), label=method.label)


def show_again(turn: Turn, deposit: Deposit) -> None:
    """YA again while the quote's deposit is open: the same invoice, never a second one."""
    label = _label(turn.components, deposit.metode)
    _show(turn, deposit, total=deposit.nominal + deposit.tambahan, label=label, again=True)


def _show(turn: Turn, deposit: Deposit, *, total: int, label: str, again: bool = False) -> None:
    """The QR image with how to pay, or where to transfer for a bank or e-wallet method."""
    lead = receipts.same_deposit_again() + "\n" if again else ""
    if deposit.qr_string:
        caption = receipts.deposit_qris_caption(total, deposit.expires_at, deposit.reff_id)
        image = qr_png(turn.components, deposit.qr_string, deposit.reff_id)
        turn.send_image(image, lead + caption)
        return
    turn.say(
        lead
        + receipts.deposit_transfer_text(
            label, total, deposit.pay_to or "-", deposit.expires_at, deposit.reff_id
        )
    )


def _pay_to(account: str | None, holder: str | None, url: str | None) -> str | None:
    """Where a bank or e-wallet deposit is paid: the account and holder, or a payment link."""
    if account:
        return f"{account} a.n. {holder}" if holder else account
    return url or None


def _label(components: Components, code: str) -> str:
    try:
        method = payment_methods.pick(payment_methods.available(components), code)
    except SupplierError:
        method = None
    return method.label if method is not None else code.upper()


def _rows(methods: list[Method]) -> list[tuple[str, int, int]]:
    return [(m.label, m.lowest, m.max) for m in methods]


def _ask(turn: Turn, slots: dict[str, SlotValue], slot: str, question: str) -> None:
    turn.state = DialogState(intent="deposit_create", slots=slots, asking=slot)
    turn.say(question)


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
