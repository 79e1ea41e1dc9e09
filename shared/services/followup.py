"""Finishing an order by itself once the deposit that pays for it is credited (design.md §5)."""

from __future__ import annotations

import logging

from shared.log import hash_id
from shared.services.dialog.confirm import outcome_text
from shared.services.locks import customer_lock
from shared.services.quotes import execute_quote
from shared.wiring import Components

log = logging.getLogger(__name__)


def complete_waiting_quote(components: Components, customer_id: str, quote_id: str) -> str | None:
    """Execute the quote a credited deposit was made for; the customer's text, or None.

    The customer already said YA to this quote (the deposit was its shortfall), so it runs
    without asking again. Taken under the customer's lock so it never races their messages;
    a quote that is no longer open (cancelled, superseded by a new request, placed) is left.
    """
    with customer_lock(components.cache, customer_id):
        quote = components.store.get_quote(quote_id)
        if quote is None or quote.status != "open" or quote.customer_id != customer_id:
            return None
        result = execute_quote(components, customer_id, quote_id, components.clock.now())
        log.info("waiting quote of %s executed: %s", hash_id(customer_id), result.status)
        return outcome_text(quote, result)
