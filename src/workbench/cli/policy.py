"""Commands of `workbench` (see cli.py): the policy file and the implementation tracker.

    workbench policy show [summary|interventions|priorities|drivers|geographies|claims|attention] [--r H4] [--csv F]
    workbench tracker template [PATH]
    workbench tracker check PATH [--by r|body]
    workbench policy scorecard [--level province|district] [--csv F] [--figure F]
    workbench claims [--format table|csv] [--claim ID] [--table claims|sensitivity|numbers] [--violence-source ID]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from workbench.cli.helptext import examples

if TYPE_CHECKING:
    import pandas as pd

PolicyView = Literal["summary", "interventions", "priorities", "drivers", "geographies", "claims", "attention"]
_VIEWS: tuple[str, ...] = PolicyView.__args__  # type: ignore[attr-defined]

policy_app = typer.Typer(help="NISP 2018 as data: drivers, Rs, priorities, interventions, claims.",
                         no_args_is_help=True)
tracker_app = typer.Typer(help="The implementation tracker: Annex A's indicators as a table SARC fills in.",
                          no_args_is_help=True)


def print_table(df: pd.DataFrame, title: str, columns: list[str] | None = None) -> None:
    """Print a frame as a rich table (empty cells for missing values)."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    shown = df[columns] if columns else df
    table = Table(title=title, show_lines=False)
    for col in shown.columns:
        table.add_column(str(col), overflow="fold")
    for row in shown.itertuples(index=False):
        table.add_row(*["" if (not isinstance(x, (list, tuple)) and pd.isna(x)) else str(x) for x in row])
    Console(width=200).print(table)


@policy_app.command("show", epilog=examples("workbench policy show", "workbench policy show interventions --r H4",
                                             "workbench policy show claims --csv claims.csv"))
def policy_show(
    what: str = typer.Argument("summary", help=f"One of: {', '.join(_VIEWS)}."),
    r: str | None = typer.Option(None, "--r", help="Only this R (H1-H6) where the view has one."),
    csv: Path | None = typer.Option(None, "--csv", help="Also write the table to this CSV file."),
) -> None:
    """Show the policy file as a table (checked on load)."""
    from workbench.errors import ParameterError
    from workbench.policy import nisp

    if what not in _VIEWS:
        raise ParameterError(f"unknown view {what!r}; choose one of: {', '.join(_VIEWS)}")
    policy = nisp.load_policy()
    if r is not None and r not in {x.id for x in policy.rs}:
        raise ParameterError(f"unknown R {r!r}; choose one of: {', '.join(x.id for x in policy.rs)}")
    views = {
        "summary": (nisp.attention_by_R, ["r", "name", "n_interventions", "n_intervention_items", "n_priority_items",
                                          "n_annex_indicators", "n_items_without_indicator", "n_units_named"]),
        "interventions": (nisp.interventions_frame, ["id", "r", "section", "bodies", "n_indicators", "text"]),
        "priorities": (nisp.priorities_frame, ["number", "r_name", "refers_to", "text"]),
        "drivers": (nisp.drivers_frame, ["driver", "name", "indicator", "role", "not_measurable_reason"]),
        "geographies": (nisp.geographies_frame, ["geography", "name", "unit_id", "n_mentions", "unit_ids_note"]),
        "claims": (nisp.claims_frame, ["id", "comparison", "geography", "indicators", "data_can_speak", "quote"]),
        "attention": (nisp.attention_by_geography, ["unit_id", "geographies", "n_interventions", "n_priority_items",
                                                    "n_key_areas", "n_mentions", "n_judgement_links"]),
    }
    build, columns = views[what]
    df = build(policy)
    if r is not None and "r" in df.columns:
        df = df[df["r"] == r]
    if csv is not None:
        df.to_csv(csv, index=False)
    note = df.attrs.get("basis")
    print_table(df, f"NISP 2018: {what}" + (f" ({r})" if r else ""), columns)
    if note:
        typer.echo(f"Note: {note}")


@policy_app.command("scorecard", epilog=examples(
    "workbench policy scorecard", "workbench policy scorecard --level district --csv scorecard.csv",
    "workbench policy scorecard --figure need_attention.png"))
