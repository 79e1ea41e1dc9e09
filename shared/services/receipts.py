"""Customer text about money: quote cards, receipts (struk), deposits, transfers, saldo, history.

Every amount, status and serial number passed in comes from the ledger or the supplier; these
functions only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.services.replies import JAKARTA, clock, pln_token, rupiah
from shared.store_models import Order

CONFIRM_HINT = "Balas *YA* untuk lanjut atau *BATAL* kalau nggak jadi."

STATUS_LABELS: dict[str, str] = {
    "quoted": "Menunggu konfirmasi",
    "held": "Diproses",
    "submitted": "Diproses",
    "pending": "Diproses",
    "processing": "Diproses",
    "success": "Sukses ✅",
    "failed": "Gagal ❌",
    "refunded": "Gagal, saldo dikembalikan",
    "expired": "Kedaluwarsa",
    "cancelled": "Dibatalkan",
    "canceled": "Dibatalkan",
}


def status_label(status: str) -> str:
    """A friendly label for an internal status word."""
    return STATUS_LABELS.get(status, status)


@dataclass(frozen=True, kw_only=True)
class DepositLine:
    """The deposit a short saldo needs, as the quote keeps it: method, what to pay, credit."""

    label: str
    pay: int
    credit: int
    qris: bool
    estimate: bool = False

    @classmethod
    def of(cls, offer: Mapping[str, object]) -> DepositLine:
        """From a quote's `payload["deposit"]`."""
        method = str(offer.get("method") or "")
        return cls(
            label=str(offer.get("label") or method.upper()),
            pay=int(str(offer.get("pay") or 0)),
            credit=int(str(offer.get("credit") or 0)),
            qris=method.lower().startswith("qris"),
            estimate=bool(offer.get("estimate")),
        )


@dataclass(frozen=True, kw_only=True)
class QuoteCard:
    """What the customer is asked to confirm.

    Attributes:
        deposit: with a short saldo, the deposit YA opens (its amount is the invoice's).
        warning: something the customer must have read before YA (a name that does not match).
    """

    title: str
    lines: Sequence[tuple[str, str]]
    price: int
    balance: int
    ttl_minutes: int
    deposit: DepositLine | None = None
    warning: str | None = None


def quote_card(card: QuoteCard) -> str:
    """The plain-text confirmation card, ending with the YA/BATAL instruction."""
    rows = "\n".join(f"{label}: {value}" for label, value in card.lines)
    after = card.balance - card.price
    text = f"{card.title} 👇\n{rows}\nHarga: *{rupiah(card.price)}*\n"
    if card.warning:
        text += f"⚠️ {card.warning}\n"
    if after >= 0:
        text += f"Saldo: {rupiah(card.balance)} → sisa {rupiah(after)}\n"
        return f"{text}{CONFIRM_HINT} (berlaku {card.ttl_minutes} menit)"
    text += f"Saldo kakak {rupiah(card.balance)}, kurang *{rupiah(-after)}*.\n"
    if card.deposit is None:
        return text + (
            f"Balas *YA* dan aku buatkan deposit untuk kekurangannya; pesanan langsung aku "
            f"proses begitu dananya masuk. *BATAL* kalau nggak jadi.\n(Berlaku {card.ttl_minutes} "
            "menit)"
        )
    d = card.deposit
    what = "QRIS deposit" if d.qris else f"deposit lewat {d.label}"
    return text + (
        f"Balas *YA* dan aku buatkan {what} *{rupiah(d.pay)}* (sudah termasuk biaya; yang masuk "
        f"saldo {'± ' if d.estimate else ''}{rupiah(d.credit)}); pesanan langsung aku proses "
        "begitu dananya masuk. "
        f"*BATAL* kalau nggak jadi.\n(Berlaku {card.ttl_minutes} menit)"
    )


def quote_expired(minutes: int) -> str:
    """YA after the quote's time ran out (QUOTE_TTL_SECONDS); a fresh card follows."""
    return (
        f"Konfirmasinya sudah lewat {minutes} menit kak, jadi belum aku proses. "
        "Ini harga terbarunya:"
    )


