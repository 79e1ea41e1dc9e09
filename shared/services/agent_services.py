"""The conversation services behind the Gemini tools (`shared.agent.context.AgentServices`).

Reads return plain JSON data from the catalog, the supplier and the ledger. Proposals run the
same quote code as the rules path on a scratch copy of the current turn and return the quote
card's exact text; they never confirm anything. The engine binds the turn being answered
(`bound_turn`) so a tool can only act for the customer who is talking.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from shared.agent.context import Proposal, StatusKind
from shared.domain.catalog import Product
from shared.domain.followups import Followup
from shared.errors import SalesbotError, StoreError
from shared.services.dialog import bills, deposits, followups, products, topup, transfers
from shared.services.dialog.state import DialogState, SlotValue
from shared.services.dialog.turn import Turn
from shared.wiring import Components

_CURRENT: ContextVar[Turn | None] = ContextVar("current_turn", default=None)
LIST_LIMIT = 8


@contextmanager
def bound_turn(turn: Turn) -> Iterator[None]:
    """Make `turn` the one the agent's tools act for while the brain answers it."""
    token = _CURRENT.set(turn)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def _item(p: Product) -> dict[str, object]:
    return {"code": p.code, "name": p.name, "price": p.sell_price, "available": p.available}


class ConversationServices:
    """`AgentServices` over the dialog's services for one process."""

    def __init__(self, components: Components) -> None:
        self._components = components

    def _turn(self, customer_id: str) -> Turn:
        turn = _CURRENT.get()
        if turn is None or turn.customer_id != customer_id:
            raise SalesbotError("no conversation with this customer right now")
        return turn

    def _scratch(self, customer_id: str, action: Callable[[Turn], None]) -> Turn:
        """Run a dialog step on a copy of the current turn (own replies and state)."""
        turn = self._turn(customer_id)
        scratch = dataclasses.replace(turn, replies=[], state=DialogState())
        action(scratch)
        return scratch

    def _proposal(self, customer_id: str, action: Callable[[Turn], None]) -> Proposal:
        """A quote made on a scratch turn; its card is the proposal's message.

        A proposal that fails after its quote was created cancels that quote: no card was
        shown, so nothing may be confirmed (YA only ever confirms the card shown last).
        """
        turn = self._turn(customer_id)
        scratch = dataclasses.replace(turn, replies=[], state=DialogState())
        try:
            action(scratch)
            quote = (
                self._components.store.get_quote(scratch.state.quote_id)
                if scratch.state.quote_id
                else None
            )
        except Exception:
            if scratch.state.quote_id is not None:
                with contextlib.suppress(StoreError):  # the store may be what failed
                    self._components.store.cancel_open_quotes(customer_id)
            raise
        text = "\n".join(r.text or r.caption or "" for r in scratch.replies)
        if scratch.state.quote_id is None:
            raise SalesbotError(text or "could not create the quote")
        return Proposal(
            quote_id=scratch.state.quote_id,
            message=text,
            total=quote.amount if quote else None,
        )

    # --- reads --------------------------------------------------------------------------------

    def search_products(self, customer_id: str, query: str, budget: int | None) -> object:
        """Matching products (and within a budget), best first."""
        self._turn(customer_id)
        if budget is not None:
            found = products.within_budget(
                self._components, budget, brand=query or None, limit=LIST_LIMIT
            )
        else:
            found = products.find(self._components, query, limit=LIST_LIMIT).items
        return {"items": [_item(p) for p in found]}

    def price_list(self, customer_id: str, provider: str | None, postpaid: bool) -> object:
        """Prices of one provider or category (postpaid: the bill products)."""
        self._turn(customer_id)
        if postpaid:
            return {"items": products.postpaid_products(self._components)}
        found = products.find(self._components, provider or "", limit=LIST_LIMIT)
        return {"items": [_item(p) for p in found.items], "more": found.more}

    def bill_inquiry(self, customer_id: str, product_code: str, customer_no: str) -> object:
        """A bill's holder, amount and total (a quote is made by propose_bill_payment)."""
        self._turn(customer_id)
        bill = bills.inquire(self._components, product_code, customer_no)
        return {
            "name": bill.nama_pelanggan,
            "bill": bill.harga,
            "admin": bill.biaya_admin,
            "total": products.bill_sell_price(self._components, bill.total_tagihan),
        }

    def deposit_methods(self, customer_id: str) -> object:
        """Deposit methods with their limits."""
        self._turn(customer_id)
        methods = self._components.supplier.deposit_methods()
        return {"methods": [{"code": m.metode, "min": m.min, "max": m.max} for m in methods]}

    def bank_list(self, customer_id: str) -> object:
        """Transfer destinations."""
        self._turn(customer_id)
        banks = self._components.supplier.bank_list()
        return {"banks": [{"code": b.bank_code, "name": b.bank_name} for b in banks]}

    def account_check(self, customer_id: str, bank_code: str, account_no: str) -> object:
        """The holder name of an account."""
        self._turn(customer_id)
        checked = self._components.supplier.check_account(
            bank_code=bank_code, account_number=account_no
        )
        return {"name": checked.nama_pemilik, "valid": checked.valid}

    def status(self, customer_id: str, kind: StatusKind, ref: str | None) -> object:
        """The customer-facing status text of an order, deposit or transfer."""
        asked = Followup(kind="status", subject=kind, ref=ref.strip().upper() if ref else None)
        scratch = self._scratch(customer_id, lambda t: followups.answer(t, asked))
        return {"status": "\n".join(r.text or "" for r in scratch.replies)}

    def balance(self, customer_id: str) -> object:
        """The saldo."""
        self._turn(customer_id)
        return {"balance": self._components.store.get_balance(customer_id).balance}

    def history(self, customer_id: str, limit: int) -> object:
        """The latest orders, deposits and transfers."""
        self._turn(customer_id)
        items = self._components.store.history(customer_id, limit=limit)
        return {
            "items": [
                {"kind": i.kind, "ref": i.reff_id, "status": i.status, "amount": i.amount}
                for i in items
            ]
        }

    # --- proposals (quotes only) --------------------------------------------------------------

    def propose_topup(
        self, customer_id: str, product_code: str, target: str, operator_confirmed: bool = False
    ) -> Proposal:
        """A top-up quote card (a number of another operator asks first, unless confirmed)."""
        slots: dict[str, SlotValue] = {"code": product_code, "target": target}
        if operator_confirmed:
            slots["operator_ok"] = 1
        return self._proposal(customer_id, lambda t: topup.topup_create(t, slots))

    def propose_bill_payment(
        self, customer_id: str, product_code: str, customer_no: str
    ) -> Proposal:
        """A bill payment quote card (after the inquiry)."""
        return self._proposal(
            customer_id, lambda t: bills.quote_bill(t, product_code, customer_no)
        )

    def propose_deposit(self, customer_id: str, amount: int, method: str) -> Proposal:
        """A deposit quote: YA creates the QRIS."""
        return self._proposal(customer_id, lambda t: deposits.quote_deposit(t, amount, method))

    def propose_transfer(
        self,
        customer_id: str,
        bank_code: str,
        account_no: str,
        amount: int,
        note: str | None,
        *,
        account_name: str | None = None,
    ) -> Proposal:
        """A transfer quote card (after the account check; a name given is compared)."""
        slots: dict[str, SlotValue] = {"bank": bank_code, "account_no": account_no}
        slots["amount"] = amount
        if account_name:
            slots["account_name"] = account_name
        return self._proposal(customer_id, lambda t: transfers.transfer_create(t, slots))
