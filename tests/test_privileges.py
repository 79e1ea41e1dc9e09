"""Nothing of ours is readable, writable or callable by Supabase's `anon` and `authenticated`.

The anon key is public by Supabase's design, and PostgREST serves the `public` schema with it.
These tests create the roles and the default privileges the way Supabase's own init scripts do
(before any migration, as on a new project), apply the migrations, and then ask Postgres what
the roles may do, and try it. A later migration that forgets the revokes (other features add
tables and functions after ours) must not reopen the hole: the runner locks down after every run.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors, sql

from shared.adapters.postgres.migrate import apply_migrations, migrations_dir

ROLES = ("anon", "authenticated")

# As supabase/postgres's init scripts: roles without login, defaults granting everything new in
# `public` to anon, authenticated and service_role.
_CREATE_ROLES = """
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated', 'service_role'] LOOP
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
                EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
            END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another test session created it meanwhile (roles are cluster-wide)
        END;
    END LOOP;
END
$$;
"""
_SUPABASE_DEFAULTS = """
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
"""
_LATER_MIGRATION = """
-- A later feature's migration that forgets every revoke.
CREATE TABLE public.later_feature (id bigserial PRIMARY KEY, secret text);
CREATE FUNCTION public.later_feature_count() RETURNS bigint
LANGUAGE sql AS $$ SELECT count(*) FROM public.later_feature $$;
CREATE FUNCTION private.later_helper() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
"""
OURS = "('public', 'private')"


@pytest.fixture
def supabase_like(fresh_database, pg_admin_url: str) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A new database prepared like a new Supabase project, then migrated."""
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(_CREATE_ROLES)
    url = fresh_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_SUPABASE_DEFAULTS)
    apply_migrations(url)
    return url


def _holes(url: str) -> list[str]:
    """Every privilege anon or authenticated has on our tables, sequences and functions."""
    checks = f"""
        SELECT r || ': ' || p || ' on table ' || c.oid::regclass::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
               unnest(%(roles)s::text[]) r,
               unnest(ARRAY['SELECT','INSERT','UPDATE','DELETE','TRUNCATE','REFERENCES',
                            'TRIGGER']) p
         WHERE n.nspname IN {OURS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
           AND has_table_privilege(r, c.oid, p)
        UNION ALL
        SELECT r || ': ' || p || ' on sequence ' || c.oid::regclass::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,
               unnest(%(roles)s::text[]) r, unnest(ARRAY['USAGE','SELECT','UPDATE']) p
         WHERE n.nspname IN {OURS} AND c.relkind = 'S' AND has_sequence_privilege(r, c.oid, p)
        UNION ALL
        SELECT r || ': EXECUTE on ' || f.oid::regprocedure::text
          FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace,
               unnest(%(roles)s::text[]) r
         WHERE n.nspname IN {OURS} AND has_function_privilege(r, f.oid, 'EXECUTE')
        UNION ALL
        SELECT 'no row level security on ' || c.oid::regclass::text
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN {OURS} AND c.relkind IN ('r', 'p') AND NOT c.relrowsecurity
    """  # noqa: S608 - constant text
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(checks, {"roles": list(ROLES)}).fetchall()]


def _objects(url: str) -> tuple[int, int]:
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            f"WHERE n.nspname IN {OURS} AND c.relkind = 'r'"  # noqa: S608
        ).fetchone()
        functions = conn.execute(
            f"SELECT count(*) FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace "
            f"WHERE n.nspname IN {OURS}"  # noqa: S608
        ).fetchone()
    assert tables is not None
    assert functions is not None
    return int(tables[0]), int(functions[0])


def test_nothing_is_granted_to_anon_or_authenticated(supabase_like: str) -> None:
    tables, functions = _objects(supabase_like)
    assert tables >= 14  # the check looked at something: every business table and the ledger
    assert functions >= 50
    assert _holes(supabase_like) == []


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM public.ledger_entries",
        "SELECT * FROM public.wallets",
        "SELECT * FROM public.schema_migrations",
        "INSERT INTO public.schema_migrations (version, name, checksum) VALUES ('9999', 'x', 'x')",
        "DELETE FROM public.schema_migrations",
        "TRUNCATE public.ledger_entries",
        "UPDATE public.wallets SET balance = balance + 1000000",
        "SELECT public.get_balance(gen_random_uuid())",
        "SELECT public.adjust_balance(gen_random_uuid(), 1000000, 'x')",
        "SELECT public.sales_summary()",
        "SELECT public.claim_turn(gen_random_uuid(), 'x')",
        "SELECT public.record_supplier_event('order', 'x')",
        "SELECT private.balance_of(gen_random_uuid())",
    ],
)
def test_the_roles_are_refused_when_they_try(
    supabase_like: str, role: str, statement: str
) -> None:
    with psycopg.connect(supabase_like) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute(statement)


def test_a_later_migration_cannot_reopen_the_hole(supabase_like: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), folder)
    (folder / "0099_later_feature.sql").write_text(_LATER_MIGRATION)
    assert apply_migrations(supabase_like, folder) == ["0099_later_feature.sql"]
    assert _holes(supabase_like) == []
    with psycopg.connect(supabase_like) as conn:
        conn.execute("SET ROLE anon")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("SELECT public.later_feature_count()")


def test_a_grant_made_by_hand_is_revoked_by_the_next_run(supabase_like: str) -> None:
    with psycopg.connect(supabase_like, autocommit=True) as conn:
        conn.execute("GRANT SELECT ON public.ledger_entries TO anon")
        conn.execute("GRANT EXECUTE ON FUNCTION public.sales_summary(timestamptz) TO PUBLIC")
    assert _holes(supabase_like) != []
    assert apply_migrations(supabase_like) == []  # nothing new to apply, the lock-down still runs
    assert _holes(supabase_like) == []


def test_the_service_role_keeps_everything(supabase_like: str) -> None:
    with psycopg.connect(supabase_like) as conn:
        missing = conn.execute(
            f"""
            SELECT f.oid::regprocedure::text FROM pg_proc f
              JOIN pg_namespace n ON n.oid = f.pronamespace
             WHERE n.nspname IN {OURS}
               AND NOT has_function_privilege('service_role', f.oid, 'EXECUTE')
            UNION ALL
            SELECT c.oid::regclass::text FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r'
               AND NOT has_table_privilege('service_role', c.oid, 'SELECT, INSERT, UPDATE')
            """  # noqa: S608
        ).fetchall()
    assert missing == []
