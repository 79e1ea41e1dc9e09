"""Webhook function requests/s (with its database write) vs a hello-world function, same run.

Budget (design.md §10): `atlantic_webhook` ≥ 50 % of a hello-world functions-framework
function's requests/s, same machine, same run. Both run as `functions-framework` processes the
way Cloud Functions runs them (gunicorn, one worker, threads) and get the same number of
requests from the same number of client threads.

Every webhook request is a real settlement: a distinct order, submitted to the Atlantic sandbox
and completed there, gets its signed `success` webhook; the function verifies it with the
supplier and captures the hold (the database write). Uses DATABASE_URL if set, else the
machine's Postgres at 127.0.0.1:5432, else an embedded pgserver; a scratch database is created
and dropped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from shared.adapters.atlantic import AtlanticClient, make_http_client  # noqa: E402
from shared.adapters.postgres.migrate import apply_migrations  # noqa: E402
from shared.adapters.postgres.rpc import PostgresRpc  # noqa: E402
from shared.sandbox import magic  # noqa: E402
from shared.services.settlement import SettleDeps  # noqa: E402
from shared.services.supplier_submit import submit_order  # noqa: E402
from shared.store import Store  # noqa: E402

# The sandbox starts with Rp 5,000,000 of supplier balance: at most 200 orders of Rp 25,000.
ORDERS = int(os.environ.get("BENCH_WEBHOOK_ORDERS", "150"))
CLIENT_THREADS = 8
SIGNATURE = hashlib.md5(magic.SANDBOX_USERNAME.encode()).hexdigest()

HELLO = """
import functions_framework

@functions_framework.http
def hello(request):
    return {"status": "ok"}, 200
