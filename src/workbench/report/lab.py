"""``workbench lab``: JupyterLab in ``notebooks/`` with the project's kernel.

The command is the venv's own ``jupyter lab`` (next to this interpreter), started in
``notebooks/`` with the project kernel as the default. The environment is the caller's,
with two changes: ``MPLBACKEND`` is removed (interactive figures use the inline backend)
and ``WORKBENCH_OUTPUT_DIR`` is removed (outputs then go to ``reports/interactive/``).
``WORKBENCH_DATA_MIRROR`` passes through, made absolute.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.report.kernel import FALLBACK_KERNEL, choose_kernel
from workbench.report.paths import OUTPUT_DIR_ENV, RUN_ID_ENV

MIRROR_ENV = "WORKBENCH_DATA_MIRROR"


@dataclass(frozen=True)
class LabCommand:
    """The command line, environment and working folder of a JupyterLab session."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    kernel: str


def lab_command(project_root: Path, *, port: int | None = None, browser: bool = True,
                extra: list[str] | None = None) -> LabCommand:
    """Build (not start) the ``jupyter lab`` command for the project.

    Raises
    ------
    WorkbenchError
        No ``notebooks/`` folder, or no ``jupyter`` next to this interpreter.
    """
    notebooks = project_root / "notebooks"
    if not notebooks.is_dir():
        raise WorkbenchError(f"no notebooks folder at {notebooks}")
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        raise WorkbenchError(f"{jupyter} not found: install the environment with `make env` (it brings JupyterLab)")
    try:
        kernel = choose_kernel().name
    except WorkbenchError:
        kernel = FALLBACK_KERNEL
    argv = [str(jupyter), "lab", f"--ServerApp.root_dir={notebooks}",
            f"--MultiKernelManager.default_kernel_name={kernel}"]
    if port is not None:
        argv.append(f"--ServerApp.port={port}")
    if not browser:
        argv.append("--no-browser")
    argv += extra or []
    env = dict(os.environ)
    for name in ("MPLBACKEND", OUTPUT_DIR_ENV, RUN_ID_ENV):
        env.pop(name, None)
    if env.get(MIRROR_ENV):
        env[MIRROR_ENV] = str(Path(env[MIRROR_ENV]).expanduser().resolve())
    return LabCommand(argv=argv, env=env, cwd=notebooks, kernel=kernel)

