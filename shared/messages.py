"""Versioned boundary models carried on the bus (Pub/Sub topics or the in-process queue).

`InboundMessage` goes relay → `wa-inbound` → `on_message`; `OutboundMessage` goes handlers →
`wa-outbound` → relay. Both are frozen and ignore unknown fields so a newer producer does not
break an older consumer; `v` changes only on incompatible changes (an optional field is not one:
`OutboundMessage.id` was added in v1 and payloads without it stay valid).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_CONTROLS = dict.fromkeys(
    [c for c in range(0x20) if chr(c) not in "\t\n\r"] + list(range(0x7F, 0xA0))
)


def strip_controls(text: str) -> str:
    """`text` without control characters (tab and line breaks stay).

    NUL is valid in WhatsApp text and in JSON but not in Postgres text, and the other controls
    only ever hide things from a reader: every text that enters the system passes here.
    """
    return text.translate(_CONTROLS)


def _clean(text: str | None) -> str | None:
    return None if text is None else strip_controls(text)


CleanText = Annotated[str, AfterValidator(strip_controls)]
OptCleanText = Annotated[str | None, AfterValidator(_clean)]

MessageKind = Literal["text", "voice", "audio", "image", "other", "undecryptable"]
"""`undecryptable`: WhatsApp delivered a message this device could not decrypt, and its retry
did not bring it either; it has no content and only gets a "please send it again"."""


class InboundMessage(BaseModel):
    """One WhatsApp message received by the relay (or typed in the console chat)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: Literal[1] = 1
    wa_msg_id: CleanText = Field(min_length=1, max_length=128)
    chat: CleanText = Field(
        min_length=1, max_length=128, description="chat JID exactly as received"
    )
    sender_phone: OptCleanText = Field(
        default=None, description="phone digits, 62… (no JID suffix)"
    )
    sender_lid: OptCleanText = Field(default=None, description="LID user part when known")
    push_name: OptCleanText = None
    timestamp: datetime = Field(default_factory=lambda: datetime.now(UTC))
    kind: MessageKind = "text"
    text: OptCleanText = Field(default=None, max_length=4096)
    media_ref: OptCleanText = Field(default=None, description="storage path of downloaded media")
    media_mime: OptCleanText = None
    from_me: bool = False
    channel: Literal["whatsapp", "console"] = "whatsapp"
    backlog: bool = Field(
        default=False,
        description="received before the relay connected or older than the stale window: "
        "record it, never run a side effect from it",
    )


class OutboundMessage(BaseModel):
    """One reply or notification for the relay to send.

    `id` is stable across republishing: a reply to an inbound message keeps the id it got when
    its turn ran, a notification is named after its settled reference. The relay sends each id
    at most once; a message without an id (older producers, owner alerts) is never deduped.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    v: Literal[1] = 1
    id: str | None = Field(
        default=None, min_length=1, max_length=256, description="stable id; sent at most once"
    )
    chat: str = Field(min_length=1, max_length=128)
    text: str | None = Field(default=None, max_length=4096)
    image_ref: str | None = Field(default=None, description="storage path of a PNG to send")
    image_caption: str | None = None
    reply_to: str | None = Field(default=None, description="wa_msg_id this answers, if any")
    correlation_id: str | None = None
    kind: Literal["reply", "notification", "followup"] = Field(
        default="reply",
        description="reply: answers a customer's message; notification: status of something the "
        "customer started (order, deposit, transfer), sent at any hour; followup: any other "
        "proactive message (reminder, promotion), rationed by the relay (whatsapp.md §1.3)",
    )
    topic: str | None = Field(
        default=None, max_length=64, description="what a followup is about (capped per topic)"
    )
    channel: Literal["whatsapp", "console"] = "whatsapp"
