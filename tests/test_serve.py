"""`salesbot serve` starts with no configuration, answers /healthz and stops on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_on_embedded_defaults_answers_healthz_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    # Not under tmp_path: as root, pgserver runs postgres as its own user, which needs to
    # traverse the data dir's parents, and every new pytest session on the machine resets
    # pytest's base temp dir to 0700 (a race with parallel test runs).
    data_dir = Path(tempfile.mkdtemp(prefix="salesbot-serve-"))
    data_dir.chmod(0o755)  # mkdtemp makes it 0700; postgres runs as pgserver's own user
    env["DATA_DIR"] = str(data_dir / "data")
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "shared.cli", "serve", "--port", str(port), "--no-console"],
            stdin=subprocess.DEVNULL,  # as under a service manager: no terminal
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=tmp_path,
        )
    try:
        deadline = time.monotonic() + 180  # generous: initdb is slow on a loaded machine
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            except httpx.TransportError:
                continue
            body = response.json()
            break
        assert body is not None, log_path.read_text()
        assert body["status"] == "ok"
        assert body["database"] == "embedded"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
