"""The summary of a brief: three to six sentences computed from its tables, each as ``(text, caveats)``.

As :func:`workbench.indicators.spatial.hotspot_summary` and :func:`workbench.indicators.actors.actor_summary`
do, the sentences are plain tuples; the notebook wraps them in :class:`workbench.report.summary.Finding`
(which refuses causal wording) and shows them with ``show_summary``. The words describe: counts
"involving" an actor, clusters "where high rates sit together", need "measured"; never a cause. The
caveats that qualify a sentence travel with it (provisional data, small numbers, events located no
finer, interpolated populations, an encoding judgement).

At most :data:`MOST` sentences: when more can be said, the deprivation sentence goes first (its table
follows), then the recent months, then the actors.
"""

from __future__ import annotations

import math

import pandas as pd

from workbench.briefs import caveats as cv
from workbench.briefs.context import DIRECT, INSIDE
from workbench.briefs.events import change_in_recent_year
from workbench.briefs.hotspots import NOT_IN
from workbench.briefs.units import BriefUnit
from workbench.formatting import format_count, format_number, format_share
from workbench.indicators.actors import INVOLVING
from workbench.indicators.spatial import NOT_SIGNIFICANT

Finding = tuple[str, tuple[str, ...]]
FEWEST, MOST = 3, 6
#: Which sentences give way, first to last, when there are more than :data:`MOST`.
DROP_ORDER = ("social", "recent", "actors")
CLUSTER = "a cluster describes where high rates sit together, not why"


def _years(years: list[int] | tuple[int, int]) -> str:
    a, b = int(years[0]), int(years[-1])
    return str(a) if a == b else f"{a}-{b}"


def _n(count: float, word: str) -> str:
    """``1 event``, ``3 events``, ``1,204 passages``."""
    return f"{format_count(count)} {word}{'' if int(count) == 1 else 's'}"


def _rate(value: float) -> str:
    return "no rate" if value is None or (isinstance(value, float) and math.isnan(value)) else \
        format_number(value, 2 if value < 10 else 1)


def totals_finding(unit: BriefUnit, totals: pd.DataFrame, ranks: pd.DataFrame, *, years: list[int],
                   measure: str, provisional: str, located_note: str = "") -> Finding:
    """Events and deaths of the unit, its share of the province's and the country's, its rank by deaths."""
    own = totals.iloc[0]
    events, deaths = own["events"], own["deaths"]
    if not events or pd.isna(events):
        return (f"{unit.unit_name}: no event recorded by the source in {_years(years)}.",
                (provisional, located_note))
    parts = [f"{unit.unit_name} recorded {_n(events, 'event')} and {format_count(deaths)} {measure} in "
             f"{_years(years)}"]
    shares = []
    if not unit.is_province:
        prov = totals.iloc[1]
        if prov["deaths"] and prov["deaths"] != deaths:
            shares.append(f"{format_share(deaths / prov['deaths'])} of {unit.province_name}'s")
    country = totals.iloc[-1]
    if country["deaths"]:
        shares.append(f"{format_share(deaths / country['deaths'])} of the country's")
    text = parts[0] + (f", {' and '.join(shares)}" if shares else "")
    rank = ranks[ranks["measure"].eq("deaths")].iloc[0]
    if not pd.isna(rank["rank"]) and rank["n_ranked"] > 1:
        text += f"; it ranks {int(rank['rank'])} of {int(rank['n_ranked'])} {rank['among']} by deaths"
    return (text + ".", (provisional, cv.few_events_caveat(events), located_note))


