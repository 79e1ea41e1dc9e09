"""Saldo, history and account checks: read-only answers from the ledger and the supplier."""

from __future__ import annotations

import re

from shared.services import receipts, replies
from shared.services.dialog import transfers
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.services.language import say

HISTORY_LINES = 5
# Below this saldo the reply mentions how to top it up, once every SUGGEST_SECONDS.
LOW_SALDO = 10_000
SUGGEST_SECONDS = 30 * 60


def balance(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """The customer's saldo (with how to top it up when it is low, not every time)."""
    amount = turn.components.store.get_balance(turn.customer_id).balance
    suggest = amount < LOW_SALDO and turn.components.cache.set(
        f"saldo-hint:{turn.customer_id}", "1", ttl_seconds=SUGGEST_SECONDS, nx=True
    )
    turn.say(receipts.balance(amount, suggest_deposit=suggest))


def account_check(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Whose account a bank or e-wallet number is; then the amount, if they want to send."""
    bank = str(slots.get("bank") or "").strip().lower()
    number = re.sub(r"\D", "", str(slots.get("account_no") or slots.get("target") or ""))
    if not bank or not number:
        turn.state = DialogState(
            intent="transfer_check", slots=slots, asking="bank" if not bank else "account_no"
        )
        turn.say(replies.ask("bank" if not bank else "account_no"))
        return
    checked = transfers.check_holder(turn, bank, number)
    if checked is None:
        return
    turn.state = DialogState(
        intent="transfer_create", slots={"bank": bank, "account_no": number}, asking="amount"
    )
    turn.say(replies.account_holder(bank, number, checked.nama_pemilik))


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


def _what(kind: str, label: str | None, target: str | None) -> str:
    if kind == "deposit":
        return "Deposit"
    if kind == "transfer":
        return f"Transfer {say('ke', 'to')} {target}" if target else "Transfer"
    name = label or say("Pesanan", "Order")
    return f"{name} → {target}" if target else name
