"""An in-memory `AgentServices` over a tiny catalogue, with quotes, a wallet and orders.

It plays the conversation engine's services so the agent can be tested alone: proposals create
quotes, only `confirm` (the customer's YA, called by the test's deterministic tier) moves money.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from shared.agent.context import Proposal, StatusKind
from shared.errors import PaymentError

CATALOG = {
    "ML86": ("MOBILE LEGENDS 86 Diamond", 19_500),
    "ML172": ("MOBILE LEGENDS 172 Diamond", 38_900),
    "TSEL5": ("Telkomsel 5.000", 5_900),
    "TSEL10": ("Telkomsel 10.000", 10_800),
    "DANA50": ("DANA 50.000", 50_500),
}


def rp(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


@dataclass
class FakeServices:
    balance_of: dict[str, int] = field(default_factory=dict)
    quotes: dict[str, dict[str, object]] = field(default_factory=dict)
    orders: list[dict[str, object]] = field(default_factory=list)
    money_moves: list[tuple[str, int]] = field(default_factory=list)
    extra_item_name: str | None = None
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def search_products(self, customer_id: str, query: str, budget: int | None) -> object:
        words = query.lower().replace("ml", "mobile legends").split()
        items = [
            {"code": code, "name": name, "price": price}
            for code, (name, price) in CATALOG.items()
            if all(w in name.lower() for w in words) and (budget is None or price <= budget)
        ]
        if self.extra_item_name:
            items.append({"code": "X1", "name": self.extra_item_name, "price": 1_000})
        return sorted(items, key=lambda i: int(str(i["price"])))[:5]

    def price_list(self, customer_id: str, provider: str | None, postpaid: bool) -> object:
        return [{"code": c, "name": n, "price": p} for c, (n, p) in CATALOG.items()]

    def bill_inquiry(self, customer_id: str, product_code: str, customer_no: str) -> object:
        return {"name": "BUDI", "period": "2026-11", "amount": 152_000}

    def deposit_methods(self, customer_id: str) -> object:
        return [{"code": "qris", "min": 10_000, "fee": 0}]

    def bank_list(self, customer_id: str) -> object:
        return [{"code": "bca", "name": "BCA"}, {"code": "dana", "name": "DANA"}]

    def account_check(self, customer_id: str, bank_code: str, account_no: str) -> object:
        return {"bank": bank_code, "account_no": account_no, "name": "SITI AMINAH"}

    def status(self, customer_id: str, kind: StatusKind, ref: str | None) -> object:
        mine = [o for o in self.orders if o["customer"] == customer_id]
        return mine[-1] if mine else {"error": "belum ada transaksi"}

    def balance(self, customer_id: str) -> object:
        return {"saldo": self.balance_of.get(customer_id, 0)}

    def history(self, customer_id: str, limit: int) -> object:
        return [o for o in self.orders if o["customer"] == customer_id][-limit:]

    def _quote(self, customer_id: str, kind: str, total: int, what: str) -> Proposal:
        quote_id = f"Q{next(self._ids)}"
        saldo = self.balance_of.get(customer_id, 0)
        self.quotes[quote_id] = {
            "customer": customer_id,
            "kind": kind,
            "total": total,
            "what": what,
            "state": "open",
        }
        message = (
            f"{what}\nHarga: {rp(total)}\nSaldo setelahnya: {rp(saldo - total)}\n"
            "Balas *YA* untuk lanjut atau *BATAL* ya kak."
        )
        return Proposal(quote_id=quote_id, message=message, total=total)

    def propose_topup(
        self, customer_id: str, product_code: str, target: str, operator_confirmed: bool = False
    ) -> Proposal:
        if product_code not in CATALOG:
            raise PaymentError(f"unknown product {product_code}")
        name, price = CATALOG[product_code]
        return self._quote(customer_id, "topup", price, f"{name} ke {target}")

    def propose_bill_payment(
        self, customer_id: str, product_code: str, customer_no: str
    ) -> Proposal:
        return self._quote(customer_id, "bill", 152_000, f"Tagihan {customer_no}")

    def propose_deposit(self, customer_id: str, amount: int, method: str) -> Proposal:
        return self._quote(customer_id, "deposit", amount, f"Deposit {method.upper()}")

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
        return self._quote(
            customer_id, "transfer", amount, f"Transfer ke {bank_code} {account_no}"
        )

    # --- the deterministic tier of the test conversation (what convo owns in production) ---

    def open_quote(self, customer_id: str) -> str | None:
        mine = [
            q
            for q, v in self.quotes.items()
            if v["customer"] == customer_id and v["state"] == "open"
        ]
        return mine[-1] if mine else None

    def confirm(self, customer_id: str, quote_id: str) -> dict[str, object]:
        quote = self.quotes[quote_id]
        assert quote["customer"] == customer_id
        assert quote["state"] == "open"
        quote["state"] = "confirmed"
        total = int(str(quote["total"]))
        self.money_moves.append((quote_id, total))
        self.balance_of[customer_id] = self.balance_of.get(customer_id, 0) - total
        order = {"customer": customer_id, "quote": quote_id, "status": "success", "sn": "SN-777"}
        self.orders.append(order)
        return order
