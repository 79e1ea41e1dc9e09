"""The agent services of a process: the conversation engine's services behind `AgentServices`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from shared.errors import SalesbotError

if TYPE_CHECKING:
    from shared.agent.context import AgentServices, Proposal, StatusKind
    from shared.wiring import Components


class _Unwired:
    """Placeholder until the conversation services are wired: every tool refuses politely."""

    def _no(self) -> SalesbotError:
        return SalesbotError("this service is not available yet")

    def search_products(self, customer_id: str, query: str, budget: int | None) -> object:
        raise self._no()

    def price_list(self, customer_id: str, provider: str | None, postpaid: bool) -> object:
        raise self._no()

    def bill_inquiry(self, customer_id: str, product_code: str, customer_no: str) -> object:
        raise self._no()

    def deposit_methods(self, customer_id: str) -> object:
        raise self._no()

    def bank_list(self, customer_id: str) -> object:
        raise self._no()

    def account_check(self, customer_id: str, bank_code: str, account_no: str) -> object:
        raise self._no()

    def status(self, customer_id: str, kind: StatusKind, ref: str | None) -> object:
        raise self._no()

    def balance(self, customer_id: str) -> object:
        raise self._no()

    def history(self, customer_id: str, limit: int) -> object:
        raise self._no()

    def propose_topup(self, customer_id: str, product_code: str, target: str) -> Proposal:
        raise self._no()

    def propose_bill_payment(
        self, customer_id: str, product_code: str, customer_no: str
    ) -> Proposal:
        raise self._no()

    def propose_deposit(self, customer_id: str, amount: int, method: str) -> Proposal:
        raise self._no()

    def propose_transfer(
        self, customer_id: str, bank_code: str, account_no: str, amount: int, note: str | None
    ) -> Proposal:
        raise self._no()


def agent_services(components: Components) -> AgentServices:
    """The services the agent's tools call in this process."""
    return _Unwired()
