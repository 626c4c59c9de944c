"""Where a run's notebooks execute: this machine's worker processes, or a Dask cluster.

Both engines execute a notebook with the same function, :func:`workbench.report.worker.execute_task`;
everything around it (the plan, the run id's lock, the cache, the manifest, the atomic publication)
is the runner's (:func:`workbench.report.runner.execute_plan`), whichever engine it is given.

- :class:`LocalEngine` (``workbench run``): a pool of worker processes on this machine
  (:func:`workbench.report.pool.execute_tasks`).
- :class:`DaskEngine` (``workbench briefs``): each notebook is one task on a ``dask.distributed``
  cluster. The task (:func:`run_on_worker`) runs the kernel directly in the worker process, with no
  process pool inside the worker (a Dask worker is a daemonic process and may not start
  multiprocessing children; a kernel is an ordinary subprocess, which it may). The notebook's source
  travels with the task and everything the notebook left comes back to the client as bytes, which
  writes it into the run's staging folder: workers need no file system shared with the client, only
  the project's environment and data (``docs/briefs.md``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console

from workbench.report.paths import OUTPUT_DIR_ENV
from workbench.report.pool import THREAD_VARIABLES, available_cores, execute_tasks, kernel_threads
from workbench.report.worker import NotebookResult, NotebookTask, execute_task, failed_result

#: Variables of the client's environment that a task carries to a worker: the workbench's own settings,
#: the plotting backend and the BLAS/OpenMP threads. Anything else (PATH, HOME, ...) is the worker's.
PORTABLE_PREFIXES = ("WORKBENCH_",)
PORTABLE_NAMES = ("MPLBACKEND", *THREAD_VARIABLES)


class Engine(Protocol):
    """Executes a run's notebook tasks and returns one result per task, in the order of the tasks."""

    name: str

    def kernel_environment(self, jobs: int, n_tasks: int) -> dict[str, str]:
        """The BLAS/OpenMP thread variables each kernel gets."""

    def execute(self, tasks: Sequence[NotebookTask], *, jobs: int, console: Console,
                durations: Mapping[str, float]) -> list[NotebookResult]:
        """Execute the tasks; a failing notebook stops no other."""

    def describe(self) -> dict[str, Any]:
        """What the manifest records of the engine."""


class LocalEngine:
    """Worker processes on this machine (a forkserver pool), ``jobs`` notebooks at once."""

    name = "local"

    def __init__(self) -> None:
        self._jobs = 1

    def kernel_environment(self, jobs: int, n_tasks: int) -> dict[str, str]:
        return kernel_threads(min(jobs, n_tasks))

    def execute(self, tasks: Sequence[NotebookTask], *, jobs: int, console: Console,
                durations: Mapping[str, float]) -> list[NotebookResult]:
        self._jobs = jobs
        return execute_tasks(tasks, jobs=jobs, console=console, durations=durations)

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": "worker processes on this machine", "workers": self._jobs}


# --------------------------------------------------------------------------- Dask


@dataclass(frozen=True)
class WorkerOutput:
    """What a worker sends back: the result, every file of the notebook's folder, and its kernel log."""

    result: NotebookResult
    files: dict[str, bytes]
    log: bytes
    worker: str


def _portable(environment: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if k.startswith(PORTABLE_PREFIXES) or k in PORTABLE_NAMES}


@contextlib.contextmanager
def _kept_environment() -> Iterator[None]:
    """Restore this process's environment afterwards (a task replaces it for its kernel)."""
    saved = dict(os.environ)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _worker_address() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return "this process"


def _code_mismatch(expected: Mapping[str, str]) -> str | None:
    """Why this worker cannot run the task (other workbench code than the client's), or None."""
    from workbench.report.paths import project_root
    from workbench.report.run_id import tree_digest

    import workbench

    want = expected.get("package_source")
    if want and tree_digest(Path(workbench.__file__).resolve().parent) != want:
        return (f"the worker at {_worker_address()} runs other workbench code than the client "
                f"(package in {project_root()}): install the same commit on every worker")
    return None


def _host(address: str) -> str:
    """The host of a Dask address (``tcp://10.0.0.5:40123`` → ``10.0.0.5``)."""
    return address.split("://", 1)[-1].rsplit(":", 1)[0]


