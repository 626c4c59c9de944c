"""The audit brief: the claims audit as one standalone document (HTML, or PDF printed from it).

``workbench claims --format html|pdf --out FILE`` writes it: the verdict matrix across sources,
then each claim with its quote, parts, verdict, numbers, the measure it states against the one
that informs, sensitivity and caveats, the descriptive view of the policy's own period, the rules,
and the sources with their vintage. The page fetches nothing (inline CSS, no script), so it opens
offline.

The export rules hold for every file this module writes:

* written atomically (a temporary file beside the target, then ``os.replace``): a failed write
  leaves the previous file as it was;
* no live formulas: a CSV cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  is prefixed with ``'`` (:func:`workbench.report.tables.export_ready`; numbers stay numbers);
* no private rows or paths: the brief holds the audit's aggregates and the sources' credit lines
  (an analyst's source is named by its registered id, title and checksum, never its path).
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from workbench import __version__
from workbench.policy.audit import ClaimResult
from workbench.policy.matrix import VerdictMatrix
from workbench.policy.policy_period import DESCRIPTIVE_NOTE
from workbench.policy.verdicts import CANNOT, MIXED, NOT_SUPPORTED, SUPPORTED
from workbench.report.outputs import OutputError
from workbench.report.tables import atomic_write
from workbench.sources.credits import describe_sources

BRIEF_FORMATS: tuple[str, ...] = ("html", "pdf")
_VERDICT_CLASS = {SUPPORTED: "supported", NOT_SUPPORTED: "not-supported", MIXED: "mixed", CANNOT: "cannot"}
_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1d1d1d; max-width: 60em;
       margin: 1.5em auto; line-height: 1.35; }
h1 { font-size: 17pt; margin-bottom: 0.2em; } h2 { font-size: 13pt; border-bottom: 1px solid #999;
     margin-top: 1.6em; } h3 { font-size: 11pt; margin: 0.2em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.4em 0 0.2em; font-size: 8.5pt; }
th, td { border: 1px solid #bbb; padding: 2px 4px; vertical-align: top; text-align: left; }
th { background: #eee; } tr { break-inside: avoid; }
.claim { border: 1px solid #bbb; border-radius: 3px; padding: 0.5em 0.8em; margin: 0.8em 0;
         break-inside: avoid; }
blockquote { margin: 0.3em 0 0.3em 1em; font-style: italic; color: #333; }
.verdict { font-weight: bold; padding: 0 4px; border-radius: 2px; white-space: nowrap; }
.supported { background: #d9f0d3; } .not-supported { background: #f6d5d5; } .mixed { background: #fbeccb; }
.cannot { background: #dde4ee; } .provisional { font-weight: bold; color: #8a4b00; }
.numbers { font-size: 8pt; color: #333; } .caption, .note, .footnote { font-size: 8pt; color: #444; }
.disagree { font-weight: bold; color: #8a1c1c; }
dl { display: grid; grid-template-columns: 12em 1fr; gap: 2px 8px; margin: 0.3em 0; }
dt { font-weight: bold; } dd { margin: 0; } dd ul { margin: 0; padding-left: 1.2em; }
"""


# --------------------------------------------------------------------------- export rules


# --------------------------------------------------------------------------- rendering


def _e(value: object) -> str:
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else html.escape(str(value))


def _verdict(verdict: str, provisional: bool = False) -> str:
    badge = f'<span class="verdict {_VERDICT_CLASS.get(verdict, "")}">{_e(verdict)}</span>'
    return badge + (' <span class="provisional">(provisional)</span>' if provisional else "")


def _footnote(ids: Sequence[str]) -> str:
    return f'<p class="footnote">{_e(describe_sources(ids))}</p>' if ids else ""


