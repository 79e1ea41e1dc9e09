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
3. Claim the message's turn atomically on `wa_msg_id` (`Store.claim_turn`: the message log's
   unique key). A message answered before is not handled again: its stored replies are
   returned again, with the same ids, and nothing else happens (see "Redeliveries").
4. `from_me` (typed by the owner on the bot's phone; the relay does not forward the messages it
   sent itself): pause the bot in that chat for TAKEOVER_MINUTES, answer nothing.
5. A paused chat gets no answer. A stale message (flagged `backlog` by the relay, or older than
   STALE_MESSAGE_SECONDS: an offline backlog or a late redelivery) never runs a side effect and
   gets at most one catch-up reply. A
   message WhatsApp could not decrypt for us (kind `undecryptable`) gets one "please send it
   again" per burst.
6. The dialog engine answers. The replies get stable ids (`{wa_msg_id}#{n}`) and are stored
   with the turn and logged as one outbound message (`Store.finish_turn`, one transaction).

Redeliveries. `on_message` publishes the replies after this returns (`publish_replies`); a
publish that fails records them in the outbox, where the `deliver_outbox` job publishes them,
and a process that dies before publishing leaves the delivery unacknowledged. A delivery of a
message answered before finds the turn done and gets the same replies back, with the same ids;
the relay sends each reply id at most once, so the customer sees one set of replies however
often the message is delivered, and no reply is lost.

