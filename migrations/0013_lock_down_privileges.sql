-- Nothing of ours is readable, writable or callable by anyone but the owner and the service role.
--
-- Supabase publishes the anon key by design and PostgREST serves `public` with it; its default
-- privileges grant anon and authenticated ALL on every new table, sequence and function there.
-- 0008 only switched row level security on and revoked EXECUTE on the functions that existed
-- then, and `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ... FROM PUBLIC` cannot remove
-- Postgres's global default (EXECUTE for PUBLIC on every new function), so the functions of
-- 0010-0012 were callable by anon; row level security does not cover TRUNCATE, so anon could
-- empty the ledger; and `schema_migrations` (created by the runner) had neither.
--
-- `private.lock_down()` takes every privilege of PUBLIC, anon and authenticated away from every
-- table, sequence and function in `public` and `private`, switches row level security on for
-- every table we own, and gives the service role what the bot needs. This migration runs it,
-- and the migration runner runs it again after every run (shared/adapters/postgres/migrate.py),
-- so a later migration that forgets its revokes cannot reopen the hole.

CREATE OR REPLACE FUNCTION private.lock_down() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r text;
    t regclass;
BEGIN
    FOR t IN
        SELECT c.oid::regclass
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('public', 'private') AND c.relkind IN ('r', 'p')
           AND NOT c.relrowsecurity AND pg_has_role(c.relowner, 'USAGE')
    LOOP
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
    END LOOP;
    REVOKE ALL ON ALL TABLES IN SCHEMA public, private FROM PUBLIC;
    REVOKE ALL ON ALL SEQUENCES IN SCHEMA public, private FROM PUBLIC;
    REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public, private FROM PUBLIC;
    REVOKE ALL ON SCHEMA private FROM PUBLIC;
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;  -- the default before Postgres 15
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public, private FROM %I', r);
            EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public, private FROM %I', r);
            EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public, private FROM %I', r);
            EXECUTE format('REVOKE ALL ON SCHEMA private FROM %I', r);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        GRANT USAGE ON SCHEMA public, private TO service_role;
        GRANT ALL ON ALL TABLES IN SCHEMA public, private TO service_role;
        GRANT ALL ON ALL SEQUENCES IN SCHEMA public, private TO service_role;
        GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public, private TO service_role;
    END IF;
END
$$;

-- Functions this role creates from now on start without EXECUTE for PUBLIC (the global
-- default, which the per-schema form of 0008 could not remove), and Supabase's per-schema
-- defaults for anon and authenticated are withdrawn for this role's new objects.
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM %I', r);
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM %I', r);
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON FUNCTIONS FROM %I', r);
        END IF;
    END LOOP;
END
$$;

SELECT private.lock_down();