def _table(df: pd.DataFrame, columns: Sequence[str], headers: Sequence[str] | None = None) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in (headers or columns))
    body = "".join("<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>"
                   for row in df[list(columns)].itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _matrix_section(matrix: VerdictMatrix) -> str:
    columns = list(matrix.results)
    head = "<th>claim</th>" + "".join(f"<th>{_e(c)}<br><span class='caption'>{_e(matrix.labels[c])}</span></th>"
                                      for c in columns) + "<th>sources disagree</th>"
    cells = matrix.cells.set_index(["claim_id", "column"])
    rows = []
    for r in matrix.table.itertuples(index=False):
        tds = [f"<td>{_e(r.claim_id)}</td>"]
        for c in columns:
            cell = cells.loc[(r.claim_id, c)]
            behind = cell["observed"] if cell["verdict"] != CANNOT else cell["reason"]  # the numbers, or why none
            tds.append(f"<td>{_verdict(cell['verdict'], bool(cell['provisional']))}"
                       f"<div class='numbers'>{_e(behind)}</div></td>")
        tds.append(f"<td class='disagree'>{'≠ ' + _e(r.agreement) if r.disagree else ''}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    skipped = "".join(f"<li>{_e(k)}: {_e(v)}</li>" for k, v in matrix.skipped.items())
    return ("<h2>Verdicts across sources</h2><p class='note'>Each claim audited on each violence source, with the "
            "numbers behind each verdict. ≠ marks a claim whose verdict depends on the data chosen (the sources that "
            "can test it disagree). Claims that read no violence data (census, area, MPI, youth) are the same in "
            "every column.</p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            + (f"<p class='note'>Sources left out:</p><ul class='note'>{skipped}</ul>" if skipped else "")
            + _footnote(matrix.cells.attrs.get("sources", [])))


def _claim_section(r: ClaimResult) -> str:
    out = [f"<div class='claim'><h3>{_e(r.claim_id)} <span class='caption'>({_e(r.source)}, {_e(r.section)})"
           "</span></h3>", f"<blockquote>“{_e(r.quote)}”</blockquote>",
           f"<p><b>Claim</b>: {_e(r.expected)}<br><b>Verdict</b>: {_verdict(r.verdict, r.provisional)} "
           f"{_e(r.reason)}</p>"]
    if len(r.parts):
        primary = r.parts[r.parts["scenario"] == "primary"]
        out.append("<p><b>Parts</b> (the claim's verdict is derived from them: supported only if every part is; "
                   "see Rules)</p>" + _table(primary, ["part", "statement", "verdict", "reason", "observed"]))
    informing = "; ".join(f"{s.description}: {s.verdict} ({s.observed})"
                          for s in r.scenarios[r.scenarios["kind"] == "measure"].itertuples())
    dl = [("Numbers", r.observed), ("Measure stated", r.measure_stated), ("Measure used", r.measure_used),
          ("Proxy", r.proxy), ("Other measure (informs, does not decide)", informing),
          ("Where it disagrees", r.measure_note), ("Period", r.period_used),
          ("Years lacking in the source", r.lacking), ("Provisional", r.provisional_note),
          ("Violence source", r.violence_source)]
    dl.append(("Sensitivity", r.sensitivity_text))
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in dl if v)
    if r.caveats:
        items += "<dt>Caveats</dt><dd><ul>" + "".join(f"<li>{_e(c)}</li>" for c in r.caveats) + "</ul></dd>"
    out.append(f"<dl>{items}</dl>")
    out.append(_footnote(r.sources) + "</div>")
    return "".join(out)


def _period_section(view: pd.DataFrame) -> str:
    (b0, b1), (a0, a1) = view.attrs["windows"]["before"], view.attrs["windows"]["after"]
    shown = view.assign(
        **{c: view[c].map(lambda x: "" if pd.isna(x) else f"{x:,.2f}" if "100k" in c else f"{x:,.1f}")
           for c in view.columns if c.startswith(("events_per", "deaths_per", "deaths_change"))},
        partial=view["partial"].map({True: "partial", False: ""}))
    columns = ["unit_name", "unit_kind", "before_years", "after_years", "events_per_year_before",
               "events_per_year_after", "deaths_per_year_before", "deaths_per_year_after", "deaths_change_pct",
               "deaths_per_100k_before", "deaths_per_100k_after", "partial", "note"]
    headers = ["unit", "kind", f"before ({b0}-{b1})", f"during ({a0}-{a1})", "events/yr before", "events/yr during",
               "deaths/yr before", "deaths/yr during", "deaths change %", "deaths per 100k before",
               "deaths per 100k during", "partial", "years lacking"]
    provisional = (" <span class='provisional'>The source's counts are provisional.</span>"
                   if view.attrs.get("provisional") else "")
    return (f"<h2>The policy's own period, described ({a0}-{a1} against {b0}-{b1})</h2>"
            f"<p class='note'>{_e(view.attrs.get('note', DESCRIPTIVE_NOTE))} Per year on average over the years the "
            f"source gives; <b>partial</b> where it lacks years of a window (named).{provisional} Deaths per 100,000 "
            "person-years for the country and the provinces with a census population.</p>"
            + _table(shown, columns, headers) + _footnote(view.attrs.get("sources", [])))


_RULES = """<h2>Rules</h2><dl>
<dt>Verdicts</dt><dd>computed from the numbers by documented rules (docs/claims.md), never written by hand:
supported, not supported, mixed (the parts of a compound claim disagree, or admissible readings do), cannot be tested
with available data.</dd>
<dt>Compound claims</dt><dd>judged part by part; the claim is supported only if every part is; not supported when
no part that can be tested holds; cannot be tested when the parts tested hold but another cannot be tested;
mixed otherwise.</dd>
<dt>A peak is a maximum</dt><dd>a part naming a peak year is supported only where that year is the series' maximum
over the claim's period; a local maximum is reported as one, with the true maximum's year and value.</dd>
<dt>The stated measure decides</dt><dd>the measure the claim states decides the verdict; the other (deaths per
100,000 beside absolute deaths, and the reverse) is computed and shown, with a note where it disagrees.</dd>
<dt>Partial coverage</dt><dd>national claims use national figures (the sum of provinces only in a year where every
province is given); the years a source lacks are named; where they could change the verdict it is given over the
years covered and marked provisional, as are counts the source marks provisional (UCDP Candidate events).</dd>
<dt>Periods stay as written</dt><dd>a newer release revises the numbers inside a claim's period, never extends it.
</dd></dl>"""


def render_audit_brief(results: Sequence[ClaimResult], *, matrix: VerdictMatrix | None = None,
                       period_view: pd.DataFrame | None = None, source_label: str = "") -> str:
    """The audit brief as one standalone HTML page.

    Parameters
    ----------
    results:
        The audit on the brief's violence source (:func:`workbench.policy.claims.audit_claims`).
    matrix:
        The verdict matrix across sources (:func:`workbench.policy.matrix.verdict_matrix`), or None.
    period_view:
        :func:`workbench.policy.policy_period.policy_period_view`, or None.
    source_label:
        The violence source's label (title and years), for the heading.
    """
    if not results:
        raise OutputError("an audit brief needs at least one audited claim")
    counts = pd.Series([r.verdict for r in results]).value_counts()
    provisional = sum(r.provisional for r in results)
    source = results[0].violence_source
    summary = ", ".join(f"{_verdict(k)} {v}" for k, v in counts.items())
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>NISP 2018 claims audit</title>"
             f"<style>{_CSS}</style></head><body>",
             "<h1>NISP 2018: audit of its empirical claims</h1>",
             f"<p>Violence counts: <b>{_e(source)}</b>{(', ' + _e(source_label)) if source_label else ''}. "
             f"{len(results)} claims: {summary}"
             + (f"; {provisional} provisional" if provisional else "") + ".</p>",
             f"<p class='note'>Written {date.today().isoformat()} by nisp-workbench {_e(__version__)}. Province "
             "comparisons involve 4-8 units: they describe, they do not test. Associations are not causes.</p>"]
    if matrix is not None:
        parts.append(_matrix_section(matrix))
    parts.append("<h2>The claims</h2>" + "".join(_claim_section(r) for r in results))
    if period_view is not None:
        parts.append(_period_section(period_view))
    parts.append(_RULES)
    every = list(dict.fromkeys(s for r in results for s in r.sources))
    parts.append("<h2>Sources</h2>" + _footnote(every) + "</body></html>")
    return "".join(parts)


