"""`salesbot doctor`, line by line: what the operator reads when each thing is right or wrong.

Every check runs against the local stand-ins (tests/fakes) and the Atlantic sandbox; each failure
test breaks exactly one thing of a healthy serverless stack and reads the line and the exit code.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from fakes.gemini_server import error_reply, invalid_key_reply
from fakes.http_stub import google_front_end

from doctor.stack import PROJECT, Stack, as_url, doctor, unique
from shared.cli import main
from shared.doctor import CHECKS, data

REPO = Path(__file__).resolve().parents[2]


def test_on_embedded_defaults_it_reports_the_embedded_stack_and_passes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"PUBSUB_EMULATOR_HOST"}}
    env["DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run(  # noqa: S603 - our own console script
        [str(Path(sys.executable).parent / "salesbot"), "doctor"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "salesbot doctor: database embedded Postgres, cache in-memory, supplier Atlantic "
        "sandbox, bus in-process"
    )
    assert [line[:2] for line in lines[1:-1]] == ["✓ "] * len(CHECKS)
    assert "embedded Postgres under" in lines[1]
    assert "built-in sandbox (no ATL_API_KEY)" in result.stdout
    assert "off (WA_ENABLED=0)" in result.stdout
    assert lines[-1] == f"all {len(CHECKS)} checks passed"
    assert not (tmp_path / "data" / "postgres").exists(), "doctor must not create a database"


def test_a_healthy_serverless_stack_passes_every_check(stack: Stack) -> None:
    report = doctor()
    assert report.code == 0, report.text
    assert report.failed() == []
    assert report.text.splitlines()[0] == (
        "salesbot doctor: database Supabase, cache Upstash, supplier Atlantic, bus Pub/Sub"
    )
    assert "runs the bot's SQL functions" in report.line("database")
    files = sorted(p.name for p in (REPO / "migrations").glob("*.sql"))
    assert f"all {len(files)} applied (latest {files[-1]})" in report.line("migrations")
    assert report.line("rls").endswith(
        "tables; anon and authenticated can read no row and run no function"
    )
    assert "write, read and expiry work" in report.line("cache")
    atlantic = report.line("atlantic")
    assert f"{stack.sandbox.url} answers: account 'toko-doctor', balance Rp " in atlantic
    gemini = [line for line in report.text.splitlines() if "gemini key" in line]
    assert len(gemini) == 2
    assert all("valid, offers gemini-2.5-flash-lite; in use" in line for line in gemini)
    assert "(GEMINI_KEYS #1)" in gemini[0]
    assert "key-1" not in report.text, "a key's secret is never printed"
    # A models list per key and nothing else: no generation was paid for.
    assert [r.path.split("?")[0] for r in stack.gemini.requests] == ["/v1beta/models"] * 2
    assert "subscribed by salesbot-wa-inbound-on-message" in report.line(
        "pubsub salesbot-wa-inbound"
    )
    assert "bucket 'wa-media' exists and is private" in report.line("media")
    assert "refused an unsigned test call, as it must" in report.line("webhook")
    assert "paired device 62812****7890" in report.line("whatsapp")


def test_the_cli_verb_exits_non_zero_on_a_problem(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("UPSTASH_REDIS_REST_TOKEN", "wrong-token")
    assert main(["doctor", "--skip", "gemini"]) == 1
    out = capsys.readouterr().out
    assert "- gemini: skipped (--skip gemini)" in out
    assert "✗ cache: " in out
    assert out.splitlines()[-1] == "1 of 11 checks failed: fix the ✗ lines and run it again"
    assert main(["doctor", "--skip", "nonsense"]) == 2
    assert "no check named nonsense" in capsys.readouterr().err


# --- database ------------------------------------------------------------------------------------


def test_a_wrong_service_role_key_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", "anon-key-by-mistake")
    report = doctor()
    assert report.code == 1
    assert report.line("database") == (
        "✗ database: Supabase refused SUPABASE_SERVICE_ROLE_KEY (JWT invalid): copy the "
        "service_role key from Project Settings → API keys"
    )


def test_an_unreachable_supabase_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPABASE_URL", "http://127.0.0.1:9")
    report = doctor("media")
    assert report.line("database") == (
        "✗ database: cannot reach http://127.0.0.1:9: check SUPABASE_URL and this network"
    )


def test_a_direct_database_url_is_checked_the_same_way(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPABASE_URL")
    monkeypatch.delenv("SUPABASE_DB_URL")
    monkeypatch.setenv("DATABASE_URL", stack.database_url)  # keyword form: psycopg takes it too
    report = doctor()
    assert report.text.splitlines()[0].startswith(
        "salesbot doctor: database Postgres (DATABASE_URL)"
    )
    assert report.line("database").startswith("✓ database: PostgreSQL ")
    assert report.line("database").endswith(" at DATABASE_URL answers")
    assert report.line("migrations").startswith("✓ migrations: all ")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:9/postgres")
    assert (
        doctor().line("database").startswith("✗ database: cannot connect to 127.0.0.1:9/postgres")
    )


def test_migrations_need_the_session_pooler_url(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPABASE_DB_URL")
    report = doctor()
    assert report.line("migrations").startswith(
        "✗ migrations: set SUPABASE_DB_URL (Supabase → Connect → Session pooler) so doctor can "
        "compare the migrations"
    )


def test_a_wrong_database_password_and_an_unreachable_host_are_told_apart(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPABASE_DB_URL", "postgresql://postgres@127.0.0.1:9/postgres")
    refused = doctor().line("migrations")
    assert refused.startswith("✗ migrations: cannot connect to 127.0.0.1:9/postgres (")
    assert refused.endswith(
        "check the host, the port and the password, and that this machine may connect"
    )
    # The direct host: IPv6 only without the add-on (unreachable here, like from Cloud Run).
    monkeypatch.setenv(
        "SUPABASE_DB_URL", "postgresql://postgres:pw@db.abcdefghijklmnop.supabase.co:5432/postgres"
    )
    direct = doctor().line("migrations")
    assert "db.abcdefghijklmnop.supabase.co is IPv6-only without Supabase's paid IPv4 add-on" in (
        direct
    )
    assert "use the session pooler string from Supabase → Connect → Session pooler" in direct


def test_pending_migrations_say_to_migrate(stack: Stack) -> None:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        row = conn.execute(
            "DELETE FROM schema_migrations WHERE version = '0035' RETURNING name, checksum"
        ).fetchone()
    try:
        assert doctor().line("migrations") == (
            "✗ migrations: 1 pending (0035_whatsapp_session_schema.sql): run `salesbot migrate`"
        )
    finally:
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ('0035', %s, %s)",
                row,
            )


def test_an_unknown_migration_in_the_database_says_to_deploy_matching_code(stack: Stack) -> None:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum)"
            " VALUES ('0999', '0999_from_the_future.sql', 'x')"
        )
    try:
        assert "has 0999_from_the_future.sql, which this code does not know" in doctor().line(
            "migrations"
        )
    finally:
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM schema_migrations WHERE version = '0999'")


# --- RLS and the anonymous roles ---------------------------------------------------------------


def test_a_freshly_migrated_database_locks_anon_out(fresh_database: object) -> None:
    from shared.adapters.postgres.migrate import apply_migrations

    url: str = fresh_database()  # type: ignore[operator]
    with psycopg.connect(url, autocommit=True) as conn:
        # As on Supabase. Roles are cluster-wide: created once if missing, never dropped (other
        # databases on the server may hold default privileges that name them).
        for role in data.EXPOSED_ROLES:
            conn.execute(
                f"DO $$ BEGIN CREATE ROLE {role}; EXCEPTION WHEN duplicate_object THEN NULL; "
                "END $$"
            )
    apply_migrations(url)
    with psycopg.connect(url, autocommit=True) as conn:
        for role in data.EXPOSED_ROLES:  # Supabase's default privileges on public
            conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
    finding = data.rls_of(as_url(url))
    assert finding.ok, finding.line()


@pytest.fixture
def exposed_role(stack: Stack, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A role that plays Supabase's `anon`, with the table privileges Supabase gives it.

    Roles are cluster-wide and other test sessions share the server: a uniquely named role stands
    in for `anon` (the check looks at the names in `data.EXPOSED_ROLES`) and is dropped after.
    Each test adds one exposure to the locked-down database the migrations leave.
    """
    role = unique("anon")
    monkeypatch.setattr(data, "EXPOSED_ROLES", (role,))
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role}")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
    yield role
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}")
        conn.execute(f"DROP ROLE {role}")


