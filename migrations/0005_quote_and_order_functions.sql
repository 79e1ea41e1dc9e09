-- Quotes (what YA confirms) and orders (prepaid top-ups and postpaid bills).
--
-- Lock order everywhere: the document row (quote/order/deposit/transfer) first, then the wallet.

CREATE FUNCTION private.quote_json(q public.quotes) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'id', q.id, 'customer_id', q.customer_id, 'kind', q.kind, 'payload', q.payload,
        'amount', q.amount, 'supplier_price', q.supplier_price, 'reff_id', q.reff_id,
        'status', q.status, 'expires_at', q.expires_at, 'created_at', q.created_at)
$$;

CREATE FUNCTION private.order_fields(o public.orders) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object('id', o.id, 'reff_id', o.reff_id, 'status', o.status,
                              'amount', o.price, 'quote_id', o.quote_id, 'atl_id', o.atl_id)
$$;

-- Create a quote the customer must confirm, superseding their other open quotes (one pending
-- question at a time). p_kind: topup | bill | deposit | transfer. Payload keys used later:
--   topup/bill: code (required), target (required), name, customer_name
--   transfer:   bank_code, account_number, account_name (opt.), nominal, fee; amount = nominal+fee
-- p_reff_id: pass the reference already used for a bill inquiry (the payment must reuse it);
-- otherwise it is derived from the quote id (SB… orders, TF… transfers, DQ… deposits).
-- Returns the quote.
CREATE FUNCTION public.create_quote(
    p_customer_id uuid, p_kind text, p_payload jsonb, p_amount bigint,
    p_supplier_price bigint DEFAULT NULL, p_ttl_seconds integer DEFAULT 300,
    p_now timestamptz DEFAULT NULL, p_reff_id text DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
    v_id uuid := gen_random_uuid();
    v_payload jsonb := coalesce(p_payload, '{}'::jsonb);
    q public.quotes;
BEGIN
    IF p_kind IN ('topup', 'bill')
       AND (coalesce(v_payload->>'code', '') = '' OR coalesce(v_payload->>'target', '') = '') THEN
        RAISE EXCEPTION 'a % quote needs payload.code and payload.target', p_kind
            USING ERRCODE = '22023';
    END IF;
    IF p_kind = 'transfer' AND (
           coalesce(v_payload->>'bank_code', '') = ''
           OR coalesce(v_payload->>'account_number', '') = ''
           OR (v_payload->>'nominal')::bigint + coalesce((v_payload->>'fee')::bigint, 0)
              IS DISTINCT FROM p_amount) THEN
        RAISE EXCEPTION 'a transfer quote needs bank_code, account_number and nominal + fee = amount'
            USING ERRCODE = '22023';
    END IF;
    UPDATE public.quotes SET status = 'superseded', updated_at = v_now
     WHERE customer_id = p_customer_id AND status = 'open';
    INSERT INTO public.quotes
        (id, customer_id, kind, payload, amount, supplier_price, reff_id, expires_at, created_at,
         updated_at)
    VALUES (v_id, p_customer_id, p_kind, v_payload, p_amount, p_supplier_price,
            coalesce(nullif(p_reff_id, ''), private.reff_for(
                CASE p_kind WHEN 'transfer' THEN 'TF' WHEN 'deposit' THEN 'DQ' ELSE 'SB' END,
                v_id)),
            v_now + make_interval(secs => coalesce(p_ttl_seconds, 300)), v_now, v_now)
    RETURNING * INTO q;
    RETURN private.quote_json(q);
END
$$;

-- The customer's newest open, unexpired quote, or null.
CREATE FUNCTION public.get_open_quote(p_customer_id uuid, p_now timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT private.quote_json(q) FROM public.quotes q
     WHERE q.customer_id = p_customer_id AND q.status = 'open'
       AND q.expires_at > coalesce(p_now, now())
     ORDER BY q.created_at DESC LIMIT 1
$$;

CREATE FUNCTION public.get_quote(p_quote_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT private.quote_json(q) FROM public.quotes q WHERE q.id = p_quote_id
$$;

-- BATAL: cancel every open quote of the customer. Returns {cancelled: n}.
CREATE FUNCTION public.cancel_open_quotes(p_customer_id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE public.quotes SET status = 'cancelled', updated_at = now()
     WHERE customer_id = p_customer_id AND status = 'open';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN jsonb_build_object('cancelled', v_count);
END
$$;

-- Confirm a quote that moves no money by itself (kind deposit): open + unexpired -> confirmed.
-- Money quotes must go through place_order / hold_transfer (refused: mismatch).
CREATE FUNCTION public.confirm_quote(
    p_quote_id uuid, p_customer_id uuid, p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    q public.quotes;
BEGIN
    SELECT * INTO q FROM public.quotes
     WHERE id = p_quote_id AND customer_id = p_customer_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', p_customer_id);
    ELSIF q.kind <> 'deposit' THEN
        RETURN private.result('refused', 'mismatch', q.customer_id);
    ELSIF q.status = 'confirmed' THEN
        RETURN private.result('already', NULL, q.customer_id, jsonb_build_object(
            'id', q.id, 'reff_id', q.reff_id, 'status', q.status, 'amount', q.amount));
    ELSIF q.status <> 'open' THEN
        RETURN private.result('refused',
            CASE q.status WHEN 'expired' THEN 'expired' ELSE 'not_confirmable' END, q.customer_id);
    ELSIF q.expires_at <= coalesce(p_now, now()) THEN
        UPDATE public.quotes SET status = 'expired', updated_at = now() WHERE id = q.id;
        RETURN private.result('refused', 'expired', q.customer_id);
    END IF;
    UPDATE public.quotes SET status = 'confirmed', updated_at = now() WHERE id = q.id;
    RETURN private.result('done', NULL, q.customer_id, jsonb_build_object(
        'id', q.id, 'reff_id', q.reff_id, 'status', 'confirmed', 'amount', q.amount));
END
$$;

-- YA to a topup/bill quote: create the pending order and HOLD its sell price from the wallet.
-- done: order created, saldo debited. already: this quote was placed before (same order back).
-- refused: not_found (no such quote for this customer), mismatch (not a topup/bill quote),
-- expired, not_confirmable (cancelled/superseded), insufficient_funds (+ shortfall; the quote
-- stays open so a deposit can complete it).
CREATE FUNCTION public.place_order(
    p_quote_id uuid, p_customer_id uuid, p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    q public.quotes;
    o public.orders;
    v_balance bigint;
BEGIN
    SELECT * INTO q FROM public.quotes
     WHERE id = p_quote_id AND customer_id = p_customer_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', p_customer_id);
    ELSIF q.kind NOT IN ('topup', 'bill') THEN
        RETURN private.result('refused', 'mismatch', q.customer_id);
    ELSIF q.status = 'confirmed' THEN
        SELECT * INTO o FROM public.orders WHERE quote_id = q.id;
        RETURN private.result('already', NULL, q.customer_id, private.order_fields(o));
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
    INSERT INTO public.orders
        (customer_id, quote_id, kind, reff_id, code, layanan, target, customer_name, price,
         supplier_price)
    VALUES (q.customer_id, q.id, CASE q.kind WHEN 'bill' THEN 'postpaid' ELSE 'prepaid' END,
            q.reff_id, q.payload->>'code', coalesce(q.payload->>'name', ''),
            q.payload->>'target', q.payload->>'customer_name', q.amount, q.supplier_price)
    RETURNING * INTO o;
    UPDATE public.quotes SET status = 'confirmed', updated_at = now() WHERE id = q.id;
    RETURN private.result('done', NULL, q.customer_id, private.order_fields(o));
END
$$;

-- Record that the order is being / was sent to the supplier. The first call claims the
-- submission (done); later calls report already and only fill in atl_id if it was missing, so
-- "call the supplier only when this returned done" guards against double purchases.
-- Refused: not_found, final_state (the order is settled).
CREATE FUNCTION public.mark_order_submitted(p_reff_id text, p_atl_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    o public.orders;
    v_first boolean;
BEGIN
    SELECT * INTO o FROM public.orders WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    END IF;
    v_first := o.submitted_at IS NULL;
    IF o.status <> 'pending' AND v_first THEN
        RETURN private.result('refused', 'final_state', o.customer_id, private.order_fields(o));
    END IF;
    UPDATE public.orders
       SET submitted_at = coalesce(submitted_at, now()),
           atl_id = coalesce(atl_id, nullif(p_atl_id, '')), updated_at = now()
     WHERE id = o.id RETURNING * INTO o;
    RETURN private.result(CASE WHEN v_first THEN 'done' ELSE 'already' END, NULL, o.customer_id,
                          private.order_fields(o));
END
$$;

-- The supplier confirmed success: pending -> success (final), with the serial number.
-- already: it was captured before. refused: not_found, final_state (it was released).
CREATE FUNCTION public.capture_order(
    p_reff_id text, p_sn text DEFAULT NULL, p_atl_id text DEFAULT NULL,
    p_supplier_price bigint DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    o public.orders;
BEGIN
    SELECT * INTO o FROM public.orders WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    ELSIF o.status = 'success' THEN
        RETURN private.result('already', NULL, o.customer_id, private.order_fields(o));
    ELSIF o.status <> 'pending' THEN
        RETURN private.result('refused', 'final_state', o.customer_id, private.order_fields(o));
    END IF;
    UPDATE public.orders
       SET status = 'success', sn = coalesce(nullif(p_sn, ''), sn),
           atl_id = coalesce(nullif(p_atl_id, ''), atl_id),
           supplier_price = coalesce(p_supplier_price, supplier_price),
           submitted_at = coalesce(submitted_at, now()), settled_at = now(), updated_at = now()
     WHERE id = o.id RETURNING * INTO o;
    PERFORM private.ledger_move(o.customer_id, 0, 'capture', o.reff_id);
    RETURN private.result('done', NULL, o.customer_id, private.order_fields(o));
END
$$;

-- The supplier definitely failed: pending -> failed (final) and the hold is refunded, once.
-- already: it was released before (no second refund). refused: not_found, final_state (captured).
CREATE FUNCTION public.release_order(p_reff_id text, p_reason text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    o public.orders;
BEGIN
    SELECT * INTO o FROM public.orders WHERE reff_id = p_reff_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    ELSIF o.status = 'failed' THEN
        RETURN private.result('already', NULL, o.customer_id, private.order_fields(o));
    ELSIF o.status <> 'pending' THEN
        RETURN private.result('refused', 'final_state', o.customer_id, private.order_fields(o));
    END IF;
    UPDATE public.orders
       SET status = 'failed', failure_reason = p_reason, settled_at = now(), updated_at = now()
     WHERE id = o.id RETURNING * INTO o;
    PERFORM private.ledger_move(o.customer_id, o.price, 'release', o.reff_id);
    RETURN private.result('done', NULL, o.customer_id, private.order_fields(o));
END
$$;

-- The whole order row by our reference or by the supplier's id, or null.
CREATE FUNCTION public.get_order(p_reff_id text DEFAULT NULL, p_atl_id text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT to_jsonb(o) FROM public.orders o
     WHERE (p_reff_id IS NOT NULL AND o.reff_id = p_reff_id)
        OR (p_reff_id IS NULL AND p_atl_id IS NOT NULL AND o.atl_id = p_atl_id)
     ORDER BY o.created_at DESC LIMIT 1
$$;
