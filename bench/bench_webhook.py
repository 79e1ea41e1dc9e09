"""The Atlantic webhook Cloud Function against a hello-world one, and the cold import cost.

1. Cold start: median wall time of a fresh interpreter importing `functions/main.py` versus
   importing `functions_framework` alone (budget: ≤ 1.5×).
2. Throughput: two real `functions-framework` processes on this machine, same client, same run:
   a hello-world HTTP function, and `atlantic_webhook` settling real orders (signature check,
   parse, `get_order`, the supplier status re-query against a sandbox process, `capture_order`
   in Postgres), then the same webhooks replayed (already final: one read, no supplier call).
   Budget: the webhook reaches ≥ 50 % of the hello-world requests/s.
Uses DATABASE_URL if set, else the machine's Postgres at 127.0.0.1:5432, else an embedded
pgserver; a scratch database is created and dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.adapters.atlantic import AtlanticClient  # noqa: E402
from shared.adapters.postgres.migrate import apply_migrations  # noqa: E402
from shared.adapters.postgres.rpc import PostgresRpc  # noqa: E402
from shared.store import Store  # noqa: E402

ORDERS = 200  # the sandbox account's Rp 5.000.000 buys 226 of them
THREADS = 4
HELLO = """import functions_framework


@functions_framework.http
def hello(request):
    return {"status": "ok"}, 200
"""
FF = str(Path(sys.executable).parent / "functions-framework")


def _import_ms(code: str) -> float:
    runs = []
    for _ in range(6):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs[1:])


def _admin_url() -> str:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(local, connect_timeout=2).close()
    except psycopg.OperationalError:
        import pgserver  # noqa: PLC0415  (only when no server answers)

        return str(pgserver.get_server(tempfile.mkdtemp(), cleanup_mode="stop").get_uri())
    return local


def _with_db(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in info.items() if v is not None})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(target: str, source: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = subprocess.Popen(
        [FF, f"--target={target}", f"--source={source}", f"--port={port}", "--host=127.0.0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    _wait(url)
    return proc, url


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
        except httpx.TransportError:
            continue
        return
    raise SystemExit(f"{url} did not start")


def _rps(url: str, bodies: list[bytes], headers: dict[str, str]) -> float:
    with httpx.Client(timeout=30) as client:

        def post(body: bytes) -> int:
            return client.post(url, content=body, headers=headers).status_code

        start = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            codes = list(pool.map(post, bodies))
        elapsed = time.perf_counter() - start
    assert all(code == 200 for code in codes), codes[:5]
    return len(bodies) / elapsed


def _orders(store: Store, client: AtlanticClient, count: int) -> list[tuple[str, str]]:
    """Pending orders bought at the sandbox; returns (reff_id, atlantic id) pairs."""
    pairs = []
    for _ in range(count):
        cid = store.resolve_customer(phone="62" + str(uuid.uuid4().int)[:11]).customer_id
        dep = store.create_deposit(cid, 50_000)
        store.credit_deposit(dep.reff_id or "", 50_000)
        quote = store.create_quote(
            customer_id=cid, kind="topup", payload={"code": "ML86", "target": "1"}, amount=30_000
        )
        store.place_order(quote.id, cid)
        store.mark_order_submitted(quote.reff_id)
        tx = client.create_transaction(code="ML86", reff_id=quote.reff_id, target="081234567890")
        store.mark_order_submitted(quote.reff_id, tx.id)
        pairs.append((quote.reff_id, tx.id))
    return pairs


def main() -> None:
    ff_ms = _import_ms("import functions_framework")
    main_ms = _import_ms("import runpy; runpy.run_path('functions/main.py')")
    print(f"cold import: functions_framework {ff_ms:.0f} ms, functions/main.py {main_ms:.0f} ms")
    print(f"  ratio {main_ms / ff_ms:.2f} (budget ≤ 1.5)")

    admin = _admin_url()
    name = f"bench_webhook_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(admin, name)
    work = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        apply_migrations(url)
        rpc = PostgresRpc(url, max_size=2)
        store = Store(rpc)
        # The sandbox runs in its own process, like a remote supplier would.
        sandbox_port = _free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "shared.cli", "sandbox", "--port", str(sandbox_port)]
                + ["--state-file", str(work / "sandbox.json")],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                cwd=ROOT,
            )
        )
        _wait(sandbox_url + "/")
        client = AtlanticClient.build(sandbox_url, "sandbox", timeout_seconds=20)
        pairs = _orders(store, client, ORDERS)
        httpx.post(f"{sandbox_url}/sandbox/advance", data={"seconds": "10"})
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATL_")}
        env |= {
            "DATABASE_URL": url,
            "ATL_API_KEY": "sandbox",
            "ATL_BASE_URL": sandbox_url,
            "ATL_USERNAME": "sandbox",
            "DATA_DIR": str(work),
            "LOG_LEVEL": "warning",
        }
        (work / "hello.py").write_text(HELLO)
        hello_proc, hello_url = _serve("hello", work / "hello.py", env)
        hook_proc, hook_url = _serve("atlantic_webhook", ROOT / "functions" / "main.py", env)
        procs += [hello_proc, hook_proc]
        headers = {
            "Content-Type": "application/json",
            "X-ATL-Signature": hashlib.md5(b"sandbox").hexdigest(),
        }
        bodies = [
            json.dumps(
                {
                    "event": "transaksi",
                    "status": "success",
                    "data": {"id": atl, "reff_id": reff, "price": "22081", "status": "success"},
                }
            ).encode()
            for reff, atl in pairs
        ]
        _rps(hello_url, bodies[:20], headers)  # warm both
        hello = _rps(hello_url, bodies, headers)
        hook = _rps(hook_url, bodies, headers)
        replay = _rps(hook_url, bodies, headers)  # every order final now: a DB read each
        settled = sum(
            1 for reff, _ in pairs if (o := store.get_order(reff)) and o.status == "success"
        )
        print(f"hello-world function: {hello:.0f} req/s ({THREADS} client threads)")
        print(
            f"atlantic_webhook with capture: {hook:.0f} req/s, {settled}/{ORDERS} orders captured"
        )
        print(f"  ratio {hook / hello:.0%} (budget ≥ 50 %)")
        print(f"atlantic_webhook replays (already final): {replay:.0f} req/s")
        print(f"  ratio {replay / hello:.0%}")
        client.close()
        rpc.close()
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
