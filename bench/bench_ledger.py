"""Order placements per second through `Store.place_order` (quote → hold on the wallet).

Two connection pools with 4 worker threads each, like two bot instances, place orders:
  1. all against ONE wallet (the worst case: every hold serialises on one wallet row), funded
     for half of the attempts, so half are refused `insufficient_funds`;
  2. spread over 50 customers (the normal case).
Uses DATABASE_URL if set, else the machine's Postgres at 127.0.0.1:5432, else an embedded
pgserver in a temporary directory; a scratch database is created and dropped.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.adapters.postgres.migrate import apply_migrations  # noqa: E402
from shared.adapters.postgres.rpc import PostgresRpc  # noqa: E402
from shared.store import Store  # noqa: E402

PLACEMENTS = 1_000
PRICE = 10_000
THREADS_PER_POOL = 4


def _admin_url() -> tuple[str, object | None]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(local, connect_timeout=2).close()
    except psycopg.OperationalError:
        import pgserver  # noqa: PLC0415  (only when no server answers)

        folder = tempfile.mkdtemp(prefix="bench-ledger-pg-")
        server = pgserver.get_server(folder, cleanup_mode="stop")
        return server.get_uri(), (server, folder)
    return local, None


def _with_db(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in info.items() if v is not None})


def _quotes(url: str, customers: list[str], count: int) -> list[tuple[str, str]]:
    pairs = []
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        rows = []
        for i in range(count):
            quote_id, customer = str(uuid.uuid4()), customers[i % len(customers)]
            rows.append(
                (
                    quote_id,
                    customer,
                    Jsonb({"code": "X5", "target": "0812"}),
                    PRICE,
                    "B" + quote_id.replace("-", ""),
                )
            )
            pairs.append((quote_id, customer))
        cur.executemany(
            "INSERT INTO quotes (id, customer_id, kind, payload, amount, reff_id, expires_at)"
            " VALUES (%s, %s, 'topup', %s, %s, %s, now() + interval '1 hour')",
            rows,
        )
    return pairs


def _run(url: str, label: str, customers: int, funded_share: float) -> None:
    pools = [PostgresRpc(url, min_size=THREADS_PER_POOL, max_size=THREADS_PER_POOL) for _ in "ab"]
    stores = [Store(p) for p in pools]
    try:
        ids = [
            stores[0].resolve_customer(phone=f"62{uuid.uuid4().int % 10**11}").customer_id
            for _ in range(customers)
        ]
        per_customer = PLACEMENTS // customers
        for cid in ids:
            stores[0].adjust_balance(cid, int(per_customer * funded_share) * PRICE, f"bench-{cid}")
        quotes = _quotes(url, ids, PLACEMENTS)

        def place(i: int) -> str:
            quote_id, cid = quotes[i]
            return stores[i % 2].place_order(quote_id, cid).outcome

        with ThreadPoolExecutor(max_workers=2 * THREADS_PER_POOL) as executor:
            list(executor.map(place, range(20)))  # warm up connections and plans
            started = time.perf_counter()
            outcomes = list(executor.map(place, range(20, PLACEMENTS)))
            elapsed = time.perf_counter() - started
        done = outcomes.count("done")
        for cid in ids:
            balance = stores[1].get_balance(cid)
            assert balance.balance == balance.ledger_sum >= 0
        print(
            f"{label}: {len(outcomes)} placements ({done} held, {len(outcomes) - done} refused) "
            f"in {elapsed:.2f} s = {len(outcomes) / elapsed:,.0f} placements/s "
            f"(2 pools x {THREADS_PER_POOL} threads)"
        )
    finally:
        for pool in pools:
            pool.close()


def main() -> None:
    admin, embedded = _admin_url()
    name = f"bench_ledger_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(admin, name)
    try:
        apply_migrations(url)
        _run(url, "one wallet, half funded", customers=1, funded_share=0.5)
        _run(url, "50 customers, all funded", customers=50, funded_share=1.0)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if embedded is not None:
            server, folder = embedded  # type: ignore[misc]
            server.cleanup()
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
