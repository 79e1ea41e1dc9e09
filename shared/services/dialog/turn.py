"""One turn of a conversation: who wrote what, and what the bot answers.

`Turn` is the explicit context every dialog handler receives; `Reply` is what they produce.
Neither knows about WhatsApp, Pub/Sub or the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shared.messages import InboundMessage
    from shared.services.dialog.state import DialogState
    from shared.wiring import Components


@dataclass(frozen=True, kw_only=True)
class Reply:
    """One message back to the customer: text, or a PNG image with a caption."""

    text: str | None = None
    image_ref: str | None = None
    caption: str | None = None


@dataclass(kw_only=True)
class Turn:
    """Everything a handler needs about the current message and its customer.

    Attributes:
        customer_id: the internal customer id (never a raw JID).
        chat: the chat JID replies go to, exactly as received.
        text: the message text (stripped; empty for media without caption).
        message: the inbound message itself.
        now: the time the turn is handled (from the components' clock).
        is_admin: the sender is one of ADMIN_NUMBERS.
        state: the pending question; handlers change it in place and the engine saves it.
    """

    customer_id: str
    chat: str
    text: str
    message: InboundMessage
    now: datetime
    is_admin: bool
    state: DialogState
    components: Components
    replies: list[Reply] = field(default_factory=list)

    def say(self, text: str) -> None:
        """Queue a text reply."""
        self.replies.append(Reply(text=text))

    def send_image(self, image_ref: str, caption: str) -> None:
        """Queue an image reply."""
        self.replies.append(Reply(image_ref=image_ref, caption=caption))
