"""The `workbench` command line: one entry point, sub-commands registered by their modules.

Each module that offers commands exposes ``register(app)``; the errors of the workbench
family are printed as one message for the analyst (no traceback) with exit code 1.
"""

from __future__ import annotations

import sys

import typer

from workbench.errors import WorkbenchError

app = typer.Typer(
    help="SARC's workbench for NISP 2018: data catalog and panels, notebook reports, policy audit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register_all() -> None:
    from workbench.cli import data, policy, run, sources

    for module in (data, run, policy, sources):
        module.register(app)


_register_all()


def main() -> None:  # pragma: no cover - thin wrapper used by `python -m workbench`
    try:
        app()
    except WorkbenchError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except OSError as exc:  # a path the analyst gave that cannot be read or written
        typer.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
        sys.exit(1)
