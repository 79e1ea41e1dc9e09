"""Saldo, history and order status: read-only answers straight from the ledger."""

from __future__ import annotations

from shared.services import receipts, replies
from shared.services.dialog.state import SlotValue
from shared.services.dialog.turn import Turn

HISTORY_LINES = 5


def balance(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """The customer's saldo."""
    turn.say(receipts.balance(turn.components.store.get_balance(turn.customer_id).balance))


def history(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """The last few orders, deposits and transfers."""
    items = turn.components.store.history(turn.customer_id, limit=HISTORY_LINES)
    lines = [
        receipts.HistoryLine(
            when=item.created_at,
            what=_what(item.kind, item.label, item.target),
            amount=item.amount,
            status=item.status,
        )
        for item in items
    ]
    turn.say(receipts.history(lines))


def order_status(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """The state of one order (by ref, else the latest one), as a receipt."""
    store = turn.components.store
    ref = str(slots.get("ref") or "").strip().upper()
    if not ref:
        latest = store.history(turn.customer_id, limit=1)
        if not latest:
            turn.say(receipts.history([]))
            return
        ref = latest[0].reff_id
    order = store.get_order(reff_id=ref)
    if order is not None and order.customer_id == turn.customer_id:
        turn.say(receipts.receipt(receipts.order_receipt(order)))
        return
    deposit = store.get_deposit(reff_id=ref)
    if deposit is not None and deposit.customer_id == turn.customer_id:
        turn.say(
            receipts.deposit_status(
                deposit.nominal, deposit.status, deposit.reff_id, deposit.get_balance
            )
        )
        return
    transfer = store.get_transfer(reff_id=ref)
    if transfer is not None and transfer.customer_id == turn.customer_id:
        turn.say(
            f"Transfer {transfer.reff_id}: {replies.rupiah(transfer.nominal)} ke "
            f"{transfer.bank_code.upper()} {transfer.nomor_tujuan} — "
            f"{receipts.status_label(transfer.status)}"
        )
        return
    turn.say(f"Pesanan {ref} nggak ketemu kak 🙏 Cek lagi nomor ref-nya ya.")


def _what(kind: str, label: str | None, target: str | None) -> str:
    if kind == "deposit":
        return "Deposit"
    if kind == "transfer":
        return f"Transfer ke {target}" if target else "Transfer"
    name = label or "Pesanan"
    return f"{name} → {target}" if target else name
