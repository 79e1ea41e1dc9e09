"""The Indonesian alias dictionary (kept as data in `data/aliases.json`) and word normalisation.

`aliases()` loads the dictionary once. `AliasBook.match(tokens, i)` finds the longest alias
phrase starting at token `i` and says whether it names a supplier provider (`TELKOMSEL`,
`MOBILE LEGENDS`, …) or a product category (`Pulsa`, `Data`, `Games`, `E-Money`, `Streaming`,
`Voucher`). `words(text)` is the one normalisation used by the parser, the catalog and the
search index: lowercase, accents removed, everything but letters and digits a separator.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Literal

_SEPARATORS = re.compile(r"[^a-z0-9]+")

AliasKind = Literal["provider", "category"]


def fold(text: str) -> str:
    """Lowercase `text` and strip accents (é → e) without touching anything else."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """`"By.U Data 1,5GB!"` -> `["by", "u", "data", "1", "5gb"]`: the shared tokenisation."""
    return _SEPARATORS.sub(" ", fold(text)).split()


class Phrases(frozenset[str]):
    """A set of phrases (space-separated words) with one compiled whole-word search over all."""

    def __init__(self, phrases: Iterable[str]) -> None:
        alternatives = sorted((re.escape(p) for p in self), key=len, reverse=True)
        self._regex = re.compile(f" (?:{'|'.join(alternatives)}) ") if alternatives else None

    def found_in(self, padded: str) -> bool:
        """Whether `padded` (words joined by single spaces, with a space at each end) holds one."""
        return self._regex is not None and self._regex.search(padded) is not None


@dataclass(frozen=True, slots=True)
class AliasHit:
    """An alias phrase found in a token list.

    Attributes:
        kind: "provider" (a supplier provider name) or "category" (a product category).
        name: the canonical value, e.g. "TELKOMSEL" or "Games".
        length: how many tokens the phrase covers.
    """

    kind: AliasKind
    name: str
    length: int


@dataclass(frozen=True, kw_only=True)
class AliasBook:
    """The loaded dictionary; build it with `aliases()`."""

    phrases: dict[tuple[str, ...], tuple[AliasKind, str]]
    context_phrases: dict[tuple[str, ...], str]
    context_words: frozenset[str]
    provider_groups: dict[str, str]
    units: dict[str, str]
    product_words: frozenset[str]
    banks: dict[tuple[str, ...], str]
    injection: Phrases
    longest_from: dict[str, int]

    def match(self, tokens: list[str], i: int) -> AliasHit | None:
        """The longest provider or category alias starting at `tokens[i]`, if any."""
        longest = self.longest_from.get(tokens[i], 0)
        for n in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i : i + n])
            hit = self.phrases.get(key)
            if hit is not None:
                return AliasHit(hit[0], hit[1], n)
            contextual = self.context_phrases.get(key)
            if contextual is not None and i > 0 and tokens[i - 1] in self.context_words:
                return AliasHit("provider", contextual, n)
        return None

    def bank_at(self, tokens: list[str], i: int) -> tuple[str, int] | None:
        """`(bank code, token count)` of the longest bank alias at `tokens[i]`, if any."""
        if tokens[i] not in self.longest_from:
            return None
        for n in range(min(3, len(tokens) - i), 0, -1):
            code = self.banks.get(tuple(tokens[i : i + n]))
            if code is not None:
                return code, n
        return None

    def group_of(self, provider: str) -> str | None:
        """The group of a known provider ("operator", "Games", "E-Money", …), else None."""
        return self.provider_groups.get(provider.lower())

    def has_injection(self, tokens: list[str]) -> bool:
        """True when the tokens contain a phrase typical of instruction injection."""
        return self.injection.found_in(f" {' '.join(tokens)} ")


def _longest_from(keys: Iterable[tuple[str, ...]]) -> dict[str, int]:
    """First word of any phrase -> the most words a phrase starting with it has."""
    longest: dict[str, int] = {}
    for key in keys:
        longest[key[0]] = max(longest.get(key[0], 0), len(key))
    return longest


@functools.cache
def aliases() -> AliasBook:
    """The alias dictionary, loaded from package data once per process."""
    raw = json.loads(
        resources.files("shared.domain").joinpath("data/aliases.json").read_text("utf-8")
    )
    phrases: dict[tuple[str, ...], tuple[AliasKind, str]] = {}
    context_phrases: dict[tuple[str, ...], str] = {}
    provider_groups: dict[str, str] = {}
    for name, entry in raw["providers"].items():
        provider_groups[name.lower()] = entry["group"]
        for alias in [name, *entry["aliases"]]:
            phrases[tuple(words(alias))] = ("provider", name)
        for alias in entry.get("context_aliases", []):
            context_phrases[tuple(words(alias))] = name
    for name, entry_aliases in raw["categories"].items():
        for alias in entry_aliases:
            phrases.setdefault(tuple(words(alias)), ("category", name))
    banks = {tuple(words(alias)): code for code, names in raw["banks"].items() for alias in names}
    return AliasBook(
        phrases=phrases,
        context_phrases=context_phrases,
        context_words=frozenset(raw["context_words"]),
        provider_groups=provider_groups,
        units=dict(raw["units"]),
        product_words=frozenset(raw["product_words"]),
        banks=banks,
        injection=Phrases(" ".join(words(p)) for p in raw["injection"]),
        longest_from=_longest_from([*phrases, *context_phrases, *banks]),
    )
