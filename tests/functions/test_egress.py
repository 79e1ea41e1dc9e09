"""Which functions need the static egress IP: only those that call Atlantic.

infra/functions.tf sends a function through the VPC connector and Cloud NAT (`static_egress`)
only when it calls Atlantic, so the NAT's ports go to the calls that need the whitelisted IP.
These tests serve the functions left out for real (functions-framework, the session database,
the fake Pub/Sub) with Atlantic pointed at a tripwire that records every request: they do their
whole job without calling it, and a function that does call Atlantic trips it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import hcl2
import httpx
import pytest
from fakes.functions_server import PROJECT, ROOT, FunctionServer, start_function, stop_function
from fakes.http_stub import HttpStub
from fakes.pubsub_server import PubSubServer

USERNAME = "toko-egress"


@pytest.fixture(scope="module")
def tripwire() -> Iterator[HttpStub]:
    """An 'Atlantic' that answers nothing useful and remembers every path it was asked for."""
    body = json.dumps({"status": False, "message": "tripwire"}).encode()
    with HttpStub(200, body, "application/json") as wire:
        yield wire


def _serve(
    target: str, tmp: Path, database_url: str, pubsub: PubSubServer, atlantic: str
) -> FunctionServer:
    tmp.mkdir(parents=True, exist_ok=True)
    return start_function(
        target,
        tmp,
        {
            "DATABASE_URL": database_url,
            "GCP_PROJECT": PROJECT,
            "PUBSUB_EMULATOR_HOST": pubsub.host,
            "ATL_BASE_URL": atlantic,
            "ATL_API_KEY": "real-looking-key",
            "ATL_USERNAME": USERNAME,
            "GEMINI_KEYS": "key-one,key-two",
            "JOBS_TOKEN": "t",
        },
    )


def _directly_egressing() -> set[str]:
    """The functions infra/functions.tf does not send through the NAT."""
    parsed = hcl2.loads((ROOT / "infra" / "functions.tf").read_text())
    [functions] = [block["functions"] for block in parsed["locals"] if "functions" in block]
    return {name.strip('"') for name, fn in functions.items() if fn["static_egress"] is False}


def test_the_webhook_records_and_hands_off_without_calling_atlantic(
    tripwire: HttpStub,
    database_url: str,
    pubsub_server: PubSubServer,
    tmp_path: Path,
) -> None:
    assert "atlantic_webhook" in _directly_egressing()
    server = _serve("atlantic_webhook", tmp_path, database_url, pubsub_server, tripwire.url)
    try:
        reff = f"R{uuid.uuid4().hex[:10]}"
        data = {"id": "9", "reff_id": reff, "layanan": "X", "code": "ML86", "target": "1"}
        data |= {"price": "22081", "sn": None, "status": "success"}
        body = json.dumps({"event": "transaksi", "status": "success", "data": data}).encode()
        signature = hashlib.md5(USERNAME.encode(), usedforsecurity=False).hexdigest()
        answer = httpx.post(
            server.url,
            content=body,
            headers={"Content-Type": "application/json", "X-ATL-Signature": signature},
            timeout=30,
        )
        assert answer.status_code == 200, server.logs()
        assert answer.json()["status"] == "ok"
        pubsub_server.state.wait_for(
            lambda: any(p.topic.endswith("/atl-events") for p in pubsub_server.state.published)
        )
    finally:
        stop_function(server)
    assert tripwire.paths == []


def test_the_key_and_media_jobs_run_without_calling_atlantic_and_a_supplier_job_does(
    tripwire: HttpStub,
    database_url: str,
    pubsub_server: PubSubServer,
    tmp_path: Path,
) -> None:
    assert "reactivate_keys" in _directly_egressing()
    assert "check_balance" not in _directly_egressing()
    reactivate = _serve(
        "reactivate_keys", tmp_path / "a", database_url, pubsub_server, tripwire.url
    )
    try:
        answer = httpx.post(reactivate.url, json={}, timeout=30)
        assert answer.status_code == 200, reactivate.logs()
        assert answer.json()["report"]["keys"] >= 2
    finally:
        stop_function(reactivate)
    assert tripwire.paths == []

    assert "purge_media" in _directly_egressing()
    purge = _serve("purge_media", tmp_path / "p", database_url, pubsub_server, tripwire.url)
    try:
        answer = httpx.post(purge.url, json={}, timeout=30)
        assert answer.status_code == 200, purge.logs()
    finally:
        stop_function(purge)
    assert tripwire.paths == []

    balance = _serve("check_balance", tmp_path / "b", database_url, pubsub_server, tripwire.url)
    try:
        httpx.post(balance.url, json={}, timeout=30)
    finally:
        stop_function(balance)
    assert "/get_profile" in tripwire.paths, "the tripwire would not notice a call"
