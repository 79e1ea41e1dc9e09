"""Sandbox endpoints for the account, the price lists, prepaid purchases and postpaid bills.

JSON types follow atlantic-h2h.md §3 exactly: `status: "true"` on get_profile, price and money
strings where the real API sends strings, numbers where it sends numbers.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.sandbox import magic
from shared.sandbox.engine import HTML_CHALLENGE, Handler, Reply, fail, ok
from shared.sandbox.state import Record

if TYPE_CHECKING:
    from shared.sandbox.engine import Engine


def _digits(seed: str, count: int) -> str:
    digest = hashlib.sha256(seed.encode()).hexdigest()
    return "".join(str(int(c, 16) % 10) for c in digest)[:count]


def _serial(tx: Record) -> str:
    if tx["code"].startswith("PLN"):
        return _digits(f"token:{tx['reff_id']}", 20)  # a PLN token is 20 digits
    return _digits(f"sn:{tx['reff_id']}", 18)


def get_profile(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/get_profile`: note the string "true" and the balance as text."""
    data = {
        "name": "Sandbox Store",
        "username": engine.username,
        "email": "owner@sandbox.invalid",
        "phone": "081200000000",
        "balance": str(engine.state.balance),
        "status": "active",
    }
    return Reply(200, {"status": "true", "message": "Data retrieved successfully", "data": data})


