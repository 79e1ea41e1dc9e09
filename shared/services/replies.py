"""Every sentence a customer reads, in warm, concise casual Indonesian.

The dialog and the notifier only pick a function here and pass plain values (names, rupiah,
statuses that came from the ledger or the supplier); no other module writes customer text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def rupiah(amount: int) -> str:
    """`10500` → `Rp 10.500` (negative amounts keep their sign)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")


def pln_token(token: str) -> str:
    """Group a 20-digit PLN token as 4-4-4-4-4; anything else is returned unchanged."""
    digits = "".join(ch for ch in token if ch.isdigit())
    if len(digits) != 20:
        return token
    return "-".join(digits[i : i + 4] for i in range(0, 20, 4))


def clock(moment: datetime) -> str:
    """A time of day in Jakarta, e.g. `14.05 WIB`."""
    return moment.astimezone(JAKARTA).strftime("%H.%M WIB")


@dataclass(frozen=True, kw_only=True)
class Option:
    """One numbered line: a product or a choice, with its price when it has one."""

    label: str
    price: int | None = None
    note: str | None = None


def numbered(options: Sequence[Option]) -> str:
    """`1. Name — Rp 10.500` lines (at most nine, as WhatsApp text options)."""
    lines = []
    for index, option in enumerate(options[:9], start=1):
        line = f"{index}. {option.label}"
        if option.price is not None:
            line += f" — {rupiah(option.price)}"
        if option.note:
            line += f" ({option.note})"
        lines.append(line)
    return "\n".join(lines)


# --- greeting, help, small talk --------------------------------------------------------------


def greeting(text: str) -> str:
    """Answer a greeting in kind ("pagi" gets "Selamat pagi!")."""
    lowered = text.lower()
    for part in ("pagi", "siang", "sore", "malam"):
        if part in lowered:
            return f"Selamat {part}! Mau cek harga atau top up produk apa nih? 😊"
    return "Halo kak! Mau cek harga atau top up produk apa nih? 😊"


HELP = (
    "Aku bisa bantu ini kak:\n"
    "1. Cek harga — _viu berapa?_\n"
    "2. Cari sesuai budget — _aku cuma punya 5rb_\n"
    "3. Top up pulsa, data, game, e-money — _ML 86 ke 12345678 (1234)_\n"
    "4. Cek & bayar tagihan — _tagihan PLN 123456_\n"
    "5. Isi saldo via QRIS — _deposit 50k_\n"
    "6. Transfer bank/e-wallet — _tf 100k ke dana 0812xxxx a.n. Budi_\n"
    "7. Cek saldo, riwayat, dan status pesanan\n"
    "Ketik santai aja ya 😊"
)

SMALLTALK = "Siap kak 😊 Kalau mau cek harga atau top up, tinggal bilang aja ya."

UNKNOWN = (
    "Maaf kak, aku belum nangkep maksudnya 🙏 Coba tulis misalnya _pulsa tsel 10rb ke "
    "0812xxxx_ atau _viu berapa?_. Ketik *bantuan* buat lihat semua yang bisa aku bantu."
)

BRAIN_BUSY = (
    "Maaf kak, aku lagi agak sibuk buat pesan yang panjang 🙏 Untuk sekarang coba tulis "
    "singkat ya, misalnya _pulsa tsel 10rb ke 0812xxxx_. Nanti aku coba lagi."
)

UNDECRYPTABLE = "Maaf kak, pesan barusan nggak kebaca di sini 🙏 Boleh dikirim ulang?"
CATCH_UP = (
    "Maaf kak baru balas 🙏 Pesan yang tadi masuk waktu aku offline, jadi belum aku proses. "
    "Masih mau cek harga atau top up apa? Kirim lagi ya."
)

MEDIA_FAILED = "Maaf kak, file-nya gagal aku buka 🙏 Bisa kirim ulang, atau ketik aja isinya?"

MEDIA_UNSUPPORTED = (
    "Maaf kak, aku baru bisa baca pesan teks 🙏 Ketik aja ya, misalnya _token PLN 20rb ke "
    "12345678901_."
)

BUSY = "Maaf kak, sistem lagi padat 🙏 Coba kirim lagi sebentar lagi ya."

NOT_ADMIN = "Maaf kak, perintah itu khusus admin toko ya 🙏"


# --- catalog ---------------------------------------------------------------------------------


def price_list(title: str, options: Sequence[Option], *, more: bool) -> str:
    """Prices of matching products, numbered so the customer can answer with a number."""
    text = f"Ini harga *{title}* ya kak:\n{numbered(options)}"
    if more:
        text += "\nMasih ada varian lain, sebut nominal/paketnya biar aku persempit."
    return text + "\nBalas nomornya kalau mau beli 😊"


def one_price(name: str, price: int) -> str:
    """The price of the one product the customer named."""
    return f"*{name}* harganya {rupiah(price)} kak 😊 Mau langsung beli?"


def budget_list(budget: int, options: Sequence[Option]) -> str:
    """What fits a budget."""
    return (
        f"Dengan {rupiah(budget)} bisa dapet ini kak:\n{numbered(options)}\n"
        "Balas nomornya kalau mau ambil 😊"
    )


def nothing_found(query: str) -> str:
    """No product matched."""
    return (
        f"Maaf kak, aku belum nemu produk *{query}* 🙏 Coba tulis nama lain, misalnya "
        "_pulsa telkomsel_, _ML_, _token PLN_."
    )


def nothing_in_budget(budget: int) -> str:
    """Nothing is cheap enough."""
    return f"Maaf kak, belum ada produk di bawah {rupiah(budget)} 🙏"


def product_empty(name: str, alternative: Option | None) -> str:
    """The product is out of stock, with an alternative when there is one."""
    if alternative is None:
        return f"Yah, *{name}* lagi kosong kak 🙏 Coba lagi nanti ya."
    price = f" {rupiah(alternative.price)}" if alternative.price is not None else ""
    return (
        f"Yah, *{name}* lagi kosong kak 🙏 Gimana kalau *{alternative.label}*{price}? "
        "Balas *1* kalau mau."
    )


# --- slot questions --------------------------------------------------------------------------

QUESTIONS: dict[str, str] = {
    "product": "Mau produk yang mana kak? Sebut nama atau nominalnya ya.",
    "target": "Nomor tujuannya berapa kak?",
    "game_target": "ID-nya berapa kak? Kalau ada server/zone tulis juga, misal 12345678 (1234).",
    "meter": "Nomor meter / ID pelanggannya berapa kak?",
    "customer_no": "Nomor pelanggannya berapa kak?",
    "amount": "Nominalnya berapa kak?",
    "bank": "Ke bank atau e-wallet apa kak? (misal BCA, BRI, DANA, OVO)",
    "account_no": "Nomor rekening / nomor e-wallet tujuannya berapa kak?",
    "ref": "Nomor pesanannya (ref) berapa kak?",
    "zone": "Zone ID-nya berapa kak? Angka di dalam kurung di profil game, misal (1234).",
    "method": "Mau deposit lewat apa kak? Misal QRIS, BCA VA, DANA atau OVO.",
}


def ask(slot: str) -> str:
    """One question for one missing piece of information."""
    return QUESTIONS.get(slot, "Bisa dijelasin lagi kak?")


def invalid_option(count: int) -> str:
    """A number outside the offered list."""
    return f"Pilih nomor 1 sampai {count} ya kak 😊"
