"""Named log events: the contract between the code, the log-based alerts and the operator's guide.

Cloud Monitoring pages on these names (`infra/monitoring.tf` filters on `jsonPayload.event`), and
`docs/operations.md` explains each alert. Emit them with `log_event`, never by hand-writing the
name into a message: the JSON formatter puts the name in the `event` field and the keyword fields
beside it, and the all-in-one server counts them in `salesbot_events_total` for Prometheus.

Who emits what (one line per occurrence; alerts fire on any occurrence in a 5-minute window):

- `gemini_all_keys_cooling`: a turn found every Gemini key cooling down, or the reactivation job
  ended with zero active keys. Fields: `keys` (total), `active` (0).
- `supplier_balance_low`: the balance check saw the supplier balance below
  `SUPPLIER_BALANCE_ALERT`. Fields: `balance`, `threshold` (integer rupiah).
- `order_pending_too_long`: the reconciler left an order, deposit or transfer pending past
  `RECONCILE_ALERT_MINUTES`. Fields: `kind` (order|deposit|transfer), `reff_id`, `minutes`.
- `relay_logged_out`, `relay_temporary_ban`, `relay_client_outdated`, `relay_stream_replaced`:
  the relay's session stopped (whatsapp.md §3). Fields: `reason`, and `expire` for a ban.
- `relay_offline`: the relay's session has not been connected for 5 minutes (after start-up, a
  dropped socket or the end of a ban) and nothing else paged for it. Field: `reason` (offline).
- `supplier_ip_rejected`: Atlantic refused a call because our IP is not whitelisted. Field: `ip`
  (the address Atlantic reported, our egress address, not a customer's).

`infra/monitoring.tf` also matches the stable log messages some of these conditions already
produce (e.g. "every Gemini key is cooling down", "... is not whitelisted"), so the
alerts work with either form; `log_event` is the one to use in new code.
"""

from __future__ import annotations

import logging
from enum import StrEnum

FieldValue = str | int | float | bool | None


class Event(StrEnum):
    """Every structured log event name (all of them page today, see `PAGING_EVENTS`)."""

    GEMINI_ALL_KEYS_COOLING = "gemini_all_keys_cooling"
    SUPPLIER_BALANCE_LOW = "supplier_balance_low"
    ORDER_PENDING_TOO_LONG = "order_pending_too_long"
    RELAY_LOGGED_OUT = "relay_logged_out"
    RELAY_TEMPORARY_BAN = "relay_temporary_ban"
    RELAY_CLIENT_OUTDATED = "relay_client_outdated"
    RELAY_STREAM_REPLACED = "relay_stream_replaced"
    RELAY_OFFLINE = "relay_offline"
    SUPPLIER_IP_REJECTED = "supplier_ip_rejected"


PAGING_EVENTS: frozenset[Event] = frozenset(Event)


def log_event(
    logger: logging.Logger,
    event: Event,
    message: str,
    /,
    *args: object,
    level: int | None = None,
    **fields: FieldValue,
) -> None:
    """Log `message % args` as the named event, with `fields` as structured JSON fields.

    The level defaults to WARNING (ERROR for the relay's events: customers get no replies). Never
    pass a phone number or a secret as a field: use `shared.log.hash_id` for people.
    """
    from shared import metrics  # noqa: PLC0415 (metrics imports prometheus_client; keep it lazy)

    if level is None:
        level = logging.ERROR if event.startswith("relay_") else logging.WARNING
    metrics.EVENTS.labels(event=event.value).inc()
    logger.log(level, message, *args, extra={"event": event.value, "event_fields": fields})
