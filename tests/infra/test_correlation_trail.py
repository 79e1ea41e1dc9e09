"""One purchase, end to end through the all-in-one components, read back from its JSON logs.

A customer writes on WhatsApp (the relay on a fake neonize client), gets a quote, answers YA; the
order goes to the Atlantic sandbox, whose success webhook arrives over HTTP at `/webhook/atlantic`
of the all-in-one server (with the trace header Google's front end adds); the order settles and
the notification goes back out through the relay. Every log line of that path is captured in the
JSON format Cloud Logging reads (`shared.log.JsonFormatter`) and must carry the ids that let the
operator follow it (docs/operations.md, "Dashboards and logs"): the WhatsApp message id from the
relay to the reply, the reff_id from the supplier call to the notification, both on the send that
answers, never a raw phone number, and Cloud Logging's field shapes.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fakes.memory_cache import MemoryCache
from fakes.neonize_client import FakeClient, FakeClock, message_event
from neonize.events import ConnectedEv  # noqa: TID251
from neonize.proto import Neonize_pb2 as N  # noqa: TID251
from werkzeug.serving import make_server

from shared.adapters.storage.local import LocalMediaStore
from shared.adapters.whatsapp.relay import Relay
from shared.config import load_settings
from shared.local_stack import start_local_stack
from shared.log import JsonFormatter, hash_id
from shared.sandbox.server import Sandbox
from shared.web import create_app
from shared.wiring import Components

PROJECT = "salesbot-trail"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SEVERITIES = {"DEFAULT", "DEBUG", "INFO", "NOTICE", "WARNING", "ERROR", "CRITICAL", "ALERT"}
TARGET = "081234567890"


class Lines(logging.Handler):
    """Keeps every formatted JSON line (thread-safe, with a condition to wait on)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.lines)]