def rate_finding(unit: BriefUnit, totals: pd.DataFrame, ranks: pd.DataFrame, *, provisional: str,
                 located_note: str = "") -> Finding:
    """Deaths per 100,000 a year against the province and the country, over the same years; or why none."""
    own = totals.iloc[0]
    if pd.isna(own["deaths_per_100k"]):
        return (f"{unit.unit_name} has no population for any full year of the period in the mirrored census tables "
                "(rates start in 1998; AJK and GB are not enumerated), so no rate per head can be given.", ())
    years = own["rate_years"]
    others = []
    if not unit.is_province:
        others.append(f"{_rate(totals.iloc[1]['deaths_per_100k'])} in {unit.province_name}")
    others.append(f"{_rate(totals.iloc[-1]['deaths_per_100k'])} in Pakistan (census-enumerated area)")
    text = (f"Per head, {unit.unit_name} had {_rate(own['deaths_per_100k'])} deaths per 100,000 people a year over "
            f"{years}, against {' and '.join(others)}")
    rated = ranks[ranks["measure"].str.startswith("deaths per 100,000")]
    if len(rated) and not pd.isna(rated.iloc[0]["rank"]) and rated.iloc[0]["n_ranked"] > 1:
        r = rated.iloc[0]
        text += f"; rank {int(r['rank'])} of {int(r['n_ranked'])} {r['among']}"
    n = int(rated.iloc[0]["n_ranked"]) if len(rated) else 0
    return (text + ".", (provisional, cv.INTERPOLATED, cv.few_events_caveat(own["events"]),
                         "" if own["events"] else located_note,
                         cv.few_units_caveat(n, str(rated.iloc[0]["among"])) if len(rated) and n > 1 else ""))


def recent_finding(unit: BriefUnit, months: pd.DataFrame, left_out: pd.DataFrame, *, provisional: str
                   ) -> Finding | None:
    """The last 12 months of the data against the 12 before, for the unit (None when neither has an event).

    Months the source does not cover are missing, not zero: without 12 covered months on each side
    there is no comparison, and the sentence says how many months it covers.
    """
    c = change_in_recent_year(months, unit.unit_name)
    if c["events_last"] == 0 and c["events_before"] == 0:
        return None
    span = f"{c['from']:%b %Y}" if c["from"] == c["to"] else f"{c['from']:%b %Y}-{c['to']:%b %Y}"
    counts = f"{_n(c['events_last'], 'event')} and {_n(c['deaths_last'], 'death')} (best estimate)"
    if c["months_last"] == 12:
        text = f"In the last 12 months of the data ({span}), {counts} were recorded in {unit.unit_name}"
        if c["months_before"] == 12:
            text += (f", against {_n(c['events_before'], 'event')} and {_n(c['deaths_before'], 'death')} in the 12 "
                     "months before")
        else:
            text += "; the source covers too few of the 12 months before for a comparison"
    else:
        text = (f"In the last months the source covers ({span}, {_n(c['months_last'], 'month')}), {counts} were "
                f"recorded in {unit.unit_name}; the source has no data for the other months of the last year "
                "(missing, not zero), so no comparison is made")
    left = left_out[left_out["scope"].eq(unit.unit_name)]
    spans = int(left["events_left_out"].iloc[0]) if len(left) else 0
    note = f"{_n(spans, 'event')} spanning more than one month left out of the months" if spans else ""
    return (text + ".", (provisional, cv.few_events_caveat(c["events_last"] + c["events_before"]), note))


def actors_finding(unit: BriefUnit, leaders: pd.DataFrame, perpetrators: pd.DataFrame | None, *, measure: str,
                   provisional: str) -> Finding | None:
    """The actors involved in the most deaths in the unit, and the leading perpetrator of one-sided violence."""
    actors = leaders[~leaders["actor_kind"].eq("unidentified") & leaders[measure].gt(0)].head(3)
    if actors.empty:
        return None
    words = "deaths" if measure == "deaths_best" else f"deaths ({measure.removeprefix('deaths_')} estimate)"
    text = (f"Actors involved in the most {words} in {unit.unit_name}: "
            + "; ".join(f"{r.actor} ({format_count(getattr(r, measure))} in {_n(r.events, 'event')})"
                        for r in actors.itertuples()) + ".")
    more = [INVOLVING]
    if perpetrators is not None and len(perpetrators) and perpetrators[measure].gt(0).any():
        p = perpetrators[perpetrators[measure].gt(0)].iloc[0]
        text += (f" In one-sided violence against civilians the perpetrator with most deaths is {p['perpetrator']} "
                 f"({format_count(p[measure])} in {_n(p['events'], 'event')}).")
    return (text, (*more, provisional))


