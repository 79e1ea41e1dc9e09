"""Numbers that identify something rather than cost something: phones, game ids, references.

`extract_identifiers(text)` returns what it found and the text with those spans blanked out
(same length, so positions still line up with the original), so the amount reader never
mistakes `0812-3456-7890` or a game id for money.

- phone numbers: `+62 812-3456-7890`, `62812…`, `0812 3456 7890` -> `081234567890`;
- game ids with a zone: `12345678 (1234)`, `12345678(1234)`, `12345678/1234`,
  `id 12345678 zone 1234` (and `12345678 1234` for a game that takes a zone) ->
  `123456781234`: id then zone, digits only, the one form the supplier takes (see `GAME_ZONE`);
- long numbers (meter, customer, account, player ids): eight digits or more, or six and more
  right after a word like `id`, `meter`, `rek`;
- references: `TRX…`, `INV…`, `REF…`, or a code after `order`/`pesanan`/`ref`, kept as written;
- account names after `a.n.`/`an`/`atas nama`, kept as written.

What a valid target is comes from data (`data/targets.json`, with a public source for every
range): `operator_of(phone)` reads the operator from the prefix, `pln_number_ok` checks a meter
number or customer id, `needs_zone(provider)` says whether a game's id comes with a zone.
Digits in any script (`０８１２…`, `٠٨١٢…`) are read as ASCII digits everywhere
(`ascii_digits`), so what reaches the supplier and the receipt is plain `0812…`.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

_DIGIT = re.compile(r"\d")
_PHONE = re.compile(r"(?<![\d+])(?:\+\s?62|62|0)\s?8\d(?:[\s.-]?\d){6,11}(?![\d])")
_GAME_ZONE = re.compile(
    r"(?<!\d)(?:(?:user\s*)?id\s*[:=]?\s*)?(?P<id>\d{4,12})\s*"
    r"(?:\(\s*(?P<z1>\d{1,6})\s*\)|[/|]\s*(?P<z2>\d{1,6})(?!\d)"
    r"|,?\s*(?:zone|zona|server|srv|sv)\s*(?:id)?\s*[:=]?\s*(?P<z3>\d{1,6})(?!\d))",
    re.IGNORECASE,
)
# `12345678 1234`: an id and a zone separated by a space only; read so only for a game that
# takes a zone (`zones=True`), since elsewhere the second number is a denomination or an amount.
_GAME_SPACE_ZONE = re.compile(
    r"(?<![\d.,])(?P<id>\d{6,12})\s+(?P<zone>\d{3,5})"
    r"(?![\d.,]|\s*(?:rb|k|ribu|jt|juta|dm|dia|diamonds?|gb)\b)",
    re.IGNORECASE,
)
_KEYWORD_NUMBER = re.compile(
    r"\b(?:id|uid|user\s*id|meter|no\s*meter|nomor\s*meter|idpel|id\s*pel|pelanggan|rek|"
    r"rekening|norek|no\s*rek|akun|va|no|nomor|nomer)\s*[.:=]?\s*(?P<num>\d{6,20})(?!\d|[.,]\d)",
    re.IGNORECASE,
)
# A comma or full stop right after the digits ends the sentence ("meternya 53123456789, makasih");
# followed by more digits it is part of a number ("1.000.000,00"), which is no identifier.
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{8,20}(?!\d|[.,]\d|\s*(?:rb|k|ribu|jt|juta)\b)")
_REF = re.compile(
    r"(?<![\w-])(?P<ref>(?:trx|inv|ref|reff|ord|dep|q)[-_]?\d[\w-]{3,39})\b"
    r"|\b(?:order|pesanan|transaksi|trx|ref|reff|invoice|kode)\s*(?:id|no|nomor)?\s*[#:]?\s*"
    r"(?P<ref2>#?(?!\d+[a-z]+\b)(?=[\w-]*\d)(?=[\w-]*[a-z])[a-z0-9][\w-]{3,39})\b",
    re.IGNORECASE,
)
_ACCOUNT_NAME = re.compile(
    r"(?:\ba\.\s?n\.?|\ban\.?|\batas\s+nama|\bnama)\s*[:.]?\s+"
    r"(?P<name>[A-Za-z][A-Za-z'.]*(?:\s+(?!(?:ya|yah|dong|kak|min|gan|ke|di|sebesar|nominal|"
    r"bank|no|nomor|rek)\b)[A-Za-z][A-Za-z'.]*){0,4})",
    re.IGNORECASE,
)


def ascii_digits(text: str) -> str:
    """Every decimal digit of any script as its ASCII digit (`０８１２` -> `0812`).

    Each digit is one code point either way, so positions in the text do not move.
    """
    if text.isascii():
        return text
    return "".join(
        str(value) if (value := unicodedata.decimal(ch, None)) is not None else ch for ch in text
    )


@dataclass(frozen=True, kw_only=True)
class Operator:
    """A mobile operator: its supplier provider name, a display title and the brands it takes.

    Attributes:
        name: the supplier's provider string (`TELKOMSEL`, `XL`, …).
        title: how a customer calls it (`Telkomsel`).
        brands: the providers whose pulsa and data a number of this operator takes.
    """

    name: str
    title: str
    brands: frozenset[str]


@dataclass(frozen=True, kw_only=True)
class _TargetRules:
    operators: dict[str, Operator]
    prefixes: dict[str, str]
    phone_lengths: tuple[int, int]
    pln_lengths: frozenset[int]
    zone_games: frozenset[str]


@functools.cache
def _rules() -> _TargetRules:
    raw = json.loads(
        resources.files("shared.domain").joinpath("data/targets.json").read_text("utf-8")
    )
    mobile = raw["mobile"]
    operators: dict[str, Operator] = {}
    prefixes: dict[str, str] = {}
    for name, entry in mobile["operators"].items():
        operators[name] = Operator(
            name=name, title=entry["title"], brands=frozenset(entry["brands"])
        )
        prefixes.update(dict.fromkeys(entry["prefixes"], name))
    low, high = mobile["lengths"]
    return _TargetRules(
        operators=operators,
        prefixes=prefixes,
        phone_lengths=(low, high),
        pln_lengths=frozenset(raw["pln"]["lengths"]),
        zone_games=frozenset(p.upper() for p in raw["zone_games"]["providers"]),
    )


def normalise_phone(raw: str) -> str | None:
    """`+62 812-3456-7890` -> `081234567890`; None when it is not an Indonesian mobile number."""
    digits = re.sub(r"\D", "", ascii_digits(raw))
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    low, high = _rules().phone_lengths
    if not digits.startswith("08") or not low <= len(digits) <= high:
        return None
    return digits


def operator_of(phone: str) -> Operator | None:
    """The operator of a mobile number (`08…` as `normalise_phone` gives it), by its prefix."""
    rules = _rules()
    name = rules.prefixes.get(phone[:4])
    return rules.operators[name] if name else None


def operator_named(provider: str) -> Operator | None:
    """The operator whose brand `provider` is (`by.U` -> Telkomsel), if it is a phone brand."""
    for operator in _rules().operators.values():
        if provider in operator.brands:
            return operator
    return None


def pln_number_ok(digits: str) -> bool:
    """Whether `digits` can be a PLN prepaid meter number or customer id (IDPEL)."""
    return len(digits) in _rules().pln_lengths


def needs_zone(provider: str) -> bool:
    """Whether a game's player id comes with a zone id (Mobile Legends)."""
    return provider.upper() in _rules().zone_games


