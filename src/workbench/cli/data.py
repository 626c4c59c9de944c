"""`workbench data …`: verify the catalog's data sets, fetch a UCDP release, compare two, build the panels."""

from __future__ import annotations

import filecmp
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.helptext import command_group, examples

data_app = command_group("Data catalog: verify the data sets, fetch and compare UCDP releases, build the panels.")


def _console():
    """The console tables are printed on (rich is imported here, not when the commands' help is built)."""
    from rich.console import Console

    return Console(stderr=False, width=160)


@data_app.command("verify", epilog=examples("workbench data verify",
                                            "WORKBENCH_DATA_MIRROR=/srv/mirror workbench data verify"))
def verify_command(
    catalog: Annotated[Path | None, typer.Option(help="Another catalog file (default data/catalog.yaml).")] = None,
) -> None:
    """List every data set and UCDP release with its status; exit 1 if a data set is altered or a required one missing.

    Optional data sets (UCDP releases after 22.1, further Candidate releases) may be missing: `workbench data pull`
    fetches one.
    """
    from rich.table import Table

    from workbench import catalog as cat_mod

    cat = cat_mod.load_catalog(catalog)
    result = cat_mod.verify(cat)
    override = cat_mod.mirror_dir()
    table = Table(title=f"Data sets in {cat.path} (override {cat_mod.MIRROR_ENV}: {override or 'not set'}; "
                        f"shipped: {cat_mod.shipped_dir()}; cache: {cat_mod.cache_dir()})")
    for col in ("id", "status", "found in", "vintage", "licence_status", "fallback", "where"):
        table.add_column(col, overflow="fold")
    for row in result.itertuples():
        style = {"ok": "green", "unpinned": "yellow"}.get(row.status, "bold red" if row.required else "dim")
        status = row.status if row.required else f"{row.status} (optional)"
        table.add_row(row.id, f"[{style}]{status}[/]", row.found_in or "-", row.vintage, row.licence_status,
                      row.fallback, row.where)
    _console().print(table)
    if catalog is None:
        _print_releases()
    required = result[result["required"]]
    bad = result[(result["status"] == "altered") | (result["required"] & (result["status"] == "missing"))]
    for row in result[result["status"] == "unpinned"].itertuples():
        typer.echo(f"note: data set '{row.id}' is unpinned: the catalog fixes no sha256; its file ({row.where}) is "
                   f"checked against the sha256 recorded on first use ({row.found_sha256})")
    if len(bad):
        for row in bad.itertuples():
            if row.status == "missing":
                msg = f"data set '{row.id}' is missing; looked in: {row.where}"
            else:
                msg = (f"data set '{row.id}' is altered: {row.where} has sha256 {row.found_sha256}, "
                       f"expected {row.expected_sha256}")
            typer.echo(f"error: {msg}", err=True)
        raise typer.Exit(1)
    absent = result[~result["required"] & (result["status"] == "missing")]
    typer.echo(f"all {len(required)} data sets OK"
               + (f"; {len(absent)} optional data set(s) not present ({', '.join(absent['id'])}): "
                  "`workbench data pull ID` fetches one" if len(absent) else ""))


def _print_releases() -> None:
    import pandas as pd
    from rich.table import Table

    from workbench.sources.releases import release_table

    releases = release_table()
    table = Table(title="UCDP releases (yearly GED: final counts; Candidate: provisional)")
    for col in ("release", "id", "years", "months covered", "status", "found in", "rows read",
                "rows outside Pakistan", "Pakistan events", "member sha256"):
        table.add_column(col, overflow="fold")
    for r in releases.itertuples():
        style = {"ok": "green", "unpinned": "yellow", "missing": "dim"}.get(r.status, "bold red")
        table.add_row(r.release, r.id, r.years, r.months_covered, f"[{style}]{r.status}[/]", r.found_in,
                      *("-" if pd.isna(v) else f"{int(v):,}" for v in
                        (r.rows_read, r.rows_outside_pakistan, r.pakistan_events)), r.member_sha256)
    _console().print(table)


@data_app.command("pull", epilog=examples("workbench data pull 25.1", "workbench data pull 26.0.8"))
def pull_command(
    release: Annotated[str, typer.Argument(help="A UCDP release: its version (25.1, 26.0.8) or catalog id.")],
) -> None:
    """Fetch a UCDP release into the cache (checked by sha256), and extract and cache its Pakistan events."""
    from workbench.sources.releases import find_release, release_events, require

    r = find_release(release)
    path = require(r)
    events = release_events(r)
    outside = events.attrs.get("rows_outside_pakistan", 0)
    typer.echo(f"{r.label}: {path} verified; {len(events):,} Pakistan events"
               + (f" ({events.attrs['rows_read']:,} rows read, {outside:,} of other countries left out)"
                  if r.scope == "global" else ""))


@data_app.command("revisions", epilog=examples("workbench data revisions 25.1 26.1",
                                                 "workbench data revisions 22.1 26.0.2 --csv revisions.csv"))
def revisions_command(
    old: Annotated[str, typer.Argument(help="The older release: version (22.1, 26.0.2) or catalog id.")],
    new: Annotated[str, typer.Argument(help="The newer release.")],
    csv: Annotated[Path | None, typer.Option(help="Also write the table by year and province to this CSV.")] = None,
) -> None:
    """Events added, removed and changed (deaths, location, type) from one UCDP release to another, by year and
    province, matched by event id over the months both cover."""
    from rich.table import Table

    from workbench.sources.releases import find_release
    from workbench.sources.ucdp_revisions import NOTE, revisions

    a, b = find_release(old), find_release(new)
    rev = revisions(a, b)
    typer.echo(f"Revisions from {rev.old} to {rev.new}; compared: {rev.compared}.")
    if not rev.months:
        typer.echo(f"{a.label} covers {a.first_year}-{a.last_year} and {b.label} covers "
                   f"{b.first_year}-{b.last_year}: there is nothing to compare.")
        return
    totals = rev.totals()
    typer.echo("Events: " + ", ".join(f"{n:,} {s}" for s, n in totals.items()))
    table = Table(title=f"{rev.old} -> {rev.new}, by year and province (current layout)")
    for col in rev.summary.columns:
        table.add_column(col.replace("_", " "), justify="right" if col not in ("province",) else "left")
    for row in rev.summary.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    _console().print(table)
    typer.echo(NOTE)
    if csv is not None:
        from workbench.store import write_csv

        write_csv(rev.summary, csv)
        typer.echo(f"wrote {csv}")


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
