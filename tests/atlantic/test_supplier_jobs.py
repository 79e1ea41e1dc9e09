"""The supplier jobs through the job registry, against the sandbox and the test database."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from atlantic.helpers import DictCache, RecordingNotifier
from shared.config import load_settings
from shared.jobs import get_jobs, run_job
from shared.sandbox.server import Sandbox
from shared.wiring import Components


@pytest.fixture
def components(sandbox: Sandbox, database_url: str, tmp_path: Path) -> Iterator[Components]:
    settings = load_settings(
        database_url=database_url,
        atl_api_key=sandbox.api_key,
        atl_base_url=sandbox.url,
        atl_username="sandbox",
        data_dir=tmp_path / "data",
        supplier_balance_alert=10_000_000,
    )
    c = Components(settings=settings)
    c.__dict__["notifier"] = RecordingNotifier()
    c.__dict__["cache"] = DictCache()
    yield c
    c.store.close()


def test_the_supplier_jobs_are_registered() -> None:
    assert {"refresh_prices", "reconcile", "check_balance"} <= set(get_jobs())


def test_price_refresh_fills_the_cache_and_the_price_cache_table(components: Components) -> None:
    report = run_job("refresh_prices", components)
    assert report["prabayar"] >= 1_500  # type: ignore[operator]
    assert report["pascabayar"] >= 5  # type: ignore[operator]
    cache: DictCache = components.__dict__["cache"]
    cached = json.loads(cache.values["prices:prabayar"])
    assert {"code", "name", "price", "provider", "status"} <= set(cached[0])
    assert isinstance(cached[0]["price"], int)
    entry = components.store.get_price_cache("pascabayar")
    assert entry is not None
    assert entry.fresh
    assert entry.ttl_sec == components.settings.price_cache_ttl_seconds


def test_low_supplier_balance_alerts_the_owner_once_per_window(
    components: Components, caplog: pytest.LogCaptureFixture
) -> None:
    notifier: RecordingNotifier = components.__dict__["notifier"]
    with caplog.at_level(logging.WARNING):
        first = run_job("check_balance", components)
    # The paging alert matches this event in the logs, whatever the owner's chat throttle does.
    assert [r for r in caplog.records if getattr(r, "event", None) == "supplier_balance_low"]
    assert first == {"balance": 5_000_000, "low": True, "alerted": True}
    assert run_job("check_balance", components)["alerted"] is False
    (alert,) = notifier.sent
    assert alert.kind == "owner_alert"
    assert alert.customer_id is None
    assert "Rp 5.000.000" in (alert.reason or "")


def test_reconcile_job_runs_with_the_process_wiring(components: Components) -> None:
    report = run_job("reconcile", components)
    assert isinstance(report["checked"], int)
    assert isinstance(report["alerted"], int)


@pytest.mark.parametrize("target", ["refresh_prices", "reconcile", "check_balance"])
def test_job_functions_in_functions_main_answer_with_their_report(
    target: str,
    sandbox: Sandbox,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Called directly: functions_framework.create_app would leave its execution-id logging
    # context behind for later tests; the HTTP path is covered by the webhook tests.
    import importlib.util

    from shared.config import get_settings

    for name, value in {
        "DATABASE_URL": database_url,
        "ATL_API_KEY": sandbox.api_key,
        "ATL_BASE_URL": sandbox.url,
        "ATL_USERNAME": "sandbox",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    source = Path(__file__).resolve().parents[2] / "functions" / "main.py"
    spec = importlib.util.spec_from_file_location(f"functions_main_{target}", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    body, status = getattr(module, target)(None)
    assert status == 200
    assert body["job"] == target
    assert isinstance(body["report"], dict)
    module._components().store.close()
