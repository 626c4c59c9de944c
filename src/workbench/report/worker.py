"""One notebook of a run: executed, rendered, its outputs listed (:func:`execute_task`).

:func:`execute_task` needs no process pool: the runner calls it in pool workers, and anything
else (a test, a brief) may call it in its own process. It

- gives the kernel the environment the task carries (the runner's environment when it planned,
  ``MPLBACKEND=Agg``, ``WORKBENCH_OUTPUT_DIR``, ``WORKBENCH_RUN_ID``, BLAS/OpenMP threads), so a
  long-lived worker never runs a kernel with a stale environment;
- executes the notebook with papermill in the notebook's folder, on a private kernel
  (:func:`workbench.report.kernel.private_kernel`: Unix sockets in a 0700 folder);
- replaces private paths by source ids (:mod:`workbench.report.redact`) in the executed notebook,
  its error and its log, then renders the offline HTML from the cleaned notebook;
- lists the tables, figures and cited sources the notebook recorded, and every file it left.

A notebook's own failure is returned, not raised, with the executed notebook kept as it was when
it failed.
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

from workbench.report.redact import Redactions, redact, redact_file, redact_text

ERROR_MARKER_TAG = "papermill-error-cell-tag"
INJECTED_TAG = "injected-parameters"
#: Report kernels never need hypothesis (a test dependency); without it pandera does not import it
#: (100 ms in every kernel that validates a table).
KERNEL_EXEC_LINES = ("import sys; sys.modules.setdefault('hypothesis', None)",)


@dataclass(frozen=True)
class NotebookTask:
    """What a worker needs to run one notebook (all paths absolute).

    ``environment`` is the kernel's whole environment; ``redactions`` the private paths to hide
    (:func:`workbench.report.redact.private_redactions`).
    """

    name: str
    source: str
    output_dir: str
    log_path: str
    parameters: dict[str, Any]
    kernel_name: str
    run_id: str
    environment: dict[str, str] = field(default_factory=dict)
    redactions: Redactions = ()
    start_timeout: int = 120
    working_dir: str = ""  # where the kernel runs; the source's folder when empty


@dataclass
class NotebookResult:
    """How one notebook went, and what it left in its folder."""

    name: str
    status: str  # "ok" or "failed"
    started: str
    duration_s: float
    error: dict[str, Any] | None = None
    html_removed_assets: list[str] = field(default_factory=list)
    tables: list[dict[str, Any]] = field(default_factory=list)
    figures: list[dict[str, Any]] = field(default_factory=list)
    sources_cited: list[str] = field(default_factory=list)
    data_sets_read: list[str] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

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


def failed_result(name: str, exc: BaseException) -> NotebookResult:
    """The result of a notebook whose worker broke (it died, or raised outside the notebook)."""
    return NotebookResult(name=name, status="failed", started=datetime.now().astimezone().isoformat(timespec="seconds"),
                          duration_s=0.0, error={"cell_index": None, "execution_count": None,
                                                 "ename": type(exc).__name__, "evalue": str(exc)})


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


def _use_environment(environment: dict[str, str]) -> None:
    """Make ``environment`` this process's (the kernel inherits it); an empty one changes nothing."""
    if environment:
        os.environ.clear()
        os.environ.update(environment)


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


