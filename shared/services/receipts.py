"""Customer text about money: quote cards, receipts (struk), deposits, transfers, saldo, history.

Every amount, status and serial number passed in comes from the ledger or the supplier; these
functions only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from shared.services.language import english, say
from shared.services.replies import JAKARTA, clock, pln_token, rupiah
from shared.store_models import Order


def confirm_hint() -> str:
    """How to answer a card."""
    return say(
        "Balas *YA* untuk lanjut atau *BATAL* kalau nggak jadi.",
        "Reply *YES* to go ahead or *CANCEL* if not.",
    )


_STATUS_LABELS: dict[str, tuple[str, str]] = {
    "quoted": ("Menunggu konfirmasi", "Waiting for your confirmation"),
    "held": ("Diproses", "Processing"),
    "submitted": ("Diproses", "Processing"),
    "pending": ("Diproses", "Processing"),
    "processing": ("Diproses", "Processing"),
    "success": ("Sukses ✅", "Successful ✅"),
    "failed": ("Gagal ❌", "Failed ❌"),
    "refunded": ("Gagal, saldo dikembalikan", "Failed, balance refunded"),
    "expired": ("Kedaluwarsa", "Expired"),
    "cancelled": ("Dibatalkan", "Cancelled"),
    "canceled": ("Dibatalkan", "Cancelled"),
}

# Card line labels as the dialog writes them, in English.
_LABELS_EN: dict[str, str] = {
    "Produk": "Product",
    "Tujuan": "To",
    "Nama": "Name",
    "Nominal": "Amount",
    "Biaya": "Fee",
    "Tagihan": "Bill",
    "No. pelanggan": "Customer no.",
    "Periode": "Period",
    "Tagihan + admin": "Bill + fee",
    "Metode": "Method",
    "Deposit": "Deposit",
}


def status_label(status: str) -> str:
    """A friendly label for an internal status word."""
    labels = _STATUS_LABELS.get(status)
    return status if labels is None else say(*labels)


def label(text: str) -> str:
    """A card line's label in the turn's language."""
    return _LABELS_EN.get(text, text) if english() else text


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
    rows = "\n".join(f"{label(name)}: {value}" for name, value in card.lines)
    after = card.balance - card.price
    price = say("Harga", "Price")
    text = f"{card.title} 👇\n{rows}\n{price}: *{rupiah(card.price)}*\n"
    if card.warning:
        text += f"⚠️ {card.warning}\n"
    valid = say(f"berlaku {card.ttl_minutes} menit", f"valid for {card.ttl_minutes} min")
    if after >= 0:
        text += say(
            f"Saldo: {rupiah(card.balance)} → sisa {rupiah(after)}\n",
            f"Balance: {rupiah(card.balance)} → {rupiah(after)} left\n",
        )
        return f"{text}{confirm_hint()} ({valid})"
    text += say(
        f"Saldo kakak {rupiah(card.balance)}, kurang *{rupiah(-after)}*.\n",
        f"Your balance is {rupiah(card.balance)}, *{rupiah(-after)}* short.\n",
    )
    if card.deposit is None:
        return text + say(
            "Balas *YA* dan aku buatkan deposit untuk kekurangannya; pesanan langsung aku "
            f"proses begitu dananya masuk. *BATAL* kalau nggak jadi.\n({valid.capitalize()})",
            "Reply *YES* and I'll make a deposit for the difference; your order goes through as "
            f"soon as it's paid. *CANCEL* if not.\n({valid.capitalize()})",
        )
    d = card.deposit
    about = "± " if d.estimate else ""
    if english():
        what = "a QRIS deposit" if d.qris else f"a deposit by {d.label}"
        return text + (
            f"Reply *YES* and I'll make {what} of *{rupiah(d.pay)}* (fees included; "
            f"{about}{rupiah(d.credit)} reaches your balance); your order goes through as soon "
            f"as it's paid. *CANCEL* if not.\n({valid.capitalize()})"
        )
    what = "QRIS deposit" if d.qris else f"deposit lewat {d.label}"
    return text + (
        f"Balas *YA* dan aku buatkan {what} *{rupiah(d.pay)}* (sudah termasuk biaya; yang masuk "
        f"saldo {about}{rupiah(d.credit)}); pesanan langsung aku proses begitu dananya masuk. "
        f"*BATAL* kalau nggak jadi.\n({valid.capitalize()})"
    )


def quote_expired(minutes: int) -> str:
    """YA after the quote's time ran out (QUOTE_TTL_SECONDS); a fresh card follows."""
    return say(
        f"Konfirmasinya sudah lewat {minutes} menit kak, jadi belum aku proses. "
        "Ini harga terbarunya:",
        f"The {minutes}-minute confirmation window has passed, so I didn't process it. "
        "Here's the latest price:",
    )


