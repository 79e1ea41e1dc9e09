"""What the bot is waiting for from one customer: a missing slot, a numbered choice, a quote.

Kept in the cache as one small JSON value per customer (`dialog:{customer_id}`) with a TTL, so
every instance sees the same conversation and a forgotten question simply expires. The quote
itself lives in the ledger; the state only remembers which intent it belongs to.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.domain.money_text import find_amounts
from shared.domain.targets import ascii_digits
from shared.ports import Cache

STATE_TTL_SECONDS = 30 * 60
SlotValue = str | int


class Choice(BaseModel):
    """One numbered option: the slots it fills when the customer answers with its number."""

    model_config = ConfigDict(frozen=True)

    label: str
    slots: dict[str, SlotValue] = Field(default_factory=dict)
    intent: str | None = None


class DialogState(BaseModel):
    """The pending question of one customer (empty when nothing is pending)."""

    intent: str | None = None
    slots: dict[str, SlotValue] = Field(default_factory=dict)
    asking: str | None = None
    choices: list[Choice] = Field(default_factory=list)
    quote_id: str | None = None
    quote_intent: str | None = None

    @property
    def empty(self) -> bool:
        """True when the bot is not waiting for anything."""
        return not (self.intent or self.choices or self.quote_id)


def _key(customer_id: str) -> str:
    return f"dialog:{customer_id}"


def load_state(cache: Cache, customer_id: str) -> DialogState:
    """The customer's pending state, or an empty one (also when the stored value is corrupt)."""
    raw = cache.get(_key(customer_id))
    if raw is None:
        return DialogState()
    try:
        return DialogState.model_validate_json(raw)
    except ValidationError:
        return DialogState()


def save_state(cache: Cache, customer_id: str, state: DialogState) -> None:
    """Store the state, or forget it when empty."""
    if state.empty:
        cache.delete(_key(customer_id))
        return
    cache.set(_key(customer_id), state.model_dump_json(), ttl_seconds=STATE_TTL_SECONDS)


def amount_of(slots: dict[str, SlotValue]) -> int | None:
    """The `amount` slot as rupiah: the parser's number, or an answer typed as text ("20rb").

    A minus sign, a non-number or two amounts at once is no amount.
    """
    value = slots.get("amount")
    if isinstance(value, int):
        return value if value > 0 else None
    said = [a.value for a in find_amounts(ascii_digits(str(value or ""))) if a.has_unit]
    return said[0] if len(said) == 1 else None
