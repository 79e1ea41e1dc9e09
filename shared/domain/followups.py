"""Messages about what already happened, or about the conversation itself, read by rules.

- `followup(text)`: a complaint or a question about an order, deposit or transfer ("kok belum
  masuk kak?", "mana token listriknya?", "kok gagal?", "refund nya mana?", "udah 1 jam loh",
  "udah sukses belum", "status SBA1C7…", a bare reference), with what it is about;
- `wants_human(text)`: the customer asks for a person ("mana admin nya", "cs", "mau ngomong
  sama orang");
- `is_angry(text)`, `is_holding(text)` ("bentar ya kak"), `is_goodbye(text)`;
- `find_ref(text)`: one of our references (`SB…`, `DP…`, `DQ…`, `TF…`, `BL…`) in any case,
  whole or its first characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from shared.domain.aliases import words

FollowupKind = Literal["where", "failed", "refund", "status"]
Subject = Literal["order", "deposit", "transfer"]

# Our references: a two-letter kind and the first 20 hex digits of a uuid. Customers copy the
# whole thing or its start; six characters with a letter in them (or sixteen) are a reference,
# not an amount ("tf1000000").
_REF = re.compile(r"(?<![\w])(sb|dp|dq|tf|bl)([0-9a-f]{6,20})(?![\w])", re.IGNORECASE)
_FULL_REF_DIGITS = 16

_WHERE = (
    "belum masuk",
    "blm masuk",
    "belom masuk",
    "gak masuk",
    "ga masuk",
    "nggak masuk",
    "ngga masuk",
    "tidak masuk",
    "belum diterima",
    "belum terima",
    "belum nyampe",
    "blm nyampe",
    "belum sampai",
    "mana token",
    "tokennya mana",
    "token nya mana",
    "mana pulsa",
    "pulsanya mana",
    "mana diamond",
    "diamondnya mana",
    "pesananku mana",
    "pesanan saya mana",
    "pesanan aku mana",
    "orderan saya mana",
    "orderanku mana",
    "mana pesanan",
    "mana pesananku",
    "kok lama",
    "lama banget",
    "lama bgt",
    "lama amat",
    "lama bener",
    "kelamaan",
    "dari tadi",
    "masih belum",
    "belum juga",
    "kapan masuk",
    "kapan diproses",
    "belum nambah",
    "blm nambah",
    "belom nambah",
    "gak nambah",
    "ga nambah",
    "nggak nambah",
    "ga masuk2",
    "gak masuk2",
    "nggak masuk2",
    "belum masuk2",
    "blm masuk2",
    "not received",
    "haven t received",
    "hasn t arrived",
    "hasnt arrived",
    "has not arrived",
    "didn t arrive",
    "didn t get",
    "haven t got",
    "still not",
    "not yet received",
    "still waiting",
    "not arrived",
)
_WAITED = re.compile(r"\budah \d+ (menit|jam)\b|\bsudah \d+ (menit|jam)\b|\b\d+ (jam|menit) loh\b")
_FAILED = ("gagal", "kok gagal", "failed", "fail", "error")
_REFUND = (
    "refund",
    "refundnya",
    "uang saya mana",
    "uang aku mana",
    "uangku mana",
    "duit saya mana",
    "duit aku mana",
    "duitku mana",
    "uangnya mana",
    "duitnya mana",
    "uang saya balik",
    "uangnya balik",
    "duitnya balik",
    "saldo balik",
    "saldo aku balik",
    "saldonya balik",
    "saldo saya balik",
    "balik ke saldo",
    "balikin",
    "dikembalikan",
    "dikembaliin",
    "kembalikan",
    "money back",
)
_STATUS = (
    "status",
    "statusnya",
    "sukses belum",
    "berhasil belum",
    "masuk belum",
    "udah sukses",
    "sudah sukses",
    "udah berhasil",
    "sudah berhasil",
    "sampai mana",
    "sampe mana",
    "pesanan saya gimana",
    "pesanan aku gimana",
    "order saya gimana",
    "order aku gimana",
    "orderan gimana",
    "cek pesanan",
    "cek pesananku",
    "cek orderan",
    "cek order",
    "cek transaksi",
    "cek status",
    "done yet",
    "order status",
    "is my order",
    "where is my",
)
_DEPOSIT = (
    "deposit",
    "depo",
    "qris",
    "isi saldo",
    "udah bayar",
    "sudah bayar",
    "udh bayar",
    "udah scan",
    "udah transfer qris",
    "saldo blm nambah",
    "saldo belum nambah",
)
_DEPOSIT_SALDO = ("saldo belum masuk", "saldo blm masuk", "saldo belom masuk", "saldo ga masuk")
_TRANSFER = ("transfer", "transferan", "tf", "tfan", "kiriman")

_HUMAN = re.compile(
    r"\b(ngomong|bicara|ngobrol|chat|hubung|hubungi|hubungin|sambung|sambungin|sambungkan|"
    r"panggil|panggilin|minta|mau|komplain|complain|talk|speak)\b.*"
    r"\b(admin|cs|owner|pemilik|orang|manusia|human|person|someone|agent|staff)\b"
    r"|^(min |kak )?(admin|cs|owner|customer service)( (nya|dong|donk|please|pls|plis|mana|ya"
    r"|kak|min))*$"
    r"|\bmana\s+(admin|cs|owner)\b|\borang\s+(beneran|asli)\b|\breal\s+person\b"
    r"|\blive\s+agent\b|\bcustomer\s+service\b"
)
_FEE_WORDS = frozenset({"biaya", "fee", "berapa", "brp", "harga", "potongan"})

_ANGRY = frozenset(
    [
        "parah",
        "kecewa",
        "jelek",
        "penipu",
        "nipu",
        "tipu",
        "bohong",
        "payah",
        "goblok",
        "bego",
        "anjir",
        "anjing",
        "bangsat",
        "brengsek",
        "kesel",
        "kesal",
        "lemot",
        "lelet",
        "becus",
        "buruk",
        "sampah",
        "tai",
        "wtf",
        "scam",
        "nyebelin",
        "ngeselin",
        "males",
        "menyebalkan",
        "kapok",
        "rugi",
    ]
)
_HOLD_START = frozenset({"bentar", "sebentar", "bntr", "btr", "tunggu", "wait", "sec", "otw"})
_HOLD_WORDS = frozenset(
    [
        "bentar",
        "sebentar",
        "bntr",
        "btr",
        "tunggu",
        "wait",
        "sec",
        "otw",
        "ya",
        "yah",
        "kak",
        "aku",
        "saya",
        "sy",
        "cari",
        "nyari",
        "cariin",
        "dulu",
        "nomornya",
        "nomor",
        "nomernya",
        "idnya",
        "id",
        "lagi",
        "liat",
        "lihat",
        "cek",
        "cekin",
        "ok",
        "oke",
        "hold",
        "on",
        "dl",
    ]
)
_GOODBYE = frozenset({"bye", "byee", "dadah", "daah", "wassalam", "wassalamualaikum", "goodbye"})
_GOODBYE_PHRASES = (
    "udah itu aja",
    "sudah itu aja",
    "itu aja dulu",
    "udah cukup",
    "sampai jumpa",
    "see you",
    "good night",
    "segitu aja",
)


@dataclass(frozen=True, kw_only=True)
class Followup:
    """A message about something that already happened.

    Attributes:
        kind: where is it / why did it fail / where is my money / how is it going.
        subject: order, deposit or transfer; None when the words do not say.
        hint: a product word to prefer among orders ("PLN" for "mana token listriknya").
        ref: our reference, or the start of one, when the customer gave it.
    """

    kind: FollowupKind
    subject: Subject | None = None
    hint: str | None = None
    ref: str | None = None

    @property
    def complaint(self) -> bool:
        """Something is wrong in the customer's eyes (not just a status question)."""
        return self.kind != "status"


