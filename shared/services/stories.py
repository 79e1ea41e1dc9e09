"""What became of an order, deposit or transfer, in plain words, from the ledger's record.

One story per record: the same words whether the customer asks "kok belum masuk?", "status
SB…" or "udah sukses belum", and they never contradict the receipt or the refund notice (the
status, amounts, SN and times are the record's own). Timing words come from the record's
timestamps ("barusan", "5 menit lalu"), never from the customer's ("udah 1 jam loh").
"""

from __future__ import annotations

from datetime import datetime

from shared.services.receipts import looks_like_pln
from shared.services.replies import clock, pln_token, rupiah
from shared.store_models import Deposit, Order, Transfer

_MINUTE = 60
_HOUR = 3600
_DAY = 24 * _HOUR


def ago(now: datetime, then: datetime) -> str:
    """How long ago, in words: "barusan", "3 menit lalu", "2 jam lalu", "kemarin"."""
    seconds = max((now - then).total_seconds(), 0)
    if seconds < _MINUTE:
        return "barusan"
    if seconds < _HOUR:
        return f"{int(seconds // _MINUTE)} menit lalu"
    if seconds < _DAY:
        return f"{int(seconds // _HOUR)} jam lalu"
    return "kemarin" if seconds < 2 * _DAY else f"{int(seconds // _DAY)} hari lalu"


def when(now: datetime, then: datetime) -> str:
    """A time and how long ago: "14.05 WIB, 3 menit lalu"."""
    return f"{clock(then)}, {ago(now, then)}"


def order_story(order: Order, *, balance: int, now: datetime) -> str:
    """An order's state: still processing, done (with SN or token), or failed and refunded."""
    name = order.layanan or order.code
    head = f"*{name}* ke {order.target}"
    if order.status == "pending":
        return (
            f"{head} masih diproses supplier ⏳ (dipesan {when(now, order.created_at)}). "
            "Biasanya beres dalam beberapa menit, dan hasilnya langsung aku kabari di sini. "
            "Kalau ternyata gagal, saldonya balik otomatis kok kak."
        )
    settled = order.settled_at or order.updated_at
    if order.status == "success":
        text = f"{head} sudah sukses ✅ ({when(now, settled)})."
        if order.sn:
            is_pln = looks_like_pln(order.code, order.layanan)
            label = "Token" if is_pln and order.kind == "prepaid" else "SN"
            text += f"\n{label}: {pln_token(order.sn) if label == 'Token' else order.sn}"
        return text + (
            f"\nRef: {order.reff_id}\nKalau belum kelihatan di HP/akun tujuan, tunggu sebentar "
            "atau cek ulang ya kak; kalau tetap belum ada, kabari aku."
        )
    return (
        f"{head} gagal ❌ ({when(now, settled)}), jadi nggak ada yang terpotong: "
        f"{rupiah(order.price)} sudah dikembalikan ke saldo kakak. "
        f"Saldo sekarang {rupiah(balance)}.\nRef: {order.reff_id}\nMau coba lagi?"
    )


def deposit_story(deposit: Deposit, *, balance: int, now: datetime) -> str:
    """A deposit's state: waiting for payment, being credited, credited, or expired."""
    amount = rupiah(deposit.nominal)
    if deposit.status == "pending":
        until = (
            f" QRIS-nya berlaku sampai {clock(deposit.expires_at)}." if deposit.expires_at else ""
        )
        return (
            f"Deposit {amount} (Ref {deposit.reff_id}) belum kami terima kak.{until} "
            "Kalau sudah bayar, biasanya masuk dalam 1–2 menit dan langsung aku kabari di sini."
        )
    if deposit.status == "processing":
        return (
            f"Pembayaran deposit {amount} sudah diterima, lagi dimasukkan ke saldo kakak ⏳ "
            "Sebentar lagi aku kabari."
        )
    if deposit.status == "success":
        credited = deposit.get_balance or deposit.nominal
        moment = deposit.credited_at or deposit.updated_at
        return (
            f"Deposit {amount} sudah masuk ✅ ({when(now, moment)}): {rupiah(credited)} "
            f"ke saldo. Saldo sekarang {rupiah(balance)}."
        )
    return (
        f"QRIS deposit {amount} sudah nggak berlaku, jadi nggak ada dana yang masuk kak. "
        "Kalau mau isi lagi, ketik _deposit 50rb_ ya."
    )


def transfer_story(transfer: Transfer, *, balance: int, now: datetime) -> str:
    """A transfer's state: processing, arrived, or failed with nominal and fee back."""
    head = f"Transfer {rupiah(transfer.nominal)} ke {transfer.bank_code.upper()} "
    head += transfer.nomor_tujuan
    if transfer.status == "pending":
        return (
            f"{head} masih diproses ⏳ (dibuat {when(now, transfer.created_at)}). "
            "Begitu sampai langsung aku kabari; kalau gagal, dana + biayanya balik ke saldo."
        )
    settled = transfer.settled_at or transfer.updated_at
    if transfer.status == "success":
        return f"{head} sudah berhasil ✅ ({when(now, settled)}).\nRef: {transfer.reff_id}"
    return (
        f"{head} gagal ❌ ({when(now, settled)}); {rupiah(transfer.total)} (nominal + biaya) "
        f"sudah dikembalikan ke saldo. Saldo sekarang {rupiah(balance)}."
    )
