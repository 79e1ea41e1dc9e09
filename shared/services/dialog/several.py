"""Several requests in one message, and requests wrapped in chatter.

`requests_in(text, read)` cuts the message into clauses (`shared.domain.clauses`) and keeps the
ones that are requests on their own ("pulsa tsel 10rb ke 0812…", "token pln 20rb ke 5312…",
"saldo aku brp"). Clauses that say nothing the bot acts on ("tolong cepet ya", "makasih kak")
are chatter and dropped; a clause that carries numbers or product words the bot cannot place
makes the whole message too unclear to split, so it is read as one.

The engine answers the requests in order. Each money movement gets its own card and YA: the
requests after the first card wait in a small queue (`dialog-queue:{customer_id}` in the cache)
and the next one is shown after that card's YA or BATAL; the customer is told which ones follow.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from shared.domain.aliases import aliases
from shared.domain.clauses import clauses
from shared.domain.parser import ParseResult, read_slots
from shared.services.dialog.turn import Turn

QUEUE_TTL_SECONDS = 30 * 60
CONFIDENT = 0.75
# Intents that are chatter around a request rather than requests of their own.
_CHATTER = {"greet", "smalltalk", "help", "unknown", "confirm", "cancel"}


@dataclass(frozen=True, kw_only=True)
class Request:
    """One clause that asks for something, as the parser read it."""

    text: str
    result: ParseResult


def requests_in(text: str, read: Callable[[str], ParseResult]) -> list[Request] | None:
    """The requests of a message cut into clauses; None when it is one clause or unclear.

    A clause that only gives a number ("nomor meternya 5312…") belongs to the one request of
    the message; next to several requests nobody can tell which, so the message is unclear.
    """
    parts = clauses(text)
    if len(parts) < 2:  # noqa: PLR2004 -- one clause is the ordinary case
        return None
    found: list[Request] = []
    vague: list[Request] = []
    numbers: dict[str, str | int] = {}
    for part in parts:
        result = read(part)
        if result.intent not in _CHATTER and result.confidence >= CONFIDENT:
            (vague if _only_a_category(result) else found).append(
                Request(text=part, result=result)
            )
            continue
        if result.intent in {"greet", "smalltalk", "confirm", "cancel"}:
            continue
        carried = read_slots(part)
        if set(carried) - _NUMBER_SLOTS:
            return None  # product words or amounts we cannot place: do not guess where they go
        numbers.update({k: v for k, v in carried.items() if k not in numbers})
    requests = found or vague
    if not numbers:
        return requests
    if len(requests) != 1:
        return None
    only = requests[0]
    slots = {**numbers, **only.result.slots}
    merged = ParseResult(only.result.intent, slots, only.result.confidence)
    return [Request(text=text, result=merged)]


_NUMBER_SLOTS = {"target", "customer_no", "account_no"}


def _only_a_category(result: ParseResult) -> bool:
    """A price question naming nothing but a category ("game", "pulsa")."""
    slots = result.slots
    if result.intent != "price_lookup" or set(slots) - {"brand", "product"}:
        return False
    categories = {name for kind, name in aliases().phrases.values() if kind == "category"}
    return str(slots.get("brand", "")) in categories and slots.get("product") in {None, "pulsa"}


def _key(turn: Turn) -> str:
    return f"dialog-queue:{turn.customer_id}"


def save_queue(turn: Turn, texts: list[str]) -> None:
    """Remember the requests that follow the card shown now."""
    turn.components.cache.set(_key(turn), json.dumps(texts), ttl_seconds=QUEUE_TTL_SECONDS)


def queued(turn: Turn) -> list[str]:
    """The requests still waiting, in order."""
    raw = turn.components.cache.get(_key(turn))
    if raw is None:
        return []
    try:
        texts = json.loads(raw)
    except ValueError:
        return []
    return [str(t) for t in texts] if isinstance(texts, list) else []


def pop_queue(turn: Turn) -> str | None:
    """The next waiting request (removed from the queue), or None."""
    texts = queued(turn)
    if not texts:
        return None
    if texts[1:]:
        save_queue(turn, texts[1:])
    else:
        turn.components.cache.delete(_key(turn))
    return texts[0]


def drop_queue(turn: Turn) -> list[str]:
    """Forget the waiting requests; returns them so the customer can be told."""
    texts = queued(turn)
    if texts:
        turn.components.cache.delete(_key(turn))
    return texts