def policy_scorecard(
    level: str = typer.Option("province", "--level", help="province (pre-2018 layout) or district (2023 census)."),
    csv: Path | None = typer.Option(None, "--csv", help="Write the scorecard (all columns) to this CSV file."),
    figure: Path | None = typer.Option(None, "--figure", help="Write the need x attention heatmap to this image."),
) -> None:
    """Need (data) against attention (encoding judgement) per unit and driver indicator."""
    from workbench.errors import ParameterError
    from workbench.policy.alignment import LEVELS, build_scorecard
    from workbench.report.charts import need_attention_heatmap

    if level not in LEVELS:
        raise ParameterError(f"--level must be one of {', '.join(LEVELS)}; got {level!r}")
    if figure is not None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        kinds = FigureCanvasAgg.get_supported_filetypes()
        if figure.suffix.lstrip(".").lower() not in kinds:
            raise ParameterError(f"--figure {figure}: the file name must end in one of "
                                 f"{', '.join('.' + k for k in sorted(kinds))}")
    card = build_scorecard(level=level)  # type: ignore[arg-type]
    if csv is not None:
        card.to_csv(csv, index=False, lineterminator="\n")
    if figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = need_attention_heatmap(card)
        fig.savefig(figure, dpi=150, bbox_inches="tight")
        plt.close(fig)
    top = (card.dropna(subset=["need_rank"]).sort_values(["driver", "indicator", "need_rank"], kind="stable")
           .groupby(["driver", "indicator"], sort=False).head(3))
    top = top.assign(value=top["value"].round(3), need_minus_attention=top["need_minus_attention"].round(2))
    print_table(top, f"Need against attention ({level}): the three neediest units per indicator",
                ["driver", "indicator", "unit_name", "value", "measured_year", "need_rank", "n_ranked",
                 "n_interventions", "n_mentions", "need_minus_attention"])
    typer.echo("Need: data. Attention: encoding judgement (passages naming the unit). Rules: docs/claims.md."
               + (f" Not ranked: {'; '.join(f'{k} ({v})' for k, v in card.attrs['not_ranked'].items())}."
                  if card.attrs.get("not_ranked") else ""))


@tracker_app.command("template", epilog=examples("workbench tracker template data/private/tracker.csv"))
def tracker_template(
    path: Path = typer.Argument(Path("data/policy/tracker_template.csv"), help="CSV file to write."),
) -> None:
    """Write the empty tracker: one row per intervention and Annex A indicator."""
    from workbench.policy.tracker import write_template

    out = write_template(path)
    typer.echo(f"wrote {out} ({sum(1 for _ in out.open(encoding='utf-8')) - 1} indicator rows)")


@tracker_app.command("check", epilog=examples("workbench tracker check data/private/tracker.csv",
                                                "workbench tracker check data/private/tracker.csv --by body"))
def tracker_check(
    path: Path = typer.Argument(..., help="A filled tracker CSV."),
    by: str = typer.Option("r", "--by", help="Count progress by 'r' or by 'body'."),
) -> None:
    """Check a filled tracker and count recorded progress (exit 1 with the problems if it breaks a rule)."""
    from workbench.errors import ParameterError
    from workbench.policy.tracker import progress_by_body, progress_by_R, read_tracker

    if by not in ("r", "body"):
        raise ParameterError(f"--by must be 'r' or 'body', found {by!r}")
    tracker = read_tracker(path)
    for note in tracker.attrs["read_notes"]:
        typer.echo(f"note: {note}", err=True)
    progress = progress_by_R(tracker) if by == "r" else progress_by_body(tracker)
    print_table(progress, f"Tracker {path}: progress by {by} (counts of recorded values only)")


ClaimsFormat = Literal["table", "csv"]
ClaimsTable = Literal["claims", "sensitivity", "numbers"]
_VERDICT_STYLE = {"supported": "bold green", "not supported": "bold red", "mixed": "bold yellow",
                  "cannot be tested with available data": "bold blue"}