def run_on_worker(task: NotebookTask, notebook: bytes, expected: Mapping[str, str],
                  tasks_per_host: Mapping[str, int] | None = None) -> WorkerOutput:
    """Execute one notebook in this (Dask worker) process and return everything it produced as bytes.

    ``notebook`` is the source the client planned with (so the run id holds for what runs here);
    it executes in the worker's own project checkout (``notebooks/``), into a private temporary
    folder that is removed afterwards. ``expected`` holds the client's package digest: a worker with
    other workbench code refuses the task rather than produce a report under the client's run id.
    ``tasks_per_host`` (the cluster's worker threads by host) sets the kernel's BLAS/OpenMP threads:
    this machine's cores ÷ the tasks its host runs at once.
    """
    from workbench.report.paths import project_root

    address = _worker_address()
    mismatch = _code_mismatch(expected)
    if mismatch:
        return WorkerOutput(failed_result(task.name, RuntimeError(mismatch)), {}, b"", address)
    scratch = Path(tempfile.mkdtemp(prefix="wb-task-"))
    try:
        source = scratch / "source" / f"{task.name}.ipynb"
        source.parent.mkdir()
        source.write_bytes(notebook)
        out = scratch / "out" / task.name
        log = scratch / "task.log"
        threads = kernel_threads((tasks_per_host or {}).get(_host(address), 1))
        environment = {**os.environ, **_portable(task.environment), **threads, OUTPUT_DIR_ENV: str(out)}
        local = replace(task, source=str(source), output_dir=str(out), log_path=str(log), environment=environment,
                        working_dir=str(project_root() / "notebooks"))
        with _kept_environment():
            result = execute_task(local)
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        return WorkerOutput(result, files, log.read_bytes() if log.is_file() else b"", address)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _unpack(output: WorkerOutput, task: NotebookTask) -> None:
    """Write what a worker sent into the task's folder and log (on the client)."""
    out = Path(task.output_dir)
    for relative, data in output.files.items():
        target = (out / relative).resolve()
        if not target.is_relative_to(out.resolve()):
            raise ValueError(f"a worker sent a file outside the notebook's folder: {relative}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if output.log:
        log = Path(task.log_path)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_bytes(output.log)


class DaskEngine:
    """Each notebook one task on a ``dask.distributed`` cluster (the client decides nothing else)."""

    name = "dask"

    def __init__(self, client: Any, *, expected: Mapping[str, str] | None = None) -> None:
        self.client = client
        self.expected = dict(expected or {})
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def workers(self) -> dict[str, dict[str, Any]]:
        return dict(self.client.scheduler_info(n_workers=-1).get("workers", {}))

    def slots(self) -> int:
        """Tasks the cluster runs at once (the sum of its workers' threads), at least 1."""
        return max(1, sum(int(w.get("nthreads", 1)) for w in self.workers().values()))

    def tasks_per_host(self) -> dict[str, int]:
        """Worker threads of the cluster by host."""
        per_host: dict[str, int] = {}
        for address, info in self.workers().items():
            host = _host(address)
            per_host[host] = per_host.get(host, 0) + int(info.get("nthreads", 1))
        return per_host

    def kernel_environment(self, jobs: int, n_tasks: int) -> dict[str, str]:
        """The threads a kernel gets on this machine (each worker sets its own: its cores ÷ its host's tasks)."""
        return kernel_threads(max(self.tasks_per_host().values(), default=1), cores=available_cores())

    def execute(self, tasks: Sequence[NotebookTask], *, jobs: int, console: Console,
                durations: Mapping[str, float]) -> list[NotebookResult]:
        per_host = self.tasks_per_host()
        futures = [self.client.submit(run_on_worker, task, Path(task.source).read_bytes(), self.expected, per_host,
                                      key=f"notebook-{task.run_id}-{task.name}-{os.getpid()}-{id(task)}", pure=False)
                   for task in tasks]
        results = []
        for task, future in zip(tasks, futures, strict=True):
            try:
                output: WorkerOutput = future.result()
                _unpack(output, task)
                with self._lock:
                    self._used.add(output.worker)
                result = output.result
            except Exception as exc:  # noqa: BLE001 - a lost worker or a broken task is a failed notebook
                result = failed_result(task.name, exc)
            results.append(result)
        return results

    def describe(self) -> dict[str, Any]:
        import dask
        import distributed

        with self._lock:
            used = sorted(self._used)
        return {"name": self.name, "kind": "dask.distributed", "scheduler": str(self.client.scheduler.address),
                "workers": len(self.workers()), "workers_used": used,
                "dask": dask.__version__, "distributed": distributed.__version__}
