-- Reads behind the owner's console pages (shared/webconsole). Read-only, service role only.
-- Sales reuse sales_summary (0010) day by day, so the console and /laporan count a sale the
-- same way.

-- sales_summary and the Today page read successful orders by the day they settled (the included
-- columns let each day's sums come from the index alone), and order search and today's counts
-- by creation time.
CREATE INDEX orders_success_updated ON public.orders (updated_at) INCLUDE (id, price, supplier_price)
    WHERE status = 'success';
CREATE INDEX orders_created ON public.orders (created_at);

-- A customer's phone number (the first `pn` identity), or null for a LID-only customer.
CREATE FUNCTION private.console_phone(p_customer_id uuid) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT i.value FROM public.customer_identities i
     WHERE i.customer_id = p_customer_id AND i.kind = 'pn'
     ORDER BY i.created_at, i.value LIMIT 1
$$;

-- p_text as a LIKE pattern matching it anywhere, its own % and _ taken literally.
CREATE FUNCTION private.console_contains(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT '%' || replace(replace(replace(p_text, '\', '\\'), '%', '\%'), '_', '\_') || '%'
$$;

-- sales_summary for each of the last p_days WIB days up to p_now, oldest first:
-- [{day_start, orders, revenue, cost}].
CREATE FUNCTION public.console_sales(p_now timestamptz DEFAULT NULL, p_days integer DEFAULT 30)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(public.sales_summary(d) ORDER BY d), '[]'::jsonb)
      FROM generate_series(
               coalesce(p_now, now()) - make_interval(days => least(greatest(p_days, 1), 366) - 1),
               coalesce(p_now, now()), interval '1 day') AS d
$$;

-- Orders by state: today's (created since WIB midnight) per status, and what is still open
-- anywhere, with the oldest open order's age:
-- {today: {status: n}, pending_orders, oldest_pending_at, pending_deposits, pending_transfers}.
CREATE FUNCTION public.console_order_states(p_now timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH b AS (
        SELECT (date_trunc('day', coalesce(p_now, now()) AT TIME ZONE 'Asia/Jakarta')
                    AT TIME ZONE 'Asia/Jakarta') AS day_start
    )
    SELECT jsonb_build_object(
        'today', (SELECT coalesce(jsonb_object_agg(s.status, s.n), '{}'::jsonb)
                    FROM (SELECT o.status, count(*) AS n FROM public.orders o, b
                           WHERE o.created_at >= b.day_start GROUP BY o.status) s),
        'pending_orders', (SELECT count(*) FROM public.orders WHERE status = 'pending'),
        'oldest_pending_at', (SELECT min(created_at) FROM public.orders WHERE status = 'pending'),
        'pending_deposits', (SELECT count(*) FROM public.deposits
                              WHERE status IN ('pending', 'processing')),
        'pending_transfers', (SELECT count(*) FROM public.transfers WHERE status = 'pending'))
$$;

-- Order search, newest first; every filter is optional (NULL = any). p_ref matches our
-- reference or the supplier's id exactly; p_phone and p_product match anywhere in the phone
-- number and in the product code or name; p_from/p_to bound created_at ([from, to)).
-- [{...order row, phone, display_name}]. Only the filters given become SQL, so each search is
-- planned for what it asks: one plan for "any filter may be NULL" reads far too much.
CREATE FUNCTION public.console_orders(
    p_ref text DEFAULT NULL, p_phone text DEFAULT NULL, p_product text DEFAULT NULL,
    p_status text DEFAULT NULL, p_from timestamptz DEFAULT NULL, p_to timestamptz DEFAULT NULL,
    p_limit integer DEFAULT 50, p_offset integer DEFAULT 0
) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_where text := '';
    v_result jsonb;
BEGIN
    IF p_ref IS NOT NULL THEN
        v_where := v_where || ' AND (o.reff_id = upper($1) OR o.atl_id = $1)';
    END IF;
    IF p_phone IS NOT NULL THEN
        v_where := v_where || ' AND o.customer_id IN (SELECT i.customer_id'
            || ' FROM public.customer_identities i WHERE i.kind = ''pn'''
            || ' AND i.value LIKE private.console_contains($2))';
    END IF;
    IF p_product IS NOT NULL THEN
        v_where := v_where || ' AND (o.code ILIKE private.console_contains($3)'
            || ' OR o.layanan ILIKE private.console_contains($3))';
    END IF;
    IF p_status IS NOT NULL THEN
        v_where := v_where || ' AND o.status = $4';
    END IF;
    IF p_from IS NOT NULL THEN
        v_where := v_where || ' AND o.created_at >= $5';
    END IF;
    IF p_to IS NOT NULL THEN
        v_where := v_where || ' AND o.created_at < $6';
    END IF;
    EXECUTE 'SELECT coalesce(jsonb_agg(r.row ORDER BY r.created_at DESC, r.id), ''[]''::jsonb)'
        || ' FROM (SELECT o.created_at, o.id, to_jsonb(o) || jsonb_build_object('
        || '''phone'', private.console_phone(o.customer_id), '
        || '''display_name'', c.display_name) AS row'
        || ' FROM public.orders o JOIN public.customers c ON c.id = o.customer_id'
        || ' WHERE true' || v_where
        || ' ORDER BY o.created_at DESC, o.id LIMIT $7 OFFSET $8) r'
      INTO v_result
      USING p_ref, p_phone, p_product, p_status, p_from, p_to,
            least(greatest(p_limit, 0), 500), greatest(p_offset, 0);
    RETURN v_result;
END
$$;

-- Everything recorded about one order, for its timeline, or null:
-- {order, customer: {id, phone, display_name, balance}, quote, ledger: [...],
--  events: [...supplier_events], notifications: [{text, created_at}], actions: [...]}.
CREATE FUNCTION public.console_order(p_reff_id text) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'order', to_jsonb(o),
        'customer', jsonb_build_object(
            'id', c.id, 'phone', private.console_phone(c.id), 'display_name', c.display_name,
            'balance', private.balance_of(c.id)),
        'quote', (SELECT private.quote_json(q) FROM public.quotes q WHERE q.id = o.quote_id),
        'ledger', (SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.id), '[]'::jsonb)
                     FROM public.ledger_entries l
                    WHERE l.ref = o.reff_id AND l.kind IN ('hold', 'capture', 'release')),
        'events', (SELECT coalesce(jsonb_agg(to_jsonb(e) ORDER BY e.id), '[]'::jsonb)
                     FROM public.supplier_events e WHERE e.reff_id = o.reff_id),
        'notifications', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                                     'text', m.content_text, 'created_at', m.created_at)
                                     ORDER BY m.created_at), '[]'::jsonb)
                            FROM public.messages m
                           WHERE m.customer_id = o.customer_id AND m.direction = 'outbound'
                             AND m.meta->>'ref' = o.reff_id),
        'actions', (SELECT coalesce(jsonb_agg(to_jsonb(a) ORDER BY a.id), '[]'::jsonb)
                      FROM public.console_actions a WHERE a.ref = o.reff_id))
      FROM public.orders o JOIN public.customers c ON c.id = o.customer_id
     WHERE o.reff_id = upper(p_reff_id)
