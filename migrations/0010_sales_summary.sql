-- Today's sales for the owner's /laporan: successful orders whose success landed on the given
-- day in WIB (Asia/Jakarta), with what customers paid (price) and what the supplier charged
-- (supplier_price, set at capture). Read-only; service role only like every function.
CREATE FUNCTION public.sales_summary(p_now timestamptz DEFAULT now()) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH bounds AS (
        SELECT (date_trunc('day', coalesce(p_now, now()) AT TIME ZONE 'Asia/Jakarta')
                    AT TIME ZONE 'Asia/Jakarta') AS day_start
    )
    SELECT jsonb_build_object(
        'day_start', b.day_start,
        'orders', count(o.id),
        'revenue', coalesce(sum(o.price), 0),
        'cost', coalesce(sum(coalesce(o.supplier_price, o.price)), 0))
      FROM bounds b
      LEFT JOIN public.orders o
        ON o.status = 'success'
       AND o.updated_at >= b.day_start
       AND o.updated_at < b.day_start + interval '1 day'
     GROUP BY b.day_start
$$;
