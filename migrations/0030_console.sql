-- The owner's web console (shared/webconsole): one-time login links an admin asks for on
-- WhatsApp, the sessions they open, and an audit of what admins did in the console. Nothing here
-- moves money by itself: console_adjust_balance records who and why, then calls adjust_balance
-- (0007), the one function that corrects a saldo.
--
-- Secrets never reach these tables: links and sessions are stored as SHA-256 hashes of the
-- random tokens the browser holds.

CREATE TABLE public.console_logins (
    token_hash text PRIMARY KEY,
    phone      text NOT NULL,          -- the admin (62... digits) the link was sent to
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,            -- set once: a link opens one session
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.console_sessions (
    session_hash text PRIMARY KEY,
    phone        text NOT NULL,
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz,          -- logout
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- Who did what from the console: retry, refund, adjust, markup, key_add, key_enable,
-- key_disable. `ref` is the order reference, the adjustment's ledger ref or the key id.
CREATE TABLE public.console_actions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    admin_phone text NOT NULL,
    action      text NOT NULL,
    ref         text NOT NULL DEFAULT '',
    detail      jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_actions_ref ON public.console_actions (ref, id);

-- Housekeeping reads only expired rows.
CREATE INDEX console_logins_expiry ON public.console_logins (expires_at);
CREATE INDEX console_sessions_expiry ON public.console_sessions (expires_at);

-- A new one-time link (its token's hash) for an admin: {expires_at}. Links and sessions that
-- ended more than a day ago are dropped here, so the tables stay small without a job.
CREATE FUNCTION public.console_create_login(
    p_token_hash text, p_phone text, p_ttl_seconds integer, p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
    v_expires timestamptz := v_now + make_interval(secs => greatest(p_ttl_seconds, 1));
BEGIN
    IF nullif(p_token_hash, '') IS NULL OR nullif(p_phone, '') IS NULL THEN
        RAISE EXCEPTION 'console_create_login needs a token hash and a phone'
            USING ERRCODE = '22023';
    END IF;
    DELETE FROM public.console_logins WHERE expires_at < v_now - interval '1 day';
    DELETE FROM public.console_sessions WHERE expires_at < v_now - interval '1 day';
    INSERT INTO public.console_logins (token_hash, phone, expires_at, created_at)
    VALUES (p_token_hash, p_phone, v_expires, v_now);
    RETURN jsonb_build_object('expires_at', v_expires);
END
$$;

-- Open a session with a link, once: {outcome: done, phone, expires_at} or
-- {outcome: refused, reason: not_found | used | expired}. The link row is locked, so two
-- browsers opening the same link at once get one session between them.
CREATE FUNCTION public.console_redeem_login(
    p_token_hash text, p_session_hash text, p_session_seconds integer,
    p_now timestamptz DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    l public.console_logins;
    v_now timestamptz := coalesce(p_now, now());
    v_expires timestamptz := v_now + make_interval(secs => greatest(p_session_seconds, 1));
BEGIN
    SELECT * INTO l FROM public.console_logins WHERE token_hash = p_token_hash FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'refused', 'reason', 'not_found');
    ELSIF l.used_at IS NOT NULL THEN
        RETURN jsonb_build_object('outcome', 'refused', 'reason', 'used');
    ELSIF l.expires_at <= v_now THEN
        RETURN jsonb_build_object('outcome', 'refused', 'reason', 'expired');
    END IF;
    UPDATE public.console_logins SET used_at = v_now WHERE token_hash = p_token_hash;
    INSERT INTO public.console_sessions (session_hash, phone, expires_at, created_at)
    VALUES (p_session_hash, l.phone, v_expires, v_now);
    RETURN jsonb_build_object('outcome', 'done', 'phone', l.phone, 'expires_at', v_expires);
END
$$;

-- The live session behind a cookie: {phone, expires_at}, or null when unknown, ended or expired.
CREATE FUNCTION public.console_session(p_session_hash text, p_now timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('phone', s.phone, 'expires_at', s.expires_at)
      FROM public.console_sessions s
     WHERE s.session_hash = p_session_hash
       AND s.ended_at IS NULL
       AND s.expires_at > coalesce(p_now, now())
$$;

-- Logout: {ended} is false when the session was unknown or already over.
CREATE FUNCTION public.console_end_session(p_session_hash text) RETURNS jsonb
LANGUAGE sql AS $$
    WITH ended AS (
        UPDATE public.console_sessions SET ended_at = now()
         WHERE session_hash = p_session_hash AND ended_at IS NULL
        RETURNING 1
    )
    SELECT jsonb_build_object('ended', EXISTS (SELECT 1 FROM ended))
$$;

-- Remember an admin's console action: {id}.
CREATE FUNCTION public.console_record_action(
    p_admin_phone text, p_action text, p_ref text DEFAULT '', p_detail jsonb DEFAULT NULL
) RETURNS jsonb
LANGUAGE sql AS $$
    INSERT INTO public.console_actions (admin_phone, action, ref, detail)
    VALUES (p_admin_phone, p_action, coalesce(p_ref, ''), coalesce(p_detail, '{}'::jsonb))
    RETURNING jsonb_build_object('id', id)
$$;

-- A manual saldo correction by an admin, with its reason: adjust_balance (idempotent on p_ref,
-- never below zero) plus, when it moved money, the audit row that names who and why. The
-- ledger's `adjust` entry and that row share p_ref. A reason is required.
CREATE FUNCTION public.console_adjust_balance(
    p_customer_id uuid, p_amount bigint, p_ref text, p_admin_phone text, p_reason text
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_result jsonb;
BEGIN
    IF nullif(btrim(coalesce(p_reason, '')), '') IS NULL THEN
        RAISE EXCEPTION 'a manual adjustment needs a reason' USING ERRCODE = '22023';
    END IF;
    IF nullif(p_admin_phone, '') IS NULL OR p_amount = 0 THEN
        RAISE EXCEPTION 'a manual adjustment needs an admin and a non-zero amount'
            USING ERRCODE = '22023';
    END IF;
    v_result := public.adjust_balance(p_customer_id, p_amount, p_ref);
    IF v_result->>'outcome' = 'done' THEN
        INSERT INTO public.console_actions (admin_phone, action, ref, detail)
        VALUES (p_admin_phone, 'adjust', p_ref,
                jsonb_build_object('customer_id', p_customer_id, 'amount', p_amount,
                                   'reason', btrim(p_reason)));
    END IF;
    RETURN v_result;
END
$$;

-- Service role only, like every table and function (0008, 0012).
ALTER TABLE public.console_logins ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.console_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE public.console_actions ENABLE ROW LEVEL SECURITY;

-- The tables are the service role's only (Supabase's default grants would expose them to anon
-- and authenticated); EXECUTE on the console functions is taken back at the end of 0031.
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['anon', 'authenticated'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('REVOKE ALL ON TABLE public.console_logins, public.console_sessions, '
                           'public.console_actions FROM %I', r);
        END IF;
    END LOOP;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        GRANT ALL ON TABLE public.console_logins, public.console_sessions, public.console_actions
            TO service_role;
    END IF;
END
$$;
