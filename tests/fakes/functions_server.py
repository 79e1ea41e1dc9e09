"""Serving `functions/main.py` with a real functions-framework process; recorded push envelopes.

The process runs as in Cloud Functions (gunicorn, one worker, threads) on a free loopback port,
with the session's migrated database, the fake Pub/Sub server as PUBSUB_EMULATOR_HOST, and its
own DATA_DIR. Envelopes come from `tests/data/pubsub/*.json`; a test may replace fields of the
message payload (ids, phone numbers, timestamps) so it uses its own customer.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from fakes.memory_cache import MemoryCache
from fakes.neonize_client import FakeClient, FakeClock
from fakes.pubsub_server import PubSubServer
from shared.adapters.pubsub.bus import PubSubBus
from shared.adapters.pubsub.publisher import Publisher
from shared.adapters.pubsub.subscriber import OutboundSubscriber
from shared.adapters.whatsapp.relay import Relay, build_relay
from shared.config import Settings
from shared.messages import OutboundMessage

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "pubsub"
PROJECT = "salesbot-test"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class FunctionServer:
    """One functions-framework process serving one target."""

    url: str
    proc: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path

    def post(self, envelope: dict[str, Any]) -> httpx.Response:
        """POST a recorded envelope (headers and body as recorded, path for raw pushes)."""
        return httpx.post(
            self.url + envelope.get("path", "/"),
            headers=envelope["headers"],
            content=json.dumps(envelope["body"]).encode(),
            timeout=60,
        )

    def logs(self) -> str:
        return self.log_path.read_text("utf-8", errors="replace")


def start_function(
    target: str, tmp: Path, env_extra: dict[str, str], *, signature: str | None = None
) -> FunctionServer:
    """Start `functions-framework --target TARGET` and wait until it accepts connections."""
    port = _free_port()
    data_dir = tmp / "data"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ATL_", "GEMINI_", "SUPABASE_", "UPSTASH_", "WA_", "PUBSUB_"))
        and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    env.update({"DATA_DIR": str(data_dir), "LOG_FORMAT": "json", "PYTHONPATH": str(ROOT)})
    env.update(env_extra)
    log_path = tmp / f"{target}.log"
    args = [
        str(Path(sys.executable).parent / "functions-framework"),
        "--target",
        target,
        "--source",
        str(ROOT / "functions" / "main.py"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    if signature:
        args += ["--signature-type", signature]
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(args, stdout=log_file, stderr=subprocess.STDOUT, env=env, cwd=tmp)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            pass
        try:  # wait on the process: it either dies (a start-up error) or the port opens
            proc.wait(timeout=0.05)
        except subprocess.TimeoutExpired:
            continue
        raise AssertionError(f"functions-framework exited:\n{log_path.read_text()}")
    else:
        proc.kill()
        raise AssertionError(f"functions-framework did not start:\n{log_path.read_text()}")
    return FunctionServer(f"http://127.0.0.1:{port}", proc, log_path, data_dir)


def stop_function(server: FunctionServer) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


def envelope(name: str, **payload: Any) -> dict[str, Any]:
    """A recorded envelope with payload fields replaced and publish times set to now."""
    recorded = json.loads((DATA / name).read_text("utf-8"))
    body = recorded["body"]
    data = body["data"] if "specversion" in body else body
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    message = data.get("message")
    if not isinstance(message, dict):
        return recorded
    if payload:
        decoded = json.loads(base64.b64decode(message["data"]))
        decoded.update(payload)
        message["data"] = base64.b64encode(json.dumps(decoded).encode()).decode()
        if "wa_msg_id" in payload:
            message["attributes"]["wa_msg_id"] = payload["wa_msg_id"]
    for key in ("publishTime", "publish_time"):
        if key in message:
            message[key] = now
    return recorded


OUT_TOPIC = f"projects/{PROJECT}/topics/wa-outbound"


def new_customer() -> tuple[str, str]:
    """A fresh customer's phone digits and chat JID."""
    phone = "62857" + str(uuid.uuid4().int)[:8]
    return phone, f"{phone}@s.whatsapp.net"


def replies_for(pubsub: PubSubServer, chat: str) -> list[OutboundMessage]:
    """What the function published on wa-outbound for one chat, in order."""
    return [
        OutboundMessage.model_validate_json(p.data)
        for p in pubsub.state.published
        if p.topic == OUT_TOPIC and p.ordering_key == chat
    ]


def now_iso() -> str:
    """The current time as an InboundMessage timestamp."""
    return datetime.now(UTC).isoformat()


@contextlib.contextmanager
def serverless_relay(client: FakeClient, clock: FakeClock, settings: Settings) -> Iterator[Relay]:
    """The relay as `salesbot relay` wires it (less the lease): inbound published to
    `wa-inbound`, replies streamed from `wa-outbound-relay`. PUBSUB_EMULATOR_HOST must be set.
    """
    bus = PubSubBus(Publisher(PROJECT), inbound_topic="wa-inbound", outbound_topic="wa-outbound")
    relay = build_relay(
        settings,
        bus,
        cache=MemoryCache(clock),
        stopping=threading.Event(),
        client=client,
        clock=clock,
    )
    subscriber = OutboundSubscriber(PROJECT, "wa-outbound-relay", relay.send)
    relay.outbound = subscriber
    try:
        yield relay
    finally:
        subscriber.stop()
        bus.close()


def drain_outbox(database_url: str, pubsub: PubSubServer, *, after_seconds: float = 60) -> object:
    """Run the `deliver_outbox` job as Cloud Scheduler would, `after_seconds` from now."""
    from datetime import timedelta

    from shared.config import load_settings
    from shared.jobs import run_job
    from shared.services.clock import ManualClock
    from shared.wiring import Components

    before = os.environ.get("PUBSUB_EMULATOR_HOST")
    os.environ["PUBSUB_EMULATOR_HOST"] = pubsub.host
    settings = load_settings(database_url=database_url, gcp_project=PROJECT)
    components = Components(settings=settings)
    later = datetime.now(UTC) + timedelta(seconds=after_seconds)
    components.__dict__["clock"] = ManualClock(later)
    bus = PubSubBus.from_settings(settings)
    components.__dict__["bus"] = bus
    try:
        return run_job("deliver_outbox", components)
    finally:
        bus.close()
        components.store.close()
        if before is None:
            del os.environ["PUBSUB_EMULATOR_HOST"]
        else:
            os.environ["PUBSUB_EMULATOR_HOST"] = before
