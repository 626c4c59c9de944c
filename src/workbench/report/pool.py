"""The worker processes of a run: started early, fed longest notebook first, dying with the run.

On Linux the workers come from a forkserver that has imported papermill, nbconvert and the
worker module once (:func:`start_worker_server`, called when planning starts, so that those
imports run while the plan is made). Each worker dies with the runner
(:func:`workbench.report.lifeline.worker_initializer`). Each kernel gets cores ÷ jobs BLAS and
OpenMP threads (:func:`kernel_threads`), so that parallel kernels do not fight over the cores.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from workbench.report.lifeline import worker_initializer
from workbench.report.worker import NotebookResult, NotebookTask, execute_task, failed_result

#: Imported once by the forkserver, while the runner plans, instead of once in every worker: papermill and
#: nbconvert for executing and rendering, the outputs (pandas) for reading what a notebook wrote, after
#: :mod:`workbench.report.preload` has left out what no worker needs. Not the catalog: it reads its
#: environment variables on import, and a worker takes the task's environment first.
PRELOAD = ["workbench.report.preload", "workbench.report.worker", "papermill", "workbench.report.html",
           "workbench.report.appendix", "workbench.report.outputs"]
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _context() -> multiprocessing.context.BaseContext:
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return multiprocessing.get_context("spawn")


def start_worker_server() -> None:
    """Start the forkserver now (it imports :data:`PRELOAD` in the background); nothing elsewhere than Linux."""
    if sys.platform.startswith("linux"):
        _context()
        from multiprocessing import forkserver

        forkserver.ensure_running()


def available_cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def kernel_threads(jobs: int, *, cores: int | None = None) -> dict[str, str]:
    """BLAS/OpenMP thread counts for each of ``jobs`` kernels running at once: cores ÷ jobs, at least 1.

    >>> kernel_threads(2, cores=8)["OPENBLAS_NUM_THREADS"]
    '4'
    """
    threads = max(1, (cores or available_cores()) // max(1, jobs))
    return {name: str(threads) for name in THREAD_VARIABLES}


def longest_first(tasks: Sequence[NotebookTask], durations: Mapping[str, float]) -> list[NotebookTask]:
    """Tasks in the order to submit: unknown durations first (in suite order), then the longest first.

    >>> names = lambda ts: [t.name for t in ts]
    >>> t = [NotebookTask(n, "", "", "", {}, "k", "r") for n in ("a", "b", "c")]
    >>> names(longest_first(t, {"a": 1.0, "b": 9.0}))
    ['c', 'b', 'a']
    """
    return sorted(tasks, key=lambda t: (t.name in durations, -durations.get(t.name, 0.0)))


def execute_tasks(
    tasks: Sequence[NotebookTask],
    *,
    jobs: int,
    console: Console,
    durations: Mapping[str, float] | None = None,
) -> list[NotebookResult]:
    """Run the tasks in up to ``jobs`` worker processes with a progress display.

    ``durations`` (seconds by notebook, from the last run) sets the order of submission: the
    longest first. A failing notebook stops nothing else. Results come back in the order of ``tasks``.
    """
    results: dict[str, NotebookResult] = {}
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    workers = max(1, min(jobs, len(tasks)))
    # two repaints a second and a wake-up a second: the runner's own process stays out of the kernels' way
    with Progress(*columns, console=console, transient=False, refresh_per_second=2) as progress:
        bar = progress.add_task("starting", total=len(tasks))
        with cf.ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=worker_initializer,
                                    initargs=(os.getpid(),)) as pool:
            futures = {pool.submit(execute_task, t): t for t in longest_first(tasks, durations or {})}
            pending = set(futures)
            while pending:
                running = sorted(futures[f].name for f in pending if f.running())
                progress.update(bar, description="running " + (", ".join(running) or "..."))
                done, pending = cf.wait(pending, timeout=1.0, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    task = futures[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - a broken worker is a failed notebook
                        result = failed_result(task.name, exc)
                    results[task.name] = result
                    mark = "[green]ok[/green]" if result.status == "ok" else "[red]FAILED[/red]"
                    progress.console.print(f"{mark} {task.name} ({result.duration_s:.1f} s)"
                                           + ("" if result.status == "ok" else f": {result.summary()}"))
                    if result.html_removed_assets:
                        progress.console.print(f"[yellow]note[/yellow] {task.name}: removed "
                                               f"{len(result.html_removed_assets)} remote asset(s) from the HTML "
                                               "(listed in the manifest)")
                    progress.advance(bar)
        progress.update(bar, description="done")
    return [results[t.name] for t in tasks]
