"""Commands of `workbench` (see cli.py): the policy file and the implementation tracker.

    workbench policy show [summary|interventions|priorities|drivers|geographies|claims|attention] [--r H4] [--csv F]
    workbench tracker template [PATH]
    workbench tracker check PATH [--by r|body]
    workbench policy scorecard [--level province|district] [--csv F] [--figure F]
    workbench claims [--format table|csv|html|pdf] [--claim ID] [--table claims|parts|sensitivity|numbers|matrix|
                     policy_period] [--violence-source ID] [--out FILE] [--matrix-source ID[@RELEASE]]
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import typer

from workbench.cli.helptext import command_group, examples

if TYPE_CHECKING:
    import pandas as pd

PolicyView = Literal["summary", "interventions", "priorities", "drivers", "geographies", "claims", "attention"]
_VIEWS: tuple[str, ...] = PolicyView.__args__  # type: ignore[attr-defined]

policy_app = command_group("NISP 2018 as data: drivers, Rs, priorities, interventions, claims.")
tracker_app = command_group("The implementation tracker: Annex A's indicators as a table SARC fills in.")


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
        from workbench.report.tables import write_table_csv

        write_table_csv(df, csv)
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
        from workbench.report.tables import write_table_csv

        write_table_csv(card, csv)
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


ClaimsFormat = Literal["table", "csv", "html", "pdf"]
ClaimsTable = Literal["claims", "parts", "sensitivity", "numbers", "matrix", "policy_period"]
_VERDICT_STYLE = {"supported": "bold green", "not supported": "bold red", "mixed": "bold yellow",
                  "cannot be tested with available data": "bold blue"}


def _print_claim(console: object, result: object) -> None:
    """One claim as a block: verdict, parts, the numbers, measure and proxy, period, sensitivity, caveats, sources."""
    from rich.markup import escape
    from rich.panel import Panel

    from workbench.sources.credits import describe_sources

    r = result
    provisional = " [bold dark_orange](provisional)[/]" if r.provisional else ""
    lines = [f"[{_VERDICT_STYLE[r.verdict]}]{r.verdict.upper()}[/]{provisional}  {escape(r.reason)}",
             f"[bold]quote[/] ({escape(r.source)}, {escape(r.section)}): \"{escape(r.quote)}\"",
             f"[bold]claim[/]: {escape(r.expected)}"]
    if len(r.parts):
        for p in r.parts[r.parts["scenario"] == "primary"].itertuples():
            lines.append(f"[bold]part {escape(p.part)}[/] ({escape(p.statement)}): "
                         f"[{_VERDICT_STYLE[p.verdict]}]{escape(p.verdict)}[/]: {escape(p.reason)}")
    if r.observed:
        lines.append(f"[bold]numbers[/]: {escape(r.observed)}")
    lines.append(f"[bold]measure stated[/]: {escape(r.measure_stated)}; "
                 f"[bold]measure used[/]: {escape(r.measure_used)}")
    if r.measure_note:
        lines.append(f"[bold]other measure[/] (informs, does not decide): {escape(r.measure_note)}")
    if r.proxy:
        lines.append(f"[bold]proxy[/]: {escape(r.proxy)}")
    if r.period_used:
        lines.append(f"[bold]period[/]: {escape(r.period_used)}")
    if r.lacking:
        lines.append(f"[bold]years lacking in the source[/]: {escape(r.lacking)}")
    if r.provisional_note:
        lines.append(f"[bold]provisional[/]: {escape(r.provisional_note)}")
    lines.append(f"[bold]violence source[/]: {escape(r.violence_source)}")
    if r.sensitivity_text:
        lines.append(f"[bold]sensitivity[/]: {escape(r.sensitivity_text)}")
    for caveat in r.caveats:
        lines.append(f"[bold]caveat[/]: {escape(caveat)}")
    lines.append(f"[dim]{escape(describe_sources(r.sources))}[/]")
    console.print(Panel("\n".join(lines), title=f"[bold]{escape(r.claim_id)}[/]", title_align="left"))


def _matrix_choices(given: list[str] | None) -> list[str | tuple[str, dict[str, str]]] | None:
    """``--matrix-source`` values: ``ID``, or ``ID@RELEASE`` for a release of a source (``ged_release``)."""
    if not given:
        return None
    out: list[str | tuple[str, dict[str, str]]] = []
    for value in given:
        source_id, _, release = value.partition("@")
        out.append((source_id, {"ged_release": release}) if release else source_id)
    return out


def claims(
    fmt: str = typer.Option("table", "--format",
                            help="table (one block per claim), csv (a tidy table, on stdout or --out), or html / pdf "
                                 "(the audit brief, a standalone document; needs --out)."),
    claim: list[str] | None = typer.Option(None, "--claim", help="Only this claim id (repeat for several)."),
    table: str = typer.Option("claims", "--table",
                              help="With --format csv: claims (one row per claim), parts (one row per part of a "
                                   "compound claim), sensitivity (one row per claim and specification), numbers "
                                   "(the numbers behind each verdict), matrix (each claim on each source) or "
                                   "policy_period (the policy's own period against the years before)."),
    violence_source: str = typer.Option("ucdp_ged_pak", "--violence-source",
                                        help="Violence counts: ucdp_ged_pak, or a registered analyst's source "
                                             "(workbench sources list)."),
    out: Path | None = typer.Option(None, "--out", help="Write the CSV or the audit brief to this file."),
    matrix_source: list[str] | None = typer.Option(
        None, "--matrix-source", help="A source of the verdict matrix (repeat; ID, or ID@RELEASE for a release); "
                                      "default every source that resolves (workbench sources list)."),
) -> None:
    """Audit the policy's empirical claims: a computed verdict for each, with numbers, sources and caveats."""
    import sys

    from rich.console import Console

    from workbench.errors import ParameterError
    from workbench.policy.claims import (
        audit_claims,
        claims_frame_from,
        numbers_frame_from,
        parts_frame_from,
        sensitivity_frame_from,
    )
    from workbench.report.audit_brief import check_brief_format
    from workbench.report.tables import write_table_csv

    formats: tuple[str, ...] = ClaimsFormat.__args__  # type: ignore[attr-defined]
    tables: tuple[str, ...] = ClaimsTable.__args__  # type: ignore[attr-defined]
    if fmt not in formats:
        raise ParameterError(f"--format must be one of {', '.join(formats)}; got {fmt!r}")
    if table not in tables:
        raise ParameterError(f"--table must be one of {', '.join(tables)}; got {table!r}")
    if fmt in ("html", "pdf"):
        if out is None:
            raise ParameterError(f"--format {fmt} writes the audit brief to a file: give --out FILE")
        check_brief_format(fmt)
    if out is not None and fmt == "table":
        raise ParameterError("--out needs --format csv, html or pdf")
    choices = _matrix_choices(matrix_source)
    if fmt == "csv" and table in ("matrix", "policy_period"):
        write_table_csv(_extra_table(table, claim or None, violence_source, choices), out or sys.stdout)
        return
    results = audit_claims(claim_ids=claim or None, violence_source=violence_source)
    if fmt == "csv":
        build = {"claims": claims_frame_from, "parts": parts_frame_from, "sensitivity": sensitivity_frame_from,
                 "numbers": numbers_frame_from}
        write_table_csv(build[table](results), out or sys.stdout)
        return
    from workbench.panel.violence import source_label

    if fmt in ("html", "pdf"):
        from workbench.policy.matrix import verdict_matrix
        from workbench.policy.policy_period import policy_period_view
        from workbench.report.audit_brief import render_audit_brief, write_audit_brief

        sources = choices or None
        matrix = verdict_matrix(sources, claim_ids=claim or None)
        page = render_audit_brief(results, matrix=matrix, period_view=policy_period_view(violence_source),
                                  source_label=source_label(violence_source))
        written = write_audit_brief(out, page, fmt)
        typer.echo(f"wrote the audit brief {written} ({len(results)} claims, {len(matrix.results)} source(s) in "
                   "the matrix" + (f"; left out: {', '.join(matrix.skipped)}" if matrix.skipped else "") + ")")
        return
    from rich.markup import escape

    console = Console(width=140)
    console.print(f"[bold]Violence source[/]: {escape(violence_source)}, {escape(source_label(violence_source))}")
    for r in results:
        _print_claim(console, r)
    import pandas as pd

    counts = pd.Series([r.verdict for r in results]).value_counts()
    provisional = sum(r.provisional for r in results)
    console.print("Verdicts: " + ", ".join(f"{k} {v}" for k, v in counts.items())
                  + (f" ({provisional} provisional)" if provisional else "")
                  + ". Rules and thresholds: docs/claims.md.")


def _extra_table(table: str, claim_ids: list[str] | None, violence_source: str,
                 choices: list[str | tuple[str, dict[str, str]]] | None) -> pd.DataFrame:
    """The matrix (one row per claim and source, with the disagreement mark) or the policy-period view."""
    if table == "policy_period":
        from workbench.policy.policy_period import policy_period_view

        return policy_period_view(violence_source)
    from workbench.policy.matrix import verdict_matrix

    matrix = verdict_matrix(choices, claim_ids=claim_ids)
    marks = matrix.table.set_index("claim_id")["disagree"]
    return matrix.cells.assign(disagree=matrix.cells["claim_id"].map(marks))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the top-level app."""
    app.add_typer(policy_app, name="policy")
    app.add_typer(tracker_app, name="tracker")
    app.command("claims", epilog=examples("workbench claims", "workbench claims --claim D3.deprived_regions_most_militancy",
                                          "workbench claims --format csv --table sensitivity > sensitivity.csv",
                                          "workbench claims --violence-source kp_ctd_log"))(claims)
