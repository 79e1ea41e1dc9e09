"""`on_message` end to end: recorded Pub/Sub pushes in, the inbound service's replies out.

Binary and structured CloudEvents and the raw push body the push subscription sends, for text,
voice-note and image messages; duplicates and redeliveries. Replies are read back from the fake
Pub/Sub server the function published them to, through the real google-cloud-pubsub client.
(`test_on_message.py` covers malformed and too-old deliveries.)
"""

from __future__ import annotations

import uuid

import psycopg
import pytest
from fakes.functions_server import (
    FunctionServer,
    drain_outbox,
    envelope,
    new_customer,
    now_iso,
    replies_for,
)
from fakes.pubsub_server import PubSubServer


@pytest.mark.parametrize(
    "name", ["text_binary.json", "text_structured.json", "text_raw_push.json"]
)
def test_text_message_gets_a_reply_on_wa_outbound(
    on_message: FunctionServer, pubsub_server: PubSubServer, name: str
) -> None:
    phone, chat = new_customer()
    msg_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    response = on_message.post(
        envelope(name, wa_msg_id=msg_id, chat=chat, sender_phone=phone, timestamp=now_iso())
    )
    assert response.status_code == 200, on_message.logs()[-3000:]
    replies = replies_for(pubsub_server, chat)
    assert replies, on_message.logs()[-3000:]
    assert all(r.chat == chat and r.reply_to == msg_id for r in replies)
    assert all(r.text or r.image_ref for r in replies)


@pytest.mark.parametrize(
    ("name", "media"),
    [("voice_binary.json", b"OggS\x00voice"), ("image_structured.json", b"\xff\xd8\xffjpeg")],
)
def test_voice_notes_and_images_are_answered(
    on_message: FunctionServer, pubsub_server: PubSubServer, name: str, media: bytes
) -> None:
    phone, chat = new_customer()
    msg_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    extension = "ogg" if "voice" in name else "jpeg"
    ref = f"wa/test/{msg_id}.{extension}"
    stored = on_message.data_dir / "media" / ref  # where the relay's local store puts it
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(media)
    response = on_message.post(
        envelope(
            name,
            wa_msg_id=msg_id,
            chat=chat,
            sender_phone=phone,
            timestamp=now_iso(),
            media_ref=ref,
        )
    )
    assert response.status_code == 200, on_message.logs()[-3000:]
    replies = replies_for(pubsub_server, chat)
    assert replies, on_message.logs()[-3000:]
    assert replies[0].reply_to == msg_id


def _turns_run(database_url: str, chat: str, msg_id: str) -> tuple[int, int]:
    """(quotes created, reply log rows) for the customer of `chat`: what a turn leaves behind."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            """
            SELECT (SELECT count(*) FROM quotes q WHERE q.customer_id = c.id),
                   (SELECT count(*) FROM messages m
                     WHERE m.customer_id = c.id AND m.meta->>'reply_to' = %s)
              FROM customers c WHERE c.wa_jid = %s
            """,
            (msg_id, chat),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_duplicates_and_redeliveries_republish_the_same_replies_without_a_new_turn(
    on_message: FunctionServer, pubsub_server: PubSubServer, database_url: str
) -> None:
    phone, chat = new_customer()
    msg_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    first = envelope(
        "text_structured.json",
        wa_msg_id=msg_id,
        chat=chat,
        sender_phone=phone,
        timestamp=now_iso(),
        text="pulsa telkomsel 10rb ke 081234567890",
    )
    assert on_message.post(first).status_code == 200
    answered = replies_for(pubsub_server, chat)
    assert answered
    assert "YA" in (answered[0].text or "")
    # The same delivery again (Pub/Sub at-least-once) and the same WhatsApp message under a new
    # Pub/Sub id and CloudEvent mode (a relay republish): both acknowledged, both publish the
    # replies of the one turn again (same ids: the relay sends them once), and no second quote.
    assert on_message.post(first).status_code == 200
    again = envelope(
        "text_binary.json",
        wa_msg_id=msg_id,
        chat=chat,
        sender_phone=phone,
        timestamp=now_iso(),
        text="pulsa telkomsel 10rb ke 081234567890",
    )
    assert on_message.post(again).status_code == 200
    assert replies_for(pubsub_server, chat) == answered * 3
    assert _turns_run(database_url, chat, msg_id) == (1, 1)


def test_a_failed_publish_is_acknowledged_and_the_outbox_publishes_the_replies(
    on_message: FunctionServer, pubsub_server: PubSubServer, database_url: str
) -> None:
    """The replies are in the outbox from the moment the turn is stored (item 5)."""
    phone, chat = new_customer()
    msg_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    delivery = envelope(
        "text_binary.json",
        wa_msg_id=msg_id,
        chat=chat,
        sender_phone=phone,
        timestamp=now_iso(),
        text="pulsa telkomsel 10rb ke 081234567890",
    )
    pubsub_server.state.publish_failures = 1  # Pub/Sub refuses the first reply's publish
    try:
        response = on_message.post(delivery)
    finally:
        pubsub_server.state.publish_failures = 0
    assert response.status_code == 200  # acknowledged: the outbox holds the replies
    assert on_message.proc.poll() is None
    assert replies_for(pubsub_server, chat) == []
    assert _turns_run(database_url, chat, msg_id) == (1, 1)

    report = drain_outbox(database_url, pubsub_server)  # the deliver_outbox job
    assert report["published"] >= 1  # type: ignore[index]
    replies = replies_for(pubsub_server, chat)
    assert replies, on_message.logs()[-3000:]
    assert "YA" in (replies[0].text or "")
    assert [r.id for r in replies] == [f"{msg_id}#{n}" for n in range(len(replies))]
    assert all(r.reply_to == msg_id for r in replies)
    drain_outbox(database_url, pubsub_server)
    assert replies_for(pubsub_server, chat) == replies  # published once
    assert on_message.post(delivery).status_code == 200  # a late redelivery of the message
    assert replies_for(pubsub_server, chat) == replies * 2  # same ids and text: sent once
    assert _turns_run(database_url, chat, msg_id) == (1, 1)  # the turn did not run again


def test_control_characters_are_stripped_and_the_message_is_answered(
    on_message: FunctionServer, pubsub_server: PubSubServer, database_url: str
) -> None:
    """A NUL byte is valid in WhatsApp text and in JSON, never in Postgres text (item 11)."""
    phone, chat = new_customer()
    msg_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    response = on_message.post(
        envelope(
            "text_binary.json",
            wa_msg_id=msg_id,
            chat=chat,
            sender_phone=phone,
            push_name="Bu\u0000di\u0007",
            text="viu\u0000 berapa\u001b?\nmakasih\u007f",
            timestamp=now_iso(),
        )
    )
    assert response.status_code == 200, on_message.logs()[-3000:]
    replies = replies_for(pubsub_server, chat)
    assert replies, on_message.logs()[-3000:]
    assert "Rp" in "".join(r.text or "" for r in replies)
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT content_text FROM messages WHERE wa_msg_id = %s", (msg_id,)
        ).fetchone()
    assert row == ("viu berapa?\nmakasih",)
