"""The seven flows of the seed ("Alur Contoh"), typed into `salesbot chat` as a customer would.

Each runs the real console script in a subprocess on the session database (the all-in-one stack
in-process: in-memory cache, built-in sandbox supplier), then checks what the customer saw and
what the ledger holds afterwards.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from shared.adapters.postgres.rpc import PostgresRpc
from shared.store import Store


@pytest.fixture
def store(database_url: str) -> Store:
    return Store(PostgresRpc(database_url, max_size=1))


def _phone() -> str:
    return "62813" + str(uuid.uuid4().int)[:8]


def chat(database_url: str, tmp_path: Path, phone: str, lines: list[str], wait: float = 15) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "LOG_LEVEL": "warning",
    }
    done = subprocess.run(
        [sys.executable, "-m", "shared.cli", "chat", "--user", phone, "--wait", str(wait)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _customer(store: Store, phone: str) -> str:
    return store.resolve_customer(phone=phone).customer_id


def _fund(store: Store, phone: str, amount: int) -> None:
    assert store.adjust_balance(_customer(store, phone), amount, f"seed-{uuid.uuid4().hex}").ok


def _prices(text: str) -> list[int]:
    return [int(p.replace(".", "")) for p in re.findall(r"Rp ([\d.]+)", text)]


def test_1_greeting(database_url: str, tmp_path: Path) -> None:
    out = chat(database_url, tmp_path, _phone(), ["Selamat pagi"])
    assert "Selamat pagi! Mau cek harga atau top up produk apa nih? 😊" in out


def test_2_price_lookup_shows_the_variants(database_url: str, tmp_path: Path) -> None:
    out = chat(database_url, tmp_path, _phone(), ["viu berapa?"])
    assert "Viu" in out
    assert len(_prices(out)) >= 2
    assert "1." in out


def test_3_budget_filter_offers_only_what_fits(database_url: str, tmp_path: Path) -> None:
    out = chat(database_url, tmp_path, _phone(), ["saya cuma punya 5000"])
    offered = _prices(out.split("\n", 2)[-1])
    assert 3 <= len(offered) <= 5
    assert all(price <= 5000 for price in offered)


def test_4_topup_confirm_then_serial_number(
    database_url: str, tmp_path: Path, store: Store
) -> None:
    phone = _phone()
    _fund(store, phone, 50_000)
    out = chat(database_url, tmp_path, phone, ["pulsa telkomsel 10rb ke 081234567890", "ya"])
    assert "Balas *YA*" in out
    assert "SN:" in out
    [order] = [h for h in store.history(_customer(store, phone)) if h.kind == "order"]
    assert order.status == "success"
    assert order.sn
    assert order.sn in out
    assert store.get_balance(_customer(store, phone)).balance == 50_000 - order.amount


def test_5_bill_check_then_pay(database_url: str, tmp_path: Path, store: Store) -> None:
    phone = _phone()
    _fund(store, phone, 1_000_000)
    out = chat(database_url, tmp_path, phone, ["tagihan PLN 123456789012 bayar", "ya"])
    assert "Nama:" in out
    assert "Balas *YA*" in out
    [order] = [h for h in store.history(_customer(store, phone)) if h.kind == "order"]
    assert order.status == "success"
    assert store.get_balance(_customer(store, phone)).balance == 1_000_000 - order.amount


def test_6_deposit_sends_a_qris_image(database_url: str, tmp_path: Path, store: Store) -> None:
    phone = _phone()
    out = chat(database_url, tmp_path, phone, ["deposit 50k via qris"], wait=0)
    [image] = re.findall(r"\[gambar: (.+\.png)\]", out)
    assert Path(image).read_bytes().startswith(b"\x89PNG")
    assert "Rp 50.000" in out
    [deposit] = [h for h in store.history(_customer(store, phone)) if h.kind == "deposit"]
    assert deposit.status == "pending"


def test_7_transfer_checks_the_name_then_sends(
    database_url: str, tmp_path: Path, store: Store
) -> None:
    phone = _phone()
    _fund(store, phone, 200_000)
    out = chat(database_url, tmp_path, phone, ["tf 100k ke dana 081234567890 a.n. Budi", "ya"])
    assert "Nama:" in out
    assert "Biaya: Rp 2.000" in out
    [transfer] = [h for h in store.history(_customer(store, phone)) if h.kind == "transfer"]
    assert transfer.status == "success"
    assert "berhasil" in out
    assert store.get_balance(_customer(store, phone)).balance == 200_000 - 102_000
