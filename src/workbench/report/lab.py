"""``workbench lab``: JupyterLab at the project folder, opened in ``notebooks/``, with the project's kernel.

The command is the venv's own ``jupyter lab`` (next to this interpreter) with:

* the project folder as the server's root (``docs/`` and ``reports/`` can be browsed) and
  ``notebooks/`` as the start folder of the file browser;
* the project kernel as the default kernel;
* the project's Jupyter server settings, ``jupyter_server_config.py`` at the project root
  (``--config``): its pre-save hook (:func:`strip_outputs_under`) saves notebooks under ``notebooks/``
  without outputs, so a tracked notebook never gains them;
* ``--allow-root`` when run as root (a container), which Jupyter otherwise refuses.

The environment is the caller's, with two changes: ``MPLBACKEND`` is removed (interactive figures
use the inline backend) and ``WORKBENCH_OUTPUT_DIR``/``WORKBENCH_RUN_ID`` are removed (outputs then
go to ``reports/interactive/``). The data are found as in a run: the catalog looks in
``WORKBENCH_DATA_MIRROR`` (passed through, made absolute), then the shipped ``data/raw/``, the cache
and the publisher, from the package's own checkout, whatever the kernel's working folder.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.report.kernel import FALLBACK_KERNEL, choose_kernel
from workbench.report.paths import OUTPUT_DIR_ENV, RUN_ID_ENV

MIRROR_ENV = "WORKBENCH_DATA_MIRROR"
#: The project's Jupyter server settings (the pre-save hook), at the project root.
CONFIG_FILE = "jupyter_server_config.py"
#: The file browser's start folder, relative to the project root.
START_FOLDER = "notebooks"


@dataclass(frozen=True)
class LabCommand:
    """The command line, environment and working folder of a JupyterLab session."""

    argv: list[str]
    env: dict[str, str]
    cwd: Path
    kernel: str
    start_folder: str = START_FOLDER


def running_as_root() -> bool:
    """True for the root user (Jupyter then needs ``--allow-root``)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(project_root: Path, *, port: int | None = None, browser: bool = True,
                extra: list[str] | None = None) -> LabCommand:
    """Build (not start) the ``jupyter lab`` command for the project.

    Raises
    ------
    WorkbenchError
        No ``notebooks/`` folder or no Jupyter config file in the project, or no ``jupyter`` next
        to this interpreter.
    """
    project_root = Path(project_root).resolve()
    notebooks = project_root / START_FOLDER
    if not notebooks.is_dir():
        raise WorkbenchError(f"no notebooks folder at {notebooks}")
    config = project_root / CONFIG_FILE
    if not config.is_file():
        raise WorkbenchError(f"{config} is missing: it keeps outputs out of the tracked notebooks; restore it "
                             "with `git checkout -- jupyter_server_config.py`")
    jupyter = Path(sys.executable).parent / "jupyter"
    if not jupyter.exists():
        raise WorkbenchError(f"{jupyter} not found: install the environment with `make env` (it brings JupyterLab)")
    try:
        kernel = choose_kernel().name
    except WorkbenchError:
        kernel = FALLBACK_KERNEL
    extra = list(extra or [])
    argv = [str(jupyter), "lab", f"--config={config}", f"--ServerApp.root_dir={project_root}",
            f"--FileContentsManager.preferred_dir={START_FOLDER}",
            f"--MultiKernelManager.default_kernel_name={kernel}"]
    if port is not None:
        argv.append(f"--ServerApp.port={port}")
    if not browser:
        argv.append("--no-browser")
    if running_as_root() and "--allow-root" not in extra:
        argv.append("--allow-root")
    argv += extra
    env = dict(os.environ)
    for name in ("MPLBACKEND", OUTPUT_DIR_ENV, RUN_ID_ENV):
        env.pop(name, None)
    if env.get(MIRROR_ENV):
        env[MIRROR_ENV] = str(Path(env[MIRROR_ENV]).expanduser().resolve())
    return LabCommand(argv=argv, env=env, cwd=project_root, kernel=kernel)


# --------------------------------------------------------------------------- outputs never saved


def strip_notebook(nb: dict[str, Any]) -> None:
    """Remove outputs, execution counts and papermill's records from a notebook (in place)."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = cell.get("metadata") or {}
        for key in ("execution", "papermill"):
            metadata.pop(key, None)
    (nb.get("metadata") or {}).pop("papermill", None)


def strip_outputs_under(folder: str | Path) -> Callable[..., None]:
    """A Jupyter pre-save hook that strips notebooks saved under ``folder`` (see :func:`strip_notebook`).

    Jupyter calls it as ``hook(model=..., path=..., contents_manager=...)`` before each save;
    ``path`` is relative to the server's root folder.
    """
    folder = Path(folder).resolve()

    def strip_outputs(*, model: dict[str, Any], path: str, contents_manager: Any, **_: Any) -> None:
        if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
            return
        target = (Path(contents_manager.root_dir) / path.lstrip("/")).resolve()
        if target.is_relative_to(folder):
            strip_notebook(model["content"])

    return strip_outputs
