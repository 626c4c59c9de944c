"""`workbench data …`: verify the catalog's data sets and build the committed panels."""

from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from workbench.cli.helptext import examples

data_app = typer.Typer(help="Data catalog: verify the data sets, build the panels.", no_args_is_help=True)
console = Console(stderr=False, width=160)


@data_app.command("verify", epilog=examples("workbench data verify",
                                            "WORKBENCH_DATA_MIRROR=/srv/mirror workbench data verify"))
def verify_command(
    catalog: Annotated[Path | None, typer.Option(help="Another catalog file (default data/catalog.yaml).")] = None,
) -> None:
    """List every data set with its status; exit 1 if any is missing or altered."""
    from workbench import catalog as cat_mod

    cat = cat_mod.load_catalog(catalog)
    result = cat_mod.verify(cat)
    override = cat_mod.mirror_dir()
    table = Table(title=f"Data sets in {cat.path} (override {cat_mod.MIRROR_ENV}: {override or 'not set'}; "
                        f"shipped: {cat_mod.shipped_dir()})")
    for col in ("id", "status", "found in", "vintage", "licence_status", "fallback", "where"):
        table.add_column(col, overflow="fold")
    for row in result.itertuples():
        style = "green" if row.status == "ok" else "bold red"
        table.add_row(row.id, f"[{style}]{row.status}[/]", row.found_in or "-", row.vintage, row.licence_status,
                      row.fallback, row.where)
    console.print(table)
    bad = result[result["status"] != "ok"]
    if len(bad):
        for row in bad.itertuples():
            if row.status == "missing":
                msg = f"data set '{row.id}' is missing; looked in: {row.where}"
            else:
                msg = (f"data set '{row.id}' is altered: {row.where} has sha256 {row.found_sha256}, "
                       f"the catalog expects {row.expected_sha256}")
            typer.echo(f"error: {msg}", err=True)
        raise typer.Exit(1)
    typer.echo(f"all {len(result)} data sets OK")


@data_app.command("build", epilog=examples("workbench data build", "workbench data build --check",
                                           "workbench data build --out /tmp/processed"))
def build_command(
    out: Annotated[Path | None, typer.Option(help="Write here instead of data/processed.")] = None,
    check: Annotated[bool, typer.Option(help="Rebuild into a temporary folder and compare with the committed "
                                              "files byte for byte; write nothing.")] = False,
) -> None:
    """Rebuild the derived tables of data/processed from the catalog's data sets."""
    from workbench.cli.progress import step_bar
    from workbench.panel.build import STEPS, build
    from workbench.store import PROCESSED_DIR

    if check:
        with tempfile.TemporaryDirectory() as tmp:
            with step_bar(len(STEPS), "data build") as progress:
                written = build(Path(tmp) / "processed", progress=progress)
            differ = [p.name for p in written.values() if not (PROCESSED_DIR / p.name).exists()
                      or not filecmp.cmp(p, PROCESSED_DIR / p.name, shallow=False)]
            if differ:
                typer.echo(f"error: rebuilt tables differ from the committed ones: {', '.join(differ)}", err=True)
                raise typer.Exit(1)
            typer.echo(f"all {len(written)} tables in {PROCESSED_DIR} are reproduced byte for byte")
        return
    with step_bar(len(STEPS), "data build") as progress:
        written = build(out, progress=progress)
    for name, path in written.items():
        typer.echo(f"wrote {path}")
    typer.echo(f"{len(written)} tables written")


def register(app: typer.Typer) -> None:
    """Add ``workbench data`` to the top-level app."""
    app.add_typer(data_app, name="data")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(data_app())
