"""The security pass: no session → a short explanation; CSRF and cross-site posts refused; a
strict CSP and friends on every page; errors without stack traces."""

from __future__ import annotations

import pytest

from shared.store_models import SalesSummary
from shared.webconsole.auth import CSP
from webconsole.conftest import Console

PAGES = [
    "/console/",
    "/console/orders",
    "/console/orders/SBNOSUCHORDER",
    "/console/customers",
    "/console/customers/8a1d0d6e-3b1f-4a4c-9a57-2d7a9d0e0c11",
    "/console/prices",
    "/console/keys",
]
ACTIONS = [
    "/console/orders/SB0000/retry",
    "/console/orders/SB0000/refund",
    "/console/customers/8a1d0d6e-3b1f-4a4c-9a57-2d7a9d0e0c11/adjust",
    "/console/prices",
    "/console/prices/preview",
    "/console/keys",
    "/console/keys/8a1d0d6e-3b1f-4a4c-9a57-2d7a9d0e0c11/disable",
    "/console/logout",
]


@pytest.mark.parametrize("path", PAGES + ACTIONS)
def test_no_session_gets_a_redirect_to_the_explanation(console: Console, path: str) -> None:
    response = (
        console.client.post(path, data={"csrf": "x"})
        if path in ACTIONS
        else console.client.get(path)
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/console/login"
    explanation = console.client.get("/console/login")
    assert explanation.status_code == 200
    assert "kirim <strong>/login</strong>" in explanation.text


@pytest.mark.parametrize("path", ACTIONS)
def test_posts_without_the_sessions_csrf_token_are_refused(
    admin_console: Console, path: str
) -> None:
    client = admin_console.client
    assert client.post(path).status_code == 403
    assert client.post(path, data={"csrf": "forged"}).status_code == 403
    page = client.post(path, data={"csrf": admin_console.csrf[:-2] + "xx"})
    assert page.status_code == 403
    assert "Permintaan ditolak" in page.text


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_posts_are_refused_even_with_the_token(
    admin_console: Console, headers: dict[str, str]
) -> None:
    response = admin_console.post("/console/prices", {"scope": "global", "value": "9"}, **headers)
    assert response.status_code == 403
    # and a login link posted from another site opens nothing
    link = admin_console.link().removeprefix("http://127.0.0.1:8080")
    assert admin_console.client.post(link, headers=headers).status_code == 403


def test_same_origin_posts_pass(admin_console: Console) -> None:
    response = admin_console.post(
        "/console/prices",
        {"scope": "global", "value": "4", "action": "preview"},
        Origin="http://localhost",
        **{"Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 200


def test_every_page_sets_a_strict_content_security_policy(admin_console: Console) -> None:
    for path in [*PAGES, "/console/login", "/console/login/abc"]:
        response = admin_console.client.get(path)
        assert response.headers["Content-Security-Policy"] == CSP, path
        assert "'unsafe-inline'" not in CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "<script>" not in response.text
        assert "style=" not in response.text


def test_unknown_records_are_a_short_404(admin_console: Console) -> None:
    for path in ["/console/orders/SBNOSUCHORDER", "/console/customers/not-a-uuid"]:
        response = admin_console.client.get(path)
        assert response.status_code == 404
        assert "Tidak ditemukan" in response.text


def test_a_failing_page_says_so_without_a_stack_trace(
    admin_console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> list[SalesSummary]:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(admin_console.components.store, "console_sales", broken)
    response = admin_console.client.get("/console/")
    assert response.status_code == 500
    assert "Ada gangguan" in response.text
    assert "database on fire" not in response.text
    assert "Traceback" not in response.text
