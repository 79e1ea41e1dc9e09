"""Orders waiting for their shortfall deposit: placed once the deposit is credited, retried.

The customer said YA to a quote and was short of saldo; a QRIS deposit of the shortfall was
made for it (`deposits.quote_id`), and the customer was told the order completes by itself.
That is work of its own, not a side effect of a notification: `Store.waiting_orders` lists
every credited deposit whose quote is still open, and `complete_waiting_orders` (run by the
reconcile job) places each one, under the customer's lock so it never races their messages;
an order whose hold was taken by a process that died before it reached the supplier is listed
too, and submitted the same way.
Right after the credit the notifier tries once at once (`try_waiting_order`); if the customer
is busy at that moment, or anything fails, the next run of the job does it. A quote that is no
longer open (placed, cancelled, superseded by a new request, expired) leaves the list by itself.
"""

from __future__ import annotations

import logging
from collections import Counter

from shared.log import correlation, hash_id
from shared.services import language
from shared.services.dialog.confirm import outcome_text
from shared.services.locks import CustomerBusy, customer_lock
from shared.services.quotes import execute_quote
from shared.wiring import Components

log = logging.getLogger(__name__)

FAST_LOCK_WAIT_SECONDS = 2.0
"""Right after the credit: how long to wait for a busy customer before leaving it to the job."""


def try_waiting_order(
    components: Components,
    customer_id: str,
    quote_id: str,
    deposit_reff_id: str,
    *,
    lock_wait_seconds: float = FAST_LOCK_WAIT_SECONDS,
) -> str:
    """Place the order waiting for a credited deposit; what happened (never raises).

    `placed`: executed and the customer told; `gone`: the quote is no longer open; `busy`: the
    customer's lock was held; `failed`: an error (logged). Busy and failed are retried by the
    reconcile job.
    """
    with correlation(reff_id=deposit_reff_id):
        try:
            with customer_lock(components.cache, customer_id, wait_seconds=lock_wait_seconds):
                return _place(components, customer_id, quote_id, deposit_reff_id)
        except CustomerBusy:
            log.info("waiting order of %s: customer busy, left for the job", hash_id(customer_id))
            return "busy"
        except Exception:
            log.exception("waiting order of %s failed; the job retries", hash_id(customer_id))
            return "failed"


def _place(components: Components, customer_id: str, quote_id: str, deposit_reff_id: str) -> str:
    quote = components.store.get_quote(quote_id)
    # `confirmed`: placed by a process that died before the supplier; executing it again is
    # idempotent (the hold is not taken twice) and submits it.
    if (
        quote is None
        or quote.status not in ("open", "confirmed")
        or quote.customer_id != customer_id
    ):
        return "gone"
    result = execute_quote(components, customer_id, quote_id, components.clock.now())
    log.info("waiting quote of %s executed: %s", hash_id(customer_id), result.status)
    # In the customer's language: this also runs from the reconcile job, outside any turn.
    with language.speaking(language.remembered(components.cache, customer_id)):
        text = outcome_text(quote, result)
    if text:
        components.notifier.to_customer(
            customer_id,
            text,
            correlation_id=deposit_reff_id,
            message_id=f"n:deposit_credited:{deposit_reff_id}:order",
        )
    return "placed"


def complete_waiting_orders(components: Components, *, limit: int = 100) -> dict[str, int]:
    """Place every order still waiting for a credited deposit; counts per outcome."""
    outcomes: Counter[str] = Counter()
    for waiting in components.store.waiting_orders(limit=limit):
        outcomes[
            try_waiting_order(
                components, waiting.customer_id, waiting.quote_id, waiting.deposit_reff_id
            )
        ] += 1
    return dict(outcomes)
