"""The store's methods for the owner's web console (migrations 0030–0031), mixed into `Store`.

Login links and sessions are stored by the hashes of their tokens; every other method is a read,
except `console_adjust_balance`, which records who corrected a saldo and why and then calls
`adjust_balance`, and `console_record_action`, the console's audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.ports import Json, MoneyResult
from shared.store_models import (
    Customer,
    Deposit,
    Order,
    Quote,
    SalesSummary,
    SupplierEventRecord,
)
from shared.store_models import (
    timestamp_arg as _ts,
)

M = TypeVar("M", bound=BaseModel)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class _Expiry(_Row):
    expires_at: datetime


class LoginRedeemed(_Row):
    """`console_redeem_login`: a session opened (`done`) or why the link was refused."""

    outcome: Literal["done", "refused"]
    reason: Literal["not_found", "used", "expired"] | None = None
    phone: str | None = None
    expires_at: datetime | None = None


class ConsoleSession(_Row):
    """A live console session: which admin, until when."""

    phone: str
    expires_at: datetime


class OrderStates(_Row):
    """Orders by state today (WIB) and what is still open anywhere."""

    today: dict[str, int] = Field(default_factory=dict)
    pending_orders: int = 0
    oldest_pending_at: datetime | None = None
    pending_deposits: int = 0
    pending_transfers: int = 0


class OrderRow(Order):
    """An order in the search list, with who bought it."""

    phone: str | None = None
    display_name: str | None = None


class CustomerBrief(_Row):
    """Who an order belongs to, with the saldo now."""

    id: str
    phone: str | None = None
    display_name: str | None = None
    balance: int = 0


class LedgerLine(_Row):
    """One ledger entry; `balance_after` is the running saldo.

    Console adjustments name who made them (`admin_phone`) and why (`reason`).
    """

    id: int
    customer_id: str
    amount: int
    kind: Literal["deposit", "hold", "release", "capture", "adjust"]
    ref: str
    balance_after: int
    created_at: datetime
    admin_phone: str | None = None
    reason: str | None = None


class SentNotification(_Row):
    """A message the customer was sent about an order."""

    text: str | None = None
    created_at: datetime


class ConsoleAction(_Row):
    """Something an admin did in the console."""

    id: int
    admin_phone: str
    action: str
    ref: str = ""
    detail: dict[str, object] = Field(default_factory=dict)
    created_at: datetime


class OrderRecord(_Row):
    """Everything recorded about one order, the raw material of its timeline."""

    order: Order
    customer: CustomerBrief
    quote: Quote | None = None
    ledger: list[LedgerLine] = Field(default_factory=list)
    events: list[SupplierEventRecord] = Field(default_factory=list)
    notifications: list[SentNotification] = Field(default_factory=list)
    actions: list[ConsoleAction] = Field(default_factory=list)


class CustomerRow(_Row):
    """A customer in the list."""

    id: str
    phone: str | None = None
    display_name: str | None = None
    balance: int = 0
    last_seen_at: datetime
    first_seen_at: datetime


class CustomerRecord(_Row):
    """One customer's page: saldo, ledger (newest first), deposits and orders."""

    customer: Customer
    ledger: list[LedgerLine] = Field(default_factory=list)
    deposits: list[Deposit] = Field(default_factory=list)
    orders: list[Order] = Field(default_factory=list)


class PriceListInfo(_Row):
    """When a persisted price list was refreshed, and how many items it holds."""

    type: str
    fetched_at: datetime
    ttl_sec: int
    fresh: bool
    items: int


