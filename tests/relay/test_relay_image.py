"""The relay image builds from its Dockerfile without missing files, and its command starts.

There is no Docker engine (nor base image) here, so the build is replayed: the Dockerfile's COPY
instructions stage the build context into an empty directory (only what they copy), its final
`pip install --no-deps .` installs the project from that directory, and its checks run there:
the `RUN python -c "import …"` line and the `CMD` (with `--help`). They run with `python -S`
and an explicit `PYTHONPATH` of the staged install plus the project venv's site-packages (the
same pinned third-party packages the image installs), so the editable install of this checkout
(`__editable__*.pth`, only read by `site`) cannot put the repository's own files on `sys.path`;
the child process also proves that no module it loaded came from the checkout.

Third-party packages: every module the relay reaches (statically, lazy imports included, from
the image's command down through `shared`) that is not the standard library must come from a
distribution the Dockerfile's pip lines install: the project's dependencies from pyproject.toml
plus the pinned extras named on the pip line, with their own requirements.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "wa-relay" / "Dockerfile"
VENV_SITE = Path(sysconfig.get_paths()["purelib"])


@dataclass
class Image:
    """What the Dockerfile says, in order."""

    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    copies: list[tuple[list[str], str]] = field(default_factory=list)
    runs: list[list[list[str]]] = field(default_factory=list)  # RUN -> commands -> argv
    cmd: list[str] = field(default_factory=list)


def parse_dockerfile(text: str) -> Image:
    """The instructions this test replays (COPY, RUN, CMD, ENV, WORKDIR)."""
    image = Image()
    joined = re.sub(r"\\\n", " ", text)
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        op, _, args = line.partition(" ")
        op = op.upper()
        if op == "WORKDIR":
            image.workdir = args.strip()
        elif op == "ENV":
            for pair in shlex.split(args):
                key, _, value = pair.partition("=")
                image.env[key] = value
        elif op == "COPY":
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            image.copies.append((parts[:-1], parts[-1]))
        elif op == "RUN":
            image.runs.append([shlex.split(c) for c in args.split("&&")])
        elif op == "CMD":
            image.cmd = json.loads(args)
    return image


def stage(image: Image, context: Path, app: Path) -> None:
    """Copy what the COPY instructions copy, with Docker's rules, into `app` (the WORKDIR)."""
    assert image.workdir == "/app", "the replay assumes WORKDIR /app"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for sources, dest in image.copies:
        target = app / dest
        for source in sources:
            src = context / source
            assert src.exists(), f"COPY source missing from the build context: {source}"
            if src.is_dir():  # a directory's contents go into the destination
                shutil.copytree(src, target, ignore=ignore, dirs_exist_ok=True)
            elif dest.endswith("/") or len(sources) > 1:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target / src.name)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target)


def pip_installs(image: Image) -> list[list[str]]:
    """The arguments of every `pip install` in the RUN lines."""
    return [argv[2:] for run in image.runs for argv in run if argv[:2] == ["pip", "install"]]


def python_checks(image: Image) -> list[list[str]]:
    """`python …` commands in the RUN lines (the image's own smoke checks)."""
    return [argv for run in image.runs for argv in run if argv and argv[0] == "python"]


@dataclass
class Staged:
    """A replayed build: the WORKDIR tree and the site directory `pip install .` filled."""

    app: Path
    site: Path
    image: Image

    def run(self, argv: list[str], *extra: str) -> subprocess.CompletedProcess[str]:
        """Run `python …` as the image would, with only the staged tree as project code."""
        assert argv[0] == "python"
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.app.parent),
            **self.image.env,
            "DATA_DIR": str(self.app.parent / "data"),
            "PYTHONPATH": os.pathsep.join([str(self.site), str(VENV_SITE)]),
            "PYTHONNOUSERSITE": "1",
        }
        return subprocess.run(
            [sys.executable, "-S", *argv[1:], *extra],
            cwd=self.app,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def replay(dockerfile_text: str, tmp: Path) -> Staged:
    """Stage the context and run the final `pip install --no-deps .` from the staged tree."""
    image = parse_dockerfile(dockerfile_text)
    app, site = tmp / "app", tmp / "site"
    stage(image, ROOT, app)
    final = [args for args in pip_installs(image) if "--no-deps" in args]
    assert final == [["--no-cache-dir", "--no-deps", "."]], final
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "--target",
            str(site),
            ".",
        ],
        cwd=app,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return Staged(app=app, site=site, image=image)


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory) -> Staged:
    return replay(DOCKERFILE.read_text("utf-8"), tmp_path_factory.mktemp("image"))


