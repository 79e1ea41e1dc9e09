"""Extract a compact provider schema from the CDKTF prebuilt provider wheels.

`terraform providers schema -json` needs the terraform binary and the provider registry, neither
reachable here. The CDKTF prebuilt bindings (PyPI `cdktf-cdktf-provider-google`, pinned in
infra/requirements-tfschema.txt to the provider version versions.tf allows) are generated from
that very schema and ship it inside a jsii assembly (a ~100 MB JSON in the wheel): one Config
struct per resource and data source whose properties are the arguments and nested blocks, with
`optional` for everything not required, and the Terraform name of each in its registry link.
This script keeps only what the offline check needs and writes it as one small JSON file:

    python infra/provider_schema.py WHEEL_DIR OUT.json

Output: {"providers": {local_name: version}, "resources": {local_name: {type: struct}},
"data": {local_name: {type: struct}}, "provider": {local_name: struct}, "structs": {struct:
{"attributes": {name: required}, "blocks": {name: {"struct", "required", "single"}}, "enums":
{name: [allowed values]}}}, "readable": {struct: {camelName: struct or null}}} (what a reference
may read, nested). Resources are kept per provider because google and google-beta declare the
same types with different arguments; a resource is checked against the provider it names in its
`provider` meta-argument, else the one its type's prefix names.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

# A property's Terraform name is the anchor of its registry link: ".../pubsub_subscription#name".
ANCHOR = re.compile(r"/docs(?:/(?:resources|data-sources)/\w+)?#(\w+) ")
# A resource class names its Terraform type: "Represents a {@link ... google_pubsub_subscription}".
REPRESENTS = re.compile(r"/docs/(resources|data-sources)/\w+ (\w+)\}")
# Enumerated arguments say so in their summary: 'Possible values: ["ALLOW_ALL", ...]'.
POSSIBLE = re.compile(r"Possible values: (\[[^\]]*\])")
PROVIDER = re.compile(r"registry\.terraform\.io/providers/(\w+)/([\w-]+)/([\w.]+)/docs")


class SchemaError(Exception):
    """The assembly does not have the shape this script reads (a new CDKTF generator?)."""


def read_assembly(wheel: Path) -> dict[str, Any]:
    """The jsii assembly (package/.jsii) inside a CDKTF provider wheel."""
    with zipfile.ZipFile(wheel) as archive:
        [name] = [n for n in archive.namelist() if n.endswith(".jsii.tgz")]
        with (
            tarfile.open(fileobj=io.BytesIO(archive.read(name))) as tar,
            tar.extractfile("package/.jsii") as assembly,  # type: ignore[union-attr]
        ):
            return json.load(assembly)  # type: ignore[no-any-return]


def _struct_of(type_ref: dict[str, Any], types: dict[str, Any]) -> tuple[str, bool] | None:
    """(struct fqn, single) if the property is a nested block, else None."""
    if "fqn" in type_ref:
        target = types.get(type_ref["fqn"], {})
        return (type_ref["fqn"], True) if target.get("datatype") else None
    if "collection" in type_ref:
        inner = _struct_of(type_ref["collection"]["elementtype"], types)
        return (inner[0], False) if inner else None
    for option in type_ref.get("union", {}).get("types", []):
        if (inner := _struct_of(option, types)) is not None:
            return inner
    return None


def _tf_name(prop: dict[str, Any]) -> str:
    docs = prop.get("docs", {})
    text = docs.get("remarks", "") + " " + docs.get("summary", "")
    if match := ANCHOR.search(text):
        return match.group(1)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", prop["name"]).lower()


def _readable(cls: dict[str, Any], types: dict[str, Any]) -> dict[str, str | None]:
    """Attribute names a reference may read on a resource or nested-block object."""
    found: dict[str, str | None] = {}
    for prop in cls.get("properties", []):
        if prop.get("static") or prop["name"].endswith("Input"):
            continue
        target = types.get(prop["type"].get("fqn", ""), {})
        if target.get("base") == "cdktf.ComplexList":
            # A list of blocks: indexing it yields the element's OutputReference (its `get`).
            getter = next((m for m in target.get("methods", []) if m["name"] == "get"), None)
            fqn = getter["returns"]["type"].get("fqn") if getter else None
            found[prop["name"]] = fqn
        elif target.get("base") == "cdktf.ComplexObject":
            found[prop["name"]] = prop["type"]["fqn"]
        else:
            found[prop["name"]] = None
    return found


def _provider_link(types: dict[str, Any], config: str) -> re.Match[str]:
    found = PROVIDER.search(json.dumps(types[config]))
    if found is None:
        raise SchemaError(f"no registry link in {config}")
    return found


def _provider_name(types: dict[str, Any], config: str) -> str:
    """The provider type (`google`, `google-beta`, `time`): its local name in versions.tf."""
    return _provider_link(types, config).group(2)


def _provider_version(types: dict[str, Any], config: str) -> str:
    return _provider_link(types, config).group(3)


def extract(assembly: dict[str, Any], out: dict[str, Any]) -> None:
    """Add the resources, data sources and provider config of one assembly to `out`."""
    types: dict[str, Any] = assembly["types"]
    structs: dict[str, Any] = out["structs"]
    pending: list[str] = []

    def want(fqn: str | None) -> str | None:
        if fqn and fqn not in structs and fqn not in pending:
            pending.append(fqn)
        return fqn

    def config_of(cls: dict[str, Any]) -> str:
        return str(cls["initializer"]["parameters"][-1]["type"]["fqn"])

    [local_name] = [
        _provider_name(types, config_of(cls))
        for cls in types.values()
        if cls.get("base") == "cdktf.TerraformProvider"
    ]
    for fqn, cls in types.items():
        base = cls.get("base")
        if base not in {
            "cdktf.TerraformResource",
            "cdktf.TerraformDataSource",
            "cdktf.TerraformProvider",
        }:
            continue
        config = config_of(cls)
        want(config)
        if base == "cdktf.TerraformProvider":
            out["providers"][local_name] = _provider_version(types, config)
            out["provider"][local_name] = config
            continue
        match = REPRESENTS.search(cls["docs"].get("summary", ""))
        if match is None:
            raise SchemaError(f"no Terraform type in the docs of {fqn}")
        kind = "resources" if match.group(1) == "resources" else "data"
        out[kind].setdefault(local_name, {})[match.group(2)] = config
        # What references may read: the class's getters, keyed by the config struct.
        out["readable"][config] = {
            name: want(target) for name, target in _readable(cls, types).items()
        }

    while pending:
        fqn = pending.pop()
        node = types[fqn]
        if node.get("datatype"):
            attributes: dict[str, bool] = {}
            enums: dict[str, list[str]] = {}
            blocks: dict[str, Any] = {}
            for prop in node.get("properties", []):
                name = _tf_name(prop)
                required = not prop.get("optional", False)
                if (nested := _struct_of(prop["type"], types)) is not None:
                    blocks[name] = {
                        "struct": want(nested[0]),
                        "required": required,
                        "single": nested[1],
                    }
                else:
                    attributes[name] = required
                    docs = prop.get("docs", {})
                    if match := POSSIBLE.search(f"{docs.get('summary')} {docs.get('remarks')}"):
                        enums[name] = json.loads(match.group(1))
            structs[fqn] = {"attributes": attributes, "blocks": blocks, "enums": enums}
        else:  # an OutputReference class reached from `readable`
            out["readable"][fqn] = {
                name: want(target) for name, target in _readable(node, types).items()
            }
            structs[fqn] = {"attributes": {}, "blocks": {}, "enums": {}}


def main(argv: list[str]) -> int:
    """Distil every cdktf_cdktf_provider_*.whl in argv[1] into the JSON file argv[2]."""
    wheel_dir, target = Path(argv[1]), Path(argv[2])
    out: dict[str, Any] = {
        "providers": {},
        "provider": {},
        "resources": {},
        "data": {},
        "structs": {},
        "readable": {},
    }
    wheels = sorted(wheel_dir.glob("cdktf_cdktf_provider_*.whl"))
    if not wheels:
        print(f"no cdktf provider wheels in {wheel_dir}", file=sys.stderr)
        return 1
    for wheel in wheels:
        extract(read_assembly(wheel), out)
    target.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True))
    print(
        f"{target}: "
        + ", ".join(
            f"{name} {version} ({len(out['resources'].get(name, {}))} resources, "
            f"{len(out['data'].get(name, {}))} data sources)"
            for name, version in sorted(out["providers"].items())
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