class ConsoleQueries:
    """The console's store methods; `Store` provides the RPC plumbing they use."""

    if TYPE_CHECKING:

        def _call(self, fn: str, **params: object) -> object: ...
        def _one(self, model: type[M], fn: str, **params: object) -> M: ...
        def _maybe(self, model: type[M], fn: str, **params: object) -> M | None: ...
        def _many(self, model: type[M], fn: str, **params: object) -> list[M]: ...

    # --- login links and sessions ---------------------------------------------------------------

    def console_create_login(
        self, *, token_hash: str, phone: str, ttl_seconds: int, now: datetime | None = None
    ) -> datetime:
        """Store a one-time link for an admin; returns when it expires."""
        return self._one(
            _Expiry,
            "console_create_login",
            token_hash=token_hash,
            phone=phone,
            ttl_seconds=ttl_seconds,
            now=_ts(now),
        ).expires_at

    def console_redeem_login(
        self,
        *,
        token_hash: str,
        session_hash: str,
        session_seconds: int,
        now: datetime | None = None,
    ) -> LoginRedeemed:
        """Use a link once: a new session, or why not (not_found, used, expired)."""
        return self._one(
            LoginRedeemed,
            "console_redeem_login",
            token_hash=token_hash,
            session_hash=session_hash,
            session_seconds=session_seconds,
            now=_ts(now),
        )

    def console_session(
        self, session_hash: str, now: datetime | None = None
    ) -> ConsoleSession | None:
        """The live session with this hash, or None (unknown, logged out or expired)."""
        return self._maybe(
            ConsoleSession, "console_session", session_hash=session_hash, now=_ts(now)
        )

    def console_end_session(self, session_hash: str) -> bool:
        """Log out; False when the session was unknown or already over."""
        data = self._call("console_end_session", session_hash=session_hash)
        return bool(data["ended"]) if isinstance(data, dict) else False

    # --- what admins did ------------------------------------------------------------------------

    def console_record_action(
        self, admin_phone: str, action: str, ref: str = "", detail: dict[str, object] | None = None
    ) -> None:
        """Remember an admin's console action (the order timeline shows them)."""
        self._call(
            "console_record_action",
            admin_phone=admin_phone,
            action=action,
            ref=ref,
            detail=Json(detail or {}),
        )

    def console_adjust_balance(
        self, customer_id: str, amount: int, *, ref: str, admin_phone: str, reason: str
    ) -> MoneyResult:
        """`adjust_balance` plus the record of who made it and why (a reason is required)."""
        return self._one(
            MoneyResult,
            "console_adjust_balance",
            customer_id=customer_id,
            amount=amount,
            ref=ref,
            admin_phone=admin_phone,
            reason=reason,
        )

    # --- reads ----------------------------------------------------------------------------------

    def console_sales(self, now: datetime | None = None, days: int = 30) -> list[SalesSummary]:
        """`sales_summary` of each of the last `days` WIB days up to `now`, oldest first."""
        return self._many(SalesSummary, "console_sales", now=_ts(now), days=days)

    def console_order_states(self, now: datetime | None = None) -> OrderStates:
        """Today's orders per status, and what is still open anywhere."""
        return self._one(OrderStates, "console_order_states", now=_ts(now))

    def console_orders(
        self,
        *,
        ref: str | None = None,
        phone: str | None = None,
        product: str | None = None,
        status: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[OrderRow]:
        """Orders matching every given filter, newest first."""
        return self._many(
            OrderRow,
            "console_orders",
            ref=ref,
            phone=phone,
            product=product,
            status=status,
            **{"from": _ts(created_from), "to": _ts(created_to)},
            limit=limit,
            offset=offset,
        )

    def console_order(self, reff_id: str) -> OrderRecord | None:
        """One order with its quote, ledger entries, webhooks, notifications and actions."""
        return self._maybe(OrderRecord, "console_order", reff_id=reff_id)

    def console_customers(
        self, query: str | None = None, *, limit: int = 50, offset: int = 0
    ) -> list[CustomerRow]:
        """Customers holding the most saldo first; `query` matches phone or name."""
        return self._many(
            CustomerRow, "console_customers", query=query, limit=limit, offset=offset
        )

    def console_customer(self, customer_id: str, limit: int = 50) -> CustomerRecord | None:
        """One customer with ledger (running saldo), deposits and orders."""
        return self._maybe(
            CustomerRecord, "console_customer", customer_id=customer_id, limit=limit
        )

    def console_price_lists(self, now: datetime | None = None) -> list[PriceListInfo]:
        """When each persisted price list was refreshed (no payload)."""
        return self._many(PriceListInfo, "console_price_lists", now=_ts(now))
