-- The outbox: every message that must leave and could not be published at once (or whose
-- trigger cannot be repeated) waits here, `pending`, until a publish succeeded.
--
-- Why an outbox rather than "let the publish failure propagate and be redelivered": a
-- notification's trigger is a ledger transition, which happens exactly once and is never
-- redelivered. If the publish after a capture failed (or the process died right after it), no
-- retry of anything would ever send that serial number. So the intent to notify is recorded in
-- the SAME transaction as the transition, by the triggers below, and owner alerts are recorded
-- before they are published. A turn's replies are already durable with the turn (`turns`,
-- 0011) and the inbound delivery is only acknowledged after they were handed over, so they
-- enter the outbox only when their publish failed: the hot path writes nothing extra.
-- Publishers mark what went out; `outbox_due` hands whatever is still pending after a grace
-- period to a drain (the deliver_outbox job), retried with a growing pause. Every row has the
-- stable id of the message it becomes, and the relay sends each id at most once, so a publish
-- that happens twice is harmless.

CREATE TABLE public.outbox (
    id           text PRIMARY KEY,        -- the OutboundMessage id (sent at most once by the relay)
    customer_id  uuid REFERENCES public.customers (id) ON DELETE CASCADE,
    message      jsonb,                   -- an OutboundMessage, ready to publish
    notification jsonb,                   -- or a Notification, rendered when it is published
    state        text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent')),
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    due_at       timestamptz NOT NULL DEFAULT now() + interval '30 seconds',
    sent_at      timestamptz,
    CHECK ((message IS NULL) <> (notification IS NULL))
);
CREATE INDEX outbox_due ON public.outbox (due_at) WHERE state = 'pending';

-- Record a message to publish (the caller publishes it next). {inserted, state}: inserted is
-- false when the id was recorded before (state tells whether it already went out).
CREATE FUNCTION public.outbox_put(
    p_id text, p_message jsonb, p_customer_id uuid DEFAULT NULL
) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_state text;
BEGIN
    INSERT INTO public.outbox (id, customer_id, message)
    VALUES (p_id, p_customer_id, p_message)
    ON CONFLICT (id) DO NOTHING;
    IF FOUND THEN
        RETURN jsonb_build_object('inserted', true, 'state', 'pending');
    END IF;
    SELECT state INTO v_state FROM public.outbox WHERE id = p_id;
    RETURN jsonb_build_object('inserted', false, 'state', v_state);
END
$$;

-- These went out (published on the bus, or told to the customer another way): p_ids is a JSON
-- array of ids (JSON, so every transport passes it alike). {sent: count}.
CREATE FUNCTION public.outbox_sent(p_ids jsonb) RETURNS jsonb
LANGUAGE sql AS $$
    WITH done AS (
        UPDATE public.outbox SET state = 'sent', sent_at = now()
         WHERE id IN (SELECT jsonb_array_elements_text(p_ids)) AND state = 'pending'
        RETURNING id
    )
    SELECT jsonb_build_object('sent', (SELECT count(*) FROM done))
$$;