# --- the image's own checks, from the staged tree only ----------------------------------------

_NO_LEAK = """
import sys
from pathlib import Path
root, venv = Path(sys.argv[1]), Path(sys.argv[2])
leaks = sorted(
    name for name, module in list(sys.modules.items())
    if (f := getattr(module, "__file__", None))
    and Path(f).resolve().is_relative_to(root) and not Path(f).resolve().is_relative_to(venv)
)
assert not leaks, f"loaded from the checkout, not the image: {leaks}"
import shared
print(Path(shared.__file__).resolve())
"""


def test_the_run_check_passes_from_the_staged_tree_alone(staged: Staged) -> None:
    checks = python_checks(staged.image)
    assert checks, "the Dockerfile's import check is gone"
    for argv in checks:
        assert argv[1] == "-c"
        result = staged.run(
            ["python", "-c", argv[2] + "\n" + _NO_LEAK], str(ROOT), str(VENV_SITE.parent)
        )
        assert result.returncode == 0, result.stderr[-3000:]
        # `-c` puts the WORKDIR first on sys.path, as in the image: the staged copy.
        assert Path(result.stdout.strip()).is_relative_to(staged.app), result.stdout


def test_the_image_command_starts_from_the_staged_tree_alone(staged: Staged) -> None:
    assert staged.image.cmd == ["python", "wa-relay/main.py"]
    result = staged.run(staged.image.cmd, "--help")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "--pair-phone" in result.stdout
    # A script's own directory heads sys.path, not the WORKDIR: `shared` must come from what
    # `pip install --no-deps .` built out of the staged files.
    installed = staged.run(
        ["python", "-c", "import sys; sys.path.remove(''); import shared; print(shared.__file__)"]
    )
    assert Path(installed.stdout.strip()).is_relative_to(staged.site), installed.stderr


def test_the_check_fails_when_a_needed_source_is_not_copied(tmp_path: Path) -> None:
    text = DOCKERFILE.read_text("utf-8")
    without = text.replace("COPY shared/ shared/\n", "")
    assert without != text
    broken = replay(without, tmp_path)
    [check] = python_checks(broken.image)
    result = broken.run(check)
    assert result.returncode != 0
    assert "ModuleNotFoundError" in result.stderr


# --- third-party packages ---------------------------------------------------------------------


def _module_file(app: Path, dotted: str) -> Path | None:
    base = app.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(tree: ast.AST) -> Iterator[tuple[str, list[str]]]:
    """`(module, names)` of every import, at any depth (lazy ones included), except type-only
    ones (`if TYPE_CHECKING:`) and optional ones (in a `try` that handles ImportError, e.g. the
    embedded Postgres of the all-in-one mode, which says what to configure instead)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (i for child in node.orelse for i in _imports(child))
            continue
        if isinstance(node, ast.Try) and any(
            h.type is not None and "ImportError" in ast.unparse(h.type) for h in node.handlers
        ):
            rest = [*node.handlers, *node.orelse, *node.finalbody]
            yield from (i for child in rest for i in _imports(child))
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, [a.name for a in node.names]
        yield from _imports(node)


def reachable_third_party(app: Path, roots: list[Path]) -> tuple[set[str], set[str]]:
    """Project modules reachable from `roots`, and the third-party top-level names they import."""
    seen: set[Path] = set()
    modules = {
        ".".join(p.relative_to(app).with_suffix("").parts).removesuffix(".__init__")
        for p in roots
        if p.is_relative_to(app / "shared")
    }
    third: set[str] = set()
    todo = list(roots)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module, names in _imports(ast.parse(path.read_text("utf-8"))):
            top = module.split(".")[0]
            if top == "shared":
                for dotted in [module, *(f"{module}.{n}" for n in names)]:
                    found = _module_file(app, dotted)
                    if found is not None:
                        modules.add(dotted)
                        todo.append(found)
                        # a package's parents run their __init__ too
                        for i in range(1, dotted.count(".") + 1):
                            parent = _module_file(app, ".".join(dotted.split(".")[:i]))
                            if parent is not None:
                                todo.append(parent)
            elif top not in sys.stdlib_module_names and top != "__future__":
                third.add(top)
    return modules, third


def relay_roots(app: Path, cmd: list[str]) -> list[Path]:
    """The image's command and the module its verb resolves to (the CLI imports it by name)."""
    cli = ast.parse((app / "shared" / "cli.py").read_text("utf-8"))
    verbs = next(
        ast.literal_eval(node.value)
        for node in ast.walk(cli)
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "_VERBS"
    )
    module = verbs["relay"].partition(":")[0]
    found = _module_file(app, module)
    assert found is not None, module
    return [app / cmd[1], found]


