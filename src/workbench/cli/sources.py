"""`workbench sources …`: register the analyst's own incident logs and published series, list and check them.

    workbench sources add PATH --kind incident_log --id cttd_kp_log --title "..." --compiler "..." --definition "..."
    workbench sources list
    workbench sources check
    workbench sources remove ID

Files stay where they are (``data/private/``, ignored by git): the registry records their path and
sha256 only. Formats: ``docs/incidents.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.helptext import command_group, examples

sources_app = command_group("The analyst's own sources (incident logs, published annual series): register, "
                            "list, check.")


def _console():
    """The console tables are printed on (rich is imported here, not when the commands' help is built)."""
    from rich.console import Console

    return Console(stderr=False, width=160)


@sources_app.command("add", epilog=examples(
    "workbench sources add data/private/kp_log.csv --kind incident_log --id kp_ctd_log "
    "--title 'KP CTD incident log' --compiler 'KP CTD' --definition 'attacks reported to the CTD'",
    "workbench sources add data/private/series.csv --kind annual_series --id pips_series --title 'PIPS annual "
    "security report' --compiler PIPS --definition 'terrorist attacks' --replace"))
def add_command(
    path: Annotated[Path, typer.Argument(help="The CSV file (in data/private/, or outside the checkout).")],
    kind: Annotated[str, typer.Option(help="incident_log or annual_series.")],
    source_id: Annotated[str, typer.Option("--id", help="Id for notebooks (violence_source) and comparisons.")],
    title: Annotated[str, typer.Option(help="What the source is.")],
    compiler: Annotated[str, typer.Option(help="Who compiled or published it.")],
    definition: Annotated[str, typer.Option(help="What it counts as an incident.")],
    licence: Annotated[str, typer.Option(help="Terms of use.")] = "",
    sensitivity: Annotated[str, typer.Option(help="public, restricted or confidential.")] = "restricted",
    first_year: Annotated[int | None, typer.Option(help="First year covered (default: the rows' first).")] = None,
    last_year: Annotated[int | None, typer.Option(help="Last year covered (default: the rows' last).")] = None,
    replace: Annotated[bool, typer.Option(help="Register an id again (the file changed).")] = False,
) -> None:
    """Check a file and register it by path and sha256 (nothing is registered if a check fails)."""
    from workbench.sources.private import add_source, registry_path

    entry = add_source(path, kind=kind, source_id=source_id, title=title, compiler=compiler, definition=definition,
                       licence=licence, sensitivity=sensitivity, first_year=first_year, last_year=last_year,
                       replace=replace, on_note=lambda note: typer.echo(f"note: {note}", err=True))
    typer.echo(f"registered '{entry.id}' ({entry.kind_label}, {entry.rows} rows, {entry.first_year}-"
               f"{entry.last_year}, sha256 {entry.sha256[:12]}) in {registry_path()}")


@sources_app.command("list", epilog=examples("workbench sources list"))
def list_command() -> None:
    """List the registered sources."""
    from rich.markup import escape
    from rich.table import Table

    from workbench.sources.private import check_sources, registry_path

    table = check_sources()
    if table.empty:
        typer.echo(f"no analyst's sources registered ({registry_path()})")
        return
    out = Table(title=f"Analyst's sources ({registry_path()})")
    for col in ("id", "kind", "status", "title", "compiler", "years", "rows", "sensitivity", "registered"):
        out.add_column(col, overflow="fold")
    for r in table.itertuples():
        style = "green" if r.status == "ok" else "bold red"
        out.add_row(r.id, r.kind, f"[{style}]{r.status}[/]", escape(r.title), escape(r.compiler), r.years,
                    str(r.rows), r.sensitivity, r.registered)
    _console().print(out)


@sources_app.command("check", epilog=examples("workbench sources check"))
def check_command() -> None:
    """Re-verify each file's sha256 and checks, and that git ignores the private folder; exit 1 on a problem."""
    from workbench.errors import WorkbenchError
    from workbench.sources.private import check_sources, get_source, read_private_source, refuse_tracked_private_dir

    refuse_tracked_private_dir()
    table = check_sources()
    bad = 0
    for r in table.itertuples():
        if r.status == "missing":
            typer.echo(f"error: '{r.id}': file {r.path} is missing", err=True)
            bad += 1
        elif r.status == "altered":
            typer.echo(f"error: '{r.id}': file {r.path} has sha256 {r.found_sha256}, registered {r.expected_sha256}; "
                       f"register it again with --replace if the change is intended", err=True)
            bad += 1
        else:
            try:
                read_private_source(r.id)
            except WorkbenchError as exc:
                typer.echo(f"error: '{r.id}' ({get_source(r.id).kind_label}) no longer passes its checks: {exc}",
                           err=True)
                bad += 1
    if bad:
        raise typer.Exit(1)
    typer.echo(f"all {len(table)} registered sources OK")


@sources_app.command("remove", epilog=examples("workbench sources remove kp_ctd_log"))
def remove_command(source_id: Annotated[str, typer.Argument(help="The registered id.")]) -> None:
    """Take a source out of the registry (the file is left alone)."""
    from workbench.sources.private import remove_source

    remove_source(source_id)
    typer.echo(f"removed '{source_id}' from the registry (the file itself is untouched)")


def register(app: typer.Typer) -> None:
    """Add ``workbench sources`` to the top-level app."""
    app.add_typer(sources_app, name="sources")
