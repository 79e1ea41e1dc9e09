"""Fixtures for the brain: the fake Gemini server, a manual clock, the real SDK wired to both."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from conversation.conftest import close, make_components
from fakes.agent_services import FakeServices
from fakes.gemini_server import FakeGemini

from shared.adapters.gemini.factory import build_gemini
from shared.adapters.gemini.keys import GeminiKey, key_id_for
from shared.adapters.gemini.rotator import RotatingGemini
from shared.agent.brain import GeminiBrain
from shared.agent.router import Routed, Utterance, route
from shared.config import Settings, load_settings
from shared.wiring import Components


class ManualClock:
    """A clock that only moves when told."""

    def __init__(self) -> None:
        self.current = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass
class RecordingSource:
    """An `api_keys`-like key source that records the cooldowns written to it."""

    keys: list[GeminiKey] = field(default_factory=list)
    cooldowns: dict[str, tuple[datetime, str]] = field(default_factory=dict)
    cleared: list[str] = field(default_factory=list)

    def list_keys(self) -> list[GeminiKey]:
        return [
            GeminiKey(
                id=k.id,
                secret=k.secret,
                priority=k.priority,
                source="table",
                cooldown_until=self.cooldowns.get(k.id, (None, None))[0],
                last_error=self.cooldowns.get(k.id, (None, None))[1],
            )
            for k in self.keys
        ]

    def set_cooldown(self, key_id: str, until: datetime, error: str) -> None:
        self.cooldowns[key_id] = (until, error)

    def clear_cooldown(self, key_id: str) -> None:
        self.cooldowns.pop(key_id, None)
        self.cleared.append(key_id)


def table_key(secret: str, priority: int) -> GeminiKey:
    return GeminiKey(id=key_id_for(secret), secret=secret, priority=priority, source="table")


@pytest.fixture
def fake() -> Iterator[FakeGemini]:
    with FakeGemini() as server:
        yield server


@pytest.fixture
def engine_components(database_url: str, fake: FakeGemini) -> Iterator[Components]:
    """The real bot (database, sandbox, dialog) with GEMINI_KEYS set, talking to `fake`."""
    comps = make_components(database_url, gemini_keys="key-1", gemini_base_url=fake.url)
    yield comps
    if comps.__dict__.get("gemini") is not None:
        comps.__dict__["gemini"].close()
    close(comps)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def make_settings(fake: FakeGemini) -> Callable[..., Settings]:
    def make(keys: str = "key-1,key-2", **overrides: object) -> Settings:
        return load_settings(gemini_keys=keys, gemini_base_url=fake.url, **overrides)

    return make


@pytest.fixture
def make_llm(
    make_settings: Callable[..., Settings], clock: ManualClock
) -> Callable[..., RotatingGemini]:
    def make(
        keys: str = "key-1,key-2", *, settings: Settings | None = None, **kwargs: object
    ) -> RotatingGemini:
        settings = settings or make_settings(keys)
        llm = build_gemini(settings, clock=clock, **kwargs)  # type: ignore[arg-type]
        assert llm is not None
        return llm

    return make


@pytest.fixture
def services() -> FakeServices:
    return FakeServices(balance_of={"cust-1": 100_000})


@dataclass
class Chat:
    """A conversation driven through the router the way the conversation engine does it."""

    brain: GeminiBrain | None
    services: FakeServices
    customer: str = "cust-1"
    log: list = field(default_factory=list)

    def pending(self, text: str) -> list[str] | None:
        quote = self.services.open_quote(self.customer)
        if quote and text.strip().lower() in {"ya", "y", "iya"}:
            order = self.services.confirm(self.customer, quote)
            return [f"Sukses kak ✅ SN: {order['sn']}"]
        return None

    def rules(self, text: str) -> list[str] | None:
        if text.strip().lower() == "saldo":
            saldo = self.services.balance_of.get(self.customer, 0)
            return [f"Saldo kakak Rp {saldo:,}".replace(",", ".")]
        return None

    def send(self, text: str | None = None, media: object = None) -> Routed:
        from shared.agent.memory import LoggedMessage

        routed = route(
            Utterance(customer_id=self.customer, text=text, media=media, log=list(self.log)),  # type: ignore[arg-type]
            pending=self.pending,
            rules=self.rules,
            brain=self.brain,
        )
        self.log.append(
            LoggedMessage(role="customer", text=routed.transcript or text or "(media)")
        )
        self.log.extend(LoggedMessage(role="bot", text=m) for m in routed.messages)
        return routed


@pytest.fixture
def chat(make_llm: Callable[..., RotatingGemini], services: FakeServices) -> Chat:
    return Chat(brain=GeminiBrain(make_llm(), services), services=services)


def ask(llm: RotatingGemini, text: str = "halo") -> object:
    """One plain request through the rotator."""
    from google.genai import types

    content = types.Content(role="user", parts=[types.Part.from_text(text=text)])
    return llm.generate([content], types.GenerateContentConfig())
