"""Run a suite of notebooks into a report: ``workbench run``.

1. :func:`plan_run` loads the suite, reads every notebook's parameters cell, checks and types
   the parameters (suite file, then ``-p name=value``) and computes the run id. Nothing is
   executed yet: a bad parameter stops here, before any kernel starts.
2. :func:`execute_plan` skips the run when an identical one completed before (same
   fingerprint) unless forced; otherwise it executes the notebooks in a process pool with a
   progress display, into ``reports/.tmp-<run-id>-<pid>/``, writes the manifest and moves the
   folder into place with a rename: ``reports/<run-id>/`` when every notebook succeeded,
   ``reports/failed/<run-id>/`` otherwise (the last good report is not touched). Then it
   rewrites ``reports/index.html``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

import workbench
from workbench.errors import ParameterError
from workbench.report import index as report_index
from workbench.report import pdf, preflight
from workbench.report.appendix import provenance_records
from workbench.report.kernel import KernelChoice, choose_kernel
from workbench.report.manifest import SCHEMA_VERSION, environment_info, git_state, read_manifest, write_manifest
from workbench.report.outputs import RECORD_FILE, read_records
from workbench.report.params import (
    ParamSpec,
    describe_specs,
    parse_cli_value,
    read_parameters,
    resolve_parameters,
    split_assignment,
)
from workbench.report.run_id import fingerprint, make_run_id, notebook_source_digest, run_hash
from workbench.report.suite import Suite, load_suite
from workbench.report.worker import NotebookResult, NotebookTask, execute_task

RunStatus = Literal["complete", "failed", "skipped"]
LOGS_DIR = "logs"


@dataclass(frozen=True)
class PlannedNotebook:
    """A notebook of a plan with its final, typed parameters."""

    name: str
    path: Path
    parameters: dict[str, Any]


@dataclass(frozen=True)
class RunPlan:
    """A checked run, ready to execute."""

    suite: Suite
    notebooks: tuple[PlannedNotebook, ...]
    cli_parameters: dict[str, str]
    data_checksums: dict[str, str]
    components: dict[str, str]
    full_hash: str
    run_id: str
    project_root: Path


@dataclass
class RunOutcome:
    """What a run did: its status, folder, and a one-line summary per failed notebook."""

    status: RunStatus
    run_id: str
    folder: Path
    failures: list[str] = field(default_factory=list)
    manifest: dict[str, Any] | None = None
    message: str = ""


# --------------------------------------------------------------------------- planning


def _parse_cli(cli_parameters: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(cli_parameters, Mapping):
        return {str(k): str(v) for k, v in cli_parameters.items()}
    out: dict[str, str] = {}
    for text in cli_parameters:
        name, value = split_assignment(text)
        if name in out:
            raise ParameterError(f"-p {name}=... is given twice ({out[name]!r} and {value!r})")
        out[name] = value
    return out


def _declared(specs: Mapping[str, Mapping[str, ParamSpec]]) -> str:
    """Each declared parameter with its type and the notebooks that declare it."""
    by_name: dict[str, list[str]] = {}
    described: dict[str, str] = {}
    for notebook, nb_specs in specs.items():
        for name, spec in nb_specs.items():
            by_name.setdefault(name, []).append(notebook)
            described.setdefault(name, spec.describe())
    if not by_name:
        return "(none: no notebook of the suite declares a parameter)"
    return "; ".join(f"{described[n]} [{', '.join(nbs)}]" for n, nbs in sorted(by_name.items()))


def plan_run(
    suite_path: str | Path,
    cli_parameters: Sequence[str] | Mapping[str, str] = (),
    *,
    project_root: Path,
    data_checksums: Mapping[str, str] | None = None,
    day: date | None = None,
) -> RunPlan:
    """Check a suite and its parameters and compute the run id; executes nothing.

    Parameters
    ----------
    suite_path:
        The suite file.
    cli_parameters:
        ``name=value`` strings (or a mapping): each applies to every notebook that declares
        the name and is parsed by that notebook's declared type.
    project_root:
        The project checkout (its ``data/`` is part of the fingerprint).
    data_checksums:
        Catalog id to sha256; by default :func:`workbench.catalog.catalog_checksums` and the
        analyst's registered sources (:func:`workbench.sources.private.private_checksums`).
    day:
        The date in the run id (today by default).

    Raises
    ------
    ParameterError
        An unknown parameter name, a value of the wrong type, a malformed parameters cell
        or suite file. The message lists the valid names and types.
    """
    suite = load_suite(suite_path)
    specs = {nb.stem: read_parameters(nb.path) for nb in suite.notebooks}
    cli = _parse_cli(cli_parameters)
    for origin, names in (("-p", cli), (f"suite file {suite.path}: parameters", suite.parameters)):
        unknown = [n for n in names if not any(n in s for s in specs.values())]
        if unknown:
            raise ParameterError(
                f"{origin}: unknown parameter '{unknown[0]}': no notebook of suite '{suite.name}' declares it. "
                f"Valid parameters: {_declared(specs)}"
            )
    planned = []
    for nb in suite.notebooks:
        nb_specs = specs[nb.stem]
        suite_level = {k: v for k, v in suite.parameters.items() if k in nb_specs}
        parsed_cli = {k: parse_cli_value(nb_specs[k], v) for k, v in cli.items() if k in nb_specs}
        try:
            values = resolve_parameters(nb_specs, [suite_level, nb.parameters], where=f"suite file {suite.path}, notebook {nb.stem}")
        except ParameterError as exc:
            raise ParameterError(f"{exc} (notebook {nb.stem} declares: {describe_specs(nb_specs.values())})") from None
        values.update(parsed_cli)
        planned.append(PlannedNotebook(name=nb.stem, path=nb.path, parameters=values))
    preflight.check(planned, specs, suite=suite, cli=cli)
    if data_checksums is None:
        from workbench.catalog import catalog_checksums
        from workbench.sources.private import private_checksums

        # the analyst's registered files count too: a changed log must not be taken for a cached run
        data_checksums = {**catalog_checksums(), **{f"private:{k}": v for k, v in private_checksums().items()}}
    components = fingerprint(
        notebooks={p.name: p.path for p in planned},
        suite_sha256=suite.sha256,
        parameters={p.name: p.parameters for p in planned},
        data_checksums=data_checksums,
        package_dir=Path(workbench.__file__).resolve().parent,
        data_dir=project_root / "data",
    )
    full_hash = run_hash(components)
    return RunPlan(
        suite=suite,
        notebooks=tuple(planned),
        cli_parameters=cli,
        data_checksums=dict(data_checksums),
        components=components,
        full_hash=full_hash,
        run_id=make_run_id(suite.name, full_hash, day=day),
        project_root=project_root,
    )


# --------------------------------------------------------------------------- cache


def find_completed(reports: Path, plan: RunPlan) -> tuple[Path, dict[str, Any]] | None:
    """The newest complete report with this plan's fingerprint, if there is one.

    Only folders directly under ``reports/`` count: a failed run (under ``failed/``) or an
    unfinished one (``.tmp-*``) is never taken for a result.
    """
    found = []
    for folder in reports.glob(f"*_{plan.suite.name}_{plan.full_hash[:12]}"):
        manifest = read_manifest(folder)
        if manifest and manifest.get("status") == "complete" and manifest.get("hash") == plan.full_hash:
            found.append((manifest.get("started", ""), folder, manifest))
    if not found:
        return None
    _, folder, manifest = max(found, key=lambda t: t[0])
    return folder, manifest


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def remove_stale_temporaries(reports: Path) -> list[Path]:
    """Delete ``.tmp-*``/``.old-*`` folders left by runs whose process is gone."""
    removed = []
    for folder in list(reports.glob(".tmp-*")) + list(reports.glob(".old-*")) + list(reports.glob("failed/.old-*")):
        pid_text = folder.name.rsplit("-", 1)[-1]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _move_into_place(tmp: Path, final: Path) -> None:
    """Rename ``tmp`` to ``final``; an older folder of that name is swapped out, then deleted."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if final.exists():
        old = final.with_name(f".old-{final.name}-{os.getpid()}")
        os.replace(final, old)
    os.replace(tmp, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------------- execution


def _pool_context() -> multiprocessing.context.BaseContext:
    if sys.platform.startswith("linux"):
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["workbench.report.worker", "papermill", "workbench.report.html"])
        return ctx
    return multiprocessing.get_context("spawn")


