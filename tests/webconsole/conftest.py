"""The console over the session database: a bot with an admin, and a logged-in browser stand-in.

`Console` wraps Flask's test client around the all-in-one app (`shared.web.create_app`), logs
in the way an admin does (the link the bot sends in reply to `/login`), and keeps the CSRF
token of its session for the forms it posts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from conversation.conftest import Chat, close, make_components
from flask.testing import FlaskClient

from shared.web import create_app
from shared.wiring import Components

ADMIN = "628111000111"
CONSOLE_URL = "http://127.0.0.1:8080/console"
LINK = re.compile(r"(http://\S+/console/login/[\w-]+)")


@dataclass
class Console:
    """An admin's browser, without the browser."""

    components: Components
    client: FlaskClient
    csrf: str = ""
    pages: list[str] = field(default_factory=list)

    def link(self, phone: str = ADMIN) -> str:
        """Ask the bot for a console link over the chat, as the admin would on WhatsApp."""
        reply = Chat(self.components, phone=phone).say("/login")
        found = LINK.search(reply)
        assert found, reply
        return found.group(1)

    def login(self, phone: str = ADMIN) -> None:
        path = self.link(phone).removeprefix("http://127.0.0.1:8080")
        assert self.client.get(path).status_code == 200
        opened = self.client.post(path)
        assert opened.status_code == 303, opened.text
        self.csrf = self.csrf_of(self.get("/console/"))

    def get(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        self.pages.append(response.text)
        return response.text

    def post(self, path: str, data: dict[str, str] | None = None, **headers: str):  # noqa: ANN201
        return self.client.post(path, data={"csrf": self.csrf, **(data or {})}, headers=headers)

    def follow(self, response) -> str:  # noqa: ANN001
        assert response.status_code == 303, (response.status_code, response.text[:500])
        return self.get(response.headers["Location"])

    def components_notice(self, text: str) -> str:
        """A notice signed the way the console signs its own (with this process's secret)."""
        from shared.webconsole.auth import Sessions

        sessions = Sessions(
            self.components.store,
            self.components.app_secret,
            admins=frozenset,
            now=self.components.clock.now,
        )
        return sessions.notice(text)

    @staticmethod
    def csrf_of(page: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', page)
        assert found, page[:500]
        return found.group(1)


@pytest.fixture
def components(database_url: str) -> Iterator[Components]:
    comps = make_components(database_url, admin_numbers=ADMIN, console_url=CONSOLE_URL)
    yield comps
    close(comps)


@pytest.fixture
def console(components: Components) -> Console:
    app = create_app(components)
    return Console(components, app.test_client())


@pytest.fixture
def admin_console(console: Console) -> Console:
    console.login()
    return console
