"""Which model code produced a folder's runs: a hash of the model's source files and of the
installed se_sim, Mesa and numpy versions, kept in the manifest so that a resume does not mix
runs of two versions of a model unnoticed.

The source hashed is the model as run: in scenario mode the ``se_sim.model`` and
``se_sim.scenario`` packages; for ``model: package.module:Class`` the whole top-level package
(a model's module imports its siblings), or the module's file when it is not in a package.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path
from typing import Any

from se_sim.runner.tasks import Job, ModelJob

SCENARIO_MODEL = ("se_sim.model", "se_sim.scenario")


def code_fingerprint(job: Job) -> dict[str, Any]:
    import mesa
    import numpy

    import se_sim

    files = dict(sorted(item for name in _sources(job) for item in _files(name)))
    digest = hashlib.sha256()
    for name, path in files.items():  # names relative to the package: the same in any clone
        digest.update(f"{name}\0".encode() + path.read_bytes() + b"\0")
    versions = {"se_sim": se_sim.__version__, "mesa": mesa.__version__,
                "numpy": numpy.__version__}
    digest.update(json.dumps(versions, sort_keys=True).encode())
    return {"sha256": digest.hexdigest(), "sources": list(_sources(job)), "files": len(files),
            "versions": versions}


def _sources(job: Job) -> tuple[str, ...]:
    if not isinstance(job, ModelJob):
        return SCENARIO_MODEL
    module = job.target.partition(":")[0]
    top = module.partition(".")[0]
    if top == "se_sim":
        inside = any(module == name or module.startswith(f"{name}.") for name in SCENARIO_MODEL)
        return SCENARIO_MODEL if inside else (*SCENARIO_MODEL, module)
    return (top,)


def _files(name: str) -> list[tuple[str, Path]]:
    """The .py files of a package (all its sub-packages), or the file of a module, each with
    its name from the package's folder on."""
    module = importlib.import_module(name)
    folders = getattr(module, "__path__", None)
    if folders is not None:
        return [(path.relative_to(Path(folder).parent).as_posix(), path)
                for folder in folders for path in Path(folder).rglob("*.py")]
    source = getattr(module, "__file__", None)
    return [(Path(source).name, Path(source))] if source else []
