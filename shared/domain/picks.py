"""Which item of a numbered list a customer means: by number, ordinal, a part of it, or price.

    pick("yg kedua", options)        -> Pick(index=1)
    pick("nomor 2 kak", options)     -> Pick(index=1)
    pick("yang 86", options)         -> the one option whose name carries 86
    pick("yg paling murah", options) -> the cheapest option
    pick("7", four_options)          -> Pick(out_of_range=7)
    pick("tsel 10rb ke 0812…", ...)  -> None: that is a new request, not a pick

A message only picks when every word it says is a pick word, a filler word, or part of exactly
one option's name; anything else (a phone number, another brand) means it is about something
else and the caller handles it as a new message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from shared.domain.aliases import words
from shared.domain.money_text import find_amounts

_ORDINALS: dict[str, int] = {
    "pertama": 1,
    "kesatu": 1,
    "satu": 1,
    "first": 1,
    "kedua": 2,
    "dua": 2,
    "second": 2,
    "ketiga": 3,
    "tiga": 3,
    "third": 3,
    "keempat": 4,
    "empat": 4,
    "fourth": 4,
    "kelima": 5,
    "lima": 5,
    "fifth": 5,
    "keenam": 6,
    "ketujuh": 7,
    "kedelapan": 8,
    "kesembilan": 9,
}
_MAX_SHOWN = 9
_LAST_ONE = -1
_LAST = frozenset({"terakhir", "last", "bawah", "paling bawah"})
_CHEAPEST = (
    "paling murah",
    "termurah",
    "yang murah",
    "yg murah",
    "murah aja",
    "murah2",
    "murah murah",
    "cheapest",
)
_DEAREST = ("paling mahal", "termahal", "most expensive")
_NUMBER_MARKERS = frozenset({"no", "nomor", "nomer", "nmr", "pilih", "ke", "number", "option"})
_FILLER = frozenset(
    [
        "buat",
        "untuk",
        "kalau",
        "kalo",
        "klo",
        "yg",
        "yang",
        "aja",
        "ajah",
        "deh",
        "dong",
        "ya",
        "yah",
        "kak",
        "kakak",
        "min",
        "gan",
        "sis",
        "bang",
        "aku",
        "saya",
        "sy",
        "gw",
        "gue",
        "mau",
        "ambil",
        "ambilin",
        "pilih",
        "pilihan",
        "itu",
        "ini",
        "nya",
        "ok",
        "oke",
        "sip",
        "the",
        "one",
        "i",
        "take",
        "want",
        "please",
        "pls",
        "plis",
        "no",
        "nomor",
        "nomer",
        "nmr",
        "ke",
        "paling",
        "beli",
        "order",
        "jadi",
        "aja",
        "lah",
        "kok",
        "sih",
        "nih",
        "tuh",
        "number",
        "option",
    ]
)
# "sebulan" is how people say "1 Bulan"; "seminggu" the weekly one.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "sebulan": ("1", "bulan"),
    "setahun": ("12", "bulan"),
    "seminggu": ("mingguan",),
    "sehari": ("1", "hari"),
    "weekly": ("mingguan",),
    "monthly": ("1", "bulan"),
    "dm": ("diamond",),
}


@dataclass(frozen=True, kw_only=True)
class Option:
    """One numbered item as the customer saw it: its label and price."""

    label: str
    price: int | None = None


@dataclass(frozen=True, kw_only=True)
class Pick:
    """The chosen item (0-based), or the number said when it is outside the list."""

    index: int | None = None
    out_of_range: int | None = None


def pick(text: str, options: Sequence[Option]) -> Pick | None:
    """The option `text` picks, a number outside the list, or None when it is no pick."""
    tokens = words(text)
    if not options or not tokens:
        return None
    by_price = _by_price(f" {' '.join(tokens)} ", options)
    if by_price is not None:
        return Pick(index=by_price)
    said = [t for t in tokens if t not in _FILLER or t == "last"]
    if not said:
        return None
    ordinal = _ordinal(said, tokens, len(options))
    if ordinal is not None:
        return ordinal
    part = _by_part(text, said, options)
    return None if part is None else Pick(index=part)


def _by_price(joined: str, options: Sequence[Option]) -> int | None:
    priced = [(o.price, i) for i, o in enumerate(options) if o.price is not None]
    if not priced:
        return None
    if any(f" {p} " in joined for p in _CHEAPEST):
        return min(priced)[1]
    if any(f" {p} " in joined for p in _DEAREST):
        return max(priced)[1]
    return None


def _ordinal(said: list[str], tokens: list[str], count: int) -> Pick | None:
    """A number or an ordinal word standing alone (after fillers), or "terakhir"."""
    number = _number(said, tokens) if len(said) == 1 else None
    if number is None:
        return None
    if number == _LAST_ONE:
        return Pick(index=count - 1)
    if 1 <= number <= count:
        return Pick(index=number - 1)
    # Lists show at most nine items: "yang 86" or a bare "86" names a part of an item
    # ("86 Diamond"), while "no 12" is still a number outside the list.
    if number > _MAX_SHOWN and not _NUMBER_MARKERS & set(tokens):
        return None
    return Pick(out_of_range=number)


def _number(said: list[str], tokens: list[str]) -> int | None:
    word = said[0]
    if word in _LAST:
        return _LAST_ONE
    if word in _ORDINALS:
        return _ORDINALS[word]
    return int(word) if word.isdigit() and len(word) <= 2 else None  # noqa: PLR2004


def _by_part(text: str, said: list[str], options: Sequence[Option]) -> int | None:
    """The one option whose name carries every word (and amount) the customer said."""
    wanted: list[str] = []
    for amount in find_amounts(text.lower()):
        if amount.has_unit:
            wanted.append(str(amount.value))
    amount_words = {w for w in said if re.fullmatch(r"\d+(rb|k|ribu|ribuan|rban|rbuan)", w)}
    for word in said:
        if word in amount_words:
            continue
        wanted.extend(_SYNONYMS.get(word, (word,)))
    if not wanted:
        return None
    matches = [i for i, o in enumerate(options) if _carries(o.label, wanted)]
    if not matches:
        return None
    # "yang 86" between "ML - 86 Diamond" and "ML GLOBAL - 86 Diamond": the plain one, when one
    # name is the shortest; otherwise the customer has to say more.
    shortest = min(len(words(options[i].label)) for i in matches)
    plain = [i for i in matches if len(words(options[i].label)) == shortest]
    return plain[0] if len(plain) == 1 else None


def _carries(label: str, wanted: list[str]) -> bool:
    names = set(words(label))
    numbers = {n.replace(".", "") for n in re.findall(r"\d[\d.]*", label)}
    return all(w in names or w in numbers for w in wanted)
