"""Numbers that identify something rather than cost something: phones, game ids, references.

`extract_identifiers(text)` returns what it found and the text with those spans blanked out
(same length, so positions still line up with the original), so the amount reader never
mistakes `0812-3456-7890` or a game id for money.

- phone numbers: `+62 812-3456-7890`, `62812…`, `0812 3456 7890` -> `081234567890`;
- game ids with a zone: `12345678 (1234)`, `12345678(1234)`, `12345678/1234`,
  `id 12345678 zone 1234` -> `123456781234` (id then zone, digits only, as the supplier takes it);
- long numbers (meter, customer, account, player ids): eight digits or more, or six and more
  right after a word like `id`, `meter`, `rek`;
- references: `TRX…`, `INV…`, `REF…`, or a code after `order`/`pesanan`/`ref`, kept as written;
- account names after `a.n.`/`an`/`atas nama`, kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DIGIT = re.compile(r"\d")
_PHONE = re.compile(r"(?<![\d+])(?:\+\s?62|62|0)\s?8\d(?:[\s.-]?\d){6,11}(?![\d])")
_GAME_ZONE = re.compile(
    r"(?<!\d)(?:(?:user\s*)?id\s*[:=]?\s*)?(?P<id>\d{4,12})\s*"
    r"(?:\(\s*(?P<z1>\d{1,6})\s*\)|[/|]\s*(?P<z2>\d{1,6})(?!\d)"
    r"|,?\s*(?:zone|zona|server|srv|sv)\s*(?:id)?\s*[:=]?\s*(?P<z3>\d{1,6})(?!\d))",
    re.IGNORECASE,
)
_KEYWORD_NUMBER = re.compile(
    r"\b(?:id|uid|user\s*id|meter|no\s*meter|nomor\s*meter|idpel|id\s*pel|pelanggan|rek|"
    r"rekening|norek|no\s*rek|akun|va|no|nomor|nomer)\s*[.:=]?\s*(?P<num>\d{6,20})(?![\d.,])",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d{8,20}(?![\d.,]|\s*(?:rb|k|ribu|jt|juta)\b)")
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


@dataclass(kw_only=True)
class Identifiers:
    """What `extract_identifiers` found; `masked` is the text with those spans blanked."""

    masked: str
    phones: list[str] = field(default_factory=list)
    game_ids: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    refs: list[str] = field(default_factory=list)
    account_name: str | None = None


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def normalise_phone(raw: str) -> str | None:
    """`+62 812-3456-7890` -> `081234567890`; None when it is not an Indonesian mobile number."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("62"):
        digits = "0" + digits[2:]
    if not digits.startswith("08") or not 10 <= len(digits) <= 13:
        return None
    return digits


def extract_identifiers(text: str, *, names: bool = False) -> Identifiers:
    """Find phones, game ids, long numbers and references in `text` and blank them out.

    Args:
        text: the message (original casing, so references and names keep theirs).
        names: also read an account name after `a.n.`/`atas nama` (transfers only, since
            "an" is an ordinary word elsewhere).
    """
    found = Identifiers(masked=text)
    if names:
        match = _ACCOUNT_NAME.search(found.masked)
        if match:
            found.account_name = match["name"].strip(" .")
            found.masked = _blank(found.masked, match.start(), match.end())
    if _DIGIT.search(found.masked) is None:
        return found
    for match in _PHONE.finditer(found.masked):
        phone = normalise_phone(match.group())
        if phone is not None:
            found.phones.append(phone)
            found.masked = _blank(found.masked, match.start(), match.end())
    for match in _GAME_ZONE.finditer(found.masked):
        zone = match["z1"] or match["z2"] or match["z3"]
        found.game_ids.append(match["id"] + zone)
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


def game_id_labels(text: str) -> dict[str, str]:
    """Game ids with a zone as a customer can proofread them: `123456781234` -> `12345678 (1234)`.

    The supplier takes id and zone as one run of digits, which nobody can check on a quote
    card; this keeps the split the customer typed.
    """
    labels: dict[str, str] = {}
    for match in _GAME_ZONE.finditer(text):
        zone = match["z1"] or match["z2"] or match["z3"]
        labels[match["id"] + zone] = f"{match['id']} ({zone})"
    return labels
