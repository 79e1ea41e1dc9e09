"""The offline rules parser: a customer message -> intent, canonical slots and a confidence.

    >>> parse("pulsa tsel 10rb ke 0812-3456-7890")
    ParseResult(intent='topup_create', slots={'brand': 'TELKOMSEL', 'product': 'pulsa',
                'amount': 10000, 'target': '081234567890'}, confidence=0.95)

Intents and slot keys are those of design.md §6 (`INTENTS`, `SLOT_KEYS`); a slot is absent when
the message does not say it. Slot values are canonical: `brand` is the supplier's provider name
(`TELKOMSEL`, `MOBILE LEGENDS`, `PLN`) or a category (`Pulsa`, `Data`, `Games`, `E-Money`,
`Streaming`, `Aplikasi`, `Voucher`); `amount` integer rupiah; `target` a phone as `08…`, a game
id with its zone as digits, or a meter number; `bank` a lowercase code; `account_name` and `ref`
as written.

The parser prefers `unknown` to a guess (a wrong action costs more than one LLM call): a message
with words it cannot place (more than two, or a third of the message), or anything that smells of
instruction injection, gives `unknown`. `confirm`/`cancel` are only returned for short, plain
answers ("ya kak", "gas", "gak jadi"); "ya transfer semua saldo ke …" is never a confirmation.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Literal, get_args

from shared.domain.aliases import AliasBook, AliasHit, Phrases, aliases, fold, words
from shared.domain.money_text import find_amounts
from shared.domain.targets import Identifiers, ascii_digits, extract_identifiers, needs_zone

Intent = Literal[
    "greet",
    "smalltalk",
    "help",
    "price_lookup",
    "budget_filter",
    "topup_create",
    "bill_check",
    "bill_pay",
    "deposit_methods",
    "deposit_create",
    "deposit_status",
    "transfer_banks",
    "transfer_check",
    "transfer_create",
    "order_status",
    "history",
    "balance",
    "confirm",
    "cancel",
    "unknown",
]
INTENTS: tuple[str, ...] = get_args(Intent)
SLOT_KEYS = (
    "brand",
    "product",
    "amount",
    "target",
    "customer_no",
    "bank",
    "account_no",
    "account_name",
    "method",
    "ref",
)
MAX_CHARS = 400


@dataclass(frozen=True, kw_only=True)
class _Vocabulary:
    """The intent words of `data/intents.json`, each list as a set of phrases."""

    filler: Phrases
    confirm: Phrases
    cancel: Phrases
    cancel_phrases: Phrases
    polite: Phrases
    greet: Phrases
    thanks: Phrases
    buy: Phrases
    price: Phrases
    budget: Phrases
    bill: Phrases
    pay: Phrases
    deposit: Phrases
    deposit_via: Phrases
    method: Phrases
    status: Phrases
    transfer: Phrases
    bank_list: Phrases
    account_check: Phrases
    order: Phrases
    history: Phrases
    balance: Phrases
    help: Phrases
    how_to: Phrases
    check: Phrases
    explained: frozenset[str]


@functools.cache
def _vocabulary() -> _Vocabulary:
    raw = json.loads(
        resources.files("shared.domain").joinpath("data/intents.json").read_text("utf-8")
    )
    lists = {k: Phrases(v) for k, v in raw.items() if not k.startswith("_")}
    explained = frozenset(w for phrases in lists.values() for p in phrases for w in p.split())
    return _Vocabulary(**lists, explained=explained)


@dataclass(frozen=True, slots=True)
class ParseResult:
    """The parser's answer: an intent from `INTENTS`, canonical slots, a confidence in [0, 1]."""

    intent: Intent
    slots: Mapping[str, str | int]
    confidence: float

    def as_dict(self) -> dict[str, object]:
        """The CLI/JSON shape: `{"intent", "slots", "confidence"}`."""
        return {"intent": self.intent, "slots": dict(self.slots), "confidence": self.confidence}