def hotspot_finding(unit: BriefUnit, place: pd.DataFrame, *, alpha: float, provisional: str) -> Finding | None:
    """A district's cluster class in the latest period, or how many of a province's districts sit in clusters."""
    if place.empty:
        return None
    period = str(place["period"].max())
    latest = place[place["period"].eq(period)]
    caveats = (f"local Moran of empirical-Bayes rates, significant after a false-discovery-rate correction at "
               f"{alpha:g}", CLUSTER, provisional)
    if unit.is_province:
        n = int(latest["districts"].sum())
        measured = int(latest.loc[~latest["cluster"].eq(NOT_IN), "districts"].sum())
        if not measured:
            return (f"In {period}, none of the districts of {unit.unit_name} enters the hotspot statistic: "
                    "they have no population in the mirrored census tables.", caveats[1:])
        hh = latest[latest["cluster"].eq("high-high")]
        sig = latest[~latest["cluster"].isin([NOT_SIGNIFICANT, NOT_IN, "high-high"])]
        other = f"; {_n(int(sig['districts'].sum()), 'district')} in another significant class" if len(sig) else ""
        if hh.empty:
            text = (f"In {period}, none of the {measured} districts of {unit.unit_name} in the hotspot statistic is "
                    f"in a high-high cluster of violence rates{other}.")
        else:
            k = int(hh["districts"].iloc[0])
            text = (f"In {period}, {k} of the {measured} districts of {unit.unit_name} in the hotspot statistic "
                    f"{'is' if k == 1 else 'are'} in a high-high cluster of violence rates (a high rate among "
                    f"neighbours with high rates): {hh['names'].iloc[0]}{other}.")
        return (text, (*caveats, f"{n - measured} of its {n} districts have no rate" if n > measured else ""))
    row = latest.iloc[0]
    cluster = str(row["cluster"])
    where = unit.unit_name if int(row["holds"]) == 1 else (
        f"{row['stable_unit']} (the area of {int(row['holds'])} districts that holds {unit.unit_name})")
    if cluster == NOT_IN:
        text = f"In {period}, {where} is out of the hotspot statistic: {row['why_not_in']}."
    elif cluster == NOT_SIGNIFICANT:
        text = (f"In {period}, {where} is in no significant local cluster of violence rates "
                f"({_rate(row['deaths_per_100k'])} deaths per 100,000 a year).")
    else:
        text = (f"In {period}, {where} is in a {cluster} cluster of violence rates "
                f"({_rate(row['deaths_per_100k'])} deaths per 100,000 a year, its neighbours "
                f"{'high' if cluster.endswith('-high') else 'low'}).")
    return (text, caveats)


def social_finding(unit: BriefUnit, social: pd.DataFrame) -> Finding | None:
    """Youth bulge and literacy (census 2023) against the province and the country, with the unit's rank."""
    picks = social[social["indicator"].str.startswith(("youth bulge", "literacy"))].dropna(subset=["unit_value"])
    if picks.empty:
        return (f"The mirrored census tables do not enumerate {unit.unit_name}: no youth or deprivation measure "
                "of 2023 can be set beside its violence.", ())
    parts = []
    for r in picks.itertuples(index=False):
        name = r.indicator.split(":")[0].split(",")[0]
        against = []
        if not unit.is_province and not pd.isna(r.province_value):
            against.append(f"{format_number(r.province_value, 1)}% in {unit.province_name}")
        if not pd.isna(r.country_value):
            against.append(f"{format_number(r.country_value, 1)}% in Pakistan")
        rank = f", need rank {int(r.need_rank)} of {int(r.n_ranked)} {r.among}" if not pd.isna(r.need_rank) else ""
        parts.append(f"{name} {format_number(r.unit_value, 1)}% ({', '.join(against)}{rank})")
    n = int(picks["n_ranked"].max())
    return (f"By the 2023 census, {unit.unit_name} has " + "; ".join(parts) + ".",
            (cv.AFTER, cv.few_units_caveat(n, str(picks["among"].iloc[0]))))


