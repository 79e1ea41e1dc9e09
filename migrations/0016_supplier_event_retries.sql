-- A recorded webhook stays `received` until the supplier's answer verified it.
--
-- 0012 marked an event settled whatever settling did, so one short outage during the re-query
-- (`unverified`) ended it: the webhook's Atlantic id was only kept on that row, and the
-- reconciler went on asking by reff_id, which Atlantic does not accept. Now an unverified event
-- is deferred instead (attempts + 1, retried with a growing pause up to an hour) and the sweep
-- takes events by `next_attempt_at`, so old ones never starve newer ones. `status` keeps the
-- webhook's mapped status (shared.domain.supplier_status), the hint a replay is compared with.

ALTER TABLE public.supplier_events
    ADD COLUMN status text NOT NULL DEFAULT '',
    ADD COLUMN attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();

DROP INDEX public.supplier_events_unsettled;
CREATE INDEX supplier_events_due ON public.supplier_events (next_attempt_at)
    WHERE state = 'received';

DROP FUNCTION public.record_supplier_event(text, text, text, text);
CREATE FUNCTION public.record_supplier_event(
    p_kind text, p_reff_id text, p_supplier_id text DEFAULT '', p_raw_status text DEFAULT '',
    p_status text DEFAULT ''
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
BEGIN
    INSERT INTO public.supplier_events (kind, reff_id, supplier_id, raw_status, status)
    VALUES (p_kind, p_reff_id, coalesce(p_supplier_id, ''), coalesce(p_raw_status, ''),
            coalesce(p_status, ''))
    RETURNING id INTO v_id;
    RETURN jsonb_build_object('id', v_id);
END
$$;

-- Settling could not verify the event: it stays received and is due again after a pause that
-- doubles per attempt (1 minute, 2, 4, ... at most an hour). {deferred: bool, attempts}.
CREATE FUNCTION public.defer_supplier_event(p_id bigint, p_result text) RETURNS jsonb
LANGUAGE sql AS $$
    WITH deferred AS (
        UPDATE public.supplier_events
           SET attempts = attempts + 1, result = p_result,
               next_attempt_at = now() + least(interval '1 hour',
                                               interval '1 minute' * power(2, least(attempts, 10)))
         WHERE id = p_id AND state = 'received'
        RETURNING attempts
    )
    SELECT jsonb_build_object('deferred', EXISTS (SELECT 1 FROM deferred),
                              'attempts', (SELECT attempts FROM deferred))
$$;

-- The sweep's worklist: received events at least p_older_than_seconds old and due, the longest
-- due first.
CREATE OR REPLACE FUNCTION public.unsettled_supplier_events(
    p_older_than_seconds integer DEFAULT 60, p_now timestamptz DEFAULT NULL,
    p_limit integer DEFAULT 100
) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.next_attempt_at, e.id), '[]'::jsonb)
      FROM (SELECT * FROM public.supplier_events
             WHERE state = 'received'
               AND next_attempt_at <= coalesce(p_now, now())
               AND received_at <= coalesce(p_now, now())
                                  - make_interval(secs => p_older_than_seconds)
             ORDER BY next_attempt_at, id
             LIMIT greatest(p_limit, 0)) e
$$;
