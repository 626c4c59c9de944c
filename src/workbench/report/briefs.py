"""Briefs per province or district, on a Dask cluster: ``workbench briefs``.

A brief is a report of one notebook (``notebooks/60_unit_brief.ipynb``) for one unit and one set of
parameters. :func:`plan_briefs` plans every brief (unit × parameter set) with the runner's own
:func:`~workbench.report.runner.plan_run`, so a bad parameter or an unknown unit stops everything
before a kernel starts. :func:`run_briefs` then executes each plan with the runner's own
:func:`~workbench.report.runner.execute_plan` on a :class:`~workbench.report.engine.DaskEngine`:
the same lock per run id, cache (an identical brief is skipped), manifest and atomic publication as
``workbench run``, into ``reports/briefs/`` (failed briefs under ``reports/briefs/failed/``). The
index ``reports/briefs/index.html`` lists every brief with its status.
"""

from __future__ import annotations

import html
import io
import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from distributed.diagnostics.plugin import WorkerPlugin
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workbench.errors import ParameterError, WorkbenchError
from workbench.report import index as report_index
from workbench.report import pdf
from workbench.report.engine import DaskEngine
from workbench.report.locks import INDEX_LOCK, exclusive
from workbench.report.params import split_assignment
from workbench.report.runner import RunOutcome, RunPlan, current_data_checksums, execute_plan, plan_run

BRIEF_NOTEBOOK = "60_unit_brief"
BRIEFS_DIR = "briefs"
LEVELS = ("province", "district")
UNIT_PARAMETER = "unit_id"
#: Seconds to wait for the workers of an existing cluster.
WAIT_FOR_WORKERS_S = 60


@dataclass(frozen=True)
class Unit:
    """A unit a brief is written for."""

    unit_id: str
    unit_name: str
    level: str


@dataclass(frozen=True)
class PlannedBrief:
    """One brief: its unit, its point of the parameter grid, and its checked plan."""

    unit: Unit
    parameters: dict[str, str]
    plan: RunPlan


@dataclass
class BriefOutcome:
    """How one brief went."""

    brief: PlannedBrief
    outcome: RunOutcome


# --------------------------------------------------------------------------- planning


def parameter_grid(assignments: Sequence[str]) -> list[dict[str, str]]:
    """Every combination of the ``name=value`` assignments; a name given more than once is a dimension.

    >>> parameter_grid(["ged_release=22.1", "ged_release=26.1", "start_year=2010"])
    [{'ged_release': '22.1', 'start_year': '2010'}, {'ged_release': '26.1', 'start_year': '2010'}]
    >>> parameter_grid([])
    [{}]
    """
    values: dict[str, list[str]] = {}
    for text in assignments:
        name, value = split_assignment(text)
        if name == UNIT_PARAMETER:
            raise ParameterError(f"-p {UNIT_PARAMETER}=...: name the units with --units, not as a parameter")
        if value in values.setdefault(name, []):
            raise ParameterError(f"-p {name}={value} is given twice")
        values[name].append(value)
    names = list(values)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(values[n] for n in names))]


def units_of(level: str) -> list[Unit]:
    """Every unit of a level that the brief notebook accepts (:func:`workbench.briefs.brief_units`)."""
    if level not in LEVELS:
        raise ParameterError(f"--level: expected one of {', '.join(LEVELS)}, found {level!r}")
    from workbench.briefs import brief_units

    table = brief_units(level)
    return [Unit(str(r.unit_id), str(r.unit_name), level) for r in table.itertuples(index=False)]


def choose_units(available: Sequence[Unit], wanted: Sequence[str] = ()) -> list[Unit]:
    """The units named (by id, or by name ignoring case), in the order given; all of them when none is named.

    Raises
    ------
    ParameterError
        A name that is no unit of the level (an unknown name is never dropped silently).
    """
    if not wanted:
        return list(available)
    by_key = {u.unit_id.casefold(): u for u in available} | {u.unit_name.casefold(): u for u in available}
    chosen, unknown = [], []
    for name in wanted:
        unit = by_key.get(name.strip().casefold())
        if unit is None:
            unknown.append(name)
        elif unit not in chosen:
            chosen.append(unit)
    if unknown:
        level = available[0].level if available else "?"
        raise ParameterError(
            f"--units: {', '.join(repr(u) for u in unknown)} {'is' if len(unknown) == 1 else 'are'} no {level} the "
            f"briefs know; `workbench briefs --level {level} --list` lists the {len(available)} ids and names")
    return chosen


