"""Key rotation through the real SDK: quota cooldowns, failover in the same turn, reactivation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fakes.agent_services import FakeServices
from fakes.gemini_server import FakeGemini, error_reply, invalid_key_reply, text_reply

from shared.adapters.cache.memory import MemoryCache
from shared.adapters.gemini.factory import run_reactivation
from shared.adapters.gemini.keys import key_id_for
from shared.adapters.gemini.rotator import AllKeysResting, RotatingGemini
from shared.adapters.gemini.store_keys import StoreKeys
from shared.adapters.postgres.migrate import apply_migrations
from shared.agent.brain import GeminiBrain
from shared.agent.router import BUSY_NOTICE
from shared.config import Settings, load_settings
from shared.errors import LLMError
from shared.jobs import run_job
from shared.ports import Cache
from shared.wiring import Components

from .conftest import Chat, ManualClock, RecordingSource, ask, table_key


def test_429_rests_key_one_for_24h_and_key_two_answers_the_same_turn(
    fake: FakeGemini,
    make_llm: Callable[..., RotatingGemini],
    services: FakeServices,
    clock: ManualClock,
) -> None:
    llm = make_llm()
    chat = Chat(brain=GeminiBrain(llm, services), services=services)
    fake.always(error_reply(429, retry_delay="23s"), key="key-1")
    fake.script(text_reply("Halo kak, ada yang bisa dibantu?"))

    routed = chat.send("halo kak")

    assert routed.tier == "gemini"
    assert routed.messages == ["Halo kak, ada yang bisa dibantu?"]
    assert fake.keys_used() == ["key-1", "key-2"]
    key1, key2 = llm.ring.ordered_keys()
    assert llm.ring.resting_until(key1) == clock.now() + timedelta(hours=24)
    assert llm.ring.resting_until(key2) is None

    chat.send("masih ada?")
    assert fake.keys_used()[2:] == ["key-2"]  # key 1 is not even tried while it rests


def test_cooldown_is_written_to_the_api_keys_source_with_the_error(
    fake: FakeGemini,
    make_settings: Callable[..., Settings],
    clock: ManualClock,
    services: FakeServices,
    make_llm: Callable[..., RotatingGemini],
) -> None:
    source = RecordingSource(keys=[table_key("db-key-1", 1), table_key("db-key-2", 2)])
    llm = make_llm(keys="", sources=[source])
    fake.always(error_reply(429), key="db-key-1")

    Chat(brain=GeminiBrain(llm, services), services=services).send("halo")

    until, error = source.cooldowns[key_id_for("db-key-1")]
    assert until == clock.now() + timedelta(hours=24)
    assert error.startswith("quota: 429 RESOURCE_EXHAUSTED")
    assert "db-key" not in error  # never the secret
    assert fake.keys_used() == ["db-key-1", "db-key-2"]


def test_environment_keys_come_first_and_duplicates_count_once(
    make_settings: Callable[..., Settings],
    clock: ManualClock,
    make_llm: Callable[..., RotatingGemini],
) -> None:
    source = RecordingSource(keys=[table_key("key-2", 0), table_key("db-key", 5)])
    llm = make_llm("key-1,key-2", sources=[source])
    assert [k.secret for k in llm.ring.ordered_keys()] == ["key-1", "key-2", "db-key"]


def test_every_key_429_falls_back_to_rules_with_an_honest_notice(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], services: FakeServices
) -> None:
    llm = make_llm()
    fake.always(error_reply(429), key="key-1")
    fake.always(error_reply(429), key="key-2")
    chat = Chat(brain=GeminiBrain(llm, services), services=services)

    routed = chat.send("tolong cariin paket yang bagus")

    assert routed.tier == "fallback"
    assert routed.messages == [BUSY_NOTICE]
    with pytest.raises(AllKeysResting) as info:
        ask(llm)
    assert info.value.retry_after == pytest.approx(24 * 3600)
    assert len(fake.requests) == 2  # resting keys are not called again
    assert chat.send("saldo").tier == "rules"  # rules keep working


def test_cooldown_expiry_re_enables_the_key_through_the_job(
    fake: FakeGemini,
    make_settings: Callable[..., Settings],
    clock: ManualClock,
    make_llm: Callable[..., RotatingGemini],
) -> None:
    source = RecordingSource(keys=[table_key("db-key-1", 1)])
    components = Components(settings=make_settings("key-1"))
    components.__dict__["gemini"] = make_llm(settings=components.settings, sources=[source])
    fake.script(error_reply(429), error_reply(429))
    llm = components.gemini
    assert llm is not None
    with pytest.raises(AllKeysResting):
        ask(llm)
    assert run_job("reactivate_keys", components) == {
        "keys": 2,
        "active": 0,
        "cooling": 2,
        "reactivated": 0,
    }

    clock.advance(hours=23, minutes=59)
    assert run_reactivation(components)["active"] == 0
    clock.advance(minutes=2)
    report = run_job("reactivate_keys", components)

    assert report == {"keys": 2, "active": 2, "cooling": 0, "reactivated": 2}
    assert source.cleared == [key_id_for("db-key-1")]
    assert source.cooldowns == {}
    fake.script(text_reply("balik lagi"))
    ask(llm)
    assert fake.keys_used()[-1] == "key-1"


@pytest.fixture(scope="module")
def private_db(fresh_database: Callable[[], str]) -> str:
    """A migrated database of this module alone: api_keys rows are global to a database."""
    url = fresh_database()
    apply_migrations(url)
    return url


@pytest.mark.postgres
def test_table_keys_are_decrypted_rested_in_the_row_and_reactivated(
    fake: FakeGemini,
    make_settings: Callable[..., Settings],
    clock: ManualClock,
    private_db: str,
    make_llm: Callable[..., RotatingGemini],
) -> None:
    settings = make_settings("", database_url=private_db, app_secret="s" * 32)
    components = Components(settings=settings)
    box = components.key_box
    first = components.store.add_api_key(
        ciphertext=box.encrypt("row-key-1"), fingerprint=box.fingerprint("row-key-1"), priority=1
    )
    components.store.add_api_key(
        ciphertext=box.encrypt("row-key-2"), fingerprint=box.fingerprint("row-key-2"), priority=2
    )
    table = StoreKeys(components.store, box, clock=clock)
    llm = make_llm(settings=settings, sources=[table])
    components.__dict__["gemini"] = llm
    fake.always(error_reply(429), key="row-key-1", times=1)

    ask(llm)

    assert fake.keys_used() == ["row-key-1", "row-key-2"]
    (row,) = [r for r in components.store.list_api_keys(clock.now()) if r.id == first.id]
    assert row.cooldown_until == clock.now() + timedelta(hours=24)
    assert row.last_error is not None
    assert row.last_error.startswith("quota: 429")
    assert not row.available

    clock.advance(hours=24, seconds=1)
    report = run_job("reactivate_keys", components)

    assert report["reactivated"] == 1
    assert report["active"] == 2
    (row,) = [r for r in components.store.list_api_keys(clock.now()) if r.id == first.id]
    assert row.cooldown_until is None
    ask(llm)
    assert fake.keys_used()[-1] == "row-key-1"
    components.store.close()


@pytest.mark.postgres
def test_keys_in_the_environment_give_the_process_a_brain_and_none_means_rules_only(
    make_settings: Callable[..., Settings], private_db: str
) -> None:
    with_keys = Components(settings=make_settings("key-1", database_url=private_db))
    assert isinstance(with_keys.brain, GeminiBrain)
    assert with_keys.brain.llm is with_keys.gemini
    assert with_keys.gemini is not None
    with_keys.gemini.close()

    without = Components(settings=load_settings(database_url=private_db))
    for row in without.store.list_api_keys():  # rows another test of this module added
        without.store.update_api_key(row.id, enabled=False)
    assert without.brain is None
    assert run_reactivation(without)["keys"] == 0


def test_rejected_key_rests_and_bad_request_does_not_burn_other_keys(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini]
) -> None:
    llm = make_llm()
    fake.script(error_reply(403), text_reply("ok"))
    ask(llm)
    key1, key2 = llm.ring.ordered_keys()
    assert llm.ring.resting_until(key1) is not None

    fake.script(error_reply(400))
    with pytest.raises(LLMError) as info:
        ask(llm)
    assert type(info.value) is LLMError
    assert fake.keys_used() == ["key-1", "key-2", "key-2"]
    assert llm.ring.resting_until(key2) is None


def test_metrics_count_outcomes_cooldowns_tiers_tokens_and_active_keys(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], services: FakeServices
) -> None:
    from prometheus_client import REGISTRY

    def value(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = {
        "quota": value("salesbot_gemini_requests_total", outcome="quota"),
        "ok": value("salesbot_gemini_requests_total", outcome="ok"),
        "hits": value("salesbot_gemini_cooldowns_total"),
        "kind": value("salesbot_gemini_errors_total", kind="quota"),
        "gemini": value("salesbot_turns_by_tier_total", tier="gemini"),
        "rules": value("salesbot_turns_by_tier_total", tier="rules"),
        "tokens": value("salesbot_gemini_tokens_total", direction="prompt"),
    }
    chat = Chat(brain=GeminiBrain(make_llm(), services), services=services)
    fake.always(error_reply(429), key="key-1", times=1)
    fake.script(text_reply("Halo kak!", tokens=42))

    chat.send("halo, mau tanya dong")
    chat.send("saldo")

    assert value("salesbot_gemini_requests_total", outcome="quota") == before["quota"] + 1
    assert value("salesbot_gemini_requests_total", outcome="ok") == before["ok"] + 1
    assert value("salesbot_gemini_cooldowns_total") == before["hits"] + 1
    assert value("salesbot_gemini_errors_total", kind="quota") == before["kind"] + 1
    assert value("salesbot_turns_by_tier_total", tier="gemini") == before["gemini"] + 1
    assert value("salesbot_turns_by_tier_total", tier="rules") == before["rules"] + 1
    assert value("salesbot_gemini_tokens_total", direction="prompt") == before["tokens"] + 42
    assert value("salesbot_gemini_active_keys") == 1


def test_a_malformed_response_is_an_llm_error_and_the_turn_falls_back(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], services: FakeServices
) -> None:
    from fakes.gemini_server import Reply

    fake.script(Reply(200, {"candidates": [{"content": {"parts": 42}}]}))
    chat = Chat(brain=GeminiBrain(make_llm(), services), services=services)

    routed = chat.send("halo kak mau tanya")

    assert routed.tier == "fallback"
    assert routed.messages == [BUSY_NOTICE]


def test_a_per_minute_429_rests_the_key_only_for_its_retry_delay(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], clock: ManualClock
) -> None:
    llm = make_llm()
    fake.script(
        error_reply(429, retry_delay="23s", quota_id="GenerateRequestsPerMinutePerProject"),
        text_reply("ok"),
    )
    ask(llm)
    key1 = llm.ring.ordered_keys()[0]
    assert llm.ring.resting_until(key1) == clock.now() + timedelta(seconds=23)

    fake.script(
        error_reply(429, retry_delay="5s", quota_id="GenerateRequestsPerDayPerProjectPerModel"),
        text_reply("ok"),
    )
    clock.advance(seconds=24)
    ask(llm)
    assert llm.ring.resting_until(key1) == clock.now() + timedelta(hours=24)


@pytest.fixture(params=["memory", "redis"])
def shared_cache(request: pytest.FixtureRequest) -> Iterator[Cache]:
    import uuid

    if request.param == "memory":
        yield MemoryCache()
        return
    from shared.adapters.cache.redis import RedisCache

    yield RedisCache(request.getfixturevalue("redis_url"), prefix=f"t-{uuid.uuid4().hex}:")


def test_a_cooldown_is_seen_by_every_instance_sharing_the_cache(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], shared_cache: Cache
) -> None:
    instance_a = make_llm(cache=shared_cache)
    instance_b = make_llm(cache=shared_cache)
    fake.always(error_reply(429), key="key-1", times=1)
    fake.script(text_reply("a"), text_reply("b"))

    ask(instance_a)
    ask(instance_b)

    assert fake.keys_used() == ["key-1", "key-2", "key-2"]  # B never tries the resting key


def test_an_unreachable_cache_does_not_stop_the_brain(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini]
) -> None:
    from shared.adapters.cache.redis import RedisCache

    dead = RedisCache("redis://127.0.0.1:1/0", timeout_seconds=0.2)
    llm = make_llm(cache=dead)
    fake.always(error_reply(429), key="key-1", times=1)
    fake.script(text_reply("tetap jalan"), text_reply("lagi"))

    assert ask(llm).text == "tetap jalan"  # type: ignore[attr-defined]
    assert ask(llm).text == "lagi"  # type: ignore[attr-defined]


def test_a_database_outage_never_breaks_the_turn(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], clock: ManualClock
) -> None:
    from shared.crypto import KeyBox
    from shared.errors import StoreError
    from shared.store_models import ApiKey

    box = KeyBox("s" * 32)
    row = ApiKey(
        id="00000000-0000-0000-0000-000000000001",
        key_ciphertext=box.encrypt("row-key"),
        key_fingerprint=box.fingerprint("row-key"),
        priority=1,
        enabled=True,
        created_at=clock.now(),
        available=True,
    )

    class FlakyStore:
        """Lists the keys, then the database goes away."""

        def list_api_keys(self, now: object = None) -> list[ApiKey]:
            return [row]

        def set_api_key_cooldown(self, *args: object) -> None:
            raise StoreError("connection refused")

    table = StoreKeys(FlakyStore(), box, clock=clock)  # type: ignore[arg-type]
    llm = make_llm("", sources=[table])
    fake.always(error_reply(429), key="row-key", times=1)

    with pytest.raises(AllKeysResting):  # the cooldown holds in the cache; nothing crashes
        ask(llm)
    assert llm.ring.resting_until(llm.ring.ordered_keys()[0]) is not None

    class DownStore(FlakyStore):
        def list_api_keys(self, now: object = None) -> list[ApiKey]:
            raise StoreError("connection refused")

    down = make_llm("key-1", sources=[StoreKeys(DownStore(), box, clock=clock)])  # type: ignore[arg-type]
    fake.script(text_reply("aman"))
    assert ask(down).text == "aman"  # type: ignore[attr-defined]


def test_a_key_google_does_not_know_rests_and_the_next_key_answers_the_same_turn(
    fake: FakeGemini, make_llm: Callable[..., RotatingGemini], clock: ManualClock
) -> None:
    # A typo in GEMINI_KEYS: Google answers 400 INVALID_ARGUMENT (reason API_KEY_INVALID), not
    # 401/403. That is the key's fault, not the request's: another key must get the turn.
    llm = make_llm()
    fake.always(invalid_key_reply(), key="key-1")
    fake.script(text_reply("siap kak"))

    ask(llm)

    assert fake.keys_used() == ["key-1", "key-2"]
    key1, key2 = llm.ring.ordered_keys()
    assert llm.ring.resting_until(key1) == clock.now() + timedelta(hours=24)
    assert llm.ring.resting_until(key2) is None
