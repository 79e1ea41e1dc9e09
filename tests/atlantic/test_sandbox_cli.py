"""`salesbot sandbox` runs alone, answers like the real API, keeps its state across restarts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(port: int, state: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "sandbox", "--port", str(port),
             "--state-file", str(state), "--catalog-size", "2000"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc
        except httpx.TransportError:
            continue
    raise AssertionError(log.read_text())


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0


@pytest.mark.slow
def test_standalone_sandbox_survives_a_restart(tmp_path: Path) -> None:
    port, state, log = _free_port(), tmp_path / "state.json", tmp_path / "sandbox.log"
    base = f"http://127.0.0.1:{port}"
    proc = _start(port, state, log)
    try:
        profile = httpx.post(f"{base}/get_profile", data={"api_key": "sandbox"}).json()
        assert profile["status"] == "true"
        assert profile["data"]["balance"] == "5000000"
        prices = httpx.post(
            f"{base}/layanan/price_list", data={"api_key": "sandbox", "type": "prabayar"}
        ).json()
        assert len(prices["data"]) == 2000
        created = httpx.post(
            f"{base}/transaksi/create",
            data={"api_key": "sandbox", "code": "PLN20", "reff_id": "CLI1", "target": "5123"},
        ).json()
        assert created["code"] == 202
        assert isinstance(created["data"]["price"], str)
        wrong = httpx.post(f"{base}/get_profile", data={"api_key": "nope"}).json()
        assert wrong["status"] is False
    finally:
        _stop(proc)
    proc = _start(port, state, log)
    try:
        status = httpx.post(
            f"{base}/transaksi/status",
            data={"api_key": "sandbox", "id": created["data"]["id"], "type": "prabayar"},
        ).json()
        assert status["data"]["reff_id"] == "CLI1"
    finally:
        _stop(proc)