def _redact_notebook(executed: Path, redactions: Redactions) -> Any:
    """The executed notebook with private paths replaced, written back; returns it."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    clean = redact(nb, redactions)
    if clean != nb:
        nbformat.write(clean, executed)
    return clean


def _write_html(task: NotebookTask, nb: Any, status: str, provenance: list[dict[str, Any]]) -> list[str]:
    from workbench.report.appendix import appendix_cell
    from workbench.report.html import notebook_to_html
    from workbench.report.pdf import write_pdf

    params = ", ".join(f"{k} = {v!r}" for k, v in task.parameters.items()) or "(none)"
    facts = {"run": task.run_id, "notebook": f"{task.name}.ipynb", "status": status,
             "parameters": redact_text(params, task.redactions)}
    page, removed = notebook_to_html(nb, title=f"{task.name} — report run {task.run_id}", facts=facts,
                                     appendix=appendix_cell(provenance))
    (Path(task.output_dir) / f"{task.name}.html").write_text(page, encoding="utf-8")
    write_pdf(Path(task.output_dir) / f"{task.name}.html")  # beside the page; no Chromium: HTML only
    return removed


def _outputs(out_dir: Path) -> dict[str, Any]:
    """Tables, figures and sources the notebook recorded (the record file is then removed)."""
    from workbench.report.outputs import RECORD_FILE, read_records

    records = read_records(out_dir)
    (out_dir / RECORD_FILE).unlink(missing_ok=True)
    return {
        "tables": [{k: r.get(k) for k in ("name", "files", "caption", "sources", "rows")}
                   for r in records if r.get("kind") == "table"],
        "figures": [{k: r.get(k) for k in ("name", "files", "sources")} for r in records if r.get("kind") == "figure"],
        "sources_cited": list(dict.fromkeys(s for r in records for s in r.get("sources", []))),
        "data_sets_read": list(dict.fromkeys(s for r in records for s in r.get("data_sets_read", []))),
    }


def _error_of(exc: BaseException, executed: Path) -> dict[str, Any]:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return {"cell_index": _source_cell_index(executed, exc.cell_index), "execution_count": exc.exec_count,
                "ename": exc.ename, "evalue": exc.evalue}
    return {"cell_index": None, "execution_count": None, "ename": type(exc).__name__,
            "evalue": str(exc) or traceback.format_exc(limit=1)}


def execute_task(task: NotebookTask) -> NotebookResult:
    """Execute one notebook into ``task.output_dir`` and render its HTML; never raises for the notebook's failure."""
    import papermill

    from workbench.report.appendix import provenance_records
    from workbench.report.kernel import private_kernel

    out_dir = Path(task.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{task.name}.ipynb"
    log = Path(task.log_path)
    _use_environment(task.environment)
    started = datetime.now().astimezone().isoformat(timespec="seconds")
    t0 = time.perf_counter()
    error: dict[str, Any] | None = None
    with _redirect_std_fds(log), private_kernel() as (manager_class, _):
        try:
            papermill.execute_notebook(
                task.source,
                str(executed),
                parameters=task.parameters,
                kernel_name=task.kernel_name,
                language="python",
                progress_bar=False,
                start_timeout=task.start_timeout,
                resources={"metadata": {"path": task.working_dir or str(Path(task.source).parent)}},
                kernel_manager_class=manager_class,
                extra_arguments=[f"--IPKernelApp.exec_lines={line}" for line in KERNEL_EXEC_LINES],
            )
        except Exception as exc:  # noqa: BLE001 - a cell's error, kernel death, timeouts, bad files: all reported
            error = _error_of(exc, executed)
    error = redact(error, task.redactions)
    redact_file(log, task.redactions)
    outputs = _outputs(out_dir)
    used = [*outputs["sources_cited"], *outputs["data_sets_read"]]
    provenance = provenance_records(used) if used else []
    removed: list[str] = []
    if executed.is_file():
        try:
            nb = _redact_notebook(executed, task.redactions)
            removed = _write_html(task, nb, "failed" if error else "ok", provenance)
        except Exception as exc:  # noqa: BLE001
            if error is None:
                error = {"cell_index": None, "execution_count": None, "ename": f"HTML export: {type(exc).__name__}",
                         "evalue": redact_text(str(exc), task.redactions)}
    return NotebookResult(
        name=task.name,
        status="failed" if error else "ok",
        started=started,
        duration_s=round(time.perf_counter() - t0, 3),
        error=error,
        html_removed_assets=removed,
        provenance=provenance,
        files=sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file()),
        **outputs,
    )
