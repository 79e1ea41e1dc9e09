"""Server time of the console's Today page with 10,000 customers and 100,000 orders.

A scratch database is seeded in SQL (customers with phone identities and saldo, orders spread
over the last 89 days: mostly successful, some failed, a few still pending), then the all-in-one
Flask app answers requests in-process (Flask's test client: the server's whole work, no socket)
for an admin logged in with a real one-time link. The supplier balance is in the cache, as the
check_balance job leaves it. Reported: median and p95 milliseconds of the Today page, of the
order search and of a trivial page of the same app (the login explanation: a template, no
database), and the ratio Today / trivial. Budget: Today ≤ 150 ms.

Uses DATABASE_URL if set, else the machine's Postgres at 127.0.0.1:5432, else an embedded
pgserver in a temporary directory; the scratch database is dropped at the end.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from shared.adapters.postgres.migrate import apply_migrations  # noqa: E402
from shared.config import load_settings  # noqa: E402
from shared.services.console_login import issue_login_link  # noqa: E402
from shared.services.supplier_balance import BALANCE_KEY  # noqa: E402
from shared.web import create_app  # noqa: E402
from shared.wiring import Components  # noqa: E402

CUSTOMERS = 10_000
ORDERS = 100_000
REQUESTS = 60
ADMIN = "628111000999"
BUDGET_MS = 150

SEED = f"""
INSERT INTO customers (id, display_name, first_seen_at, last_seen_at)
SELECT md5('c' || i)::uuid, 'Pelanggan ' || i, now() - interval '120 days',
       now() - (i % 90) * interval '1 day'
  FROM generate_series(1, {CUSTOMERS}) i;
INSERT INTO customer_identities (kind, value, customer_id)
SELECT 'pn', '62812' || lpad(i::text, 8, '0'), md5('c' || i)::uuid
  FROM generate_series(1, {CUSTOMERS}) i;
INSERT INTO wallets (customer_id, balance)
SELECT md5('c' || i)::uuid, (i % 50) * 1000 FROM generate_series(1, {CUSTOMERS}) i;
INSERT INTO orders (customer_id, kind, reff_id, code, layanan, target, price, supplier_price,
                    status, created_at, updated_at, settled_at)
SELECT customer_id, 'prepaid', reff_id, code, layanan, target, price, supplier_price, status,
       created_at, created_at + interval '5 seconds', created_at + interval '5 seconds'
  FROM (
    SELECT md5('c' || (1 + i % {CUSTOMERS}))::uuid AS customer_id,
           'SB' || lpad(i::text, 20, '0') AS reff_id,
           (ARRAY['TSEL10', 'ISAT20', 'ML86', 'PLN50', 'DANA25'])[1 + i % 5] AS code,
           (ARRAY['Telkomsel 10.000', 'Indosat 20.000', 'MOBILE LEGENDS 86 Diamond',
                  'PLN 50.000', 'DANA 25.000'])[1 + i % 5] AS layanan,
           '0812' || lpad((i % 100000000)::text, 8, '0') AS target,
           10000 + (i % 5) * 10000 AS price, 9500 + (i % 5) * 10000 AS supplier_price,
           CASE WHEN i % 500 = 0 THEN 'pending' WHEN i % 10 = 0 THEN 'failed'
                ELSE 'success' END AS status,
           now() - (i % 89) * interval '1 day' - (i % 86399) * interval '1 second' AS created_at
      FROM generate_series(1, {ORDERS}) i
  ) o
 ORDER BY created_at;  -- rows land in time order, as a live shop writes them
"""


def _admin_url() -> tuple[str, object | None]:
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"], None
    local = "postgresql://postgres@127.0.0.1:5432/postgres"
    try:
        psycopg.connect(local, connect_timeout=2).close()
    except psycopg.OperationalError:
        import pgserver  # noqa: PLC0415  (only when no server answers)

        server = pgserver.get_server(tempfile.mkdtemp(prefix="bench-console-pg-"))
        return server.get_uri(), server
    return local, None


def _with_db(url: str, name: str) -> str:
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = name
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in info.items() if v is not None})


def _times(get: object, path: str) -> list[float]:
    out = []
    for _ in range(REQUESTS):
        start = time.perf_counter()
        response = get(path)  # type: ignore[operator]
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return out


def _report(name: str, ms: list[float]) -> float:
    median = statistics.median(ms)
    p95 = sorted(ms)[int(len(ms) * 0.95) - 1]
    print(f"{name:<34} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    return median


def main() -> int:
    admin_url, _server = _admin_url()
    name = f"bench_console_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = _with_db(admin_url, name)
    try:
        apply_migrations(url)
        started = time.perf_counter()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SEED)
            conn.execute("VACUUM ANALYZE")  # what autovacuum leaves behind in a live shop
        print(
            f"seeded {CUSTOMERS:,} customers and {ORDERS:,} orders "
            f"in {time.perf_counter() - started:.1f} s"
        )
        data_dir = tempfile.mkdtemp(prefix="bench-console-data-")
        components = Components(
            settings=load_settings(database_url=url, admin_numbers=ADMIN, data_dir=data_dir)
        )
        components.cache.set(BALANCE_KEY, "5000000", ttl_seconds=3600)
        client = create_app(components).test_client()
        link = issue_login_link(
            components.store,
            phone=ADMIN,
            base_url=components.settings.console_base_url,
            now=datetime.now(UTC),
        )
        path = "/console/login/" + link.rsplit("/", 1)[1]
        assert client.post(path).status_code == 303
        for _ in range(5):  # warm the pool, the templates and the statement caches
            client.get("/console/")
            client.get("/console/login")
        today = _report("Today page (/console/)", _times(client.get, "/console/"))
        _report(
            "order search by phone",
            _times(client.get, "/console/orders?phone=0812000012&status=success"),
        )
        _report("customers by saldo", _times(client.get, "/console/customers"))
        trivial = _report("trivial page (/console/login)", _times(client.get, "/console/login"))
        verdict = "met" if today <= BUDGET_MS else "MISSED"
        print(f"Today / trivial = {today / trivial:.0f}x; Today <= {BUDGET_MS} ms: {verdict}")
        components.store.close()
        return 0 if today <= BUDGET_MS else 1
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
