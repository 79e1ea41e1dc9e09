"""A chat the bot stays quiet in: the owner typed there, or the customer asked for a person.

The pause lives on the customer row (`paused_until`) and in the cache, which `handle_inbound`
reads on every message; while it runs the bot answers nothing in that chat.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from shared.log import hash_id

if TYPE_CHECKING:
    from shared.wiring import Components

log = logging.getLogger(__name__)

PAUSE_CACHE_SECONDS = 24 * 3600


def pause_key(customer_id: str) -> str:
    """The cache key of a customer's pause."""
    return f"pause:{customer_id}"


def pause(components: Components, customer_id: str, until: datetime) -> None:
    """Keep the bot quiet in this customer's chat until `until`."""
    components.store.set_customer_pause(customer_id, until)
    components.cache.set(
        pause_key(customer_id), until.isoformat(), ttl_seconds=PAUSE_CACHE_SECONDS
    )
    log.info("chat %s paused until %s", hash_id(customer_id), until)


def paused(components: Components, customer_id: str, now: datetime) -> bool:
    """Whether the bot is still pausing in this chat."""
    until = components.cache.get(pause_key(customer_id))
    return until is not None and datetime.fromisoformat(until) > now
