"""Run a suite of notebooks into a report: ``workbench run``.

1. :func:`plan_run` starts the worker processes' server (its imports of papermill and nbconvert
   run while planning goes on), loads the suite, reads every notebook's parameters cell, checks
   and types the parameters (suite file, then ``-p name=value``) and computes the run id. Nothing
   is executed yet: a bad parameter stops here, before any kernel starts.
2. :func:`execute_plan` holds the run id's lock (a second run of the same id waits, then finds
   the first one's report), finishes or cleans what a killed run left
   (:func:`workbench.report.publication.recover`), and skips the run when a complete report with
   the same fingerprint exists and every file its manifest lists is intact, unless forced.
   Otherwise it executes the notebooks on its engine (:mod:`workbench.report.engine`: this machine's
   worker processes, or a Dask cluster for `workbench briefs`) into
   ``reports/.tmp-<run-id>-<pid>/``, writes the manifest (with each file's size and sha256) and
   publishes the folder (:func:`workbench.report.publication.publish`): ``reports/<run-id>`` when
   every notebook succeeded, ``reports/failed/<run-id>`` otherwise (the last good report is not
   touched). Then it rewrites ``reports/index.html``.

Private paths (the analyst's registered files) are replaced by source ids in everything a report
keeps (:mod:`workbench.report.redact`).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from rich.console import Console

import workbench
from workbench.errors import ParameterError
from workbench.report import index as report_index
from workbench.report import pdf, preflight, publication
from workbench.report.engine import Engine, LocalEngine
from workbench.report.kernel import KernelChoice, choose_kernel
from workbench.report.locks import exclusive
from workbench.report.manifest import (
    SCHEMA_VERSION,
    damaged_files,
    environment_info,
    file_records,
    git_state,
    read_manifest,
    write_manifest,
)
from workbench.report.params import (
    ParamSpec,
    describe_specs,
    parse_cli_value,
    read_parameters,
    resolve_parameters,
    split_assignment,
)
from workbench.report.paths import OUTPUT_DIR_ENV, RUN_ID_ENV
from workbench.report.pool import start_worker_server
from workbench.report.redact import Redactions, private_redactions, redact
from workbench.report.run_id import fingerprint, make_run_id, notebook_source_digest, run_hash
from workbench.report.suite import Suite, load_suite
from workbench.report.worker import NotebookResult, NotebookTask

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


def current_data_checksums() -> dict[str, str]:
    """Catalog id to sha256 of every data set, and of the analyst's registered files (``private:<id>``).

    The analyst's files count too: a changed log must not be taken for a cached run.
    """
    from workbench.catalog import catalog_checksums
    from workbench.sources.private import private_checksums

    return {**catalog_checksums(), **{f"private:{k}": v for k, v in private_checksums().items()}}


def plan_run(
    suite_path: str | Path,
    cli_parameters: Sequence[str] | Mapping[str, str] = (),
    *,
    project_root: Path,
    data_checksums: Mapping[str, str] | None = None,
    day: date | None = None,
    start_workers: bool = True,
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
        Catalog id to sha256; by default :func:`current_data_checksums`.
    day:
        The date in the run id (today by default).
    start_workers:
        Start the worker processes' server now, so that its imports overlap planning (a run
        that is then skipped, or a plan that fails, leaves it to exit with this process).

    Raises
    ------
    ParameterError
        An unknown parameter name, a value of the wrong type, a malformed parameters cell
        or suite file. The message lists the valid names and types.
    """
    if start_workers:
        start_worker_server()
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
        data_checksums = current_data_checksums()
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


@dataclass(frozen=True)
class CachedReport:
    """A complete report with a plan's fingerprint, and what is wrong with its files (nothing: it is current)."""

    folder: Path
    manifest: dict[str, Any]
    problems: list[str]


