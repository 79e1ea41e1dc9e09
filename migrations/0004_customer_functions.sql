-- Private helpers shared by the money functions, and the customer/message functions.
-- Every public function takes named parameters (p_*) and returns jsonb, so the direct psycopg
-- transport and Supabase's PostgREST rpc see the same results. `p_now` parameters default to the
-- database clock; NULL also means "now".

-- The saldo of a customer (0 when no wallet row exists yet).
CREATE FUNCTION private.balance_of(p_customer_id uuid) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT balance FROM public.wallets WHERE customer_id = p_customer_id), 0)
$$;

-- The one place a wallet changes. Debits only when the balance stays >= 0 (a conditional
-- update on the locked wallet row, so concurrent debits serialise and re-check); writes the
-- ledger entry in the same transaction. Returns the new balance, or NULL when it cannot pay.
-- A second entry for the same (kind, ref) raises unique_violation: callers check the document
-- status first, so that only fires if an invariant was broken, and then nothing commits.
CREATE FUNCTION private.ledger_move(
    p_customer_id uuid, p_amount bigint, p_kind text, p_ref text
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_balance bigint;
BEGIN
    INSERT INTO public.wallets (customer_id) VALUES (p_customer_id) ON CONFLICT DO NOTHING;
    UPDATE public.wallets
       SET balance = balance + p_amount, updated_at = now()
     WHERE customer_id = p_customer_id AND balance + p_amount >= 0
    RETURNING balance INTO v_balance;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    INSERT INTO public.ledger_entries (customer_id, amount, kind, ref, balance_after)
    VALUES (p_customer_id, p_amount, p_kind, p_ref, v_balance);
    RETURN v_balance;
END
$$;

-- The common result shape (ports.MoneyResult): outcome, reason, customer_id, balance, + fields.
CREATE FUNCTION private.result(
    p_outcome text, p_reason text, p_customer_id uuid, p_fields jsonb DEFAULT '{}'::jsonb
) RETURNS jsonb
LANGUAGE sql VOLATILE AS $$
    SELECT jsonb_build_object(
        'outcome', p_outcome,
        'reason', p_reason,
        'customer_id', p_customer_id,
        'balance', CASE WHEN p_customer_id IS NULL THEN NULL
                        ELSE private.balance_of(p_customer_id) END
    ) || coalesce(p_fields, '{}'::jsonb)
$$;

-- A reference derived from a document id: PREFIX + 20 upper-case hex digits (80 bits).
CREATE FUNCTION private.reff_for(p_prefix text, p_id uuid) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT p_prefix || upper(left(replace(p_id::text, '-', ''), 20))
$$;

CREATE FUNCTION private.customer_json(p_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'wa_jid', c.wa_jid, 'display_name', c.display_name,
        'first_seen_at', c.first_seen_at, 'last_seen_at', c.last_seen_at, 'note', c.note,
        'paused_until', c.paused_until, 'balance', private.balance_of(c.id),
        'identities', coalesce((
            SELECT jsonb_agg(jsonb_build_object('kind', i.kind, 'value', i.value)
                             ORDER BY i.kind, i.value)
              FROM public.customer_identities i WHERE i.customer_id = c.id), '[]'::jsonb))
      FROM public.customers c WHERE c.id = p_id
$$;

-- Find or create the customer behind a phone number and/or a LID. When both are given and only
-- one is known, the other is linked to the same customer. When they point at two different
-- customers the phone's customer wins (money history follows the number) and nothing is moved.
-- Concurrent first messages of one new person create one customer (advisory locks per identity).
-- Returns {customer_id, is_new, customer: {...}}.
CREATE FUNCTION public.resolve_customer(
    p_phone text DEFAULT NULL, p_lid text DEFAULT NULL, p_push_name text DEFAULT NULL,
    p_chat_jid text DEFAULT NULL, p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
    v_phone text := nullif(btrim(p_phone), '');
    v_lid text := nullif(btrim(p_lid), '');
    v_by_phone uuid;
    v_by_lid uuid;
    v_id uuid;
    v_new boolean := false;
BEGIN
    IF v_phone IS NULL AND v_lid IS NULL THEN
        RAISE EXCEPTION 'resolve_customer needs a phone number or a LID'
            USING ERRCODE = '22023';
    END IF;
    -- Fixed order (pn before lid) so two callers never wait on each other crosswise.
    IF v_phone IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('identity:pn:' || v_phone, 0));
    END IF;
    IF v_lid IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtextextended('identity:lid:' || v_lid, 0));
    END IF;
    SELECT customer_id INTO v_by_phone FROM public.customer_identities
     WHERE kind = 'pn' AND value = v_phone;
    SELECT customer_id INTO v_by_lid FROM public.customer_identities
     WHERE kind = 'lid' AND value = v_lid;
    v_id := coalesce(v_by_phone, v_by_lid);
    IF v_id IS NULL THEN
        INSERT INTO public.customers (display_name, wa_jid, first_seen_at, last_seen_at)
        VALUES (nullif(btrim(p_push_name), ''), p_chat_jid, v_now, v_now)
        RETURNING id INTO v_id;
        INSERT INTO public.wallets (customer_id) VALUES (v_id);
        v_new := true;
    ELSE
        UPDATE public.customers
           SET last_seen_at = greatest(last_seen_at, v_now),
               display_name = coalesce(nullif(btrim(p_push_name), ''), display_name),
               wa_jid = coalesce(p_chat_jid, wa_jid)
         WHERE id = v_id;
    END IF;
    IF v_phone IS NOT NULL AND v_by_phone IS NULL THEN
        INSERT INTO public.customer_identities (kind, value, customer_id)
        VALUES ('pn', v_phone, v_id) ON CONFLICT DO NOTHING;
    END IF;
    IF v_lid IS NOT NULL AND v_by_lid IS NULL THEN
        INSERT INTO public.customer_identities (kind, value, customer_id)
        VALUES ('lid', v_lid, v_id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN jsonb_build_object('customer_id', v_id, 'is_new', v_new,
                              'customer', private.customer_json(v_id));
END
$$;

-- The customer with saldo and identities, or null.
CREATE FUNCTION public.get_customer(p_customer_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT private.customer_json(p_customer_id)
$$;

-- Pause (owner takeover) or resume (p_until NULL) the bot for one customer; returns the customer.
CREATE FUNCTION public.set_customer_pause(p_customer_id uuid, p_until timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE public.customers SET paused_until = p_until WHERE id = p_customer_id;
    RETURN private.customer_json(p_customer_id);
END
$$;

-- Log a message. Inbound messages carry their WhatsApp id: the unique constraint plus
-- ON CONFLICT DO NOTHING make this the atomic dedupe, so only the caller that gets
-- inserted = true may act on the message. Returns {inserted, id}.
CREATE FUNCTION public.record_message(
    p_customer_id uuid, p_direction text, p_type text DEFAULT 'text',
    p_wa_msg_id text DEFAULT NULL, p_content_text text DEFAULT NULL,
    p_media_url text DEFAULT NULL, p_meta jsonb DEFAULT NULL, p_created_at timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.messages
        (wa_msg_id, customer_id, direction, type, content_text, media_url, meta, created_at)
    VALUES (nullif(p_wa_msg_id, ''), p_customer_id, p_direction, coalesce(p_type, 'text'),
            p_content_text, p_media_url, coalesce(p_meta, '{}'::jsonb),
            coalesce(p_created_at, now()))
    ON CONFLICT (wa_msg_id) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT id INTO v_id FROM public.messages WHERE wa_msg_id = p_wa_msg_id;
        RETURN jsonb_build_object('inserted', false, 'id', v_id);
    END IF;
    RETURN jsonb_build_object('inserted', true, 'id', v_id);
END
$$;

-- The last p_limit messages of a customer, oldest first (conversation context).
CREATE FUNCTION public.recent_messages(p_customer_id uuid, p_limit integer DEFAULT 20)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(m) ORDER BY m.created_at, m.id), '[]'::jsonb)
      FROM (SELECT id, wa_msg_id, customer_id, direction, type, content_text, media_url, meta,
                   created_at
              FROM public.messages WHERE customer_id = p_customer_id
             ORDER BY created_at DESC, id DESC LIMIT greatest(p_limit, 0)) m
$$;