QUOTE_CANCELLED = "Oke kak, dibatalin ya 👍 Ada lagi yang bisa aku bantu?"
NOTHING_TO_CONFIRM = "Belum ada pesanan yang perlu dikonfirmasi kak 😊 Mau beli apa?"
NOTHING_TO_CANCEL = "Oke kak 👍 Nggak ada pesanan yang lagi jalan kok."


def duplicate_warning(product: str, target: str, when: str) -> str:
    """The PPOB "#2" rule: the same product to the same target again within a few minutes.

    `when` is how long ago in words ("barusan", "3 menit lalu"), from the order's timestamp.
    """
    return (
        f"Kak, {product} ke {target} sudah dibeli {when}. "
        "Yakin mau beli *lagi*? Balas *YA* untuk beli lagi atau *BATAL*."
    )


def order_processing(product: str, target: str, ref: str) -> str:
    """The order was placed and the supplier is working on it."""
    return (
        f"Siap kak, pesanan *{product}* ke {target} lagi diproses ⏳\n"
        f"Ref: {ref}\nNanti aku kabari begitu selesai ya."
    )


def order_delayed(ref: str) -> str:
    """The supplier did not answer in time: the order stays pending, we follow up ourselves."""
    return (
        f"Sistem supplier lagi padat kak 🙏 Pesanan {ref} tetap aku pantau dan aku cek ulang "
        "otomatis, saldo kakak aman. Nanti aku kabari hasilnya."
    )


def order_failed_now(product: str, reason: str | None, balance: int) -> str:
    """The supplier definitely declined at once: the hold is released."""
    why = f" ({reason})" if reason else ""
    return (
        f"Maaf kak, *{product}* gagal diproses{why} 🙏 Saldo sudah dikembalikan, "
        f"sekarang {rupiah(balance)}."
    )


def price_changed(product: str) -> str:
    """The supplier price rose above the locked quote (limit_price): nothing was charged."""
    return (
        f"Harga *{product}* di supplier barusan naik kak, jadi belum aku proses dan saldo "
        "tidak terpotong 🙏 Ini harga terbarunya:"
    )


def still_short(product: str, shortfall: int) -> str:
    """A deposit arrived but the saldo still cannot pay for the waiting order."""
    return (
        f"Saldo masih kurang {rupiah(shortfall)} buat *{product}* kak 🙏 Ketik _deposit_ "
        "untuk isi lagi, nanti pesanannya kirim ulang ya."
    )


def supplier_low() -> str:
    """The owner's supplier balance cannot cover the order."""
    return (
        "Maaf kak, stok saldo toko lagi diisi ulang 🙏 Pesanan belum bisa diproses sekarang "
        "dan saldo kakak tidak terpotong. Coba lagi sebentar ya."
    )


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """A final order result (struk)."""

    product: str
    target: str
    price: int
    status: str
    ref: str
    sn: str | None = None
    name: str | None = None
    is_pln: bool = False
    balance: int | None = None


_POSTPAID_WORDS = ("PASCABAYAR", "POSTPAID", "TAGIHAN")


def looks_like_pln(*names: str | None) -> bool:
    """Whether a product (by code or name) is a PLN token, whose SN is shown grouped.

    A postpaid PLN bill is not: its SN is a payment reference, never a token.
    """
    text = " ".join(n for n in names if n).upper()
    if any(word in text for word in _POSTPAID_WORDS) or "PPLN" in text.split():
        return False
    return "PLN" in text or "TOKEN" in text


def order_receipt(order: Order) -> Receipt:
    """The struk of a stored order, as the ledger has it."""
    return Receipt(
        product=order.layanan or order.code,
        target=order.target,
        price=order.price,
        status=order.status,
        ref=order.reff_id,
        sn=order.sn,
        name=order.customer_name,
        is_pln=order.kind == "prepaid" and looks_like_pln(order.code, order.layanan),
    )


