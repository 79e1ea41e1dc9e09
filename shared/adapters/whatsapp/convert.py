"""Turning a neonize `MessageEv` into an `InboundMessage` (tech-notes.md §2.4, whatsapp.md §6).

Groups, status updates and newsletters are skipped. LID senders keep their LID and take the
phone number from `SenderAlt` (or the session store's LID map); `IsFromMe` messages the relay
did not send itself become takeover signals. Media is downloaded here, on the relay, because
`download_any` needs the live connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neonize.proto.Neonize_pb2 import JID  # noqa: TID251 - this package owns neonize

from shared.log import hash_id
from shared.messages import InboundMessage, MessageKind

log = logging.getLogger(__name__)

PHONE_SERVER = "s.whatsapp.net"
LID_SERVER = "lid"
_SKIPPED_SERVERS = {"g.us": "group", "broadcast": "status", "newsletter": "newsletter"}


@dataclass(frozen=True, kw_only=True)
class Media:
    """Which media an event carries."""

    kind: MessageKind
    mime: str
    extension: str


def jid_to_string(jid: Any) -> str:
    """`user@server` without agent or device (what we key chats on and reply to)."""
    return f"{jid.User}@{jid.Server}" if jid.User else str(jid.Server)


def parse_jid(value: str) -> Any:
    """A neonize `JID` from `user@server` (a bare number means a phone JID)."""
    user, _, server = value.partition("@")
    return JID(User=user, Server=server or PHONE_SERVER)


def skip_reason(ev: Any) -> str | None:
    """Why an event is not for the bot (group, status, newsletter), or None."""
    src = ev.Info.MessageSource
    if src.IsGroup:
        return "group"
    return _SKIPPED_SERVERS.get(src.Chat.Server)


def media_of(message: Any) -> Media | None:
    """The media worth downloading: voice notes, audio and images (never video or documents)."""
    if message.HasField("audioMessage"):
        audio = message.audioMessage
        return Media(
            kind="voice" if audio.PTT else "audio",
            mime=(audio.mimetype or "audio/ogg").split(";")[0].strip(),
            extension="ogg",
        )
    if message.HasField("imageMessage"):
        mime = message.imageMessage.mimetype or "image/jpeg"
        return Media(kind="image", mime=mime, extension=mime.rsplit("/", 1)[-1] or "jpg")
    return None


def message_time(ev: Any) -> datetime:
    """The message timestamp; neonize 0.5.2 sends Unix milliseconds, docs say seconds."""
    raw = float(ev.Info.Timestamp)
    seconds = raw / 1000 if raw > 1e12 else raw
    return datetime.fromtimestamp(seconds, UTC) if seconds > 0 else datetime.now(UTC)


def sender_ids(ev: Any, pn_for_lid: Callable[[Any], str | None]) -> tuple[str | None, str | None]:
    """(phone digits, LID user) of the sender; the phone may be unknown for a LID-only sender."""
    src = ev.Info.MessageSource
    sender, alt = src.Sender, src.SenderAlt
    if sender.Server == LID_SERVER:
        lid = sender.User or None
        if alt.User and alt.Server == PHONE_SERVER:
            return alt.User, lid
        return pn_for_lid(sender), lid
    lid = alt.User if alt.Server == LID_SERVER and alt.User else None
    return sender.User or None, lid


def text_of(message: Any) -> str | None:
    """Conversation text, extended text or a media caption."""
    for candidate in (
        message.conversation,
        message.extendedTextMessage.text if message.HasField("extendedTextMessage") else "",
        message.imageMessage.caption if message.HasField("imageMessage") else "",
        message.videoMessage.caption if message.HasField("videoMessage") else "",
        message.documentMessage.caption if message.HasField("documentMessage") else "",
    ):
        if candidate:
            return str(candidate)[:4096]
    return None


def to_inbound(
    ev: Any,
    *,
    media_ref: str | None = None,
    pn_for_lid: Callable[[Any], str | None] = lambda _jid: None,
    backlog: bool = False,
) -> InboundMessage:
    """The boundary model for one (non-skipped) event; `media_ref` when media was stored."""
    info, src = ev.Info, ev.Info.MessageSource
    media = media_of(ev.Message)
    phone, lid = (None, None) if src.IsFromMe else sender_ids(ev, pn_for_lid)
    kind: MessageKind = media.kind if media else "text"
    text = text_of(ev.Message)
    if media is None and text is None:
        kind = "other"
    return InboundMessage(
        wa_msg_id=info.ID,
        chat=jid_to_string(src.Chat),
        sender_phone=phone,
        sender_lid=lid,
        push_name=info.Pushname or None,
        timestamp=message_time(ev),
        kind=kind,
        text=text,
        media_ref=media_ref,
        media_mime=media.mime if media else None,
        from_me=bool(src.IsFromMe),
        backlog=backlog,
    )


def media_key(ev: Any, media: Media) -> str:
    """Storage key of an event's media: no raw phone number in the path."""
    chat = jid_to_string(ev.Info.MessageSource.Chat)
    return f"wa/{hash_id(chat)}/{ev.Info.ID}.{media.extension}"
