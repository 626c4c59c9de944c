"""The data caveats that apply to one unit's brief, computed from its own numbers.

Each caveat is a topic and a sentence with the unit's figures: how precisely its events are located
(UCDP ``where_prec``), what is located no finer than its province or city, where the census does not
reach it, which years are provisional or partial, and where the numbers are too small to read much
into. :func:`data_caveats` gathers those that apply; the short forms (``*_caveat``) travel with the
summary sentences they qualify.
"""

from __future__ import annotations

import pandas as pd

from workbench.briefs.profile import span_text as _span
from workbench.briefs.units import BriefUnit, brief_units
from workbench.formatting import format_count, format_share
from workbench.indicators.actors import UNIDENTIFIED

#: Fewer events than this make a unit's deaths per event and rates fragile (as the report summaries).
FEW_EVENTS = 30
#: Fewer units than this make a comparison descriptive only.
FEW_UNITS = 10
PROVISIONAL = "the counts include UCDP Candidate data: provisional, revised by UCDP"
INTERPOLATED = "population between the censuses of 1998, 2017 and 2023 is interpolated, not counted"
ATTENTION = "which passages name which place is an encoding judgement of the policy text"
AFTER = "census 2023 measures were taken after most of the violence they are set beside"


def provisional_caveat(yearly: pd.DataFrame) -> str:
    """The Candidate caveat when any year of the brief holds provisional counts, else ''."""
    return PROVISIONAL if bool(yearly["provisional"].any()) else ""


def missing_years_caveat(yearly: pd.DataFrame) -> str:
    """The years of the brief no release covers (between a yearly release and the Candidate data), else ''."""
    missing = yearly.loc[yearly["months"].eq(0), "year"].astype(int).tolist()
    if not missing:
        return ""
    return (f"no release covers {_span(missing)}: those years are missing, not zero, and left out of every total "
            "and rate")


def few_events_caveat(events: float, what: str = "events") -> str:
    """A caveat when a count of events (1 to :data:`FEW_EVENTS` - 1) is too small for a ratio to mean much."""
    if pd.isna(events) or events >= FEW_EVENTS or events == 0:
        return ""
    word = what[:-1] if int(events) == 1 and what.endswith("s") else what
    return f"only {format_count(events)} {word}: a single event moves these figures"


def few_units_caveat(n: int, what: str) -> str:
    """A caveat when a ranking has fewer than :data:`FEW_UNITS` units."""
    return f"only {n} {what}: a ranking describes, it tests nothing" if 1 < n < FEW_UNITS else ""


def data_caveats(unit: BriefUnit, *, yearly: pd.DataFrame, events: pd.DataFrame | None = None,
                 located: pd.DataFrame | None = None, involvement: pd.DataFrame | None = None,
                 place: pd.DataFrame | None = None, social: pd.DataFrame | None = None,
                 source_label: str = "") -> pd.DataFrame:
    """Every caveat that applies to the unit, one row each: ``topic``, ``detail``.

    Parameters
    ----------
    yearly:
        :func:`workbench.briefs.profile.violence_by_year`.
    events, located, involvement:
        The unit's events, :func:`workbench.briefs.events.located_no_finer` and its involvement rows
        (None for a source without event records).
    place, social:
        :func:`workbench.briefs.hotspots.unit_place` and :func:`workbench.briefs.social.social_profile`.
    """
    rows: list[tuple[str, str]] = []
    rows += _years(yearly)
    if events is None:
        rows.append(("Event records", f"{source_label or 'the source'} has no public event records: the brief "
                                      "shows its aggregates only (no actors, months or location precision)"))
    else:
        rows += _precision(events)
    if located is not None and len(located):
        rows += _located(unit, located)
    rows += _census(unit, yearly, social)
    rows += _small(unit, yearly)
    if involvement is not None and (involvement["actor_kind"].eq("unidentified")).any():
        n = involvement.loc[involvement["actor_kind"].eq("unidentified"), "id"].nunique()
        rows.append(("Actors not yet identified", f"{format_count(n)} event{'' if n == 1 else 's'} involve"
                                                  f"{'s' if n == 1 else ''} an actor {UNIDENTIFIED}: UCDP names it in "
                                                  "a later release"))
    if place is not None and not unit.is_province:
        rows += _hotspot(unit, place)
    rows.append(("Policy links", f"{ATTENTION}; the need measures are data, the attention counts are passages of "
                                 "text, not money or effort"))
    out = pd.DataFrame(rows, columns=["topic", "detail"])
    out.attrs["sources"] = list(dict.fromkeys(s for f in (yearly, events, social) if f is not None
                                              for s in f.attrs.get("sources", [])))
    return out


