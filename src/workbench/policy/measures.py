"""Violence measures of the claims audit: totals by group of units, national series, injured, and their wording.

The procedures (:mod:`workbench.policy.procedures`) compare groups of units (``KP+FATA``) or years;
this module sums the source's panel for them, adds person-years for the per-capita measures, and
says what a measure counts (:func:`measure_text`): in the audit's compact UCDP wording when the
counts are UCDP GED's, else in the source's own words (``measure_labels``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.indicators.violence import lethality, rate_per_100k
from workbench.policy.evidence import Evidence, layout_provinces
from workbench.policy.specs import (
    FIRST_POPULATION_YEAR,
    SHORT_NAMES,
    Spec,
    frame_sources,
    group_label,
    long_numbers,
)
from workbench.sources.ucdp_panels import VIOLENCE_TYPES

#: The violence measures of the policy file: the panel column each reads, and its name in UCDP's words.
VIOLENCE_MEASURES: dict[str, tuple[str, str]] = {
    "violence.deaths": ("deaths", "UCDP deaths"),
    "violence.events": ("events", "UCDP events"),
    "violence.deaths_per_100k": ("deaths", "UCDP deaths per 100,000 person-years"),
    "violence.events_per_100k": ("events", "UCDP events per 100,000 person-years"),
    "violence.lethality": ("deaths", "UCDP deaths per UCDP event"),
}


def is_ratio(measure: str) -> bool:
    """True for a rate (per 100,000) or deaths per event, False for a count."""
    return measure.endswith("_per_100k") or measure == "violence.lethality"


def measure_text(measure: str, spec: Spec, ev: Evidence) -> str:
    """What a violence measure counts: UCDP's wording (with the estimate and the types counted) for
    UCDP GED's counts, else the source's own (``measure_labels``)."""
    col = VIOLENCE_MEASURES[measure][0]
    if not ev.procedure_texts_apply:
        if measure == "violence.lethality":
            return f"deaths per incident: {ev.labels['deaths']} over {ev.labels['events']}"
        if measure.endswith("_per_100k"):
            return f"{ev.labels[col]}, per 100,000 person-years"
        return ev.labels[col]
    text = VIOLENCE_MEASURES[measure][1]
    if col == "deaths":
        text += f" ({spec.deaths_estimate} estimate)"
    if set(spec.violence_types) != set(VIOLENCE_TYPES):
        text += f", {' + '.join(t.replace('_', '-') for t in spec.violence_types)} violence only"
    return text


def fmt(value: float, measure: str) -> str:
    """A value as printed: two decimals for a ratio, a whole number with separators for a count."""
    return f"{value:.2f}" if is_ratio(measure) else f"{value:,.0f}"


def violence_by_group(ev: Evidence, spec: Spec, groups: Sequence[Sequence[str]], measure: str,
                      layout: str = "pre2018") -> tuple[pd.DataFrame, tuple[str, ...], str | None]:
    """Per group: events, deaths, person-years and the measure's value over the spec's years.

    Returns
    -------
    frame, sources, problem
        One row per group (in the given order: ``group``, ``events``, ``deaths``,
        ``person_years``, ``value``), the sources, and the reason when the measure cannot be
        computed (population missing), else None.
    """
    panel = ev.violence_panel(spec, level="province", layout=layout)
    per_capita = measure.endswith("_per_100k")
    sources = frame_sources(panel)
    pop_years = None
    if per_capita:
        if spec.start < FIRST_POPULATION_YEAR:
            return pd.DataFrame(), sources, (f"no population before {FIRST_POPULATION_YEAR} (first census anchor); "
                                             f"the period starts {spec.start}")
        pop = ev.get("population")
        pop = pop[(pop["layout"] == layout) & pop["year"].between(spec.start, spec.end)]
        pop_years = pop.groupby("unit_id")["population"].agg(lambda s: s.sum(min_count=1) if s.notna().all()
                                                             else np.nan)
        sources = sources + frame_sources(pop)
    totals = panel.groupby("unit_id")[["events", "deaths"]].sum()
    rows = []
    for g in groups:
        unknown = [u for u in g if u not in totals.index]
        if unknown:
            ev.require_units(panel, g, f"the comparison in the {layout} layout")
            raise ParameterError(f"unit(s) {unknown} are not in the {layout} province panel; units: "
                                 f"{sorted(totals.index)}")
        events, deaths = float(totals.loc[list(g), "events"].sum()), float(totals.loc[list(g), "deaths"].sum())
        person_years = np.nan
        if per_capita:
            have = [pop_years.get(u, np.nan) for u in g]
            person_years = float(np.sum(have)) if all(pd.notna(have)) else np.nan
        rows.append({"group": group_label(g), "events": events, "deaths": deaths, "person_years": person_years})
    df = pd.DataFrame(rows)
    if per_capita:
        lacking = df.loc[df["person_years"].isna(), "group"].tolist()
        if lacking:
            return df, sources, f"no population for {', '.join(lacking)} in {spec.period}"
        df["value"] = np.asarray(rate_per_100k(df[VIOLENCE_MEASURES[measure][0]], df["person_years"]))
    elif measure == "violence.lethality":
        df["value"] = np.asarray(lethality(df["deaths"], df["events"]))
    else:
        df["value"] = df[VIOLENCE_MEASURES[measure][0]]
    return df, sources, None


def undefined_values(df: pd.DataFrame, measure: str, period: str) -> str | None:
    """Why some groups of :func:`violence_by_group` have no value (deaths per event without events), or None."""
    lacking = df.loc[df["value"].isna(), "group"].tolist()
    if not lacking:
        return None
    why = (f"no incidents or events in {period}: deaths per incident is undefined" if measure == "violence.lethality"
           else f"no value in {period}")
    return f"no value for {', '.join(lacking)} ({why}); nothing is filled in"


def value_text(value: float, measure: str, rank: float | None = None) -> str:
    """A group's value as printed, with its rank: ``9.80 (1)``; a missing value reads ``no value``."""
    if pd.isna(value):
        return "no value"
    return fmt(value, measure) + ("" if rank is None or pd.isna(rank) else f" ({int(rank)})")