def test_with_supabase_default_grants_and_rls_anon_reaches_nothing(
    stack: Stack, exposed_role: str
) -> None:
    line = doctor().line("rls")
    assert line.startswith("✓ rls: RLS on all ")
    assert line.endswith(f"tables; {exposed_role} can read no row and run no function")


def test_a_function_anon_may_run_is_listed(stack: Stack, exposed_role: str) -> None:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(f"GRANT EXECUTE ON FUNCTION credit_deposit TO {exposed_role}")
    line = doctor().line("rls")
    assert line.startswith(f"✗ rls: {exposed_role} can run 1 function(s) (credit_deposit): run ")
    assert "`salesbot migrate`" in line


def test_a_table_without_rls_is_listed(stack: Stack, exposed_role: str) -> None:
    table = unique("leaky")
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (secret text)")
        conn.execute(f"GRANT SELECT ON {table} TO {exposed_role}")
    try:
        line = doctor().line("rls")
        assert f"{exposed_role} can reach table(s) {table}" in line
        assert f"RLS is off on {table}" in line
        assert line.startswith("✗ rls: ")
    finally:
        with psycopg.connect(stack.database_url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE {table}")


def test_a_plain_postgres_without_the_anonymous_roles_exposes_nothing(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "EXPOSED_ROLES", (unique("absent"),))
    line = doctor().line("rls")
    assert line.startswith("✓ rls: ")
    assert "role on this server, so nothing is served to anonymous callers" in line


# --- cache ---------------------------------------------------------------------------------------


def test_a_wrong_upstash_token_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTASH_REDIS_REST_TOKEN", "wrong-token")
    line = doctor("gemini").line("cache")
    assert line == (
        f"✗ cache: Upstash {stack.env['UPSTASH_REDIS_REST_URL']}: the credentials were refused: "
        "copy UPSTASH_REDIS_REST_TOKEN again (Upstash: REST API section)"
    )


def test_an_unreachable_upstash_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UPSTASH_REDIS_REST_URL", "http://127.0.0.1:9")
    assert doctor("gemini").line("cache") == (
        "✗ cache: Upstash http://127.0.0.1:9: cannot reach it: check the URL and this network"
    )


def test_redis_by_url(stack: Stack, monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.delenv("UPSTASH_REDIS_REST_URL")
    monkeypatch.setenv("REDIS_URL", redis_url)
    assert doctor().line("cache") == "✓ cache: Redis at REDIS_URL: write, read and expiry work"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:9/0")
    assert "✗ cache: Redis at REDIS_URL: cannot reach it" in doctor("gemini").line("cache")


# --- Atlantic ------------------------------------------------------------------------------------


def test_a_wrong_atlantic_key_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATL_API_KEY", "not-the-key")
    assert doctor().line("atlantic") == (
        f"✗ atlantic: {stack.sandbox.url} refused ATL_API_KEY: copy the key again from "
        "atlantich2h.com → API"
    )


def test_the_ip_whitelist_refusal_is_recognised_and_explained(stack: Stack) -> None:
    stack.sandbox.engine.inject_fault("ip")
    line = doctor().line("atlantic")
    assert line.startswith(
        "✗ atlantic: Atlantic refused this machine's IP 103.28.52.11: it is not whitelisted. "
        "Whitelist the address the bot calls from (cloud: `terraform output egress_ip`"
    )
    assert "use `--skip atlantic`" in line


def test_an_unreachable_atlantic_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATL_BASE_URL", "http://127.0.0.1:9")
    line = doctor().line("atlantic")
    assert line.startswith("✗ atlantic: http://127.0.0.1:9: atlantic /get_profile: cannot connect")
    assert line.endswith("check ATL_BASE_URL and this network")


def test_a_username_that_is_not_the_accounts_would_refuse_every_webhook(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATL_USERNAME", "someone-else")
    line = doctor().line("atlantic")
    assert "ATL_USERNAME differs: it must be this account's username" in line
    assert line.startswith("✗ ")


def test_a_low_supplier_balance_says_to_top_up(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPPLIER_BALANCE_ALERT", str(10**12))
    assert "below SUPPLIER_BALANCE_ALERT (Rp 1.000.000.000.000): top it up" in doctor().line(
        "atlantic"
    )


# --- Gemini --------------------------------------------------------------------------------------


def _gemini_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "gemini key" in line]


def test_a_wrong_gemini_key_is_named_and_the_other_still_passes(stack: Stack) -> None:
    stack.gemini.always(invalid_key_reply(), key="key-1")
    report = doctor()
    first, second = _gemini_lines(report.text)
    assert first.startswith("✗ gemini key k-")
    assert first.endswith(
        "(GEMINI_KEYS #1): Google refused this key (400 INVALID_ARGUMENT): replace it (Google "
        "AI Studio → API keys) in GEMINI_KEYS or the api_keys table"
    )
    assert second.startswith("✓ ")
    assert report.code == 1


def test_a_key_out_of_quota_and_a_resting_key_are_told_apart(stack: Stack) -> None:
    stack.gemini.always(error_reply(429), key="key-2")
    first, second = _gemini_lines(doctor().text)
    assert "out of quota right now (429 RESOURCE_EXHAUSTED)" in second
    assert first.startswith("✓ ")


def test_a_model_the_key_is_not_offered_is_named(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GEMINI_MODEL", "gemini-9-ultra")
    first, _ = _gemini_lines(doctor().text)
    assert "valid, but GEMINI_MODEL 'gemini-9-ultra' is not offered to it: use one of" in first


def test_an_unreachable_gemini_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_BASE_URL", "http://127.0.0.1:9")
    first, _ = _gemini_lines(doctor().text)
    assert "cannot ask Gemini (transport: ConnectError): check this network" in first


# --- Pub/Sub -------------------------------------------------------------------------------------


def test_a_missing_topic_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBSUB_INBOUND_TOPIC", "wa-inbound")  # the name without its prefix
    line = doctor().line("pubsub wa-inbound")
    assert line == (
        f"✗ pubsub wa-inbound: projects/{PROJECT}/topics/wa-inbound does not exist: run "
        "`terraform apply`, or set PUBSUB_INBOUND_TOPIC to the name it created (topics start "
        "with name_prefix; `terraform output doctor_env`)"
    )


def test_a_topic_nobody_subscribes_to_loses_messages(stack: Stack) -> None:
    stack.pubsub.state.topics[stack.topic("atl-events")] = []
    assert "exists but nothing subscribes to it: every message is lost" in doctor().line(
        "pubsub salesbot-atl-events"
    )


def test_the_relays_subscription_must_be_on_wa_outbound(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBSUB_OUTBOUND_SUBSCRIPTION", "wa-outbound-relay")
    line = doctor().line("pubsub salesbot-wa-outbound")
    assert (
        "PUBSUB_OUTBOUND_SUBSCRIPTION 'wa-outbound-relay' is not one of its subscriptions" in line
    )


def test_an_unreachable_pubsub_is_named(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:9")
    line = doctor().line("pubsub salesbot-wa-inbound")
    assert line.startswith(
        f"✗ pubsub salesbot-wa-inbound: cannot ask Pub/Sub about projects/{PROJECT}/topics/"
    )
    assert line.endswith("check GCP_PROJECT and this network")


# --- media, webhook, WhatsApp --------------------------------------------------------------------


def test_a_public_media_bucket_is_a_problem(stack: Stack) -> None:
    stack.storage.storage.buckets["wa-media"] = True
    assert (
        doctor()
        .line("media")
        .startswith(
            "✗ media: bucket 'wa-media' is PUBLIC: anyone with a link hears customers' voice notes"
        )
    )


def test_a_missing_media_bucket_says_to_create_it(stack: Stack) -> None:
    del stack.storage.storage.buckets["wa-media"]
    line = doctor().line("media")
    assert line.startswith("✗ media: bucket 'wa-media': Bucket not found")
    assert "create a private bucket named 'wa-media' in Supabase → Storage" in line


def test_a_webhook_behind_the_invoker_check_is_recognised(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    with google_front_end() as front:
        monkeypatch.setenv("ATL_WEBHOOK_URL", front.url + "/")
        line = doctor().line("webhook")
    assert front.paths == ["/"], "one test call"
    assert line.startswith(
        f"✗ webhook: {front.url}/: Google refused an anonymous call (403) before the function"
    )
    assert "--no-invoker-iam-check" in line


def test_a_webhook_url_must_be_https_and_reachable(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATL_WEBHOOK_URL", "http://bot.example.com/webhook/atlantic")
    assert doctor().line("webhook") == (
        "✗ webhook: http://bot.example.com/webhook/atlantic is not https: Atlantic needs a "
        "public https URL"
    )
    monkeypatch.setenv("ATL_WEBHOOK_URL", "http://127.0.0.1:9/webhook/atlantic")
    assert doctor().line("webhook") == (
        "✗ webhook: cannot reach http://127.0.0.1:9/webhook/atlantic (ConnectError): Atlantic "
        "cannot"
    )
    monkeypatch.delenv("ATL_WEBHOOK_URL")
    assert doctor().line("webhook").startswith("✗ webhook: set ATL_WEBHOOK_URL to the callback")


def test_an_unpaired_session_says_to_pair(stack: Stack) -> None:
    with psycopg.connect(stack.database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM whatsmeow.whatsmeow_device")
    line = doctor().line("whatsapp")
    assert line.startswith("✗ whatsapp: the session store 127.0.0.1:")
    assert line.endswith(
        "has no paired device: pair the number (docs/operations.md, section 4: `salesbot relay` "
        "on your machine)"
    )


def test_a_session_outside_its_schema_beside_served_tables_is_refused(
    stack: Stack, exposed_role: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The pooler dropped the search_path option (or the DSN lacks it): the tables would be
    # created in public, next to the business data the REST API serves.
    monkeypatch.setenv("WA_SESSION_DB", as_url(stack.database_url))
    line = doctor().line("whatsapp")
    assert line.startswith("✗ whatsapp: this connection works in schema public, not whatsmeow")
    assert "?options=--search_path%3Dwhatsmeow" in line


def test_a_local_sqlite_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    monkeypatch.setenv("WA_ENABLED", "1")
    missing = doctor().line("whatsapp")
    assert missing.startswith("✗ whatsapp: no session file ")
    with sqlite3.connect(tmp_path / "data" / "wa-session.db") as db:
        db.execute("CREATE TABLE whatsmeow_device (jid text)")
        db.execute("INSERT INTO whatsmeow_device VALUES ('6281234567890:3@s.whatsapp.net')")
    assert doctor().line("whatsapp").startswith("✓ whatsapp: paired device 62812****7890 in ")
