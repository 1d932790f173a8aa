"""Which model code produced a folder's runs: a hash of every source file of the model, and of
the installed se_sim, Mesa and numpy versions, kept in the manifest so that a resume does not mix
runs of two versions of a model unnoticed.

The model's code starts from its roots: in scenario mode the ``se_sim.model`` and
``se_sim.scenario`` packages; for ``model: package.module:Class`` the whole top-level package,
or the module when it is not in a package. From there every import is followed (read from the
source, so imports inside functions count too, and nothing is imported to find them) as long as
it leads to a file outside the standard library and site-packages: a sibling module in the
experiment's folder, a module on ``PYTHONPATH``, an editable install such as se_sim itself. Each
such file is hashed on its own and listed in the manifest, so that a refused resume can name the
file that changed.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import site
import sys
import sysconfig
from collections.abc import Iterable
from importlib.machinery import ModuleSpec, PathFinder
from pathlib import Path
from typing import Any

from se_sim.runner.tasks import Job, ModelJob

SCENARIO_MODEL = ("se_sim.model", "se_sim.scenario")
INSTALLED = ("site-packages", "dist-packages")


def code_fingerprint(job: Job) -> dict[str, Any]:
    import mesa
    import numpy

    import se_sim

    files = model_files(_sources(job))
    modules = {name: {"file": str(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
               for name, path in sorted(files.items())}
    digest = hashlib.sha256()
    for name, record in modules.items():  # module names, not paths: the same in any clone
        digest.update(f"{name}\0{record['sha256']}\0".encode())
    versions = {"se_sim": se_sim.__version__, "mesa": mesa.__version__,
                "numpy": numpy.__version__}
    digest.update(json.dumps(versions, sort_keys=True).encode())
    return {"sha256": digest.hexdigest(), "sources": list(_sources(job)), "files": len(modules),
            "modules": modules, "versions": versions}


def code_changes(stored: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """What differs between a stored fingerprint and this one, one phrase each ("x.py changed");
    empty when they are the same."""
    if stored.get("sha256") == current["sha256"]:
        return []
    before, now = stored.get("modules"), current["modules"]
    if before is None:  # a manifest written before modules were listed
        return [f"{', '.join(current['sources'])} or the se_sim, Mesa, numpy versions differ"]
    changes = [f"{now[name]['file']} changed" for name in sorted(set(before) & set(now))
               if before[name]["sha256"] != now[name]["sha256"]]
    changes += [f"{now[name]['file']} is new" for name in sorted(set(now) - set(before))]
    changes += [f"{before[name]['file']} is gone" for name in sorted(set(before) - set(now))]
    if stored.get("versions") != current["versions"]:
        changes.append(f"versions {stored.get('versions')} are now {current['versions']}")
    return changes or ["its fingerprint differs"]


def _sources(job: Job) -> tuple[str, ...]:
    if not isinstance(job, ModelJob):
        return SCENARIO_MODEL
    module = job.target.partition(":")[0]
    top = module.partition(".")[0]
    if top == "se_sim":
        inside = any(module == name or module.startswith(f"{name}.") for name in SCENARIO_MODEL)
        return SCENARIO_MODEL if inside else (*SCENARIO_MODEL, module)
    return (top,)


def model_files(roots: Iterable[str]) -> dict[str, Path]:
    """Module name -> source file of the roots (every module of a root package) and of every
    module they import, directly or not, that lives outside the standard library and
    site-packages."""
    found: dict[str, Path] = {}
    seen: set[str] = set()
    todo = [name for root in roots for name in _package_modules(root)]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if (path := _local_file(name)) is None:
            continue
        found[name] = path
        if path.suffix == ".py":
            todo += _imports(name, path)
    return found


def _package_modules(name: str) -> list[str]:
    """A package's modules (all sub-packages) by name, or the module itself."""
    spec = _spec(name)
    if spec is None or not spec.submodule_search_locations:
        return [name]
    return [name, *(
        ".".join([name, *path.relative_to(folder).with_suffix("").parts]).removesuffix(".__init__")
        for folder in map(Path, spec.submodule_search_locations)
        for path in sorted(folder.rglob("*.py"))
    )]


def _spec(name: str) -> ModuleSpec | None:
    """Where a module is, without importing it (its parent package may already be imported)."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__spec__", None)
    parent, _, _ = name.rpartition(".")
    try:
        if not parent:
            return PathFinder.find_spec(name)
        parent_spec = _spec(parent)
        if parent_spec is None or not parent_spec.submodule_search_locations:
            return None
        return PathFinder.find_spec(name, list(parent_spec.submodule_search_locations))
    except (ImportError, ValueError):
        return None


def _local_file(name: str) -> Path | None:
    spec = _spec(name)
    if spec is None or not spec.has_location or not spec.origin:
        return None
    path = Path(spec.origin).resolve()
    return path if path.is_file() and not _installed(path) else None


def _installed(path: Path) -> bool:
    """In the standard library or site-packages (a virtual environment's included)."""
    if any(part in INSTALLED for part in path.parts):
        return True
    return any(path.is_relative_to(folder) for folder in _library_folders())


@functools.cache
def _library_folders() -> list[Path]:
    paths = sysconfig.get_paths()
    folders = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")]
    folders += [*site.getsitepackages(), site.getusersitepackages()]
    return [Path(folder).resolve() for folder in folders]


def _imports(name: str, path: Path) -> list[str]:
    """The modules a source file names in its imports (``import_module("x")`` included), with
    their parent packages; ``from a import b`` gives both ``a`` and ``a.b``, which may be a
    module."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError):
        return []
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    named: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            named += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            if base:
                named += [base, *(f"{base}.{alias.name}" for alias in node.names)]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              in ("import_module", "__import__")):
            named.append(node.args[0].value)
    return [".".join(parts[:i]) for module in named if (parts := module.split("."))
            for i in range(1, len(parts) + 1)]


def _absolute(module: str | None, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return ""
    base = parts[:len(parts) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])
