"""Run what is tested: the functions runtime, the relay image, CI and the tests are one Python.

Tests ran on 3.11 while the functions deployed on python312 and the relay image followed the
floating `python:3.11-slim` tag (issue 16). Every place that names the version must agree, and
the relay's base image must be pinned by digest.
"""

from __future__ import annotations

import re
import sys
import tomllib

from conftest import INFRA, REPO, Terraform, block

EXPECTED = (3, 11)
DOTTED = f"{EXPECTED[0]}.{EXPECTED[1]}"


def test_the_tests_run_on_the_deployed_python() -> None:
    assert sys.version_info[:2] == EXPECTED


def test_the_functions_runtime_is_that_python(terraform: Terraform) -> None:
    build = block(terraform.resource("google_cloudfunctions2_function", "fn"), "build_config")
    assert build["runtime"] == f"python{EXPECTED[0]}{EXPECTED[1]}"
    generator = (INFRA / "functions_requirements.py").read_text()
    assert f'"python_version": "{DOTTED}"' in generator
    assert f'"python_full_version": "{DOTTED}.' in generator


def test_the_relay_image_is_that_python_pinned_by_digest() -> None:
    dockerfile = (REPO / "wa-relay" / "Dockerfile").read_text()
    [base] = re.findall(r"^FROM (\S+)", dockerfile, flags=re.MULTILINE)
    match = re.fullmatch(r"python:(\d+)\.(\d+)\.\d+-slim-bookworm@sha256:[0-9a-f]{64}", base)
    assert match, f"base image {base!r} is not python:X.Y.Z-slim-bookworm@sha256:<digest>"
    assert (int(match.group(1)), int(match.group(2))) == EXPECTED


def test_ci_and_the_makefile_build_with_that_python() -> None:
    assert f"PYTHON=${{PYTHON:-python{DOTTED}}}" in (REPO / ".ci" / "run").read_text()
    assert f"sys.version_info[:2] == {EXPECTED}" in (REPO / ".ci" / "run").read_text()
    assert f"PYTHON ?= python{DOTTED}" in (REPO / "Makefile").read_text()


def test_linters_target_that_python() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert config["tool"]["mypy"]["python_version"] == DOTTED
    assert config["tool"]["ruff"]["target-version"] == f"py{EXPECTED[0]}{EXPECTED[1]}"
