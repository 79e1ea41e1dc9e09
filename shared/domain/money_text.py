"""Money written the Indonesian way, turned into integer rupiah, and back.

`find_amounts(text)` finds every amount in a message with its position, so the parser can
remove it from what is left of the product description; `parse_amount(text)` reads a text that
is one amount and nothing else; `format_rupiah(n)` writes `Rp 10.500`.

Accepted: `5000`, `5.000`, `5.000,-`, `Rp5.000`, `Rp 5.000,00`, `5rb`, `5 ribu`, `5rebu`, `5k`,
`5K`, `1,5jt`, `1.5 juta`, `2jt`, `sejuta`, `seribu`, `lima ribu`, `dua puluh lima ribu`,
`seratus ribu`, `setengah juta`, and street slang (`seceng`, `noceng`, `goceng`, `ceban`,
`goban`, `gocap`, `cepek`, `cetiau`), optionally with a count (`2 ceban`).

Never amounts: numbers with a leading zero (phone numbers, meter numbers), bare digit runs of
nine or more without `Rp` (customer ids) and negative numbers (`-50000`). A bare number below
1,000 with no unit is reported with `has_unit=False` so the caller can decide what it means (a
denomination like "ml 86" or "tsel 10").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_FACTOR: dict[str, int] = {
    "k": 1_000,
    "rb": 1_000,
    "rbu": 1_000,
    "ribu": 1_000,
    "rebu": 1_000,
    "ribuan": 1_000,
    "rban": 1_000,
    "rbuan": 1_000,
    "jt": 1_000_000,
    "juta": 1_000_000,
    "jeti": 1_000_000,
}

# Betawi/Hokkien money slang as it is used today: "gocap" and "cepek" once meant 50 and 100
# rupiah, which buy nothing now, so in a shop chat they mean 50 and 100 thousand.
_SLANG: dict[str, int] = {
    "seceng": 1_000,
    "noceng": 2_000,
    "goceng": 5_000,
    "ceban": 10_000,
    "goban": 50_000,
    "gocap": 50_000,
    "cepek": 100_000,
    "cetiau": 1_000_000,
    "cetiao": 1_000_000,
    "sejuta": 1_000_000,
    "seribu": 1_000,
    "serebu": 1_000,
}

_DIGIT_WORDS: dict[str, int] = {
    "satu": 1,
    "se": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
    "sepuluh": 10,
    "sebelas": 11,
}

_MINUS = frozenset("-\u2212\u2013")  # hyphen-minus, minus sign, en dash
_UNITS = "|".join(sorted(_UNIT_FACTOR, key=len, reverse=True))
_NUMERIC = re.compile(
    r"(?<![\w.,])(?P<rp>rp\.?\s*)?"
    r"(?P<int>\d{1,3}(?:\.\d{3})+(?!\d)|\d{1,3}(?:,\d{3})+(?![\d.])|\d+)"
    r"(?:[.,](?P<frac>\d{1,2}))?(?:,-)?"
    rf"(?:\s*(?P<unit>{_UNITS})\b|(?P<an>an)\b)?"
    r"(?:\s*(?P<slang>ceban|goceng|goban|gocap|cepek)\b)?(?![a-z0-9])",
    re.IGNORECASE,
)
_WORDS_ALT = "|".join(sorted([*_DIGIT_WORDS, "seratus"], key=len, reverse=True))
_WORD_NUMBER = re.compile(
    rf"\b(?P<words>(?:(?:{_WORDS_ALT})\s*(?:puluh|belas|ratus)?\s*)+)"
    r"(?P<unit>ribu|rebu|rb|juta|jt)\b",
    re.IGNORECASE,
)
_SLANG_WORD = re.compile(
    r"\b(?P<half>setengah\s+juta)\b|\b(?P<slang>" + "|".join(_SLANG) + r")\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class AmountMatch:
    """One amount found in a text.

    Attributes:
        value: integer rupiah.
        start: index of the first character in the text.
        end: index after the last character.
        has_unit: written as money (Rp, a unit, a slang word, thousands separators), not as a
            bare small number.
    """

    value: int
    start: int
    end: int
    has_unit: bool


def _words_value(words: str) -> int | None:
    """Value of an Indonesian number phrase below 1,000 ("dua puluh lima", "seratus")."""
    total = 0
    current = 0
    for word in re.findall(r"[a-z]+", words.lower()):
        if word == "seratus":
            total += 100
        elif word == "puluh":
            total += (current or 1) * 10
            current = 0
        elif word == "belas":
            total += (current or 1) + 10
            current = 0
        elif word == "ratus":
            total += (current or 1) * 100
            current = 0
        elif word in _DIGIT_WORDS:
            if current:
                return None
            current = _DIGIT_WORDS[word]
        else:
            return None
    return total + current or None


def _negative(match: re.Match[str]) -> bool:
    """A minus sign in front (`-50000`, `−50rb`): a negative number is never an amount."""
    start, text = match.start(), match.string
    if start == 0 or text[start - 1] not in _MINUS:
        return False
    return start == 1 or not text[start - 2].isalnum()


def _numeric_value(match: re.Match[str]) -> AmountMatch | None:  # noqa: PLR0911 -- one exit per notation
    if _negative(match):
        return None
    raw_int = match["int"]
    unit = (match["unit"] or "").lower()
    slang = (match["slang"] or "").lower()
    grouped = "." in raw_int or "," in raw_int
    digits = raw_int.replace(".", "").replace(",", "")
    if digits.startswith("0") and digits != "0":
        return None
    frac = match["frac"]
    if unit:
        whole = int(digits) * _UNIT_FACTOR[unit]
        if frac:
            whole += int(frac) * _UNIT_FACTOR[unit] // (10 ** len(frac))
        value = whole
    elif slang:
        if frac or grouped:
            return None
        value = int(digits) * _SLANG[slang]
    elif match["an"]:
        # "20an" = "around 20 thousand"; only plausible for small counts.
        if frac or grouped or int(digits) >= 1000:
            return None
        value = int(digits) * 1_000
    else:
        # "1.5" with no unit is a version or a size, not money; "10.000,00" is money.
        if frac and not (grouped and frac.strip("0") == ""):
            return None
        if not match["rp"] and len(digits) >= 9:
            return None
        value = int(digits)
    has_unit = bool(match["rp"] or unit or slang or match["an"] or grouped or value >= 1000)
    if value <= 0 or value > 100_000_000_000:
        return None
    return AmountMatch(value, match.start(), match.end(), has_unit)


def find_amounts(text: str) -> list[AmountMatch]:
    """Every amount written in `text`, in order of appearance.

    Args:
        text: a customer message, any casing.

    Returns:
        The amounts with their spans; overlapping readings keep the longer one.
    """
    found: list[AmountMatch] = []
    for match in _NUMERIC.finditer(text):
        amount = _numeric_value(match)
        if amount is not None:
            found.append(amount)
    for match in _WORD_NUMBER.finditer(text):
        value = _words_value(match["words"])
        if value is not None:
            factor = _UNIT_FACTOR[match["unit"].lower()]
            found.append(AmountMatch(value * factor, match.start(), match.end(), True))
    for match in _SLANG_WORD.finditer(text):
        value = 500_000 if match["half"] else _SLANG[match["slang"].lower()]
        found.append(AmountMatch(value, match.start(), match.end(), True))
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    result: list[AmountMatch] = []
    for amount in found:
        if result and amount.start < result[-1].end:
            continue
        result.append(amount)
    return result


def parse_amount(text: str) -> int | None:
    """The amount when `text` is exactly one amount written as money, else None.

    Example: `parse_amount("1,5jt") == 1_500_000`; `parse_amount("beli 5k")` is None.
    """
    stripped = text.strip()
    amounts = find_amounts(stripped)
    if len(amounts) != 1:
        return None
    only = amounts[0]
    if only.start != 0 or only.end != len(stripped) or not only.has_unit:
        return None
    return only.value


def format_rupiah(value: int) -> str:
    """`10500` -> `Rp 10.500` (negative amounts keep their sign: `-Rp 500`)."""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")
