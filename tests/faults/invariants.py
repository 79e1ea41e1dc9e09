"""The invariants every run must hold once the world has settled (issue 15, part 2).

Each check reads the world's tables directly (outside every fault) and compares them with what
the supplier's own books say and with what reached the customer on `wa-outbound`. A violation is
a sentence naming the document, so a failing run says what went wrong, not only that it did.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from faults.world import ADMIN, OWNER, World


def violations(world: World) -> list[str]:
    """Every invariant the settled world breaks (empty when it holds them all)."""
    return [*_check(world)]


def _check(world: World) -> Iterator[str]:
    sql = world.shared.sql
    ids = [
        row[0]
        for row in sql(
            "SELECT customer_id FROM customer_identities WHERE kind = 'pn' AND value = ANY(%s)",
            world.phones,
        )
    ]
    if not ids:
        return
    ledger: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    totals: dict[str, int] = defaultdict(int)
    for customer, kind, ref, amount in sql(
        "SELECT customer_id::text, kind, ref, amount FROM ledger_entries"
        " WHERE customer_id = ANY(%s)",
        ids,
    ):
        ledger[(customer, ref)][kind] = amount
        totals[customer] += amount
    yield from _wallets(sql, ids, totals)
    said = _said(world)
    alerts = " ".join(
        m.text or "" for m in world.outbound if m.chat.split("@")[0] in (ADMIN, OWNER)
    )
    supplier = _supplier_books(world)
    told = {
        row[0]
        for row in sql("SELECT id FROM outbox WHERE customer_id = ANY(%s) AND state = 'sent'", ids)
    }
    # An order is charged its price, a transfer its total (nominal + fee).
    for doc, table, charged in (("order", "orders", "price"), ("transfer", "transfers", "total")):
        for reff, customer, status, amount, atl_id in sql(
            f"SELECT reff_id, customer_id::text, status, {charged}, atl_id FROM {table}"  # noqa: S608
            " WHERE customer_id = ANY(%s)",
            ids,
        ):
            yield from _document(
                doc,
                reff,
                status,
                amount,
                atl_id,
                ledger[(customer, reff)],
                supplier.get(reff),
                said,
                alerts,
                told,
            )
    for reff, customer, status, nominal, tambahan, credited in sql(
        "SELECT reff_id, customer_id::text, status, nominal, tambahan, get_balance"
        " FROM deposits WHERE customer_id = ANY(%s)",
        ids,
    ):
        yield from _deposit(
            reff,
            status,
            nominal + tambahan,
            credited,
            ledger[(customer, reff)],
            supplier.get(reff),
            said,
            told,
        )
    yield from _answers(world)


def _wallets(sql: Any, ids: list[str], totals: dict[str, int]) -> Iterator[str]:  # noqa: ANN401
    for customer, balance in sql(
        "SELECT customer_id::text, balance FROM wallets WHERE customer_id = ANY(%s)", ids
    ):
        if balance < 0:
            yield f"customer {customer[:8]}: saldo {balance} is negative"
        if balance != totals[customer]:
            summed = totals[customer]
            yield f"customer {customer[:8]}: saldo {balance} but the ledger sums to {summed}"


def _supplier_books(world: World) -> dict[str, str]:
    """reff_id → the supplier's status, from its own tables."""
    books: dict[str, str] = {}
    for table in ("transactions", "transfers", "deposits"):
        for record in world.engine.state.table(table).values():
            books[str(record["reff_id"])] = str(record["status"])
    return books


def _said(world: World) -> str:
    """Everything that reached `wa-outbound` for the customers (a notification names its ref)."""
    return "\x00".join(
        f"{m.id} {m.correlation_id or ''} {m.text or ''} {m.image_caption or ''}"
        for m in world.outbound
    )


def _document(
    doc: str,
    reff: str,
    status: str,
    amount: int,
    atl_id: str | None,
    moves: dict[str, int],
    supplier: str | None,
    said: str,
    alerts: str,
    told: set[str],
) -> Iterator[str]:
    held = -moves.get("hold", 0)
    net = sum(moves.values())
    if held not in (0, amount):
        yield f"{doc} {reff}: held {held}, priced {amount}"
    if status == "success" and net != -amount:
        yield f"{doc} {reff}: delivered but the customer paid {-net} of {amount}"
    if status == "failed" and net != 0:
        yield f"{doc} {reff}: failed but the customer is charged {-net}"
    if status == "pending":
        if supplier is None and atl_id is None and reff in alerts:
            pass  # sent, answer lost, unknown to the supplier by our ref: the owner was asked
        elif supplier is None or atl_id is None:
            yield (
                f"{doc} {reff}: still pending with no supplier id the reconciler can ask by"
                f" (supplier: {supplier})"
            )
        elif supplier != "pending":
            yield f"{doc} {reff}: still pending though the supplier says {supplier}"
        elif net != -amount:
            yield f"{doc} {reff}: pending with {-net} held of {amount}"
    if supplier == "failed" and net != 0:
        yield f"{doc} {reff}: the supplier failed it and the customer is charged {-net}"
    if supplier == "success" and status == "failed" and reff not in alerts:
        yield f"{doc} {reff}: delivered by the supplier, refunded here, and the owner not told"
    if status in ("success", "failed") and not _told(said, f"{doc}_{status}", reff, told):
        yield f"{doc} {reff}: {status}, and the customer was never told"


def _deposit(
    reff: str,
    status: str,
    cap: int,
    credited: int | None,
    moves: dict[str, int],
    supplier: str | None,
    said: str,
    told: set[str],
) -> Iterator[str]:
    got = moves.get("deposit", 0)
    if status == "success":
        if got <= 0 or got != credited:
            yield f"deposit {reff}: success with {got} in the ledger (recorded {credited})"
        if got > cap:
            yield f"deposit {reff}: credited {got}, worth at most {cap}"
        if not _told(said, "deposit_credited", reff, told):
            yield f"deposit {reff}: credited, and the customer was never told"
    elif got:
        yield f"deposit {reff}: {status} but {got} credited"
    if supplier == "success" and status != "success":
        yield f"deposit {reff}: paid at the supplier, {status} here"
    if status in ("pending", "processing") and supplier not in ("pending", "processing"):
        yield f"deposit {reff}: still {status} here, {supplier} at the supplier"


def _told(said: str, kind: str, reff: str, told: set[str]) -> bool:
    """The final notification went out; or, for a transfer the confirming turn settled itself,
    that turn told the customer (it marks the notification told; that its replies went out is
    `_answers`' check). Only transfers are told that way."""
    key = f"n:{kind}:{reff}"
    return key in said or (kind.startswith("transfer_") and key in told)


def _answers(world: World) -> Iterator[str]:
    """Every accepted message was answered, and each stored reply reached `wa-outbound`."""
    sent = {m.id for m in world.outbound}
    rows = {
        wa_msg_id: (status, replies)
        for wa_msg_id, status, replies in world.shared.sql(
            "SELECT wa_msg_id, status, replies FROM turns WHERE wa_msg_id = ANY(%s)",
            [m.wa_msg_id for m in world.accepted],
        )
    }
    for message in world.accepted:
        turn = rows.get(message.wa_msg_id)
        if turn is None or turn[0] != "done":
            yield f"message {message.text!r}: never answered (turn {turn and turn[0]})"
            continue
        for reply in turn[1]:
            if reply.get("id") not in sent:
                yield f"message {message.text!r}: reply {reply.get('id')} never published"