def _pdf_printer() -> Callable[[Path, Path], object]:
    """The PDF printer; refuses at once when there is no Chromium to print with."""
    from workbench.report.pdf import MISSING_MESSAGE, find_chromium, html_to_pdf

    if find_chromium() is None:
        raise OutputError(f"{MISSING_MESSAGE}: write the brief with --format html and print it from a browser")
    return html_to_pdf


def check_brief_format(fmt: str) -> None:
    """Refuse, before any computation, a format the brief cannot be written in (PDF without its printer).

    Raises
    ------
    OutputError
        An unknown format, or PDF where no Chromium is found (the HTML brief is then the way).
    """
    if fmt not in BRIEF_FORMATS:
        raise OutputError(f"an audit brief is written as {' or '.join(BRIEF_FORMATS)}; got {fmt!r}")
    if fmt == "pdf":
        _pdf_printer()


def write_audit_brief(path: Path, page: str, fmt: str = "html") -> Path:
    """Write a rendered brief (:func:`render_audit_brief`) to ``path`` as HTML or PDF, atomically
    (see :func:`check_brief_format` for what is refused)."""
    check_brief_format(fmt)
    path = Path(path)
    if fmt == "html":
        return atomic_write(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
    html_to_pdf = _pdf_printer()
    with tempfile.TemporaryDirectory(prefix="audit-brief-") as folder:
        source = Path(folder) / "brief.html"
        source.write_text(page, encoding="utf-8")
        return atomic_write(path, lambda tmp: html_to_pdf(source, tmp))
