"""Violence measures of the claims audit: totals by group of units, national series, injured, and their wording.

The procedures (:mod:`workbench.policy.procedures`) compare groups of units (``KP+FATA``) or years;
this module sums the source's counts for them, adds person-years for the per-capita measures, and
says what a measure counts (:func:`measure_text`): in the audit's compact UCDP wording when the
counts are UCDP GED's, else in the source's own words (``measure_labels``).

Years a source lacks are never filled in. :func:`covered_years` finds the years of a period in
which every unit a total needs has a figure and names the others (:class:`YearsCovered`); the totals
are then over the years covered. A national figure is the source's own (``panel("national")``: a
series' national rows; for UCDP every event, those located only to the country included), else the
sum of the provinces in a year where every province is given (:func:`national_series`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.formatting import year_ranges
from workbench.indicators.violence import lethality, rate_per_100k
from workbench.policy.evidence import Evidence, SourceGap, layout_provinces
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


@dataclass(frozen=True)
class YearsCovered:
    """The years of a period in which every unit needed has a figure, and what is lacking in the others.

    ``lacking`` maps a year to the units without a figure in it (all of them when the source does
    not cover the year).
    """

    start: int
    end: int
    covered: tuple[int, ...]
    lacking: dict[int, tuple[str, ...]] = field(default_factory=dict)
    units: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.lacking

    def text(self) -> str:
        """The years lacking, named: ``2008-2011; 2013 (Punjab)`` (whole years without a unit list)."""
        by_units: dict[tuple[str, ...], list[int]] = {}
        for year, units in sorted(self.lacking.items()):
            key = () if set(units) >= set(self.units) else units
            by_units.setdefault(key, []).append(year)
        parts = [year_ranges(years) + ("" if not units else f" ({', '.join(SHORT_NAMES.get(u, u) for u in units)})")
                 for units, years in by_units.items()]
        return "; ".join(parts)

    def both(self, other: YearsCovered) -> YearsCovered:
        """The years covered in both, with what either lacks."""
        lacking = {y: tuple(dict.fromkeys([*self.lacking.get(y, ()), *other.lacking.get(y, ())]))
                   for y in {*self.lacking, *other.lacking}}
        covered = tuple(y for y in self.covered if y in other.covered)
        return YearsCovered(self.start, self.end, covered, lacking, tuple(dict.fromkeys([*self.units, *other.units])))


def covered_years(counts: pd.DataFrame, units: Iterable[str], columns: Sequence[str], start: int,
                  end: int) -> YearsCovered:
    """The years of ``start``-``end`` in which every unit has a figure in every column of ``counts``."""
    wanted = tuple(dict.fromkeys(units))
    sel = counts[counts["unit_id"].isin(wanted)].dropna(subset=list(columns))
    have = set(zip(sel["unit_id"].astype(str), sel["year"].astype(int), strict=True))
    lacking = {y: tuple(u for u in wanted if (u, y) not in have) for y in range(start, end + 1)}
    lacking = {y: us for y, us in lacking.items() if us}
    covered = tuple(y for y in range(start, end + 1) if y not in lacking)
    return YearsCovered(start, end, covered, lacking, wanted)


def no_year_gap(ev: Evidence, spec: Spec, what: str, years: YearsCovered) -> SourceGap:
    """The gap of a source that gives no year of the spec's period with figures for ``what``."""
    first, last = ev.source_years
    return SourceGap(f"{ev.violence_source!r} ({ev.source_label}, covering {first}-{last}) gives no year of "
                     f"{spec.period} with figures for {what} (lacking: {years.text()}): nothing is filled in")


@dataclass(frozen=True)
class GroupTotals:
    """:func:`violence_by_group`: one row per group, the sources, why the measure cannot be computed (or
    None), and the years covered."""

    frame: pd.DataFrame
    sources: tuple[str, ...]
    problem: str | None
    years: YearsCovered