@dataclass(kw_only=True)
class Identifiers:
    """What `extract_identifiers` found; `masked` is the text with those spans blanked."""

    masked: str
    phones: list[str] = field(default_factory=list)
    game_ids: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    account_name: str | None = None


def game_target(player_id: str, zone: str) -> str:
    """A game id with its zone as one run of digits: `12345678`, `1234` -> `123456781234`.

    This one form is used on the card, at the supplier and on the receipt.

    Atlantic's `transaksi/create` takes Mobile Legends' user id and zone id concatenated, with
    no space or brackets (atlantic-h2h.md §3.3); showing the customer the same run of digits
    means what they approve is byte for byte what is sent and what the receipt says.
    """
    return player_id + zone


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _longest_phone(written: str) -> tuple[str, int] | None:
    """The phone in a run of digit groups, and how many characters it takes.

    `0877 1234 5678 25rb` runs on into the amount (`…5678 25`): the last groups are dropped
    until what is left is a mobile number.
    """
    candidate = written
    while candidate:
        phone = normalise_phone(candidate)
        if phone is not None:
            return phone, len(candidate)
        cut = max(candidate.rfind(sep) for sep in " .-")
        candidate = candidate[:cut].rstrip(" .-") if cut > 0 else ""
    return None


def extract_identifiers(text: str, *, names: bool = False, zones: bool = False) -> Identifiers:
    """Find phones, game ids, long numbers and references in `text` and blank them out.

    Args:
        text: the message (original casing, so references and names keep theirs); digits of
            any script are read as ASCII.
        names: also read an account name after `a.n.`/`atas nama` (transfers only, since
            "an" is an ordinary word elsewhere).
        zones: the message is about a game whose id comes with a zone, so `12345678 1234`
            is one id with its zone.
    """
    found = Identifiers(masked=ascii_digits(text))
    if names:
        match = _ACCOUNT_NAME.search(found.masked)
        if match:
            found.account_name = match["name"].strip(" .")
            found.masked = _blank(found.masked, match.start(), match.end())
    if _DIGIT.search(found.masked) is None:
        return found
    for match in _PHONE.finditer(found.masked):
        longest = _longest_phone(match.group())
        if longest is not None:
            phone, length = longest
            found.phones.append(phone)
            found.masked = _blank(found.masked, match.start(), match.start() + length)
    for match in _GAME_ZONE.finditer(found.masked):
        zone = match["z1"] or match["z2"] or match["z3"]
        found.game_ids.append(game_target(match["id"], zone))
        found.masked = _blank(found.masked, match.start(), match.end())
    if zones:
        for match in _GAME_SPACE_ZONE.finditer(found.masked):
            found.game_ids.append(game_target(match["id"], match["zone"]))
            found.masked = _blank(found.masked, match.start(), match.end())
    for match in _REF.finditer(found.masked):
        ref = (match["ref"] or match["ref2"]).lstrip("#")
        found.refs.append(ref)
        span = match.span("ref") if match["ref"] else match.span("ref2")
        found.masked = _blank(found.masked, *span)
    for pattern in (_KEYWORD_NUMBER, _LONG_NUMBER):
        for match in pattern.finditer(found.masked):
            span = match.span("num") if pattern is _KEYWORD_NUMBER else match.span()
            found.numbers.append(found.masked[span[0] : span[1]])
            found.masked = _blank(found.masked, *span)
    return found
