"""Reading Atlantic callbacks: the `X-ATL-Signature` check and the `{event, status, data}` body.

The signature is `md5(username)`, a static value that only proves knowledge of the username, so
receivers treat a verified webhook as a hint and re-query the supplier before moving money.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Literal

from pydantic import ValidationError

from shared.adapters.atlantic.models import Deposit, Transaction, Transfer, Webhook
from shared.adapters.atlantic.status import map_status
from shared.domain.supplier_status import SupplierEvent

SIGNATURE_HEADER = "X-ATL-Signature"


class MalformedWebhook(ValueError):
    """The body is not a webhook we can read (bad JSON, missing fields, unknown event)."""


def signature_for(username: str) -> str:
    """The value Atlantic puts in `X-ATL-Signature` for this account."""
    return hashlib.md5(username.encode(), usedforsecurity=False).hexdigest()


class AtlanticWebhook:
    """Verifies and parses callbacks for one Atlantic account."""

    def __init__(self, username: str) -> None:
        if not username.strip():
            # md5("") is public knowledge: it must never be a valid signature.
            raise ValueError("an Atlantic username is required to verify webhooks")
        self._expected = signature_for(username).encode()

    def __repr__(self) -> str:
        return "AtlanticWebhook()"

    def verify(self, headers: Mapping[str, str]) -> bool:
        """Constant-time comparison of the signature header (header names case-insensitive)."""
        given = next((v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), "")
        return hmac.compare_digest(given.strip().lower().encode(), self._expected)

    def parse(self, body: bytes) -> SupplierEvent:
        """The event in the body; `MalformedWebhook` when it cannot be read."""
        try:
            envelope = Webhook.model_validate(json.loads(body))
            return _event(envelope)
        except (ValueError, ValidationError) as exc:
            raise MalformedWebhook(str(exc).splitlines()[0][:200]) from exc


def _event(envelope: Webhook) -> SupplierEvent:
    event = envelope.event.strip().lower()
    data = envelope.data
    if event in {"transaksi", "transaksi.pascabayar", "transaksi.prabayar"}:
        tx = Transaction.model_validate(data)
        kind: Literal["order", "bill"] = "bill" if event.endswith("pascabayar") else "order"
        raw = tx.status or envelope.status
        return SupplierEvent(
            kind=kind,
            supplier_id=tx.id,
            reff_id=_required_reff(tx.reff_id),
            status=map_status(kind, raw),
            raw_status=raw,
            sn=tx.sn,
            price=tx.price or None,
            message=tx.message,
        )
    if event in {"deposit", "deposit.fast"}:
        dep = Deposit.model_validate(data)
        raw = dep.status or envelope.status
        return SupplierEvent(
            kind="deposit",
            supplier_id=dep.id,
            reff_id=_required_reff(dep.reff_id),
            status=map_status("deposit", raw),
            raw_status=raw,
            amount=dep.nominal,
            credit=dep.get_balance,
            fee=dep.fee,
        )
    if event == "transfer":
        tr = Transfer.model_validate(data)
        raw = tr.status or envelope.status
        return SupplierEvent(
            kind="transfer",
            supplier_id=tr.id,
            reff_id=_required_reff(tr.reff_id),
            status=map_status("transfer", raw),
            raw_status=raw,
            amount=tr.nominal,
            fee=tr.fee,
        )
    raise MalformedWebhook(f"unknown event {event[:40]!r}")


def _required_reff(reff_id: str) -> str:
    if not reff_id:
        raise MalformedWebhook("data.reff_id is missing")
    return reff_id
