-- One open shortfall deposit per quote, and where a deposit that is not a QRIS is paid to.
--
-- A quote the saldo cannot cover gets a deposit of the shortfall (deposits.quote_id). A repeated
-- YA, or a YA after the QRIS was sent, must show that same deposit again, never open a second
-- one: the unique index makes a second open deposit for one quote impossible whatever the
-- concurrency, and latest_deposit_for_quote finds the one to show again. Once that deposit is
-- closed (expired, cancelled, failed) a new one may be opened for the quote.
--
-- pay_to: what the customer pays into for a bank or e-wallet method (virtual account number and
-- holder, or a payment link), kept so the same instructions can be shown again. QRIS deposits
-- keep their payload in qr_string. Privileges: the runner's private.lock_down() (0013).

ALTER TABLE public.deposits ADD COLUMN pay_to text;

CREATE UNIQUE INDEX deposits_one_open_per_quote ON public.deposits (quote_id)
    WHERE quote_id IS NOT NULL AND status IN ('pending', 'processing');

-- The newest deposit made for a quote, whatever its status, or null.
CREATE FUNCTION public.latest_deposit_for_quote(p_quote_id uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT to_jsonb(d) FROM public.deposits d
     WHERE d.quote_id = p_quote_id
     ORDER BY d.created_at DESC LIMIT 1
$$;

-- Keep where a non-QRIS deposit is paid to. Returns the MoneyResult (done, or refused not_found).
CREATE FUNCTION public.set_deposit_pay_to(p_reff_id text, p_pay_to text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    d public.deposits;
BEGIN
    UPDATE public.deposits SET pay_to = p_pay_to, updated_at = now()
     WHERE reff_id = p_reff_id RETURNING * INTO d;
    IF NOT FOUND THEN
        RETURN private.result('refused', 'not_found', NULL, jsonb_build_object('reff_id', p_reff_id));
    END IF;
    RETURN private.result('done', NULL, d.customer_id, private.deposit_fields(d));
END
$$;