# Words that may follow "gak jadi" without changing its meaning ("gak jadi beli deh").
_CANCEL_REST = frozenset({"jadi", "usah", "beli", "order", "pesan", "transfer", "tf", "deposit"})
_NUMBER_UNIT = re.compile(r"(\d+)([a-z]+)")
_UNKNOWN = ParseResult("unknown", {}, 0.0)


_THANKS = frozenset(
    {"makasih", "makasi", "mksh", "makasii", "trims", "thanks", "thank", "thankyou", "thx", "tq"}
)


def says_thanks(text: str) -> bool:
    """Whether the message thanks ("makasih", "thx", "terima kasih")."""
    tokens = words(text)
    joined = f" {' '.join(tokens)} "
    return bool(set(tokens) & _THANKS) or " terima kasih " in joined or " tengkyu " in joined


def filler_words() -> frozenset[str]:
    """Words that never name a product (fillers, politeness, intent words); search skips them."""
    return _vocabulary().explained


Decision = tuple[Intent, dict[str, str | int], float]


def _has(text: str, phrases: Phrases) -> bool:
    """Whether `text` (space-padded words) contains any of the phrases as whole words."""
    return phrases.found_in(text)


def _first(*candidates: list[str]) -> str | None:
    return next((values[0] for values in candidates if values), None)


@dataclass(kw_only=True)
class _Reading:
    """Everything read from one message before the intent is decided."""

    joined: str
    ids: Identifiers
    amount: int | None
    small_numbers: list[int]
    provider: str | None
    category: str | None
    bank: str | None
    product: list[str]
    unexplained: list[str]

    @property
    def brand(self) -> str | None:
        return self.provider or self.category

    @property
    def group(self) -> str | None:
        return aliases().group_of(self.provider) if self.provider else None


def _split_number_unit(token: str) -> list[str]:
    """`"86dm"` -> `["86", "dm"]`, `"10gb"` -> `["10", "gb"]`; other tokens unchanged."""
    match = _NUMBER_UNIT.fullmatch(token)
    return [match[1], match[2]] if match else [token]


# A minus sign before a number: never an amount (`deposit -50000`), and not a word to place.
_NEGATIVE = re.compile(r"(?<![\w])[-\u2212\u2013]\d[\d.,]*(?:\s*(?:rb|k|ribu|jt|juta)\b)?")


def _blank_amounts(masked: str) -> tuple[str, int | None]:
    """The first amount written as money, and the text with every such amount blanked."""
    masked = _NEGATIVE.sub(lambda m: " " * len(m.group()), masked)
    amount: int | None = None
    for found in find_amounts(masked):
        if found.has_unit:
            amount = found.value if amount is None else amount
            masked = masked[: found.start] + " " * (found.end - found.start) + masked[found.end :]
    return masked, amount


KnownWord = Callable[[str], bool]
"""Says whether a word the rules cannot place names a product (the catalog's typo repair)."""


def _read(text: str, *, names: bool, zones: bool, known: KnownWord | None = None) -> _Reading:
    book, vocab = aliases(), _vocabulary()
    ids = extract_identifiers(text, names=names, zones=zones)
    masked, amount = _blank_amounts(fold(ids.masked))
    tokens = [part for token in words(masked) for part in _split_number_unit(token)]
    reading = _Reading(
        joined=f" {' '.join(tokens)} ",
        ids=ids,
        amount=amount,
        small_numbers=[],
        provider=None,
        category=None,
        bank=None,
        product=[],
        unexplained=[],
    )
    i = 0
    while i < len(tokens):
        i += _read_token(reading, tokens, i, book, vocab, known=known)
    return reading


def _read_token(  # noqa: PLR0913 -- one classification step, every input it reads
    r: _Reading,
    tokens: list[str],
    i: int,
    book: AliasBook,
    vocab: _Vocabulary,
    *,
    known: KnownWord | None,
) -> int:
    """Classify `tokens[i]` (and the words of a phrase starting there); returns words used."""
    hit = book.match(tokens, i)
    bank_hit = book.bank_at(tokens, i)
    if bank_hit is not None and (hit is None or bank_hit[1] >= hit.length):
        r.bank = r.bank or bank_hit[0]
    if hit is not None:
        _read_alias(r, hit, tokens[i : i + hit.length])
        return hit.length
    if bank_hit is not None:
        return bank_hit[1]
    token = tokens[i]
    unit = book.units.get(token)
    if token.isdigit() and len(token) <= 4:
        r.small_numbers.append(int(token))
        r.product.append(token)
    elif unit is not None:
        r.product.append(unit)
    elif token in book.product_words:
        r.product.append(token)
    elif token not in vocab.explained:
        if known is not None and known(token):
            r.product.append(token)
        else:
            r.unexplained.append(token)
    return 1