def execute_tasks(
    tasks: Sequence[NotebookTask],
    *,
    jobs: int,
    console: Console,
) -> list[NotebookResult]:
    """Run the tasks in up to ``jobs`` worker processes with a progress display.

    A failing notebook stops nothing else. Results come back in the order of ``tasks``.
    """
    results: dict[str, NotebookResult] = {}
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("starting", total=len(tasks))
        with cf.ProcessPoolExecutor(max_workers=max(1, min(jobs, len(tasks))), mp_context=_pool_context()) as pool:
            futures = {pool.submit(execute_task, t): t for t in tasks}
            pending = set(futures)
            while pending:
                running = sorted(futures[f].name for f in pending if f.running())
                progress.update(bar, description="running " + (", ".join(running) or "..."))
                done, pending = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    task = futures[future]
                    try:
                        result = future.result()
                    except Exception as exc:  # noqa: BLE001 - a broken worker is a failed notebook
                        result = NotebookResult(
                            name=task.name, status="failed", started=datetime.now().astimezone().isoformat(timespec="seconds"),
                            duration_s=0.0, error={"cell_index": None, "execution_count": None,
                                                   "ename": type(exc).__name__, "evalue": str(exc)},
                        )
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


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _notebook_entry(plan: RunPlan, nb: PlannedNotebook, result: NotebookResult, folder: Path) -> dict[str, Any]:
    records = read_records(folder)
    tables = [r for r in records if r.get("kind") == "table"]
    figures = [r for r in records if r.get("kind") == "figure"]
    cited = list(dict.fromkeys(s for r in records for s in r.get("sources", [])))
    read = list(dict.fromkeys(s for r in records for s in r.get("data_sets_read", [])))
    (folder / RECORD_FILE).unlink(missing_ok=True)
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return {
        "name": nb.name,
        "source": _relative(nb.path, plan.project_root),
        "source_sha256": notebook_source_digest(nb.path),
        "parameters": nb.parameters,
        "status": result.status,
        "started": result.started,
        "duration_s": result.duration_s,
        "error": result.error,
        "summary": result.summary(),
        "tables": [{k: r.get(k) for k in ("name", "files", "caption", "sources", "rows")} for r in tables],
        "figures": [{k: r.get(k) for k in ("name", "files", "sources")} for r in figures],
        "sources_cited": cited,
        "data_sets_read": read,
        "html_removed_assets": result.html_removed_assets,
        "files": files,
    }


