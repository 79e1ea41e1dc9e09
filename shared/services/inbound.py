"""The one inbound entry point: a WhatsApp (or console) message in, replies out.

`handle_inbound(message, components) -> list[OutboundMessage]` RETURNS the replies and does not
publish them; callers publish (the Cloud Function `on_message` to `wa-outbound`, the all-in-one
bus worker via `process_inbound`). Notifications that happen later (webhooks, a deposit that
completes an order) are published by `Components.notifier` on `Components.bus` instead.

Order of work for one message:

1. Resolve the customer (phone JID and LID map to one internal id; idempotent).
2. Take the customer's lock in the shared cache, so one customer's messages are handled one at
   a time even across instances (Cloud Functions or two all-in-one processes).
3. Dedupe atomically on `wa_msg_id` by logging it (unique key, `ON CONFLICT DO NOTHING`): a
   second delivery returns `[]` before any side effect.
4. `from_me` (typed by the owner on the bot's phone; the relay does not forward the messages it
   sent itself): pause the bot in that chat for TAKEOVER_MINUTES, answer nothing.
5. A paused chat gets no answer. A stale message (older than STALE_MESSAGE_SECONDS: an offline
   backlog or a late redelivery) never moves money and gets at most one catch-up reply.
6. The dialog engine answers; every reply is logged as an outbound message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shared.log import hash_id
from shared.messages import InboundMessage, OutboundMessage
from shared.services import replies
from shared.services.dialog.engine import respond
from shared.services.dialog.state import load_state, save_state
from shared.services.dialog.turn import Reply, Turn
from shared.services.locks import customer_lock
from shared.services.notify import remember_channel
from shared.wiring import Components

log = logging.getLogger(__name__)

CATCH_UP_TTL_SECONDS = 15 * 60


def identities(message: InboundMessage) -> tuple[str | None, str | None]:
    """The customer's phone digits and LID; for owner (`from_me`) messages, the chat's."""
    if message.from_me:
        user, _, server = message.chat.partition("@")
        user = user.split(":")[0]
        return (None, user) if server == "lid" else (user, None)
    return message.sender_phone, message.sender_lid


def handle_inbound(message: InboundMessage, components: Components) -> list[OutboundMessage]:
    """Handle one inbound message and return the replies to send (see the module docstring)."""
    store = components.store
    phone, lid = identities(message)
    if phone is None and lid is None:
        log.warning("inbound message without a sender identity dropped")
        return []
    customer = store.resolve_customer(
        phone=phone,
        lid=lid,
        push_name=None if message.from_me else message.push_name,
        chat_jid=message.chat,
    )
    customer_id = str(customer.customer_id)
    with customer_lock(components.cache, customer_id):
        logged = store.record_message(
            customer_id=customer_id,
            direction="outbound" if message.from_me else "inbound",
            type=message.kind,
            wa_msg_id=message.wa_msg_id,
            text=message.text,
            media_url=message.media_ref,
            meta={"from_me": message.from_me, "channel": message.channel},
        )
        if not logged.inserted:
            log.info("duplicate delivery of %s ignored", hash_id(message.wa_msg_id))
            return []
        now = components.clock.now()
        if message.from_me:
            until = now + timedelta(minutes=components.settings.takeover_minutes)
            store.set_customer_pause(customer_id, until)
            log.info("owner took over chat %s until %s", hash_id(customer_id), until)
            return []
        paused = customer.customer.paused_until
        if paused is not None and paused > now:
            return []
        stale = (now - message.timestamp).total_seconds() > (
            components.settings.stale_message_seconds
        )
        remember_channel(components, customer_id, message.channel)
        if stale:
            out = _catch_up(components, customer_id)
        else:
            out = _converse(message, components, customer_id, now)
        outbound = [_to_outbound(reply, message) for reply in out]
        for item in outbound:
            store.record_message(
                customer_id=customer_id,
                direction="outbound",
                type="image" if item.image_ref else "text",
                text=item.text or item.image_caption,
                media_url=item.image_ref,
                meta={"reply_to": message.wa_msg_id},
            )
        return outbound


def _catch_up(components: Components, customer_id: str) -> list[Reply]:
    """At most one "sorry, I was offline" per customer per backlog; nothing else happens."""
    fresh = components.cache.set(
        f"catchup:{customer_id}", "1", ttl_seconds=CATCH_UP_TTL_SECONDS, nx=True
    )
    return [Reply(text=replies.CATCH_UP)] if fresh else []


def _converse(
    message: InboundMessage, components: Components, customer_id: str, now: datetime
) -> list[Reply]:
    sender = message.sender_phone or ""
    turn = Turn(
        customer_id=customer_id,
        chat=message.chat,
        text=(message.text or "").strip(),
        message=message,
        now=now,
        is_admin=bool(sender) and sender in components.settings.admins,
        stale=False,
        state=load_state(components.cache, customer_id),
        components=components,
    )
    respond(turn)
    save_state(components.cache, customer_id, turn.state)
    return turn.replies


def _to_outbound(reply: Reply, message: InboundMessage) -> OutboundMessage:
    return OutboundMessage(
        chat=message.chat,
        text=reply.text,
        image_ref=reply.image_ref,
        image_caption=reply.caption,
        reply_to=message.wa_msg_id,
        channel=message.channel,
    )


def process_inbound(message: InboundMessage, components: Components) -> None:
    """Bus worker form: handle the message and publish its replies on `Components.bus`."""
    for reply in handle_inbound(message, components):
        components.bus.publish_outbound(reply)
