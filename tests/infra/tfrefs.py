"""An offline stand-in for the reference half of `terraform validate`.

`terraform validate` cannot run here (no terraform binary, no provider registry), so this module
reads infra/*.tf with python-hcl2 and checks what Terraform would reject before talking to any
provider: every `var.X`, `local.X`, `data.T.N`, `T.N` and `module.X` resolves to a declaration,
`count`/`for_each` resources are indexed and plain ones are not, `each.value.X` names a key
every entry of a local for_each map has, `depends_on` lists only whole resources, nothing is
declared twice; plus two house rules: every variable and local is used, and
an output that reads a secret attribute or a sensitive variable is `sensitive`.

It works on the raw python-hcl2 tree (quotes kept), because there a quoted string is a literal
whose only code is inside `${...}`, and an unquoted `${...}` value is an expression.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

# Resource and data types start with a provider's local name; infra/versions.tf requires these.
PROVIDER_PREFIXES = ("google_", "archive_", "time_")
# Names Terraform binds itself, and the iterator of `dynamic "label"` blocks (added per file).
BUILTIN_ROOTS = {"count", "path", "self", "terraform"}
META_KEYS = {"__is_block__", "__comments__", "__inline_comments__"}
# Attributes whose value is a secret: reading one into an output needs `sensitive = true`.
SECRET_ATTRIBUTES = re.compile(
    r"\.(secret_data|private_key|password|access_token|id_token|client_key|client_secret"
    r"|key_material|hmac_key|secret)\b"
)

TRAVERSAL = re.compile(
    r"(?<![\w.\]\)])([A-Za-z_][\w-]*)((?:\.[A-Za-z_][\w-]*|\[[^\[\]]*\]|\.\*|\[\*\])*)"
)
FOR_VARS = re.compile(r"\bfor\s+([A-Za-z_]\w*)(?:\s*,\s*([A-Za-z_]\w*))?\s+in\b")


def unquote(value: str) -> str:
    if len(value) >= 2 and value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return value


def code_of(value: str) -> list[str]:
    """The expression code in one raw python-hcl2 value, string-literal text removed.

    A quoted value contributes only its `${...}` interpolations; an unquoted `${...}` value is an
    expression whose own string literals are blanked the same way (their interpolations kept).
    """
    if value.startswith("${") and value.endswith("}"):
        return _strip_literals(value[2:-1])
    if value.startswith('"'):
        return _interpolations(value[1:-1])
    return []


def _interpolations(text: str) -> list[str]:
    found: list[str] = []
    i = 0
    while (start := text.find("${", i)) >= 0:
        end = _matching_brace(text, start + 2)
        found += _strip_literals(text[start + 2 : end])
        i = end + 1
    return found


def _matching_brace(text: str, i: int) -> int:
    depth = 1
    in_string = False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
            elif text.startswith("${", i):
                i = _matching_brace(text, i + 2)
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def _strip_literals(code: str) -> list[str]:
    """`code` with each string literal replaced by "", plus the code of its interpolations."""
    out: list[str] = []
    nested: list[str] = []
    i = 0
    while i < len(code):
        ch = code[i]
        if ch != '"':
            out.append(ch)
            i += 1
            continue
        j = i + 1
        while j < len(code) and code[j] != '"':
            if code[j] == "\\":
                j += 2
                continue
            if code.startswith("${", j):
                end = _matching_brace(code, j + 2)
                nested += _strip_literals(code[j + 2 : end])
                j = end + 1
                continue
            j += 1
        out.append('""')
        i = j + 1
    return ["".join(out), *nested]


@dataclass(frozen=True)
class Reference:
    file: str
    where: str  # e.g. resource google_pubsub_subscription.inbound
    root: str
    parts: tuple[str, ...]  # the traversal after the root, e.g. (".inbound", ".id")
    text: str
    in_depends_on: bool = False


@dataclass
class Config:
    """Declarations and references of a directory of .tf files."""

    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    resources: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    data: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    declared: Counter[str] = field(default_factory=Counter)
    references: list[Reference] = field(default_factory=list)


def load(directory: Path) -> Config:
    config = Config()
    for path in sorted(directory.glob("*.tf")):
        _load_file(config, path.name, hcl2.loads(path.read_text()))
    return config


def _clean(key: str) -> str:
    return unquote(key)


def _load_file(config: Config, name: str, tree: dict[str, Any]) -> None:
    for block in tree.get("variable", []):
        for var, body in _items(block):
            config.variables[var] = body
            config.declared[f"var.{var}"] += 1
            _collect(config, name, f"variable {var}", body)
    for block in tree.get("locals", []):
        for local, value in _items(block):
            config.locals[local] = value
            config.declared[f"local.{local}"] += 1
            _collect(config, name, f"local {local}", value)
    for kind, target in (("resource", config.resources), ("data", config.data)):
        for block in tree.get(kind, []):
            for rtype, named in _items(block):
                for rname, body in _items(named):
                    target[(rtype, rname)] = body
                    prefix = "data." if kind == "data" else ""
                    config.declared[f"{prefix}{rtype}.{rname}"] += 1
                    _collect(config, name, f"{kind} {rtype}.{rname}", body)
    for block in tree.get("module", []):
        for module, body in _items(block):
            config.modules[module] = body
            config.declared[f"module.{module}"] += 1
            _collect(config, name, f"module {module}", body)
    for block in tree.get("output", []):
        for output, body in _items(block):
            config.outputs[output] = body
            config.declared[f"output.{output}"] += 1
            _collect(config, name, f"output {output}", body)
    for block in tree.get("provider", []):
        for provider, body in _items(block):
            _collect(config, name, f"provider {provider}", body)
    for block in tree.get("terraform", []):
        _collect(config, name, "terraform", block)


def _items(block: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key, value in block.items():
        if key not in META_KEYS:
            yield _clean(key), value


def _collect(config: Config, file: str, where: str, body: Any) -> None:
    iterators = set(_dynamic_labels(body))
    for value, in_depends_on in _values(body):
        codes = code_of(value)
        bound = {n for code in codes for pair in FOR_VARS.findall(code) for n in pair if n}
        for code in codes:
            for match in TRAVERSAL.finditer(code):
                root, rest = match.group(1), match.group(2)
                if not rest or root in bound or root in iterators or root in BUILTIN_ROOTS:
                    continue
                parts = tuple(re.findall(r"\.[A-Za-z_][\w-]*|\[[^\[\]]*\]|\.\*", rest))
                config.references.append(
                    Reference(file, where, root, parts, match.group(0), in_depends_on)
                )


def _dynamic_labels(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "dynamic" and isinstance(value, list):
                for block in value:
                    for label, body in _items(block):
                        yield label
                        for content in body if isinstance(body, list) else [body]:
                            if isinstance(content, dict) and "iterator" in content:
                                yield unquote(str(content["iterator"]).strip("${}"))
            yield from _dynamic_labels(value)
    elif isinstance(node, list):
        for item in node:
            yield from _dynamic_labels(item)


def _values(node: Any, in_depends_on: bool = False) -> Iterator[tuple[str, bool]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in META_KEYS:
                yield from _values(value, in_depends_on or key == "depends_on")
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, in_depends_on)
    elif isinstance(node, str):
        yield node, in_depends_on


@dataclass(frozen=True)
class ResourceRef:
    """A reference to a managed resource or a data source, split at its index."""

    kind: str  # "resource" or "data"
    rtype: str
    name: str
    index: str | None  # "[...]" right after the name, if any
    attributes: tuple[str, ...]  # the rest of the traversal


def resource_ref(ref: Reference) -> ResourceRef | None:
    parts = list(ref.parts)
    if ref.root == "data":
        if len(parts) < 2 or not all(p.startswith(".") for p in parts[:2]):
            return None
        kind, rtype, name, rest = "data", parts[0][1:], parts[1][1:], parts[2:]
    elif ref.root.startswith(PROVIDER_PREFIXES):
        if not parts or not parts[0].startswith("."):
            return None
        kind, rtype, name, rest = "resource", ref.root, parts[0][1:], parts[1:]
    else:
        return None
    index = rest[0] if rest and rest[0].startswith("[") else None
    return ResourceRef(kind, rtype, name, index, tuple(rest[1:] if index else rest))


def problems(config: Config) -> list[str]:
    """Every reason `terraform validate` (or the house rules) would reject the configuration."""
    found: list[str] = []
    for name, count in sorted(config.declared.items()):
        if count > 1:
            found.append(f"{name} is declared {count} times")
    used: Counter[str] = Counter()
    for ref in config.references:
        found += _check_reference(config, ref, used)
    found += [f"variable {v} is never used" for v in config.variables if not used[f"var.{v}"]]
    found += [f"local {v} is never used" for v in config.locals if not used[f"local.{v}"]]
    found += _check_each(config)
    found += _check_depends_on(config)
    found += _check_outputs(config)
    return found


def _check_each(config: Config) -> list[str]:
    """`each.value.X` in a resource whose for_each is a local map of objects: X in every one."""
    found = []
    for (rtype, name), body in config.resources.items():
        match = re.fullmatch(r"\$\{local\.(\w+)\}", str(body.get("for_each", "")))
        table = config.locals.get(match.group(1)) if match else None
        if not isinstance(table, dict):
            continue
        entries = {k: v for k, v in table.items() if k not in META_KEYS}
        if not all(isinstance(v, dict) for v in entries.values()):
            continue
        where = f"resource {rtype}.{name}"
        for ref in config.references:
            if ref.where != where or ref.root != "each" or ref.parts[:1] != (".value",):
                continue
            if len(ref.parts) < 2 or not ref.parts[1].startswith("."):
                continue
            key = ref.parts[1][1:]
            missing = sorted(k for k, v in entries.items() if key not in v)
            if missing:
                found.append(f"{ref.file}: {where}: {ref.text}: no {key!r} in {missing}")
    return found


def _check_reference(config: Config, ref: Reference, used: Counter[str]) -> list[str]:
    at = f"{ref.file}: {ref.where}: {ref.text}"
    first = ref.parts[0][1:] if ref.parts and ref.parts[0].startswith(".") else None
    if ref.root == "var":
        if ref.where != f"variable {first}":  # its own validation block is no use
            used[f"var.{first}"] += 1
        return [] if first in config.variables else [f"{at}: no variable {first!r}"]
    if ref.root == "local":
        used[f"local.{first}"] += 1
        return [] if first in config.locals else [f"{at}: no local {first!r}"]
    if ref.root == "each":
        return []  # checked against the for_each map in _check_each
    if ref.root == "module":
        return [] if first in config.modules else [f"{at}: no module {first!r}"]
    target = resource_ref(ref)
    if target is None:
        if ref.root.startswith(PROVIDER_PREFIXES) or ref.root == "data":
            return [f"{at}: not a resource reference"]
        # A bare identifier with a traversal that is none of the above: Terraform would say
        # "Reference to undeclared resource" (e.g. a typo in `google_` or a missing `local.`).
        return [f"{at}: unknown name {ref.root!r}"]
    table = config.data if target.kind == "data" else config.resources
    body = table.get((target.rtype, target.name))
    label = f"{'data.' if target.kind == 'data' else ''}{target.rtype}.{target.name}"
    if body is None:
        return [f"{at}: no {target.kind} {label}"]
    repeated = "for_each" in body or "count" in body
    if ref.in_depends_on:
        return (
            []
            if target.index is None and not target.attributes
            else [f"{at}: depends_on must name a whole resource"]
        )
    if repeated and target.index is None and target.attributes:
        return [f"{at}: {label} has count/for_each, index it before reading an attribute"]
    if not repeated and target.index is not None:
        return [f"{at}: {label} has no count/for_each, it cannot be indexed"]
    return []


def _check_depends_on(config: Config) -> list[str]:
    found = []
    for table, prefix in ((config.resources, ""), (config.data, "data.")):
        for (rtype, name), body in table.items():
            for item in body.get("depends_on", []):
                if not (isinstance(item, str) and item.startswith("${") and item.endswith("}")):
                    found.append(f"{prefix}{rtype}.{name}: depends_on item {item!r}")
    for name, body in config.outputs.items():
        for item in body.get("depends_on", []):
            if not (isinstance(item, str) and item.startswith("${")):
                found.append(f"output {name}: depends_on item {item!r}")
    return found


def _check_outputs(config: Config) -> list[str]:
    sensitive_vars = {n for n, v in config.variables.items() if v.get("sensitive") is True}
    found = []
    for name, body in config.outputs.items():
        value = str(body.get("value", ""))
        secret = bool(SECRET_ATTRIBUTES.search(value)) or any(
            re.search(rf"\bvar\.{v}\b", value) for v in sensitive_vars
        )
        secret |= "google_secret_manager_secret_version" in value
        if secret and body.get("sensitive") is not True:
            found.append(f"output {name} carries a secret and must be sensitive = true")
    return found
