"""Logs that Cloud Logging understands, named events, and the Prometheus `/metrics` endpoint."""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.pubsub_server import PubSubServer
from functions_framework import create_app as create_function_app

from shared import metrics
from shared.adapters.pubsub.bus import PubSubBus
from shared.adapters.pubsub.publisher import Publisher
from shared.bus import InProcessBus
from shared.config import load_settings
from shared.log import (
    JsonFormatter,
    TextFormatter,
    carried,
    correlation,
    correlation_ids,
    hash_id,
    note,
    parse_trace_header,
)
from shared.messages import OutboundMessage
from shared.observability import Event, log_event
from shared.web import create_app
from shared.wiring import Components

TRACE_ID = "105445aa7843bc8bf206b12000100000"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Capture what the root logger writes as JSON, as `setup_logging(fmt='json')` would."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(old_level)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_correlation_ids_are_labels_and_people_are_hashed(json_lines: io.StringIO) -> None:
    phone = "6281234567890"
    with correlation(wa_msg_id="3EB0AA", customer_id=phone), correlation(reff_id="Q-1"):
        logging.getLogger("t").info("order created")
        carried_ids = correlation_ids()
    (record,) = records(json_lines)
    assert record["severity"] == "INFO"
    assert record["message"] == "order created"
    labels = record["logging.googleapis.com/labels"]
    assert labels == {"wa_msg_id": "3EB0AA", "reff_id": "Q-1", "customer": hash_id(phone)}
    assert phone not in json_lines.getvalue()
    # What the relay publishes as attributes is what on_message re-opens, unchanged.
    assert carried_ids == {"wa_msg_id": "3EB0AA", "reff_id": "Q-1", "customer": hash_id(phone)}
    assert carried({**carried_ids, "kind": "text"}) == carried_ids


def test_an_id_noted_midway_is_carried_by_the_rest_of_the_work(json_lines: io.StringIO) -> None:
    note(reff_id="ignored")  # outside any correlation: nothing to add to
    with correlation(wa_msg_id="3EB0BB"):
        logging.getLogger("t").info("turn starts")
        with correlation(customer_id="6281200000000"):
            note(reff_id="SB-1")  # e.g. the order this turn just placed
        logging.getLogger("t").info("turn answered")
        with correlation(reff_id="SB-DEP"):
            note(reff_id="SB-2")  # a scope's own reff_id is kept
            logging.getLogger("t").info("deposit settled")
    logging.getLogger("t").info("after")
    labels = [r.get("logging.googleapis.com/labels") for r in records(json_lines)]
    assert labels == [
        {"wa_msg_id": "3EB0BB"},
        {"wa_msg_id": "3EB0BB", "reff_id": "SB-1"},
        {"wa_msg_id": "3EB0BB", "reff_id": "SB-DEP"},
        None,
    ]


