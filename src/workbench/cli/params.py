"""`workbench params [NOTEBOOK]`: each notebook's parameters, as its parameters cell declares them."""

from __future__ import annotations

import shlex
import sys
from enum import Enum
from typing import Annotated, Any

import typer

from workbench.cli.helptext import examples


class Format(str, Enum):
    """How the parameters are printed."""

    table = "table"
    csv = "csv"


COLUMNS = ("notebook", "parameter", "type", "default", "allowed", "bounds", "help")


def _bounds(spec: Any, defaults: dict[str, Any]) -> str:
    """The bounds in words, with the years of the source the defaults name."""
    from workbench.errors import WorkbenchError
    from workbench.report.preflight import SourceCache

    text = spec.bounds_text()
    if spec.years is None:
        return text
    sources = SourceCache(defaults, set())
    try:
        source = sources.get(spec.years)
    except WorkbenchError:
        return text
    first, last = source.coverage.years
    where = f"default {source.id}" if spec.years == "source" else source.id
    return f"{text} ({where}: {first}-{last})"


def parameter_rows(target: str) -> list[dict[str, str]]:
    """One row per declared parameter of each notebook ``target`` names (a notebook, a suite, or a path)."""
    from workbench.report.params import format_cli_value, read_parameters
    from workbench.report.paths import project_root
    from workbench.report.suite import load_suite, resolve_suite_path

    suite = load_suite(resolve_suite_path(target, project_root()))
    rows = []
    for nb in suite.notebooks:
        specs = read_parameters(nb.path)
        defaults = {name: spec.default for name, spec in specs.items()}
        for spec in specs.values():
            rows.append({"notebook": nb.stem, "parameter": spec.name, "type": spec.type,
                         "default": shlex.quote(format_cli_value(spec.default)),
                         "allowed": ", ".join(str(c) for c in spec.choices) if spec.choices else "",
                         "bounds": _bounds(spec, defaults), "help": spec.prose})
    return rows


def params_command(
    notebook: Annotated[str, typer.Argument(
        help="A notebook name (10_violence), a suite name (default: all its notebooks), or a path.")] = "default",
    fmt: Annotated[Format, typer.Option("--format", help="table (for reading) or csv (on stdout).")] = Format.table,
) -> None:
    """List each notebook's parameters: type, default, allowed values, bounds and help.

    Set any of them for a run with -p name=value; it applies to every notebook that declares it.
    Years marked "years of violence_source" must lie in the years of the violence source chosen;
    left unset, the notebook's default is cut to those years.
    """
    rows = parameter_rows(notebook)
    if fmt is Format.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Notebook parameters ({notebook})", show_lines=False)
    for col in COLUMNS:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(escape(row[c]) for c in COLUMNS))
    console = Console()
    if not console.is_terminal:
        console = Console(width=180)
    console.print(table)
    typer.echo("Set a parameter for a run with: workbench run [SUITE|NOTEBOOK] -p name=value")


def register(app: typer.Typer) -> None:
    """Add ``workbench params`` to the top-level app."""
    app.command("params", epilog=examples(
        "workbench params 10_violence",
        "workbench params                     # every notebook of the default suite",
        "workbench params --format csv > parameters.csv",
    ))(params_command)
