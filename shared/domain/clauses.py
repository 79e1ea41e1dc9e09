"""A message cut into the clauses a customer strung together: "A sama B", "A, terus B", "A? B".

    clauses("pulsa tsel 10rb ke 0812… sama token pln 20rb ke 5312…")
        -> ["pulsa tsel 10rb ke 0812…", "token pln 20rb ke 5312…"]
    clauses("saldo aku brp? kalau kurang aku depo 50rb")
        -> ["saldo aku brp", "kalau kurang aku depo 50rb"]

Cuts fall at sentence ends, commas and line breaks, and before joining words ("sama", "dan",
"terus", "trus", "lalu", "abis itu", "sekalian", "juga", "and", "then", "also"). Money and
number notation is never cut ("1,5jt", "Rp 10.000", "12345678, 1234" stays a game id with its
zone only when written so; the caller decides what each clause means).
"""

from __future__ import annotations

import re

_JOINERS = (
    r"sama|dan|terus|trus|trs|lalu|lantas|abis itu|habis itu|abis tu|sekalian|"
    r"and|then|also|plus"
)
# A comma (not inside a number like "1,5jt"), a full stop that ends a sentence (not "a.n."),
# "!", "?", ";", a line break, "&" or "+", or a joining word between two words.
_CUT = re.compile(
    rf"(?<!\d),(?!\d)|,(?=\s)|(?<!\b\w)\.+(?=\s|$)|[!?;]+|\n+|\s+[&+]\s+"
    rf"|\s+(?:{_JOINERS})\s+",
    re.IGNORECASE,
)
_MIN_WORDS = 1


def clauses(text: str) -> list[str]:
    """The non-empty clauses of `text`, in order (the whole text when there is one)."""
    parts = [p.strip(" \t-") for p in _CUT.split(text)]
    return [p for p in parts if len(p.split()) >= _MIN_WORDS]
