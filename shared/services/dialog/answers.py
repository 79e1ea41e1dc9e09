"""Whether a message answers the question the bot just asked, and with what.

An open question holds only for the messages that answer it: "0812…" answers "Nomor tujuannya
berapa?", "100rb" answers "Mau isi saldo berapa?", "bca" answers "Ke bank apa?". A message that
is confidently something else — another product, a saldo question, a price question — is not
an answer, whatever numbers it carries, and goes to the rules as a new message.
"""

from __future__ import annotations

import re

from shared.domain.clauses import clauses
from shared.domain.parser import ParseResult, read_slots
from shared.services.dialog.state import DialogState, SlotValue

CONFIDENT = 0.75
IDENTIFIER_SLOTS = {"target", "customer_no", "account_no"}
# Digits a short game id or customer number may have that the identifier reader leaves alone.
_SHORT_ID = re.compile(r"^\D{0,20}(\d[\d\s()/|-]{3,30}\d)\D{0,30}$")
_MAX_WORDS_WITH_RAW_ID = 4
_NEUTRAL = {"unknown", "greet", "smalltalk"}
# Another money request is a new request even when it carries the asked slot ("mau deposit aja
# 50rb" while a transfer's amount is asked).
_REQUESTS = {"topup_create", "bill_check", "bill_pay", "deposit_create", "transfer_create"}
# The questions this module reads answers to; any other asked slot gets the text as written.
_OURS = IDENTIFIER_SLOTS | {"amount", "bank", "product", "brand", "ref"}


def slot_answer(state: DialogState, text: str, result: ParseResult) -> dict[str, SlotValue] | None:
    """The slots `text` fills for the open question, or None when it is not an answer."""
    asking = state.asking
    if asking is None:
        return None
    # "pln" answers "Tagihan apa?" though it reads as a price question, "qris aja" answers
    # "lewat apa?" though it reads as a question about methods: they carry the asked slot.
    naming = asking in {"brand", "product"} and result.intent == "price_lookup"
    carries = bool(result.slots.get(asking)) and result.intent not in _REQUESTS
    other = result.intent not in _NEUTRAL | {state.intent}
    if result.confidence >= CONFIDENT and other and not (naming or carries):
        return None  # confidently something else: "saldo aku brp", "deposit aja 50rb"
    found = _slots(text)
    if asking not in _OURS or state.slots.get("keep_code"):
        # A question whose handler reads the answer itself (the operator question, the
        # zone of a game id): it gets the words as written, as long as they are not
        # confidently something else (checked above).
        return {**found, asking: text.strip()}
    names_goods = bool(found.get("brand") or found.get("product"))
    if result.confidence >= CONFIDENT and names_goods and asking in IDENTIFIER_SLOTS:
        return None  # "token listrik aja 20rb ke 5312…" names a product: a new request
    if asking in {"product", "brand"}:
        return _naming(state, asking, found)
    value = _value(asking, text, found)
    return None if value is None else {**found, asking: value}


def _naming(
    state: DialogState, asking: str, found: dict[str, SlotValue]
) -> dict[str, SlotValue] | None:
    """What answers "which product?" or "which bill?": a product or brand word."""
    named = found.get("brand") or found.get("product")
    if named:
        return {**found, asking: found.get(asking) or named}
    phone = str(state.slots.get("target", "")).startswith("08")
    if asking == "product" and phone and isinstance(found.get("amount"), int):
        return {**found, "product": "pulsa"}  # "20rb" for a phone number: pulsa of that amount
    return None


def _slots(text: str) -> dict[str, SlotValue]:
    """Every slot of every clause ("ini kak 5312…, buat rumah ibu"), the first value winning."""
    merged: dict[str, SlotValue] = {}
    for part in clauses(text) or [text]:
        for key, value in read_slots(part).items():
            merged.setdefault(key, value)
    return merged


def _value(asking: str, text: str, found: dict[str, SlotValue]) -> SlotValue | None:
    if asking in IDENTIFIER_SLOTS:
        for key in (asking, "target", "customer_no", "account_no"):
            if found.get(key):
                return found[key]
        raw = _SHORT_ID.match(text.strip())
        if raw and len(text.split()) <= _MAX_WORDS_WITH_RAW_ID:
            return raw.group(1)
        return None
    if asking == "amount":
        amount = found.get("amount")
        return amount if isinstance(amount, int) else None
    return found.get(asking)
