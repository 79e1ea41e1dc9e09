"""Configuration picks the store transport and the cache adapter."""

from __future__ import annotations

import pytest
from fakes.postgrest import running_postgrest

from shared.adapters.cache.memory import MemoryCache
from shared.adapters.cache.redis import RedisCache
from shared.adapters.cache.upstash import UpstashCache
from shared.adapters.postgres.rpc import PostgresRpc
from shared.adapters.supabase.rpc import SupabaseRpc
from shared.config import load_settings
from shared.errors import ConfigError
from shared.wiring import Components


def test_database_url_selects_direct_postgres(database_url: str) -> None:
    components = Components(settings=load_settings(database_url=database_url))
    try:
        assert isinstance(components.store._rpc, PostgresRpc)
        assert components.store.get_setting("nothing-here") is None
    finally:
        components.store.close()


def test_supabase_url_alone_selects_the_rpc_transport(database_url: str) -> None:
    with running_postgrest(database_url) as fake:
        settings = load_settings(supabase_url=fake.url, supabase_service_role_key=fake.api_key)
        store = Components(settings=settings).store
        assert isinstance(store._rpc, SupabaseRpc)
        assert store.get_setting("nothing-here") is None
        assert fake.calls == ["get_setting"]
        store.close()


def test_supabase_without_its_key_names_the_variable() -> None:
    settings = load_settings(supabase_url="http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="SUPABASE_SERVICE_ROLE_KEY"):
        _ = Components(settings=settings).store


def test_the_cache_follows_configuration() -> None:
    assert isinstance(Components(settings=load_settings()).cache, MemoryCache)
    redis = Components(settings=load_settings(redis_url="redis://127.0.0.1:6379/0")).cache
    assert isinstance(redis, RedisCache)
    upstash = Components(
        settings=load_settings(
            redis_url="redis://127.0.0.1:6379/0",
            upstash_redis_rest_url="http://127.0.0.1:9",
            upstash_redis_rest_token="t",
        )
    ).cache
    assert isinstance(upstash, UpstashCache)
    with pytest.raises(ConfigError, match="UPSTASH_REDIS_REST_TOKEN"):
        _ = Components(settings=load_settings(upstash_redis_rest_url="http://127.0.0.1:9")).cache


def test_the_key_box_uses_app_secret_or_a_generated_one() -> None:
    box = Components(settings=load_settings(app_secret="s3cret")).key_box
    same = Components(settings=load_settings(app_secret="s3cret")).key_box
    assert same.decrypt(box.encrypt("AIza")) == "AIza"
    generated = Components(settings=load_settings()).key_box
    again = Components(settings=load_settings()).key_box  # same DATA_DIR: same secret
    assert again.decrypt(generated.encrypt("AIza")) == "AIza"
