"""What became of an order, deposit or transfer, in plain words, from the ledger's record.

One story per record: the same words whether the customer asks "kok belum masuk?", "status
SB…" or "udah sukses belum", and they never contradict the receipt or the refund notice (the
status, amounts, SN and times are the record's own). Timing words come from the record's
timestamps ("barusan", "5 menit lalu"), never from the customer's ("udah 1 jam loh").
"""

from __future__ import annotations

from datetime import datetime

from shared.services.language import english, say
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
        return say("barusan", "just now")
    if seconds < _HOUR:
        minutes = int(seconds // _MINUTE)
        return say(f"{minutes} menit lalu", f"{minutes} min ago")
    if seconds < _DAY:
        hours = int(seconds // _HOUR)
        return say(f"{hours} jam lalu", f"{hours} h ago")
    if seconds < 2 * _DAY:
        return say("kemarin", "yesterday")
    days = int(seconds // _DAY)
    return say(f"{days} hari lalu", f"{days} days ago")


def when(now: datetime, then: datetime) -> str:
    """A time and how long ago: "14.05 WIB, 3 menit lalu"."""
    return f"{clock(then)}, {ago(now, then)}"


def order_story(order: Order, *, balance: int, now: datetime) -> str:
    """An order's state: still processing, done (with SN or token), or failed and refunded."""
    name = order.layanan or order.code
    head = f"*{name}* {say('ke', 'to')} {order.target}"
    if order.status == "pending":
        return say(
            f"{head} masih diproses supplier ⏳ (dipesan {when(now, order.created_at)}). "
            "Biasanya beres dalam beberapa menit, dan hasilnya langsung aku kabari di sini. "
            "Kalau ternyata gagal, saldonya balik otomatis kok kak.",
            f"{head} is still being processed by the supplier ⏳ (ordered "
            f"{when(now, order.created_at)}). It usually takes a few minutes and I'll message "
            "you here with the result. If it fails, your balance is refunded automatically.",
        )
    settled = order.settled_at or order.updated_at
    if order.status == "success":
        text = say(f"{head} sudah sukses ✅", f"{head} was successful ✅")
        text += f" ({when(now, settled)})."
        if order.sn:
            is_pln = looks_like_pln(order.code, order.layanan) and order.kind == "prepaid"
            label = "Token" if is_pln else "SN"
            text += f"\n{label}: {pln_token(order.sn) if is_pln else order.sn}"
        return text + say(
            f"\nRef: {order.reff_id}\nKalau belum kelihatan di HP/akun tujuan, tunggu sebentar "
            "atau cek ulang ya kak; kalau tetap belum ada, kabari aku.",
            f"\nRef: {order.reff_id}\nIf it doesn't show yet on the phone/account, give it a "
            "moment and check again; if it still isn't there, let me know.",
        )
    return say(
        f"{head} gagal ❌ ({when(now, settled)}), jadi nggak ada yang terpotong: "
        f"{rupiah(order.price)} sudah dikembalikan ke saldo kakak. "
        f"Saldo sekarang {rupiah(balance)}.\nRef: {order.reff_id}\nMau coba lagi?",
        f"{head} failed ❌ ({when(now, settled)}), so nothing was charged: "
        f"{rupiah(order.price)} has been returned to your balance. "
        f"Your balance is now {rupiah(balance)}.\nRef: {order.reff_id}\nWant to try again?",
    )


def deposit_story(deposit: Deposit, *, balance: int, now: datetime) -> str:
    """A deposit's state: waiting for payment, being credited, credited, or expired.

    It opens as history and the status line do (`Deposit DP…: Rp 50.000 — …`, the nominal),
    and says what reached the saldo after the fee separately.
    """
    head = f"Deposit {deposit.reff_id}: {rupiah(deposit.nominal)}"
    if deposit.status == "pending":
        expiry = clock(deposit.expires_at) if deposit.expires_at else None
        if english():
            until = f" The QRIS is valid until {expiry}." if expiry else ""
            return (
                f"{head} — not paid yet ⏳{until} If you've paid, it usually arrives within "
                "1–2 minutes and I'll tell you here."
            )
        until = f" QRIS-nya berlaku sampai {expiry}." if expiry else ""
        return (
            f"{head} — belum kami terima ⏳{until} Kalau sudah bayar, biasanya masuk dalam "
            "1–2 menit dan langsung aku kabari di sini."
        )
    if deposit.status == "processing":
        return say(
            f"{head} — pembayaran sudah diterima, lagi dimasukkan ke saldo kakak ⏳",
            f"{head} — payment received, being added to your balance ⏳",
        )
    if deposit.status == "success":
        credited = rupiah(deposit.get_balance or deposit.nominal)
        moment = when(now, deposit.credited_at or deposit.updated_at)
        return say(
            f"{head} — sudah masuk ✅ ({moment}): {credited} ke saldo setelah biaya. "
            f"Saldo sekarang {rupiah(balance)}.",
            f"{head} — arrived ✅ ({moment}): {credited} added after the fee. "
            f"Your balance is now {rupiah(balance)}.",
        )
    return say(
        f"{head} — QRIS-nya sudah nggak berlaku, jadi nggak ada dana yang masuk kak. "
        "Kalau mau isi lagi, ketik _deposit 50rb_ ya.",
        f"{head} — the QRIS has expired, so no money came in. To top up again, type "
        "_deposit 50k_.",
    )


def transfer_story(transfer: Transfer, *, balance: int, now: datetime) -> str:
    """A transfer's state: processing, arrived, or failed with nominal and fee back."""
    where = f"{transfer.bank_code.upper()} {transfer.nomor_tujuan}"
    nominal = rupiah(transfer.nominal)
    if transfer.status == "pending":
        made = when(now, transfer.created_at)
        return say(
            f"Transfer {nominal} ke {where} masih diproses ⏳ (dibuat {made}). Begitu sampai "
            "langsung aku kabari; kalau gagal, dana + biayanya balik ke saldo.",
            f"Transfer {nominal} to {where} is still being processed ⏳ (made {made}). I'll tell "
            "you when it arrives; if it fails, the amount and fee go back to your balance.",
        )
    settled = when(now, transfer.settled_at or transfer.updated_at)
    if transfer.status == "success":
        return (
            say(
                f"Transfer {nominal} ke {where} sudah berhasil ✅ ({settled}).",
                f"Transfer {nominal} to {where} was successful ✅ ({settled}).",
            )
            + f"\nRef: {transfer.reff_id}"
        )
    return say(
        f"Transfer {nominal} ke {where} gagal ❌ ({settled}); {rupiah(transfer.total)} "
        f"(nominal + biaya) sudah dikembalikan ke saldo. Saldo sekarang {rupiah(balance)}.",
        f"Transfer {nominal} to {where} failed ❌ ({settled}); {rupiah(transfer.total)} "
        f"(amount + fee) was returned to your balance. Your balance is now {rupiah(balance)}.",
    )
