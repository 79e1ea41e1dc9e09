"""The money corpus: realistic conversations that end (or must not end) in a purchase.

Each line of `data/money_corpus.jsonl` is one customer: the saldo they start with, what they
type, and every purchase the conversation must leave in the ledger — and nothing else:

- `{"order": CODE, "target": T}`: an order of that product to that target;
- `{"waiting": CODE, "target": T, "method": M}`: saldo was short, so a deposit by method `M`
  is open for a quote of that product (`TF:bank` for a transfer) and target (the order
  completes once it is paid);
- `{"deposit": METHOD, "nominal": N}`: a plain deposit;
- `{"transfer": BANK, "account": A, "nominal": N}`: a transfer.

Conversations run through the real `salesbot chat` entry point (`shared.cli.main`), in this
process for speed; the purchases are then read back from the database. A purchase the customer
did not ask for (wrong operator, target, amount or method) is *wrong*; an expected one that is
absent is *missing*.
"""

from __future__ import annotations

import io
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from shared import chat_cli, cli
from shared.adapters.postgres.rpc import PostgresRpc
from shared.config import get_settings
from shared.store import Store
from shared.wiring import Components

from .conftest import close

CORPUS = Path(__file__).parent / "data" / "money_corpus.jsonl"
Purchase = dict[str, object]


def load() -> list[dict[str, Any]]:
    """The conversations of the corpus, in file order."""
    lines = CORPUS.read_text("utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass
class Outcome:
    """What one conversation left behind and how it compares with what was asked."""

    id: str
    transcript: str
    purchases: list[Purchase]
    wrong: list[Purchase] = field(default_factory=list)
    missing: list[Purchase] = field(default_factory=list)
    deposits_per_quote: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.wrong and not self.missing and self.repeated_deposits == 0

    @property
    def repeated_deposits(self) -> int:
        return sum(n - 1 for n in self.deposits_per_quote.values() if n > 1)


@contextmanager
def _closing_components(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Let `salesbot chat` build its Components as usual, and close them after the run.

    The command leaves its sandbox and database pool to process exit; many runs in one test
    process must close them, or their threads pile up.
    """
    made: list[Components] = []

    def build(**kwargs: Any) -> Components:
        components = Components(**kwargs)
        made.append(components)
        return components

    monkeypatch.setattr(chat_cli, "Components", build)
    try:
        yield
    finally:
        for components in made:
            close(components)


def chat(monkeypatch: pytest.MonkeyPatch, phone: str, lines: list[str], wait: float = 0) -> str:
    """Pipe `lines` into `salesbot chat --user PHONE --wait W`; returns what it printed."""
    out = io.StringIO()
    with _closing_components(monkeypatch), redirect_stdout(out):
        monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
        code = cli.main(["chat", "--user", phone, "--wait", str(wait)])
    assert code == 0
    return out.getvalue()


@dataclass
class Customer:
    """One customer of `salesbot chat` on the test database, with the store to check after."""

    phone: str
    customer_id: str
    store: Store
    monkeypatch: pytest.MonkeyPatch

    def chat(self, *lines: str, wait: float = 0) -> str:
        """Type `lines` into `salesbot chat` as this customer; what it printed."""
        return chat(self.monkeypatch, self.phone, list(lines), wait)

    def purchases(self) -> list[Purchase]:
        """What the ledger holds for this customer (see the module docstring)."""
        return purchases(self.store, self.customer_id)[0]


@contextmanager
def customer(
    database_url: str, monkeypatch: pytest.MonkeyPatch, *, saldo: int = 0
) -> Iterator[Customer]:
    """A fresh customer (with `saldo`) of a `salesbot chat` on `database_url`."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LOG_LEVEL", "warning")
    get_settings.cache_clear()
    phone = "62819" + str(uuid.uuid4().int)[:8]
    store = Store(PostgresRpc(database_url, max_size=1))
    try:
        customer_id = str(store.resolve_customer(phone=phone).customer_id)
        if saldo:
            assert store.adjust_balance(customer_id, saldo, f"corpus-{phone}").ok
        yield Customer(phone=phone, customer_id=customer_id, store=store, monkeypatch=monkeypatch)
    finally:
        store.close()


def purchases(store: Store, customer_id: str) -> tuple[list[Purchase], dict[str, int]]:
    """Every purchase in the ledger for one customer, plus shortfall deposits per quote."""
    found: list[Purchase] = []
    per_quote: dict[str, int] = {}
    for item in store.history(customer_id, limit=50):
        if item.kind == "order":
            order = store.get_order(item.reff_id)
            assert order is not None
            found.append({"order": order.code, "target": order.target})
        elif item.kind == "transfer":
            transfer = store.get_transfer(item.reff_id)
            assert transfer is not None
            found.append(
                {
                    "transfer": transfer.bank_code,
                    "account": transfer.nomor_tujuan,
                    "nominal": transfer.nominal,
                }
            )
        else:
            deposit = store.get_deposit(reff_id=item.reff_id)
            assert deposit is not None
            if deposit.status == "failed":
                continue  # the supplier refused the invoice: nothing to pay
            quote = store.get_quote(deposit.quote_id) if deposit.quote_id else None
            if quote is not None and quote.kind != "deposit":
                per_quote[quote.id] = per_quote.get(quote.id, 0) + 1
                if per_quote[quote.id] == 1:
                    found.append(
                        {
                            "waiting": quote.payload.get("code")
                            or f"TF:{quote.payload.get('bank_code')}",
                            "target": quote.payload.get("target"),
                            "method": deposit.metode,
                        }
                    )
            else:
                found.append({"deposit": deposit.metode, "nominal": deposit.nominal})
    return found, per_quote


def _same(expected: Purchase, actual: Purchase) -> bool:
    if expected.keys() != actual.keys():
        return False
    return all(str(expected[k]).lower() == str(actual[k]).lower() for k in expected)


def compare(
    expected: list[Purchase], actual: list[Purchase]
) -> tuple[list[Purchase], list[Purchase]]:
    """(wrong, missing): actual purchases nobody asked for, and asked ones never made."""
    left = list(expected)
    wrong: list[Purchase] = []
    for purchase in actual:
        match = next((e for e in left if _same(e, purchase)), None)
        if match is None:
            wrong.append(purchase)
        else:
            left.remove(match)
    return wrong, left


def run(case: dict[str, Any], *, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    """Play one corpus conversation and score it."""
    saldo = int(case.get("saldo") or 0)
    with customer(database_url, monkeypatch, saldo=saldo) as who:
        transcript = who.chat(*case["say"])
        found, per_quote = purchases(who.store, who.customer_id)
    wrong, missing = compare(list(case["expect"]), found)
    return Outcome(
        id=str(case["id"]),
        transcript=transcript,
        purchases=found,
        wrong=wrong,
        missing=missing,
        deposits_per_quote=per_quote,
    )
