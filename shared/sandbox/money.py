"""Sandbox endpoints for deposits (QRIS and friends) and transfers (payouts).

Deposit state machine: pending → (paid) → `processing` for plain `qris`, which needs
`/deposit/instant` with action=true, or straight to `success` for `qrisfast` and the other
methods; an unpaid deposit expires one hour after creation or can be cancelled. Transfers cost a
flat Rp 2,000 on top of the nominal and complete after `complete_after` seconds.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.sandbox import magic
from shared.sandbox.engine import Handler, Reply, fail, ok
from shared.sandbox.state import Record

if TYPE_CHECKING:
    from shared.sandbox.engine import Engine

TRANSFER_FEE = 2_000
DEPOSIT_TTL_SECONDS = 3_600
INSTANT_FEE_PERCENT = 1.4

# metode -> (type, name, min, max, flat fee, percent fee)
METHODS: dict[str, tuple[str, str, int, int, int, float]] = {
    "qris": ("ewallet", "QRIS", 500, 5_000_000, 0, 0.7),
    "qrisfast": ("ewallet", "QRIS INSTANT", 1_000, 5_000_000, 200, 1.4),
    "DANA": ("ewallet", "E-Wallet DANA", 10_000, 2_000_000, 0, 1.5),
    "OVO": ("ewallet", "E-Wallet OVO", 10_000, 2_000_000, 0, 1.5),
    "bca": ("va", "BCA Virtual Account", 10_000, 50_000_000, 4_000, 0.0),
    "MANDIRI": ("va", "Mandiri Virtual Account", 10_000, 50_000_000, 4_000, 0.0),
    "PERMATA": ("va", "Permata Virtual Account", 10_000, 50_000_000, 3_500, 0.0),
}

BANKS: tuple[tuple[str, str, str, str], ...] = (
    ("1", "mandiri", "Bank Mandiri", "bank"),
    ("2", "bca", "Bank Central Asia (BCA)", "bank"),
    ("3", "bri", "Bank Rakyat Indonesia (BRI)", "bank"),
    ("4", "bni", "Bank Negara Indonesia (BNI)", "bank"),
    ("5", "btn", "Bank Tabungan Negara (BTN)", "bank"),
    ("6", "cimb", "Bank CIMB Niaga", "bank"),
    ("7", "permata", "Bank Permata", "bank"),
    ("8", "danamon", "Bank Danamon", "bank"),
    ("9", "bsi", "Bank Syariah Indonesia (BSI)", "bank"),
    ("10", "seabank", "SeaBank Indonesia", "bank"),
    ("11", "jago", "Bank Jago", "bank"),
    ("166", "bpd_kaltim", "BPD Kalimantan Timur dan Kalimantan Utara", "bank"),
    ("167", "jago_syariah", "Bank Jago Unit Usaha Syariah", "bank"),
    ("201", "dana", "DANA", "ewallet"),
    ("202", "ovo", "OVO", "ewallet"),
    ("203", "gopay", "GoPay", "ewallet"),
    ("204", "shopeepay", "ShopeePay", "ewallet"),
    ("205", "linkaja", "LinkAja", "ewallet"),
)
_BANK_CODES = {code for _, code, _, _ in BANKS}
_NAMES = ("DHIKA AKBAR HERMAWAN", "SITI NURHALIZA", "BUDI SANTOSO", "RINA KARTIKA SARI")


def _fee(metode: str, nominal: int) -> int:
    _, _, _, _, flat, percent = METHODS[metode]
    return flat + math.ceil(nominal * percent / 100)


def deposit_methods(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/deposit/metode`: min as text, max as number (the real types are unknown: mix them)."""
    wanted_type, wanted = form.get("type"), form.get("metode")
    items = [
        {
            "metode": code,
            "type": type_,
            "name": name,
            "min": str(low),
            "max": high,
            "fee": str(flat),
            "fee_persen": str(percent),
            "status": "aktif",
            "img_url": f"https://atlantich2h.com/assets/images/deposit/{code.lower()}.png",
        }
        for code, (type_, name, low, high, flat, percent) in METHODS.items()
        if (not wanted_type or type_ == wanted_type)
        and (not wanted or code.lower() == wanted.lower())
    ]
    return ok(items)


