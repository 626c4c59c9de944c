"""`workbench run` (a suite or one notebook into a report) and `workbench lab` (JupyterLab)."""

from __future__ import annotations

import shlex
import signal
import subprocess
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.helptext import examples

RUN_EXAMPLES = examples(
    "workbench run                                # the default suite",
    "workbench run 10_violence -p level=district  # one notebook",
    "workbench run -p start_year=2005 -p end_year=2012 --jobs 2",
    "workbench run --dry-run -p level=district    # check and plan only",
    "workbench run notebooks/suites/default.yaml --force",
)
LAB_EXAMPLES = examples(
    "workbench lab",
    "workbench lab --no-browser --port 8899",
    "workbench lab --dry-run                      # print the command only",
)


def run_command(
    suite: Annotated[str, typer.Argument(
        help="A suite name (notebooks/suites/<name>.yaml), a notebook name (notebooks/<name>.ipynb), or the "
             "path of a suite or notebook file.")] = "default",
    parameter: Annotated[
        list[str] | None,
        typer.Option("--parameter", "-p", help="name=value for every notebook that declares the parameter "
                                               "(repeatable; `workbench params` lists them)."),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Notebooks run at once (default: CPUs, at most 4).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run even if an identical run completed before.")] = False,
    reports: Annotated[Path | None, typer.Option(help="Reports folder (default: <project>/reports).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check the parameters and plan the run, print the "
                                                            "plan, and stop before any kernel starts.")] = False,
) -> None:
    """Execute a suite of notebooks, or one notebook, into reports/<run-id>/ (HTML, tables, figures, manifest).

    Before any kernel starts, the parameters are checked against each notebook's parameters cell
    (names, types, allowed values, bounds), years against the years of the chosen violence source,
    and combinations the notebooks cannot run (e.g. level=district with layout=pre2018 in 50_policy).

    An identical earlier run (same notebooks, parameters, data, code, packages) is reused unless --force.

    A failed notebook is kept under reports/failed/<run-id>/; the command then exits 1, one line per failure.
    """
    from rich.console import Console

    from workbench.report.params import format_assignments
    from workbench.report.paths import project_root, reports_dir
    from workbench.report.runner import default_jobs, execute_plan, find_completed, plan_run
    from workbench.report.suite import resolve_suite_path

    root = project_root()
    plan = plan_run(resolve_suite_path(suite, root), parameter or [], project_root=root)
    folder = reports or reports_dir(root)
    if dry_run:
        typer.echo(f"run {plan.run_id} ({plan.suite.name}): {len(plan.notebooks)} notebook(s), parameters checked; "
                   "no kernel started")
        for nb in plan.notebooks:
            values = format_assignments(nb.parameters)
            typer.echo(f"  {nb.name}: {values or '(no parameters)'}")
        done = find_completed(folder.resolve(), plan) if folder.is_dir() else None
        if done is not None:
            typer.echo(f"an identical run is complete: {done[0]} (a run would be skipped unless --force)")
        return
    outcome = execute_plan(plan, reports=folder, jobs=jobs or default_jobs(), force=force,
                           console=Console(stderr=True))
    typer.echo(outcome.message)
    if outcome.status == "failed":
        for line in outcome.failures:
            typer.echo(f"FAILED {line}", err=True)
        raise typer.Exit(1)


def lab_command(
    jupyter_args: Annotated[
        list[str] | None, typer.Argument(help="Further options for `jupyter lab`, after `--`.")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port for JupyterLab (default: its own choice).")] = None,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open a browser.")] = True,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the jupyter command and its folder; "
                                                            "start nothing.")] = False,
) -> None:
    """Open JupyterLab at the project folder, in notebooks/, with the project kernel.

    docs/ and reports/ can be browsed beside the notebooks; the notebooks find the data as a run
    does. Saving a notebook under notebooks/ strips its outputs (jupyter_server_config.py), so
    tracked notebooks stay clean. As root (e.g. in a container) --allow-root is added.
    """
    from workbench.report.lab import MIRROR_ENV, lab_command as build
    from workbench.report.paths import project_root

    command = build(project_root(), port=port, browser=browser, extra=jupyter_args or [])
    if command.env.get(MIRROR_ENV):
        typer.echo(f"note: data sets are read from {command.env[MIRROR_ENV]} ({MIRROR_ENV}) before data/raw/", err=True)
    typer.echo(f"JupyterLab at {command.cwd}, start folder {command.start_folder}/ (kernel {command.kernel}); "
               f"outputs are stripped when a notebook in {command.start_folder}/ is saved", err=True)
    if dry_run:
        typer.echo(shlex.join(command.argv))
        return
    process = subprocess.Popen(command.argv, env=command.env, cwd=command.cwd)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is JupyterLab's to handle
    try:
        code = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("run", epilog=RUN_EXAMPLES)(run_command)
    app.command("lab", epilog=LAB_EXAMPLES)(lab_command)
