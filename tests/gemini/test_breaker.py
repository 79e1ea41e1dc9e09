"""5xx storms and timeouts bench a key for 30 s, 2 min, then 10 min; a success closes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fakes.gemini_server import FakeGemini, error_reply, text_reply

from shared.adapters.gemini.rotator import RotatingGemini
from shared.config import Settings
from shared.errors import LLMUnavailable

from .conftest import ManualClock, ask


def test_server_error_storm_opens_and_closes_the_breaker_on_schedule(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], clock: ManualClock
) -> None:
    llm = make_llm("key-1")
    fake.always(error_reply(500), key="key-1", times=3)

    def attempt() -> int:
        """Requests the fake received for one turn (0 = the breaker held the key back)."""
        before = len(fake.requests)
        with pytest.raises(LLMUnavailable):
            ask(llm)
        return len(fake.requests) - before

    assert attempt() == 1  # 500: open for 30 s
    clock.advance(seconds=29)
    assert attempt() == 0
    clock.advance(seconds=2)
    assert attempt() == 1  # half-open, fails again: open for 2 min
    clock.advance(seconds=119)
    assert attempt() == 0
    clock.advance(seconds=2)
    assert attempt() == 1  # fails again: open for 10 min
    clock.advance(minutes=9, seconds=59)
    assert attempt() == 0
    clock.advance(seconds=2)
    fake.script(text_reply("sudah pulih"))
    ask(llm)  # success closes it
    fake.always(error_reply(503), key="key-1", times=1)
    assert attempt() == 1
    clock.advance(seconds=31)  # the schedule starts again at 30 s
    fake.script(text_reply("ok"))
    ask(llm)
    assert llm.ring.resting_until(llm.ring.ordered_keys()[0]) is None  # no quota cooldown


def test_a_failing_key_hands_the_turn_to_the_next_key(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini]
) -> None:
    llm = make_llm()
    fake.always(error_reply(503), key="key-1", times=1)
    fake.script(text_reply("dari key dua"))

    response = ask(llm)

    assert response.text == "dari key dua"  # type: ignore[attr-defined]
    assert fake.keys_used() == ["key-1", "key-2"]
    fake.script(text_reply("lagi"))
    ask(llm)
    assert fake.keys_used()[-1] == "key-2"  # key 1 benched for 30 s


def test_a_slow_server_times_out_and_benches_the_key(
    fake: FakeGemini,
    make_settings: Callable[..., Settings],
    make_llm: Callable[..., RotatingGemini],
    clock: ManualClock,
) -> None:
    llm = make_llm(settings=make_settings("key-1", gemini_timeout_ms=1000))
    fake.script(error_reply(200, delay=3.0))

    with pytest.raises(LLMUnavailable, match="timeout"):
        ask(llm)
    assert not llm.available()
    clock.advance(seconds=31)
    assert llm.available()
