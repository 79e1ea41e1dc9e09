"""Typed shapes of what the store's SQL functions return (see `shared.store.Store`).

Money is integer rupiah; times are timezone-aware. Unknown extra fields are ignored so a newer
schema can add columns without breaking older code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Identity(_Row):
    """One WhatsApp identifier of a customer: a phone number (`pn`, 62… digits) or a LID."""

    kind: Literal["pn", "lid"]
    value: str


class Customer(_Row):
    """A customer with saldo and identities."""

    id: str
    wa_jid: str | None = None
    display_name: str | None = None
    first_seen_at: datetime
    last_seen_at: datetime
    note: str | None = None
    paused_until: datetime | None = None
    balance: int = 0
    identities: list[Identity] = Field(default_factory=list)

    def paused_at(self, now: datetime) -> bool:
        """True while the owner's takeover pause lasts."""
        return self.paused_until is not None and self.paused_until > now


class ResolvedCustomer(_Row):
    """`resolve_customer`: who wrote, and whether they are new."""

    customer_id: str
    is_new: bool
    customer: Customer


class RecordedMessage(_Row):
    """`record_message`: `inserted` is False for a duplicate WhatsApp message id."""

    inserted: bool
    id: str


class TurnClaim(_Row):
    """`claim_turn`: what to do with one delivery of an inbound message.

    `run`: handle it now, as attempt `attempt` (1 for a new message); `done`: it was answered
    before and `replies` (serialised `OutboundMessage`s, maybe none) are to be sent again;
    `busy`: another worker is still on it.
    """

    outcome: Literal["run", "done", "busy"]
    attempt: int
    id: str | None = None
    replies: list[dict[str, object]] = Field(default_factory=list)


class TurnEnd(_Row):
    """`finish_turn`: `finished` is False when this attempt no longer held the turn."""

    finished: bool
    replies: list[dict[str, object]] = Field(default_factory=list)


class Message(_Row):
    """A logged message."""

    id: str
    wa_msg_id: str | None = None
    customer_id: str
    direction: Literal["inbound", "outbound"]
    type: Literal["text", "image", "audio", "voice", "other"]
    content_text: str | None = None
    media_url: str | None = None
    meta: dict[str, object] = Field(default_factory=dict)
    created_at: datetime


QuoteKind = Literal["topup", "bill", "deposit", "transfer"]
QuoteStatus = Literal["open", "confirmed", "cancelled", "expired", "superseded"]


class Quote(_Row):
    """What the customer is asked to confirm; `amount` is what the wallet will be charged."""

    id: str
    customer_id: str
    kind: QuoteKind
    payload: dict[str, object] = Field(default_factory=dict)
    amount: int
    supplier_price: int | None = None
    reff_id: str
    status: QuoteStatus
    expires_at: datetime
    created_at: datetime


class Order(_Row):
    """A prepaid top-up or postpaid bill payment; `price` is the sell price held."""

    id: str
    customer_id: str
    quote_id: str | None = None
    kind: Literal["prepaid", "postpaid"]
    atl_id: str | None = None
    reff_id: str
    code: str
    layanan: str = ""
    target: str
    customer_name: str | None = None
    price: int
    supplier_price: int | None = None
    sn: str | None = None
    status: Literal["pending", "success", "failed"]
    failure_reason: str | None = None
    submitted_at: datetime | None = None
    settled_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


DepositStatus = Literal["pending", "processing", "success", "expired", "cancel", "failed"]


