"""Transfers to a bank or e-wallet: bank list, account check (whose account), quote with the fee.

The card always shows the holder name the supplier's account check reports. When the customer
named the holder (`a.n. Budi`), the names are compared (`shared.domain.names`); a mismatch is
said plainly on the card, above the YA that confirms it. The fee is the supplier's own
(`shared.services.transfer_fees`). E-wallet accounts are phone numbers.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from shared.domain.aliases import aliases
from shared.domain.names import holder_matches
from shared.domain.targets import ascii_digits, normalise_phone
from shared.errors import SupplierError, SupplierRejected
from shared.services import receipts, replies, transfer_fees
from shared.services.dialog.quote_card import show_quote
from shared.services.dialog.state import DialogState, SlotValue, amount_of
from shared.services.dialog.turn import Turn
from shared.services.language import say

if TYPE_CHECKING:
    from shared.adapters.atlantic.models import AccountCheck

log = logging.getLogger(__name__)

MIN_TRANSFER = 10_000
MAX_TRANSFER = 5_000_000


def transfer_banks(turn: Turn, _slots: dict[str, SlotValue]) -> None:
    """Which banks and e-wallets a transfer can go to."""
    try:
        banks = turn.components.supplier.bank_list()
    except SupplierError:
        turn.say(replies.busy())
        return
    wallets = [b.bank_name for b in banks if b.type != "bank"]
    names = wallets + [b.bank_name for b in banks if b.type == "bank"]
    turn.say(receipts.bank_list(names))


def is_wallet(bank: str) -> bool:
    """E-wallets (DANA, OVO, GoPay, …) take a phone number as the account."""
    return aliases().group_of(bank) == "E-Money"


def transfer_create(turn: Turn, slots: dict[str, SlotValue]) -> None:
    """Fill bank, account and amount one at a time, check the account, then quote."""
    bank = str(slots.get("bank") or "").strip().lower()
    if not bank:
        _ask(turn, slots, "bank")
        return
    raw = ascii_digits(str(slots.get("account_no") or slots.get("target") or ""))
    account = (normalise_phone(raw) or "") if is_wallet(bank) else re.sub(r"\D", "", raw)
    if not account:
        if raw.strip():
            turn.say(
                say(
                    f"Nomor {bank.upper()} itu nomor HP kak (diawali 08, 10–13 digit) 🙏",
                    f"A {bank.upper()} number is a phone number (starts with 08, 10–13 digits) 🙏",
                )
            )
        _ask(turn, {**slots, "account_no": ""}, "account_no")
        return
    amount = amount_of(slots)
    if amount is None:
        turn.state = DialogState(
            intent="transfer_create",
            slots={**slots, "bank": bank, "account_no": account},
            asking="amount",
        )
        turn.say(replies.how_much_transfer())
        return
    if not MIN_TRANSFER <= amount <= MAX_TRANSFER:
        turn.say(replies.transfer_limits(MIN_TRANSFER, MAX_TRANSFER))
        return
    given = str(slots.get("account_name") or "").strip() or None
    method = str(slots.get("method") or "") or None
    quote_transfer(turn, bank, account, amount, given_name=given, method=method)


def check_holder(turn: Turn, bank: str, account: str) -> AccountCheck | None:
    """The account's holder at the supplier; None after saying it is not found or busy."""
    try:
        checked = turn.components.supplier.check_account(bank_code=bank, account_number=account)
    except SupplierRejected:
        checked = None
    except SupplierError:
        turn.say(replies.busy())
        return None
    if checked is None or not checked.valid:
        turn.say(replies.account_not_found(bank, account))
        return None
    return checked


def quote_transfer(  # noqa: PLR0913 -- the request's parts, as the customer gave them
    turn: Turn,
    bank: str,
    account: str,
    amount: int,
    *,
    given_name: str | None = None,
    method: str | None = None,
) -> None:
    """Check the account's holder at the supplier and show the quote card.

    `method`: how a short saldo's deposit is paid (QRIS when None).
    """
    components = turn.components
    checked = check_holder(turn, bank, account)
    if checked is None:
        return
    holder = (checked.nama_pemilik or "").strip()
    fee = transfer_fees.fee_for(components, bank)
    warning = None
    name_line = holder or say("- (tidak ditampilkan supplier)", "- (not shown)")
    if given_name and not (holder and holder_matches(given_name, holder)):
        warning = receipts.holder_mismatch(given_name, holder)
    elif given_name:
        name_line = say(
            f"{holder} (cocok dengan {given_name} ✅)", f"{holder} (matches {given_name} ✅)"
        )
    payload: dict[str, object] = {
        "bank_code": bank,
        "account_number": account,
        "account_name": holder,
        "nominal": amount,
        "fee": fee,
        "target": account,
        "name": f"Transfer {bank.upper()}",
    }
    if given_name:
        payload["given_name"] = given_name
    show_quote(
        turn,
        kind="transfer",
        payload=payload,
        amount=amount + fee,
        title=(
            say("Cek dulu namanya ya kak", "Please check the name")
            if warning
            else say("Cek dulu ya kak", "Please check")
        ),
        lines=[
            ("Tujuan", f"{bank.upper()} {account}"),
            ("Nama", name_line),
            ("Nominal", replies.rupiah(amount)),
            ("Biaya", replies.rupiah(fee)),
        ],
        intent="transfer_create",
        request={
            "bank": bank,
            "account_no": account,
            "amount": amount,
            **({"account_name": given_name} if given_name else {}),
            **({"method": method} if method else {}),
        },
        warning=warning,
    )


def _ask(turn: Turn, slots: dict[str, SlotValue], slot: str) -> None:
    turn.state = DialogState(intent="transfer_create", slots=slots, asking=slot)
    turn.say(replies.ask(slot))
