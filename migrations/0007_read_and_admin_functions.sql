-- Saldo, history, the reconciler's worklist, manual adjustments, settings, price cache and
-- Gemini API keys.

-- {customer_id, balance, ledger_sum}: ledger_sum always equals balance (an audit aid).
CREATE FUNCTION public.get_balance(p_customer_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'customer_id', p_customer_id, 'balance', private.balance_of(p_customer_id),
        'ledger_sum', (SELECT coalesce(sum(amount), 0) FROM public.ledger_entries
                        WHERE customer_id = p_customer_id))
$$;

-- Orders, deposits and transfers of a customer, newest first:
-- [{kind: order|deposit|transfer, id, reff_id, status, amount, label, target, sn, created_at}].
CREATE FUNCTION public.history(p_customer_id uuid, p_limit integer DEFAULT 10) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(h) ORDER BY h.created_at DESC, h.id), '[]'::jsonb)
      FROM (
        SELECT * FROM (
            SELECT 'order' AS kind, id, reff_id, status, price AS amount, layanan AS label,
                   target, sn, created_at
              FROM public.orders WHERE customer_id = p_customer_id
            UNION ALL
            SELECT 'deposit', id, reff_id, status, coalesce(get_balance, nominal), metode, NULL,
                   NULL, created_at
              FROM public.deposits WHERE customer_id = p_customer_id
            UNION ALL
            SELECT 'transfer', id, reff_id, status, total, bank_code, nomor_tujuan, NULL,
                   created_at
              FROM public.transfers WHERE customer_id = p_customer_id
        ) u ORDER BY created_at DESC, id LIMIT greatest(p_limit, 0)
      ) h
$$;

-- What the reconciler should ask the supplier about: documents still pending (deposits: pending
-- or processing) created more than p_older_than_seconds ago, oldest first.
-- {orders: [row...], deposits: [row...], transfers: [row...]}.
CREATE FUNCTION public.pending_items(
    p_older_than_seconds integer DEFAULT 300, p_now timestamptz DEFAULT NULL,
    p_limit integer DEFAULT 100
) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH cutoff AS (
        SELECT coalesce(p_now, now()) - make_interval(secs => p_older_than_seconds) AS at
    )
    SELECT jsonb_build_object(
        'orders', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.created_at), '[]'::jsonb)
                     FROM (SELECT * FROM public.orders, cutoff
                            WHERE status = 'pending' AND created_at <= cutoff.at
                            ORDER BY created_at LIMIT p_limit) o),
        'deposits', (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.created_at), '[]'::jsonb)
                       FROM (SELECT * FROM public.deposits, cutoff
                              WHERE status IN ('pending', 'processing')
                                AND created_at <= cutoff.at
                              ORDER BY created_at LIMIT p_limit) d),
        'transfers', (SELECT coalesce(jsonb_agg(to_jsonb(t) ORDER BY t.created_at), '[]'::jsonb)
                        FROM (SELECT * FROM public.transfers, cutoff
                               WHERE status = 'pending' AND created_at <= cutoff.at
                               ORDER BY created_at LIMIT p_limit) t))
$$;

-- An admin correction (+ credit, - debit), idempotent on p_ref. refused insufficient_funds when
-- a debit would take the saldo below zero.
CREATE FUNCTION public.adjust_balance(p_customer_id uuid, p_amount bigint, p_ref text)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_balance bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('adjust:' || p_ref, 0));
    IF EXISTS (SELECT 1 FROM public.ledger_entries WHERE kind = 'adjust' AND ref = p_ref) THEN
        RETURN private.result('already', NULL, p_customer_id,
                              jsonb_build_object('reff_id', p_ref, 'amount', p_amount));
    END IF;
    v_balance := private.ledger_move(p_customer_id, p_amount, 'adjust', p_ref);
    IF v_balance IS NULL THEN
        RETURN private.result('refused', 'insufficient_funds', p_customer_id,
                              jsonb_build_object('reff_id', p_ref, 'amount', p_amount));
    END IF;
    RETURN private.result('done', NULL, p_customer_id,
                          jsonb_build_object('reff_id', p_ref, 'amount', p_amount));
END
$$;

-- Owner settings (markup rules, ...): a JSON value per key.
CREATE FUNCTION public.get_setting(p_key text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT value FROM public.settings WHERE key = p_key
$$;

CREATE FUNCTION public.set_setting(p_key text, p_value jsonb) RETURNS jsonb
LANGUAGE sql AS $$
    INSERT INTO public.settings (key, value) VALUES (p_key, p_value)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()
    RETURNING value
$$;

CREATE FUNCTION public.list_settings() RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_object_agg(key, value), '{}'::jsonb) FROM public.settings
$$;