class Deposit(_Row):
    """A wallet top-up through the supplier (QRIS by default)."""

    id: str
    customer_id: str
    quote_id: str | None = None
    atl_id: str | None = None
    reff_id: str
    metode: str
    nominal: int
    tambahan: int = 0
    fee: int = 0
    get_balance: int | None = None
    status: DepositStatus
    qr_string: str | None = None
    pay_to: str | None = None
    expires_at: datetime | None = None
    credited_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Transfer(_Row):
    """A bank transfer paid from the wallet; `total` = nominal + fee is held."""

    id: str
    customer_id: str
    quote_id: str | None = None
    atl_id: str | None = None
    reff_id: str
    bank_code: str
    nomor_tujuan: str
    account_name: str | None = None
    nominal: int
    fee: int = 0
    total: int
    status: Literal["pending", "success", "failed"]
    failure_reason: str | None = None
    submitted_at: datetime | None = None
    settled_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Balance(_Row):
    """A saldo and the sum of its ledger (always equal)."""

    customer_id: str
    balance: int
    ledger_sum: int


class SalesSummary(_Row):
    """Successful orders of one WIB day: count, what customers paid, what the supplier charged."""

    day_start: datetime
    orders: int
    revenue: int
    cost: int

    @property
    def profit(self) -> int:
        """Revenue minus supplier cost."""
        return self.revenue - self.cost


class HistoryItem(_Row):
    """One line of a customer's history, newest first."""

    kind: Literal["order", "deposit", "transfer"]
    id: str
    reff_id: str
    status: str
    amount: int
    label: str | None = None
    target: str | None = None
    sn: str | None = None
    created_at: datetime


class PendingItems(_Row):
    """The reconciler's worklist: documents still waiting for the supplier."""

    orders: list[Order] = Field(default_factory=list)
    deposits: list[Deposit] = Field(default_factory=list)
    transfers: list[Transfer] = Field(default_factory=list)


class PendingItem(_Row):
    """One document the reconciler should ask the supplier about (`claim_pending_items`)."""

    doc: Literal["order", "deposit", "transfer"]
    reff_id: str
    kind: Literal["prepaid", "postpaid"] | None = None
    created_at: datetime
    checked_at: datetime | None = None


class PriceCacheEntry(_Row):
    """A persisted price list."""

    type: str
    payload: object
    fetched_at: datetime
    ttl_sec: int
    fresh: bool


class ApiKey(_Row):
    """A Gemini key as stored: ciphertext only (decrypt with `shared.crypto.KeyBox`)."""

    id: str
    label: str = ""
    key_ciphertext: str
    key_fingerprint: str
    priority: int
    enabled: bool
    cooldown_until: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None
    failure_count: int = 0
    last_used_at: datetime | None = None
    created_at: datetime
    available: bool


class AddedApiKey(_Row):
    """`add_api_key`: `created` is False when the same key was already stored."""

    id: str
    created: bool


# --- supplier-event inbox (migration 0012) ----------------------------------------------------


class SupplierEventRecord(_Row):
    """One recorded supplier webhook: what it claimed, and whether it was settled yet."""

    id: int
    kind: Literal["order", "bill", "deposit", "transfer"]
    reff_id: str
    supplier_id: str = ""
    raw_status: str = ""
    status: str = ""
    """The webhook's mapped status (a `SupplierStatus` value), or "" when unknown."""
    state: Literal["received", "settled"]
    result: str | None = None
    attempts: int = 0
    received_at: datetime
    settled_at: datetime | None = None
    next_attempt_at: datetime | None = None


class OutboxPut(_Row):
    """What `outbox_put` found: a new row, or one recorded before (and whether it went out)."""

    inserted: bool
    state: Literal["pending", "sent"]


class OutboxItem(_Row):
    """A message the drain should publish: ready (`message`) or to render (`notification`)."""

    id: str
    customer_id: str | None = None
    message: dict[str, object] | None = None
    notification: dict[str, object] | None = None
    attempts: int = 0
    created_at: datetime


class WaitingOrder(_Row):
    """An order quote whose shortfall deposit is credited, not placed yet."""

    quote_id: str
    customer_id: str
    deposit_reff_id: str
    credited_at: datetime | None = None


def timestamp_arg(value: datetime | None) -> str | None:
    """A datetime as the store's SQL functions take it (timezone-aware only, ISO 8601)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("the store only accepts timezone-aware datetimes")
    return value.isoformat()
