"""The accessibility pass: every page has a language, a title and one h1; every form control
is labelled; every button says what it does."""

from __future__ import annotations

from html.parser import HTMLParser

from conversation.conftest import Chat

from webconsole.conftest import Console

UNLABELLED_TYPES = {"hidden", "submit", "button"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.title = ""
        self.h1 = 0
        self.controls: list[dict[str, str]] = []
        self.labels: set[str] = set()
        self.buttons: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in {"input", "select", "textarea"} and a.get("type") not in UNLABELLED_TYPES:
            self.controls.append(a)
        if tag == "button":
            self.buttons.append("")
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "title":
            self.title += data.strip()
        if self._in and self._in[-1] == "button":
            self.buttons[-1] += data.strip()


def check(html: str, where: str) -> None:
    page = _Page()
    page.feed(html)
    assert page.lang == "id", where
    assert page.title, where
    assert page.h1 == 1, where
    for control in page.controls:
        labelled = control.get("id") in page.labels or control.get("aria-label")
        assert labelled, f"{where}: unlabelled {control}"
    assert all(page.buttons), f"{where}: a button without text"


def test_every_page_and_form_is_labelled(admin_console: Console) -> None:
    buyer = Chat(admin_console.components)
    buyer.fund(20_000)
    buyer.say("pulsa telkomsel 10rb ke 081234569992")
    buyer.say("ya")
    ref = admin_console.components.store.history(buyer.customer_id, limit=1)[0].reff_id
    paths = [
        "/console/",
        "/console/orders",
        "/console/orders?status=pending",
        f"/console/orders/{ref}",
        "/console/customers",
        f"/console/customers/{buyer.customer_id}",
        "/console/prices",
        "/console/keys",
    ]
    for path in paths:
        check(admin_console.get(path), path)
    preview = admin_console.post(
        "/console/prices", {"scope": "global", "value": "3", "action": "preview"}
    )
    check(preview.text, "prices preview")
    for path in ["/console/login", "/console/login/sometoken", "/console/orders/SBNOPE"]:
        check(admin_console.client.get(path).text, path)


def test_the_check_catches_an_unlabelled_control() -> None:
    import pytest

    bare = '<html lang="id"><title>x</title><h1>x</h1><form><input name="q"></form></html>'
    with pytest.raises(AssertionError, match="unlabelled"):
        check(bare, "bare")
    labelled = bare.replace('<input name="q">', '<label for="q">Cari</label><input id="q">')
    check(labelled, "labelled")
