"""Cloud Functions entry points: thin wrappers around shared services.

Only cheap modules are imported at the top (functions_framework is already loaded by the
runtime); everything else loads on first use, and the `Components` of this instance is built
once and reused by every request (tech-notes §7).
"""

# Imports inside functions are the point of this module: they keep cold starts cheap.
# ruff: noqa: PLC0415

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import functions_framework

if TYPE_CHECKING:
    import flask

    from shared.wiring import Components


@functools.cache
def _components() -> Components:
    from shared.wiring import Components

    return Components()


def _run_job(name: str) -> tuple[dict[str, object], int]:
    from shared.jobs import run_job

    return {"job": name, "report": dict(run_job(name, _components()))}, 200


@functions_framework.http
def atlantic_webhook(request: flask.Request) -> tuple[dict[str, object], int]:
    from shared.services.webhook import read_capped

    headers = dict(request.headers.items())
    status, body = _components().handle_atlantic_webhook(headers, read_capped(request.stream))
    return body, status


@functions_framework.http
def refresh_prices(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("refresh_prices")


@functions_framework.http
def reconcile(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("reconcile")


@functions_framework.http
def check_balance(request: flask.Request) -> tuple[dict[str, object], int]:
    return _run_job("check_balance")
