"""Login by WhatsApp: the link the bot sends, its expiry, single use, admins only; sessions."""

from __future__ import annotations

from conversation.conftest import Chat

from shared.config import load_settings
from shared.services.clock import ManualClock
from shared.services.console_login import LINK_TTL_SECONDS
from shared.webconsole.auth import COOKIE, SESSION_SECONDS
from webconsole.conftest import ADMIN, CONSOLE_URL, Console


def _path(link: str) -> str:
    return link.removeprefix("http://127.0.0.1:8080")


def test_an_admin_asks_for_a_link_and_gets_in_once(console: Console) -> None:
    reply = Chat(console.components, phone=ADMIN).say("/login")
    assert "sekali pakai, berlaku 5 menit" in reply
    assert CONSOLE_URL + "/login/" in reply
    link = _path(console.link())
    confirm = console.client.get(link)
    assert confirm.status_code == 200
    assert "Masuk" in confirm.text  # a page with a button: a link preview cannot use it up
    assert console.client.get("/console/").status_code == 302  # not in yet

    opened = console.client.post(link)
    assert opened.status_code == 303
    cookie = opened.headers["Set-Cookie"]
    assert f"{COOKIE}=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert f"Max-Age={SESSION_SECONDS}" in cookie
    assert "Path=/console" in cookie
    assert "Secure" not in cookie  # http://127.0.0.1: a Secure cookie would never come back
    assert "Ringkasan hari ini" in console.get("/console/")

    again = console.client.post(link)
    assert again.status_code == 410
    assert "sudah pernah dipakai" in again.text


def test_console_is_also_a_login_command(console: Console) -> None:
    reply = Chat(console.components, phone=ADMIN).say("/console")
    assert CONSOLE_URL + "/login/" in reply


def test_a_link_expires_after_a_few_minutes(console: Console) -> None:
    link = _path(console.link())
    clock = console.components.clock
    assert isinstance(clock, ManualClock)
    clock.advance(LINK_TTL_SECONDS + 1)
    refused = console.client.post(link)
    assert refused.status_code == 410
    assert "kedaluwarsa" in refused.text
    assert console.client.get("/console/").status_code == 302


def test_a_forged_link_is_refused(console: Console) -> None:
    refused = console.client.post("/console/login/not-a-real-token-at-all")
    assert refused.status_code == 410
    assert "tidak dikenal" in refused.text
    assert "Traceback" not in refused.text


def test_only_admins_get_a_link(console: Console) -> None:
    reply = Chat(console.components).say("/login")
    assert reply == "Maaf kak, perintah itu khusus admin toko ya 🙏"
    assert "/console/login/" not in reply


def test_a_link_of_someone_no_longer_admin_opens_nothing(console: Console) -> None:
    link = _path(console.link())
    components = console.components
    components.settings = load_settings(  # the owner removed that admin meanwhile
        database_url=components.settings.database_url, admin_numbers="628999000999"
    )
    assert console.client.post(link).status_code == 410


def test_a_session_ends_at_logout_even_for_a_kept_cookie(admin_console: Console) -> None:
    kept = admin_console.client.get_cookie(COOKIE, path="/console")
    assert kept is not None
    left = admin_console.post("/console/logout")
    assert left.status_code == 303
    assert (
        "Max-Age=0" in left.headers["Set-Cookie"]
        or "Expires=Thu, 01 Jan 1970" in (left.headers["Set-Cookie"])
    )
    assert admin_console.client.get("/console/").status_code == 302
    # Someone who copied the cookie before logout gets nothing either.
    admin_console.client.set_cookie(COOKIE, kept.value, path="/console")
    assert admin_console.client.get("/console/").status_code == 302


def test_a_session_expires(admin_console: Console) -> None:
    clock = admin_console.components.clock
    assert isinstance(clock, ManualClock)
    clock.advance(SESSION_SECONDS - 60)
    assert admin_console.client.get("/console/").status_code == 200
    clock.advance(120)
    assert admin_console.client.get("/console/").status_code == 302


def test_a_forged_cookie_is_refused(console: Console) -> None:
    console.client.set_cookie(COOKIE, "eyJmb3JnZWQiOiJ5ZXMifQ.abc.def", path="/console")
    response = console.client.get("/console/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/console/login")
