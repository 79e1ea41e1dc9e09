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
from typing import TextIO

from shared.domain.parser import parse


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
