"""An order's story in time, each moment from its own record.

Quote, YA, hold, supplier submit, webhooks received, re-queries, capture or release,
notifications and what admins did in the console.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.services.replies import rupiah
from shared.store_console import OrderRecord
from shared.webconsole.fmt import status

_SETTLED = {
    "captured": "sukses, saldo dipotong",
    "released": "gagal, saldo dikembalikan",
    "pending": "masih diproses",
    "unverified": "supplier tidak bisa dicek",
    "unchanged": "tidak ada perubahan",
    "unknown": "referensi tidak dikenal",
}
_ACTIONS = {"retry": "Cek ulang ke supplier", "refund": "Refund"}


@dataclass(frozen=True, kw_only=True)
class Step:
    """One moment of an order's life."""

    at: datetime
    title: str
    detail: str = ""
    kind: str = "info"  # info | money | supplier | admin | message


def timeline(record: OrderRecord) -> list[Step]:
    """Every recorded moment of the order, oldest first."""
    order = record.order
    steps: list[Step] = []
    quote = record.quote
    if quote is not None:
        steps.append(
            Step(
                at=quote.created_at,
                title="Penawaran dibuat",
                detail=rupiah(quote.amount),
            )
        )
    steps.append(Step(at=order.created_at, title="Pelanggan bilang YA", detail=order.reff_id))
    for entry in record.ledger:
        steps.append(_ledger_step(entry.kind, entry.amount, entry.created_at))
    if order.submitted_at is not None:
        steps.append(
            Step(
                at=order.submitted_at,
                title="Dikirim ke supplier",
                detail=f"id supplier {order.atl_id}" if order.atl_id else "",
                kind="supplier",
            )
        )
    for event in record.events:
        steps.append(
            Step(
                at=event.received_at,
                title="Webhook supplier diterima",
                detail=f"status {event.raw_status or '?'}",
                kind="supplier",
            )
        )
        if event.settled_at is not None:
            steps.append(
                Step(
                    at=event.settled_at,
                    title="Dicek ulang ke supplier",
                    detail=_SETTLED.get(event.result or "", event.result or ""),
                    kind="supplier",
                )
            )
    for action in record.actions:
        steps.append(
            Step(
                at=action.created_at,
                title=f"{_ACTIONS.get(action.action, action.action)} oleh {action.admin_phone}",
                detail=str(action.detail.get("result", "")),
                kind="admin",
            )
        )
    for note in record.notifications:
        steps.append(
            Step(
                at=note.created_at,
                title="Notifikasi ke pelanggan",
                detail=(note.text or "").split("\n")[0][:120],
                kind="message",
            )
        )
    if order.settled_at is not None and order.status != "pending":
        steps.append(
            Step(
                at=order.settled_at,
                title=f"Selesai: {status(order.status)}",
                detail=order.sn or order.failure_reason or "",
            )
        )
    return sorted(steps, key=lambda s: s.at)


def _ledger_step(kind: str, amount: int, at: datetime) -> Step:
    if kind == "hold":
        return Step(at=at, title="Saldo ditahan", detail=rupiah(-amount), kind="money")
    if kind == "capture":
        return Step(at=at, title="Saldo dipotong (capture)", kind="money")
    return Step(at=at, title="Saldo dikembalikan (refund)", detail=rupiah(amount), kind="money")
