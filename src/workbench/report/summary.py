"""The summary of findings that opens each report page: sentences computed from results.

Each builder takes the frames a notebook has computed and returns :class:`Finding` objects: one
sentence with the caveats that qualify it (provisional data, a small sample, a proxy measure, an
association rather than a cause). A sentence with causal wording ("causes", "leads to", "drives",
"due to", ...) is refused when it is made, so an association can never be reported as an effect.
:func:`show_summary` displays them; the notebook's summary cell is tagged ``summary`` and the HTML
page moves it up to follow the title (:func:`workbench.report.html.summary_first`).

Builders: :func:`audit_findings` (00), :func:`violence_findings` (10), :func:`inequality_findings`
(20), :func:`youth_findings` (30), :func:`model_findings` (40), :func:`policy_findings` (50); the
generic :func:`provisional_caveat`, :func:`small_sample_caveat` and :data:`ASSOCIATION` serve new
notebooks.

>>> str(Finding("Punjab recorded 1,400 deaths.", (small_sample_caveat(4, "provinces"),)))
'Punjab recorded 1,400 deaths. (Only 4 provinces: a description, not a test.)'
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.formatting import format_count, format_number, format_p_value, format_share
from workbench.report.tables import label

#: Fewer units than this make a comparison descriptive only.
SMALL_SAMPLE = 10
#: Fewer events than this make a unit's deaths per event fragile.
FEW_EVENTS = 30
ASSOCIATION = "An association across units, not evidence of cause and effect."
PROVISIONAL = "Provisional data (a UCDP Candidate release or another preliminary source): figures may change."
#: Wording that claims cause and effect; refused in every summary sentence.
CAUSAL_WORDING = re.compile(
    r"\b(caus\w*|lead(s)? to|led to|leading to|driv(e|es|en|ing)|drove|result(s|ed)? in|because of|due to|"
    r"effect(s)? of|impact(s|ed)?|produc(e|es|ed)|bring(s)? about|brought about)\b",
    re.IGNORECASE,
)


class SummaryWordingError(WorkbenchError):
    """A summary sentence that words an association as cause and effect."""


@dataclass(frozen=True)
class Finding:
    """One computed sentence and the caveats that travel with it."""

    text: str
    caveats: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        found = CAUSAL_WORDING.search(self.text)
        if found:
            raise SummaryWordingError(
                f"summary sentence {self.text!r} uses causal wording ({found.group(0)!r}); these data show "
                "associations: say 'is associated with', 'coincides with', 'was higher where'")
        object.__setattr__(self, "caveats", tuple(dict.fromkeys(c for c in self.caveats if c)))

    def __str__(self) -> str:
        if not self.caveats:
            return self.text
        return f"{self.text} ({' '.join(_sentence(c) for c in self.caveats)})"

    def html(self) -> str:
        """The sentence, then its caveats in a muted span."""
        caveat = " ".join(_sentence(c) for c in self.caveats)
        tail = f' <span class="wb-caveat">({html.escape(caveat)})</span>' if caveat else ""
        return f"<li>{html.escape(self.text)}{tail}</li>"


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


# --------------------------------------------------------------------------- caveats


def provisional_caveat(*frames: pd.DataFrame | None, provisional: bool | None = None) -> str:
    """:data:`PROVISIONAL` when ``provisional`` is True, or (when it is None) any frame says its data
    are provisional (``attrs["provisional"]``, set from the violence source)."""
    if provisional is None:
        provisional = any(bool(f.attrs.get("provisional")) for f in frames if f is not None)
    return PROVISIONAL if provisional else ""


def small_sample_caveat(n: int, what: str = "units") -> str:
    """A caveat when ``n`` units are too few for anything but a description."""
    return f"Only {n} {what}: a description, not a test." if n < SMALL_SAMPLE else ""


def _strength(rho: float) -> str:
    size = abs(rho)
    return ("hardly" if size < 0.1 else "weakly" if size < 0.3 else "moderately" if size < 0.5 else "strongly")


def _count(n: int, word: str) -> str:
    """``1 cell``, ``3 cells``."""
    return f"{format_count(n)} {word}{'' if int(n) == 1 else 's'}"


def _p(p_value: float) -> str:
    text = format_p_value(p_value)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


def _years(years: Sequence[int]) -> str:
    a, b = int(years[0]), int(years[-1])
    return f"{a}" if a == b else f"{a}-{b}"


# --------------------------------------------------------------------------- 00 data audit


def audit_findings(catalog: pd.DataFrame, quality: pd.DataFrame, assignment: pd.DataFrame) -> list[Finding]:
    """Checksums of the catalog, how far UCDP events could be placed, the quirks flagged.

    Parameters
    ----------
    catalog:
        ``id``, ``status`` per data set (:func:`workbench.panel.audit.catalog_table`).
    quality:
        ``flag``, ``events`` (:func:`workbench.sources.ucdp.quality_summary`).
    assignment:
        ``assignment_class``, ``events`` (:func:`workbench.geo.placement.assignment_summary`).
    """
    out = []
    bad = catalog.loc[catalog["status"] != "ok", "id"].astype(str).tolist()
    if bad:
        out.append(Finding(f"{len(bad)} of {len(catalog)} data sets do not match the sha256 recorded in the "
                           f"catalog: {', '.join(bad)}."))
    else:
        out.append(Finding(f"All {len(catalog)} data sets of the catalog match the sha256 recorded for them."))
    total = int(assignment["events"].sum())
    in_district = int(assignment.loc[assignment["assignment_class"].astype(str).str.startswith("district"),
                                     "events"].sum())
    if total:
        out.append(Finding(
            f"{format_count(in_district)} of {format_count(total)} events ({format_share(in_district / total)}) could "
            f"be placed in a district; the other {format_count(total - in_district)} are located only to a city, "
            "a province or the country and are kept at that level."))
    flags = quality.set_index("flag")["events"]
    bounds = [f for f in ("best_gt_high", "low_gt_best", "low_gt_high") if f in flags.index]
    if bounds:
        worst = max(bounds, key=lambda f: flags[f])
        each = ", ".join(f"{f.replace('_gt_', ' above ')}: {format_count(flags[f])}" for f in bounds)
        out.append(Finding(
            f"Up to {format_count(flags[worst])} events have deaths estimates out of order as published ({each}); "
            "they are flagged and counted, not corrected."))
    if "recurring_point" in flags.index and total:
        out.append(Finding(
            f"{format_count(flags['recurring_point'])} events ({format_share(flags['recurring_point'] / total)}) sit "
            "on a coordinate shared by many events (a geocoder's default point), so their place is known only "
            "roughly."))
    return out


# --------------------------------------------------------------------------- 10 violence


def violence_findings(totals: pd.DataFrame, *, yearly: pd.DataFrame | None = None,
                      rates: pd.DataFrame | None = None, level: str = "province",
                      years: Sequence[int] = (), measure: str = "deaths",
                      provisional: bool | None = None) -> list[Finding]:
    """Where most deaths were recorded, the peak year, the highest rate, the deadliest events.

    Parameters
    ----------
    totals:
        :func:`workbench.panel.violence.totals_by_unit` (``unit_name``, ``unit_level``, ``events``,
        ``deaths``, ``deaths_per_event``); ``attrs["provisional"]`` is honoured.
    yearly:
        Deaths by year (index) and province (columns), for the peak year.
    rates:
        :func:`workbench.panel.rates.violence_rates` (``deaths_per_100k``, ``attrs["years_used"]``).
    level, years, measure:
        The level of the units, the years of the totals, and what ``deaths`` counts (words).
    provisional:
        Whether the counts are provisional (the source's flag); None: read the frames' attrs.
    """
    units = totals[totals["unit_level"].astype(str) == level]
    provisional_note = provisional_caveat(totals, rates, provisional=provisional)
    caveats = (provisional_note, small_sample_caveat(len(units), f"{level}s"))
    out = []
    if len(units) and totals["deaths"].sum() > 0:
        top = units.sort_values("deaths", ascending=False).iloc[0]
        total = float(totals["deaths"].sum())
        out.append(Finding(
            f"{top['unit_name']} recorded the most {measure} of any {level}, {format_count(top['deaths'])} of "
            f"{format_count(total)} ({format_share(top['deaths'] / total)}), in {_years(years)}.", caveats))
    if yearly is not None and len(yearly):
        per_year = yearly.sum(axis=1, min_count=1).dropna()
        if len(per_year):
            peak = per_year.idxmax()
            out.append(Finding(f"Of the years shown, {int(peak)} had the most {measure} located to a province: "
                               f"{format_count(per_year[peak])}.", (provisional_note,)))
    if rates is not None and "deaths_per_100k" in rates:
        rated = rates.dropna(subset=["deaths_per_100k"])
        if len(rated):
            top = rated.sort_values("deaths_per_100k", ascending=False).iloc[0]
            used = rates.attrs.get("years_used", years)
            out.append(Finding(
                f"Per head, {top['unit_name']} had the highest rate: "
                f"{format_number(top['deaths_per_100k'], 2)} {measure} per 100,000 people a year ({_years(used)}).",
                (*caveats, "Population between censuses is interpolated, not counted.")))
    busy = units[units["events"] > 0]
    if len(busy):
        top = busy.sort_values("deaths_per_event", ascending=False).iloc[0]
        few = (f"Only {format_count(top['events'])} events: one deadly event moves this figure."
               if top["events"] < FEW_EVENTS else "")
        out.append(Finding(f"{measure[:1].upper()}{measure[1:]} per event were highest in {top['unit_name']}, "
                           f"{format_number(top['deaths_per_event'], 1)}.", (*caveats, few)))
    return out


# --------------------------------------------------------------------------- 20 inequality


def inequality_findings(national: pd.DataFrame, *, indicator: str, estimate_note: str = "",
                        census: pd.DataFrame | None = None, census_measure: str = "") -> list[Finding]:
    """The Gini over the rounds, the between-province share of Theil T, and the census measure.

    Parameters
    ----------
    national:
        One row per round (``year``, ``n_units``, ``gini``, ``theil_t``, ``theil_t_between_share``).
    indicator, estimate_note:
        The indicator in words, and how it was estimated (a caveat, e.g. a small-area model).
    census, census_measure:
        One row of inequality of a census 2023 measure across districts, and its name.
    """
    out = []
    rows = national.dropna(subset=["gini"]).sort_values("year")
    if len(rows):
        first, last = rows.iloc[0], rows.iloc[-1]
        text = (f"Across {format_count(last['n_units'])} districts, the population-weighted Gini of {indicator} was "
                f"{format_number(last['gini'], 3)} in {int(last['year'])}")
        if len(rows) > 1:
            text += f", against {format_number(first['gini'], 3)} in {int(first['year'])}"
        out.append(Finding(text + ".", (estimate_note,)))
        out.append(Finding(
            f"In {int(last['year'])}, differences between provinces made up "
            f"{format_share(last['theil_t_between_share'])} of the Theil T index; the rest lies between districts "
            "of the same province.", (estimate_note,)))
    if census is not None and len(census):
        row = census.iloc[0]
        out.append(Finding(
            f"In the 2023 census, {census_measure} across {format_count(row['n_units'])} districts has a Gini of "
            f"{format_number(row['gini'], 3)}, with {format_share(row['theil_t_between_share'])} of Theil T between "
            "provinces.", ("AJK and GB are not enumerated in the census tables.",)))
    return out


# --------------------------------------------------------------------------- 30 youth


def youth_findings(claim: pd.DataFrame, districts: pd.DataFrame, both: pd.DataFrame, *, label: str,
                   rho: float | None, years: Sequence[int] = (), provisional: bool | None = None) -> list[Finding]:
    """NISP's "60% young" against the census, the highest district, youth beside violence.

    Parameters
    ----------
    claim:
        The definitions of "young" with ``definition``, ``share``, ``closest``.
    districts:
        Districts ranked by the youth measure (``unit_name``, ``province``, ``share_pct``).
    both:
        Districts with both the youth measure and a death rate (its length is the sample).
    label, rho, years:
        The youth measure in words, the Spearman correlation, and the years of the death rates.
    provisional:
        Whether the violence counts are provisional; None: read ``both.attrs``.
    """
    out = []
    best = claim.loc[claim["closest"].astype(bool)]
    if len(best):
        row = best.iloc[0]
        out.append(Finding(f"NISP 2018's 'approximately 60%' young is closest to {row['definition']}, "
                           f"{format_share(row['share'])} in 2023; no youth definition comes near it."))
    ranked = districts.dropna(subset=["share_pct"]).sort_values("share_pct", ascending=False)
    if len(ranked):
        top, low = ranked.iloc[0], ranked.iloc[-1]
        out.append(Finding(f"The {label} ranges from {format_number(low['share_pct'], 1)}% in {low['unit_name']} "
                           f"to {format_number(top['share_pct'], 1)}% in {top['unit_name']} ({top['province']}), "
                           f"across {format_count(len(ranked))} districts in 2023."))
    if rho is not None and not math.isnan(rho):
        direction = "higher" if rho > 0 else "lower"
        out.append(Finding(
            f"Across {format_count(len(both))} districts, a higher {label} went with {direction} death rates in "
            f"{_years(years)}, {_strength(rho)} so (Spearman rho = {format_number(rho, 2)}).",
            (ASSOCIATION, "Youth is measured in 2023, after the violence it is set beside.",
             provisional_caveat(both, provisional=provisional), small_sample_caveat(len(both), "districts"))))
    return out


# --------------------------------------------------------------------------- 40 drivers


def model_findings(coefficients: pd.DataFrame, *, terms: dict[str, str], notes: dict[str, str] | None = None,
                   robustness: pd.DataFrame | None = None, province: pd.DataFrame | None = None) -> list[Finding]:
    """The main model's IRRs in words, their spread over the robustness grid, the province model.

    Parameters
    ----------
    coefficients:
        The main model's ``covariate``, ``irr``, ``irr_ci_low``, ``irr_ci_high``, ``p_value``, ``n``,
        ``units``, ``measured_after_outcome``.
    terms:
        Covariate -> words (``{"d4p_poverty_pct": "district poverty (a year earlier)"}``); only these
        are summarised.
    notes:
        Covariate -> the proxy or measurement caveat that travels with its sentence.
    robustness:
        The robustness grid (``covariate``, ``status``, ``irr``), for the range of estimates.
    province:
        The province model's coefficients (descriptive only), with ``covariate``, ``irr``, ``units``.
    """
    notes = notes or {}
    out = []
    for row in coefficients[coefficients["covariate"].isin(terms)].itertuples(index=False):
        words = terms[row.covariate]
        if pd.isna(row.irr_ci_low):
            continue
        includes = row.irr_ci_low <= 1 <= row.irr_ci_high
        after = "Measured after the outcome." if bool(row.measured_after_outcome) and row.covariate not in notes else ""
        out.append(Finding(
            f"In the main model ({format_count(row.n)} district-years, {format_count(row.units)} districts), each "
            f"percentage point of {words} is associated with an incidence-rate ratio of {format_number(row.irr, 3)} "
            f"(95% CI {format_number(row.irr_ci_low, 3)}-{format_number(row.irr_ci_high, 3)}, "
            f"{_p(row.p_value)}); the interval {'includes' if includes else 'excludes'} no "
            "association.", (ASSOCIATION, notes.get(row.covariate, ""), after)))
    if robustness is not None and len(robustness):
        ok = robustness[(robustness["status"] == "ok") & robustness["covariate"].isin(terms)].dropna(subset=["irr"])
        refused = robustness.loc[robustness["status"] != "ok", "cell"].nunique() if "cell" in robustness else 0
        for covariate, group in ok.groupby("covariate", sort=False):
            out.append(Finding(
                f"Over {format_count(len(group))} estimable specifications of the robustness grid, the ratio for "
                f"{terms[covariate]} ranges from {format_number(group['irr'].min(), 3)} to "
                f"{format_number(group['irr'].max(), 3)}"
                + (f"; {_count(refused, 'cell')} could not be estimated." if refused else "."), (ASSOCIATION,)))
    if province is not None and len(province):
        rows = province.dropna(subset=["irr"])
        rows = rows[~rows["covariate"].isin(["alpha", "lagged outcome"])]
        for row in rows.itertuples(index=False):
            n_units = int(row.units)
            out.append(Finding(
                f"Across {n_units} provinces, each point of the {label(row.covariate)} goes with a ratio "
                f"of {format_number(row.irr, 3)} in deaths per head, with no interval.",
                (ASSOCIATION, small_sample_caveat(n_units, "provinces"))))
    return out


# --------------------------------------------------------------------------- 50 policy


def policy_findings(verdicts: pd.DataFrame, *, card: pd.DataFrame | None = None,
                    provisional: bool | None = None) -> list[Finding]:
    """The claims audit in counts, what rests on a proxy or on few provinces, need against attention.

    Parameters
    ----------
    verdicts:
        The claims (``claim_id``, ``section``, ``verdict``, ``proxy``, ``robust``); ``attrs["provisional"]``
        is honoured.
    card:
        The need-against-attention scorecard (``unit_name``, ``need_percentile``, ``attention_rank``,
        ``n_ranked``, ``level``), optional.
    provisional:
        Whether the violence counts of the audit are provisional; None: read ``verdicts.attrs``.
    """
    out = []
    provisional_note = provisional_caveat(verdicts, provisional=provisional)
    counts = verdicts["verdict"].value_counts()
    parts = [f"{n} {verdict}" for verdict, n in counts.items()]
    proxied = int(verdicts["proxy"].fillna("").astype(str).str.strip().ne("").sum())
    out.append(Finding(f"Of the {len(verdicts)} empirical claims of NISP 2018 encoded, the data give: "
                       f"{', '.join(parts)}.",
                       (f"{_count(proxied, 'verdict')} {'rests' if proxied == 1 else 'rest'} on a proxy measure (e.g. UCDP deaths for NISP's casualties, UCDP "
                        "events for terrorist attacks)." if proxied else "", provisional_note)))
    fragile = verdicts[verdicts["robust"].astype("boolean").eq(False).fillna(False)]
    if len(fragile):
        out.append(Finding(f"{_count(len(fragile), 'verdict')} would change under a reasonable alternative reading (deaths "
                           "estimate, period, types of violence or boundary layer).", (provisional_note,)))
    c5 = verdicts[verdicts["section"].astype(str).str.startswith("C5")]
    if len(c5):
        held = int((c5["verdict"] == "supported").sum())
        out.append(Finding(f"{held} of the {len(c5)} sub-national statements of section C5 are supported.",
                           ("They compare 4-8 provinces: a description, not a test.", provisional_note)))
    if card is not None and len(card):
        need = card.groupby("unit_name", observed=True)["need_percentile"].mean().dropna()
        if len(need):
            top = need.idxmax()
            attention = card.loc[card["unit_name"] == top, "attention_rank"].dropna()
            ranked = card.loc[card["unit_name"] == top, "n_ranked"].dropna()
            rank = (f"; by the policy's attention it ranks {int(attention.iloc[0])} of {int(ranked.iloc[0])}"
                    if len(attention) and len(ranked) else "")
            level = str(card["level"].iloc[0]) if "level" in card else "unit"
            n_units = card["unit_name"].nunique()
            out.append(Finding(f"By mean need percentile, {top} shows the greatest measured need of any {level}{rank}.",
                               ("Attention is an encoding judgement of the policy text.",
                                small_sample_caveat(n_units, f"{level}s"))))
    return out


# --------------------------------------------------------------------------- display


class SummaryView:
    """What a notebook shows: the heading and one bullet per finding, caveats beside each."""

    def __init__(self, findings: Iterable[Finding], title: str) -> None:
        self.findings, self.title = list(findings), title

    def _repr_html_(self) -> str:
        items = "".join(f.html() for f in self.findings) or "<li>No finding could be computed.</li>"
        return (f'<div class="wb-summary"><h2>{html.escape(self.title)}</h2><ul>{items}</ul>'
                '<p class="wb-caveat">Computed from the results below when the report ran.</p></div>')

    def __repr__(self) -> str:
        return "\n".join([self.title, *(f"- {f}" for f in self.findings)])


def show_summary(findings: Iterable[Finding], *, title: str = "Summary of findings") -> None:
    """Display the summary of findings (in a cell tagged ``summary``: the page shows it after the title).

    A notebook computes its results first and calls this in its last cell; three to six findings.
    """
    view = SummaryView(findings, title)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover
        print(repr(view))
        return
    if get_ipython() is None:
        print(repr(view))
    else:
        display(view)
