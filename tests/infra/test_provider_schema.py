"""The schema half of `terraform validate`, offline: infra/*.tf against the provider schema.

`make tfschema` distils the google and archive provider schemas (from the pinned CDKTF prebuilt
bindings, see infra/provider_schema.py) into .tfschema/providers.json. Against it, every resource,
data source and provider block may only use arguments and nested blocks the provider declares,
with blocks written as blocks and arguments as arguments, a single-instance block at most once,
every required argument and block present (directly or through `dynamic`), and enumerated
arguments (literal, or `each.value.X` of a local map) within their allowed values; and every
attribute a reference reads (`google_x.y.attr`, `...service_config[0].uri`) must exist.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import hcl2
import pytest
import tfrefs
from conftest import INFRA, REPO

SCHEMA = REPO / ".tfschema" / "providers.json"
META_ARGUMENTS = {"count", "for_each", "provider", "depends_on", "lifecycle", "provisioner"}
META_ARGUMENTS |= {"connection"}


@functools.cache
def _schema() -> dict[str, Any]:
    if not SCHEMA.exists():
        pytest.skip(
            ".tfschema/providers.json could not be built (no package index?); run `make "
            "tfschema` to build it from infra/requirements-tfschema.txt"
        )
    return json.loads(SCHEMA.read_text())  # type: ignore[no-any-return]


def _is_block(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and v.get("__is_block__") for v in value)
    )


def _candidates(value: Any, each: list[Any] | None) -> list[str] | None:
    """The literal strings an argument can take, when that is knowable without evaluation."""
    if not isinstance(value, str):
        return None
    if value.startswith('"') and "${" not in value:
        return [tfrefs.unquote(value)]
    match = re.fullmatch(r"\$\{each\.value\.(\w+)\}", value)
    if match and each is not None:
        found = [_candidates(item.get(match.group(1)), None) for item in each]
        if all(f is not None for f in found):
            return [v for f in found if f for v in f]
    return None


def _each_values(body: dict[str, Any], config: tfrefs.Config) -> list[Any] | None:
    """The values `each.value` takes when for_each is a local map of objects."""
    match = re.fullmatch(r"\$\{local\.(\w+)\}", str(body.get("for_each", "")))
    table = config.locals.get(match.group(1)) if match else None
    if not isinstance(table, dict):
        return None
    values = [v for k, v in table.items() if k not in tfrefs.META_KEYS]
    return values if all(isinstance(v, dict) for v in values) else None


def _check_body(
    schema: dict[str, Any],
    struct: str,
    body: dict[str, Any],
    where: str,
    top: bool,
    each: list[Any] | None = None,
) -> list[str]:
    spec = schema["structs"][struct]
    enums: dict[str, list[str]] = spec["enums"]
    attributes: dict[str, bool] = spec["attributes"]
    blocks: dict[str, Any] = spec["blocks"]
    found: list[str] = []
    present: set[str] = set()
    for raw_key, value in body.items():
        key = tfrefs.unquote(raw_key)
        if key in tfrefs.META_KEYS or (top and key in META_ARGUMENTS):
            continue
        if key == "dynamic":
            for dynamic in value:
                for label, inner in tfrefs._items(dynamic):
                    present.add(label)
                    if label not in blocks:
                        found.append(f"{where}: dynamic {label!r} is not a block here")
                        continue
                    for content in inner.get("content", []):
                        found += _check_body(
                            schema, blocks[label]["struct"], content, f"{where}.{label}", False
                        )
            continue
        present.add(key)
        if _is_block(value):
            if key not in blocks:
                what = "an argument, write `key = value`" if key in attributes else "unknown"
                found.append(f"{where}: block {key!r} is {what}")
                continue
            if blocks[key]["single"] and len(value) > 1:
                found.append(f"{where}: block {key!r} may appear once, found {len(value)}")
            for item in value:
                found += _check_body(
                    schema, blocks[key]["struct"], item, f"{where}.{key}", False, each
                )
        elif key not in attributes:
            what = "a block, write `key { ... }`" if key in blocks else "unknown"
            found.append(f"{where}: argument {key!r} is {what}")
        elif key in enums and (values := _candidates(value, each)) is not None:
            found += [
                f"{where}: {key} = {v!r} is not one of {enums[key]}"
                for v in values
                if v not in enums[key]
            ]
    missing = [n for n, required in attributes.items() if required and n not in present]
    missing += [n for n, b in blocks.items() if b["required"] and n not in present]
    found += [f"{where}: required {name!r} is missing" for name in missing]
    return found


def provider_of(rtype: str, body: dict[str, Any]) -> str:
    """The provider a resource uses: its `provider` meta-argument, else its type's prefix."""
    # python-hcl2 gives the bare reference `provider = google-beta` as it is written.
    named = re.fullmatch(r"(?:\$\{)?([\w-]+)(?:\.\w+)?\}?", str(body.get("provider", "")))
    return named.group(1) if named else rtype.split("_", 1)[0]


def _struct(schema: dict[str, Any], table: str, rtype: str, body: dict[str, Any]) -> str | None:
    found: str | None = schema[table].get(provider_of(rtype, body), {}).get(rtype)
    return found


