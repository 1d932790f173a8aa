"""docs/tutorial.ipynb runs from top to bottom, as a new researcher would run it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_tutorial_notebook_executes(request) -> None:
    notebook = nbformat.read(DOCS / "tutorial.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(DOCS)}}).execute()  # raises on an error
    printed = "".join(output.get("text", "") for cell in notebook.cells
                      if cell.cell_type == "code" for output in cell.outputs)
    work = Path(re.search(r"working in (\S+)", printed).group(1))
    request.addfinalizer(lambda: shutil.rmtree(work, ignore_errors=True))
    assert re.search(r"18 runs ok, 0 failed", printed)
    page = Path(re.search(r"report written to (\S+)", printed).group(1))
    assert page.is_file() and page.name == "report.html"
    assert "market_channel" in printed and "paired t on common random numbers" in \
        "".join(str(output.get("data", {})) for cell in notebook.cells
                if cell.cell_type == "code" for output in cell.outputs)
