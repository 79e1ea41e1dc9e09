"""The one inbound entry point: a WhatsApp (or console) message in, replies out.

`handle_inbound(message, components) -> list[OutboundMessage]` RETURNS the replies and does not
publish them; callers publish (the Cloud Function `on_message` to `wa-outbound`, the all-in-one
bus worker via `process_inbound`). Notifications that happen later (webhooks, a deposit that
completes an order) are published by `Components.notifier` on `Components.bus` instead.

Order of work for one message:

1. Resolve the customer (phone JID and LID map to one internal id; idempotent; known
   identities are cached briefly).
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
IDENTITY_TTL_SECONDS = 10 * 60
PAUSE_CACHE_SECONDS = 24 * 3600


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
    customer_id = resolve(message, components)
    if customer_id is None:
        log.warning("inbound message without a sender identity dropped")
        return []
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
            pause(
                components,
                customer_id,
                now + timedelta(minutes=components.settings.takeover_minutes),
            )
            return []
        if paused(components, customer_id, now):
            return []
        remember_channel(components, customer_id, message.channel)
        age = (now - message.timestamp).total_seconds()
        if age > components.settings.stale_message_seconds:
            out = _catch_up(components, customer_id)
        else:
            out = _converse(message, components, customer_id, now)
        outbound = [_to_outbound(reply, message) for reply in out]
        if outbound:
            # One log row per turn: each row is a committed write, and this is the hot path.
            store.record_message(
                customer_id=customer_id,
                direction="outbound",
                type="image" if any(o.image_ref for o in outbound) else "text",
                text="\n\n".join(o.text or o.image_caption or "" for o in outbound),
                media_url=next((o.image_ref for o in outbound if o.image_ref), None),
                meta={"reply_to": message.wa_msg_id, "parts": len(outbound)},
            )
        return outbound


def resolve(message: InboundMessage, components: Components) -> str | None:
    """The internal customer id behind the message's phone number and/or LID.

    Known identities are remembered in the cache for a while so the hot path skips the write
    `resolve_customer` does; a new identity (or a LID arriving next to a phone number) always
    goes to the store, which links both to one customer.
    """
    phone, lid = identities(message)
    keys = [f"cust:{kind}:{value}" for kind, value in (("pn", phone), ("lid", lid)) if value]
    if not keys:
        return None
    cache = components.cache
    known = {cache.get(key) for key in keys}
    if len(known) == 1 and None not in known:
        return known.pop()
    resolved = components.store.resolve_customer(
        phone=phone,
        lid=lid,
        push_name=None if message.from_me else message.push_name,
        chat_jid=message.chat,
    )
    customer_id = str(resolved.customer_id)
    for key in keys:
        cache.set(key, customer_id, ttl_seconds=IDENTITY_TTL_SECONDS)
    until = resolved.customer.paused_until
    if until is not None:
        cache.set(f"pause:{customer_id}", until.isoformat(), ttl_seconds=PAUSE_CACHE_SECONDS)
    return customer_id


def pause(components: Components, customer_id: str, until: datetime) -> None:
    """The owner took over the chat: the bot stays quiet there until `until`."""
    components.store.set_customer_pause(customer_id, until)
    components.cache.set(
        f"pause:{customer_id}", until.isoformat(), ttl_seconds=PAUSE_CACHE_SECONDS
    )
    log.info("owner took over chat %s until %s", hash_id(customer_id), until)


def paused(components: Components, customer_id: str, now: datetime) -> bool:
    """Whether an owner takeover is still running in this chat."""
    until = components.cache.get(f"pause:{customer_id}")
    return until is not None and datetime.fromisoformat(until) > now


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