-- Persisted price list per type: {type, payload, fetched_at, ttl_sec, fresh} or null.
CREATE FUNCTION public.put_price_cache(
    p_type text, p_payload jsonb, p_ttl_sec integer, p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE sql AS $$
    INSERT INTO public.price_cache (type, payload, fetched_at, ttl_sec)
    VALUES (p_type, p_payload, coalesce(p_now, now()), p_ttl_sec)
    ON CONFLICT (type) DO UPDATE
        SET payload = excluded.payload, fetched_at = excluded.fetched_at, ttl_sec = excluded.ttl_sec
    RETURNING jsonb_build_object('type', type, 'fetched_at', fetched_at, 'ttl_sec', ttl_sec)
$$;

CREATE FUNCTION public.get_price_cache(p_type text, p_now timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'type', type, 'payload', payload, 'fetched_at', fetched_at, 'ttl_sec', ttl_sec,
        'fresh', fetched_at + make_interval(secs => ttl_sec) > coalesce(p_now, now()))
      FROM public.price_cache WHERE type = p_type
$$;

-- Gemini keys. The ciphertext is produced by shared.crypto; SQL never sees a plaintext key.
CREATE FUNCTION private.api_key_json(k public.api_keys, p_now timestamptz) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', k.id, 'label', k.label, 'key_ciphertext', k.key_ciphertext,
        'key_fingerprint', k.key_fingerprint, 'priority', k.priority, 'enabled', k.enabled,
        'cooldown_until', k.cooldown_until, 'last_error', k.last_error,
        'last_error_at', k.last_error_at, 'failure_count', k.failure_count,
        'last_used_at', k.last_used_at, 'created_at', k.created_at,
        'available', k.enabled AND (k.cooldown_until IS NULL OR k.cooldown_until <= p_now))
$$;

-- Add a key (idempotent on the fingerprint): {id, created}.
CREATE FUNCTION public.add_api_key(
    p_key_ciphertext text, p_key_fingerprint text, p_label text DEFAULT '',
    p_priority integer DEFAULT 100
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid;
BEGIN
    INSERT INTO public.api_keys (label, key_ciphertext, key_fingerprint, priority)
    VALUES (coalesce(p_label, ''), p_key_ciphertext, p_key_fingerprint, coalesce(p_priority, 100))
    ON CONFLICT (key_fingerprint) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NULL THEN
        SELECT id INTO v_id FROM public.api_keys WHERE key_fingerprint = p_key_fingerprint;
        RETURN jsonb_build_object('id', v_id, 'created', false);
    END IF;
    RETURN jsonb_build_object('id', v_id, 'created', true);
END
$$;

-- Every key, in the order to try them (priority, then age), with `available` at p_now.
CREATE FUNCTION public.list_api_keys(p_now timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(private.api_key_json(k, coalesce(p_now, now()))
                              ORDER BY k.priority, k.created_at, k.id), '[]'::jsonb)
      FROM public.api_keys k
$$;

-- Rest a key until p_until (quota / rate limit), remembering why. Returns the key or null.
CREATE FUNCTION public.set_api_key_cooldown(
    p_id uuid, p_until timestamptz, p_error text DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    k public.api_keys;
BEGIN
    UPDATE public.api_keys
       SET cooldown_until = p_until, last_error = coalesce(p_error, last_error),
           last_error_at = CASE WHEN p_error IS NULL THEN last_error_at ELSE now() END,
           updated_at = now()
     WHERE id = p_id RETURNING * INTO k;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN private.api_key_json(k, now());
END
$$;

-- Forget cooldowns that have passed: {cleared: n}.
CREATE FUNCTION public.clear_expired_cooldowns(p_now timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE public.api_keys SET cooldown_until = NULL, updated_at = now()
     WHERE cooldown_until IS NOT NULL AND cooldown_until <= coalesce(p_now, now());
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN jsonb_build_object('cleared', v_count);
END
$$;

-- Record the outcome of a call with a key: p_error NULL = success (resets failure_count, sets
-- last_used_at); otherwise last_error/failure_count are updated. Returns the key or null.
CREATE FUNCTION public.record_api_key_result(p_id uuid, p_error text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    k public.api_keys;
BEGIN
    IF p_error IS NULL THEN
        UPDATE public.api_keys SET failure_count = 0, last_used_at = now(), updated_at = now()
         WHERE id = p_id RETURNING * INTO k;
    ELSE
        UPDATE public.api_keys
           SET failure_count = failure_count + 1, last_error = p_error, last_error_at = now(),
               last_used_at = now(), updated_at = now()
         WHERE id = p_id RETURNING * INTO k;
    END IF;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN private.api_key_json(k, now());
END
$$;

-- Enable/disable or re-prioritise a key (NULL leaves a field alone). Returns the key or null.
CREATE FUNCTION public.update_api_key(
    p_id uuid, p_enabled boolean DEFAULT NULL, p_priority integer DEFAULT NULL,
    p_label text DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    k public.api_keys;
BEGIN
    UPDATE public.api_keys
       SET enabled = coalesce(p_enabled, enabled), priority = coalesce(p_priority, priority),
           label = coalesce(p_label, label), updated_at = now()
     WHERE id = p_id RETURNING * INTO k;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN private.api_key_json(k, now());
END
$$;

CREATE FUNCTION public.delete_api_key(p_id uuid) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM public.api_keys WHERE id = p_id;
    RETURN jsonb_build_object('deleted', FOUND);
END
$$;