def receipt(r: Receipt) -> str:
    """Struk: product, target, price, status, SN (PLN tokens grouped 4-4-4-4-4)."""
    ok = r.status == "success"
    head = "✅ *Transaksi berhasil*" if ok else f"Status pesanan: {status_label(r.status)}"
    lines = [head, f"Produk: {r.product}", f"Tujuan: {r.target}"]
    if r.name:
        lines.append(f"Nama: {r.name}")
    lines += [f"Harga: {rupiah(r.price)}", f"Status: {status_label(r.status)}"]
    if r.sn:
        label = "Token" if r.is_pln else "SN"
        lines.append(f"{label}: {pln_token(r.sn) if r.is_pln else r.sn}")
    lines.append(f"Ref: {r.ref}")
    if r.balance is not None:
        lines.append(f"Sisa saldo: {rupiah(r.balance)}")
    if ok:
        lines.append("Makasih kak 🙏")
    return "\n".join(lines)


def refund_notice(product: str, target: str, price: int, ref: str, balance: int | None) -> str:
    """A definite failure after submission: the hold was released (refund)."""
    text = (
        f"Maaf kak, *{product}* ke {target} gagal ❌\n"
        f"Saldo {rupiah(price)} sudah dikembalikan.\nRef: {ref}"
    )
    if balance is not None:
        text += f"\nSaldo sekarang: {rupiah(balance)}"
    return text + "\nMau coba lagi atau pilih produk lain?"


# --- deposits --------------------------------------------------------------------------------


def deposit_methods(methods: Sequence[tuple[str, int, int]]) -> str:
    """Available deposit methods with their limits."""
    lines = [f"• {name.upper()} ({rupiah(lo)} – {rupiah(hi)})" for name, lo, hi in methods]
    return "Isi saldo bisa lewat:\n" + "\n".join(lines) + "\nContoh: _deposit 50k via qris_ 😊"


def unknown_method(said: str, methods: Sequence[tuple[str, int, int]]) -> str:
    """A deposit method we cannot use, with the ones we can."""
    named = f"*{said}*" if said else "itu"
    lines = [f"• {name} ({rupiah(lo)} – {rupiah(hi)})" for name, lo, hi in methods]
    return (
        f"Deposit lewat {named} belum bisa kak 🙏 Yang bisa:\n" + "\n".join(lines) + "\n"
        "Mau pakai yang mana?"
    )


def deposit_limits(method: str, lowest: int, highest: int) -> str:
    """An amount outside a method's own minimum and maximum."""
    return (
        f"Deposit lewat {method} bisa dari {rupiah(lowest)} sampai {rupiah(highest)} kak 🙏 "
        "Mau isi berapa?"
    )


DEPOSIT_ALREADY_PAID = "Deposit buat ini sudah masuk kak 👍 Cek _saldo_ atau _riwayat_ ya."
SAME_DEPOSIT_AGAIN = "Deposit ini masih berlaku ya kak, bayar yang ini aja 👇"


def shortfall_deposit_intro(product: str, amount: int, method: str, *, qris: bool) -> str:
    """Why a deposit follows the YA: the saldo was short for `product`."""
    what = f"QRIS {rupiah(amount)}" if qris else f"deposit {rupiah(amount)} lewat {method}"
    return (
        f"Saldonya masih kurang kak. Aku buatin {what} ya (sudah termasuk biaya, sisanya masuk "
        f"saldo); begitu dananya masuk, *{product}* langsung aku proses otomatis 👍"
    )


def deposit_transfer_text(
    method: str, total: int, pay_to: str, expires_at: datetime | None, ref: str
) -> str:
    """How to pay a bank or e-wallet deposit."""
    text = f"Deposit *{rupiah(total)}* lewat {method}\nBayar ke: *{pay_to}*"
    text += "\nBayar pas sesuai nominal."
    if expires_at is not None:
        text += f"\nBerlaku sampai {clock(expires_at)}."
    return (
        text + f"\nRef: {ref}\nSaldo otomatis masuk (dipotong biaya) begitu pembayaran diterima 😊"
    )


