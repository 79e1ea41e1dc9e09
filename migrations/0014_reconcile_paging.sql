-- The reconciler pages through every pending document, the least recently checked first.
--
-- `pending_items` (0007) returns the OLDEST pending documents up to a limit, so 100 old stuck
-- orders hid every newer pending one from the reconciler. Each pending document now remembers
-- when the reconciler last asked about it (`checked_at`), and `claim_pending_items` hands out a
-- page of the documents not yet checked in this run (never checked first, then the longest
-- ago), stamping them as it does: the next page, and a concurrent reconciler, get others.

ALTER TABLE public.orders ADD COLUMN checked_at timestamptz;
ALTER TABLE public.deposits ADD COLUMN checked_at timestamptz;
ALTER TABLE public.transfers ADD COLUMN checked_at timestamptz;

-- [{doc: order|deposit|transfer, reff_id, kind (orders: prepaid|postpaid), created_at,
--   checked_at (before this claim)}], least recently checked first. Only documents pending for
-- p_older_than_seconds and not checked since p_run_started are handed out; each is stamped
-- checked_at = p_run_started. Rows another transaction holds are skipped, not waited for.
CREATE FUNCTION public.claim_pending_items(
    p_older_than_seconds integer, p_run_started timestamptz, p_limit integer DEFAULT 100
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_cutoff timestamptz := p_run_started - make_interval(secs => p_older_than_seconds);
    v_items jsonb;
BEGIN
    WITH order_rows AS (
        SELECT 'order' AS doc, id, reff_id, kind, created_at, checked_at
          FROM public.orders
         WHERE status = 'pending' AND created_at <= v_cutoff
           AND (checked_at IS NULL OR checked_at < p_run_started)
         ORDER BY checked_at NULLS FIRST, created_at
         LIMIT greatest(p_limit, 0) FOR UPDATE SKIP LOCKED
    ),
    deposit_rows AS (
        SELECT 'deposit' AS doc, id, reff_id, NULL::text AS kind, created_at, checked_at
          FROM public.deposits
         WHERE status IN ('pending', 'processing') AND created_at <= v_cutoff
           AND (checked_at IS NULL OR checked_at < p_run_started)
         ORDER BY checked_at NULLS FIRST, created_at
         LIMIT greatest(p_limit, 0) FOR UPDATE SKIP LOCKED
    ),
    transfer_rows AS (
        SELECT 'transfer' AS doc, id, reff_id, NULL::text AS kind, created_at, checked_at
          FROM public.transfers
         WHERE status = 'pending' AND created_at <= v_cutoff
           AND (checked_at IS NULL OR checked_at < p_run_started)
         ORDER BY checked_at NULLS FIRST, created_at
         LIMIT greatest(p_limit, 0) FOR UPDATE SKIP LOCKED
    ),
    due AS (
        SELECT * FROM (
            SELECT * FROM order_rows UNION ALL SELECT * FROM deposit_rows
            UNION ALL SELECT * FROM transfer_rows
        ) candidates
        ORDER BY checked_at NULLS FIRST, created_at, reff_id
        LIMIT greatest(p_limit, 0)
    ),
    stamped_orders AS (
        UPDATE public.orders SET checked_at = p_run_started
         WHERE id IN (SELECT id FROM due WHERE doc = 'order') RETURNING id
    ),
    stamped_deposits AS (
        UPDATE public.deposits SET checked_at = p_run_started
         WHERE id IN (SELECT id FROM due WHERE doc = 'deposit') RETURNING id
    ),
    stamped_transfers AS (
        UPDATE public.transfers SET checked_at = p_run_started
         WHERE id IN (SELECT id FROM due WHERE doc = 'transfer') RETURNING id
    )
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'doc', doc, 'reff_id', reff_id, 'kind', kind, 'created_at', created_at,
               'checked_at', checked_at) ORDER BY checked_at NULLS FIRST, created_at, reff_id),
           '[]'::jsonb)
      INTO v_items
      FROM due;  -- the stamping CTEs run whether or not the result reads them
    RETURN v_items;
END
$$;
