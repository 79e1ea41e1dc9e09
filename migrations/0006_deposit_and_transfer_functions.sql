-- Deposits (QRIS top-ups of the wallet) and bank transfers (held like orders).

CREATE FUNCTION private.deposit_fields(d public.deposits) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('id', d.id, 'reff_id', d.reff_id, 'status', d.status,
                              'amount', coalesce(d.get_balance, d.nominal),
                              'quote_id', d.quote_id, 'atl_id', d.atl_id)
$$;

CREATE FUNCTION private.transfer_fields(t public.transfers) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('id', t.id, 'reff_id', t.reff_id, 'status', t.status,
                              'amount', t.total, 'quote_id', t.quote_id, 'atl_id', t.atl_id)
$$;

-- A new pending deposit with our reference (DP…), before the supplier invoice is created.
-- p_quote_id: an order quote waiting for this money; its expiry is extended to the deposit's so
-- place_order can still complete it once the deposit is credited. Returns the MoneyResult (done).
CREATE FUNCTION public.create_deposit(
    p_customer_id uuid, p_nominal bigint, p_metode text DEFAULT 'qris',
    p_quote_id uuid DEFAULT NULL, p_expires_at timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid := gen_random_uuid();
    d public.deposits;
BEGIN
    INSERT INTO public.deposits (id, customer_id, quote_id, reff_id, metode, nominal, expires_at)
    VALUES (v_id, p_customer_id, p_quote_id, private.reff_for('DP', v_id),
            coalesce(p_metode, 'qris'), p_nominal, p_expires_at)
    RETURNING * INTO d;
    IF p_quote_id IS NOT NULL AND p_expires_at IS NOT NULL THEN
        UPDATE public.quotes SET expires_at = greatest(expires_at, p_expires_at), updated_at = now()
         WHERE id = p_quote_id AND customer_id = p_customer_id AND status = 'open';
    END IF;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;

-- Store what the supplier's invoice said (id, QR string, fee, amount to credit, expiry).
CREATE FUNCTION public.update_deposit_invoice(
    p_reff_id text, p_atl_id text DEFAULT NULL, p_qr_string text DEFAULT NULL,
    p_fee bigint DEFAULT NULL, p_get_balance bigint DEFAULT NULL,
    p_expires_at timestamptz DEFAULT NULL
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

-- The supplier says "processing" (paid, being settled): pending -> processing. Not final.
CREATE FUNCTION public.mark_deposit_processing(p_reff_id text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    d public.deposits;
BEGIN
    SELECT * INTO d FROM public.deposits WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    ELSIF d.status = 'processing' THEN
        RETURN private.result('already', NULL, d.customer_id, private.deposit_fields(d));
    ELSIF d.status <> 'pending' THEN
        RETURN private.result('refused', 'final_state', d.customer_id, private.deposit_fields(d));
    END IF;
    UPDATE public.deposits SET status = 'processing', updated_at = now()
     WHERE id = d.id RETURNING * INTO d;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;

-- The deposit is paid: credit p_amount (the supplier's get_balance) to the wallet exactly once.
-- Works from pending or processing. already: credited before. refused: not_found, mismatch
-- (amount <= 0), final_state (closed as expired/cancel/failed). The result's quote_id names an
-- order waiting for this money: the caller then calls place_order with it.
CREATE FUNCTION public.credit_deposit(p_reff_id text, p_amount bigint) RETURNS jsonb
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
    END IF;
    PERFORM private.ledger_move(d.customer_id, p_amount, 'deposit', d.reff_id);
    UPDATE public.deposits
       SET status = 'success', get_balance = p_amount, credited_at = now(), updated_at = now()
     WHERE id = d.id RETURNING * INTO d;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;

-- Close an unpaid deposit: p_status is expired | cancel | failed. already: same status before.
-- refused: not_found, final_state (credited, or closed with another status).
CREATE FUNCTION public.close_deposit(p_reff_id text, p_status text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    d public.deposits;
BEGIN
    IF p_status NOT IN ('expired', 'cancel', 'failed') THEN
        RAISE EXCEPTION 'close_deposit status must be expired, cancel or failed'
            USING ERRCODE = '22023';
    END IF;
    SELECT * INTO d FROM public.deposits WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    ELSIF d.status = p_status THEN
        RETURN private.result('already', NULL, d.customer_id, private.deposit_fields(d));
    ELSIF d.status NOT IN ('pending', 'processing') THEN
        RETURN private.result('refused', 'final_state', d.customer_id, private.deposit_fields(d));
    END IF;
    UPDATE public.deposits SET status = p_status, updated_at = now()
     WHERE id = d.id RETURNING * INTO d;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;

CREATE FUNCTION public.get_deposit(p_reff_id text DEFAULT NULL, p_atl_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT to_jsonb(d) FROM public.deposits d
     WHERE (p_reff_id IS NOT NULL AND d.reff_id = p_reff_id)
        OR (p_reff_id IS NULL AND p_atl_id IS NOT NULL AND d.atl_id = p_atl_id)
     ORDER BY d.created_at DESC LIMIT 1
$$;

-- YA to a transfer quote: create the pending transfer and HOLD nominal + fee. Same outcomes as
-- place_order (mismatch when the quote is not a transfer).
CREATE FUNCTION public.hold_transfer(
    p_quote_id uuid, p_customer_id uuid, p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    q public.quotes;
    t public.transfers;
    v_balance bigint;
BEGIN
    SELECT * INTO q FROM public.quotes
     WHERE id = p_quote_id AND customer_id = p_customer_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', p_customer_id);
    ELSIF q.kind <> 'transfer' THEN
        RETURN private.result('refused', 'mismatch', q.customer_id);
    ELSIF q.status = 'confirmed' THEN
        SELECT * INTO t FROM public.transfers WHERE quote_id = q.id;
        RETURN private.result('already', NULL, q.customer_id, private.transfer_fields(t));
    ELSIF q.status <> 'open' THEN
        RETURN private.result('refused',
            CASE q.status WHEN 'expired' THEN 'expired' ELSE 'not_confirmable' END, q.customer_id);
    ELSIF q.expires_at <= coalesce(p_now, now()) THEN
        UPDATE public.quotes SET status = 'expired', updated_at = now() WHERE id = q.id;
        RETURN private.result('refused', 'expired', q.customer_id);
    END IF;
    v_balance := private.ledger_move(q.customer_id, -q.amount, 'hold', q.reff_id);
    IF v_balance IS NULL THEN
        RETURN private.result('refused', 'insufficient_funds', q.customer_id, jsonb_build_object(
            'amount', q.amount, 'quote_id', q.id, 'reff_id', q.reff_id,
            'shortfall', q.amount - private.balance_of(q.customer_id)));
    END IF;
    INSERT INTO public.transfers
        (customer_id, quote_id, reff_id, bank_code, nomor_tujuan, account_name, nominal, fee,
         total)
    VALUES (q.customer_id, q.id, q.reff_id, q.payload->>'bank_code',
            q.payload->>'account_number', q.payload->>'account_name',
            (q.payload->>'nominal')::bigint, coalesce((q.payload->>'fee')::bigint, 0), q.amount)
    RETURNING * INTO t;
    UPDATE public.quotes SET status = 'confirmed', updated_at = now() WHERE id = q.id;
    RETURN private.result('done', NULL, q.customer_id, private.transfer_fields(t));
END
$$;

-- Same contract as mark_order_submitted, for transfers.
CREATE FUNCTION public.mark_transfer_submitted(p_reff_id text, p_atl_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    t public.transfers;
    v_first boolean;
BEGIN
    SELECT * INTO t FROM public.transfers WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    END IF;
    v_first := t.submitted_at IS NULL;
    IF t.status <> 'pending' AND v_first THEN
        RETURN private.result('refused', 'final_state', t.customer_id, private.transfer_fields(t));
    END IF;
    UPDATE public.transfers
       SET submitted_at = coalesce(submitted_at, now()),
           atl_id = coalesce(atl_id, nullif(p_atl_id, '')), updated_at = now()
     WHERE id = t.id RETURNING * INTO t;
    RETURN private.result(CASE WHEN v_first THEN 'done' ELSE 'already' END, NULL, t.customer_id,
                          private.transfer_fields(t));
END
$$;

-- Settle a transfer: success -> success (final); failure -> failed (final) + refund of the
-- hold, once. already: it was settled the same way before. refused: not_found, final_state
-- (settled the other way).
CREATE FUNCTION public.settle_transfer(
    p_reff_id text, p_success boolean, p_atl_id text DEFAULT NULL, p_reason text DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    t public.transfers;
    v_target text := CASE WHEN p_success THEN 'success' ELSE 'failed' END;
BEGIN
    SELECT * INTO t FROM public.transfers WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    ELSIF t.status = v_target THEN
        RETURN private.result('already', NULL, t.customer_id, private.transfer_fields(t));
    ELSIF t.status <> 'pending' THEN
        RETURN private.result('refused', 'final_state', t.customer_id, private.transfer_fields(t));
    END IF;
    UPDATE public.transfers
       SET status = v_target, atl_id = coalesce(nullif(p_atl_id, ''), atl_id),
           failure_reason = CASE WHEN p_success THEN NULL ELSE p_reason END,
           submitted_at = coalesce(submitted_at, now()), settled_at = now(), updated_at = now()
     WHERE id = t.id RETURNING * INTO t;
    IF p_success THEN
        PERFORM private.ledger_move(t.customer_id, 0, 'capture', t.reff_id);
    ELSE
        PERFORM private.ledger_move(t.customer_id, t.total, 'release', t.reff_id);
    END IF;
    RETURN private.result('done', NULL, t.customer_id, private.transfer_fields(t));
END
$$;

CREATE FUNCTION public.get_transfer(p_reff_id text DEFAULT NULL, p_atl_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT to_jsonb(t) FROM public.transfers t
     WHERE (p_reff_id IS NOT NULL AND t.reff_id = p_reff_id)
        OR (p_reff_id IS NULL AND p_atl_id IS NOT NULL AND t.atl_id = p_atl_id)
     ORDER BY t.created_at DESC LIMIT 1
$$;