def plan_briefs(
    units: Sequence[Unit],
    assignments: Sequence[str] = (),
    *,
    project_root: Path,
    notebook: Path | None = None,
    data_checksums: Mapping[str, str] | None = None,
) -> list[PlannedBrief]:
    """A checked plan for every unit × point of the parameter grid (nothing executes)."""
    notebook = notebook or project_root / "notebooks" / f"{BRIEF_NOTEBOOK}.ipynb"
    if data_checksums is None:
        data_checksums = current_data_checksums()  # once for every brief
    planned = []
    for point in parameter_grid(assignments):
        for unit in units:
            try:
                plan = plan_run(notebook, {UNIT_PARAMETER: unit.unit_id, **point}, project_root=project_root,
                                data_checksums=data_checksums, start_workers=False)
            except ParameterError as exc:
                raise ParameterError(f"brief for {unit.unit_name} ({unit.unit_id}): {exc}") from None
            planned.append(PlannedBrief(unit, point, plan))
    return planned


# --------------------------------------------------------------------------- the cluster


class Cluster:
    """A Dask client on a new LocalCluster (``workers`` processes, one thread each) or on ``scheduler``.

    Workers of a LocalCluster die with this process, even when it is killed
    (:class:`DieWithClient`); an existing cluster's workers are the cluster's own.
    """

    def __init__(self, *, scheduler: str | None = None, workers: int | None = None) -> None:
        import dask
        from distributed import Client, LocalCluster

        self.local = scheduler is None
        self.cluster = None
        if self.local:
            n = workers or max(1, min(4, os.cpu_count() or 1))
            with dask.config.set({"logging.distributed": "error"}):
                self.cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                            dashboard_address=None, host="127.0.0.1", silence_logs=50)
            self.client = Client(self.cluster)
            self.client.register_plugin(DieWithClient(os.getpid()), name="workbench-die-with-client")
        else:
            try:
                self.client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise WorkbenchError(f"--scheduler: cannot reach a Dask scheduler at {scheduler} ({exc}); start one "
                                     "with `dask scheduler` and its workers with `dask worker ADDRESS --nthreads 1`"
                                     ) from None
            try:
                self.client.wait_for_workers(workers or 1, timeout=WAIT_FOR_WORKERS_S)
            except TimeoutError:
                have = len(self.client.scheduler_info().get("workers", {}))
                self.client.close()
                raise WorkbenchError(f"--scheduler {scheduler}: {have} worker(s) after {WAIT_FOR_WORKERS_S} s, "
                                     f"{workers or 1} needed; start them with `dask worker {scheduler} --nthreads 1`"
                                     ) from None

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


class DieWithClient(WorkerPlugin):
    """A Dask worker plugin: the worker process exits when the client process (``pid``) is gone."""

    idempotent = True

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def setup(self, worker: Any) -> None:
        from workbench.report.lifeline import watch_runner

        watch_runner(self.pid)

    def teardown(self, worker: Any) -> None:  # pragma: no cover - nothing to undo
        return None


# --------------------------------------------------------------------------- running


