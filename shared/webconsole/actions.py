"""The console's actions (POST), through the same services as the WhatsApp admin commands.

Each redirects with a one-time notice afterwards.

Retry is `admin.retry_order` (settle after asking the supplier), refund `refund.refund_order`
(refused while the supplier says pending or success) with `/refund`'s replies,
markup `admin.markup_rules_with`/`bill_fee_rules_with` + `save_markup_rules`; a manual saldo
correction is `adjust_balance` behind `console_adjust_balance`, which records who and why.
Every action is remembered in `console_actions`.
"""

from __future__ import annotations

import re

from flask import abort, render_template, request
from werkzeug.wrappers import Response

from shared.domain.money_text import parse_amount
from shared.services import admin as admin_service
from shared.services.refund import refund_order
from shared.services.replies import rupiah
from shared.webconsole import keys, prices
from shared.webconsole.context import ConsoleContext, bounded_int, is_uuid
from shared.webconsole.fmt import signed_rupiah
from shared.webconsole.pages import render_prices

_FORM_REF = re.compile(r"^[0-9a-f]{16}$")


class Actions:
    """State-changing views; the guard has checked the session and the CSRF token."""

    def __init__(self, ctx: ConsoleContext) -> None:
        self.ctx = ctx

    def order_retry(self, ref: str) -> Response:
        """Ask the supplier again and settle, like `/retry REF`."""
        ref = ref.upper()
        outcome = admin_service.retry_order(self.ctx.components, ref)
        return self._done("retry", ref, admin_service.retry_reply(ref, outcome), ".order")

    def order_refund(self, ref: str) -> Response:
        """Refund a pending order, like `/refund REF` (the supplier is asked first)."""
        ref = ref.upper()
        if request.form.get("confirm") != "yes":
            return self.ctx.back(".order", "Centang konfirmasi dulu sebelum refund.", ref=ref)
        force = request.form.get("force") == "yes"
        outcome = refund_order(ref, self.ctx.components.settle_deps, force=force)
        message = admin_service.refund_reply(ref, outcome, force=force)
        return self._done("refund", ref, message, ".order")

    def customer_adjust(self, customer_id: str) -> Response:
        """Credit or debit a saldo by hand, with a required reason."""
        if not is_uuid(customer_id):
            abort(404)
        form = request.form
        amount = parse_amount(form.get("amount", ""))
        reason = form.get("reason", "").strip()[:200]
        form_ref = form.get("ref", "")
        if not amount or amount <= 0 or not reason or not _FORM_REF.match(form_ref):
            return self.ctx.back(
                ".customer", "Isi jumlah dan alasan penyesuaian.", customer_id=customer_id
            )
        signed = -amount if form.get("direction") == "debit" else amount
        phone = self.ctx.admin.phone
        result = self.ctx.components.store.console_adjust_balance(
            customer_id, signed, ref=f"adj:{phone}:{form_ref}", admin_phone=phone, reason=reason
        )
        if result.outcome == "done":
            message = (
                f"Saldo {signed_rupiah(signed)} ✅ Saldo sekarang {rupiah(result.balance or 0)}."
            )
        elif result.outcome == "already":
            message = "Penyesuaian ini sudah tercatat sebelumnya, tidak diulang."
        else:
            message = "Saldo pelanggan tidak cukup untuk dikurangi sebanyak itu."
        return self.ctx.back(".customer", message, customer_id=customer_id)

    def prices_change(self) -> str | Response:
        """Preview a markup change, or save it like `/markup`."""
        change = prices.Change.from_form(request.form)
        if request.form.get("action") != "save":
            return render_prices(self.ctx, change, show_preview=True)
        store = self.ctx.components.store
        try:
            after = change.apply(admin_service.markup_rules(store))
        except ValueError:
            return render_prices(self.ctx, change, show_preview=True)
        admin_service.save_markup_rules(store, after)
        store.console_record_action(
            self.ctx.admin.phone,
            "markup",
            change.scope,
            {"name": change.name, "value": change.value},
        )
        return self.ctx.back(".prices_view", "Markup disimpan ✅ (berlaku dalam 1 menit)")

    def prices_preview(self) -> str:
        """The preview table alone, for the page's script as the owner types."""
        components = self.ctx.components
        change = prices.Change.from_form(request.form)
        rules = admin_service.markup_rules(components.store)
        try:
            after = change.apply(rules)
        except ValueError:
            return render_template("console/_preview.html", rows=[], error=prices.INVALID)
        rows = prices.preview(prices.samples(prices.catalog_products(components)), rules, after)
        return render_template("console/_preview.html", rows=rows, error="")

    def keys_add(self) -> Response:
        """Store a Gemini key encrypted; it is never shown again."""
        form = request.form
        try:
            secret = keys.clean_key(form.get("key", ""))
        except ValueError:
            return self.ctx.back(".keys_view", "Kunci tidak tersimpan: formatnya bukan kunci API.")
        priority = bounded_int(form.get("priority"), default=100, low=0, high=1000)
        added = keys.add_key(
            self.ctx.components, secret, label=form.get("label", ""), priority=priority
        )
        self.ctx.components.store.console_record_action(self.ctx.admin.phone, "key_add", added.id)
        if not added.created:
            return self.ctx.back(".keys_view", "Kunci itu sudah tersimpan sebelumnya.")
        return self.ctx.back(".keys_view", "Kunci Gemini ditambahkan ✅ (tersimpan terenkripsi)")

    def keys_switch(self, key_id: str, verb: str) -> Response:
        """Enable or disable a key of the table."""
        if verb not in {"enable", "disable"} or not is_uuid(key_id):
            abort(404)
        store = self.ctx.components.store
        updated = store.update_api_key(key_id, enabled=verb == "enable")
        if updated is None:
            abort(404)
        store.console_record_action(self.ctx.admin.phone, f"key_{verb}", key_id)
        word = "diaktifkan" if verb == "enable" else "dinonaktifkan"
        return self.ctx.back(".keys_view", f"Kunci {updated.label or key_id[:8]} {word}.")

    def _done(self, action: str, ref: str, message: str, endpoint: str) -> Response:
        self.ctx.components.store.console_record_action(
            self.ctx.admin.phone, action, ref, {"result": message}
        )
        return self.ctx.back(endpoint, message, ref=ref)