def execute_plan(
    plan: RunPlan,
    *,
    reports: Path,
    jobs: int = 2,
    force: bool = False,
    console: Console | None = None,
    kernel: KernelChoice | None = None,
) -> RunOutcome:
    """Execute a planned run into ``reports/`` (or find that it was done already).

    Parameters
    ----------
    plan:
        From :func:`plan_run`.
    reports:
        The reports folder (``<project>/reports``).
    jobs:
        Notebooks executed at the same time (each in its own process and kernel).
    force:
        Run even when an identical run completed before.
    console:
        Where progress and messages go (stderr by default).
    kernel:
        The kernel to use; :func:`~workbench.report.kernel.choose_kernel` by default.
    """
    if not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs: expected a whole number of at least 1, found {jobs!r}")
    console = console or Console(stderr=True)
    reports = Path(reports).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(reports)
    cached = find_completed(reports, plan)
    if cached is not None and not force:
        folder, manifest = cached
        report_index.write_reports_index(reports)
        message = (
            f"identical to run {manifest['run_id']} (completed {manifest.get('finished', '?')}): nothing to do. "
            f"The current report is {folder}. Use --force to run again."
        )
        return RunOutcome("skipped", manifest["run_id"], folder, manifest=manifest, message=message)

    kernel = kernel or choose_kernel()
    tmp = reports / f".tmp-{plan.run_id}-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        started = datetime.now().astimezone()
        t0 = time.perf_counter()
        tasks = [
            NotebookTask(
                name=nb.name,
                source=str(nb.path),
                output_dir=str(tmp / nb.name),
                log_path=str(tmp / LOGS_DIR / f"{nb.name}.log"),
                parameters=nb.parameters,
                kernel_name=kernel.name,
                run_id=plan.run_id,
            )
            for nb in plan.notebooks
        ]
        pdf.warn_if_unavailable(console)
        results = execute_tasks(tasks, jobs=jobs, console=console)
        entries = [_notebook_entry(plan, nb, r, tmp / nb.name) for nb, r in zip(plan.notebooks, results, strict=True)]
        failed = [r for r in results if r.status != "ok"]
        for r in results:  # keep the kernel logs of failed notebooks only
            if r.status == "ok":
                (tmp / LOGS_DIR / f"{r.name}.log").unlink(missing_ok=True)
        if (tmp / LOGS_DIR).is_dir() and not any((tmp / LOGS_DIR).iterdir()):
            (tmp / LOGS_DIR).rmdir()
        status: RunStatus = "failed" if failed else "complete"
        manifest = {
            "schema": SCHEMA_VERSION,
            "run_id": plan.run_id,
            "hash": plan.full_hash,
            "status": status,
            "started": started.isoformat(timespec="seconds"),
            "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
            "duration_s": round(time.perf_counter() - t0, 3),
            "suite": {
                "name": plan.suite.name,
                "path": _relative(plan.suite.path, plan.project_root),
                "sha256": plan.suite.sha256,
                "description": plan.suite.description,
            },
            "inputs": {
                "cli_parameters": plan.cli_parameters,
                "suite_parameters": plan.suite.parameters,
                "jobs": jobs,
                "force": force,
                "fingerprint": plan.components,
            },
            "kernel": {"name": kernel.name, "executable": kernel.executable, "spec_dir": kernel.spec_dir,
                       "environment": {"MPLBACKEND": "Agg"}},
            "notebooks": entries,
            "data": {
                "checksums": plan.data_checksums,
                "cited": list(dict.fromkeys(s for e in entries for s in e["sources_cited"])),
                "read": list(dict.fromkeys(s for e in entries for s in e["data_sets_read"])),
                "mirror": os.environ.get("WORKBENCH_DATA_MIRROR"),
                "provenance": provenance_records(
                    s for e in entries for s in (*e["sources_cited"], *e["data_sets_read"])),
            },
            "environment": environment_info(),
            "git": git_state(plan.project_root),
        }
        write_manifest(tmp, manifest)
        final = reports / plan.run_id if status == "complete" else reports / report_index.FAILED_DIR / plan.run_id
        home = "../index.html" if status == "complete" else "../../index.html"
        report_index.write_run_index(tmp, manifest, home=home)
        _move_into_place(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    report_index.write_reports_index(reports)
    failures = [r.summary() for r in failed]
    if failed:
        message = (f"run {plan.run_id} failed: {len(failed)} of {len(results)} notebooks; executed notebooks "
                   f"with their errors are in {final}")
    else:
        message = f"run {plan.run_id} complete: {final}"
    return RunOutcome(status, plan.run_id, final, failures=failures, manifest=manifest, message=message)


def run_suite(
    suite_path: str | Path,
    cli_parameters: Sequence[str] | Mapping[str, str] = (),
    *,
    project_root: Path,
    reports: Path | None = None,
    jobs: int = 2,
    force: bool = False,
    console: Console | None = None,
    data_checksums: Mapping[str, str] | None = None,
) -> RunOutcome:
    """Plan and execute a run (see :func:`plan_run` and :func:`execute_plan`)."""
    plan = plan_run(suite_path, cli_parameters, project_root=project_root, data_checksums=data_checksums)
    return execute_plan(plan, reports=reports or project_root / "reports", jobs=jobs, force=force, console=console)


def default_jobs() -> int:
    """Notebooks run at once by default: the number of CPUs, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


__all__ = [
    "RunOutcome", "RunPlan", "PlannedNotebook", "plan_run", "execute_plan", "run_suite", "find_completed",
    "execute_tasks", "default_jobs",
]
