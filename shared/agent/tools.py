"""The agent's tools: one pydantic argument model and one short handler each, in one registry.

The model's docstring becomes the function description and its `Field` descriptions the
parameter docs Gemini reads, so they are prompts: short and exact. Handlers only delegate to
`AgentServices`. Tools whose name starts with `propose_` create a quote and nothing else; no
tool confirms a quote or moves money (only the customer's own YA does, outside the model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.agent.context import Proposal, ToolContext

_Target = Field(description="phone number (08…), game id with zone, or meter number")
_Code = Field(description="exact product code from search_products/price_list")


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SearchProducts(_Args):
    """Find products by words and/or budget (e.g. 'ml 86 diamond', 'pulsa tsel', 'punya 5000')."""

    query: str = Field(description="what the customer wants, in their words; '' for any")
    budget: int | None = Field(default=None, ge=1, description="max price in rupiah, if given")


class PriceList(_Args):
    """Price list of one provider or category; without provider, the list of categories."""

    provider: str | None = Field(default=None, description="provider/category, e.g. TELKOMSEL")
    postpaid: bool = Field(default=False, description="true for bills (PLN pascabayar, BPJS…)")


class BillInquiry(_Args):
    """Check a postpaid bill (name, period, amount) before paying it."""

    product_code: str = _Code
    customer_no: str = Field(description="customer/meter number of the bill")


class NoArgs(_Args):
    """No arguments."""


class AccountCheck(_Args):
    """Look up the holder name of a bank or e-wallet account before a transfer."""

    bank_code: str = Field(description="bank code from bank_list, e.g. bca, dana")
    account_no: str = Field(description="account or phone number")


class CheckStatus(_Args):
    """Status of an order, deposit or transfer; without ref, the latest one."""

    kind: Literal["order", "deposit", "transfer"] = Field(description="what to check")
    ref: str | None = Field(default=None, description="reference/id the customer gave, if any")


class History(_Args):
    """The customer's latest transactions."""

    limit: int = Field(default=5, ge=1, le=10, description="how many to list")


class ProposeTopup(_Args):
    """QUOTE a prepaid product (pulsa, data, game, e-money, PLN token); customer replies YA."""

    product_code: str = _Code
    target: str = _Target
    operator_confirmed: bool = Field(
        default=False,
        description="true: told it is another operator's number, customer still wants this",
    )


class ProposeBillPayment(_Args):
    """Create a QUOTE to pay a postpaid bill. Only proposes: the customer must reply YA."""

    product_code: str = _Code
    customer_no: str = Field(description="customer/meter number of the bill")


class ProposeDeposit(_Args):
    """Create a QUOTE for a saldo deposit. Only proposes: the customer must reply YA."""

    amount: int = Field(ge=1, description="deposit amount in rupiah")
    method: str = Field(default="qris", description="deposit method code from deposit_methods")


class ProposeTransfer(_Args):
    """Create a QUOTE to transfer saldo to a bank/e-wallet. The customer must reply YA."""

    bank_code: str = Field(description="bank code from bank_list")
    account_no: str = Field(description="destination account or phone number")
    amount: int = Field(ge=1, description="amount in rupiah")
    note: str | None = Field(default=None, description="optional transfer note")
    account_name: str | None = Field(default=None, description="holder name given")


def _propose(ctx: ToolContext, proposal: Proposal) -> dict[str, object]:
    ctx.proposals.append(proposal)
    return {"quote_id": proposal.quote_id, "quote": proposal.message, "needs": "customer YA"}


def _search(a: SearchProducts, c: ToolContext) -> object:
    return c.services.search_products(c.customer_id, a.query, a.budget)


def _price_list(a: PriceList, c: ToolContext) -> object:
    return c.services.price_list(c.customer_id, a.provider, a.postpaid)


def _bill(a: BillInquiry, c: ToolContext) -> object:
    return c.services.bill_inquiry(c.customer_id, a.product_code, a.customer_no)