def _padded(text: str) -> str:
    return f" {' '.join(words(text))} "


def _has(padded: str, phrases: tuple[str, ...]) -> bool:
    return any(f" {p} " in padded for p in phrases)


def find_ref(text: str) -> str | None:
    """Our reference in `text` (uppercase), whole or the start of it; None when there is none.

    After `tf` and `dp` (a transfer, a down payment) digits alone are an amount, so those need a
    letter of the hex part or most of the reference; `sb`, `bl` and `dq` mean nothing else.
    """
    for match in _REF.finditer(text):
        kind, digits = match.group(1).lower(), match.group(2)
        unambiguous = kind not in {"tf", "dp"} or re.search(r"[a-f]", digits, re.IGNORECASE)
        if unambiguous or len(digits) >= _FULL_REF_DIGITS:
            return (kind + digits).upper()
    return None


def followup(text: str) -> Followup | None:
    """What a complaint or status question is about, or None when `text` is neither."""
    padded = _padded(text)
    ref = find_ref(text)
    kind: FollowupKind | None = None
    if _has(padded, _REFUND):
        kind = "refund"
    elif _has(padded, _FAILED):
        kind = "failed"
    elif _has(padded, _WHERE) or _WAITED.search(padded):
        kind = "where"
    elif _has(padded, _STATUS) or ref:
        kind = "status"
    if kind is None:
        return None
    return Followup(kind=kind, subject=_subject(padded, ref), hint=_hint(padded), ref=ref)


