"""The console chat channel of the all-in-one process (`salesbot chat`, `salesbot serve`).

A console customer is an ordinary customer whose phone number is given on the command line; its
messages go through the same `handle_inbound` as WhatsApp ones, and its replies and later
notifications (webhooks, deposits) are printed. Images are printed as one line with the saved
file path, since a terminal cannot show them.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from pathlib import Path

from shared.messages import InboundMessage, OutboundMessage
from shared.services.inbound import handle_inbound
from shared.wiring import Components

Printer = Callable[[str], None]


def render(message: OutboundMessage, media_dir: Path | None = None) -> str:
    """One outbound message as console text (an image as its file path when it is local)."""
    parts = []
    if message.image_ref:
        local = media_dir / message.image_ref if media_dir is not None else None
        where = str(local.resolve()) if local is not None and local.exists() else message.image_ref
        parts.append(f"[gambar: {where}]")
        if message.image_caption:
            parts.append(message.image_caption)
    if message.text:
        parts.append(message.text)
    return "\n".join(parts)


def msisdn(phone: str) -> str:
    """Digits with the 62 prefix (`0812…` → `62812…`)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits


class ConsoleChat:
    """One console customer talking to the in-process bot.

    `send` handles a line synchronously and prints its replies; notifications published on the
    bus for this chat are printed by the bus's outbound worker as they come. `last_activity`
    lets `salesbot chat --wait` stop waiting early once nothing is pending.
    """

    def __init__(self, components: Components, *, phone: str, printer: Printer) -> None:
        self.components = components
        self.phone = msisdn(phone)
        self.chat = f"{self.phone}@s.whatsapp.net"
        self._printer = printer
        self._media_dir = Path(components.settings.data_dir) / "media"
        self._lock = threading.Lock()
        self.notifications = 0

    def send(self, text: str) -> list[OutboundMessage]:
        """Handle one typed line and print the replies."""
        message = InboundMessage(
            wa_msg_id=f"console-{uuid.uuid4().hex}",
            chat=self.chat,
            sender_phone=self.phone,
            push_name="Console",
            text=text[:4096],
            channel="console",
        )
        out = handle_inbound(message, self.components)
        for reply in out:
            self.print(render(reply, self._media_dir))
        return out

    def on_outbound(self, message: OutboundMessage) -> None:
        """Bus consumer: print notifications addressed to this console chat."""
        if message.chat == self.chat and message.kind == "notification":
            self.notifications += 1
            self.print(render(message, self._media_dir))

    def print(self, text: str) -> None:
        """Print one bot message (serialised, so replies and notifications never interleave)."""
        with self._lock:
            self._printer(text)
