"""A bot per test on the session database, the in-memory cache and the in-process sandbox.

`Chat` plays one customer: `say(text)` sends a WhatsApp-shaped message through
`handle_inbound` and returns the texts the customer would see. Notifications published on the
bus are collected by `BusTap`.
"""

from __future__ import annotations

import itertools
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from shared.bus import InProcessBus
from shared.config import load_settings
from shared.messages import InboundMessage, OutboundMessage
from shared.services.clock import ManualClock
from shared.services.inbound import handle_inbound
from shared.wiring import Components


@dataclass
class BusTap:
    """Collects everything published on the outbound bus, with a condition to wait on."""

    messages: list[OutboundMessage] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, message: OutboundMessage) -> None:
        with self.cond:
            self.messages.append(message)
            self.cond.notify_all()

    def wait_for(self, chat: str, needle: str, timeout: float = 10.0) -> OutboundMessage:
        def found() -> OutboundMessage | None:
            for m in self.messages:
                if m.chat == chat and needle in f"{m.text or ''}{m.image_caption or ''}":
                    return m
            return None

        with self.cond:
            self.cond.wait_for(lambda: found() is not None, timeout)
            hit = found()
        assert hit is not None, f"no notification with {needle!r}: {self.messages}"
        return hit


_PHONES = itertools.count(random.randrange(10**7))


def new_phone() -> str:
    # Counted, not drawn: the leading digits of a random number repeat often enough that two
    # tests of a session (on one database) could share a customer.
    return f"62812{next(_PHONES) % 10**8:08d}"


@dataclass
class Chat:
    """One customer talking to the bot in-process."""

    components: Components
    phone: str = field(default_factory=new_phone)
    lid: str | None = None

    @property
    def chat(self) -> str:
        return f"{self.phone}@s.whatsapp.net"

    def message(self, text: str, **extra: object) -> InboundMessage:
        fields: dict[str, object] = {
            "wa_msg_id": f"T{uuid.uuid4().hex}",
            "chat": self.chat,
            "sender_phone": self.phone,
            "sender_lid": self.lid,
            "text": text,
            "timestamp": self.components.clock.now(),
        }
        fields.update(extra)
        return InboundMessage.model_validate(fields)

    def say(self, text: str, **extra: object) -> str:
        replies = handle_inbound(self.message(text, **extra), self.components)
        return "\n---\n".join(
            "\n".join(p for p in (r.text, r.image_caption) if p) for r in replies
        )

    @property
    def customer_id(self) -> str:
        return self.components.store.resolve_customer(phone=self.phone).customer_id

    def balance(self) -> int:
        return self.components.store.get_balance(self.customer_id).balance

    def fund(self, amount: int) -> None:
        result = self.components.store.adjust_balance(
            self.customer_id, amount, f"test-{uuid.uuid4().hex}"
        )
        assert result.outcome == "done"


def make_components(database_url: str, **overrides: object) -> Components:
    settings = load_settings(database_url=database_url, **overrides)
    components = Components(settings=settings)
    components.__dict__["clock"] = ManualClock(datetime.now(UTC))
    return components


@pytest.fixture
def components(database_url: str) -> Iterator[Components]:
    comps = make_components(database_url, admin_numbers="628111000111")
    yield comps
    close(comps)


def close(comps: Components) -> None:
    bus = comps.__dict__.get("bus")
    if isinstance(bus, InProcessBus):
        bus.stop()
    sandbox = comps.__dict__.get("sandbox")
    if sandbox is not None:
        sandbox.close()
    store = comps.__dict__.get("store")
    if store is not None:
        # Closed here, not by the garbage collector: a pool collected on one of its own worker
        # threads fails to join it, and that error lands on whichever test is running.
        store.close()


@pytest.fixture
def tap(components: Components) -> BusTap:
    tap = BusTap()
    bus = components.bus
    assert isinstance(bus, InProcessBus)
    bus.on_outbound(tap)
    bus.start()
    return tap


@pytest.fixture
def chat(components: Components) -> Chat:
    return Chat(components)
