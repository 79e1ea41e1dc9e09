"""The live catalogue: markup changes in the settings apply after a short TTL, no restart."""

from __future__ import annotations

import io
import json
import uuid

import pytest

from shared.adapters.postgres.migrate import apply_migrations
from shared.adapters.postgres.rpc import PostgresRpc
from shared.cli import main
from shared.config import load_settings
from shared.domain.pricing import SETTING_KEY
from shared.errors import SalesbotError
from shared.sandbox.catalog import prepaid_items
from shared.services.catalog import CatalogService, price_items_loader
from shared.store import Store
from shared.wiring import Components

ITEM = {"code": "TSEL10", "name": "Telkomsel 10.000", "category": "Pulsa Reguler",
        "provider": "TELKOMSEL", "price": "10000", "status": "available"}  # fmt: skip


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rule_changes_apply_after_the_ttl_and_not_before() -> None:
    clock = FakeClock()
    stored: dict[str, object] = {"percent": "0", "flat": 0, "step": 1}
    service = CatalogService(
        load_items=lambda: [ITEM], read_rules=lambda: stored, rules_ttl_seconds=30, clock=clock
    )
    assert service.get("TSEL10").sell_price == 10_000  # type: ignore[union-attr]
    stored = {"percent": "10", "flat": 0, "step": 500}
    clock.now += 29
    assert service.get("TSEL10").sell_price == 10_000  # type: ignore[union-attr]
    clock.now += 1
    assert service.get("TSEL10").sell_price == 11_000  # type: ignore[union-attr]


def test_broken_rules_keep_the_last_good_ones() -> None:
    clock = FakeClock()
    stored: object = {"percent": "5", "flat": 0, "step": 1}
    service = CatalogService(
        load_items=lambda: [ITEM], read_rules=lambda: stored, rules_ttl_seconds=1, clock=clock
    )
    assert service.rules().percent == 5
    stored = {"percent": "lots"}
    clock.now += 1
    assert service.rules().percent == 5


def test_no_stored_rules_means_the_defaults() -> None:
    service = CatalogService(load_items=lambda: [ITEM], read_rules=lambda: None)
    assert service.get("TSEL10").sell_price == 10_700  # type: ignore[union-attr]


def test_a_new_price_list_is_picked_up_and_a_failing_source_keeps_the_old_one() -> None:
    clock = FakeClock()
    lists: list[object] = [[ITEM]]

    def load() -> list[dict[str, object]]:
        current = lists[-1]
        if isinstance(current, Exception):
            raise current
        return current  # type: ignore[return-value]

    service = CatalogService(load_items=load, items_ttl_seconds=60, clock=clock)
    assert service.get("TSEL10") is not None
    lists.append([{**ITEM, "code": "TSEL20", "name": "Telkomsel 20.000", "price": "20000"}])
    clock.now += 60
    assert service.get("TSEL10") is None
    assert service.get("TSEL20") is not None
    lists.append(SalesbotError("supplier down"))
    clock.now += 60
    assert service.get("TSEL20") is not None


def test_the_loader_prefers_the_cache_then_the_store_then_the_supplier() -> None:
    class Cache:
        def get(self, key: str) -> str | None:
            return json.dumps([ITEM]) if key == "prices:prabayar" else None

    fetched = price_items_loader(fetch=lambda: [{**ITEM, "code": "FETCHED"}])
    assert fetched()[0]["code"] == "FETCHED"
    cached = price_items_loader(cache=Cache(), fetch=lambda: [])  # type: ignore[arg-type]
    assert cached()[0]["code"] == "TSEL10"
    with pytest.raises(SalesbotError):
        price_items_loader()()


@pytest.mark.postgres
def test_markup_stored_in_the_database_prices_the_catalogue(fresh_database: object) -> None:
    url: str = fresh_database()  # type: ignore[operator]
    apply_migrations(url)
    rpc = PostgresRpc(url, max_size=1)
    store = Store(rpc)
    try:
        store.set_setting(SETTING_KEY, {"percent": "0", "flat": 1000, "step": 1000})
        components = Components(settings=load_settings(database_url=url))
        tsel10 = components.catalog.get("TSEL10")
        assert tsel10 is not None
        assert tsel10.sell_price == -(-(tsel10.supplier_price + 1000) // 1000) * 1000

        clock = FakeClock()
        service = CatalogService(
            load_items=prepaid_items,
            read_rules=lambda: store.get_setting(SETTING_KEY),
            clock=clock,
        )
        before = service.get("TSEL10").sell_price  # type: ignore[union-attr]
        store.set_setting(SETTING_KEY, {"percent": "0", "flat": 5000, "step": 1000})
        clock.now += 30
        assert service.get("TSEL10").sell_price == before + 4000  # type: ignore[union-attr]
        store.put_price_cache("prabayar", [{**ITEM, "code": f"X{uuid.uuid4().hex[:6]}"}], 600)
        assert price_items_loader(store=store)()[0]["name"] == "Telkomsel 10.000"
    finally:
        rpc.close()


def test_cli_search_works_on_a_bare_clone_without_any_database(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_database(*args: object, **kwargs: object) -> str:
        raise AssertionError("salesbot search must not start or reach a database")

    monkeypatch.setattr("shared.adapters.postgres.migrate.migration_database_url", no_database)
    assert main(["search", "tsel 10k"]) == 0
    out = json.loads(capsys.readouterr().out)
    first = out["items"][0]
    assert set(first) == {"code", "name", "provider", "category", "price", "status"}
    assert (first["code"], first["status"]) == ("TSEL10", "available")
    assert isinstance(first["price"], int)


def test_cli_search_budget_and_jsonl(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["search", "ml", "--budget", "10000", "--limit", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["items"]) == 2
    assert all(i["price"] <= 10_000 for i in out["items"])

    lines = ["ml 86 dm", '{"query": "netflix", "budget": 50000}', '{"budget": 20000}', "{oops"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert main(["search", "--jsonl"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 4
    assert rows[0]["items"][0]["code"] == "ML86"
    assert all(i["price"] <= 50_000 for i in rows[1]["items"])
    assert len(rows[2]["items"]) == 5
    assert rows[3]["items"] == []
    assert "error" in rows[3]
