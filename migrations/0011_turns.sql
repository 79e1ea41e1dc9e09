-- Turns: what the bot answered to one inbound WhatsApp message, keyed on its wa_msg_id.
--
-- A delivery of an inbound message first claims its turn (claim_turn: the message row is the
-- dedupe key, as record_message made it). The turn's replies are stored when it ends
-- (finish_turn), so a redelivery of a message already answered gets the SAME replies back, with
-- the same ids, and runs nothing again; the relay sends each id once. A turn that raised is
-- released (fail_turn) so the next delivery runs it again; a turn whose worker died is taken
-- over once its lease ran out. Messages logged before this table existed have no turn: they
-- count as answered with nothing to repeat.

CREATE TABLE turns (
    wa_msg_id   text PRIMARY KEY REFERENCES messages (wa_msg_id) ON DELETE CASCADE,
    customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    status      text NOT NULL CHECK (status IN ('running', 'failed', 'done')),
    attempts    integer NOT NULL DEFAULT 1 CHECK (attempts > 0),
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    replies     jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(replies) = 'array'),
    finished_at timestamptz
);

-- Service role only, like every table (0008).
ALTER TABLE turns ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        GRANT ALL ON TABLE public.turns TO service_role;
    END IF;
END
$$;

-- Claim the turn of one inbound message. Logs the message like record_message (same columns,
-- the unique wa_msg_id is the dedupe) and answers {outcome, attempt, id, replies}:
--   run:  the caller runs the turn now (attempt 1, or a later attempt after a release or after
--         the previous worker's lease of p_lease_seconds ran out);
--   done: answered before; `replies` are the stored replies to send again (maybe none);
--   busy: another worker holds the turn within its lease; try again later.
CREATE FUNCTION public.claim_turn(
    p_customer_id uuid, p_wa_msg_id text, p_direction text DEFAULT 'inbound',
    p_type text DEFAULT 'text', p_content_text text DEFAULT NULL, p_media_url text DEFAULT NULL,
    p_meta jsonb DEFAULT NULL, p_lease_seconds integer DEFAULT 180
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_id uuid;
    t public.turns;
BEGIN
    IF nullif(p_wa_msg_id, '') IS NULL THEN
        RAISE EXCEPTION 'claim_turn needs a WhatsApp message id' USING ERRCODE = '22023';
    END IF;
    INSERT INTO public.messages
        (wa_msg_id, customer_id, direction, type, content_text, media_url, meta)
    VALUES (p_wa_msg_id, p_customer_id, p_direction, coalesce(p_type, 'text'),
            p_content_text, p_media_url, coalesce(p_meta, '{}'::jsonb))
    ON CONFLICT (wa_msg_id) DO NOTHING
    RETURNING id INTO v_id;
    IF v_id IS NOT NULL THEN
        INSERT INTO public.turns (wa_msg_id, customer_id, status)
        VALUES (p_wa_msg_id, p_customer_id, 'running');
        RETURN jsonb_build_object('outcome', 'run', 'attempt', 1, 'id', v_id,
                                  'replies', '[]'::jsonb);
    END IF;
    SELECT id INTO v_id FROM public.messages WHERE wa_msg_id = p_wa_msg_id;
    SELECT * INTO t FROM public.turns WHERE wa_msg_id = p_wa_msg_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('outcome', 'done', 'attempt', 0, 'id', v_id,
                                  'replies', '[]'::jsonb);
    ELSIF t.status = 'done' THEN
        RETURN jsonb_build_object('outcome', 'done', 'attempt', t.attempts, 'id', v_id,
                                  'replies', t.replies);
    ELSIF t.status = 'running'
          AND t.claimed_at > now() - make_interval(secs => greatest(p_lease_seconds, 0)) THEN
        RETURN jsonb_build_object('outcome', 'busy', 'attempt', t.attempts, 'id', v_id,
                                  'replies', '[]'::jsonb);
    END IF;
    UPDATE public.turns
       SET status = 'running', attempts = attempts + 1, claimed_at = now()
     WHERE wa_msg_id = p_wa_msg_id
    RETURNING * INTO t;
    RETURN jsonb_build_object('outcome', 'run', 'attempt', t.attempts, 'id', v_id,
                              'replies', '[]'::jsonb);
END
$$;

-- End a turn: store its replies (a JSON array, maybe empty) and, when there are any, log them
-- as one outbound message row (p_type, p_content_text, p_media_url, p_meta), in one
-- transaction. Only the attempt that holds the turn finishes it; any other call changes nothing.
-- Returns {finished, replies}: the replies that stand (the stored ones when the turn was already
-- done, none when another attempt holds it).
CREATE FUNCTION public.finish_turn(
    p_wa_msg_id text, p_attempt integer, p_replies jsonb DEFAULT '[]'::jsonb,
    p_type text DEFAULT 'text', p_content_text text DEFAULT NULL, p_media_url text DEFAULT NULL,
    p_meta jsonb DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    t public.turns;
    v_replies jsonb := coalesce(p_replies, '[]'::jsonb);
BEGIN
    IF jsonb_typeof(v_replies) <> 'array' THEN
        RAISE EXCEPTION 'finish_turn needs a JSON array of replies' USING ERRCODE = '22023';
    END IF;
    SELECT * INTO t FROM public.turns WHERE wa_msg_id = p_wa_msg_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN jsonb_build_object('finished', false, 'replies', '[]'::jsonb);
    ELSIF t.status = 'done' THEN
        RETURN jsonb_build_object('finished', false, 'replies', t.replies);
    ELSIF t.status <> 'running' OR t.attempts <> p_attempt THEN
        RETURN jsonb_build_object('finished', false, 'replies', '[]'::jsonb);
    END IF;
    UPDATE public.turns
       SET status = 'done', replies = v_replies, finished_at = now()
     WHERE wa_msg_id = p_wa_msg_id;
    IF jsonb_array_length(v_replies) > 0 THEN
        INSERT INTO public.messages (customer_id, direction, type, content_text, media_url, meta)
        VALUES (t.customer_id, 'outbound', coalesce(p_type, 'text'), p_content_text, p_media_url,
                coalesce(p_meta, '{}'::jsonb));
    END IF;
    RETURN jsonb_build_object('finished', true, 'replies', v_replies);
END
$$;

-- A turn raised: release it so the next delivery runs it again (attempts keeps counting).
-- Only the attempt that holds it may release it. Returns {released, attempts}.
CREATE FUNCTION public.fail_turn(p_wa_msg_id text, p_attempt integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    t public.turns;
BEGIN
    UPDATE public.turns SET status = 'failed'
     WHERE wa_msg_id = p_wa_msg_id AND status = 'running' AND attempts = p_attempt
    RETURNING * INTO t;
    IF NOT FOUND THEN
        SELECT * INTO t FROM public.turns WHERE wa_msg_id = p_wa_msg_id;
        RETURN jsonb_build_object('released', false, 'attempts', coalesce(t.attempts, 0));
    END IF;
    RETURN jsonb_build_object('released', true, 'attempts', t.attempts);
END
$$;
