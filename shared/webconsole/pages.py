"""The console's pages (GET): Today, orders, one order, customers, one customer, prices, keys."""

from __future__ import annotations

import re
import uuid

from flask import abort, render_template, request

from shared.services.admin import markup_rules
from shared.store import Store
from shared.webconsole import keys, prices
from shared.webconsole.context import (
    ConsoleContext,
    bounded_int,
    clean,
    day_after,
    day_start,
    is_uuid,
    phone_digits,
)
from shared.webconsole.timeline import timeline
from shared.webconsole.today import today

PAGE_SIZE = 50
ORDER_STATES = {"pending": "Diproses", "success": "Sukses", "failed": "Gagal"}
REF = re.compile(r"^[A-Za-z0-9-]{4,64}$")


class Pages:
    """Read-only views; each renders one template."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx

    @property
    def _store(self) -> Store:
        return self.ctx.components.store

    def today_page(self) -> str:
        """Sales, chart, orders by state, supplier balance, keys, tiers."""
        return render_template("console/today.html", data=today(self.ctx.components))

    def orders(self) -> str:
        """Order search by reference, phone, product, state and dates."""
        args = request.args
        page = bounded_int(args.get("page"), default=1, low=1, high=10_000)
        status = args.get("status") or None
        rows = self._store.console_orders(
            ref=clean(args.get("ref")),
            phone=phone_digits(args.get("phone")),
            product=clean(args.get("product")),
            status=status if status in ORDER_STATES else None,
            created_from=day_start(args.get("from")),
            created_to=day_after(args.get("to")),
            limit=PAGE_SIZE + 1,
            offset=(page - 1) * PAGE_SIZE,
        )
        return render_template(
            "console/orders.html",
            rows=rows[:PAGE_SIZE],
            more=len(rows) > PAGE_SIZE,
            page=page,
            args=args,
            states=ORDER_STATES,
        )

    def order(self, ref: str) -> str:
        """One order with its timeline and the retry/refund actions."""
        record = self._store.console_order(ref) if REF.match(ref) else None
        if record is None:
            abort(404)
        return render_template("console/order.html", record=record, steps=timeline(record))

    def customers(self) -> str:
        """Customers by saldo, searchable by phone or name."""
        page = bounded_int(request.args.get("page"), default=1, low=1, high=10_000)
        query = clean(request.args.get("q"))
        if query and query.isdigit():
            query = phone_digits(query)
        rows = self._store.console_customers(
            query, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
        )
        return render_template(
            "console/customers.html",
            rows=rows[:PAGE_SIZE],
            more=len(rows) > PAGE_SIZE,
            page=page,
            q=request.args.get("q", ""),
        )

    def customer(self, customer_id: str) -> str:
        """One customer: saldo, ledger, deposits, orders, and the manual adjustment form."""
        record = self._store.console_customer(customer_id) if is_uuid(customer_id) else None
        if record is None:
            abort(404)
        # The form's own reference makes a resubmitted form an `already`, not a second credit.
        return render_template(
            "console/customer.html", record=record, form_ref=uuid.uuid4().hex[:16]
        )

    def prices_view(self) -> str:
        """Markup rules, the change form, refresh times and sold-out items."""
        return render_prices(self.ctx, prices.Change(), show_preview=False)

    def keys_view(self) -> str:
        """Every Gemini key's state, and the form to add one."""
        now = self.ctx.components.clock.now()
        return render_template("console/keys.html", keys=keys.key_views(self.ctx.components, now))


def render_prices(ctx: ConsoleContext, change: prices.Change, *, show_preview: bool) -> str:
    """The Prices page, with the preview of `change` when asked for."""
    components = ctx.components
    rules = markup_rules(components.store)
    products = prices.catalog_products(components)
    rows: list[prices.PreviewRow] = []
    error = ""
    if show_preview:
        try:
            after = change.apply(rules)
        except ValueError:
            error = prices.INVALID
        else:
            rows = prices.preview(prices.samples(products), rules, after)
    sold_out = prices.sold_out(products)
    return render_template(
        "console/prices.html",
        rules=rules,
        change=change,
        scopes=prices.SCOPES,
        rows=rows,
        error=error,
        sold_out=sold_out[: prices.SOLD_OUT_SHOWN],
        sold_out_total=len(sold_out),
        lists=components.store.console_price_lists(components.clock.now()),
    )
