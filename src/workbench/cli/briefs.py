"""`workbench briefs`: a brief per province or district, executed on a Dask cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.helptext import examples

BRIEFS_EXAMPLES = examples(
    "workbench briefs --level province                       # every province and territory",
    "workbench briefs --level district --list                # the district ids and names",
    "workbench briefs --level district --units census2023/peshawar,census2023/swat",
    "workbench briefs --level province -p ged_release=22.1 -p ged_release=26.1   # two parameter sets",
    "workbench briefs --level province --scheduler tcp://127.0.0.1:8786",
)


def _split_units(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def briefs_command(
    level: Annotated[str, typer.Option("--level", help="province or district.")] = "province",
    units: Annotated[list[str] | None, typer.Option(
        "--units", "-u", help="Unit ids or names (repeatable, or comma-separated); default: every unit of the level.")] = None,
    parameter: Annotated[list[str] | None, typer.Option(
        "--parameter", "-p", help="name=value for the brief notebook (repeatable); a name given twice makes a "
                                  "parameter grid: every unit is briefed for each value.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run even the briefs identical to one completed before.")] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of a running Dask scheduler (e.g. tcp://127.0.0.1:8786); default: a LocalCluster.")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Worker processes of the LocalCluster (default: CPUs, at most 4); with --scheduler, "
                                 "wait for this many workers.")] = None,
    reports: Annotated[Path | None, typer.Option(help="Briefs folder (default: <project>/reports/briefs).")] = None,
    list_units: Annotated[bool, typer.Option("--list", help="List the units of the level (id and name) and stop.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every brief's parameters and plan them; start "
                                                            "no cluster and no kernel.")] = False,
) -> None:
    """Write a brief (notebooks/60_unit_brief.ipynb) for every province or district, on Dask.

    Each brief is a report of its own under reports/briefs/<run-id>/ (HTML, PDF where Chromium is
    present, tables, figures, manifest with the engine used); reports/briefs/index.html lists every
    brief with its status. An identical brief that completed before is skipped unless --force; a
    failed brief stops no other and is kept under reports/briefs/failed/ for debugging (exit 1).
    """
    from rich.console import Console

    from workbench.report.briefs import BRIEFS_DIR, Cluster, choose_units, plan_briefs, run_briefs, units_of
    from workbench.report.params import format_assignments
    from workbench.report.paths import project_root, reports_dir

    available = units_of(level)
    if list_units:
        for unit in available:
            typer.echo(f"{unit.unit_id}\t{unit.unit_name}")
        return
    root = project_root()
    chosen = choose_units(available, _split_units(units))
    briefs = plan_briefs(chosen, parameter or [], project_root=root)
    folder = reports or reports_dir(root) / BRIEFS_DIR
    console = Console(stderr=True)
    if dry_run:
        typer.echo(f"{len(briefs)} brief(s) planned ({len(chosen)} {level} unit(s)), parameters checked; "
                   "no cluster or kernel started")
        for brief in briefs:
            nb = brief.plan.notebooks[0]
            values = format_assignments(nb.parameters)
            typer.echo(f"  {brief.plan.run_id}: {values}")
        return
    where = f"the scheduler at {scheduler}" if scheduler else "a LocalCluster on this machine"
    console.print(f"{len(briefs)} brief(s) for {len(chosen)} {level} unit(s) on {where}")
    with Cluster(scheduler=scheduler, workers=workers) as cluster:
        done = run_briefs(briefs, client=cluster.client, reports=folder, force=force, console=console)
    failed = [d for d in done if d.outcome.status == "failed"]
    skipped = sum(1 for d in done if d.outcome.status == "skipped")
    typer.echo(f"{len(done) - len(failed) - skipped} brief(s) written, {skipped} identical skipped, {len(failed)} failed; "
               f"index: {folder.resolve() / 'index.html'}")
    if failed:
        for d in failed:
            for line in d.outcome.failures:
                typer.echo(f"FAILED {d.brief.unit.unit_id}: {line} (kept in {d.outcome.folder})", err=True)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("briefs", epilog=BRIEFS_EXAMPLES)(briefs_command)