def _subject(padded: str, ref: str | None) -> Subject | None:
    if ref:
        kinds: dict[str, Subject] = {"DP": "deposit", "DQ": "deposit", "TF": "transfer"}
        return kinds.get(ref[:2], "order")
    if _has(padded, _DEPOSIT) or _has(padded, _DEPOSIT_SALDO):
        return "deposit"
    if _has(padded, _TRANSFER):
        return "transfer"
    return None


_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("token", "listrik", "pln", "tokennya"), "PLN"),
    (("diamond", "diamondnya", "dm", "ml", "ff"), "Diamond"),
    (("pulsa", "pulsanya"), "pulsa"),
    (("kuota", "kuotanya", "paket", "data"), "Data"),
)


def _hint(padded: str) -> str | None:
    for keys, hint in _HINTS:
        if _has(padded, keys):
            return hint
    return None


def wants_human(text: str) -> bool:
    """The customer asks to talk to a person (not about the admin fee of a bill)."""
    tokens = words(text)
    if not tokens:
        return False
    if {"admin", "adminnya"} & set(tokens) and _FEE_WORDS & set(tokens):
        return False
    return _HUMAN.search(" ".join(tokens)) is not None


_SOMEONE = (
    "ada orang",
    "ada orangnya",
    "ada yg jaga",
    "ada yang jaga",
    "ada admin",
    "ini bot",
    "kamu bot",
    "bot ya",
    "are you a bot",
    "anyone there",
    "is anyone",
)


def asks_who(text: str) -> bool:
    """Who is answering? ("ada orang?", "ini bot ya?")."""
    return _has(_padded(text), _SOMEONE)


_COMPLAIN = frozenset({"komplain", "komplen", "complain", "keluhan", "ngeluh", "lapor"})
_PRICE_OF_QUOTE = frozenset(
    {
        "berapa",
        "brp",
        "harga",
        "harganya",
        "biaya",
        "biayanya",
        "admin",
        "adminnya",
        "total",
        "totalnya",
        "mahal",
        "fee",
        "potongan",
        "ongkos",
    }
)


_LIMITS = frozenset({"minimal", "minimum", "min", "maksimal", "maksimum", "max", "batas"})


def asks_limits(text: str) -> bool:
    """A question about the smallest or largest amount ("minimal berapa ya?")."""
    return bool(_LIMITS & set(words(text)))


def wants_to_complain(text: str) -> bool:
    """A complaint that does not say what about yet ("kak aku mau komplain")."""
    return bool(_COMPLAIN & set(words(text)))


def asks_price(text: str) -> bool:
    """A question about what something costs ("biaya admin nya berapa?", "kok mahal ya")."""
    return bool(_PRICE_OF_QUOTE & set(words(text)))


# Frustration said in everyday phrases rather than one angry word ("ga jelas banget").
_ANGRY_PHRASES = (
    "ga jelas",
    "gak jelas",
    "nggak jelas",
    "gk jelas",
    "gajelas",
    "gini amat",
    "kok gini",
    "gimana sih",
    "gimana nih pelayanan",
    "gimana nih pelayanannya",
    "pelayanan kok",
    "pelayanannya kok",
    "lama banget sih",
    "lama bgt sih",
)


def is_angry(text: str) -> bool:
    """Words or everyday phrases of anger or strong disappointment."""
    return bool(_ANGRY & set(words(text))) or _has(_padded(text), _ANGRY_PHRASES)


def is_holding(text: str) -> bool:
    """The customer asks the bot to wait ("bentar ya kak, aku tanya adek dulu nomornya")."""
    tokens = words(text)
    return bool(tokens) and tokens[0] in _HOLD_START and "?" not in text


def is_goodbye(text: str) -> bool:
    """A goodbye ("bye", "wassalamualaikum", "udah itu aja")."""
    tokens = words(text)
    return bool(_GOODBYE & set(tokens)) or _has(f" {' '.join(tokens)} ", _GOODBYE_PHRASES)