def find_completed(reports: Path, plan: RunPlan) -> CachedReport | None:
    """The newest complete report with this plan's fingerprint whose files are intact, else the newest damaged one.

    Only reports directly under ``reports/`` count: a failed run (under ``failed/``) or an
    unfinished one (``.tmp-*``) is never taken for a result. Every file the manifest lists is
    checked (size and sha256): a report with a missing or altered file is not current.
    """
    found = []
    for folder in reports.glob(f"*_{plan.suite.name}_{plan.full_hash[:12]}"):
        manifest = None if folder.name.startswith(".") else read_manifest(folder)
        if manifest and manifest.get("status") == "complete" and manifest.get("hash") == plan.full_hash:
            found.append((str(manifest.get("started", "")), folder, manifest))
    damaged = None
    for _, folder, manifest in sorted(found, key=lambda t: t[0], reverse=True):
        problems = damaged_files(folder, manifest)
        if not problems:
            return CachedReport(folder, manifest, [])
        damaged = damaged or CachedReport(folder, manifest, problems)
    return damaged


def last_durations(reports: Path, suite_name: str) -> dict[str, float]:
    """Seconds each notebook took in the newest run of the suite (empty when there is none)."""
    for _, manifest in report_index.list_runs(reports):
        if manifest.get("suite", {}).get("name") == suite_name:
            return {n["name"]: float(n.get("duration_s") or 0.0) for n in manifest.get("notebooks", []) if "name" in n}
    return {}


# --------------------------------------------------------------------------- execution


def _relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _notebook_entry(plan: RunPlan, nb: PlannedNotebook, result: NotebookResult) -> dict[str, Any]:
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
        "tables": result.tables,
        "figures": result.figures,
        "sources_cited": result.sources_cited,
        "data_sets_read": result.data_sets_read,
        "html_removed_assets": result.html_removed_assets,
        "files": result.files,
    }


def _tasks(plan: RunPlan, tmp: Path, kernel: KernelChoice, kernel_env: dict[str, str],
           redactions: Redactions) -> list[NotebookTask]:
    environment = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}
    environment.update(kernel_env)
    environment[RUN_ID_ENV] = plan.run_id
    return [
        NotebookTask(
            name=nb.name,
            source=str(nb.path),
            output_dir=str(tmp / nb.name),
            log_path=str(tmp / LOGS_DIR / f"{nb.name}.log"),
            parameters=nb.parameters,
            kernel_name=kernel.name,
            run_id=plan.run_id,
            environment={**environment, OUTPUT_DIR_ENV: str(tmp / nb.name)},
            redactions=redactions,
        )
        for nb in plan.notebooks
    ]


def _keep_failed_logs(tmp: Path, results: Sequence[NotebookResult]) -> None:
    """Delete the kernel logs of notebooks that succeeded (and the logs folder if it is then empty)."""
    for r in results:
        if r.status == "ok":
            (tmp / LOGS_DIR / f"{r.name}.log").unlink(missing_ok=True)
    if (tmp / LOGS_DIR).is_dir() and not any((tmp / LOGS_DIR).iterdir()):
        (tmp / LOGS_DIR).rmdir()


def _machine_facts(root: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The manifest's environment and git blocks (gathered while the notebooks run)."""
    return environment_info(), git_state(root)


def _manifest(plan: RunPlan, *, status: RunStatus, started: datetime, seconds: float, jobs: int, force: bool,
              kernel: KernelChoice, kernel_env: dict[str, str], entries: list[dict[str, Any]],
              results: Sequence[NotebookResult], machine: tuple[dict[str, Any], dict[str, Any]],
              engine: dict[str, Any]) -> dict[str, Any]:
    provenance = {r["id"]: r for res in results for r in res.provenance}
    return {
        "schema": SCHEMA_VERSION,
        "run_id": plan.run_id,
        "hash": plan.full_hash,
        "status": status,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now().astimezone().isoformat(timespec="seconds"),
        "duration_s": round(seconds, 3),
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
                   "transport": "ipc", "environment": kernel_env},
        "engine": engine,
        "notebooks": entries,
        "data": {
            "checksums": plan.data_checksums,
            "cited": list(dict.fromkeys(s for e in entries for s in e["sources_cited"])),
            "read": list(dict.fromkeys(s for e in entries for s in e["data_sets_read"])),
            "mirror": os.environ.get("WORKBENCH_DATA_MIRROR"),
            "provenance": list(provenance.values()),
        },
        "environment": machine[0],
        "git": machine[1],
    }


