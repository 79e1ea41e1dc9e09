"""The relay image definition builds from the repository's files, and its command starts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "wa-relay" / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text("utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def test_every_copy_source_exists_in_the_build_context() -> None:
    copies = [args for op, args in _instructions() if op == "COPY"]
    assert copies
    for args in copies:
        parts = [p for p in args.split() if not p.startswith("--")]
        for source in parts[:-1]:
            assert (ROOT / source).exists(), f"COPY source missing: {source}"


def test_pinned_packages_the_image_installs_are_in_the_lock() -> None:
    lock = (ROOT / "requirements.lock").read_text("utf-8").lower()
    runs = " ".join(args for op, args in _instructions() if op == "RUN")
    for pin in re.findall(r'"([a-z0-9_.-]+==[0-9][^"]*)"', runs):
        assert pin.lower() in lock, f"{pin} is not the locked version"


def test_the_image_command_is_the_relay_entry_point() -> None:
    [cmd] = [args for op, args in _instructions() if op == "CMD"]
    assert "wa-relay/main.py" in cmd
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "wa-relay" / "main.py"), "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--pair-phone" in result.stdout