def _methods(a: NoArgs, c: ToolContext) -> object:
    return c.services.deposit_methods(c.customer_id)


def _banks(a: NoArgs, c: ToolContext) -> object:
    return c.services.bank_list(c.customer_id)


def _account(a: AccountCheck, c: ToolContext) -> object:
    return c.services.account_check(c.customer_id, a.bank_code, a.account_no)


def _status(a: CheckStatus, c: ToolContext) -> object:
    return c.services.status(c.customer_id, a.kind, a.ref)


def _balance(a: NoArgs, c: ToolContext) -> object:
    return c.services.balance(c.customer_id)


def _history(a: History, c: ToolContext) -> object:
    return c.services.history(c.customer_id, a.limit)


def _topup(a: ProposeTopup, c: ToolContext) -> object:
    quote = c.services.propose_topup(c.customer_id, a.product_code, a.target, a.operator_confirmed)
    return _propose(c, quote)


def _bill_pay(a: ProposeBillPayment, c: ToolContext) -> object:
    quote = c.services.propose_bill_payment(c.customer_id, a.product_code, a.customer_no)
    return _propose(c, quote)


def _deposit(a: ProposeDeposit, c: ToolContext) -> object:
    return _propose(c, c.services.propose_deposit(c.customer_id, a.amount, a.method))


def _transfer(a: ProposeTransfer, c: ToolContext) -> object:
    quote = c.services.propose_transfer(
        c.customer_id, a.bank_code, a.account_no, a.amount, a.note, account_name=a.account_name
    )
    return _propose(c, quote)


Handler = Callable[[Any, ToolContext], object]

TOOLS: dict[str, tuple[type[_Args], Handler]] = {
    "search_products": (SearchProducts, _search),
    "price_list": (PriceList, _price_list),
    "bill_inquiry": (BillInquiry, _bill),
    "deposit_methods": (NoArgs, _methods),
    "bank_list": (NoArgs, _banks),
    "account_check": (AccountCheck, _account),
    "check_status": (CheckStatus, _status),
    "get_balance": (NoArgs, _balance),
    "get_history": (History, _history),
    "propose_topup": (ProposeTopup, _topup),
    "propose_bill_payment": (ProposeBillPayment, _bill_pay),
    "propose_deposit": (ProposeDeposit, _deposit),
    "propose_transfer": (ProposeTransfer, _transfer),
}
"""name → (argument model, handler): the whole tool surface the model sees."""

_DESCRIPTIONS = {
    "deposit_methods": "List deposit methods with minimum and fee.",
    "bank_list": "List banks and e-wallets a transfer can go to.",
    "get_balance": "The customer's current saldo.",
}


def description(name: str) -> str:
    """The function description sent to Gemini: the argument model's docstring."""
    model = TOOLS[name][0]
    return _DESCRIPTIONS.get(name) or " ".join((model.__doc__ or "").split())


def parameters_schema(name: str) -> dict[str, object]:
    """The JSON schema of a tool's arguments, trimmed of what costs bytes and tells nothing.

    Titles, `additionalProperties` and the null branch of optionals are dropped; unknown or
    null arguments are still checked locally by the argument model.
    """
    schema = TOOLS[name][0].model_json_schema()
    schema.pop("description", None)
    stripped: dict[str, object] = _strip_titles(schema)
    return stripped


_DROPPED = frozenset({"title", "additionalProperties"})


def _strip_titles(node: Any) -> Any:
    if isinstance(node, dict):
        variants = node.get("anyOf")
        if isinstance(variants, list) and {"type": "null"} in variants and len(variants) == 2:
            # `X | None = None` is just an optional X for the model: send X, without the null.
            (kept,) = [v for v in variants if v != {"type": "null"}]
            rest = {k: v for k, v in node.items() if k != "anyOf" and (k, v) != ("default", None)}
            node = {**kept, **rest}
        return {k: _strip_titles(v) for k, v in node.items() if k not in _DROPPED}
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node