def _years(yearly: pd.DataFrame) -> list[tuple[str, str]]:
    rows = []
    provisional = yearly.loc[yearly["provisional"], "year"].astype(int).tolist()
    if provisional:
        rows.append(("Provisional data", f"{_span(provisional)}: UCDP Candidate data, provisional and revised by "
                                         "UCDP; actors may still be unidentified"))
    partial = yearly[yearly["months"].between(1, 11)]
    for r in partial.itertuples(index=False):
        rows.append(("Part year", f"{int(r.year)}: {int(r.months)} of 12 months; no annual rate from part of a year"))
    missing = yearly.loc[yearly["months"].eq(0), "year"].astype(int).tolist()
    if missing:
        rows.append(("Years without data", f"{_span(missing)}: no release covers these years (missing, not zero)"))
    return rows


def _precision(events: pd.DataFrame) -> list[tuple[str, str]]:
    total = len(events)
    if not total:
        return [("Location precision", "no event of the source is placed in this unit in these years")]
    prec = events["where_prec"]
    exact, near, coarse = int(prec.eq(1).sum()), int(prec.eq(2).sum()), int(prec.ge(3).sum())
    text = (f"of {format_count(total)} events, {format_count(exact)} ({format_share(exact / total)}) have an exact "
            f"location, {format_count(near)} ({format_share(near / total)}) one within about 25 km, and "
            f"{format_count(coarse)} ({format_share(coarse / total)}) only a district or a larger area "
            "(UCDP where_prec 1, 2, 3 and above)")
    return [("Location precision", text)]


def _located(unit: BriefUnit, located: pd.DataFrame) -> list[tuple[str, str]]:
    rows = []
    for r in located.itertuples(index=False):
        if not r.events:
            continue
        if unit.is_province:
            text = (f"{format_count(r.events)} events ({format_count(r.deaths_best)} deaths, best) are located only "
                    f"to {r.located_to}: counted for {unit.unit_name}, in none of its districts")
        else:
            text = (f"{format_count(r.events)} events ({format_count(r.deaths_best)} deaths, best) of "
                    f"{unit.province_name} are located only to {r.located_to}: they belong to no district and are "
                    f"not counted for {unit.unit_name}")
        rows.append(("Located no finer", text))
    return rows


def _census(unit: BriefUnit, yearly: pd.DataFrame, social: pd.DataFrame | None) -> list[tuple[str, str]]:
    rows = []
    rated = yearly[yearly["year"].ge(1998) & yearly["months"].ge(12)]
    without = rated.loc[rated["population"].isna(), "year"].astype(int).tolist()
    if without and len(without) == len(rated):
        rows.append(("Census coverage", f"{unit.unit_name} has no population in the mirrored census tables (AJK "
                                        "and GB are not enumerated there): no rate per head, no census "
                                        "youth or deprivation measure"))
    elif without:
        rows.append(("Census coverage", f"no population for {_span(without)} (the district did not exist on "
                                        "these boundaries at the 1998 census): rates use the other years only"))
    if len(rated) > len(without):
        rows.append(("Population", INTERPOLATED))
    if social is not None:
        poverty = social[social["indicator"].str.startswith("consumption poverty")]
        if len(poverty) and poverty["unit_value"].isna().all() and len(without) < len(rated):
            why = ("Data4Pakistan never estimated poverty for former FATA" if unit.former_fata != "no" else
                   "Data4Pakistan gives no estimate on this unit's boundaries (e.g. Karachi only as a whole city, "
                   "districts created later)")
            rows.append(("Poverty estimate", why))
        rows.append(("Measured after", AFTER))
    return rows


def _hotspot(unit: BriefUnit, place: pd.DataFrame) -> list[tuple[str, str]]:
    rows = []
    if len(place) and int(place["holds"].iloc[0]) > 1:
        rows.append(("Hotspot statistics", f"the statistics use the stable district set: {unit.unit_name} enters "
                                           f"them as part of {place['stable_unit'].iloc[0]}, which holds "
                                           f"{int(place['holds'].iloc[0])} districts of 2023"))
    out_of = place[place["cluster"].eq("not in the statistic")]
    if len(out_of):
        rows.append(("Hotspot statistics", f"out of the statistic in {', '.join(out_of['period'])}: "
                                           f"{out_of['why_not_in'].iloc[0]}"))
    return rows


def _small(unit: BriefUnit, yearly: pd.DataFrame) -> list[tuple[str, str]]:
    rows = []
    events = yearly["events"].sum(min_count=1)
    few = few_events_caveat(events)
    if few:
        rows.append(("Small numbers", f"{unit.unit_name}: {few}"))
    peers = brief_units(unit.level)
    if not unit.is_province:
        peers = peers[peers["province_id"].eq(unit.province_id)]
    what = "provinces and territories" if unit.is_province else f"districts in {unit.province_name}"
    few = few_units_caveat(len(peers), what)
    if few:
        rows.append(("Small numbers", few))
    return rows
