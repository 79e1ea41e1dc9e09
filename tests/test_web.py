from __future__ import annotations

from shared.config import load_settings
from shared.web import create_app
from shared.wiring import Components


def test_jobs_need_the_token_and_unknown_jobs_are_404() -> None:
    components = Components(settings=load_settings(jobs_token="t0k"))
    client = create_app(components).test_client()
    assert client.post("/jobs/anything").status_code == 401
    assert (
        client.post("/jobs/anything", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    assert client.post("/jobs/nope", headers={"Authorization": "Bearer t0k"}).status_code == 404


def test_generated_jobs_token_survives_restarts() -> None:
    first = Components(settings=load_settings()).jobs_token
    assert len(first) > 20
    assert Components(settings=load_settings()).jobs_token == first


def test_an_empty_jobs_token_never_lets_an_empty_bearer_in(monkeypatch) -> None:
    """`JOBS_TOKEN=` (as copied from .env.example) means "generate one", never "" (item 8)."""
    monkeypatch.setenv("JOBS_TOKEN", "")
    components = Components(settings=load_settings())
    client = create_app(components).test_client()
    for header in ("Bearer ", "Bearer", ""):
        answer = client.post("/jobs/nope", headers={"Authorization": header})
        assert answer.status_code == 401, header
    assert len(components.jobs_token) > 20


def test_an_empty_atlantic_username_is_refused_with_an_api_key(monkeypatch) -> None:
    """md5("") must never be a valid webhook signature (item 8)."""
    import hashlib

    import pytest

    from shared.adapters.atlantic import AtlanticWebhook
    from shared.errors import ConfigError

    monkeypatch.setenv("ATL_API_KEY", "real-key")
    monkeypatch.setenv("ATL_USERNAME", "")
    components = Components(settings=load_settings())
    with pytest.raises(ConfigError, match="ATL_USERNAME"):
        components.supplier_webhook  # noqa: B018 - building it is the point
    with pytest.raises(ValueError, match="username"):
        AtlanticWebhook("")
    empty = hashlib.md5(b"", usedforsecurity=False).hexdigest()
    assert not AtlanticWebhook("sandbox").verify({"X-ATL-Signature": empty})


def test_a_blank_atlantic_username_is_refused_with_an_api_key(monkeypatch) -> None:
    import pytest

    from shared.errors import ConfigError

    monkeypatch.setenv("ATL_API_KEY", "real-key")
    monkeypatch.setenv("ATL_USERNAME", "  ")
    with pytest.raises(ConfigError, match="ATL_USERNAME"):
        Components(settings=load_settings()).supplier_webhook  # noqa: B018