def quote_cancelled() -> str:
    """BATAL dropped the card."""
    return say(
        "Oke kak, dibatalin ya 👍 Ada lagi yang bisa aku bantu?",
        "Okay, cancelled 👍 Anything else I can help with?",
    )


def nothing_to_confirm() -> str:
    """YA with nothing to confirm."""
    return say(
        "Belum ada pesanan yang perlu dikonfirmasi kak 😊 Mau beli apa?",
        "There's nothing to confirm yet 😊 What would you like to buy?",
    )


def nothing_to_cancel() -> str:
    """BATAL with nothing open."""
    return say(
        "Oke kak 👍 Nggak ada pesanan yang lagi jalan kok.",
        "Okay 👍 There's nothing open to cancel.",
    )


def duplicate_warning(product: str, target: str, when: str) -> str:
    """The PPOB "#2" rule: the same product to the same target again within a few minutes.

    `when` is how long ago in words ("barusan", "3 menit lalu"), from the order's timestamp.
    """
    return say(
        f"Kak, {product} ke {target} sudah dibeli {when}. "
        "Yakin mau beli *lagi*? Balas *YA* untuk beli lagi atau *BATAL*.",
        f"{product} to {target} was already bought {when}. "
        "Buy it *again*? Reply *YES* to buy again or *CANCEL*.",
    )


def order_processing(product: str, target: str, ref: str) -> str:
    """The order was placed and the supplier is working on it."""
    return say(
        f"Siap kak, pesanan *{product}* ke {target} lagi diproses ⏳\n"
        f"Ref: {ref}\nNanti aku kabari begitu selesai ya.",
        f"Got it, *{product}* to {target} is being processed ⏳\n"
        f"Ref: {ref}\nI'll tell you as soon as it's done.",
    )


def order_delayed(ref: str) -> str:
    """The supplier did not answer in time: the order stays pending, we follow up ourselves."""
    return say(
        f"Sistem supplier lagi padat kak 🙏 Pesanan {ref} tetap aku pantau dan aku cek ulang "
        "otomatis, saldo kakak aman. Nanti aku kabari hasilnya.",
        f"The supplier is slow right now 🙏 I'm keeping an eye on order {ref} and checking it "
        "automatically; your balance is safe. I'll tell you the result.",
    )


def order_failed_now(product: str, reason: str | None, balance: int) -> str:
    """The supplier definitely declined at once: the hold is released.

    The supplier's reason is for the log (and the owner), never the customer: it is their
    wording, often technical, sometimes about our own account.
    """
    del reason
    return say(
        f"Maaf kak, *{product}* gagal diproses 🙏 Saldo sudah dikembalikan, "
        f"sekarang {rupiah(balance)}.",
        f"Sorry, *{product}* could not be processed 🙏 Your balance was refunded and is now "
        f"{rupiah(balance)}.",
    )


