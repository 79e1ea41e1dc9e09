-- History shows a deposit as what was paid (its nominal), the figure the deposit's status and its
-- QRIS show too; before, history showed the credit (or the invoice's estimate of it) while the
-- status showed the nominal, two amounts for one deposit. The credit is in the deposit itself.

CREATE OR REPLACE FUNCTION public.history(p_customer_id uuid, p_limit integer DEFAULT 10)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT coalesce(jsonb_agg(to_jsonb(h) ORDER BY h.created_at DESC, h.id), '[]'::jsonb)
      FROM (
        SELECT * FROM (
            SELECT 'order' AS kind, id, reff_id, status, price AS amount, layanan AS label,
                   target, sn, created_at
              FROM public.orders WHERE customer_id = p_customer_id
            UNION ALL
            SELECT 'deposit', id, reff_id, status, nominal, metode, NULL, NULL, created_at
              FROM public.deposits WHERE customer_id = p_customer_id
            UNION ALL
            SELECT 'transfer', id, reff_id, status, total, bank_code, nomor_tujuan, NULL,
                   created_at
              FROM public.transfers WHERE customer_id = p_customer_id
        ) u ORDER BY created_at DESC, id LIMIT greatest(p_limit, 0)
      ) h
$$;
