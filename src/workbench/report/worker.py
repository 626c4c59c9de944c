"""One notebook of a run, executed in a worker process.

The runner sends a :class:`NotebookTask` to a process pool; :func:`execute_task` sets the
kernel's environment (``MPLBACKEND=Agg``, ``WORKBENCH_OUTPUT_DIR``, ``WORKBENCH_RUN_ID``) in
the worker's own environment (the kernel inherits it; the runner's process is untouched),
executes the notebook with ``papermill.execute_notebook`` in the notebook's folder (the
kernel's working directory; the worker's is not changed), and renders the offline HTML. A
failure is caught and returned, with the executed notebook kept as it was when it failed.
"""

from __future__ import annotations

import contextlib
import os
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.report.paths import OUTPUT_DIR_ENV, RUN_ID_ENV

ERROR_MARKER_TAG = "papermill-error-cell-tag"
INJECTED_TAG = "injected-parameters"


@dataclass(frozen=True)
class NotebookTask:
    """What a worker needs to run one notebook (all paths absolute)."""

    name: str
    source: str
    output_dir: str
    log_path: str
    parameters: dict[str, Any]
    kernel_name: str
    run_id: str
    start_timeout: int = 120


@dataclass
class NotebookResult:
    """How one notebook went."""

    name: str
    status: str  # "ok" or "failed"
    started: str
    duration_s: float
    error: dict[str, Any] | None = None
    html_removed_assets: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: notebook, cell index, exception type and message."""
        if self.error is None:
            return f"{self.name}.ipynb: ok"
        err = self.error
        where = ""
        if err.get("cell_index") is not None:
            where = f", cell {err['cell_index']}"
            if err.get("execution_count") is not None:
                where += f" (In [{err['execution_count']}])"
        message = " ".join(str(err.get("evalue") or "").split())
        if len(message) > 200:
            message = message[:197] + "..."
        text = f"{self.name}.ipynb{where}: {err.get('ename')}"
        return f"{text}: {message}" if message else text


@contextlib.contextmanager
def _redirect_std_fds(log_path: Path) -> Iterator[None]:
    """Send this process's (and so the kernel's) stdout/stderr to a log file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        saved = [os.dup(1), os.dup(2)]
        try:
            os.dup2(log.fileno(), 1)
            os.dup2(log.fileno(), 2)
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def _source_cell_index(executed_path: Path, cell_index: int) -> int:
    """Map papermill's cell index (in the parameterised notebook) to the source notebook's."""
    import nbformat

    try:
        nb = nbformat.read(executed_path, as_version=4)
    except (OSError, ValueError):
        return cell_index
    cells = [c for c in nb.cells if ERROR_MARKER_TAG not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:cell_index] if INJECTED_TAG in c.get("metadata", {}).get("tags", []))
    return cell_index - injected


def _write_html(task: NotebookTask, executed: Path, status: str) -> list[str]:
    import nbformat

    from workbench.report.appendix import appendix_cell, provenance_records
    from workbench.report.html import notebook_to_html
    from workbench.report.outputs import read_records
    from workbench.report.pdf import write_pdf

    nb = nbformat.read(executed, as_version=4)
    params = ", ".join(f"{k} = {v!r}" for k, v in task.parameters.items()) or "(none)"
    facts = {"run": task.run_id, "notebook": f"{task.name}.ipynb", "parameters": params, "status": status}
    records = read_records(Path(task.output_dir))
    used = [s for r in records for s in (*r.get("sources", []), *r.get("data_sets_read", []))]
    page, removed = notebook_to_html(nb, title=f"{task.name} — report run {task.run_id}", facts=facts,
                                     appendix=appendix_cell(provenance_records(used)))
    (Path(task.output_dir) / f"{task.name}.html").write_text(page, encoding="utf-8")
    write_pdf(Path(task.output_dir) / f"{task.name}.html")  # beside the page; no Chromium: HTML only
    return removed


def execute_task(task: NotebookTask) -> NotebookResult:
    """Execute one notebook and render its HTML; never raises for a notebook's own failure."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    out_dir = Path(task.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{task.name}.ipynb"
    os.environ["MPLBACKEND"] = "Agg"
    os.environ[OUTPUT_DIR_ENV] = str(out_dir)
    os.environ[RUN_ID_ENV] = task.run_id
    os.environ.pop("JPY_SESSION_NAME", None)
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    error: dict[str, Any] | None = None
    with _redirect_std_fds(Path(task.log_path)):
        try:
            papermill.execute_notebook(
                task.source,
                str(executed),
                parameters=task.parameters,
                kernel_name=task.kernel_name,
                language="python",
                progress_bar=False,
                start_timeout=task.start_timeout,
                resources={"metadata": {"path": str(Path(task.source).parent)}},
            )
        except PapermillExecutionError as exc:
            error = {
                "cell_index": _source_cell_index(executed, exc.cell_index),
                "execution_count": exc.exec_count,
                "ename": exc.ename,
                "evalue": exc.evalue,
            }
        except Exception as exc:  # noqa: BLE001 - kernel death, timeouts, bad notebook files: all reported
            error = {"cell_index": None, "execution_count": None, "ename": type(exc).__name__,
                     "evalue": str(exc) or traceback.format_exc(limit=1)}
        removed: list[str] = []
        if executed.is_file():
            try:
                removed = _write_html(task, executed, "failed" if error else "ok")
            except Exception as exc:  # noqa: BLE001
                if error is None:
                    error = {"cell_index": None, "execution_count": None, "ename": f"HTML export: {type(exc).__name__}",
                             "evalue": str(exc)}
    return NotebookResult(
        name=task.name,
        status="failed" if error else "ok",
        started=started,
        duration_s=round(time.perf_counter() - t0, 3),
        error=error,
        html_removed_assets=removed,
    )
