"""The Notifier: supplier and ledger events as Indonesian messages, through the outbox.

Webhooks and the reconciler call `Components.notifier.notify(...)` after a real state change.
The customer's message goes to the chat they last wrote from (`customers.wa_jid`); owner alerts
go to OWNER_NUMBER and the ADMIN_NUMBERS.

No message is lost to a failed publish: the outbox (migration 0017). A notification or an alert
is recorded under its stable id, published, then marked sent; a turn's replies (durable with
their turn already) are recorded only when their publish failed (`publish_replies`). A publish
that fails is logged, never raised, and the message stays pending for `deliver_due` (the
`deliver_outbox` job), which also publishes the notifications the ledger queued by itself when a
document reached a final state (so a process that died between the ledger call and the notifier
still tells the customer). Customer notifications are named after what triggered them
(`n:{kind}:{reff_id}`), owner alerts with a `key` after the finding (`alert:{key}:{number}`,
once however often it is found), other alerts get a fresh id. The relay sends each id at most
once, so publishing one twice is harmless.

A credited deposit made for a waiting order also tries to place that order at once
(`followup.try_waiting_order`); the reconcile job retries whatever could not be placed then.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import TYPE_CHECKING

from shared.log import correlation, hash_id
from shared.messages import OutboundMessage
from shared.services import language, receipts
from shared.services.notifications import Notification, notification_id

if TYPE_CHECKING:
    from shared.store_models import OutboxItem
    from shared.wiring import Components

log = logging.getLogger(__name__)

CHANNEL_TTL_SECONDS = 24 * 3600


def remember_channel(components: Components, customer_id: str, channel: str) -> None:
    """Console customers get their notifications on the console, not on WhatsApp."""
    key = f"channel:{customer_id}"
    if channel == "console":
        components.cache.set(key, channel, ttl_seconds=CHANNEL_TTL_SECONDS)


class BusNotifier:
    """`Notifier` (shared.services.notifications) publishing on `Components.bus`."""

    def __init__(self, components: Components) -> None:
        self._components = components

    def notify(self, n: Notification) -> None:
        """Tell the customer (or the owner) about `n`; never raises for a delivery problem."""
        with correlation(reff_id=n.reff_id):
            try:
                self._notify(n)
                log.info("notification %s for %s handled", n.kind, n.reff_id)
            except Exception:
                log.exception("notification %s for %s not delivered", n.kind, n.reff_id)

    def _notify(self, n: Notification) -> bool:
        """Publish `n` (through the outbox); False when it is still waiting to go out."""
        if n.kind == "owner_alert" or n.customer_id is None:
            text = f"⚠️ {n.reason or n.kind}" + (f" ({n.reff_id})" if n.reff_id else "")
            return self.to_owner(text, key=n.key)
        # In the language the customer last wrote in (English customers get English receipts).
        with language.speaking(language.remembered(self._components.cache, n.customer_id)):
            out = self.to_customer(
                n.customer_id, render(n), correlation_id=n.reff_id, message_id=notification_id(n)
            )
            if n.kind == "deposit_credited" and n.quote_id and n.reff_id:
                from shared.services.followup import try_waiting_order  # noqa: PLC0415

                try_waiting_order(self._components, n.customer_id, n.quote_id, n.reff_id)
        return out

    def to_customer(
        self,
        customer_id: str,
        text: str,
        *,
        correlation_id: str | None = None,
        message_id: str | None = None,
    ) -> bool:
        """Send `text` to the customer's chat; False when it is still waiting to go out.

        `message_id`: the stable id of this message, when its trigger happens only once. A
        customer without a chat on record gets nothing (logged; the message is closed).
        """
        components = self._components
        message_id = message_id or f"n:{uuid.uuid4().hex}"
        customer = components.store.get_customer(customer_id)
        if customer is None or not customer.wa_jid:
            log.warning("no chat for customer %s: notification dropped", hash_id(customer_id))
            components.store.outbox_sent([message_id])  # nothing could ever send it
            return True
        channel = "console" if components.cache.get(f"channel:{customer_id}") else "whatsapp"
        message = OutboundMessage(
            id=message_id,
            chat=customer.wa_jid,
            text=text,
            kind="notification",
            channel=channel,
            correlation_id=correlation_id,
        )
        return self.send(message, customer_id=customer_id)

    def to_owner(self, text: str, *, key: str | None = None) -> bool:
        """Alert the owner (OWNER_NUMBER) and every admin on WhatsApp.

        `key`: alerts with the same key get the same message ids, so they go out once.
        """
        numbers = self._components.settings.alert_numbers
        if not numbers:
            log.warning("owner alert with nowhere to go: %s", text[:80])
            return True
        tag = key or uuid.uuid4().hex
        sent = [
            self.send(
                OutboundMessage(
                    id=f"alert:{tag}:{number}"[:256],
                    chat=f"{number}@s.whatsapp.net",
                    text=text,
                    kind="notification",
                )
            )
            for number in sorted(numbers)
        ]
        return all(sent)

    def send(self, message: OutboundMessage, *, customer_id: str | None = None) -> bool:
        """Record `message` in the outbox, publish it unless it went out before, mark it sent.

        True when it is out (now or before); a failed publish is logged and left pending.
        A customer's message is also logged in their message history when it goes out.
        """
        store = self._components.store
        put = store.outbox_put(_id(message), _json(message), customer_id)
        if put.state == "sent":
            return True
        if not self._publish_marked(message):
            return False
        if customer_id is not None:
            store.record_message(
                customer_id=customer_id,
                direction="outbound",
                text=message.text,
                meta={"notification": True, "ref": message.correlation_id},
            )
        return True

    def publish_replies(self, replies: list[OutboundMessage]) -> None:
        """Publish a turn's replies in order; what fails waits in the outbox for the drain.

        Raises only when even recording them fails: the caller's redelivery is then the retry
        (the turn's stored replies come back with it).
        """
        for index, reply in enumerate(replies):
            try:
                self._components.bus.publish_outbound(reply)
            except Exception as exc:
                log.warning(
                    "publish of %d repl(ies) failed (%s): kept in the outbox for the drain",
                    len(replies) - index,
                    type(exc).__name__,
                )
                for rest in replies[index:]:
                    self._components.store.outbox_put(_id(rest), _json(rest))
                return

    def _publish_marked(self, message: OutboundMessage) -> bool:
        """Publish an outbox message and mark it sent; False (logged) when the publish failed."""
        try:
            self._components.bus.publish_outbound(message)
        except Exception as exc:
            log.warning(
                "publish of %s failed (%s): left in the outbox for the drain",
                message.id,
                type(exc).__name__,
            )
            return False
        try:
            self._components.store.outbox_sent([_id(message)])
        except Exception:
            # It did go out; the drain publishes it again and the relay dedupes.
            log.exception("marking %s sent failed", message.id)
        return True

    def deliver_due(
        self, *, now: datetime | None = None, page: int = 100, max_items: int = 2000
    ) -> dict[str, int]:
        """Publish what is still pending in the outbox (the `deliver_outbox` job).

        Pages through every due message, up to `max_items` a run; a message that fails again is
        due again later (the claim moved it), so the pages never repeat one within a run.
        """
        due = published = 0
        while due < max_items:
            items = self._components.store.outbox_due(limit=min(page, max_items - due), now=now)
            due += len(items)
            published += sum(self._deliver(item) for item in items)
            if len(items) < page:
                break
        return {"due": due, "published": published, "failed": due - published}

    def _deliver(self, item: OutboxItem) -> bool:
        if item.message is not None:
            return self._publish_marked(OutboundMessage.model_validate(item.message))
        n = Notification.model_validate(item.notification)
        with correlation(reff_id=n.reff_id):
            try:
                return self._notify(n)
            except Exception:
                log.exception("queued notification %s not delivered", item.id)
                return False


def _id(message: OutboundMessage) -> str:
    assert message.id is not None  # noqa: S101 - replies, notifications and alerts all have one
    return message.id


def _json(message: OutboundMessage) -> dict[str, object]:
    return message.model_dump(mode="json", exclude_none=True)


def render(n: Notification) -> str:
    """A customer notification in Indonesian; amounts and statuses as the ledger gave them."""
    product = n.product or "Pesanan"
    target = n.target or "-"
    ref = n.reff_id or "-"
    if n.kind == "order_success":
        return receipts.receipt(
            receipts.Receipt(
                product=product,
                target=target,
                price=n.price or 0,
                status="success",
                ref=ref,
                sn=n.sn,
                is_pln=receipts.looks_like_pln(product),
                balance=n.balance,
            )
        )
    if n.kind == "order_failed":
        return receipts.refund_notice(product, target, n.amount or n.price or 0, ref, n.balance)
    if n.kind == "deposit_credited":
        return receipts.deposit_credited(n.amount or 0, n.balance)
    if n.kind == "deposit_expired":
        return receipts.deposit_failed(n.amount or 0, "expired")
    if n.kind == "transfer_success":
        return receipts.transfer_done(n.amount or 0, product, target, None, ref)
    return receipts.transfer_failed(n.amount or 0, product, target, ref, n.balance)
