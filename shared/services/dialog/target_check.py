"""Whether a target can be right for a product, checked before any quote.

Each product takes one kind of target (`kind_of`): a phone number of its own operator (pulsa,
data), a phone number of any operator (e-wallets), a PLN meter number or customer id, a game id
(with its zone for games that have zones), or anything else (vouchers, streaming: lenient).
`normalise` turns what the customer wrote into the one form used on the card, at the supplier
and on the receipt; `problem` is the one clear question to ask when it cannot be right, and
`operator_conflict` finds a number that belongs to another operator than the product's.
"""

from __future__ import annotations

import re
from typing import Literal

from shared.domain.aliases import aliases, words
from shared.domain.catalog import Product
from shared.domain.targets import (
    Operator,
    ascii_digits,
    extract_identifiers,
    needs_zone,
    normalise_phone,
    operator_named,
    operator_of,
    pln_number_ok,
)
from shared.services.language import english

TargetKind = Literal["phone", "wallet", "meter", "game", "other"]

# A Mobile Legends id is at most 10 digits; with its zone (4-5 digits) the run is longer, so a
# bare number of 10 digits or fewer is an id still missing its zone.
_LONGEST_ID_WITHOUT_ZONE = 10


def kind_of(product: Product) -> TargetKind:
    """What a product's target is, from its provider and category."""
    if operator_named(product.provider) is not None:
        return "phone"
    group = aliases().group_of(product.provider)
    if group == "E-Money" or product.category.lower() == "e-money":
        return "wallet"
    if "PLN" in product.provider.upper() or product.category.upper() == "PLN":
        return "meter"
    if product.category.lower() in {"games", "game", "voucher game"}:
        return "game"
    return "other"


def normalise(product: Product, raw: str) -> str:
    """The canonical target: `08…` for phones, digits for meters, id+zone digits for games."""
    text = ascii_digits(raw).strip()
    kind = kind_of(product)
    if kind in {"phone", "wallet"}:
        return normalise_phone(text) or re.sub(r"\D", "", text)
    if kind == "game":
        found = extract_identifiers(text, zones=needs_zone(product.provider)).game_ids
        return found[0] if found else re.sub(r"\D", "", text)
    if kind == "meter":
        return re.sub(r"\D", "", text)
    return text if re.search(r"[^\d\s.-]", text) else re.sub(r"\D", "", text)


PHONE_PROBLEM = (
    "Nomor HP-nya kayaknya kurang pas kak 🙏 Nomor HP itu diawali 08 dan 10–13 digit, "
    "misal 081234567890. Boleh dicek lagi?"
)
METER_PROBLEM = (
    "Nomor meter PLN itu 11 digit (atau ID pelanggan 12 digit) kak, ada di kartu atau "
    "meterannya. Boleh dicek lagi? 🙏"
)
GAME_PROBLEM = "ID game-nya kayaknya kurang pas kak 🙏 Boleh dicek lagi?"
ZONE_MISSING = (
    "Zone ID-nya juga ya kak 🙏 Tulis ID lalu zone-nya, misal 12345678 (1234); zone ada di "
    "dalam kurung di profil game."
)
OTHER_PROBLEM = "Nomor tujuannya kurang pas kak 🙏 Boleh dicek lagi?"
_PROBLEMS_EN = {
    PHONE_PROBLEM: "That phone number doesn't look right 🙏 A phone number starts with 08 and "
    "has 10–13 digits, e.g. 081234567890. Could you check it?",
    METER_PROBLEM: "A PLN meter number has 11 digits (or a customer ID 12), printed on the card "
    "or the meter. Could you check it? 🙏",
    GAME_PROBLEM: "That game ID doesn't look right 🙏 Could you check it?",
    ZONE_MISSING: "The zone ID too, please 🙏 Write the ID then the zone, e.g. 12345678 (1234); "
    "the zone is in brackets in your game profile.",
    OTHER_PROBLEM: "That number doesn't look right 🙏 Could you check it?",
}


def said(problem_text: str) -> str:
    """A target problem in the turn's language (the constants above are compared as keys)."""
    return _PROBLEMS_EN.get(problem_text, problem_text) if english() else problem_text


def problem(product: Product, target: str) -> str | None:
    """The question to ask when `target` (already normalised) cannot be right, else None."""
    kind = kind_of(product)
    if kind in {"phone", "wallet"}:
        valid = normalise_phone(target) is not None and operator_of(target) is not None
        return None if valid else PHONE_PROBLEM
    if kind == "meter":
        return None if pln_number_ok(target) else METER_PROBLEM
    if kind == "game":
        return _game_problem(product, target)
    return None if len(target) >= 4 else OTHER_PROBLEM


def _game_problem(product: Product, target: str) -> str | None:
    if not target.isdigit() or not 4 <= len(target) <= 24:
        return GAME_PROBLEM
    if needs_zone(product.provider) and len(target) <= _LONGEST_ID_WITHOUT_ZONE:
        return ZONE_MISSING
    return None


def operator_conflict(product: Product, target: str) -> Operator | None:
    """The number's operator when the product is another operator's pulsa or data."""
    if kind_of(product) != "phone":
        return None
    operator = operator_of(target)
    if operator is None or product.provider in operator.brands:
        return None
    return operator


def phone_brand_in(text: str) -> str | None:
    """The pulsa/data brand a text names (`tetap telkomsel` -> TELKOMSEL, `byu` -> by.U)."""
    book, tokens = aliases(), words(text)
    for i in range(len(tokens)):
        hit = book.match(tokens, i)
        if hit is not None and hit.kind == "provider" and operator_named(hit.name) is not None:
            return hit.name
    return None