def group_numbers(df: pd.DataFrame, measure: str, ranks: pd.Series | None = None) -> pd.DataFrame:
    """The long numbers of :func:`violence_by_group`: the measure per group (a missing value has no rank),
    and the counts behind a ratio."""
    rows = []
    for i, r in df.iterrows():
        rank = None if ranks is None or pd.isna(ranks.iloc[i]) else int(ranks.iloc[i])
        rows.append({"item": r["group"], "quantity": measure, "value": r["value"], "rank": rank})
        for q in ("events", "deaths", "person_years") if is_ratio(measure) else ():
            if q in r and pd.notna(r[q]):
                rows.append({"item": r["group"], "quantity": q, "value": r[q], "rank": None})
    return long_numbers(rows)


def national_series(ev: Evidence, spec: Spec, column: str) -> tuple[pd.Series, tuple[str, ...]]:
    """The national yearly series of a panel column (every province, current layout, and ``PK``)."""
    panel = ev.violence_panel(spec, level="province", layout="current")
    ev.require_units(panel, layout_provinces("current"), "the national total")
    series = panel.groupby("year")[column].sum().astype("float64")
    return series, frame_sources(panel)


def injured_by_unit(ev: Evidence, spec: Spec, units: Sequence[str], layout: str) -> tuple[pd.Series | None, str]:
    """Persons injured per unit over the spec's years, or None and why not (the source counts none,
    or not for every unit and year: nothing is filled in)."""
    if not ev.source.coverage.has("injured"):
        return None, f"{ev.violence_source!r} does not give persons injured at all"
    try:
        series = ev.get("injured", layout)
    except ParameterError as exc:
        return None, f"{ev.violence_source!r} gives no injured: {exc}"
    years = range(spec.start, spec.end + 1)
    sel = series[series["unit_id"].isin(units) & series["year"].between(spec.start, spec.end)]
    have = set(zip(sel["unit_id"].astype(str), sel["year"].astype(int), strict=True))
    missing = [f"{SHORT_NAMES.get(u, u)} {y}" for u in units for y in years if (u, y) not in have]
    if missing or sel["value"].isna().any():
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        return None, f"{ev.violence_source!r} does not give persons injured for every unit and year ({shown})"
    return sel.groupby("unit_id")["value"].sum().astype("float64"), ""
