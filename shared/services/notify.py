"""The Notifier: supplier and ledger events as Indonesian messages on the outbound bus.

Webhooks and the reconciler call `Components.notifier.notify(...)` after a real state change.
The customer's message goes to the chat they last wrote from (`customers.wa_jid`); owner alerts
go to OWNER_NUMBER and the ADMIN_NUMBERS. A credited deposit that was made for a waiting order
also finishes that order here (design.md §5).

Customer notifications carry a stable `OutboundMessage.id` named after what triggered them
(`n:{kind}:{reff_id}`): a settled reference reaches each final state once, so a replayed or
republished notification has the same id and the relay sends it once. Owner alerts with a `key`
(a finding about one reference) are named after it and go out once; others have no id: the same
alert may rightly be raised again later.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from shared.log import correlation, hash_id
from shared.messages import OutboundMessage
from shared.services import language, receipts
from shared.services.notifications import Notification

if TYPE_CHECKING:
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

    def _notify(self, n: Notification) -> None:
        if n.kind == "owner_alert" or n.customer_id is None:
            alert = f"⚠️ {n.reason or n.kind}" + (f" ({n.reff_id})" if n.reff_id else "")
            self.to_owner(alert, key=n.key)
            return
        ref = notification_id(n)
        # In the language the customer last wrote in (English customers get English receipts).
        with language.speaking(language.remembered(self._components.cache, n.customer_id)):
            self.to_customer(n.customer_id, render(n), correlation_id=n.reff_id, message_id=ref)
            if n.kind == "deposit_credited" and n.quote_id:
                from shared.services.followup import complete_waiting_quote  # noqa: PLC0415

                text = complete_waiting_quote(self._components, n.customer_id, n.quote_id)
                if text:
                    self.to_customer(
                        n.customer_id,
                        text,
                        correlation_id=n.reff_id,
                        message_id=f"{ref}:order" if ref else None,
                    )

    def to_customer(
        self,
        customer_id: str,
        text: str,
        *,
        correlation_id: str | None = None,
        message_id: str | None = None,
    ) -> bool:
        """Send `text` to the customer's chat; False when the customer has no chat on record.

        `message_id`: the stable id of this message, when its trigger happens only once.
        """
        components = self._components
        customer = components.store.get_customer(customer_id)
        if customer is None or not customer.wa_jid:
            log.warning("no chat for customer %s: notification dropped", hash_id(customer_id))
            return False
        channel = "console" if components.cache.get(f"channel:{customer_id}") else "whatsapp"
        components.bus.publish_outbound(
            OutboundMessage(
                id=message_id,
                chat=customer.wa_jid,
                text=text,
                kind="notification",
                channel=channel,
                correlation_id=correlation_id,
            )
        )
        components.store.record_message(
            customer_id=customer_id,
            direction="outbound",
            text=text,
            meta={"notification": True, "ref": correlation_id},
        )
        return True

    def to_owner(self, text: str, *, key: str | None = None) -> None:
        """Alert the owner (OWNER_NUMBER) and every admin on WhatsApp.

        `key`: alerts with the same key get the same message ids, so the relay sends them once.
        """
        numbers = self._components.settings.alert_numbers
        if not numbers:
            log.warning("owner alert with nowhere to go: %s", text[:80])
            return
        for number in sorted(numbers):
            self._components.bus.publish_outbound(
                OutboundMessage(
                    id=f"alert:{key}:{number}"[:256] if key else None,
                    chat=f"{number}@s.whatsapp.net",
                    text=text,
                    kind="notification",
                )
            )


def notification_id(n: Notification) -> str | None:
    """The stable id of a customer notification: its kind and settled reference."""
    return f"n:{n.kind}:{n.reff_id}" if n.reff_id else None


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
