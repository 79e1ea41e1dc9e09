"""Fixtures: a healthy serverless stack on local stand-ins; each test breaks one thing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes.gemini_server import FakeGemini
from fakes.postgrest import running_postgrest
from fakes.pubsub_server import PubSubServer
from fakes.storage_server import StorageServer
from fakes.upstash_rest import running_upstash
from werkzeug.serving import make_server

from doctor.stack import (
    PREFIX,
    PROJECT,
    SERVICE_KEY,
    USERNAME,
    Stack,
    SupabaseFront,
    as_url,
    paired_session,
)
from shared.config import load_settings
from shared.sandbox.server import Sandbox
from shared.web import create_app
from shared.wiring import Components


@pytest.fixture(scope="module")
def session_stack_url(fresh_database: object) -> str:
    """A migrated database of its own for the doctor's tests (they add roles and tables).

    Supabase's `anon` and `authenticated` exist before the first migration, as on Supabase, so
    the RLS check has them to look at. Roles are cluster-wide: created once if missing, never
    dropped (a later test, or a later run on the same server, may rely on them too). Without
    this, the healthy-stack test passed only on a server where another test had made them.
    """
    import psycopg

    from shared.adapters.postgres.migrate import apply_migrations
    from shared.doctor import data

    url: str = fresh_database()  # type: ignore[operator]
    with psycopg.connect(url, autocommit=True) as conn:
        for role in data.EXPOSED_ROLES:
            conn.execute(
                f"DO $$ BEGIN CREATE ROLE {role}; EXCEPTION WHEN duplicate_object THEN NULL; "
                "END $$"
            )
    apply_migrations(url)
    return url


@pytest.fixture
def stack(
    session_stack_url: str,
    redis_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Stack]:
    with (
        running_postgrest(session_stack_url, api_key=SERVICE_KEY) as rest,
        StorageServer(SERVICE_KEY) as storage,
        running_upstash(redis_url) as upstash,
        Sandbox(state_file=tmp_path / "sandbox.json", username=USERNAME, ticker=False) as sandbox,
        FakeGemini() as gemini,
    ):
        front = SupabaseFront(rest.url, storage.url)
        pubsub = PubSubServer().start()
        state = pubsub.state
        for topic, subs in {
            "wa-inbound": ["wa-inbound-on-message"],
            "wa-outbound": ["wa-outbound-relay"],
            "atl-events": ["atl-events-settle"],
        }.items():
            state.declare(
                f"projects/{PROJECT}/topics/{PREFIX}-{topic}",
                *[f"projects/{PROJECT}/subscriptions/{PREFIX}-{s}" for s in subs],
            )
        storage.storage.buckets["wa-media"] = False
        webhook_app = Components(settings=load_settings(database_url=session_stack_url))
        webhook = make_server("127.0.0.1", 0, create_app(webhook_app), threaded=True)
        threading.Thread(target=webhook.serve_forever, args=(0.05,), daemon=True).start()
        session_db = paired_session(session_stack_url)
        env = {
            "SUPABASE_URL": front.url,
            "SUPABASE_SERVICE_ROLE_KEY": SERVICE_KEY,
            "SUPABASE_DB_URL": as_url(session_stack_url),
            "UPSTASH_REDIS_REST_URL": upstash.url,
            "UPSTASH_REDIS_REST_TOKEN": upstash.token,
            "ATL_BASE_URL": sandbox.url,
            "ATL_API_KEY": sandbox.api_key,
            "ATL_USERNAME": USERNAME,
            "ATL_WEBHOOK_URL": f"http://127.0.0.1:{webhook.server_port}/webhook/atlantic",
            "GEMINI_KEYS": "key-1,key-2",
            "GEMINI_BASE_URL": gemini.url,
            "GCP_PROJECT": PROJECT,
            "PUBSUB_EMULATOR_HOST": pubsub.host,
            "PUBSUB_INBOUND_TOPIC": f"{PREFIX}-wa-inbound",
            "PUBSUB_OUTBOUND_TOPIC": f"{PREFIX}-wa-outbound",
            "PUBSUB_OUTBOUND_SUBSCRIPTION": f"{PREFIX}-wa-outbound-relay",
            "PUBSUB_SUPPLIER_EVENTS_TOPIC": f"{PREFIX}-atl-events",
            "WA_SESSION_DB": session_db,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        try:
            yield Stack(env, pubsub, gemini, sandbox, storage, session_stack_url)
        finally:
            webhook.shutdown()
            webhook.server_close()
            # Each test's webhook app holds a pool; left open, the suite runs the server out of
            # connections (max_connections is 100 on the CI machine).
            webhook_store = webhook_app.__dict__.get("store")
            if webhook_store is not None:
                webhook_store.close()
            pubsub.stop()
            front.close()