def installed_closure(image: Image, pyproject: dict[str, object]) -> set[str]:
    """Distributions the Dockerfile's pip lines install, with their requirements (from the venv's
    metadata of the same pinned versions)."""
    wanted: list[Requirement] = []
    for args in pip_installs(image):
        if "--no-deps" in args:
            continue
        for arg in args:
            if arg == ".":
                project = pyproject["project"]
                assert isinstance(project, dict)
                wanted += [Requirement(r) for r in project["dependencies"]]
            elif not arg.startswith("-") and arg != "requirements.lock":
                wanted.append(Requirement(arg))
    closure: set[str] = set()
    while wanted:
        req = wanted.pop()
        name = canonicalize_name(req.name)
        key = f"{name}[{','.join(sorted(req.extras))}]"
        if key in closure:
            continue
        closure.update({key, name})
        for line in metadata.requires(req.name) or []:
            sub = Requirement(line)
            envs = [{"extra": e} for e in req.extras] or [{"extra": ""}]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in envs):
                wanted.append(sub)
    return {c for c in closure if "[" not in c}


def test_every_third_party_module_the_relay_reaches_is_installed_by_the_image(
    staged: Staged,
) -> None:
    modules, third = reachable_third_party(staged.app, relay_roots(staged.app, staged.image.cmd))
    assert "shared.adapters.whatsapp.relay" in modules
    assert {"neonize", "google", "prometheus_client", "pydantic"} <= third
    # Import them all in the image's environment and name the distribution each came from.
    probe = (
        "import importlib, json, sys\n"
        "from importlib import metadata\n"
        "mods, tops = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "for m in mods: importlib.import_module(m)\n"
        "dists = metadata.packages_distributions()\n"
        "print(json.dumps({t: dists.get(t, []) for t in tops}))\n"
    )
    result = staged.run(
        ["python", "-c", probe], json.dumps(sorted(modules)), json.dumps(sorted(third))
    )
    assert result.returncode == 0, result.stderr[-3000:]
    providers: dict[str, list[str]] = json.loads(result.stdout)
    installed = installed_closure(
        staged.image, tomllib.loads((staged.app / "pyproject.toml").read_text("utf-8"))
    )
    missing = {
        top: dists
        for top, dists in providers.items()
        if not any(canonicalize_name(d) in installed for d in dists)
    }
    assert not missing, f"imported by the relay but not installed by the image: {missing}"


def test_the_closure_check_notices_a_dependency_the_image_does_not_install(
    staged: Staged,
) -> None:
    image = parse_dockerfile(DOCKERFILE.read_text("utf-8").replace(' "neonize==0.5.2"', ""))
    installed = installed_closure(
        image, tomllib.loads((staged.app / "pyproject.toml").read_text("utf-8"))
    )
    assert "neonize" not in installed
    assert "google-cloud-pubsub" in installed


def test_pinned_packages_the_image_installs_are_in_the_lock() -> None:
    lock = (ROOT / "requirements.lock").read_text("utf-8").lower()
    image = parse_dockerfile(DOCKERFILE.read_text("utf-8"))
    pins = [a for args in pip_installs(image) for a in args if "==" in a]
    assert pins
    for pin in pins:
        assert pin.lower() in lock, f"{pin} is not the locked version"
