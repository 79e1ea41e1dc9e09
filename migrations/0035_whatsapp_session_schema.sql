-- The WhatsApp session store (whatsmeow, through neonize) keeps its tables in their own schema of
-- this database. On Supabase the relay reaches the database through the session pooler, which
-- routes reliably only to the `postgres` database (supabase/supavisor#234, #254, #562), so the
-- session cannot have a database of its own; WA_SESSION_DB selects this schema with
-- `options=--search_path=whatsmeow` (docs/operations.md, section 2). The schema is not one the REST
-- API serves, and the anonymous roles may not even look into it: whoever holds the session is
-- the WhatsApp account.

CREATE SCHEMA IF NOT EXISTS whatsmeow;
REVOKE ALL ON SCHEMA whatsmeow FROM PUBLIC;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON SCHEMA whatsmeow FROM %I', r);
            EXECUTE format(
                'ALTER DEFAULT PRIVILEGES IN SCHEMA whatsmeow REVOKE ALL ON TABLES FROM %I', r);
        END IF;
    END LOOP;
END
$$;
