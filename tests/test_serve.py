"""`salesbot serve` starts with no configuration, answers /healthz, says where the owner's
console is, and stops on SIGTERM."""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

# How long a stop may take: the job loop's 10 s, the bus's 10 s, and pg_ctl's own 60 s wait for
# the embedded Postgres' shutdown checkpoint (slow on a busy disk: a CI run here gave up at 60 s).
STOP_SECONDS = 150


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
        hint = f"owner's console: http://127.0.0.1:{port}/console (send /login to the bot"
        while hint not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hint in log_path.read_text()
        console = httpx.get(f"http://127.0.0.1:{port}/console/", timeout=5)
        assert console.status_code == 302
        assert console.headers["location"] == "/console/login"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=STOP_SECONDS) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.slow
def test_on_embedded_defaults_the_terminal_owner_logs_into_the_console(tmp_path: Path) -> None:
    """`make run` in a terminal: /login in its chat gives a link that opens the console."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "ADMIN_NUMBERS", "CONSOLE_URL"}
    }
    data_dir = Path(tempfile.mkdtemp(prefix="salesbot-serve-"))
    data_dir.chmod(0o755)
    env["DATA_DIR"] = str(data_dir / "data")
    env["PYTHONFAULTHANDLER"] = "1"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "serve", "--port", str(port)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    seen = b""

    def read_until(pattern: bytes, timeout: float) -> re.Match[bytes]:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while (found := re.search(pattern, seen)) is None:
            left = deadline - time.monotonic()
            assert left > 0, seen.decode(errors="replace")
            assert proc.poll() is None, seen.decode(errors="replace")
            if select.select([master], [], [], left)[0]:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # the process closed the terminal
                    break
        assert found, seen.decode(errors="replace")
        return found

    try:
        read_until(rb"owner's console: http://127\.0\.0\.1:\d+/console \(type /login", 180)
        read_until(rb"Coba: halo", 30)
        os.write(master, b"/login\n")
        link = read_until(rb"http://127\.0\.0\.1:\d+/console/login/[\w-]+", 30)[0].decode()
        with httpx.Client(timeout=10) as client:
            assert client.get(link).status_code == 200
            opened = client.post(link)
            assert opened.status_code == 303
            cookie = opened.headers["set-cookie"].split(";")[0]
            today = client.get(f"http://127.0.0.1:{port}/console/", headers={"Cookie": cookie})
            assert today.status_code == 200
            assert "Ringkasan hari ini" in today.text
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            # The terminal is read while it stops: the shutdown logs to it, and a terminal
            # nobody reads blocks its writer once full.
            deadline = time.monotonic() + STOP_SECONDS
            while proc.poll() is None and time.monotonic() < deadline:
                if select.select([master], [], [], 0.2)[0]:
                    try:
                        seen += os.read(master, 65536)
                    except OSError:  # the process closed the terminal
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            proc.wait(timeout=max(deadline - time.monotonic(), 0.1))
            if proc.poll() is None:
                # Where is it stuck? faulthandler (PYTHONFAULTHANDLER) prints every thread.
                proc.send_signal(signal.SIGABRT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=10)
                while select.select([master], [], [], 0.5)[0]:
                    try:
                        seen += os.read(master, 65536)
                    except OSError:
                        break
            assert proc.returncode == 0, f"serve did not stop within {STOP_SECONDS} s:\n" + seen[
                -8000:
            ].decode(errors="replace")
        finally:
            if proc.poll() is None:
                proc.kill()
            os.close(master)
            shutil.rmtree(data_dir, ignore_errors=True)
