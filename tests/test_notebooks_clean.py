"""Committed notebooks carry no outputs, and each starts with a well-formed parameters cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from workbench.errors import ParameterError
from workbench.report.params import parse_parameters_source

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def _notebooks() -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if not paths:
        pytest.skip(f"no notebooks in {NOTEBOOKS} yet: nothing to check")
    return paths


def test_notebooks_are_committed_without_outputs():
    dirty = []
    for path in _notebooks():
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if cell.get("outputs"):
                dirty.append(f"{path.name} cell {index}: has outputs")
            if cell.get("execution_count") is not None:
                dirty.append(f"{path.name} cell {index}: has execution count {cell.execution_count}")
        if "papermill" in nb.metadata:
            dirty.append(f"{path.name}: carries papermill metadata (an executed copy?)")
    assert not dirty, "clear the outputs before committing (Edit > Clear Outputs of All Cells):\n" + "\n".join(dirty)


def test_first_code_cell_is_the_parameters_cell_with_the_grammar():
    problems = []
    for path in _notebooks():
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        if not code or "parameters" not in code[0].get("metadata", {}).get("tags", []):
            problems.append(f"{path.name}: the first code cell is not tagged 'parameters'")
            continue
        try:
            parse_parameters_source(code[0].source, where=f"{path.name}, parameters cell")
        except ParameterError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)