A turn that raises (a bug, the database or the supplier failing mid-turn) releases its claim
(`Store.fail_turn`) and the error propagates, so the next delivery (Pub/Sub's redelivery, or
`process_inbound`'s retry in the all-in-one mode) runs the turn again. Running it again is safe:
a new quote supersedes the old one, and YA executes a quote through `place_order` /
`hold_transfer` and `mark_*_submitted`, which are idempotent on the quote and its `reff_id`, so
money never moves twice and the supplier is never called twice for one order. The dialog state
is only saved when a turn ends, so the rerun sees the conversation as the failed one did. After
MAX_TURN_ATTEMPTS failed attempts the customer gets a short apology (stored as the turn's reply
like any other) instead of silence or an endless retry. A worker that died without releasing
(killed at its timeout) holds the turn for TURN_LEASE_SECONDS; deliveries meanwhile raise
`TurnBusy` so Pub/Sub tries again later, and the next one after the lease takes the turn over.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from shared.errors import SalesbotError
from shared.log import hash_id
from shared.messages import InboundMessage, OutboundMessage
from shared.services import language, replies
from shared.services.dialog.engine import respond
from shared.services.dialog.state import load_state, save_state
from shared.services.dialog.turn import Reply, Turn
from shared.services.locks import customer_lock
from shared.services.notify import remember_channel
from shared.services.takeover import PAUSE_CACHE_SECONDS, pause, pause_key, paused
from shared.wiring import Components

log = logging.getLogger(__name__)


CATCH_UP_TTL_SECONDS = 15 * 60
IDENTITY_TTL_SECONDS = 10 * 60
MAX_TURN_ATTEMPTS = 3
# Longer than on_message's timeout (120 s), so a live worker is never taken over.
TURN_LEASE_SECONDS = 180

TURN_FAILED = (
    "Maaf kak, pesan tadi gagal aku proses karena ada gangguan 🙏 Kalau tadi lagi pesan, cek "
    "dulu di *riwayat* biar nggak dobel ya, lalu kirim lagi."
)
TURN_FAILED_EN = (
    "Sorry, something went wrong with your last message 🙏 If you were ordering, check your "
    "*history* first so nothing is bought twice, then send it again."
)


def _apology(components: Components, customer_id: str) -> Reply:
    """The turn failed for good: sorry, in the customer's language."""
    english = language.remembered(components.cache, customer_id) == "en"
    return Reply(text=TURN_FAILED_EN if english else TURN_FAILED)


class TurnBusy(SalesbotError):
    """Another worker is still running this message's turn; raise so the bus redelivers."""


def identities(message: InboundMessage) -> tuple[str | None, str | None]:
    """The customer's phone digits and LID; for owner (`from_me`) messages, the chat's."""
    if message.from_me:
        user, _, server = message.chat.partition("@")
        user = user.split(":")[0]
        return (None, user) if server == "lid" else (user, None)
    return message.sender_phone, message.sender_lid


def handle_inbound(message: InboundMessage, components: Components) -> list[OutboundMessage]:
    """Handle one inbound message and return the replies to send (see the module docstring).

    Raises:
        TurnBusy: another worker is still running this message's turn.
    """
    customer_id = resolve(message, components)
    if customer_id is None:
        log.warning("inbound message without a sender identity dropped")
        return []
    with customer_lock(components.cache, customer_id):
        claim = components.store.claim_turn(
            customer_id=customer_id,
            direction="outbound" if message.from_me else "inbound",
            # The message log has no type for a message without content.
            type="other" if message.kind == "undecryptable" else message.kind,
            wa_msg_id=message.wa_msg_id,
            text=message.text,
            media_url=message.media_ref,
            meta={"from_me": message.from_me, "channel": message.channel},
            lease_seconds=TURN_LEASE_SECONDS,
        )
        if claim.outcome == "done":
            log.info(
                "repeated delivery of %s: %d stored replies returned again",
                hash_id(message.wa_msg_id),
                len(claim.replies),
            )
            return _stored(claim.replies)
        if claim.outcome == "busy":
            raise TurnBusy(f"the turn of {hash_id(message.wa_msg_id)} is still running")
        if claim.attempt > MAX_TURN_ATTEMPTS:
            # Earlier workers died on this message without even releasing it: stop trying.
            out = [_apology(components, customer_id)]
        else:
            out = _attempt(message, components, customer_id, claim.attempt)
        return _finish(message, components, claim.attempt, out)


def _attempt(
    message: InboundMessage, components: Components, customer_id: str, attempt: int
) -> list[Reply]:
    """Run the turn; a failure releases the claim and propagates, the last one apologises."""
    try:
        return _turn(message, components, customer_id)
    except Exception:
        if attempt >= MAX_TURN_ATTEMPTS:
            log.exception(
                "turn of %s failed %d times; the customer gets an apology",
                hash_id(message.wa_msg_id),
                attempt,
            )
            return [_apology(components, customer_id)]
        log.warning(
            "turn of %s failed (attempt %d); released for a retry",
            hash_id(message.wa_msg_id),
            attempt,
        )
        components.store.fail_turn(message.wa_msg_id, attempt)
        raise


def _turn(message: InboundMessage, components: Components, customer_id: str) -> list[Reply]:
    now = components.clock.now()
    if message.from_me:
        # The owner typed in this chat: the bot steps back.
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
    if message.backlog or age > components.settings.stale_message_seconds:
        # The relay's flag covers what the age cannot: a message sent before a short reconnect.
        return _catch_up(components, customer_id)
    if message.kind == "undecryptable":
        return _once(components, f"resend:{customer_id}", replies.undecryptable())
    return _converse(message, components, customer_id, now)


def _finish(
    message: InboundMessage, components: Components, attempt: int, out: list[Reply]
) -> list[OutboundMessage]:
    """Store the replies with the turn (one committed write, as this is the hot path)."""
    outbound = [_to_outbound(reply, message, n) for n, reply in enumerate(out)]
    ended = components.store.finish_turn(
        message.wa_msg_id,
        attempt,
        [o.model_dump(mode="json", exclude_none=True) for o in outbound],
        type="image" if any(o.image_ref for o in outbound) else "text",
        text="\n\n".join(o.text or o.image_caption or "" for o in outbound) or None,
        media_url=next((o.image_ref for o in outbound if o.image_ref), None),
        meta={"reply_to": message.wa_msg_id, "parts": len(outbound)},
    )
    if not ended.finished:
        # Another attempt took the turn over (this one outlived its lease): its replies stand.
        log.warning("turn of %s ended by another attempt", hash_id(message.wa_msg_id))
        return _stored(ended.replies)
    return outbound


def _stored(replies: list[dict[str, object]]) -> list[OutboundMessage]:
    return [OutboundMessage.model_validate(reply) for reply in replies]


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
        cache.set(pause_key(customer_id), until.isoformat(), ttl_seconds=PAUSE_CACHE_SECONDS)
    return customer_id


def _catch_up(components: Components, customer_id: str) -> list[Reply]:
    """At most one "sorry, I was offline" per customer per backlog; nothing else happens."""
    return _once(components, f"catchup:{customer_id}", replies.catch_up())


def _once(components: Components, key: str, text: str) -> list[Reply]:
    """`text`, unless it was already said under `key` in the last CATCH_UP_TTL_SECONDS.

    A burst of stale or unreadable messages gets one answer, not one each.
    """
    fresh = components.cache.set(key, "1", ttl_seconds=CATCH_UP_TTL_SECONDS, nx=True)
    return [Reply(text=text)] if fresh else []


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
    # A customer who writes English is answered in English for the whole turn.
    with language.speaking(language.of_message(components.cache, customer_id, turn.text)):
        respond(turn)
    save_state(components.cache, customer_id, turn.state)
    return turn.replies


def _to_outbound(reply: Reply, message: InboundMessage, n: int) -> OutboundMessage:
    return OutboundMessage(
        id=reply_id(message.wa_msg_id, n),
        chat=message.chat,
        text=reply.text,
        image_ref=reply.image_ref,
        image_caption=reply.caption,
        reply_to=message.wa_msg_id,
        channel=message.channel,
    )


def reply_id(wa_msg_id: str, n: int) -> str:
    """The stable id of the `n`-th reply (from 0) to the inbound message `wa_msg_id`."""
    return f"{wa_msg_id}#{n}"


def process_inbound(message: InboundMessage, components: Components) -> None:
    """Bus worker form: handle the message and publish its replies on `Components.bus`.

    The in-process bus never redelivers, so a failed turn is retried here, as Pub/Sub would
    redeliver it; the last attempt answers with an apology (see the module docstring).
    """
    for attempt in range(1, MAX_TURN_ATTEMPTS + 1):
        try:
            replies = handle_inbound(message, components)
        except TurnBusy:
            log.warning("inbound %s is being handled elsewhere", hash_id(message.wa_msg_id))
            return
        except Exception:
            if attempt == MAX_TURN_ATTEMPTS:
                raise
            log.warning("inbound %s failed; trying again", hash_id(message.wa_msg_id))
            continue
        components.notifier.publish_replies(replies)  # what fails waits in the outbox
        return