def _read_alias(r: _Reading, hit: AliasHit, said: list[str]) -> None:
    if hit.kind == "provider":
        r.provider = r.provider or hit.name
        return
    r.category = r.category or hit.name
    # Which line of an operator's products is meant: "pulsa" ("credit" too) or "kuota".
    if hit.name == "Pulsa":
        r.product.append("pulsa")
    elif hit.name == "Data":
        r.product.extend(said)


def _short_answer(tokens: list[str], joined: str) -> Intent | None:
    """confirm/cancel/greet/smalltalk when the whole message is just that."""
    v = _vocabulary()
    if not tokens or len(tokens) > 6:
        return None
    bare = [t for t in tokens if t not in v.polite] or [t for t in tokens if t in v.confirm]
    if _has(joined, v.cancel_phrases) or (bare and all(t in v.cancel for t in bare)):
        rest = [t for t in bare if t not in v.cancel and t not in _CANCEL_REST]
        return None if rest else "cancel"
    if bare and all(t in v.confirm for t in bare):
        return "confirm"
    if bare and all(t in v.greet for t in bare):
        return "greet"
    if all(t in v.thanks or t in v.polite or t in {"kasih", "banyak"} for t in tokens):
        return "smalltalk"
    return None


def _slots(r: _Reading, *keys: str) -> dict[str, str | int]:
    ids = r.ids
    values: dict[str, str | int | None] = {
        "brand": r.brand,
        "product": " ".join(r.product) or None,
        "amount": r.amount,
        "target": _first(ids.phones, ids.game_ids, ids.numbers),
        "customer_no": _first(ids.numbers, ids.phones),
        "bank": r.bank,
        "account_no": _first(ids.numbers, ids.phones),
        "account_name": ids.account_name,
        "method": _method(r),
        "ref": _first(ids.refs),
    }
    return {k: v for k in keys if (v := values[k]) is not None}


def _method(r: _Reading) -> str | None:
    """How a deposit is paid, as a lowercase code: `qris`, a bank (`bca`) or a wallet (`dana`)."""
    for code in ("qrisfast", "qris"):
        if f" {code} " in r.joined:
            return code
    if r.bank:
        return r.bank
    if r.provider and r.group == "E-Money":
        return r.provider.lower()
    # "via jenius": a method we do not know is still the customer's choice, never QRIS by default.
    words, via = r.joined.split(), _vocabulary().deposit_via
    pairs = zip(words, words[1:], strict=False)
    return next((w for prev, w in pairs if prev in via and w in r.unexplained), None)


# The three deciders below are ordered rule lists: the first rule that fits wins.
def _money_intent(r: _Reading) -> Decision | None:  # noqa: PLR0911
    j, v = r.joined, _vocabulary()
    # "isi saldo dana 50rb" buys DANA; "depo 50rb pake dana" deposits through DANA.
    if _has(j, v.deposit) and (r.group != "E-Money" or _has(j, v.deposit_via)):
        if _has(j, v.method) and r.amount is None:
            return "deposit_methods", {}, 0.9
        if _has(j, v.status) or r.ids.refs:
            return "deposit_status", _slots(r, "ref"), 0.9
        return "deposit_create", _slots(r, "amount", "method"), 0.95 if r.amount else 0.8
    # "kirim 100rb ke bri 0123…": sending money to a bank account is a transfer.
    sends = " kirim " in j and r.bank is not None and r.provider is None and bool(r.ids.numbers)
    transfer = _has(j, v.transfer) or sends
    if _has(j, v.account_check) or (
        _has(j, v.check) and r.bank and r.ids.numbers and not transfer
    ):
        return "transfer_check", _slots(r, "bank", "account_no"), 0.9
    if _has(j, v.bank_list):
        return "transfer_banks", {}, 0.9
    if transfer and _has(j, v.status):
        return "order_status", _slots(r, "ref"), 0.8
    if transfer:
        keys = ("bank", "account_no", "account_name", "amount")
        return "transfer_create", _slots(r, *keys), 0.9
    qris = " qris " in j
    if (_has(j, v.pay) or qris) and (_has(j, v.method) or qris) and r.amount is None:
        return "deposit_methods", _slots(r, "method"), 0.8
    return None


