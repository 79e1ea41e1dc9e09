"""The `console` Cloud Function: the same console at the root of its own function URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fakes.functions_server import FunctionServer, start_function, stop_function

from shared.adapters.postgres.rpc import PostgresRpc
from shared.services.console_login import issue_login_link
from shared.store import Store

ADMIN = "628111000222"
CONSOLE_URL = "https://asia-southeast2-shop.cloudfunctions.net/salesbot-console"


@pytest.fixture(scope="module")
def console_fn(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FunctionServer]:
    server = start_function(
        "console",
        tmp_path_factory.mktemp("console"),
        {"DATABASE_URL": database_url, "ADMIN_NUMBERS": ADMIN, "CONSOLE_URL": CONSOLE_URL},
    )
    yield server
    stop_function(server)


@pytest.mark.slow
@pytest.mark.parametrize("prefix", ["/salesbot-console", ""])
def test_the_console_function_logs_in_and_links_under_its_url(
    console_fn: FunctionServer, database_url: str, tmp_path: Path, prefix: str
) -> None:
    store = Store(PostgresRpc(database_url, max_size=1))
    try:
        link = issue_login_link(store, phone=ADMIN, base_url=CONSOLE_URL, now=datetime.now(UTC))
    finally:
        store.close()
    assert link.startswith(CONSOLE_URL + "/login/")
    token_path = link.removeprefix(CONSOLE_URL)
    with httpx.Client(base_url=console_fn.url, timeout=30) as client:
        anonymous = client.get(prefix + "/")
        assert anonymous.status_code == 302, console_fn.logs()[-2000:]
        assert anonymous.headers["location"] == "/salesbot-console/login"
        assert client.get(prefix + token_path).status_code == 200
        opened = client.post(prefix + token_path)
        assert opened.status_code == 303, opened.text
        assert opened.headers["location"] == "/salesbot-console/"
        cookie = opened.headers["set-cookie"]
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Strict" in cookie
        assert "Path=/salesbot-console" in cookie
        session = cookie.split(";")[0]
        today = client.get(prefix + "/", headers={"Cookie": session})
        assert today.status_code == 200
        assert "Ringkasan hari ini" in today.text
        assert 'href="/salesbot-console/orders"' in today.text
        assert today.headers["content-security-policy"].startswith("default-src 'none'")
        css = client.get(prefix + "/assets/console.css")
        assert css.status_code == 200
        assert "text/css" in css.headers["content-type"]
