"""The README's examples work on the shipped files, and the docs cite sources that travel with
the repository."""

from __future__ import annotations

import re
from typing import Any

from se_sim.scenario import load_scenario
from tests.runner_support import BANG_SAO_THONG, ROOT

README = ROOT / "README.md"


def resolve(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def test_every_key_path_in_the_readme_exists_in_a_shipped_scenario() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Scenarios", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    paths = [p for row in rows for p in re.findall(r"`([a-z_]+(?:\.[a-z_0-9]+)+)`",
                                                  row.rsplit("|", 2)[1])]
    paths += re.findall(r"--set ([a-z_]+(?:\.[a-z_0-9]+)+)=", text)
    assert len(paths) >= 12
    shipped = [load_scenario(path).model_dump()
               for path in sorted((ROOT / "scenarios").glob("*.yaml"))]
    missing = []
    for path in paths:
        found = False
        for scenario in shipped:  # the case, or the scenario of the section it belongs to
            try:
                resolve(scenario, path)
                found = True
            except (KeyError, IndexError, TypeError):
                continue
        if not found:
            missing.append(path)
    assert not missing, f"README paths in no shipped scenario: {missing}"


def test_the_readme_list_example_runs() -> None:
    assignment = re.findall(r"--set '(interventions=[^']+)'", README.read_text(encoding="utf-8"))[0]
    scenario = load_scenario(BANG_SAO_THONG, [assignment, "interventions.0.month=7"])
    assert [(i.kind, i.month) for i in scenario.interventions] == [("training", 7)]


def test_docs_cite_the_sources_that_travel_with_the_repository() -> None:
    for doc in (README, ROOT / "docs" / "sweeps.md"):
        assert "shared/" not in doc.read_text(encoding="utf-8"), doc
    assert "docs/sources.md" in README.read_text(encoding="utf-8")
    assert (ROOT / "docs" / "sources.md").is_file()
