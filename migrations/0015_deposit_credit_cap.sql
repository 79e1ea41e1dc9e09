-- A deposit is never credited more than it can be worth.
--
-- credit_deposit (0006) accepted any positive amount, so a misread supplier amount (dropped
-- separators once turned "19580.00" into Rp 1.958.000) became saldo. What a deposit can be
-- worth is what the customer paid into it: its nominal plus the unique `tambahan` the invoice
-- added on top (Atlantic's QRIS adds a small unique amount). The supplier's fee only lowers it.
-- A larger credit is refused with reason `over_cap` and moves nothing.

ALTER TABLE public.deposits ADD COLUMN tambahan bigint NOT NULL DEFAULT 0 CHECK (tambahan >= 0);

-- 0006's signature plus p_tambahan (the invoice's unique extra amount).
DROP FUNCTION public.update_deposit_invoice(text, text, text, bigint, bigint, timestamptz);
CREATE FUNCTION public.update_deposit_invoice(
    p_reff_id text, p_atl_id text DEFAULT NULL, p_qr_string text DEFAULT NULL,
    p_fee bigint DEFAULT NULL, p_get_balance bigint DEFAULT NULL,
    p_expires_at timestamptz DEFAULT NULL, p_tambahan bigint DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    d public.deposits;
BEGIN
    UPDATE public.deposits
       SET atl_id = coalesce(nullif(p_atl_id, ''), atl_id),
           qr_string = coalesce(p_qr_string, qr_string), fee = coalesce(p_fee, fee),
           get_balance = CASE WHEN status = 'success' THEN get_balance
                              ELSE coalesce(p_get_balance, get_balance) END,
           tambahan = CASE WHEN status = 'success' THEN tambahan
                           ELSE coalesce(p_tambahan, tambahan) END,
           expires_at = coalesce(p_expires_at, expires_at), updated_at = now()
     WHERE reff_id = p_reff_id RETURNING * INTO d;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    END IF;
    IF p_expires_at IS NOT NULL AND d.quote_id IS NOT NULL THEN
        UPDATE public.quotes SET expires_at = greatest(expires_at, p_expires_at), updated_at = now()
         WHERE id = d.quote_id AND status = 'open';
    END IF;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;

-- 0006's credit_deposit with the cap: refused over_cap when p_amount > nominal + tambahan.
CREATE OR REPLACE FUNCTION public.credit_deposit(p_reff_id text, p_amount bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    d public.deposits;
BEGIN
    SELECT * INTO d FROM public.deposits WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    ELSIF d.status = 'success' THEN
        RETURN private.result('already', NULL, d.customer_id, private.deposit_fields(d));
    ELSIF d.status NOT IN ('pending', 'processing') THEN
        RETURN private.result('refused', 'final_state', d.customer_id, private.deposit_fields(d));
    ELSIF p_amount IS NULL OR p_amount <= 0 THEN
        RETURN private.result('refused', 'mismatch', d.customer_id, private.deposit_fields(d));
    ELSIF p_amount > d.nominal + d.tambahan THEN
        RETURN private.result('refused', 'over_cap', d.customer_id, private.deposit_fields(d));
    END IF;
    PERFORM private.ledger_move(d.customer_id, p_amount, 'deposit', d.reff_id);
    UPDATE public.deposits
       SET status = 'success', get_balance = p_amount, credited_at = now(), updated_at = now()
     WHERE id = d.id RETURNING * INTO d;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;
