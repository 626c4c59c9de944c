"""`workbench run` (a suite of notebooks into a report) and `workbench lab` (JupyterLab)."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console


def run_command(
    suite: Annotated[str, typer.Argument(help="A suite name (notebooks/suites/<name>.yaml) or the path of a suite file.")] = "default",
    parameter: Annotated[
        list[str] | None,
        typer.Option("--parameter", "-p", help="name=value for every notebook that declares the parameter (repeatable)."),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Notebooks run at once (default: CPUs, at most 4).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Run even if an identical run completed before.")] = False,
    reports: Annotated[Path | None, typer.Option(help="Reports folder (default: <project>/reports).")] = None,
) -> None:
    """Execute a suite of notebooks into reports/<run-id>/ (HTML, tables, figures, manifest).

    Parameters are checked against each notebook's parameters cell before anything runs.

    An identical earlier run (same notebooks, parameters, data, code, packages) is reused unless --force.

    A failed notebook is kept under reports/failed/<run-id>/; the command then exits 1, one line per failure.
    """
    from workbench.report.paths import project_root, reports_dir
    from workbench.report.runner import default_jobs, execute_plan, plan_run
    from workbench.report.suite import resolve_suite_path

    root = project_root()
    console = Console(stderr=True)
    plan = plan_run(resolve_suite_path(suite, root), parameter or [], project_root=root)
    outcome = execute_plan(plan, reports=reports or reports_dir(root), jobs=jobs or default_jobs(), force=force,
                           console=console)
    typer.echo(outcome.message)
    if outcome.status == "failed":
        for line in outcome.failures:
            typer.echo(f"FAILED {line}", err=True)
        raise typer.Exit(1)


def lab_command(
    jupyter_args: Annotated[
        list[str] | None, typer.Argument(help="Further options for `jupyter lab`, after `--` (e.g. -- --allow-root).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port for JupyterLab (default: its own choice).")] = None,
    browser: Annotated[bool, typer.Option("--browser/--no-browser", help="Open a browser.")] = True,
) -> None:
    """Open JupyterLab in notebooks/ with the project kernel (figures inline, data mirror passed through)."""
    from workbench.report.lab import MIRROR_ENV, lab_command as build
    from workbench.report.paths import project_root

    command = build(project_root(), port=port, browser=browser, extra=jupyter_args or [])
    if command.env.get(MIRROR_ENV):
        typer.echo(f"note: data sets are read from {command.env[MIRROR_ENV]} ({MIRROR_ENV}) before data/raw/", err=True)
    typer.echo(f"JupyterLab in {command.cwd} (kernel {command.kernel})", err=True)
    process = subprocess.Popen(command.argv, env=command.env, cwd=command.cwd)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is JupyterLab's to handle
    try:
        code = process.wait()
    finally:
        signal.signal(signal.SIGINT, previous)
    raise typer.Exit(code)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.command("run")(run_command)
    app.command("lab")(lab_command)
