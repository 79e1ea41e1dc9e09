"""`salesbot parse` and `salesbot search`: the offline parser and the catalog search as JSON.

Both work on a fresh clone with no configuration: `parse` needs nothing, `search` reads the
sandbox catalogue (or the configured supplier's cached price list) and prices it with the default
markup rules unless a database is configured.

- `salesbot parse TEXT` prints `{"intent": str, "slots": {...}, "confidence": float}`;
  `--jsonl` reads one message per stdin line and prints one such object per line, in order.
- `salesbot search QUERY [--budget N] [--limit K]` prints `{"items": [{"code", "name",
  "provider", "category", "price", "status"}, ...]}` (price = sell price) plus `total` and
  `hint`; `--jsonl` reads one query per line (plain text or `{"query": ..., "budget": ...}`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, TextIO

from shared.domain.parser import parse

if TYPE_CHECKING:
    from shared.services.catalog import CatalogService


def _write(out: TextIO, value: object) -> None:
    out.write(json.dumps(value, ensure_ascii=False))
    out.write("\n")


def parse_command(args: argparse.Namespace) -> int:
    """Run `salesbot parse`: one message from the argument, or one per stdin line."""
    if args.jsonl:
        out = sys.stdout
        for line in sys.stdin:
            _write(out, parse(line.rstrip("\r\n")).as_dict())
        out.flush()
        return 0
    if args.text is None:
        print("salesbot parse: give a TEXT or use --jsonl", file=sys.stderr)
        return 2
    _write(sys.stdout, parse(args.text).as_dict())
    return 0


def _catalog_service() -> CatalogService:
    """The configured catalogue; on a bare clone, the sandbox list at the default markup.

    Without a database configured (DATABASE_URL / SUPABASE_URL) and without an Atlantic key
    nothing else is touched: no embedded Postgres is started just to read markup rules.
    """
    from shared.config import get_settings  # noqa: PLC0415
    from shared.services.catalog import CatalogService  # noqa: PLC0415

    settings = get_settings()
    if settings.database_mode == "embedded" and settings.uses_sandbox:
        from shared.sandbox.catalog import prepaid_items  # noqa: PLC0415

        return CatalogService(load_items=prepaid_items)
    from shared.wiring import Components  # noqa: PLC0415

    return Components(settings=settings).catalog


def _one_search(service: CatalogService, query: str, budget: int | None, limit: int) -> object:
    if not query.strip() and budget is not None:
        return service.budget_filter(budget, limit=limit).as_dict()
    return service.search(query, budget=budget, limit=limit).as_dict()


def _jsonl_request(line: str, limit: int) -> tuple[str, int | None, int]:
    """A `--jsonl` line: plain text, or `{"query": ..., "budget": ..., "limit": ...}`."""
    if not line.lstrip().startswith("{"):
        return line, None, limit
    request = json.loads(line)
    if not isinstance(request, dict):
        raise TypeError("expected a JSON object")
    budget = request.get("budget")
    wanted = request.get("limit", limit)
    if budget is not None and not isinstance(budget, int):
        raise TypeError("budget must be an integer")
    if not isinstance(wanted, int):
        raise TypeError("limit must be an integer")
    return str(request.get("query") or ""), budget, wanted


def search_command(args: argparse.Namespace) -> int:
    """Run `salesbot search`: one query from the arguments, or one per stdin line."""
    service = _catalog_service()
    if not args.jsonl:
        _write(sys.stdout, _one_search(service, args.query, args.budget, args.limit))
        return 0
    out = sys.stdout
    for line in sys.stdin:
        try:
            query, budget, limit = _jsonl_request(line.rstrip("\r\n"), args.limit)
        except (ValueError, TypeError) as exc:
            _write(out, {"items": [], "error": f"bad request line: {exc}"})
            continue
        _write(
            out, _one_search(service, query, budget if budget is not None else args.budget, limit)
        )
    out.flush()
    return 0
