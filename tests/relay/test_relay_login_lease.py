"""QR and pairing-code login, and the single-instance lease."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from fakes.memory_cache import MemoryCache
from fakes.neonize_client import FakeClient, FakeClock
from neonize.events import PairStatusEv  # noqa: TID251

from shared.adapters.whatsapp.lease import RelayLease
from shared.adapters.whatsapp.login import LoginHandler


def test_qr_is_shown_in_the_terminal_and_saved_as_a_private_png(tmp_path: Path) -> None:
    out = io.StringIO()
    png = tmp_path / "data" / "wa-qr.png"
    login = LoginHandler(qr_png=png, out=out)
    login.on_qr(FakeClient(), b"2@abcdefghijklmnopqrstuvwxyz,0123456789")

    assert png.read_bytes().startswith(b"\x89PNG")
    assert png.stat().st_mode & 0o077 == 0
    assert "Scan this QR" in out.getvalue()
    assert len(out.getvalue().splitlines()) > 10
    login.paired(FakeClient(), PairStatusEv())
    assert not png.exists()


def test_pairing_code_is_requested_once_despite_qr_rotations(tmp_path: Path) -> None:
    out = io.StringIO()
    client = FakeClient()
    login = LoginHandler(qr_png=tmp_path / "qr.png", pair_phone="0812-3456-7890", out=out)
    for rotation in range(3):
        login.on_qr(client, f"2@rotation{rotation}".encode())
    assert login.pair_thread is not None
    login.pair_thread.join(5)

    assert [args for _, args, _ in client.named("PairPhone")] == [("6281234567890", True)]
    assert "ABCD-EFGH" in out.getvalue()
    assert not (tmp_path / "qr.png").exists()  # no QR when pairing by code


def test_only_one_relay_holds_the_lease_and_a_released_lease_passes_on() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock)
    first, second = RelayLease(cache), RelayLease(cache)
    assert first.try_acquire()
    assert not second.try_acquire()
    stopping = threading.Event()
    stopping.set()
    assert not second.wait_acquire(stopping)  # never connects while another relay holds it
    first.release()
    assert second.try_acquire()


def test_an_expired_lease_can_be_taken_and_the_old_holder_notices() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock)
    old, new = RelayLease(cache, ttl_seconds=30), RelayLease(cache, ttl_seconds=30)
    assert old.try_acquire()
    clock.advance(31)  # the old relay hung and stopped renewing
    assert new.try_acquire()
    assert not old.renew()
