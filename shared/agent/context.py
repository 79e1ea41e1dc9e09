"""What the agent's tools may call: the services seam, and the per-turn tool context.

`AgentServices` is implemented by the conversation engine over its services (catalog search,
quotes, supplier reads, wallet). Every method takes the customer id first and returns plain JSON
data (dicts, lists, numbers, strings) that goes back to the model as the tool result. Proposal
methods only create a quote the customer must confirm with YA; no method confirms anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

StatusKind = Literal["order", "deposit", "transfer"]


class Proposal(BaseModel):
    """A quote created by a proposal tool; `message` is the exact text the customer sees."""

    model_config = ConfigDict(frozen=True)

    quote_id: str
    message: str
    total: int | None = None


class AgentServices(Protocol):
    """Read services and quote creation, as the agent's tools need them."""

    def search_products(self, customer_id: str, query: str, budget: int | None) -> object:
        """Products matching a free-text query (and a maximum price), cheapest first."""
        ...

    def price_list(self, customer_id: str, provider: str | None, postpaid: bool) -> object:
        """Prices of one provider/category, or the list of categories."""
        ...

    def bill_inquiry(self, customer_id: str, product_code: str, customer_no: str) -> object:
        """The postpaid bill of a customer number: name, period, amount."""
        ...

    def deposit_methods(self, customer_id: str) -> object:
        """Deposit methods with their minimum and fee."""
        ...

    def bank_list(self, customer_id: str) -> object:
        """Banks and e-wallets a transfer can go to."""
        ...

    def account_check(self, customer_id: str, bank_code: str, account_no: str) -> object:
        """The holder name behind an account number."""
        ...

    def status(self, customer_id: str, kind: StatusKind, ref: str | None) -> object:
        """Status of one order, deposit or transfer (the latest when `ref` is None)."""
        ...

    def balance(self, customer_id: str) -> object:
        """The customer's saldo."""
        ...

    def history(self, customer_id: str, limit: int) -> object:
        """The customer's latest orders, deposits and transfers."""
        ...

    def propose_topup(
        self, customer_id: str, product_code: str, target: str, operator_confirmed: bool = False
    ) -> Proposal:
        """A quote for a prepaid product to a target.

        A pulsa/data product of another operator than the number's is refused with a question
        unless `operator_confirmed` (the customer was told and still wants it).
        """
        ...

    def propose_bill_payment(
        self, customer_id: str, product_code: str, customer_no: str
    ) -> Proposal:
        """A quote for paying a postpaid bill."""
        ...

    def propose_deposit(self, customer_id: str, amount: int, method: str) -> Proposal:
        """A quote for a deposit (QRIS by default)."""
        ...

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
        """A quote for a transfer out of the saldo (`account_name`: the holder they named)."""
        ...


@dataclass(kw_only=True)
class ToolContext:
    """Per-turn context handed to every tool: who is asking, the services, what was proposed."""

    customer_id: str
    services: AgentServices
    proposals: list[Proposal] = field(default_factory=list)