def policy_finding(unit: BriefUnit, passages: pd.DataFrame, interventions: pd.DataFrame,
                   need: pd.DataFrame) -> Finding:
    """How much of NISP 2018 names the unit (or a place in or around it), and its greatest measured need."""
    own = passages[passages["how"].isin([DIRECT, INSIDE])]
    own_items = interventions[interventions["how"].isin([DIRECT, INSIDE])]
    if len(own):
        where = "it or a place in it" if unit.is_province else "it (or the city or area that holds it)"
        k = own_items["id"].nunique()
        text = (f"NISP 2018 names {where} in {_n(len(own), 'passage')}, "
                + (f"{_n(k, 'intervention')} among them" if k else "no intervention among them"))
    else:
        text = f"NISP 2018 names no place linked to {unit.unit_name} itself"
        around = passages[~passages["how"].isin([DIRECT, INSIDE])]
        if len(around):
            text += f"; {_n(len(around), 'passage')} name its province or FATA"
    ranked = need.dropna(subset=["need_percentile"])
    ranked = ranked[ranked["role"].ne("outcome")]
    if len(ranked):
        top = ranked.sort_values(["need_percentile", "n_ranked"], ascending=False, kind="stable").iloc[0]
        rank, n = int(top["need_rank"]), int(top["n_ranked"])
        if rank == n and n > 1:  # its highest rank is the last: it ranks last on every measured driver
            text += f". On every driver the data measure it ranks last of {n} by need (e.g. {top['measure']}, {top['driver']})"
        else:
            text += (f". Of the drivers the data measure, its greatest relative need is {top['measure']} "
                     f"({top['driver']}, rank {rank} of {n})")
    caveats = [cv.ATTENTION]
    if len(ranked):
        caveats.append(cv.few_units_caveat(int(ranked["n_ranked"].max()), "units ranked"))
    return (text + ".", tuple(caveats))


def _located_note(unit: BriefUnit, located: pd.DataFrame | None) -> str:
    """For a district: how many events of its province are located no finer than the province or the city."""
    if located is None or unit.is_province or not located["events"].sum():
        return ""
    parts = [f"{_n(r.events, 'event')} located only to {r.located_to}" for r in located.itertuples(index=False)
             if r.events]
    return f"{'; '.join(parts)}: in no district, so not counted here"


def brief_findings(unit: BriefUnit, *, totals: pd.DataFrame, ranks: pd.DataFrame, yearly: pd.DataFrame,
                   social: pd.DataFrame, passages: pd.DataFrame, interventions: pd.DataFrame, need: pd.DataFrame,
                   place: pd.DataFrame | None = None, months: pd.DataFrame | None = None,
                   left_out: pd.DataFrame | None = None, leaders: pd.DataFrame | None = None,
                   perpetrators: pd.DataFrame | None = None, located: pd.DataFrame | None = None,
                   measure: str = "deaths_best", alpha: float = 0.05) -> list[Finding]:
    """The brief's summary: three to six ``(text, caveats)`` tuples, most important first.

    Parameters are the brief's tables (:mod:`workbench.briefs.profile`, :mod:`~workbench.briefs.social`,
    :mod:`~workbench.briefs.events`, :mod:`~workbench.briefs.hotspots`, :mod:`~workbench.briefs.context`);
    those of the event records are None for a source without them. ``measure``: the deaths column of the actor tables
    (``deaths_best``, ``deaths_low``, ``deaths_high``).
    """
    provisional = cv.provisional_caveat(yearly)
    years = [int(yearly["year"].min()), int(yearly["year"].max())]
    words = yearly.attrs.get("measure", {}).get("deaths", "deaths")
    located_note = _located_note(unit, located)
    found: dict[str, Finding | None] = {
        "totals": totals_finding(unit, totals, ranks, years=years, measure=words, provisional=provisional,
                                 located_note=located_note),
        "rate": rate_finding(unit, totals, ranks, provisional=provisional, located_note=located_note),
        "recent": recent_finding(unit, months, left_out, provisional=provisional) if months is not None else None,
        "actors": actors_finding(unit, leaders, perpetrators, measure=measure, provisional=provisional)
        if leaders is not None else None,
        "hotspot": hotspot_finding(unit, place, alpha=alpha, provisional=provisional) if place is not None else None,
        "social": social_finding(unit, social),
        "policy": policy_finding(unit, passages, interventions, need),
    }
    missing = cv.missing_years_caveat(yearly)
    for name in ("totals", "rate", "recent", "actors", "hotspot"):  # the findings on violence counts
        if missing and found[name] is not None:
            text, notes = found[name]
            found[name] = (text, (*notes, missing))
    kept = {k: v for k, v in found.items() if v is not None}
    for name in DROP_ORDER:
        if len(kept) <= MOST:
            break
        kept.pop(name, None)
    out = [(text, tuple(c for c in caveats if c)) for text, caveats in kept.values()]
    return out[:MOST]