def deposit_qris_caption(total: int, expires_at: datetime | None, ref: str) -> str:
    """How to pay a QRIS deposit (the caption of the QR image)."""
    text = f"QRIS deposit *{rupiah(total)}* (saldo masuk setelah dipotong biaya QRIS)"
    text += (
        "\nScan pakai m-banking atau e-wallet apa aja (DANA, OVO, GoPay, ShopeePay, BCA, dll), "
        "bayar pas sesuai nominal."
    )
    if expires_at is not None:
        text += f"\nBerlaku sampai {clock(expires_at)}."
    return text + f"\nRef: {ref}\nSaldo otomatis masuk begitu pembayaran diterima 😊"


def deposit_credited(amount: int, balance: int | None) -> str:
    """The deposit was paid and credited."""
    text = f"✅ Deposit {rupiah(amount)} sudah masuk kak!"
    if balance is not None:
        text += f" Saldo sekarang {rupiah(balance)}."
    return text


def deposit_failed(amount: int, status: str) -> str:
    """The deposit expired or was cancelled."""
    return f"Deposit {rupiah(amount)} {status_label(status).lower()} kak. Mau buat yang baru?"


def deposit_status(amount: int, status: str, ref: str, credited: int | None = None) -> str:
    """The current state of a deposit: its nominal (as history shows it), and the credit."""
    text = f"Deposit {ref}: {rupiah(amount)} — {status_label(status)}"
    if status == "success" and credited is not None and credited != amount:
        text += f" (masuk saldo {rupiah(credited)} setelah biaya)"
    return text


# --- transfers -------------------------------------------------------------------------------


def bank_list(names: Sequence[str]) -> str:
    """Banks and e-wallets a transfer can go to."""
    shown = ", ".join(names[:30])
    return f"Bisa transfer ke: {shown}.\nContoh: _tf 100k ke dana 0812xxxx a.n. Budi_"


def holder_mismatch(given: str, holder: str) -> str:
    """The account's holder is not the name the customer gave: said before YA, plainly."""
    shown = f"*{holder}*" if holder else "tidak ditampilkan"
    return (
        f"Nama pemilik rekening {shown}, bukan *{given}* seperti yang kakak sebut. Pastikan "
        "bank dan nomornya benar; balas *YA* hanya kalau tetap mau kirim ke rekening ini."
    )


def transfer_done(amount: int, bank: str, account: str, name: str | None, ref: str) -> str:
    """A transfer reached its destination."""
    who = f" a.n. {name}" if name else ""
    return f"✅ Transfer {rupiah(amount)} ke {bank.upper()} {account}{who} berhasil.\nRef: {ref}"


def transfer_failed(amount: int, bank: str, account: str, ref: str, balance: int | None) -> str:
    """A transfer failed for good: nominal and fee are back in the saldo."""
    text = (
        f"Maaf kak, transfer {rupiah(amount)} ke {bank.upper()} {account} gagal ❌\n"
        f"Dana + biaya sudah dikembalikan ke saldo.\nRef: {ref}"
    )
    if balance is not None:
        text += f"\nSaldo sekarang: {rupiah(balance)}"
    return text


# --- wallet ----------------------------------------------------------------------------------


def balance(amount: int, *, suggest_deposit: bool = False) -> str:
    """The customer's saldo, with how to top it up when asked for."""
    text = f"Saldo kakak sekarang *{rupiah(amount)}* 😊"
    return text + " Mau isi saldo? Ketik _deposit 50k_." if suggest_deposit else text


@dataclass(frozen=True, kw_only=True)
class HistoryLine:
    """One row of the customer's history."""

    when: datetime
    what: str
    amount: int
    status: str


def history(rows: Sequence[HistoryLine]) -> str:
    """The last few orders, deposits and transfers."""
    if not rows:
        return "Belum ada riwayat transaksi kak 😊"
    lines = [
        f"{r.when.astimezone(JAKARTA).strftime('%d/%m')} {r.what} — {rupiah(r.amount)} "
        f"({status_label(r.status)})"
        for r in rows
    ]
    return "Riwayat terakhir kakak:\n" + "\n".join(lines)