def run_briefs(
    briefs: Sequence[PlannedBrief],
    *,
    client: Any,
    reports: Path,
    force: bool = False,
    console: Console | None = None,
    on_done: Callable[[BriefOutcome], None] | None = None,
) -> list[BriefOutcome]:
    """Execute every brief on the cluster of ``client`` and publish each into ``reports`` (``reports/briefs``).

    As many briefs run at once as the cluster has worker threads; a failed brief stops no other.
    A progress bar counts the briefs done; ``on_done`` is called for each.
    """
    console = console or Console(stderr=True)
    reports = Path(reports)
    reports.mkdir(parents=True, exist_ok=True)
    quiet = Console(file=io.StringIO())
    slots = DaskEngine(client).slots()
    pdf.warn_if_unavailable(console)  # on this machine; a remote worker prints with its own Chromium
    names = {**_unit_names(), **{b.unit.unit_id: b.unit.unit_name for b in briefs}}

    def index(folder: Path) -> Path:
        return write_briefs_index(folder, names=names)

    def one(brief: PlannedBrief) -> BriefOutcome:
        engine = DaskEngine(client, expected={"package_source": brief.plan.components["package_source"]})
        outcome = execute_plan(brief.plan, reports=reports, jobs=1, force=force, console=quiet, engine=engine,
                               write_index=index)
        return BriefOutcome(brief, outcome)

    done: list[BriefOutcome] = []
    columns = (TextColumn("briefs"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=False) as progress, \
            ThreadPoolExecutor(max_workers=slots, thread_name_prefix="brief") as pool:
        bar = progress.add_task("", total=len(briefs))
        futures = {pool.submit(one, b): b for b in briefs}
        for future in as_completed(futures):
            result = future.result()
            done.append(result)
            status = result.outcome.status
            mark = {"complete": "[green]ok[/green]", "skipped": "[cyan]skipped (identical brief exists)[/cyan]"}.get(
                status, "[red]FAILED[/red]")
            progress.console.print(f"{mark} " + escape(_label(result.brief)
                                   + (f": {'; '.join(result.outcome.failures)}" if status == "failed" else "")))
            progress.advance(bar)
            if on_done:
                on_done(result)
    index(reports)
    order = {id(b): i for i, b in enumerate(briefs)}
    return sorted(done, key=lambda r: order[id(r.brief)])


def _label(brief: PlannedBrief) -> str:
    extra = " ".join(f"{k}={v}" for k, v in brief.parameters.items())
    return f"{brief.unit.unit_name} ({brief.unit.unit_id})" + (f" [{extra}]" if extra else "")


# --------------------------------------------------------------------------- the index


def _unit_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for level in LEVELS:
        try:
            names |= {u.unit_id: u.unit_name for u in units_of(level)}
        except Exception:  # noqa: BLE001 - the index lists ids when names cannot be read
            pass
    return names


def _brief_parameters(manifest: dict[str, Any]) -> dict[str, Any]:
    notebooks = manifest.get("notebooks") or [{}]
    return dict(notebooks[0].get("parameters") or {})


def _common(parameter_sets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The parameters with the same value in every set (in the order of the first)."""
    if not parameter_sets:
        return {}
    first = parameter_sets[0]
    return {k: v for k, v in first.items() if all(k in p and p[k] == v for p in parameter_sets[1:])}


def write_briefs_index(reports: Path, *, names: Mapping[str, str] | None = None) -> Path:
    """Write ``reports/briefs/index.html``: the newest brief of each unit and parameter set, with status and links.

    ``names`` maps unit ids to names (by default those of :func:`units_of` for both levels).
    """
    reports.mkdir(parents=True, exist_ok=True)
    names = _unit_names() if names is None else names
    with exclusive(reports, INDEX_LOCK):
        return _write_briefs_index(reports, names)


def _write_briefs_index(reports: Path, names: Mapping[str, str]) -> Path:
    e = html.escape
    newest: dict[tuple[str, str], tuple[Path, dict[str, Any], int]] = {}
    for folder, manifest in report_index.list_runs(reports):  # newest first
        params = _brief_parameters(manifest)
        unit = str(params.pop(UNIT_PARAMETER, "?"))
        key = (unit, repr(sorted(params.items())))
        if key in newest:
            f, m, n = newest[key]
            newest[key] = (f, m, n + 1)
        else:
            newest[key] = (folder, manifest, 0)
    listed = sorted(newest.items(), key=lambda kv: (names.get(kv[0][0], kv[0][0]), kv[0][1]))
    shown_params = [{k: v for k, v in _brief_parameters(m).items() if k != UNIT_PARAMETER} for _, (_, m, _) in listed]
    common = _common(shown_params)
    rows, counts = [], {"complete": 0, "failed": 0}
    for ((unit, _), (folder, m, earlier)), params in zip(listed, shown_params, strict=True):
        status = str(m.get("status", "?"))
        counts[status] = counts.get(status, 0) + 1
        rel = folder.relative_to(reports).as_posix()
        nb = (m.get("notebooks") or [{}])[0]
        name = nb.get("name", BRIEF_NOTEBOOK)
        links = [f'<a href="{e(rel)}/{e(name)}/{e(name)}.html">brief</a>']
        if (folder / name / f"{name}.pdf").is_file():
            links.append(f'<a href="{e(rel)}/{e(name)}/{e(name)}.pdf">pdf</a>')
        links.append(f'<a href="{e(rel)}/index.html">run</a>')
        shown = ", ".join(f"{k} = {v!r}" for k, v in params.items() if k not in common)
        error = e(str(nb.get("summary") or "")) if status != "complete" else ""
        rows.append(
            "<tr>"
            f"<td>{e(names.get(unit, unit))} <code>{e(unit)}</code></td>"
            f'<td class="{e(status)}">{e(status)}</td>'
            f"<td>{' · '.join(links)}</td>"
            f"<td><code>{e(shown) or 'as above'}</code></td>"
            f"<td><code>{e(str(m.get('run_id')))}</code>{f' ({earlier} earlier)' if earlier else ''}</td>"
            f"<td>{e(str(m.get('finished', '')))}</td>"
            f"<td>{error}</td>"
            "</tr>"
        )
    total = len(rows)
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n) or "none yet"
    body = (
        "<h1>Briefs</h1>\n"
        f"<p>{total} brief(s): {e(summary)}. The newest brief of each unit and parameter set; failed briefs are kept "
        "under <code>failed/</code> with their executed notebook for debugging. "
        '<a href="../index.html">All report runs</a>.</p>\n'
        + (f"<p>Parameters of every brief below: <code>{e(', '.join(f'{k} = {v!r}' for k, v in common.items()))}"
           "</code>; the Parameters column shows the others.</p>\n" if common else "")
        + "<table>\n<tr><th>Unit</th><th>Status</th><th>Links</th><th>Parameters</th><th>Run</th><th>Finished</th>"
        "<th>Error</th></tr>\n" + "\n".join(rows) + "\n</table>"
        + ("" if rows else "\n<p>No briefs yet: <code>workbench briefs --level province</code> writes them.</p>")
    )
    path = reports / report_index.INDEX_NAME
    report_index.write_page_atomic(path, "Briefs", body)
    return path
