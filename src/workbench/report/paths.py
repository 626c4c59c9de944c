"""Where the project and its reports are, and the environment variables of a run."""

from __future__ import annotations

from pathlib import Path

from workbench.errors import WorkbenchError

#: Set by the runner, per notebook, before the kernel starts: where that notebook's outputs go.
OUTPUT_DIR_ENV = "WORKBENCH_OUTPUT_DIR"
#: Set by the runner: the id of the run a kernel belongs to.
RUN_ID_ENV = "WORKBENCH_RUN_ID"


def project_root() -> Path:
    """The project folder (the one with ``pyproject.toml``, ``src/workbench`` and ``notebooks``).

    Raises
    ------
    WorkbenchError
        The workbench is not installed from a project checkout (e.g. a wheel install).
    """
    from workbench.catalog import PROJECT_ROOT

    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT
    raise WorkbenchError(
        f"the workbench package at {PROJECT_ROOT} is not inside a project checkout (no pyproject.toml there); "
        "install it with `pip install -e .` from the repository (`make env`)"
    )


def reports_dir(root: Path) -> Path:
    """``<root>/reports``."""
    return root / "reports"
