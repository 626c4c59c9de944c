"""The policy's own period, described: violence during NISP 2018-2023 against the years before.

Beside the claims NISP makes about the past, :func:`policy_period_view` sets the violence of the
policy's period (``meta.period``: 2018-2023) against the same number of years before it
(2012-2017), per year on average, by province and for the places the policy names (FATA,
Karachi, Swat, Buner, Quetta, Peshawar, Gwadar), and for the country.

This is a **description, not an evaluation** of the policy: many things changed at once (military
operations, the FATA merger, how violence was reported), nothing here separates the policy's
part, and 4-8 provinces support no statistical test. Averages are over the years a source gives;
a window it covers only in part (UCDP GED 22.1 ends in 2021) is marked ``partial`` and the years
it lacks are named. Nothing is filled in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.formatting import year_ranges
from workbench.policy.evidence import Evidence, SourceGap, layout_provinces
from workbench.policy.measures import covered_years, national_series
from workbench.policy.nisp import Policy, load_policy
from workbench.policy.specs import POLICY_SOURCE, SHORT_NAMES, Spec, frame_sources
from workbench.sources import ViolenceSource
from workbench.sources.resolver import DEFAULT_SOURCE

COLUMNS = ["unit_id", "unit_name", "unit_kind", "named_in_policy", "before_years", "after_years",
           "events_per_year_before", "events_per_year_after", "deaths_per_year_before", "deaths_per_year_after",
           "deaths_change_pct", "deaths_per_100k_before", "deaths_per_100k_after", "partial", "note",
           "violence_source"]
#: Names of the pre-2018 provinces and territories where the short name could mislead.
PROVINCE_NAMES = {"PK-KP": "KP (without FATA)", "PK-TA": "FATA (former)"}
DESCRIPTIVE_NOTE = ("Descriptive, not an evaluation of the policy: violence per year during NISP's period against "
                    "the years before; many things changed at once and nothing here separates the policy's part. "
                    "A province comparison of 4-8 units supports no statistical test.")


def _named_places(policy: Policy) -> dict[str, str]:
    """The units the policy's geographies link to, with the policy's name of each."""
    out: dict[str, str] = {}
    for g in policy.geographies:
        for unit in g.unit_ids:
            out.setdefault(unit, g.name)
    return out


def _window(start: int, end: int, name: str) -> Spec:
    return Spec(name, "primary", f"{name}: {start}-{end}", start, end)


def _per_year(rows: pd.DataFrame, years: tuple[int, ...]) -> tuple[float, float]:
    inside = rows[rows["year"].isin(years)]
    n = len(years)
    return (float(inside["events"].sum()) / n, float(inside["deaths"].sum()) / n) if n else (np.nan, np.nan)


def _years_text(covered: tuple[int, ...], start: int, end: int) -> str:
    shown = year_ranges(covered) or "none"
    return shown if covered == tuple(range(start, end + 1)) else f"{shown} (of {start}-{end})"


def policy_period_view(violence_source: str | ViolenceSource | Evidence = DEFAULT_SOURCE, *,
                       policy: Policy | None = None, before: tuple[int, int] | None = None) -> pd.DataFrame:
    """Violence per year during the policy's period against the years before, per unit (descriptive).

    Parameters
    ----------
    violence_source:
        A source id, a :class:`~workbench.sources.ViolenceSource`, or an
        :class:`~workbench.policy.evidence.Evidence` (its source and population).
    policy:
        The policy (default :func:`~workbench.policy.nisp.load_policy`); its ``meta.period`` is the after window.
    before:
        The years before (default: as many years as the policy's period, ending the year before it).

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: per unit (the country, each province and territory in the pre-2018 layout, the
        places the policy names) events and deaths per year in each window, the change of deaths per year
        in percent, deaths per 100,000 person-years (provinces and the country), ``partial`` where the
        source lacks years of a window (named in ``note``). ``attrs``: ``sources``, ``note``
        (:data:`DESCRIPTIVE_NOTE`), ``provisional`` (the source marks its counts provisional).
    """
    ev = violence_source if isinstance(violence_source, Evidence) else Evidence(violence_source=violence_source)
    p = policy if policy is not None else load_policy()
    after_start, after_end = p.meta.period.start, p.meta.period.end
    length = after_end - after_start + 1
    before = before or (after_start - length, after_start - 1)
    windows = {"before": _window(*before, "before"), "after": _window(after_start, after_end, "after")}
    named = _named_places(p)
    rows: list[dict] = []
    sources: list[str] = []

    def add(unit_id: str, name: str, kind: str, counts: dict[str, pd.DataFrame | None],
            population: dict[str, float] | None = None, why_not: str = "") -> None:
        row = {"unit_id": unit_id, "unit_name": name, "unit_kind": kind, "named_in_policy": unit_id in named,
               "violence_source": ev.violence_source}
        notes, partial = [], False
        for key, spec in windows.items():
            frame = counts.get(key)
            years = (covered_years(frame, [unit_id], ["events", "deaths"], spec.start, spec.end) if frame is not None
                     else None)
            covered = years.covered if years is not None else ()
            row[f"{key}_years"] = _years_text(covered, spec.start, spec.end)
            events, deaths = _per_year(frame, covered) if frame is not None else (np.nan, np.nan)
            row[f"events_per_year_{key}"], row[f"deaths_per_year_{key}"] = events, deaths
            person_years = (population or {}).get(key, np.nan)
            row[f"deaths_per_100k_{key}"] = deaths * len(covered) / person_years * 1e5 if person_years else np.nan
            if years is None or not years.complete:
                partial = True
                notes.append(f"{key}: " + (why_not or f"{years.text()} lacking"))
        b, a = row["deaths_per_year_before"], row["deaths_per_year_after"]
        row["deaths_change_pct"] = 100 * (a - b) / b if b and np.isfinite(a) and np.isfinite(b) else np.nan
        row["partial"], row["note"] = partial, "; ".join(dict.fromkeys(notes))
        rows.append(row)

    # the country: its national figures
    national = {}
    for key, spec in windows.items():
        try:
            s = national_series(ev, spec, "events")
            d = national_series(ev, spec, "deaths")
        except SourceGap:
            continue
        both = sorted(set(s.values.index) & set(d.values.index))
        national[key] = pd.DataFrame({"unit_id": "PK", "year": both, "events": s.values[both].to_numpy(),
                                      "deaths": d.values[both].to_numpy()})
        sources += list(s.sources)
    add("PK", "Pakistan", "country", national, _person_years(ev, ["PK"], windows, national))

    # the provinces and territories (pre-2018 layout: FATA apart, as the policy names it)
    province = _counts(ev, windows, "province", "pre2018", "census2023")
    for frame in province.values():
        sources += frame_sources(frame)
    for unit in layout_provinces("pre2018"):
        counts = {k: f[f["unit_id"] == unit] for k, f in province.items()}
        add(unit, PROVINCE_NAMES.get(unit, SHORT_NAMES.get(unit, unit)), "province", counts,
            _person_years(ev, [unit], windows, counts))

    # the places the policy names below the provinces: districts (stable set) and Karachi (its division)
    places = [u for u in named if "/" in u]
    if places:
        stable = _counts(ev, windows, "district", "current", "stable")
        census = _counts(ev, windows, "district", "current", "census2023") if "division/karachi" in places else {}
        why = "" if stable else f"{ev.violence_source!r} ({ev.source_label}) gives no district figures"
        for unit in places:
            if unit == "division/karachi":
                karachi = set(ev.get("karachi_units")) | {unit}
                counts = {k: _summed(f[f["unit_id"].isin(karachi)], unit) for k, f in census.items()}
            else:
                counts = {k: f[f["unit_id"] == unit] for k, f in stable.items()}
            add(unit, named[unit], "named place", counts, why_not=why)
        for frame in [*stable.values(), *census.values()]:
            sources += frame_sources(frame)

    out = pd.DataFrame(rows, columns=COLUMNS)
    out.attrs["sources"] = list(dict.fromkeys([*sources, *frame_sources(ev.get("population")), POLICY_SOURCE]))
    out.attrs["note"] = DESCRIPTIVE_NOTE
    out.attrs["provisional"] = ev.source.provisional
    out.attrs["windows"] = {k: (s.start, s.end) for k, s in windows.items()}
    return out


def _counts(ev: Evidence, windows: dict[str, Spec], level: str, layout: str,
            district_set: str) -> dict[str, pd.DataFrame]:
    """The source's counts in each window; a level it does not give leaves the windows out."""
    out = {}
    for key, spec in windows.items():
        try:
            out[key] = ev.counts(spec, level=level, layout=layout, district_set=district_set)
        except SourceGap:
            return {}
    return out


def _summed(frame: pd.DataFrame, unit_id: str) -> pd.DataFrame:
    """Rows of several units summed into one per year (a year with a missing cell stays missing)."""
    g = frame.groupby("year")[["events", "deaths"]].sum(min_count=1)
    missing = frame[frame[["events", "deaths"]].isna().any(axis=1)]["year"].unique()
    g.loc[g.index.isin(missing)] = np.nan
    return g.reset_index().assign(unit_id=unit_id)


def _person_years(ev: Evidence, units: list[str], windows: dict[str, Spec],
                  counts: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Person-years over the years each window covers (pre-2018 layout; NaN where a population is missing)."""
    pop = ev.get("population")
    pop = pop[(pop["layout"] == "pre2018") & pop["unit_id"].isin(units)]
    out = {}
    for key, spec in windows.items():
        frame = counts.get(key)
        if frame is None:
            continue
        years = covered_years(frame, units, ["deaths"], spec.start, spec.end).covered
        sel = pop[pop["year"].isin(years)]["population"]
        out[key] = float(sel.sum()) if len(sel) == len(years) * len(units) and sel.notna().all() and years else np.nan
    return out