def violence_by_group(ev: Evidence, spec: Spec, groups: Sequence[Sequence[str]], measure: str,
                      layout: str = "pre2018") -> GroupTotals:
    """Per group: events, deaths, person-years and the measure's value over the years of the spec that
    the source gives for every unit compared (:func:`covered_years`).

    Raises
    ------
    SourceGap
        A unit has no figure at all, or no year has figures for every unit.
    """
    counts = ev.counts(spec, level="province", layout=layout)
    units = [u for g in groups for u in g]
    ev.require_units(counts, units, f"the comparison in the {layout} layout", spec)
    needed = ["events", "deaths"] if measure == "violence.lethality" else [VIOLENCE_MEASURES[measure][0]]
    years = covered_years(counts, units, needed, spec.start, spec.end)
    if not years.covered:
        raise no_year_gap(ev, spec, "every region compared", years)
    per_capita = measure.endswith("_per_100k")
    sources = frame_sources(counts)
    pop_years = None
    if per_capita:
        if spec.start < FIRST_POPULATION_YEAR:
            return GroupTotals(pd.DataFrame(), sources, f"no population before {FIRST_POPULATION_YEAR} (first census "
                               f"anchor); the period starts {spec.start}", years)
        pop = ev.get("population")
        pop = pop[(pop["layout"] == layout) & pop["year"].isin(years.covered)]
        pop_years = pop.groupby("unit_id")["population"].agg(lambda s: s.sum(min_count=1) if s.notna().all()
                                                             else np.nan)
        sources = sources + frame_sources(pop)
    totals = counts[counts["year"].isin(years.covered)].groupby("unit_id")[["events", "deaths"]].sum()
    rows = []
    for g in groups:
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
            return GroupTotals(df, sources, f"no population for {', '.join(lacking)} in {spec.period}", years)
        df["value"] = np.asarray(rate_per_100k(df[VIOLENCE_MEASURES[measure][0]], df["person_years"]))
    elif measure == "violence.lethality":
        df["value"] = np.asarray(lethality(df["deaths"], df["events"]))
    else:
        df["value"] = df[VIOLENCE_MEASURES[measure][0]]
    return GroupTotals(df, sources, None, years)


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


@dataclass(frozen=True)
class NationalSeries:
    """:func:`national_series`: the yearly national figures over the years covered, and how each was got."""

    values: pd.Series
    sources: tuple[str, ...]
    years: YearsCovered
    summed: tuple[int, ...] = ()

    def basis(self) -> str:
        """How the figures were got: the source's national figures, and the years summed from provinces."""
        if not self.summed:
            return "national figures"
        return f"national figures; {year_ranges(self.summed)}: the sum of every province (no national figure)"


def national_series(ev: Evidence, spec: Spec, column: str) -> NationalSeries:
    """The country's yearly figures of ``events`` or ``deaths`` over the spec's years.

    The source's national figures (``panel("national")``: a published series' national rows; for
    UCDP every event, those located only to the country included); in a year without one, the sum of
    the provinces (current layout, with what no province holds where the source says) only when
    every province is given. The other years are lacking, named, never filled in.

    Raises
    ------
    SourceGap
        No year of the period has a national figure.
    """
    national = pd.Series(dtype="float64")
    sources: tuple[str, ...] = ()
    if "national" in ev.source.coverage.levels:
        nat = ev.counts(spec, level="national", layout="current")
        national = nat.dropna(subset=[column]).groupby("year")[column].sum()
        sources = frame_sources(nat)
    summed: list[int] = []
    wanted = range(spec.start, spec.end + 1)
    whole = None
    if any(y not in national.index for y in wanted) and "province" in ev.source.coverage.levels:
        prov = ev.counts(spec, level="province", layout="current")
        provinces = layout_provinces("current")
        whole = covered_years(prov, provinces, [column], spec.start, spec.end)
        located = prov[prov["year"].isin(whole.covered)]
        sums = located.groupby("year")[column].sum(min_count=1)  # the PK row counts where the source gives it
        for y in wanted:
            if y not in national.index and y in sums.index:
                national.loc[y] = sums[y]
                summed.append(y)
        sources = tuple(dict.fromkeys([*sources, *frame_sources(prov)]))
    national = national.sort_index().astype("float64")
    national.index = national.index.astype(int)
    units = tuple(layout_provinces("current")) if whole is not None else ("PK",)
    lacking = {y: whole.lacking.get(y, units) if whole is not None else units for y in wanted
               if y not in national.index}
    years = YearsCovered(spec.start, spec.end, tuple(y for y in wanted if y in national.index), lacking, units)
    if not years.covered:
        provinces = (f", nor every province in any year (lacking: {whole.text()})" if whole is not None
                     else " and no province figures")
        raise SourceGap(f"{ev.violence_source!r} ({ev.source_label}) gives no national figure for {spec.period}"
                        f"{provinces}: nothing is filled in")
    return NationalSeries(national[national.index.isin(years.covered)], sources, years, tuple(summed))


def injured_by_unit(ev: Evidence, units: Sequence[str], layout: str,
                    years: Sequence[int]) -> tuple[pd.Series | None, str]:
    """Persons injured per unit over ``years``, or None and why not (the source counts none, or not for
    every unit and year: nothing is filled in)."""
    if not ev.source.coverage.has("injured"):
        return None, f"{ev.violence_source!r} does not give persons injured at all"
    try:
        series = ev.get("injured", layout)
    except ParameterError as exc:
        return None, f"{ev.violence_source!r} gives no injured: {exc}"
    sel = series[series["unit_id"].isin(units) & series["year"].isin(list(years))]
    have = set(zip(sel["unit_id"].astype(str), sel["year"].astype(int), strict=True))
    missing = [f"{SHORT_NAMES.get(u, u)} {y}" for u in units for y in years if (u, y) not in have]
    if missing or sel["value"].isna().any():
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        return None, f"{ev.violence_source!r} does not give persons injured for every unit and year ({shown})"
    return sel.groupby("unit_id")["value"].sum().astype("float64"), ""
