"""Which language a customer writes in: English or Indonesian, from the words they use.

    detect("what's my balance")        -> "en"
    detect("saldo aku brp kak")        -> "id"
    detect("081234567890") / ("ok")     -> None: nothing says; keep the conversation's language

A message is English when it has English function words and no Indonesian ones; product
names, numbers and words both languages use in a shop chat (top up, deposit, transfer, pulsa,
ok, yes, cancel) decide nothing. Indonesian stays the default.
"""

from __future__ import annotations

from typing import Literal

from shared.domain.aliases import words

Language = Literal["id", "en"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ENGLISH = _set(
    """the a an my your me i i'm im you is are am was be been do does did can could would will
    what whats what's how much many where when why which who please pls thanks thank hello hey
    want need buy get show check tell give send pay bill bills balance history transaction
    transactions order orders not talk human person someone for to of with from
    and or but it this that there here done yet still received weather today like money account
    credit diamonds second third first last one cheapest bye goodbye morning evening night
    top-up"""
)
_INDONESIAN = _set(
    """kak kakak aku saya sy gw gue mau berapa brp brapa dong deh ya yg yang beli beliin tolong
    gak ga nggak ngga enggak udah sudah belum blm dan ke sama apa aja saja kok sih nih itu ini
    ada bisa kalau kalo terus trus lagi juga buat untuk dari di pake pakai harga harganya cek
    gimana mana kapan kenapa makasih terima kasih isi isiin bayar tagihan minta pesan pesanan
    masuk gagal selamat pagi siang sore malam halo hai min gan bang sis cuma punya dapat dapet
    kirim nomor nomer pilih ambil batal jadi lanjut iya betul boleh"""
)


def detect(text: str) -> Language | None:
    """The language of `text`, or None when its words do not tell."""
    tokens = set(words(text.replace("'", ""))) | set(words(text))
    if tokens & _INDONESIAN:
        return "id"
    return "en" if tokens & _ENGLISH else None