-- The drain's work: pending rows that are due, oldest first. Each is claimed by moving its due
-- time on (a pause that doubles per attempt, 30 s up to 10 minutes), so concurrent drains take
-- different rows and a failed publish is tried again later. [{id, customer_id, message,
-- notification, attempts, created_at}].
CREATE FUNCTION public.outbox_due(p_limit integer DEFAULT 100, p_now timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_now timestamptz := coalesce(p_now, now());
    v_rows jsonb;
BEGIN
    WITH due AS (
        SELECT id FROM public.outbox
         WHERE state = 'pending' AND due_at <= v_now
         ORDER BY due_at, created_at
         LIMIT greatest(p_limit, 0)
         FOR UPDATE SKIP LOCKED
    ),
    claimed AS (
        UPDATE public.outbox o
           SET attempts = o.attempts + 1,
               due_at = v_now + least(interval '10 minutes',
                                      interval '30 seconds' * power(2, least(o.attempts, 8)))
          FROM due WHERE o.id = due.id
        RETURNING o.id, o.customer_id, o.message, o.notification, o.attempts, o.created_at
    )
    SELECT coalesce(jsonb_agg(to_jsonb(c) ORDER BY c.created_at, c.id), '[]'::jsonb)
      INTO v_rows FROM claimed c;
    RETURN v_rows;
END
$$;

-- A document reaching a final state queues its customer notification, named like the
-- notifier names it (n:{kind}:{reff_id}). Deferred to the commit, so the saldo it reports is
-- the one the transaction leaves.
CREATE FUNCTION private.queue_notification(
    p_kind text, p_reff_id text, p_customer_id uuid, p_fields jsonb
) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO public.outbox (id, customer_id, notification)
    VALUES ('n:' || p_kind || ':' || p_reff_id, p_customer_id,
            jsonb_strip_nulls(p_fields || jsonb_build_object(
                'kind', p_kind, 'customer_id', p_customer_id, 'reff_id', p_reff_id,
                'balance', private.balance_of(p_customer_id))))
    ON CONFLICT (id) DO NOTHING
$$;

CREATE FUNCTION private.queue_order_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    o public.orders;
BEGIN
    SELECT * INTO o FROM public.orders WHERE id = NEW.id;
    IF o.status = 'success' THEN
        PERFORM private.queue_notification('order_success', o.reff_id, o.customer_id,
            jsonb_build_object('product', coalesce(nullif(o.layanan, ''), o.code),
                               'target', o.target, 'price', o.price, 'sn', o.sn));
    ELSIF o.status = 'failed' THEN
        PERFORM private.queue_notification('order_failed', o.reff_id, o.customer_id,
            jsonb_build_object('product', coalesce(nullif(o.layanan, ''), o.code),
                               'target', o.target, 'price', o.price, 'amount', o.price,
                               'reason', o.failure_reason));
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER orders_queue_notification AFTER UPDATE OF status ON public.orders
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
    EXECUTE FUNCTION private.queue_order_notification();

-- A deposit without a supplier invoice (its creation failed) was never shown to the customer:
-- closing it tells nobody anything.
CREATE FUNCTION private.queue_deposit_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    d public.deposits;
BEGIN
    SELECT * INTO d FROM public.deposits WHERE id = NEW.id;
    IF d.status = 'success' THEN
        PERFORM private.queue_notification('deposit_credited', d.reff_id, d.customer_id,
            jsonb_build_object('amount', d.get_balance, 'quote_id', d.quote_id));
    ELSIF d.status IN ('expired', 'cancel', 'failed') AND d.atl_id IS NOT NULL THEN
        PERFORM private.queue_notification('deposit_expired', d.reff_id, d.customer_id,
            jsonb_build_object('amount', d.nominal, 'reason', d.status));
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER deposits_queue_notification AFTER UPDATE OF status ON public.deposits
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (OLD.status IN ('pending', 'processing')
          AND NEW.status NOT IN ('pending', 'processing'))
    EXECUTE FUNCTION private.queue_deposit_notification();

CREATE FUNCTION private.queue_transfer_notification() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    t public.transfers;
BEGIN
    SELECT * INTO t FROM public.transfers WHERE id = NEW.id;
    IF t.status = 'success' THEN
        PERFORM private.queue_notification('transfer_success', t.reff_id, t.customer_id,
            jsonb_build_object('product', t.bank_code, 'target', t.nomor_tujuan,
                               'amount', t.nominal));
    ELSIF t.status = 'failed' THEN
        PERFORM private.queue_notification('transfer_failed', t.reff_id, t.customer_id,
            jsonb_build_object('product', t.bank_code, 'target', t.nomor_tujuan,
                               'amount', t.total, 'reason', t.failure_reason));
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER transfers_queue_notification AFTER UPDATE OF status ON public.transfers
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.status = 'pending' AND NEW.status <> 'pending')
    EXECUTE FUNCTION private.queue_transfer_notification();

-- The orders waiting for their shortfall deposit: a credited deposit whose quote is still open,
-- or was placed (the hold taken) by a process that died before the supplier was called (its
-- order is pending and was never submitted). `followup.complete_waiting_orders` retries each
-- until it is submitted, or its quote was cancelled, superseded or expired.
-- [{quote_id, customer_id, deposit_reff_id, credited_at}], oldest credit first.
CREATE INDEX deposits_quote ON public.deposits (quote_id) WHERE quote_id IS NOT NULL;
CREATE FUNCTION public.waiting_orders(p_limit integer DEFAULT 100) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
               'quote_id', x.quote_id, 'customer_id', x.customer_id,
               'deposit_reff_id', x.reff_id, 'credited_at', x.credited_at)
             ORDER BY x.credited_at, x.reff_id), '[]'::jsonb)
      FROM (SELECT q.id AS quote_id, q.customer_id, d.reff_id, d.credited_at
              FROM public.deposits d
              JOIN public.quotes q ON q.id = d.quote_id
             WHERE d.status = 'success'
               AND (q.status = 'open'
                    OR (q.status = 'confirmed'
                        AND (EXISTS (SELECT 1 FROM public.orders o
                                      WHERE o.quote_id = q.id AND o.status = 'pending'
                                        AND o.submitted_at IS NULL)
                             OR EXISTS (SELECT 1 FROM public.transfers t
                                         WHERE t.quote_id = q.id AND t.status = 'pending'
                                           AND t.submitted_at IS NULL))))
             ORDER BY d.credited_at, d.reff_id
             LIMIT greatest(p_limit, 0)) x
$$;