def _deposit_status_view(dep: Record) -> dict[str, Any]:
    return {
        "id": dep["id"],
        "reff_id": dep["reff_id"],
        "nominal": str(dep["nominal"]),
        "tambahan": "0",
        "fee": str(dep["fee"]),
        "get_balance": str(dep["get_balance"]),
        "metode": METHODS[dep["metode"]][1],
        "status": dep["status"],
        "created_at": dep["created_at"],
    }


def create_deposit(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/deposit/create`: `metode` (not `method`), numbers in the answer."""
    reff_id, nominal_text = form.get("reff_id", "").strip(), form.get("nominal", "").strip()
    metode = next((m for m in METHODS if m.lower() == form.get("metode", "").lower()), None)
    if not reff_id or not nominal_text.isdigit() or metode is None:
        return fail("Parameter reff_id, nominal dan metode wajib diisi dengan benar", 400)
    nominal = int(nominal_text)
    _, _, low, high, _, _ = METHODS[metode]
    if not low <= nominal <= high:
        return fail(f"Nominal minimal {low} dan maksimal {high}", 201)
    if engine.state.find_reff("deposits", reff_id):
        return fail("Reff ID sudah digunakan", 201)
    seconds = nominal % 1000
    pay_after = (
        seconds if 0 < seconds <= magic.SELF_PAYING_MAX_SECONDS else engine.auto_pay_seconds
    )
    fee = _fee(metode, nominal)
    dep: Record = {
        "id": engine.new_id(),
        "reff_id": reff_id,
        "nominal": nominal,
        "metode": metode,
        "fee": fee,
        "get_balance": nominal - fee,
        "status": "pending",
        "created_at": engine.timestamp(),
        "expired_at": engine.timestamp(DEPOSIT_TTL_SECONDS),
        "expire_due": engine.epoch() + DEPOSIT_TTL_SECONDS,
        "pay_due": engine.epoch() + pay_after if pay_after is not None else None,
    }
    engine.state.table("deposits")[dep["id"]] = dep
    data: dict[str, Any] = {
        "id": dep["id"],
        "reff_id": reff_id,
        "nominal": nominal,
        "tambahan": 0,
        "fee": fee,
        "get_balance": nominal - fee,
        "status": "pending",
        "created_at": dep["created_at"],
        "expired_at": dep["expired_at"],
    }
    if metode.startswith("qris"):
        data["qr_string"] = _qr_payload(dep["id"], nominal)
        data["qr_image"] = f"https://atlantich2h.com/qr/{dep['id']}"
    else:
        data |= {"tujuan": "8808" + str(zlib.crc32(reff_id.encode()))[:10], "atas_nama": "ATL"}
        data["nomor_va"] = data["tujuan"]
    return ok(data)


def _qr_payload(dep_id: str, nominal: int) -> str:
    amount = str(nominal)
    merchant = f"0016ID.ATLANTICH2H0118{dep_id[:18]:<18}"
    body = (
        f"000201010212{len(merchant) + 4:02d}26{merchant}5204581253033605"
        f"4{len(amount):02d}{amount}5802ID5915ATLANTIC SANDBO6007JAKARTA6304"
    )
    return body + f"{zlib.crc32(body.encode()) & 0xFFFF:04X}"


def _deposit(engine: Engine, form: Mapping[str, str]) -> Record | None:
    dep: Record | None = engine.state.table("deposits").get(form.get("id", "").strip())
    return dep


def deposit_status(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/deposit/status` by Atlantic id: every amount a string here."""
    dep = _deposit(engine, form)
    return ok(_deposit_status_view(dep)) if dep else fail("Deposit tidak ditemukan", 404)


def mark_paid(engine: Engine, dep: Record) -> None:
    """The customer paid: plain QRIS waits in `processing`, every other method succeeds."""
    if dep["status"] != "pending":
        return
    dep["pay_due"] = None
    if dep["metode"] == "qris":
        dep["status"] = "processing"
    else:
        dep["status"] = "success"
        engine.state.adjust_balance(int(dep["get_balance"]))
    engine.emit("deposit", _deposit_status_view(dep))


def deposit_instant(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/deposit/instant`: action=false quotes the handling fee, action=true settles now."""
    dep = _deposit(engine, form)
    if dep is None:
        return fail("Deposit tidak ditemukan", 404)
    if dep["status"] != "processing":
        return fail(f"Deposit berstatus {dep['status']}, tidak bisa dicairkan", 201)
    handling = math.ceil(dep["nominal"] * INSTANT_FEE_PERCENT / 100)
    total_fee = dep["fee"] + handling
    if form.get("action", "false").lower() == "true":
        dep["status"] = "success"
        dep["fee"] = total_fee
        dep["get_balance"] = dep["nominal"] - total_fee
        engine.state.adjust_balance(int(dep["get_balance"]))
        engine.emit("deposit", _deposit_status_view(dep))
    data = {
        "id": dep["id"],
        "reff_id": dep["reff_id"],
        "nominal": dep["nominal"],
        "penanganan": handling,
        "total_fee": total_fee,
        "total_diterima": dep["nominal"] - total_fee,
        "status": dep["status"],
        "created_at": dep["created_at"],
    }
    return ok(data)


def cancel_deposit(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/deposit/cancel`: only an unpaid deposit can be cancelled."""
    dep = _deposit(engine, form)
    if dep is None:
        return fail("Deposit tidak ditemukan", 404)
    if dep["status"] != "pending":
        return fail(f"Deposit berstatus {dep['status']}, tidak bisa dibatalkan", 201)
    dep["status"] = "cancel"
    engine.emit("deposit", _deposit_status_view(dep))
    return ok({"id": dep["id"], "status": "cancel", "created_at": dep["created_at"]})


def bank_list(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transfer/bank_list`: string "true", ids as strings, banks and e-wallets."""
    data = [
        {"id": id_, "bank_code": code, "bank_name": name, "type": type_}
        for id_, code, name, type_ in BANKS
    ]
    return Reply(200, {"status": "true", "message": "Data retrieved successfully", "data": data})


def _mask(name: str) -> str:
    return " ".join(word[:2] + "X" * (len(word) - 2) for word in name.split())


def check_account(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transfer/cek_rekening`: English request names, Indonesian response names."""
    bank, number = (
        form.get("bank_code", "").strip().lower(),
        form.get("account_number", "").strip(),
    )
    if bank not in _BANK_CODES:
        return fail("Bank tidak ditemukan", 201)
    if not number.isdigit() or number.endswith(magic.ACCOUNT_INVALID):
        return fail("Nomor rekening tidak ditemukan", 201)
    name = _NAMES[zlib.crc32(f"{bank}:{number}".encode()) % len(_NAMES)]
    data = {
        "kode_bank": bank,
        "nomor_akun": number,
        "nama_pemilik": _mask(name),
        "status": "valid",
    }
    return ok(data)


def _transfer_view(tr: Record, *, shape: str) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": tr["id"],
        "reff_id": tr["reff_id"],
        "nama": tr["nama"],
        "nomor_tujuan": tr["nomor_tujuan"],
        "nominal": str(tr["nominal"]),
        "fee": tr["fee"] if shape == "create" else str(tr["fee"]),
        "status": tr["status"],
        "detail": tr["detail"],
        "created_at": tr["created_at"],
    }
    if shape != "webhook":  # the transfer webhook carries neither total nor bank_code
        view["total"] = tr["nominal"] + tr["fee"]
    if shape == "status":
        view["bank_code"] = tr["bank_code"]
    return view


def create_transfer(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transfer/create`: the request says `ref_id` (single f), the answer `reff_id`."""
    ref_id = form.get("ref_id", "").strip()
    bank, number = form.get("kode_bank", "").strip().lower(), form.get("nomor_akun", "").strip()
    nominal_text = form.get("nominal", "").strip()
    if not ref_id or not number or not nominal_text.isdigit():
        return fail("Parameter ref_id, kode_bank, nomor_akun dan nominal wajib diisi", 400)
    if bank not in _BANK_CODES:
        return fail("Bank tidak ditemukan", 201)
    nominal = int(nominal_text)
    if nominal < 10_000:
        return fail("Nominal minimal 10000", 201)
    if engine.state.find_reff("transfers", ref_id):
        return fail("Ref ID sudah digunakan", 201)
    if engine.state.balance < nominal + TRANSFER_FEE:
        return fail("Saldo tidak mencukupi", 201)
    engine.state.adjust_balance(-(nominal + TRANSFER_FEE))
    outcome: str | None = "success"
    if number.endswith(magic.TARGET_FAILS):
        outcome = "failed"
    elif number.endswith(magic.TARGET_STAYS_PENDING):
        outcome = None
    tr: Record = {
        "id": engine.new_id(),
        "reff_id": ref_id,
        "nama": form.get("nama_pemilik", "").strip(),
        "nomor_tujuan": number,
        "bank_code": bank,
        "nominal": nominal,
        "fee": TRANSFER_FEE,
        "status": "pending",
        "detail": {k: form.get(k, "") for k in ("email", "phone", "note")},
        "created_at": engine.timestamp(),
        "due": engine.epoch() + engine.complete_after if outcome else None,
        "outcome": outcome,
    }
    engine.state.table("transfers")[tr["id"]] = tr
    return ok(_transfer_view(tr, shape="create"), message="Data berhasil diproses")


def transfer_status(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transfer/status` by Atlantic id or by reff_id."""
    key = form.get("id", "").strip()
    tr = engine.state.table("transfers").get(key) or engine.state.find_reff("transfers", key)
    return ok(_transfer_view(tr, shape="status")) if tr else fail("Transfer tidak ditemukan", 404)


def complete_transfer(engine: Engine, tr: Record, outcome: str) -> None:
    """Finish a pending transfer; a failed one gives nominal + fee back."""
    if tr["status"] != "pending":
        return
    tr["status"], tr["due"] = outcome, None
    if outcome != "success":
        engine.state.adjust_balance(int(tr["nominal"]) + int(tr["fee"]))
    engine.emit("transfer", _transfer_view(tr, shape="webhook"))


def apply_due(engine: Engine) -> None:
    """Pay self-paying deposits, expire unpaid ones, complete due transfers."""
    now = engine.epoch()
    for dep in list(engine.state.table("deposits").values()):
        if dep["status"] != "pending":
            continue
        if dep.get("pay_due") is not None and dep["pay_due"] <= now:
            mark_paid(engine, dep)
        elif dep["expire_due"] <= now:
            dep["status"] = "expired"
            engine.emit("deposit", _deposit_status_view(dep))
    for tr in list(engine.state.table("transfers").values()):
        if tr["status"] == "pending" and tr.get("due") is not None and tr["due"] <= now:
            complete_transfer(engine, tr, tr["outcome"])


ROUTES: dict[str, Handler] = {
    "/deposit/metode": deposit_methods,
    "/deposit/create": create_deposit,
    "/deposit/status": deposit_status,
    "/deposit/instant": deposit_instant,
    "/deposit/cancel": cancel_deposit,
    "/transfer/bank_list": bank_list,
    "/transfer/cek_rekening": check_account,
    "/transfer/create": create_transfer,
    "/transfer/status": transfer_status,
}