def test_a_reply_published_under_a_noted_order_carries_its_reff_id(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Both buses: the in-process one hands it to the sender, Pub/Sub as an attribute.
    server = PubSubServer().start()
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", server.host)
    bus = PubSubBus(Publisher("proj-1"), inbound_topic="wa-inbound", outbound_topic="wa-outbound")
    local = InProcessBus()
    got: list[OutboundMessage] = []
    local.on_outbound(got.append)
    local.start()
    reply = OutboundMessage(
        chat="6281200000000@s.whatsapp.net", text="Diproses", reply_to="3EB0CC"
    )
    try:
        with correlation(wa_msg_id="3EB0CC"):
            note(reff_id="SB-3")
            bus.publish_outbound(reply)
            local.publish_outbound(reply)
        bus.publish_outbound(reply)  # outside the turn: nothing to add
    finally:
        local.stop()
        bus.close()
        server.stop()
    attributes = [p.attributes for p in server.state.published]
    assert [a.get("reff_id") for a in attributes] == ["SB-3", None]
    assert all(a["wa_msg_id"] == "3EB0CC" for a in attributes)
    assert [m.correlation_id for m in got] == ["SB-3"]


def test_trace_header_parsing() -> None:
    # Cloud Logging wants the span as 16 hex digits; X-Cloud-Trace-Context sends it in decimal.
    assert parse_trace_header(f"{TRACE_ID}/123;o=1") == (TRACE_ID, "000000000000007b")
    assert parse_trace_header(f"{TRACE_ID}/18446744073709551615") == (TRACE_ID, "f" * 16)
    assert parse_trace_header(f"{TRACE_ID}/0;o=1") == (TRACE_ID, None)
    assert parse_trace_header(TRACE_ID) == (TRACE_ID, None)
    assert parse_trace_header(None, f"00-{TRACE_ID}-00f067aa0ba902b7-01") == (
        TRACE_ID,
        "00f067aa0ba902b7",
    )
    assert parse_trace_header("garbage", "also-garbage") is None


def test_function_logs_carry_trace_and_execution_id(
    json_lines: io.StringIO, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GCP_PROJECT", "proj-1")
    source = tmp_path / "main.py"
    source.write_text(
        "import logging\n"
        "import functions_framework\n"
        "@functions_framework.http\n"
        "def hello(request):\n"
        "    logging.getLogger('fn').warning('handled')\n"
        "    return 'ok'\n"
    )
    client = create_function_app(target="hello", source=str(source)).test_client()
    response = client.post(
        "/",
        headers={"X-Cloud-Trace-Context": f"{TRACE_ID}/42;o=1", "Function-Execution-Id": "ex-9"},
    )
    assert response.status_code == 200
    (record,) = [r for r in records(json_lines) if r["message"] == "handled"]
    assert record["severity"] == "WARNING"
    assert record["logging.googleapis.com/trace"] == f"projects/proj-1/traces/{TRACE_ID}"
    assert record["logging.googleapis.com/spanId"] == "000000000000002a"
    assert record["logging.googleapis.com/labels"] == {"execution_id": "ex-9"}
    assert record["logging.googleapis.com/sourceLocation"]["function"] == "hello"


def test_log_event_names_the_event_and_counts_it(json_lines: io.StringIO) -> None:
    before = metrics.EVENTS.labels(event="supplier_balance_low")._value.get()
    log_event(
        logging.getLogger("atl"),
        Event.SUPPLIER_BALANCE_LOW,
        "supplier balance low: %d",
        42_000,
        balance=42_000,
        threshold=100_000,
        message="not allowed to clobber",
    )
    (record,) = records(json_lines)
    assert record["event"] == "supplier_balance_low"
    assert record["severity"] == "WARNING"
    assert record["message"] == "supplier balance low: 42000"
    assert record["balance"] == 42_000
    assert record["threshold"] == 100_000
    assert record["field_message"] == "not allowed to clobber"
    assert metrics.EVENTS.labels(event="supplier_balance_low")._value.get() == before + 1


def test_relay_events_page_as_errors(json_lines: io.StringIO) -> None:
    log_event(logging.getLogger("relay"), Event.RELAY_LOGGED_OUT, "logged out", reason="401")
    (logged_out,) = records(json_lines)
    assert (logged_out["severity"], logged_out["event"]) == ("ERROR", "relay_logged_out")
    assert logged_out["reason"] == "401"


def test_text_logs_show_event_and_ids() -> None:
    record = logging.LogRecord("t", logging.WARNING, __file__, 1, "low", None, None)
    record.event = "supplier_balance_low"
    record.event_fields = {"balance": 5}
    with correlation(reff_id="Q-2"):
        line = TextFormatter().format(record)
    assert line.endswith("low <supplier_balance_low balance=5> [reff_id=Q-2]")


def test_metrics_endpoint_serves_prometheus_text() -> None:
    client = create_app(Components(settings=load_settings(jobs_token="t"))).test_client()
    kind = f"k{uuid.uuid4().hex[:6]}"
    metrics.MESSAGES_IN.labels(kind=kind).inc(3)
    metrics.record_supplier_call("transaksi/create", 0.3, "success")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    body = response.get_data(as_text=True)
    assert f'salesbot_messages_in_total{{kind="{kind}"}} 3.0' in body
    assert (
        'salesbot_supplier_requests_total{endpoint="transaksi/create",outcome="success"}' in body
    )
    assert "salesbot_supplier_request_seconds_bucket" in body
    for name in ("salesbot_relay_connected", "salesbot_pending_items", "salesbot_ledger_rupiah"):
        assert f"# TYPE {name} gauge" in body
    # Families in prometheus_client's default registry are served as well.
    assert "# TYPE python_gc_objects_collected_total counter" in body


def test_scrape_time_gauges_use_their_callbacks_and_survive_failures() -> None:
    client = create_app(Components(settings=load_settings(jobs_token="t"))).test_client()
    metrics.PENDING_ITEMS.set_callback(
        lambda: {("order", metrics.age_bucket(4000)): 2, ("deposit", metrics.age_bucket(10)): 1}
    )

    def broken() -> dict[tuple[str, ...], float]:
        raise RuntimeError("database down")

    metrics.LEDGER_RUPIAH.set_callback(broken)
    try:
        body = client.get("/metrics").get_data(as_text=True)
    finally:
        metrics.PENDING_ITEMS.set_callback(None)
        metrics.LEDGER_RUPIAH.set_callback(None)
    assert 'salesbot_pending_items{age="gt_1h",kind="order"} 2.0' in body
    assert 'salesbot_pending_items{age="lt_5m",kind="deposit"} 1.0' in body
    assert "# TYPE salesbot_ledger_rupiah gauge" in body
    assert "salesbot_ledger_rupiah{" not in body


def test_every_metric_family_is_exported_once() -> None:
    # Load every module that defines families, in either registry.
    import shared.adapters.gemini.metrics
    import shared.adapters.whatsapp.metrics
    import shared.agent.router  # noqa: F401

    body, _ = metrics.render()
    types = re.findall(r"^# TYPE (\S+) ", body.decode(), flags=re.MULTILINE)
    duplicates = sorted({name for name in types if types.count(name) > 1})
    assert not duplicates, f"metric families defined twice: {duplicates}"
    assert "salesbot_gemini_active_keys" in types
    assert "salesbot_turns_by_tier_total" in types
