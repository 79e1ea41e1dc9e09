"""How the console writes money and time: Rupiah as the bot writes it, times in WIB, Indonesian."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.services.replies import rupiah

WIB = ZoneInfo("Asia/Jakarta")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")
_DAYS = ("Sen", "Sel", "Rab", "Kam", "Jum", "Sab", "Min")

STATUS_WORDS = {
    "pending": "diproses",
    "processing": "dibayar, diproses",
    "success": "sukses",
    "failed": "gagal",
    "expired": "kedaluwarsa",
    "cancel": "dibatalkan",
}


def when(value: datetime | None) -> str:
    """`3 Des 2026 14.05` in WIB; an em dash for nothing."""
    if value is None:
        return "—"
    local = value.astimezone(WIB)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year} {local:%H.%M}"


def short(value: datetime) -> str:
    """`3/12 14.05`: a WIB time for narrow table columns."""
    local = value.astimezone(WIB)
    return f"{local.day}/{local.month} {local:%H.%M}"


def day(value: datetime) -> str:
    """`Sen 3/12`: a WIB day for chart labels."""
    local = value.astimezone(WIB)
    return f"{_DAYS[local.weekday()]} {local.day}/{local.month}"


def ago(value: datetime | None, now: datetime) -> str:
    """`5 menit lalu`, `3 jam lalu`, `2 hari lalu`."""
    if value is None:
        return "—"
    seconds = max((now - value).total_seconds(), 0)
    if seconds < 90:
        return "baru saja"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} menit lalu"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} jam lalu"
    return f"{round(seconds / 86400)} hari lalu"


def until(value: datetime | None, now: datetime) -> str:
    """`14.05 (2 jam lagi)` for a time ahead."""
    if value is None:
        return "—"
    left = value - now
    if left <= timedelta(0):
        return "sudah lewat"
    hours = left.total_seconds() / 3600
    rest = f"{round(hours * 60)} menit lagi" if hours < 2 else f"{round(hours)} jam lagi"
    return f"{when(value)} ({rest})"


def status(word: str | None) -> str:
    """A document status in Indonesian."""
    return STATUS_WORDS.get(word or "", word or "—")


def signed_rupiah(amount: int) -> str:
    """`+Rp 10.000` / `-Rp 2.500`: ledger movements."""
    return ("+" if amount > 0 else "") + rupiah(amount)


FILTERS = {
    "rupiah": rupiah,
    "signed_rupiah": signed_rupiah,
    "when": when,
    "short": short,
    "day": day,
    "status": status,
}
