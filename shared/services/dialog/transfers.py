"""Transfers to a bank or e-wallet: bank list, account check (name), quote with the fee."""

from __future__ import annotations

import logging
import re

from shared.errors import SupplierError, SupplierRejected
from shared.services import receipts, replies
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn

log = logging.getLogger(__name__)

TRANSFER_FEE = 2_000  # Atlantic's flat transfer fee in every documented example
MIN_TRANSFER = 10_000
MAX_TRANSFER = 5_000_000


def transfer_banks(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """Which banks and e-wallets a transfer can go to."""
    try:
        banks = turn.components.supplier.bank_list()
    except SupplierError:
        turn.say(replies.BUSY)
        return
    wallets = [b.bank_name for b in banks if b.type != "bank"]
    names = wallets + [b.bank_name for b in banks if b.type == "bank"]
    turn.say(receipts.bank_list(names))


def transfer_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Fill bank, account and amount one at a time, check the account, then quote."""
    bank = str(slots.get("bank") or "").strip().lower()
    if not bank:
        _ask(turn, slots, "bank")
        return
    account = re.sub(r"\D", "", str(slots.get("account_no") or slots.get("target") or ""))
    if not account:
        _ask(turn, slots, "account_no")
        return
    amount = slots.get("amount")
    if not isinstance(amount, int):
        turn.state = DialogState(
            intent="transfer_create",
            slots={**slots, "bank": bank, "account_no": account},
            asking="amount",
        )
        turn.say("Mau transfer berapa kak?")
        return
    if not MIN_TRANSFER <= amount <= MAX_TRANSFER:
        turn.say(
            f"Transfer bisa dari {replies.rupiah(MIN_TRANSFER)} sampai "
            f"{replies.rupiah(MAX_TRANSFER)} ya kak."
        )
        return
    quote_transfer(turn, bank, account, amount)


def quote_transfer(turn: Turn, bank: str, account: str, amount: int) -> None:
    """Check the account name at the supplier and show the quote card."""
    components = turn.components
    try:
        checked = components.supplier.check_account(bank_code=bank, account_number=account)
    except SupplierRejected:
        checked = None
    except SupplierError:
        turn.say(replies.BUSY)
        return
    if checked is None or not checked.valid:
        turn.say(
            f"Rekening {bank.upper()} {account} nggak ketemu kak 🙏 Cek lagi bank dan nomornya ya."
        )
        return
    store = components.store
    quote = store.create_quote(
        customer_id=turn.customer_id,
        kind="transfer",
        payload={
            "bank_code": bank,
            "account_number": account,
            "account_name": checked.nama_pemilik,
            "nominal": amount,
            "fee": TRANSFER_FEE,
            "target": account,
            "name": f"Transfer {bank.upper()}",
        },
        amount=amount + TRANSFER_FEE,
        ttl_seconds=components.settings.quote_ttl_seconds,
        now=turn.now,
    )
    balance = store.get_balance(turn.customer_id).balance
    turn.state = DialogState(quote_id=quote.id, quote_intent="transfer_create")
    turn.say(
        receipts.quote_card(
            receipts.QuoteCard(
                title="Cek dulu ya kak",
                lines=[
                    ("Tujuan", f"{bank.upper()} {account}"),
                    ("Nama", checked.nama_pemilik or "-"),
                    ("Nominal", replies.rupiah(amount)),
                    ("Biaya", replies.rupiah(TRANSFER_FEE)),
                ],
                price=quote.amount,
                balance=balance,
                ttl_minutes=max(components.settings.quote_ttl_seconds // 60, 1),
            )
        )
    )


def _ask(turn: Turn, slots: dict[str, SlotValue], slot: str) -> None:
    turn.state = DialogState(intent="transfer_create", slots=slots, asking=slot)
    turn.say(replies.ask(slot))
