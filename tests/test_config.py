from __future__ import annotations

import pytest

from shared.config import load_settings
from shared.errors import ConfigError


def test_defaults_need_no_configuration() -> None:
    settings = load_settings()
    assert settings.database_mode == "embedded"
    assert settings.cache_mode == "memory"
    assert settings.uses_sandbox
    assert settings.http_port == 8080


def test_environment_selects_the_real_services(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_URL", "https://x.supabase.co")
    monkeypatch.setenv("UPSTASH_REDIS_REST_URL", "https://x.upstash.io")
    monkeypatch.setenv("ATL_API_KEY", "k")
    settings = load_settings()
    assert (settings.database_mode, settings.cache_mode) == ("supabase", "upstash")
    assert not settings.uses_sandbox


def test_malformed_value_names_the_variable_and_hides_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PORT", "not-a-port-SECRET123")
    with pytest.raises(ConfigError, match="HTTP_PORT") as info:
        load_settings()
    assert "SECRET123" not in str(info.value)


def test_secrets_do_not_show_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATL_API_KEY", "super-secret-key")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:hunter2@db/x")
    settings = load_settings()
    assert "super-secret-key" not in repr(settings)
    assert "hunter2" not in repr(settings)


def test_admin_numbers_are_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMIN_NUMBERS", "0812345678, +628999")
    assert load_settings().admins == {"62812345678", "628999"}
    monkeypatch.setenv("ADMIN_NUMBERS", "abc")
    with pytest.raises(ConfigError, match="ADMIN_NUMBERS"):
        load_settings()


def test_a_copied_env_example_means_the_embedded_defaults(tmp_path, monkeypatch) -> None:
    """Every `NAME=` line of .env.example is unset, not an empty value (issue 15, item 8)."""
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text("utf-8"), "utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.jobs_token is None
    assert settings.atl_api_key is None
    assert settings.uses_sandbox
    assert settings.database_mode == "embedded"


@pytest.mark.parametrize("name", ["JOBS_TOKEN", "ATL_USERNAME", "ATL_API_KEY", "APP_SECRET"])
def test_an_empty_secret_in_the_environment_is_unset(name: str, monkeypatch) -> None:
    monkeypatch.setenv(name, "")
    assert getattr(load_settings(), name.lower()) is None


@pytest.mark.parametrize("name", ["JOBS_TOKEN", "ATL_USERNAME", "APP_SECRET", "GEMINI_KEYS"])
def test_a_blank_secret_is_unset_too(name: str, monkeypatch) -> None:
    monkeypatch.setenv(name, "   ")
    assert getattr(load_settings(), name.lower()) is None
