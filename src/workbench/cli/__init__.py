"""The `workbench` command line: one entry point, sub-commands registered by their modules.

Each module that offers commands exposes ``register(app)``; the errors of the workbench
family are printed as one message for the analyst (no traceback) with exit code 1.

Start-up stays light: the modules here import only typer and rich at the top, everything else
(pandas, the package's layers, papermill) inside the commands, so ``workbench --help`` and shell
completion answer at once.
"""

from __future__ import annotations

import os
import sys

import typer

import workbench
from workbench.cli.helptext import examples

app = typer.Typer(
    help="SARC's workbench for NISP 2018: data catalog and panels, notebook reports, policy audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
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


def _register_all() -> None:
    from workbench.cli import briefs, completion, data, params, policy, run, sources

    for module in (data, run, briefs, params, policy, sources, completion):
        module.register(app)


_register_all()


def main() -> None:  # pragma: no cover - thin wrapper used by `python -m workbench`
    from workbench.cli.completion import COMPLETE_VAR, PROG_NAME

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