def price_changed(product: str) -> str:
    """The supplier price rose above the locked quote (limit_price): nothing was charged."""
    return say(
        f"Harga *{product}* di supplier barusan naik kak, jadi belum aku proses dan saldo "
        "tidak terpotong 🙏 Ini harga terbarunya:",
        f"The supplier just raised the price of *{product}*, so I didn't process it and "
        "nothing was charged 🙏 Here's the new price:",
    )


def still_short(product: str, shortfall: int) -> str:
    """A deposit arrived but the saldo still cannot pay for the waiting order."""
    return say(
        f"Saldo masih kurang {rupiah(shortfall)} buat *{product}* kak 🙏 Ketik _deposit_ "
        "untuk isi lagi, nanti pesanannya kirim ulang ya.",
        f"Your balance is still {rupiah(shortfall)} short for *{product}* 🙏 Type _deposit_ "
        "to add more, then send the order again.",
    )


def supplier_low() -> str:
    """The owner's supplier balance cannot cover the order."""
    return say(
        "Maaf kak, stok saldo toko lagi diisi ulang 🙏 Pesanan belum bisa diproses sekarang "
        "dan saldo kakak tidak terpotong. Coba lagi sebentar ya.",
        "Sorry, the shop is restocking right now 🙏 Your order can't go through yet and "
        "nothing was charged. Please try again shortly.",
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
    if ok:
        head = say("✅ *Transaksi berhasil*", "✅ *Transaction successful*")
    else:
        head = say("Status pesanan", "Order status") + f": {status_label(r.status)}"
    lines = [head, f"{label('Produk')}: {r.product}", f"{label('Tujuan')}: {r.target}"]
    if r.name:
        lines.append(f"{label('Nama')}: {r.name}")
    lines += [
        f"{say('Harga', 'Price')}: {rupiah(r.price)}",
        f"Status: {status_label(r.status)}",
    ]
    if r.sn:
        tag = "Token" if r.is_pln else "SN"
        lines.append(f"{tag}: {pln_token(r.sn) if r.is_pln else r.sn}")
    lines.append(f"Ref: {r.ref}")
    if r.balance is not None:
        lines.append(f"{say('Sisa saldo', 'Balance left')}: {rupiah(r.balance)}")
    if ok:
        lines.append(say("Makasih kak 🙏", "Thank you 🙏"))
    return "\n".join(lines)


def refund_notice(product: str, target: str, price: int, ref: str, balance: int | None) -> str:
    """A definite failure after submission: the hold was released (refund)."""
    now = "" if balance is None else f"\n{say('Saldo sekarang', 'Balance now')}: {rupiah(balance)}"
    return say(
        f"Maaf kak, *{product}* ke {target} gagal ❌\n"
        f"Saldo {rupiah(price)} sudah dikembalikan.\nRef: {ref}{now}\n"
        "Mau coba lagi atau pilih produk lain?",
        f"Sorry, *{product}* to {target} failed ❌\n"
        f"{rupiah(price)} was returned to your balance.\nRef: {ref}{now}\n"
        "Want to try again or pick another product?",
    )


# --- deposits --------------------------------------------------------------------------------


def deposit_methods(methods: Sequence[tuple[str, int, int]]) -> str:
    """Available deposit methods with their limits."""
    lines = "\n".join(f"• {name} ({rupiah(lo)} – {rupiah(hi)})" for name, lo, hi in methods)
    return say(
        f"Isi saldo bisa lewat:\n{lines}\nContoh: _deposit 50k via qris_ 😊",
        f"You can add balance by:\n{lines}\nExample: _deposit 50k via qris_ 😊",
    )


def unknown_method(said: str, methods: Sequence[tuple[str, int, int]]) -> str:
    """A deposit method we cannot use, with the ones we can."""
    lines = "\n".join(f"• {name} ({rupiah(lo)} – {rupiah(hi)})" for name, lo, hi in methods)
    if english():
        named = f"*{said}*" if said else "that"
        return f"A deposit by {named} isn't possible 🙏 These work:\n{lines}\nWhich one?"
    named = f"*{said}*" if said else "itu"
    return f"Deposit lewat {named} belum bisa kak 🙏 Yang bisa:\n{lines}\nMau pakai yang mana?"


def deposit_limits(method: str, lowest: int, highest: int) -> str:
    """An amount outside a method's own minimum and maximum."""
    return say(
        f"Deposit lewat {method} bisa dari {rupiah(lowest)} sampai {rupiah(highest)} kak 🙏 "
        "Mau isi berapa?",
        f"A deposit by {method} can be from {rupiah(lowest)} to {rupiah(highest)} 🙏 "
        "How much would you like?",
    )


def deposit_already_paid() -> str:
    """YA again after the shortfall deposit was paid."""
    return say(
        "Deposit buat ini sudah masuk kak 👍 Cek _saldo_ atau _riwayat_ ya.",
        "The deposit for this already arrived 👍 See _balance_ or _history_.",
    )


def same_deposit_again() -> str:
    """YA again while the shortfall deposit is still open: the same one, shown again."""
    return say(
        "Deposit ini masih berlaku ya kak, bayar yang ini aja 👇",
        "This deposit is still valid, just pay this one 👇",
    )


def shortfall_deposit_intro(product: str, amount: int, method: str, *, qris: bool) -> str:
    """Why a deposit follows the YA: the saldo was short for `product`."""
    if english():
        what = f"a QRIS of {rupiah(amount)}" if qris else f"a {rupiah(amount)} deposit by {method}"
        return (
            f"Your balance is short, so here's {what} (fees included, the rest stays in your "
            f"balance); as soon as it's paid, *{product}* goes through automatically 👍"
        )
    what = f"QRIS {rupiah(amount)}" if qris else f"deposit {rupiah(amount)} lewat {method}"
    return (
        f"Saldonya masih kurang kak. Aku buatin {what} ya (sudah termasuk biaya, sisanya masuk "
        f"saldo); begitu dananya masuk, *{product}* langsung aku proses otomatis 👍"
    )


def deposit_transfer_text(
    method: str, total: int, pay_to: str, expires_at: datetime | None, ref: str
) -> str:
    """How to pay a bank or e-wallet deposit."""
    if english():
        text = f"Deposit *{rupiah(total)}* by {method}\nPay to: *{pay_to}*\nPay the exact amount."
        if expires_at is not None:
            text += f"\nValid until {clock(expires_at)}."
        return text + f"\nRef: {ref}\nYour balance is credited (less the fee) once it's paid 😊"
    text = f"Deposit *{rupiah(total)}* lewat {method}\nBayar ke: *{pay_to}*"
    text += "\nBayar pas sesuai nominal."
    if expires_at is not None:
        text += f"\nBerlaku sampai {clock(expires_at)}."
    return (
        text + f"\nRef: {ref}\nSaldo otomatis masuk (dipotong biaya) begitu pembayaran diterima 😊"
    )


def deposit_qris_caption(total: int, expires_at: datetime | None, ref: str) -> str:
    """How to pay a QRIS deposit (the caption of the QR image)."""
    if english():
        text = (
            f"QRIS deposit *{rupiah(total)}* (your balance is credited less the QRIS fee)\n"
            "Scan with any banking or e-wallet app (DANA, OVO, GoPay, ShopeePay, BCA, …) and "
            "pay the exact amount."
        )
        if expires_at is not None:
            text += f"\nValid until {clock(expires_at)}."
        return text + f"\nRef: {ref}\nYour balance is updated as soon as it's paid 😊"
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
    if english():
        text = f"✅ Your {rupiah(amount)} deposit arrived!"
        return text + (f" Your balance is now {rupiah(balance)}." if balance is not None else "")
    text = f"✅ Deposit {rupiah(amount)} sudah masuk kak!"
    if balance is not None:
        text += f" Saldo sekarang {rupiah(balance)}."
    return text


def deposit_failed(amount: int, status: str) -> str:
    """The deposit expired or was cancelled."""
    return say(
        f"Deposit {rupiah(amount)} {status_label(status).lower()} kak. Mau buat yang baru?",
        f"Your {rupiah(amount)} deposit {status_label(status).lower()}. Make a new one?",
    )


def deposit_status(amount: int, status: str, ref: str, credited: int | None = None) -> str:
    """The current state of a deposit: its nominal (as history shows it), and the credit."""
    text = f"Deposit {ref}: {rupiah(amount)} — {status_label(status)}"
    if status == "success" and credited is not None and credited != amount:
        text += say(
            f" (masuk saldo {rupiah(credited)} setelah biaya)",
            f" ({rupiah(credited)} credited after the fee)",
        )
    return text


# --- transfers -------------------------------------------------------------------------------


def bank_list(names: Sequence[str]) -> str:
    """Banks and e-wallets a transfer can go to."""
    shown = ", ".join(names[:30])
    return say(
        f"Bisa transfer ke: {shown}.\nContoh: _tf 100k ke dana 0812xxxx a.n. Budi_",
        f"You can transfer to: {shown}.\nExample: _transfer 100k to dana 0812xxxx_",
    )


def holder_mismatch(given: str, holder: str) -> str:
    """The account's holder is not the name the customer gave: said before YA, plainly."""
    if english():
        shown = f"*{holder}*" if holder else "not shown"
        return (
            f"The account holder is {shown}, not *{given}* as you said. Make sure the bank and "
            "number are right; reply *YES* only if you still want to send to this account."
        )
    shown = f"*{holder}*" if holder else "tidak ditampilkan"
    return (
        f"Nama pemilik rekening {shown}, bukan *{given}* seperti yang kakak sebut. Pastikan "
        "bank dan nomornya benar; balas *YA* hanya kalau tetap mau kirim ke rekening ini."
    )


def transfer_done(amount: int, bank: str, account: str, name: str | None, ref: str) -> str:
    """A transfer reached its destination."""
    if english():
        who = f" ({name})" if name else ""
        return (
            f"✅ Transfer of {rupiah(amount)} to {bank.upper()} {account}{who} was successful."
            f"\nRef: {ref}"
        )
    who = f" a.n. {name}" if name else ""
    return f"✅ Transfer {rupiah(amount)} ke {bank.upper()} {account}{who} berhasil.\nRef: {ref}"


def transfer_failed(amount: int, bank: str, account: str, ref: str, balance: int | None) -> str:
    """A transfer failed for good: nominal and fee are back in the saldo."""
    now = "" if balance is None else f"\n{say('Saldo sekarang', 'Balance now')}: {rupiah(balance)}"
    return say(
        f"Maaf kak, transfer {rupiah(amount)} ke {bank.upper()} {account} gagal ❌\n"
        f"Dana + biaya sudah dikembalikan ke saldo.\nRef: {ref}{now}",
        f"Sorry, the {rupiah(amount)} transfer to {bank.upper()} {account} failed ❌\n"
        f"The amount and fee were returned to your balance.\nRef: {ref}{now}",
    )


# --- wallet ----------------------------------------------------------------------------------


def balance(amount: int, *, suggest_deposit: bool = False) -> str:
    """The customer's saldo, with how to top it up when asked for."""
    if english():
        text = f"Your balance is *{rupiah(amount)}* 😊"
        return text + " To add more, type _deposit 50k_." if suggest_deposit else text
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
        return say("Belum ada riwayat transaksi kak 😊", "You have no transactions yet 😊")
    lines = [
        f"{r.when.astimezone(JAKARTA).strftime('%d/%m')} {r.what} — {rupiah(r.amount)} "
        f"({status_label(r.status)})"
        for r in rows
    ]
    return say("Riwayat terakhir kakak:\n", "Your latest transactions:\n") + "\n".join(lines)