def _print_claim(console: object, result: object) -> None:
    """One claim as a block: verdict, the numbers, measure and proxy, period, sensitivity, caveats, sources."""
    from rich.markup import escape
    from rich.panel import Panel

    from workbench.sources.credits import describe_sources

    r = result
    lines = [f"[{_VERDICT_STYLE[r.verdict]}]{r.verdict.upper()}[/]  {escape(r.reason)}",
             f"[bold]quote[/] ({escape(r.source)}, {escape(r.section)}): \"{escape(r.quote)}\"",
             f"[bold]claim[/]: {escape(r.expected)}"]
    if r.observed:
        lines.append(f"[bold]numbers[/]: {escape(r.observed)}")
    lines.append(f"[bold]measure stated[/]: {escape(r.measure_stated)}; "
                 f"[bold]measure used[/]: {escape(r.measure_used)}")
    if r.proxy:
        lines.append(f"[bold]proxy[/]: {escape(r.proxy)}")
    if r.period_used:
        lines.append(f"[bold]period[/]: {escape(r.period_used)}")
    lines.append(f"[bold]violence source[/]: {escape(r.violence_source)}")
    alternatives = r.scenarios[~r.scenarios["kind"].isin(["primary", "reading"])]
    if len(alternatives):
        if r.changed_by:
            changed = alternatives[alternatives["changes_verdict"]]
            detail = "; ".join(f"{s.scenario} ({s.description}): {s.verdict}" for s in changed.itertuples())
            lines.append(f"[bold]sensitivity[/]: {len(alternatives)} alternatives; the verdict changes under "
                         f"{escape(detail)}")
        else:
            lines.append(f"[bold]sensitivity[/]: the verdict holds under all {len(alternatives)} alternatives "
                         f"({escape(', '.join(alternatives['scenario']))})")
    for caveat in r.caveats:
        lines.append(f"[bold]caveat[/]: {escape(caveat)}")
    lines.append(f"[dim]{escape(describe_sources(r.sources))}[/]")
    console.print(Panel("\n".join(lines), title=f"[bold]{escape(r.claim_id)}[/]", title_align="left"))


def claims(
    fmt: str = typer.Option("table", "--format", help="table (one block per claim) or csv (a tidy table on stdout)."),
    claim: list[str] | None = typer.Option(None, "--claim", help="Only this claim id (repeat for several)."),
    table: str = typer.Option("claims", "--table",
                              help="With --format csv: claims (one row per claim), sensitivity (one row per "
                                   "claim and specification) or numbers (the numbers behind each verdict)."),
    violence_source: str = typer.Option("ucdp_ged_pak", "--violence-source",
                                        help="Violence counts: ucdp_ged_pak, or a registered analyst's source "
                                             "(workbench sources list)."),
) -> None:
    """Audit the policy's empirical claims: a computed verdict for each, with numbers, sources and caveats."""
    import sys

    from rich.console import Console

    from workbench.errors import ParameterError
    from workbench.policy.claims import audit_claims, claims_frame_from, numbers_frame_from, sensitivity_frame_from

    formats: tuple[str, ...] = ClaimsFormat.__args__  # type: ignore[attr-defined]
    tables: tuple[str, ...] = ClaimsTable.__args__  # type: ignore[attr-defined]
    if fmt not in formats:
        raise ParameterError(f"--format must be one of {', '.join(formats)}; got {fmt!r}")
    if table not in tables:
        raise ParameterError(f"--table must be one of {', '.join(tables)}; got {table!r}")
    results = audit_claims(claim_ids=claim or None, violence_source=violence_source)
    if fmt == "csv":
        build = {"claims": claims_frame_from, "sensitivity": sensitivity_frame_from, "numbers": numbers_frame_from}
        build[table](results).to_csv(sys.stdout, index=False, lineterminator="\n")
        return
    from rich.markup import escape

    from workbench.panel.violence import source_label

    console = Console(width=140)
    console.print(f"[bold]Violence source[/]: {escape(violence_source)}, {escape(source_label(violence_source))}")
    for r in results:
        _print_claim(console, r)
    import pandas as pd

    counts = pd.Series([r.verdict for r in results]).value_counts()
    console.print("Verdicts: " + ", ".join(f"{k} {v}" for k, v in counts.items())
                  + ". Rules and thresholds: docs/claims.md.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.add_typer(policy_app, name="policy")
    app.add_typer(tracker_app, name="tracker")
    app.command("claims", epilog=examples("workbench claims", "workbench claims --claim D3.deprived_regions_most_militancy",
                                          "workbench claims --format csv --table sensitivity > sensitivity.csv",
                                          "workbench claims --violence-source kp_ctd_log"))(claims)