class SendingClient(FakeClient):
    """The fake neonize client, with a condition to wait for sends."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__(clock=clock)
        self.cond = threading.Condition()

    def _record(self, name: str, *args: Any, **kwargs: Any) -> None:
        with self.cond:
            super()._record(name, *args, **kwargs)
            self.cond.notify_all()

    def texts(self) -> list[str]:
        sent = [a[1] for _, a, _ in self.named("send_message")]
        return [m if isinstance(m, str) else m.conversation for m in sent]

    def wait_for_text(self, needle: str, timeout: float = 30) -> str:
        def hit() -> str | None:
            return next((t for t in self.texts() if needle in t), None)

        with self.cond:
            self.cond.wait_for(lambda: hit() is not None, timeout)
        found = hit()
        assert found is not None, f"no WhatsApp send with {needle!r}: {self.texts()}"
        return found


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lines]:
    """The root logger writing JSON as `setup_logging(fmt="json")` sets it up in production."""
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    monkeypatch.setenv("LOG_HASH_SALT", "trail-salt")
    handler = Lines()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "werkzeug")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def _labels(record: dict[str, Any]) -> dict[str, str]:
    return record.get("logging.googleapis.com/labels", {})  # type: ignore[no-any-return]


def _assert_cloud_logging_shape(record: dict[str, Any]) -> None:
    """The special fields Cloud Logging lifts out of a JSON line, in the form it reads them."""
    assert record["severity"] in SEVERITIES, record
    assert isinstance(record["message"], str), record
    assert record["message"], record
    assert datetime.fromisoformat(record["time"]).tzinfo is not None, record
    where = record["logging.googleapis.com/sourceLocation"]
    assert isinstance(where["file"], str), record
    assert isinstance(where["line"], int), record
    assert isinstance(where["function"], str), record
    labels = _labels(record)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()), record
    if "logging.googleapis.com/trace" in record:
        trace = record["logging.googleapis.com/trace"]
        assert re.fullmatch(rf"projects/{PROJECT}/traces/[0-9a-f]{{32}}", trace), record
    if "logging.googleapis.com/spanId" in record:
        assert re.fullmatch(r"[0-9a-f]{16}", record["logging.googleapis.com/spanId"]), record


@pytest.mark.slow
def test_a_purchase_is_traceable_from_the_message_to_the_notification(
    database_url: str, tmp_path: Path, captured: Lines
) -> None:
    settings = load_settings(database_url=database_url)
    components = Components(settings=settings)
    # The all-in-one HTTP server, as `salesbot serve` runs it.
    server = make_server("127.0.0.1", 0, create_app(components), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    webhook_url = f"http://127.0.0.1:{server.server_port}/webhook/atlantic"

    def through_google_front_end(headers: dict[str, str], body: bytes) -> int:
        # In the cloud the front end adds the trace header to every request it forwards.
        sent = {**headers, "X-Cloud-Trace-Context": f"{TRACE_ID}/1;o=1"}
        return httpx.post(webhook_url, headers=sent, content=body, timeout=30).status_code

    sandbox = Sandbox(
        state_file=tmp_path / "sandbox.json",
        webhook_target=through_google_front_end,
        complete_after=0.5,
        tick_seconds=0.1,
    ).start()
    components.__dict__["sandbox"] = sandbox
    stack = start_local_stack(components)
    # The relay as start_whatsapp wires it, on a fake neonize client whose clock skips the
    # human-like typing delays.
    clock = FakeClock(start=datetime.now(UTC))
    client = SendingClient(clock)
    relay = Relay(
        client,
        bus=components.bus,
        media=LocalMediaStore(tmp_path / "media", ttl_seconds=3600),
        settings=settings,
        clock=clock,
        cache=MemoryCache(clock),
        alert=lambda _reason, _text: None,
    )
    relay.attach()
    stack.bus.on_outbound(relay.send)
    client.dispatch(ConnectedEv())
    phone = "62813" + str(uuid.uuid4().int)[:8]
    ask_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    yes_id = f"3EB0{uuid.uuid4().hex[:16].upper()}"
    try:
        customer = components.store.resolve_customer(phone=phone).customer_id
        funded = components.store.adjust_balance(customer, 50_000, f"t-{uuid.uuid4().hex}")
        assert funded.outcome == "done"
        chat = N.JID(User=phone, Server="s.whatsapp.net")
        ask = f"pulsa telkomsel 10rb ke {TARGET}"
        client.dispatch(message_event(msg_id=ask_id, chat=chat, text=ask, sent_at=clock.now()))
        client.wait_for_text("YA")
        client.dispatch(message_event(msg_id=yes_id, chat=chat, text="ya", sent_at=clock.now()))
        client.wait_for_text("diproses")
        client.wait_for_text("SN")
    finally:
        stack.stop()
        sandbox.close()
        server.shutdown()
        server.server_close()
    [order] = [h for h in components.store.history(customer) if h.kind == "order"]
    reff = order.reff_id
    assert order.status == "success"

    records = captured.records()
    for record in records:
        _assert_cloud_logging_shape(record)
    # Never a raw phone number: the customer's (in any spelling) nor the number topped up.
    numbers = {phone, "0" + phone[2:], "+" + phone, TARGET, "62" + TARGET[1:]}
    leaks = [
        line for line in captured.lines for n in numbers if re.search(rf"(?<!\d){n}(?!\d)", line)
    ]
    assert not leaks

    # The purchase's path: everything but the sandbox (the supplier's side) and the session
    # connecting before any message. Each of its lines names the message or the order.
    path = [
        r
        for r in records
        if not r["logger"].startswith("shared.sandbox.")
        and r["logger"] != "shared.adapters.whatsapp.lifecycle"
    ]
    orphans = [
        r["message"]
        for r in path
        if _labels(r).get("wa_msg_id") not in {ask_id, yes_id}
        and _labels(r).get("reff_id") != reff
    ]
    assert not orphans, orphans

    def logged_by(logger: str, start: str = "") -> list[dict[str, Any]]:
        found = [r for r in path if r["logger"] == logger and r["message"].startswith(start)]
        assert found, f"nothing logged by {logger} ({start!r})"
        return found

    def ids(record: dict[str, Any]) -> tuple[str | None, str | None]:
        return _labels(record).get("wa_msg_id"), _labels(record).get("reff_id")

    # Inbound: the relay and the turn that handled it carry the WhatsApp message id, and the
    # customer as a hash.
    for logger in ("shared.adapters.whatsapp.relay", "shared.agent.router"):
        assert [ids(r)[0] for r in logged_by(logger)] == [ask_id, yes_id]
    assert all(
        _labels(r)["chat"] == hash_id(f"{phone}@s.whatsapp.net")
        for r in logged_by("shared.adapters.whatsapp.relay")
    )
    # The supplier call joins the two: the confirming message and the order.
    assert [ids(r) for r in logged_by("shared.services.supplier_submit")] == [(yes_id, reff)]
    # Webhook (inside its HTTP request, so with the front end's trace), settlement and the
    # notification carry the reff_id.
    webhook = logged_by("shared.services.webhook")
    assert {ids(r)[1] for r in webhook} == {reff}
    assert {r["logging.googleapis.com/trace"] for r in webhook} == {
        f"projects/{PROJECT}/traces/{TRACE_ID}"
    }
    assert {r["logging.googleapis.com/spanId"] for r in webhook} == {"0000000000000001"}
    for logger in ("shared.services.settlement", "shared.services.notify"):
        assert {ids(r)[1] for r in logged_by(logger)} == {reff}
    # The sends: each reply under the message it answers (the YA reply also under the order it
    # placed), the notification under the order.
    sent = logged_by("shared.adapters.whatsapp.sender", "sent ")
    replies = [ids(r) for r in sent if r["message"].startswith("sent reply")]
    assert replies == [(ask_id, None), (yes_id, reff)]
    assert [ids(r) for r in sent if r["message"].startswith("sent notification")] == [(None, reff)]