$$;

-- Customers, those holding the most saldo first (then the most recently seen); p_query matches
-- anywhere in the phone number or the WhatsApp name.
-- [{id, phone, display_name, balance, last_seen_at, first_seen_at}].
CREATE FUNCTION public.console_customers(
    p_query text DEFAULT NULL, p_limit integer DEFAULT 50, p_offset integer DEFAULT 0
) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'id', r.id, 'phone', private.console_phone(r.id), 'display_name', r.display_name,
               'balance', r.balance, 'last_seen_at', r.last_seen_at,
               'first_seen_at', r.first_seen_at)
               ORDER BY r.balance DESC, r.last_seen_at DESC, r.id), '[]'::jsonb)
      FROM (
        SELECT c.id, c.display_name, c.last_seen_at, c.first_seen_at,
               coalesce(w.balance, 0) AS balance
          FROM public.customers c
          LEFT JOIN public.wallets w ON w.customer_id = c.id
         WHERE p_query IS NULL
            OR c.display_name ILIKE private.console_contains(p_query)
            OR c.id IN (SELECT i.customer_id FROM public.customer_identities i
                         WHERE i.value LIKE private.console_contains(p_query))
         ORDER BY coalesce(w.balance, 0) DESC, c.last_seen_at DESC, c.id
         LIMIT least(greatest(p_limit, 0), 500) OFFSET greatest(p_offset, 0)
      ) r
$$;

-- One customer's page, or null: {customer (as get_customer), ledger: [entry + admin_phone +
-- reason for console adjustments], deposits: [...], orders: [...]}, each list newest first and
-- at most p_limit long. The ledger carries balance_after: the running saldo.
CREATE FUNCTION public.console_customer(p_customer_id uuid, p_limit integer DEFAULT 50)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'customer', private.customer_json(c.id),
        'ledger', (SELECT coalesce(jsonb_agg(x.row ORDER BY x.id DESC), '[]'::jsonb) FROM (
                       SELECT l.id, to_jsonb(l) || jsonb_build_object(
                                  'admin_phone', a.admin_phone,
                                  'reason', a.detail->>'reason') AS row
                         FROM public.ledger_entries l
                         LEFT JOIN public.console_actions a
                           ON l.kind = 'adjust' AND a.action = 'adjust' AND a.ref = l.ref
                        WHERE l.customer_id = c.id
                        ORDER BY l.id DESC LIMIT greatest(p_limit, 0)) x),
        'deposits', (SELECT coalesce(jsonb_agg(to_jsonb(d) ORDER BY d.created_at DESC), '[]'::jsonb)
                       FROM (SELECT * FROM public.deposits WHERE customer_id = c.id
                              ORDER BY created_at DESC LIMIT greatest(p_limit, 0)) d),
        'orders', (SELECT coalesce(jsonb_agg(to_jsonb(o) ORDER BY o.created_at DESC), '[]'::jsonb)
                     FROM (SELECT * FROM public.orders WHERE customer_id = c.id
                            ORDER BY created_at DESC LIMIT greatest(p_limit, 0)) o))
      FROM public.customers c WHERE c.id = p_customer_id
$$;

-- When each persisted price list was last refreshed, without its payload:
-- [{type, fetched_at, ttl_sec, fresh, items}].
CREATE FUNCTION public.console_price_lists(p_now timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'type', p.type, 'fetched_at', p.fetched_at, 'ttl_sec', p.ttl_sec,
               'fresh', p.fetched_at + make_interval(secs => p.ttl_sec) > coalesce(p_now, now()),
               'items', CASE WHEN jsonb_typeof(p.payload) = 'array'
                             THEN jsonb_array_length(p.payload) ELSE 0 END)
               ORDER BY p.type), '[]'::jsonb)
      FROM public.price_cache p
$$;

-- Postgres grants EXECUTE on a new function to PUBLIC (and Supabase to anon and authenticated)
-- whatever the default privileges say: take it back from every console function (0030's too)
-- and their private helpers; only the service role calls them.
DO $$
DECLARE
    f regprocedure;
    r text;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
              WHERE p.pronamespace IN ('public'::regnamespace, 'private'::regnamespace)
                AND p.proname LIKE 'console\_%' LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
            IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
                EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM %I', f, r);
            END IF;
        END LOOP;
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO service_role', f);
        END IF;
    END LOOP;
END
$$;