def _execute(plan: RunPlan, reports: Path, *, jobs: int, force: bool, console: Console,
             kernel: KernelChoice, engine: Engine) -> RunOutcome:
    """Execute the plan into a staging folder and publish it (the caller holds the run id's lock)."""
    tmp = publication.staging_folder(reports, plan.run_id)
    try:
        started = datetime.now().astimezone()
        t0 = time.perf_counter()
        kernel_env = {"MPLBACKEND": "Agg", **engine.kernel_environment(jobs, len(plan.notebooks))}
        redactions = private_redactions()
        tasks = _tasks(plan, tmp, kernel, kernel_env, redactions)
        pdf.warn_if_unavailable(console)
        with ThreadPoolExecutor(max_workers=1) as background:
            machine = background.submit(_machine_facts, plan.project_root)
            results = engine.execute(tasks, jobs=jobs, console=console,
                                     durations=last_durations(reports, plan.suite.name))
            facts = machine.result()
        entries = [_notebook_entry(plan, nb, r) for nb, r in zip(plan.notebooks, results, strict=True)]
        failed = [r for r in results if r.status != "ok"]
        _keep_failed_logs(tmp, results)
        status: RunStatus = "failed" if failed else "complete"
        manifest = redact(_manifest(plan, status=status, started=started, seconds=time.perf_counter() - t0,
                                    jobs=jobs, force=force, kernel=kernel, kernel_env=kernel_env, entries=entries,
                                    results=results, machine=facts, engine=engine.describe()), redactions)
        report_index.write_run_index(tmp, manifest, home="../index.html" if status == "complete" else "../../index.html",
                                     published_at=publication.link_path(reports, plan.run_id, status))
        manifest["files"] = file_records(tmp)
        write_manifest(tmp, manifest)
        final = publication.publish(tmp, reports, plan.run_id, status)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if failed:
        message = (f"run {plan.run_id} failed: {len(failed)} of {len(results)} notebooks; executed notebooks "
                   f"with their errors are in {final}")
    else:
        message = f"run {plan.run_id} complete: {final}"
    return RunOutcome(status, plan.run_id, final, failures=[r.summary() for r in failed], manifest=manifest,
                      message=message)


def execute_plan(
    plan: RunPlan,
    *,
    reports: Path,
    jobs: int = 2,
    force: bool = False,
    console: Console | None = None,
    kernel: KernelChoice | None = None,
    engine: Engine | None = None,
    write_index: Callable[[Path], Path] | None = None,
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
    engine:
        Where the notebooks execute: this machine's worker processes by default
        (:class:`~workbench.report.engine.LocalEngine`), or a Dask cluster
        (:class:`~workbench.report.engine.DaskEngine`). Everything else is the same for both.
    write_index:
        Writes the listing of ``reports`` (:func:`workbench.report.index.write_reports_index` by default).
    """
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"--jobs: expected a whole number of at least 1, found {jobs!r}")
    console = console or Console(stderr=True)
    engine = engine or LocalEngine()
    write_index = write_index or report_index.write_reports_index
    reports = Path(reports).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    publication.recover_all(reports)

    def waiting(pid: str) -> None:
        console.print(f"another run of {plan.run_id} is going on (process {pid}): waiting for it to finish")

    with exclusive(reports, plan.run_id, on_wait=waiting):
        publication.recover(reports, plan.run_id)
        cached = find_completed(reports, plan)
        note = ""
        if cached is not None and not cached.problems and not force:
            write_index(reports)
            message = (
                f"identical to run {cached.manifest['run_id']} (completed {cached.manifest.get('finished', '?')}): "
                f"nothing to do. The current report is {cached.folder}. Use --force to run again."
            )
            return RunOutcome("skipped", cached.manifest["run_id"], cached.folder, manifest=cached.manifest,
                              message=message)
        if cached is not None and cached.problems and not force:
            shown = "; ".join(cached.problems[:3]) + (f"; and {len(cached.problems) - 3} more" if len(cached.problems) > 3 else "")
            note = f"report {cached.folder} is not current ({shown}): running it again. "
            console.print(note.strip())
        outcome = _execute(plan, reports, jobs=jobs, force=force, console=console, kernel=kernel or choose_kernel(),
                           engine=engine)
    write_index(reports)
    outcome.message = note + outcome.message
    return outcome


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
    "RunOutcome", "RunPlan", "PlannedNotebook", "CachedReport", "plan_run", "execute_plan", "run_suite",
    "find_completed", "default_jobs", "current_data_checksums",
]