def _problems(directory: Path) -> list[str]:
    schema = _schema()
    config = tfrefs.load(directory)
    found: list[str] = []
    for path in sorted(directory.glob("*.tf")):
        tree = hcl2.loads(path.read_text())
        for kind, table in (("resource", "resources"), ("data", "data")):
            for block in tree.get(kind, []):
                for rtype, named in tfrefs._items(block):
                    for name, body in tfrefs._items(named):
                        struct = _struct(schema, table, rtype, body)
                        where = f"{path.name}: {kind} {rtype}.{name}"
                        if struct is None:
                            found.append(
                                f"{where}: provider {provider_of(rtype, body)!r} has no {kind} "
                                f"type {rtype!r}"
                            )
                        else:
                            each = _each_values(body, config)
                            found += _check_body(schema, struct, body, where, True, each)
        for block in tree.get("provider", []):
            for local_name, body in tfrefs._items(block):
                struct = schema["provider"].get(local_name)
                where = f"{path.name}: provider {local_name}"
                if struct is None:
                    found.append(f"{where}: no schema for this provider")
                else:
                    found += _check_body(schema, struct, body, where, True)
    found += _reference_problems(schema, config)
    return found


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _reference_problems(schema: dict[str, Any], config: tfrefs.Config) -> list[str]:
    found = []
    for ref in config.references:
        target = tfrefs.resource_ref(ref)
        if target is None or ref.in_depends_on:
            continue
        table = config.resources if target.kind == "resource" else config.data
        body = table.get((target.rtype, target.name), {})
        struct = _struct(
            schema, "resources" if target.kind == "resource" else "data", target.rtype, body
        )
        readable: dict[str, str | None] | None = schema["readable"].get(struct)
        for part in target.attributes:
            if readable is None:
                break
            if part.startswith("[") or part == ".*":
                continue
            name = _camel(part[1:])
            if name not in readable and f"{name}Attribute" not in readable:
                found.append(f"{ref.file}: {ref.where}: {ref.text}: no attribute {part[1:]!r}")
                break
            nested = readable.get(name) or readable.get(f"{name}Attribute")
            readable = schema["readable"].get(nested) if nested else None
    return found


def _constraint_allows(constraint: str, version: str) -> bool:
    def key(v: str) -> tuple[int, ...]:
        return tuple(int(x) for x in v.split("."))

    checks = {">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
    checks |= {">": lambda a, b: a > b, "=": lambda a, b: a == b}
    for clause in constraint.split(","):
        op, bound = re.fullmatch(r"\s*(>=|<=|>|<|=)\s*([\d.]+)\s*", clause).groups()  # type: ignore[union-attr]
        width = max(len(key(bound)), len(key(version)))
        a = key(version) + (0,) * (width - len(key(version)))
        b = key(bound) + (0,) * (width - len(key(bound)))
        if not checks[op](a, b):
            return False
    return True


def test_the_schema_is_of_the_provider_versions_terraform_requires() -> None:
    schema = _schema()
    versions = tfrefs.hcl2.loads((INFRA / "versions.tf").read_text())
    required = dict(tfrefs._items(versions["terraform"][0]["required_providers"][0]))
    assert set(schema["providers"]) == set(required)
    for name, spec in required.items():
        constraint = tfrefs.unquote(spec["version"])
        version = schema["providers"][name]
        assert _constraint_allows(constraint, version), f"{name} {version} vs {constraint}"


def test_every_block_and_reference_in_infra_matches_the_provider_schema() -> None:
    assert _problems(INFRA) == []


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        # A misspelt argument, an argument written as a block and a block as an argument.
        ("pubsub.tf", "enable_message_ordering    = true", "enable_ordering = true", "unknown"),
        ("pubsub.tf", "retry_policy {", "retry_policy = {", "is a block"),
        (
            "functions.tf",
            'runtime         = "python311"',
            'runtime = "python311"\n    source_dir { }',
            "'source_dir' is unknown",
        ),
        # A required argument left out, and a single-instance block given twice.
        (
            "pubsub.tf",
            "topic                      = google_pubsub_topic.inbound.id\n",
            "",
            "required 'topic' is missing",
        ),
        (
            "pubsub.tf",
            'expiration_policy {\n    ttl = "" # never expire',
            'expiration_policy {\n    ttl = ""\n  }\n  expiration_policy {\n    ttl = "" #',
            "may appear once",
        ),
        # A reference to an attribute the resource does not have.
        (
            "outputs.tf",
            "google_compute_address.egress.address",
            "google_compute_address.egress.ip",
            "no attribute 'ip'",
        ),
        (
            "pubsub.tf",
            "service_config[0].uri\n\n",
            "service_config[0].url\n\n",
            "no attribute 'url'",
        ),
        (
            "relay.tf",
            "google_cloud_run_v2_service",
            "google_cloud_run_v3_service",
            "has no resource type 'google_cloud_run_v3_service'",
        ),
        # An enumerated argument: directly, and through `each.value` of a local map.
        ("relay.tf", '"INGRESS_TRAFFIC_INTERNAL_ONLY"', '"INTERNAL_ONLY"', "is not one of"),
        (
            "functions.tf",
            '"ALLOW_INTERNAL_ONLY" # Cloud Scheduler',
            '"INTERNAL" #',
            "ingress_settings = 'INTERNAL' is not one of",
        ),
    ],
)
def test_the_schema_check_reports_an_injected_mistake(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    _schema()
    copy = tmp_path / "infra"
    shutil.copytree(INFRA, copy, ignore=shutil.ignore_patterns(".terraform", ".build"))
    path = copy / file
    text = path.read_text()
    assert old in text, f"{file} changed; update this injection"
    path.write_text(text.replace(old, new, 1))
    found = _problems(copy)
    assert any(expected in problem for problem in found), found
