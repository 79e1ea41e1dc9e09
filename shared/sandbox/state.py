"""The sandbox's state: account balance and every operation, kept in a small JSON file.

Writes go to a temporary file renamed over the old one, so a crash never leaves half a file;
loading a missing or corrupt file starts fresh. One lock guards every read-modify-write.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Record = dict[str, Any]

DEFAULT_BALANCE = 5_000_000


def _empty(balance: int) -> dict[str, Any]:
    return {
        "balance": balance,
        "transactions": {},
        "bills": {},
        "deposits": {},
        "transfers": {},
        "clock_offset": 0.0,
    }


class SandboxState:
    """In-memory state mirrored to `path` (when given) after every change."""

    def __init__(self, path: Path | None = None, *, balance: int = DEFAULT_BALANCE) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.data: dict[str, Any] = _empty(balance)
        if path is not None and path.exists():
            try:
                loaded = json.loads(path.read_text("utf-8"))
                self.data.update({k: v for k, v in loaded.items() if k in self.data})
            except (OSError, ValueError):
                log.warning("sandbox state file unreadable, starting fresh")

    @property
    def balance(self) -> int:
        """The supplier account balance in rupiah."""
        return int(self.data["balance"])

    def adjust_balance(self, delta: int) -> None:
        """Add (or with a negative delta, take) money from the account."""
        self.data["balance"] = self.balance + delta

    def table(self, name: str) -> dict[str, Record]:
        """One collection: transactions, bills, deposits or transfers."""
        table: dict[str, Record] = self.data[name]
        return table

    def find_reff(self, name: str, reff_id: str) -> Record | None:
        """The record of `name` whose reff_id matches, if any."""
        return next((r for r in self.table(name).values() if r.get("reff_id") == reff_id), None)

    def save(self) -> None:
        """Persist to the file (atomically), when the state has one."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, separators=(",", ":")), "utf-8")
        os.replace(tmp, self.path)
