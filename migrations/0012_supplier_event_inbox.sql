-- The supplier-event inbox. A verified Atlantic webhook is recorded here with one INSERT and
-- answered at once; settlement (re-query the supplier, then one idempotent ledger function) runs
-- off the request path: a settling worker handed the event (Pub/Sub `atl-events`, or the
-- all-in-one process's queue), or the reconciler's sweep of rows still `received` after a short
-- age, so a lost hand-off delays a notification but loses nothing. A row is only a record of
-- what the supplier claimed: it never moves money itself. Every webhook gets its own row (replays
-- too), which keeps the insert conflict-free and the table an audit trail.

CREATE TABLE public.supplier_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('order', 'bill', 'deposit', 'transfer')),
    reff_id     text NOT NULL,
    supplier_id text NOT NULL DEFAULT '',
    raw_status  text NOT NULL DEFAULT '',
    state       text NOT NULL DEFAULT 'received' CHECK (state IN ('received', 'settled')),
    result      text,             -- what settling it did (shared.services.settlement.Settled)
    received_at timestamptz NOT NULL DEFAULT now(),
    settled_at  timestamptz
);
-- The sweep reads only unsettled rows; the audit query reads one reference.
CREATE INDEX supplier_events_unsettled ON public.supplier_events (received_at)
    WHERE state = 'received';
CREATE INDEX supplier_events_reff ON public.supplier_events (reff_id);

ALTER TABLE public.supplier_events ENABLE ROW LEVEL SECURITY;

-- Service role only, like every table (0008): Supabase's default grants would expose a new table
-- to anon and authenticated.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON TABLE public.supplier_events FROM %I', r);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        GRANT ALL ON TABLE public.supplier_events TO service_role;
    END IF;
END
$$;

-- The webhook's only write: {id}. No lookups, no locks beyond the row itself. PL/pgSQL rather
-- than SQL: its statement plan is cached per connection, which saves the webhook a parse and plan
-- on every call.
CREATE FUNCTION public.record_supplier_event(
    p_kind text, p_reff_id text, p_supplier_id text DEFAULT '', p_raw_status text DEFAULT ''
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO public.supplier_events (kind, reff_id, supplier_id, raw_status)
    VALUES (p_kind, p_reff_id, coalesce(p_supplier_id, ''), coalesce(p_raw_status, ''))
    RETURNING id INTO v_id;
    RETURN jsonb_build_object('id', v_id);
END
$$;

-- Settling finished (whatever its outcome): received -> settled, once. {settled: bool} is false
-- when the row was settled before (a duplicate hand-off or the sweep got there first) or does
-- not exist.
CREATE FUNCTION public.mark_supplier_event_settled(p_id bigint, p_result text) RETURNS jsonb
LANGUAGE sql AS $$
    WITH done AS (
        UPDATE public.supplier_events
           SET state = 'settled', result = p_result, settled_at = now()
         WHERE id = p_id AND state = 'received'
        RETURNING id
    )
    SELECT jsonb_build_object('settled', EXISTS (SELECT 1 FROM done))
$$;

-- The sweep's worklist: rows still `received` p_older_than_seconds after they arrived, oldest
-- first.
CREATE FUNCTION public.unsettled_supplier_events(
    p_older_than_seconds integer DEFAULT 60, p_now timestamptz DEFAULT NULL,
    p_limit integer DEFAULT 100
) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.received_at, e.id), '[]'::jsonb)
      FROM (SELECT * FROM public.supplier_events
             WHERE state = 'received'
               AND received_at <= coalesce(p_now, now())
                                  - make_interval(secs => p_older_than_seconds)
             ORDER BY received_at, id
             LIMIT greatest(p_limit, 0)) e
$$;

-- Everything the supplier told us about one reference, oldest first (audit, support).
CREATE FUNCTION public.supplier_events_for(p_reff_id text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb)
      FROM public.supplier_events e
     WHERE e.reff_id = p_reff_id
$$;