"""


class _Quiet:
    def notify(self, _notification: object) -> None:
        pass


def _admin_url() -> tuple[str, object | None]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(local, connect_timeout=2).close()
    except psycopg.OperationalError:
        import pgserver  # noqa: PLC0415  (only when no server answers)

        folder = tempfile.mkdtemp(prefix="bench-webhook-pg-")
        server = pgserver.get_server(folder, cleanup_mode="stop")
        return server.get_uri(), (server, folder)
    return local, None


def _with_db(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in info.items() if v is not None})


def _orders(store: Store, client: AtlanticClient, count: int) -> list[tuple[str, str]]:
    """`count` submitted top-up orders; (reff_id, supplier id) each."""
    deps = SettleDeps(store=store, supplier=client, notifier=_Quiet())  # type: ignore[arg-type]
    made = []
    for _ in range(count):
        customer = store.resolve_customer(phone="62857" + str(uuid.uuid4().int)[:8]).customer_id
        deposit = store.create_deposit(customer, 50_000)
        assert deposit.reff_id is not None
        store.credit_deposit(deposit.reff_id, 50_000)
        quote = store.create_quote(
            customer_id=customer,
            kind="topup",
            payload={"code": "ML86", "name": "ML86", "target": "081234567890"},
            amount=30_000,
            supplier_price=25_000,
        )
        assert store.place_order(quote.id, customer).outcome == "done"
        assert submit_order(quote.reff_id, store=store, supplier=client, deps=deps) == "submitted"
        order = store.get_order(quote.reff_id)
        made.append((quote.reff_id, (order.atl_id if order else "") or ""))
    return made


def _webhook_body(reff_id: str, atl_id: str) -> bytes:
    data = {"id": atl_id, "reff_id": reff_id, "layanan": "X", "code": "ML86", "target": "1"}
    data |= {
        "price": "25000",
        "sn": "SN1",
        "status": "success",
        "created_at": "2026-03-01 10:00:00",
    }
    return json.dumps({"event": "transaksi", "status": "success", "data": data}).encode()


def _post(url: str, body: bytes, headers: dict[str, str], client: httpx.Client) -> httpx.Response:
    return client.post(url, content=body, headers=headers)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(
    source: Path, target: str, env: dict[str, str], log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "functions-framework"),
                "--target",
                target,
                "--source",
                str(source),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=log.parent,
        )
    _wait_port(proc, port, log)
    return proc, f"http://127.0.0.1:{port}/"


def _serve_sandbox(tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    log = tmp / "sandbox.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shared.cli",
                "sandbox",
                "--port",
                str(port),
                "--state-file",
                str(tmp / "sandbox.json"),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
    _wait_port(proc, port, log)
    return proc, f"http://127.0.0.1:{port}"


def _wait_port(proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            try:
                proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            break
    proc.kill()
    raise SystemExit(f"process did not start:\n{log.read_text()}")


def _drive(requests: list[Callable[[httpx.Client], httpx.Response]]) -> tuple[float, list[int]]:
    """Run the requests on CLIENT_THREADS threads, one keep-alive client each."""
    clients = [httpx.Client(timeout=60) for _ in range(CLIENT_THREADS)]
    chunks = [requests[i::CLIENT_THREADS] for i in range(CLIENT_THREADS)]

    def run(index: int) -> list[int]:
        return [call(clients[index]).status_code for call in chunks[index]]

    start = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        codes = [c for part in pool.map(run, range(CLIENT_THREADS)) for c in part]
    elapsed = time.perf_counter() - start
    for client in clients:
        client.close()
    return elapsed, codes


def main() -> None:
    admin, embedded = _admin_url()
    name = f"bench_webhook_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(admin, name)
    tmp = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        apply_migrations(url)
        # The sandbox runs in its own process, as the real supplier would: the load generator's
        # threads must not share a GIL with the supplier the webhook function re-queries.
        sandbox, sandbox_url = _serve_sandbox(tmp)
        procs.append(sandbox)
        rpc = PostgresRpc(url)
        store = Store(rpc)
        client = AtlanticClient(make_http_client(sandbox_url, 10), magic.SANDBOX_API_KEY)
        t0 = time.perf_counter()
        orders = _orders(store, client, ORDERS)
        # Every order succeeds at the supplier (no webhook target is set).
        httpx.post(f"{sandbox_url}/sandbox/advance", data={"seconds": "60"}, timeout=60)
        print(f"setup: {ORDERS} submitted orders in {time.perf_counter() - t0:.1f} s")

        base = {k: v for k, v in os.environ.items() if not k.startswith(("ATL_", "PUBSUB_"))}
        base.pop("GCP_PROJECT", None)
        env = base | {
            "DATABASE_URL": url,
            "ATL_API_KEY": magic.SANDBOX_API_KEY,
            "ATL_BASE_URL": sandbox_url,
            "ATL_USERNAME": magic.SANDBOX_USERNAME,
            "DATA_DIR": str(tmp / "data"),
            "LOG_LEVEL": "warning",
            "PYTHONPATH": str(ROOT),
        }
        hello_src = tmp / "hello.py"
        hello_src.write_text(HELLO)
        webhook, webhook_url = _serve(
            ROOT / "functions" / "main.py", "atlantic_webhook", env, tmp / "webhook.log"
        )
        procs.append(webhook)
        hello, hello_url = _serve(hello_src, "hello", base, tmp / "hello.log")
        procs.append(hello)

        headers = {"Content-Type": "application/json", "X-ATL-Signature": SIGNATURE}
        unknown = _webhook_body("WARMUP-UNKNOWN", "0")
        warm = [lambda c: c.post(webhook_url, content=unknown, headers=headers)] * 16
        _drive(warm)
        _drive([lambda c: c.get(hello_url)] * 16)

        calls = [
            functools.partial(_post, webhook_url, _webhook_body(reff, atl_id), headers)
            for reff, atl_id in orders
        ]
        wh_seconds, wh_codes = _drive(calls)
        hello_seconds, hello_codes = _drive([lambda c: c.get(hello_url)] * ORDERS)
        captured = sum(
            1 for reff, _ in orders if (o := store.get_order(reff)) and o.status == "success"
        )
        rpc.close()
        client.close()

        wh_rps = ORDERS / wh_seconds
        hello_rps = ORDERS / hello_seconds
        print(f"client threads: {CLIENT_THREADS}; requests per function: {ORDERS}")
        print(
            f"atlantic_webhook: {wh_rps:.0f} req/s ({wh_codes.count(200)}/{ORDERS} HTTP 200, "
            f"{captured}/{ORDERS} orders captured)"
        )
        print(
            f"hello world:      {hello_rps:.0f} req/s ({hello_codes.count(200)}/{ORDERS} HTTP 200)"
        )
        print(f"ratio: {wh_rps / hello_rps:.0%} (budget >= 50%)")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if embedded is not None:
            shutil.rmtree(embedded[1], ignore_errors=True)  # type: ignore[index]
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
