"""Inbound → reply on the rules path, all-in-one, sandbox at zero latency.

Budget (design.md §10): ≥ 300 messages/s, p95 ≤ 20 ms. Runs on DATABASE_URL when set, else on
the embedded Postgres under a temporary DATA_DIR; in-memory cache; the in-process sandbox.
Prints throughput (one thread, and four threads over different customers), latency
percentiles, and SQL function calls (queries) per message.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from shared.adapters.postgres.migrate import apply_migrations  # noqa: E402
from shared.adapters.postgres.rpc import PostgresRpc  # noqa: E402
from shared.config import load_settings  # noqa: E402
from shared.messages import InboundMessage  # noqa: E402
from shared.services.inbound import handle_inbound  # noqa: E402
from shared.store import Store  # noqa: E402
from shared.wiring import Components  # noqa: E402

MESSAGES = [
    "halo kak",
    "viu berapa?",
    "saya cuma punya 5000",
    "pulsa telkomsel 10rb berapa",
    "cek saldo",
    "bantuan",
    "ML 86",
    "12345678 (1234)",
    "batal",
    "riwayat",
]
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))


class CountingRpc:
    """Counts SQL function calls on the way to the real transport."""

    def __init__(self, inner: PostgresRpc) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def call(self, fn: str, params: Mapping[str, object]) -> object:
        with self._lock:
            self.calls[fn] += 1
        return self.inner.call(fn, params)

    def close(self) -> None:
        self.inner.close()


def build() -> tuple[Components, CountingRpc]:
    overrides: dict[str, object] = {"log_level": "warning"}
    if not os.environ.get("DATABASE_URL"):
        overrides["data_dir"] = Path(tempfile.mkdtemp(prefix="bench-inbound-"))
    components = Components(settings=load_settings(**overrides))
    apply_migrations(components.database_url)
    rpc = CountingRpc(PostgresRpc(components.database_url, max_size=8))
    components.__dict__["store"] = Store(rpc)
    return components, rpc


def run(components: Components, phone: str, texts: list[str]) -> list[float]:
    latencies = []
    for text in texts:
        message = InboundMessage(
            wa_msg_id=uuid.uuid4().hex,
            chat=f"{phone}@s.whatsapp.net",
            sender_phone=phone,
            text=text,
        )
        start = time.perf_counter()
        replies = handle_inbound(message, components)
        components.notifier.publish_replies(replies)  # as process_inbound does
        latencies.append(time.perf_counter() - start)
        assert replies, f"no reply to {text!r}"
    return latencies


def phase(components: Components, threads: int) -> tuple[int, float, list[float]]:
    deadline = time.perf_counter() + SECONDS / 2
    all_latencies: list[float] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        phone = f"62899{index:02d}{uuid.uuid4().int % 10**6:06d}"
        while time.perf_counter() < deadline:
            lat = run(components, phone, MESSAGES)
            with lock:
                all_latencies.extend(lat)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, range(threads)))
    elapsed = time.perf_counter() - start
    return len(all_latencies), elapsed, all_latencies


def main() -> None:
    components, rpc = build()
    run(components, "6289900000000", MESSAGES * 2)  # warm caches, catalog, parser
    rpc.calls.clear()
    for threads in (1, 4):
        count, elapsed, lat = phase(components, threads)
        lat.sort()
        p50 = statistics.median(lat) * 1000
        p95 = lat[int(len(lat) * 0.95)] * 1000
        print(
            f"threads={threads}: {count} messages in {elapsed:.2f}s = {count / elapsed:.0f} msg/s;"
            f" p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {lat[-1] * 1000:.1f} ms"
        )
        if threads == 1:
            per_message = sum(rpc.calls.values()) / count
            top = ", ".join(f"{fn}={n / count:.2f}" for fn, n in rpc.calls.most_common(6))
            print(f"queries per message: {per_message:.2f} ({top})")
    print("budget: >= 300 msg/s, p95 <= 20 ms")


if __name__ == "__main__":
    main()
