"""Inbound: real neonize events through the relay's registered handler onto the bus."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fakes.neonize_client import T0, FakeTimers, image, message_event, voice_note
from neonize.events import UndecryptableMessageEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251

from shared.adapters.whatsapp.relay import UNDECRYPTABLE_GRACE_SECONDS
from shared.messages import OutboundMessage

CHAT = "6281234567890@s.whatsapp.net"


def test_text_message_becomes_an_inbound_message(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="3EB0T1", text="pulsa tsel 10rb", sent_at=T0))

    [msg] = wa.bus.inbound
    assert msg.wa_msg_id == "3EB0T1"
    assert msg.chat == CHAT
    assert msg.sender_phone == "6281234567890"  # device suffix stripped
    assert msg.sender_lid is None
    assert msg.push_name == "Budi"
    assert msg.timestamp == T0  # milliseconds normalised
    assert (msg.kind, msg.text, msg.from_me, msg.backlog) == (
        "text",
        "pulsa tsel 10rb",
        False,
        False,
    )


def test_lid_sender_takes_the_phone_from_sender_alt(wa: Any) -> None:
    lid_chat = N.JID(User="123456789012345", Server="lid")
    wa.client.dispatch(
        message_event(
            chat=lid_chat,
            sender=N.JID(User="123456789012345", Server="lid", Device=3),
            sender_alt=N.JID(User="6285711112222", Server="s.whatsapp.net"),
        )
    )

    [msg] = wa.bus.inbound
    assert msg.chat == "123456789012345@lid"  # reply to the chat exactly as received
    assert (msg.sender_phone, msg.sender_lid) == ("6285711112222", "123456789012345")


def test_lid_only_sender_is_resolved_through_the_session_store_or_left_unknown(wa: Any) -> None:
    lid = N.JID(User="99887766554433", Server="lid")
    wa.client.lid_map["99887766554433"] = "6289900001111"
    wa.client.dispatch(message_event(msg_id="A", chat=lid, sender=lid))
    wa.client.dispatch(
        message_event(
            msg_id="B",
            chat=N.JID(User="555", Server="lid"),
            sender=N.JID(User="555", Server="lid"),
        )
    )

    first, second = wa.bus.inbound
    assert (first.sender_phone, first.sender_lid) == ("6289900001111", "99887766554433")
    assert (second.sender_phone, second.sender_lid) == (None, "555")


def test_voice_note_is_downloaded_into_the_media_store(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="3EB0VN", message=voice_note()))

    [msg] = wa.bus.inbound
    assert msg.kind == "voice"
    assert msg.media_mime == "audio/ogg"  # codec parameter stripped for Gemini
    assert msg.media_ref is not None
    assert msg.media_ref.endswith("3EB0VN.ogg")
    assert "6281234567890" not in msg.media_ref  # no raw phone number in storage paths
    assert wa.media.get(msg.media_ref) == wa.client.media


def test_image_keeps_its_caption_and_bytes(wa: Any) -> None:
    wa.client.media = b"\xff\xd8jpeg"
    wa.client.dispatch(message_event(msg_id="3EB0IM", message=image("ini id game aku")))

    [msg] = wa.bus.inbound
    assert (msg.kind, msg.text, msg.media_mime) == ("image", "ini id game aku", "image/jpeg")
    assert wa.media.get(msg.media_ref) == b"\xff\xd8jpeg"


def test_a_failed_download_still_forwards_the_message_without_media(wa: Any) -> None:
    wa.client.fail.add("download_any")
    wa.client.dispatch(message_event(message=voice_note()))

    [msg] = wa.bus.inbound
    assert (msg.kind, msg.media_ref) == ("voice", None)


def test_groups_and_status_updates_are_skipped(wa: Any) -> None:
    wa.client.dispatch(message_event(chat=N.JID(User="1203630@", Server="g.us"), group=True))
    wa.client.dispatch(message_event(chat=N.JID(User="status", Server="broadcast")))

    assert wa.bus.inbound == []


def test_owner_typing_on_the_phone_is_a_takeover_signal_but_our_own_echo_is_not(wa: Any) -> None:
    wa.client.dispatch(message_event(msg_id="IN1"))
    wa.relay.send(OutboundMessage(chat=CHAT, text="Halo kak!", reply_to="IN1"))
    [(_, _args, _)] = wa.client.named("send_message")
    sent_id = "3EB0SENT1"

    wa.client.dispatch(message_event(msg_id=sent_id, from_me=True, text="Halo kak!"))
    wa.client.dispatch(message_event(msg_id="OWNER1", from_me=True, text="biar aku yang balas"))

    assert [m.wa_msg_id for m in wa.bus.inbound] == ["IN1", "OWNER1"]
    owner = wa.bus.inbound[1]
    assert owner.from_me is True
    assert owner.sender_phone is None


def test_messages_from_before_the_connection_are_flagged_as_backlog(wa: Any) -> None:
    wa.clock.advance(600)  # connected at T0; now T0 + 10 min
    wa.client.dispatch(message_event(msg_id="OLD", sent_at=T0 - timedelta(minutes=30)))
    wa.client.dispatch(message_event(msg_id="NEW", sent_at=wa.clock.now() - timedelta(seconds=2)))

    old, new = wa.bus.inbound
    assert (old.backlog, new.backlog) == (True, False)


def test_a_failing_bus_never_raises_into_the_callback_thread(wa: Any) -> None:
    def broken(_message: object) -> None:
        raise RuntimeError("pubsub down")

    wa.bus.publish_inbound = broken
    wa.client.dispatch(message_event())  # must not raise


def _undecryptable(msg_id: str, **fields: Any) -> Any:
    return UndecryptableMessageEv(Info=message_event(msg_id=msg_id).Info, **fields)


def test_a_message_that_stays_undecryptable_is_forwarded_to_be_asked_again(
    wa: Any, timers: FakeTimers
) -> None:
    wa.client.dispatch(_undecryptable("3EB0LOST", IsUnavailable=True))
    assert wa.bus.inbound == []  # whatsmeow's retry may still bring it
    wa.clock.advance(UNDECRYPTABLE_GRACE_SECONDS)
    assert timers.fire_due() == 1

    [msg] = wa.bus.inbound
    assert (msg.wa_msg_id, msg.kind, msg.text) == ("3EB0LOST#undecryptable", "undecryptable", None)
    assert (msg.chat, msg.sender_phone, msg.backlog) == (CHAT, "6281234567890", False)


def test_a_retry_that_decrypts_in_time_forwards_only_the_message(
    wa: Any, timers: FakeTimers
) -> None:
    wa.client.dispatch(_undecryptable("3EB0LATE"))
    wa.clock.advance(UNDECRYPTABLE_GRACE_SECONDS / 2)
    wa.client.dispatch(message_event(msg_id="3EB0LATE", text="ml 86", sent_at=wa.clock.now()))
    wa.clock.advance(UNDECRYPTABLE_GRACE_SECONDS)
    timers.fire_due()
    assert [(m.wa_msg_id, m.kind) for m in wa.bus.inbound] == [("3EB0LATE", "text")]


def test_a_failure_whatsapp_hides_is_not_asked_again(wa: Any, timers: FakeTimers) -> None:
    wa.client.dispatch(
        _undecryptable("3EB0HIDE", DecryptFailMode=N.UndecryptableMessage.DECRYPT_FAIL_HIDE)
    )
    wa.clock.advance(UNDECRYPTABLE_GRACE_SECONDS)
    assert timers.fire_due() == 0
    assert wa.bus.inbound == []


def test_group_and_own_undecryptable_messages_are_ignored(wa: Any, timers: FakeTimers) -> None:
    group = message_event(msg_id="3EB0G", group=True, chat=N.JID(User="1203", Server="g.us"))
    mine = message_event(msg_id="3EB0ME", from_me=True)
    for info in (group.Info, mine.Info):
        wa.client.dispatch(UndecryptableMessageEv(Info=info))
    wa.clock.advance(UNDECRYPTABLE_GRACE_SECONDS)
    assert timers.fire_due() == 0
    assert wa.bus.inbound == []
