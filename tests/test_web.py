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
