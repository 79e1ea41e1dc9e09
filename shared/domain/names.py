"""Whether the account holder name a supplier reports is the name the customer gave.

The supplier's account check masks names (`DHXXX AKXX HEXXXXXX`: the first letters of each
word, the rest as X), so a masked word is compared on its visible letters only; a name shown in
full is compared word by word with a fuzzy ratio that forgives a typo (`Santosa`/`SANTOSO`).
Every word the customer gave must fit some word of the holder's name; words like "pak" or
"bu" are ignored. `holder_matches("Budi", "BUXX SAXXXXX")` is True,
`holder_matches("Budi", "DHXXX AKXX HEXXXXXX")` is False.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

# A full word this close (rapidfuzz ratio, 0-100) is the same name written slightly differently.
FULL_WORD_SCORE = 75
_HONORIFICS = frozenset(
    {"PAK", "BAPAK", "BPK", "BU", "IBU", "MAS", "MBAK", "KAK", "BANG", "SDR", "SDRI", "HJ", "H"}
)
_MASK = re.compile(r"X{2,}$")


def _words(name: str) -> list[str]:
    return [w for w in re.findall(r"[A-Z]+", name.upper()) if w not in _HONORIFICS]


def _word_fits(given: str, holder: str) -> bool:
    masked = _MASK.search(holder)
    if masked is None:
        return fuzz.ratio(given, holder) >= FULL_WORD_SCORE
    visible = holder[: masked.start()]
    return given[: len(visible)] == visible  # only the visible letters carry information


def holder_matches(given: str, holder: str) -> bool:
    """Whether every word of `given` fits a word of `holder` (masked or not)."""
    holder_words = _words(holder)
    return all(any(_word_fits(g, h) for h in holder_words) for g in _words(given))