def _bill_intent(r: _Reading) -> Decision | None:
    j, v = r.joined, _vocabulary()
    bill_brand = r.provider == "PLN" or r.group == "Tagihan"
    if not (_has(j, v.bill) or (_has(j, v.pay) and bill_brand and " token " not in j)):
        return None
    intent: Intent = "bill_pay" if _has(j, v.pay) else "bill_check"
    return intent, _slots(r, "brand", "customer_no"), 0.9


def _shopping_intent(r: _Reading) -> Decision | None:  # noqa: PLR0911
    j, v = r.joined, _vocabulary()
    has_goods = r.brand is not None or bool(r.product)
    if _has(j, v.status) and (_has(j, v.order) or r.ids.refs or has_goods):
        return "order_status", _slots(r, "ref"), 0.85
    if _has(j, v.history):
        return "history", {}, 0.9
    if r.ids.refs and (_has(j, v.check) or _has(j, v.order)):
        return "order_status", _slots(r, "ref"), 0.85
    if _has(j, v.balance) and not _has(j, v.buy) and r.provider is None:
        return "balance", {}, 0.9
    # Pulsa comes in denominations: "pulsa indosat ada yang 5rb?" asks for the 5.000 one.
    nominal_asked = r.category == "Pulsa" and _only_asks_if_there_is(j)
    if _has(j, v.budget) and r.amount is not None and not r.ids.phones and not nominal_asked:
        return "budget_filter", _slots(r, "brand", "amount"), 0.9
    target = r.ids.phones or r.ids.game_ids or r.ids.numbers
    # "how much is a 50k dana top up?" asks a price: without a target it is no order yet.
    asks_price = _has(j, v.price) and not target
    if has_goods and (target or (_has(j, v.buy) and not asks_price)):
        keys = ("brand", "product", "amount", "target")
        return "topup_create", _slots(r, *keys), 0.95 if target else 0.85
    if has_goods or (_has(j, v.price) and r.amount is not None):
        return "price_lookup", _slots(r, "brand", "product", "amount"), 0.85
    return None


def _fallback_intent(r: _Reading, tokens: list[str]) -> Decision | None:  # noqa: PLR0911
    v = _vocabulary()
    if _has(r.joined, v.help):
        return "help", {}, 0.85
    if _has(r.joined, v.budget) and r.amount is not None:
        return "budget_filter", _slots(r, "amount"), 0.8
    bare = r.brand is None and not r.product and r.amount is None and not _any_id(r)
    if bare and _BUDGET_ALONE & set(tokens):
        return "budget_filter", {}, 0.8  # "budget", "yg murah2 aja": the amount is asked
    if bare and _has(r.joined, v.price):
        return "price_lookup", {}, 0.8  # "pricelist dong", "harganya brp tadi?"
    if tokens[0] in v.greet and len(tokens) <= 4:
        return "greet", {}, 0.8
    if any(t in v.thanks for t in tokens) and len(tokens) <= 6:
        return "smalltalk", {}, 0.7
    return None


_THERE_IS = Phrases(["ada yang", "ada yg"])


def _only_asks_if_there_is(joined: str) -> bool:
    """The only budget words are "ada yang" ("is there one for 5rb?")."""
    rest = joined
    for phrase in _THERE_IS:
        rest = rest.replace(f" {phrase} ", " ")
    return _THERE_IS.found_in(joined) and not _vocabulary().budget.found_in(rest)


_BUDGET_ALONE = frozenset({"budget", "bujet", "budjet", "murah", "murah2", "termurah"})


