"""The store: one typed method per SQL function in `migrations/`, over any `RpcTransport`.

Services use `Store` and never SQL. Every method is one call, i.e. one database transaction.

Money methods return `ports.MoneyResult` and never raise for a business refusal:
`outcome` is `done` (it happened now), `already` (the same reference was handled before; nothing
moved again) or `refused` with `reason`:

- `not_found`: no such quote/order/deposit/transfer (for this customer);
- `mismatch`: the quote is of another kind, or a credited amount is not positive;
- `expired`: the quote's time ran out (it is marked expired);
- `not_confirmable`: the quote was cancelled or superseded;
- `insufficient_funds`: the saldo cannot pay; `shortfall` says how much is missing and the quote
  stays open, so `create_deposit(..., quote_id=...)` + `credit_deposit` + `place_order` can
  complete it;
- `final_state`: the document is settled the other way (release after capture, capture after
  release, credit of a closed deposit, ...). Final states are final.
- `over_cap`: a deposit credit above what the deposit can be worth (nominal + tambahan).

The purchase flow: `create_quote` → customer says YA → `place_order` (holds the sell price) →
`mark_order_submitted` (`done` = you may call the supplier; `already` = someone did) → supplier
answer → `capture_order` (success) or `release_order` (definite failure: refund once). Ambiguous
answers leave the order pending; `pending_items` feeds the reconciler. Transfers are the same with
`hold_transfer` / `mark_transfer_submitted` / `settle_transfer`. Deposits: `create_deposit` →
supplier invoice → `update_deposit_invoice` → paid: `credit_deposit` (once) → if the result has a
`quote_id`, `place_order(quote_id, customer_id)`; unpaid: `close_deposit`.

Programming errors (a malformed quote payload, an unknown status) raise `ports.RpcError` with
SQLSTATE `22023`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Literal, TypeVar

from pydantic import BaseModel, TypeAdapter

from shared.ports import Json, MoneyResult, RpcError, RpcTransport
from shared.store_console import ConsoleQueries
from shared.store_models import (
    AddedApiKey,
    ApiKey,
    Balance,
    Customer,
    Deposit,
    HistoryItem,
    Message,
    Order,
    OutboxItem,
    OutboxPut,
    PendingItem,
    PendingItems,
    PriceCacheEntry,
    Quote,
    QuoteKind,
    RecordedMessage,
    ResolvedCustomer,
    SalesSummary,
    SupplierEventRecord,
    Transfer,
    TurnClaim,
    TurnEnd,
    WaitingOrder,
)
from shared.store_models import (
    timestamp_arg as _ts,
)

M = TypeVar("M", bound=BaseModel)


class Store(ConsoleQueries):
    """Typed access to the SQL functions; see the module docstring for the money contract.

    The owner's console's methods (`console_*`) live in `shared.store_console`.
    """

    def __init__(self, rpc: RpcTransport) -> None:
        self._rpc = rpc

    def close(self) -> None:
        """Release the transport's connections."""
        self._rpc.close()

    # --- plumbing -----------------------------------------------------------------------------

    def _call(self, fn: str, **params: object) -> object:
        return self._rpc.call(fn, {f"p_{name}": value for name, value in params.items()})

    def _one(self, model: type[M], fn: str, **params: object) -> M:
        data = self._call(fn, **params)
        if data is None:
            raise RpcError(f"{fn} returned nothing")
        return model.model_validate(data)

    def _maybe(self, model: type[M], fn: str, **params: object) -> M | None:
        data = self._call(fn, **params)
        return None if data is None else model.model_validate(data)

    def _many(self, model: type[M], fn: str, **params: object) -> list[M]:
        return TypeAdapter(list[model]).validate_python(self._call(fn, **params) or [])  # type: ignore[valid-type]

    def _money(self, fn: str, **params: object) -> MoneyResult:
        return self._one(MoneyResult, fn, **params)

    # --- customers and messages ---------------------------------------------------------------

    def resolve_customer(
        self,
        *,
        phone: str | None = None,
        lid: str | None = None,
        push_name: str | None = None,
        chat_jid: str | None = None,
        now: datetime | None = None,
    ) -> ResolvedCustomer:
        """Find or create the customer behind a phone number (62… digits) and/or a LID.

        Both identifiers given → both are linked to one customer. Concurrent calls for a new
        person create one customer. Updates last_seen_at, push name and the reply JID.
        """
        return self._one(
            ResolvedCustomer,
            "resolve_customer",
            phone=phone,
            lid=lid,
            push_name=push_name,
            chat_jid=chat_jid,
            now=_ts(now),
        )

    def get_customer(self, customer_id: str) -> Customer | None:
        """The customer with saldo and identities, or None."""
        return self._maybe(Customer, "get_customer", customer_id=customer_id)

    def set_customer_pause(self, customer_id: str, until: datetime | None) -> Customer | None:
        """Pause the bot for this customer until `until` (owner takeover); None resumes."""
        return self._maybe(
            Customer, "set_customer_pause", customer_id=customer_id, until=_ts(until)
        )

    def record_message(
        self,
        *,
        customer_id: str,
        direction: Literal["inbound", "outbound"],
        type: Literal["text", "image", "audio", "voice", "other"] = "text",  # noqa: A002
        wa_msg_id: str | None = None,
        text: str | None = None,
        media_url: str | None = None,
        meta: Mapping[str, object] | None = None,
        created_at: datetime | None = None,
    ) -> RecordedMessage:
        """Log a message. The atomic dedupe: `inserted` is False when `wa_msg_id` was seen."""
        return self._one(
            RecordedMessage,
            "record_message",
            customer_id=customer_id,
            direction=direction,
            type=type,
            wa_msg_id=wa_msg_id,
            content_text=text,
            media_url=media_url,
            meta=Json(dict(meta or {})),
            created_at=_ts(created_at),
        )

    def claim_turn(
        self,
        *,
        customer_id: str,
        wa_msg_id: str,
        direction: Literal["inbound", "outbound"] = "inbound",
        type: Literal["text", "image", "audio", "voice", "other"] = "text",  # noqa: A002
        text: str | None = None,
        media_url: str | None = None,
        meta: Mapping[str, object] | None = None,
        lease_seconds: int = 180,
    ) -> TurnClaim:
        """Log an inbound message and claim its turn (the dedupe; see `TurnClaim`).

        `run`: handle it now as attempt `attempt`; `done`: answered before, send `replies`
        again; `busy`: another worker holds it for up to `lease_seconds` after its claim.
        """
        return self._one(
            TurnClaim,
            "claim_turn",
            customer_id=customer_id,
            wa_msg_id=wa_msg_id,
            direction=direction,
            type=type,
            content_text=text,
            media_url=media_url,
            meta=Json(dict(meta or {})),
            lease_seconds=lease_seconds,
        )

    def finish_turn(
        self,
        wa_msg_id: str,
        attempt: int,
        replies: Sequence[Mapping[str, object]],
        *,
        type: Literal["text", "image", "audio", "voice", "other"] = "text",  # noqa: A002
        text: str | None = None,
        media_url: str | None = None,
        meta: Mapping[str, object] | None = None,
    ) -> TurnEnd:
        """Store the turn's replies (and log them as one outbound row when there are any).

        Only the attempt holding the turn finishes it; `replies` in the result are the ones that
        stand (the earlier ones when it was already done).
        """
        return self._one(
            TurnEnd,
            "finish_turn",
            wa_msg_id=wa_msg_id,
            attempt=attempt,
            replies=Json([dict(r) for r in replies]),
            type=type,
            content_text=text,
            media_url=media_url,
            meta=Json(dict(meta or {})),
        )

    def fail_turn(self, wa_msg_id: str, attempt: int) -> bool:
        """Release a turn that raised so the next delivery runs it again; True when released."""
        data = self._call("fail_turn", wa_msg_id=wa_msg_id, attempt=attempt)
        return bool(data["released"]) if isinstance(data, dict) else False

    def recent_messages(self, customer_id: str, limit: int = 20) -> list[Message]:
        """The last `limit` messages of a customer, oldest first."""
        return self._many(Message, "recent_messages", customer_id=customer_id, limit=limit)

    # --- quotes -------------------------------------------------------------------------------

    def create_quote(
        self,
        *,
        customer_id: str,
        kind: QuoteKind,
        payload: Mapping[str, object],
        amount: int,
        supplier_price: int | None = None,
        ttl_seconds: int = 300,
        now: datetime | None = None,
        reff_id: str | None = None,
    ) -> Quote:
        """A new open quote; the customer's other open quotes become `superseded`.

        Payload keys: topup/bill need `code` and `target` (optional `name`, `customer_name`);
        transfer needs `bank_code`, `account_number`, `nominal`, `fee` (optional
        `account_name`) with `amount == nominal + fee`. `reff_id`: pass the reference of a bill
        inquiry (payment must reuse it); else one is derived from the quote id.
        """
        return self._one(
            Quote,
            "create_quote",
            customer_id=customer_id,
            kind=kind,
            payload=Json(dict(payload)),
            amount=amount,
            supplier_price=supplier_price,
            ttl_seconds=ttl_seconds,
            now=_ts(now),
            reff_id=reff_id,
        )

    def get_open_quote(self, customer_id: str, now: datetime | None = None) -> Quote | None:
        """The customer's newest open, unexpired quote."""
        return self._maybe(Quote, "get_open_quote", customer_id=customer_id, now=_ts(now))

    def get_quote(self, quote_id: str) -> Quote | None:
        """A quote by id, whatever its status."""
        return self._maybe(Quote, "get_quote", quote_id=quote_id)

    def cancel_open_quotes(self, customer_id: str) -> int:
        """BATAL: cancel the customer's open quotes; returns how many."""
        data = self._call("cancel_open_quotes", customer_id=customer_id)
        return int(data["cancelled"]) if isinstance(data, dict) else 0

    def confirm_quote(
        self, quote_id: str, customer_id: str, now: datetime | None = None
    ) -> MoneyResult:
        """YA to a quote that moves no money itself (kind `deposit`)."""
        return self._money(
            "confirm_quote", quote_id=quote_id, customer_id=customer_id, now=_ts(now)
        )

    # --- orders -------------------------------------------------------------------------------

    def place_order(
        self, quote_id: str, customer_id: str, now: datetime | None = None
    ) -> MoneyResult:
        """YA to a topup/bill quote: create the pending order and hold its price."""
        return self._money("place_order", quote_id=quote_id, customer_id=customer_id, now=_ts(now))

    def mark_order_submitted(self, reff_id: str, atl_id: str | None = None) -> MoneyResult:
        """Claim the supplier call (`done` once) and/or record the supplier's id."""
        return self._money("mark_order_submitted", reff_id=reff_id, atl_id=atl_id)

    def capture_order(
        self,
        reff_id: str,
        *,
        sn: str | None = None,
        atl_id: str | None = None,
        supplier_price: int | None = None,
    ) -> MoneyResult:
        """Supplier success: pending → success (final), keeping the serial number."""
        return self._money(
            "capture_order", reff_id=reff_id, sn=sn, atl_id=atl_id, supplier_price=supplier_price
        )

    def release_order(self, reff_id: str, reason: str | None = None) -> MoneyResult:
        """Definite supplier failure: pending → failed (final), refund exactly once."""
        return self._money("release_order", reff_id=reff_id, reason=reason)

    def get_order(self, reff_id: str | None = None, *, atl_id: str | None = None) -> Order | None:
        """An order by our reference, or by the supplier's id."""
        return self._maybe(Order, "get_order", reff_id=reff_id, atl_id=atl_id)

    # --- deposits -----------------------------------------------------------------------------

    def create_deposit(
        self,
        customer_id: str,
        nominal: int,
        *,
        metode: str = "qris",
        quote_id: str | None = None,
        expires_at: datetime | None = None,
    ) -> MoneyResult:
        """A pending deposit with our `DP…` reference; `quote_id` = an order waiting for it."""
        return self._money(
            "create_deposit",
            customer_id=customer_id,
            nominal=nominal,
            metode=metode,
            quote_id=quote_id,
            expires_at=_ts(expires_at),
        )

    def update_deposit_invoice(
        self,
        reff_id: str,
        *,
        atl_id: str | None = None,
        qr_string: str | None = None,
        fee: int | None = None,
        get_balance: int | None = None,
        expires_at: datetime | None = None,
        tambahan: int | None = None,
    ) -> MoneyResult:
        """Keep what the supplier's invoice said (None leaves a field unchanged).

        `tambahan`: the unique amount the invoice adds on top of the nominal; with the nominal
        it caps what the deposit may ever credit.
        """
        return self._money(
            "update_deposit_invoice",
            reff_id=reff_id,
            atl_id=atl_id,
            qr_string=qr_string,
            fee=fee,
            get_balance=get_balance,
            expires_at=_ts(expires_at),
            tambahan=tambahan,
        )

    def mark_deposit_processing(self, reff_id: str) -> MoneyResult:
        """The supplier reports `processing`: paid, not yet settled."""
        return self._money("mark_deposit_processing", reff_id=reff_id)

    def credit_deposit(self, reff_id: str, amount: int) -> MoneyResult:
        """Paid: credit `amount` (the supplier's get_balance) once; see `quote_id` after.

        Refused `over_cap` above the deposit's nominal + tambahan.
        """
        return self._money("credit_deposit", reff_id=reff_id, amount=amount)

    def close_deposit(
        self, reff_id: str, status: Literal["expired", "cancel", "failed"]
    ) -> MoneyResult:
        """Close an unpaid deposit."""
        return self._money("close_deposit", reff_id=reff_id, status=status)

    def get_deposit(
        self, reff_id: str | None = None, *, atl_id: str | None = None
    ) -> Deposit | None:
        """A deposit by our reference, or by the supplier's id."""
        return self._maybe(Deposit, "get_deposit", reff_id=reff_id, atl_id=atl_id)

    def latest_deposit_for_quote(self, quote_id: str) -> Deposit | None:
        """The newest deposit made for a quote (at most one of them is still open)."""
        return self._maybe(Deposit, "latest_deposit_for_quote", quote_id=quote_id)

    def set_deposit_pay_to(self, reff_id: str, pay_to: str) -> MoneyResult:
        """Keep where a bank or e-wallet deposit is paid to, to show it again."""
        return self._money("set_deposit_pay_to", reff_id=reff_id, pay_to=pay_to)

    # --- transfers ----------------------------------------------------------------------------

    def hold_transfer(
        self, quote_id: str, customer_id: str, now: datetime | None = None
    ) -> MoneyResult:
        """YA to a transfer quote: create the pending transfer and hold nominal + fee."""
        return self._money(
            "hold_transfer", quote_id=quote_id, customer_id=customer_id, now=_ts(now)
        )

    def mark_transfer_submitted(self, reff_id: str, atl_id: str | None = None) -> MoneyResult:
        """Same contract as `mark_order_submitted`."""
        return self._money("mark_transfer_submitted", reff_id=reff_id, atl_id=atl_id)

    def settle_transfer(
        self,
        reff_id: str,
        *,
        success: bool,
        atl_id: str | None = None,
        reason: str | None = None,
    ) -> MoneyResult:
        """Success → final; failure → final and the hold refunded exactly once."""
        return self._money(
            "settle_transfer", reff_id=reff_id, success=success, atl_id=atl_id, reason=reason
        )

    def get_transfer(
        self, reff_id: str | None = None, *, atl_id: str | None = None
    ) -> Transfer | None:
        """A transfer by our reference, or by the supplier's id."""
        return self._maybe(Transfer, "get_transfer", reff_id=reff_id, atl_id=atl_id)

    # --- saldo, history, reconciliation -------------------------------------------------------

    def get_balance(self, customer_id: str) -> Balance:
        """Saldo (and the ledger sum, always equal)."""
        return self._one(Balance, "get_balance", customer_id=customer_id)

    def history(self, customer_id: str, limit: int = 10) -> list[HistoryItem]:
        """Orders, deposits and transfers, newest first."""
        return self._many(HistoryItem, "history", customer_id=customer_id, limit=limit)

    def sales_summary(self, now: datetime | None = None) -> SalesSummary:
        """Today's (WIB) successful orders, revenue and supplier cost, for the owner's report."""
        return self._one(SalesSummary, "sales_summary", now=_ts(now))

    def pending_items(
        self, older_than_seconds: int, now: datetime | None = None, limit: int = 100
    ) -> PendingItems:
        """Documents still pending after `older_than_seconds`, oldest first."""
        return self._one(
            PendingItems,
            "pending_items",
            older_than_seconds=older_than_seconds,
            now=_ts(now),
            limit=limit,
        )

    def claim_pending_items(
        self, older_than_seconds: int, run_started: datetime, limit: int = 100
    ) -> list[PendingItem]:
        """A page of pending documents not checked since `run_started`, least recently first.

        Each is stamped as checked at `run_started`, so the next call gets the next page.
        """
        return self._many(
            PendingItem,
            "claim_pending_items",
            older_than_seconds=older_than_seconds,
            run_started=_ts(run_started),
            limit=limit,
        )

    def adjust_balance(self, customer_id: str, amount: int, ref: str) -> MoneyResult:
        """Admin correction (+/-), idempotent on `ref`; never below zero."""
        return self._money("adjust_balance", customer_id=customer_id, amount=amount, ref=ref)

    # --- settings and price cache -------------------------------------------------------------

    def get_setting(self, key: str) -> object:
        """A setting's JSON value, or None."""
        return self._call("get_setting", key=key)

    def set_setting(self, key: str, value: object) -> object:
        """Store a setting (any JSON value); returns it."""
        return self._call("set_setting", key=key, value=Json(value))

    def list_settings(self) -> dict[str, object]:
        """Every setting."""
        data = self._call("list_settings")
        return dict(data) if isinstance(data, dict) else {}

    def put_price_cache(
        self,
        type: str,
        payload: object,
        ttl_sec: int,
        now: datetime | None = None,  # noqa: A002
    ) -> None:
        """Persist a price list of one type (prabayar, pascabayar, ...)."""
        self._call(
            "put_price_cache", type=type, payload=Json(payload), ttl_sec=ttl_sec, now=_ts(now)
        )

    def get_price_cache(
        self,
        type: str,
        now: datetime | None = None,  # noqa: A002
    ) -> PriceCacheEntry | None:
        """The persisted price list with `fresh` at `now`, or None."""
        return self._maybe(PriceCacheEntry, "get_price_cache", type=type, now=_ts(now))

    # --- Gemini API keys (ciphertext only; see shared.crypto.KeyBox) ---------------------------

    def add_api_key(
        self, *, ciphertext: str, fingerprint: str, label: str = "", priority: int = 100
    ) -> AddedApiKey:
        """Store an encrypted key; the same fingerprint twice keeps one row."""
        return self._one(
            AddedApiKey,
            "add_api_key",
            key_ciphertext=ciphertext,
            key_fingerprint=fingerprint,
            label=label,
            priority=priority,
        )

    def list_api_keys(self, now: datetime | None = None) -> list[ApiKey]:
        """Every key in try order (priority, age), with `available` at `now`."""
        return self._many(ApiKey, "list_api_keys", now=_ts(now))

    def set_api_key_cooldown(
        self, key_id: str, until: datetime | None, error: str | None = None
    ) -> ApiKey | None:
        """Rest a key until `until` (None ends the rest), remembering the error."""
        return self._maybe(
            ApiKey, "set_api_key_cooldown", id=key_id, until=_ts(until), error=error
        )

    def clear_expired_cooldowns(self, now: datetime | None = None) -> int:
        """Forget cooldowns that have passed; returns how many."""
        data = self._call("clear_expired_cooldowns", now=_ts(now))
        return int(data["cleared"]) if isinstance(data, dict) else 0

    def record_api_key_result(self, key_id: str, error: str | None = None) -> ApiKey | None:
        """After a call: None = success (failure_count reset), else count the error."""
        return self._maybe(ApiKey, "record_api_key_result", id=key_id, error=error)

    def update_api_key(
        self,
        key_id: str,
        *,
        enabled: bool | None = None,
        priority: int | None = None,
        label: str | None = None,
    ) -> ApiKey | None:
        """Enable/disable, re-prioritise or relabel a key."""
        return self._maybe(
            ApiKey, "update_api_key", id=key_id, enabled=enabled, priority=priority, label=label
        )

    def delete_api_key(self, key_id: str) -> bool:
        """Remove a key; True when it existed."""
        data = self._call("delete_api_key", id=key_id)
        return bool(data["deleted"]) if isinstance(data, dict) else False

    # --- supplier-event inbox (migration 0012) ---------------------------------------------------

    def record_supplier_event(
        self,
        *,
        kind: Literal["order", "bill", "deposit", "transfer"],
        reff_id: str,
        supplier_id: str = "",
        raw_status: str = "",
        status: str = "",
    ) -> int:
        """Record a verified webhook (one INSERT); returns the event id. Moves no money.

        `status`: the webhook's mapped status, kept as the hint a later settle compares with.
        """
        data = self._call(
            "record_supplier_event",
            kind=kind,
            reff_id=reff_id,
            supplier_id=supplier_id,
            raw_status=raw_status,
            status=status,
        )
        if not isinstance(data, dict) or not isinstance(data.get("id"), int):
            raise RpcError("record_supplier_event returned no id")
        return int(data["id"])

    def mark_supplier_event_settled(self, event_id: int, result: str) -> bool:
        """Mark it settled with what settling did; False when it was settled before."""
        data = self._call("mark_supplier_event_settled", id=event_id, result=result)
        return bool(data["settled"]) if isinstance(data, dict) else False

    def defer_supplier_event(self, event_id: int, result: str) -> bool:
        """Settling could not verify it: keep it received, due again after a growing pause."""
        data = self._call("defer_supplier_event", id=event_id, result=result)
        return bool(data["deferred"]) if isinstance(data, dict) else False

    def unsettled_supplier_events(
        self, older_than_seconds: int, now: datetime | None = None, limit: int = 100
    ) -> list[SupplierEventRecord]:
        """Received events at least `older_than_seconds` old and due again, longest due first."""
        return self._many(
            SupplierEventRecord,
            "unsettled_supplier_events",
            older_than_seconds=older_than_seconds,
            now=_ts(now),
            limit=limit,
        )

    def supplier_events_for(self, reff_id: str) -> list[SupplierEventRecord]:
        """Every recorded webhook about one reference, oldest first."""
        return self._many(SupplierEventRecord, "supplier_events_for", reff_id=reff_id)

    # --- outbox (migration 0017) -------------------------------------------------------------

    def outbox_put(
        self, message_id: str, message: Mapping[str, object], customer_id: str | None = None
    ) -> OutboxPut:
        """Record a message to publish under its stable id (a second put changes nothing)."""
        return self._one(
            OutboxPut,
            "outbox_put",
            id=message_id,
            message=Json(dict(message)),
            customer_id=customer_id,
        )

    def outbox_sent(self, message_ids: Sequence[str]) -> int:
        """These went out; returns how many were still pending."""
        data = self._call("outbox_sent", ids=Json(list(message_ids)))
        return int(data["sent"]) if isinstance(data, dict) else 0

    def outbox_due(self, *, limit: int = 100, now: datetime | None = None) -> list[OutboxItem]:
        """Claim pending messages past their grace, oldest first (each is due again later)."""
        return self._many(OutboxItem, "outbox_due", limit=limit, now=_ts(now))

    def waiting_orders(self, *, limit: int = 100) -> list[WaitingOrder]:
        """Credited deposits whose order quote is still open, oldest credit first."""
        return self._many(WaitingOrder, "waiting_orders", limit=limit)
