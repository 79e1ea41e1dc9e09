"""Fixtures for the offline Terraform checks: every infra/*.tf parsed with python-hcl2.

python-hcl2 (8.x) keeps the quotes of string literals and block labels and adds `__is_block__` /
`__comments__` markers; `normalize` strips both so tests read values as Terraform writes them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hcl2
import pytest

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra"
# tests/fakes (the Pub/Sub server, the neonize client) for the observability tests.
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))

# The entry points the Terraform deploys, as the issue names them.
ENTRY_POINTS = {
    "on_message",
    "atlantic_webhook",
    "settle_supplier_event",
    "reactivate_keys",
    "refresh_prices",
    "reconcile",
    "check_balance",
    "console",
    "purge_media",
    "deliver_outbox",
}


def unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return value


def normalize(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            unquote(key): normalize(value)
            for key, value in node.items()
            if key not in {"__is_block__", "__comments__"}
        }
    if isinstance(node, list):
        return [normalize(item) for item in node]
    if isinstance(node, str):
        return unquote(node)
    return node


class Terraform:
    """The merged configuration of infra/: locals, resources, variables, outputs."""

    def __init__(self, files: dict[str, dict[str, Any]]) -> None:
        self.files = files
        self.locals: dict[str, Any] = {}
        self.resources: dict[tuple[str, str], dict[str, Any]] = {}
        self.data: dict[tuple[str, str], dict[str, Any]] = {}
        self.variables: dict[str, dict[str, Any]] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        for parsed in files.values():
            for block in parsed.get("locals", []):
                self.locals.update(block)
            for kind, target in (("resource", self.resources), ("data", self.data)):
                for block in parsed.get(kind, []):
                    for rtype, named in block.items():
                        for name, body in named.items():
                            target[(rtype, name)] = body
            for block in parsed.get("variable", []):
                self.variables.update(block)
            for block in parsed.get("output", []):
                self.outputs.update(block)

    def resource(self, rtype: str, name: str) -> dict[str, Any]:
        assert (rtype, name) in self.resources, f"missing resource {rtype}.{name}"
        return self.resources[(rtype, name)]

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {name: body for (kind, name), body in self.resources.items() if kind == rtype}


def strings(node: Any) -> list[str]:
    """Every string anywhere in a parsed tree."""
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return [node] if isinstance(node, str) else []


def block(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of a body (python-hcl2 gives blocks as one-item lists)."""
    value = body[name]
    assert isinstance(value, list), f"{name} is not a block"
    assert len(value) == 1, f"{name} appears {len(value)} times"
    return value[0]  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def terraform() -> Terraform:
    files = {}
    for path in sorted(INFRA.glob("*.tf")):
        files[path.name] = normalize(hcl2.loads(path.read_text()))
    assert files, "no .tf files under infra/"
    return Terraform(files)