def _any_id(r: _Reading) -> bool:
    ids = r.ids
    return bool(ids.phones or ids.game_ids or ids.numbers or ids.refs)


_ID_THEN_NUMBER = re.compile(r"\d{6}\s+\d{3}")


def _about_zone_game(text: str, tokens: list[str]) -> bool:
    """Whether the message names a game whose player id comes with a zone (Mobile Legends)."""
    if _ID_THEN_NUMBER.search(text) is None:
        return False
    book = aliases()
    for i in range(len(tokens)):
        hit = book.match(tokens, i)
        if hit is not None and hit.kind == "provider" and needs_zone(hit.name):
            return True
    return False


def _scale_denominations(r: _Reading) -> None:
    """Read "tsel 10" as 10 thousand rupiah of pulsa; "ml 86" stays 86 diamonds."""
    money_like = r.group in {"operator", "E-Money", "PLN"} or r.category in {"Pulsa", "E-Money"}
    if not money_like or r.amount is not None or len(r.small_numbers) != 1:
        return
    if {"data", "kuota", *aliases().units.values()} & set(r.product):
        return
    number = r.small_numbers[0]
    # "00sf" reads as the number 0 from the token "00": no amount, and match the token by value.
    token = next((t for t in r.product if t.isdigit() and int(t) == number), None)
    if number <= 0 or token is None:
        return
    r.small_numbers.clear()
    r.product.remove(token)
    r.amount = number * 1_000


def read_slots(text: str) -> dict[str, str | int]:
    """Every slot a message carries, whatever it asks: for answers to a question just asked.

    "100rb" has no intent of its own but answers "Mau isi saldo berapa?"; `parse` says
    `unknown` for it, this says `{"amount": 100000}`.
    """
    if not text or len(text) > MAX_CHARS:
        return {}
    text = ascii_digits(text)
    reading = _read(text, names=False, zones=_about_zone_game(text, words(text)))
    _scale_denominations(reading)
    return _slots(reading, *SLOT_KEYS)


def unplaced_words(text: str, *, known: KnownWord | None = None) -> list[str]:
    """The words of a message the rules cannot place ("menurutmu", "drakor")."""
    if not text or len(text) > MAX_CHARS:
        return words(text)
    return _read(ascii_digits(text), names=False, zones=False, known=known).unexplained


def parse(text: str, *, known: KnownWord | None = None) -> ParseResult:
    """Read one customer message.

    Args:
        text: the raw message (any casing, emoji, punctuation).
        known: words it cannot place but this accepts count as product words (the engine
            passes the catalog's typo repair, so "netflx brp" reaches the search).

    Returns:
        The intent, canonical slots and a confidence; `unknown` with no slots when unsure.
    """
    if not text or len(text) > MAX_CHARS:
        return _UNKNOWN
    text = ascii_digits(text)
    vocab = _vocabulary()
    tokens = words(text)
    if not tokens or aliases().has_injection(tokens):
        return _UNKNOWN
    joined = f" {' '.join(tokens)} "
    short = _short_answer(tokens, joined)
    if short is not None:
        return ParseResult(short, {}, 0.95)
    sends = " kirim " in joined and any(aliases().bank_at(tokens, i) for i in range(len(tokens)))
    names = (_has(joined, vocab.transfer) or sends) and not _has(joined, vocab.deposit)
    r = _read(text, names=names, zones=_about_zone_game(text, tokens), known=known)
    _scale_denominations(r)
    decided = _money_intent(r) or _bill_intent(r)
    if decided is None and _has(joined, vocab.how_to) and r.amount is None:
        decided = ("help", {}, 0.85)
    decided = decided or _shopping_intent(r) or _fallback_intent(r, tokens)
    # Words we cannot place mean we may be misreading the message: let the LLM have it.
    if decided is None or len(r.unexplained) > 2 or len(r.unexplained) * 3 >= len(tokens):
        return _UNKNOWN
    intent, slots, confidence = decided
    if r.unexplained:
        confidence -= 0.15
    return ParseResult(intent, slots, round(confidence, 2))
