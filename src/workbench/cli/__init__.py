"""The `workbench` command line: one entry point, sub-commands registered by their modules.

Each module that offers commands exposes ``register(app)``; the errors of the workbench
family are printed as one message for the analyst (no traceback) with exit code 1.

Start-up stays light (issue 15): ``workbench --help`` lists the commands from :data:`COMMANDS` and
imports none of their modules; a command's module is imported when that command is used (or its
help shown), and imports only typer at the top: pandas, the package's layers and papermill are
imported inside the commands. So help and shell completion answer about as fast as typer loads.
"""

from __future__ import annotations

import importlib
import os
import sys
from functools import cache
from typing import Any

import typer
from typer.core import TyperGroup

import workbench
from workbench.cli.helptext import COMPLETE_VAR, MARKUP_MODE, PROG_NAME, CommandList, examples

#: Every top-level command and group: the module of ``workbench.cli`` whose ``register`` adds it, and its
#: line in ``workbench --help`` (tests/test_cli.py holds each line to the command's own help).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("run", "Execute a suite of notebooks, or one notebook, into reports/<run-id>/ (HTML, tables, figures, "
                   "manifest)."),
    "lab": ("run", "Open JupyterLab at the project folder, in notebooks/, with the project kernel."),
    "briefs": ("briefs", "Write a brief (notebooks/60_unit_brief.ipynb) for every province or district, on Dask."),
    "params": ("params", "List each notebook's parameters: type, default, allowed values, bounds and help."),
    "claims": ("policy", "Audit the policy's empirical claims: a computed verdict for each, with numbers, sources "
                         "and caveats."),
    "data": ("data", "Data catalog: verify the data sets, fetch and compare UCDP releases, build the panels."),
    "policy": ("policy", "NISP 2018 as data: drivers, Rs, priorities, interventions, claims."),
    "tracker": ("policy", "The implementation tracker: Annex A's indicators as a table SARC fills in."),
    "sources": ("sources", "The analyst's own sources (incident logs, published annual series): register, list, "
                           "check."),
    "completion": ("completion", "Print the shell-completion script for SHELL (load it from your shell's start-up "
                                 "file)."),
}


@cache
def commands_of(module: str) -> TyperGroup:
    """The commands that ``workbench.cli.<module>`` registers, as a click group (the module imported now)."""
    holder = typer.Typer(rich_markup_mode=MARKUP_MODE)
    importlib.import_module(f"{__name__}.{module}").register(holder)
    return typer.main.get_group(holder)


class LazyCommands(CommandList):
    """The top-level group: lists :data:`COMMANDS` without importing them, imports a command when it is used."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        return commands_of(COMMANDS[cmd_name][0]).commands.get(cmd_name)

    def summaries(self, ctx: Any) -> list[tuple[str, str]]:
        return [(name, summary) for name, (_module, summary) in COMMANDS.items()]


app = typer.Typer(
    cls=LazyCommands,
    help="SARC's workbench for NISP 2018: data catalog and panels, notebook reports, policy audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=MARKUP_MODE,
    epilog=examples("workbench params 10_violence", "workbench run 10_violence -p level=district",
                    "workbench data verify", 'eval "$(workbench completion bash)"'),
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"nisp-workbench {workbench.__version__} (Python {sys.version.split()[0]})")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                 help="Print the workbench's version and exit."),
) -> None:
    """The options of ``workbench`` itself (the app's help text is set on ``app``)."""


def main() -> None:  # pragma: no cover - thin wrapper used by `python -m workbench`
    if os.environ.get(COMPLETE_VAR):  # the shell asks for completions (`workbench completion bash`)
        from typer.completion import completion_init

        completion_init()
    try:
        app(prog_name=PROG_NAME)
    except OSError as exc:  # a path the analyst gave that cannot be read or written
        typer.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        sys.exit(1)
    except Exception as exc:
        from workbench.errors import WorkbenchError  # imported here: it brings pandas

        if not isinstance(exc, WorkbenchError):
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