def price_list(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/layanan/price_list`: an array, also when one `code` is asked for."""
    kind = form.get("type", "")
    items = {"prabayar": engine.catalog, "pascabayar": engine.postpaid}.get(kind)
    if items is None:
        return fail("Type tidak valid (prabayar/pascabayar)", 400)
    code = form.get("code")
    if code:
        item = items.get(code.upper())
        return ok([item]) if item else fail("Layanan tidak ditemukan", 404)
    return ok(list(items.values()))


def _tx_view(tx: Record) -> dict[str, Any]:
    return {
        "id": tx["id"],
        "reff_id": tx["reff_id"],
        "layanan": tx["layanan"],
        "code": tx["code"],
        "target": tx["target"],
        "price": str(tx["price"]),
        "sn": tx["sn"],
        "status": tx["status"],
        "created_at": tx["created_at"],
    }


def create_transaction(engine: Engine, form: Mapping[str, str]) -> Reply:  # noqa: PLR0911, PLR0912
    """`/transaksi/create`: charge the account, answer pending (code 202).

    One branch per refusal, in the order the checks apply; splitting them would hide the order.
    """
    code, reff_id, target = (form.get(k, "").strip() for k in ("code", "reff_id", "target"))
    if not (code and reff_id and target):
        return fail("Parameter code, reff_id dan target wajib diisi", 400)
    if target.endswith(magic.TARGET_HTML):
        return Reply(403, HTML_CHALLENGE)
    if target.endswith(magic.TARGET_IP_BLOCKED):
        return fail(f"IP {magic.BLOCKED_IP} tidak terdaftar di whitelist", 403)
    if target.endswith(magic.TARGET_REJECTED):
        return fail("Transaksi Gagal", 201)
    item = engine.catalog.get(code.upper())
    if item is None:
        return fail("Layanan tidak ditemukan", 201)
    if item["status"] != "available":
        return fail("Layanan sedang gangguan", 201)
    price = int(item["price"])
    limit = form.get("limit_price", "").strip()
    if limit.isdigit() and price > int(limit):
        return fail("Harga layanan melebihi limit_price", 201)
    if engine.state.find_reff("transactions", reff_id):
        return fail("Reff ID sudah digunakan", 201)
    if engine.state.balance < price:
        return fail("Saldo tidak mencukupi", 201)
    engine.state.adjust_balance(-price)
    outcome: str | None = "success"
    if target.endswith(magic.TARGET_FAILS):
        outcome = "failed"
    elif target.endswith(magic.TARGET_STAYS_PENDING):
        outcome = None
    tx: Record = {
        "id": engine.new_id(),
        "reff_id": reff_id,
        "code": item["code"],
        "layanan": item["name"],
        "target": target,
        "price": price,
        "sn": None,
        "status": "pending",
        "created_at": engine.timestamp(),
        "type": "prabayar",
        "due": engine.epoch() + engine.complete_after if outcome else None,
        "outcome": outcome,
    }
    engine.state.table("transactions")[tx["id"]] = tx
    reply = ok(_tx_view(tx), code=202, message="Transaksi diproses")
    if target.endswith(magic.TARGET_TIMES_OUT):
        return Reply(reply.status, reply.body, engine.timeout_seconds)
    if target.endswith(magic.TARGET_SLOW):
        return Reply(reply.status, reply.body, engine.slow_seconds)
    return reply


def transaction_status(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transaksi/status` by Atlantic id (the sandbox also accepts the reff_id)."""
    key = form.get("id", "").strip()
    table = engine.state.table("transactions")
    tx = table.get(key) or engine.state.find_reff("transactions", key)
    if tx is None:
        return fail("Transaksi tidak ditemukan", 404)
    return ok(_tx_view(tx))


def complete_transaction(engine: Engine, tx: Record, outcome: str) -> None:
    """Finish a pending transaction: success with SN, or failed with the money back."""
    if tx["status"] != "pending":
        return
    tx["status"] = outcome
    tx["due"] = None
    if outcome == "success":
        tx["sn"] = _serial(tx)
    else:
        engine.state.adjust_balance(int(tx["price"]))
    event = "transaksi.pascabayar" if tx["type"] == "pascabayar" else "transaksi"
    engine.emit(event, _tx_view(tx))


def apply_due(engine: Engine) -> None:
    """Complete every transaction whose time has come."""
    now = engine.epoch()
    for tx in list(engine.state.table("transactions").values()):
        if tx["status"] == "pending" and tx.get("due") is not None and tx["due"] <= now:
            complete_transaction(engine, tx, tx["outcome"])


def _bill_amount(code: str, customer_no: str) -> int:
    return 50_000 + zlib.crc32(f"{code}:{customer_no}".encode()) % 450_000


def _bill_detail(code: str, harga: int, admin: int) -> dict[str, Any]:
    if code == "PPLN":
        period = {"periode": "202403", "nilai_tagihan": str(harga), "admin": str(admin)}
        return {
            "tarif": "R1",
            "daya": 900,
            "lembar_tagihan": 1,
            "detail": [period | {"denda": "0"}],
        }
    if code.startswith("BPJS"):
        return {"jumlah_peserta": "2", "lembar_tagihan": 1, "detail": [{"periode": "1"}]}
    period = {"periode": "MAR 2024", "nilai_tagihan": str(harga), "admin": str(admin)}
    return {"lembar_tagihan": 1, "detail": [period]}


def inquire_bill(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transaksi/tagihan`: numbers here, and total = harga + biaya_admin."""
    code, reff_id, customer_no = (
        form.get(k, "").strip() for k in ("code", "reff_id", "customer_no")
    )
    if not (code and reff_id and customer_no):
        return fail("Parameter code, reff_id dan customer_no wajib diisi", 400)
    product = engine.postpaid.get(code.upper())
    if product is None:
        return fail("Layanan tidak ditemukan", 201)
    if customer_no.endswith(magic.BILL_NOT_FOUND):
        return fail("Tagihan tidak ditemukan atau sudah dibayar", 201)
    harga = _bill_amount(product["code"], customer_no)
    admin = int(product["price"])
    bill: Record = {
        "reff_id": reff_id,
        "nomor_pelanggan": customer_no,
        "nama_pelanggan": f"PELANGGAN {customer_no[-4:]}",
        "code": product["code"],
        "harga": harga,
        "biaya_admin": admin,
        "total_tagihan": harga + admin,
        "detail": _bill_detail(product["code"], harga, admin),
        "paid": False,
    }
    engine.state.table("bills")[reff_id] = bill
    return ok({k: v for k, v in bill.items() if k != "paid"})


def pay_bill(engine: Engine, form: Mapping[str, str]) -> Reply:
    """`/transaksi/tagihan/bayar`: same reff_id as the inquiry; `harga` is a string here."""
    code, reff_id, customer_no = (
        form.get(k, "").strip() for k in ("code", "reff_id", "customer_no")
    )
    bill = engine.state.table("bills").get(reff_id)
    if bill is None or bill["code"] != code.upper() or bill["nomor_pelanggan"] != customer_no:
        return fail("Tagihan tidak ditemukan, lakukan cek tagihan dulu", 201)
    if bill["paid"]:
        return fail("Tagihan sudah dibayar", 201)
    total = int(bill["total_tagihan"])
    if engine.state.balance < total:
        return fail("Saldo tidak mencukupi", 201)
    engine.state.adjust_balance(-total)
    bill["paid"] = True
    tx: Record = {
        "id": engine.new_id(),
        "reff_id": reff_id,
        "code": bill["code"],
        "layanan": engine.postpaid[bill["code"]]["name"],
        "target": customer_no,
        "price": total,
        "sn": None,
        "status": "pending",
        "created_at": engine.timestamp(),
        "type": "pascabayar",
        "due": None,
        "outcome": "success",
    }
    engine.state.table("transactions")[tx["id"]] = tx
    complete_transaction(engine, tx, "success")
    data = {
        "reff_id": reff_id,
        "nomor_pelanggan": customer_no,
        "nama_pelanggan": bill["nama_pelanggan"],
        "code": bill["code"],
        "harga": str(total),
        "sn": tx["sn"],
        "status": "success",
        "created_at": tx["created_at"],
    }
    return ok(data)


ROUTES: dict[str, Handler] = {
    "/get_profile": get_profile,
    "/layanan/price_list": price_list,
    "/transaksi/create": create_transaction,
    "/transaksi/status": transaction_status,
    "/transaksi/tagihan": inquire_bill,
    "/transaksi/tagihan/bayar": pay_bill,
}
