"""What a unit's event records show: the actors involved, the recent months, how precisely events are located.

The events are the source's public records placed as the violence panels place them
(:func:`workbench.panel.actors.placed_events`, current layout, 2023 census districts): a district's
events are those placed in it; a province's are all those placed in it, including those located only
to the province. A source without public event records (an analyst's incident log) gives None here,
and the brief shows its aggregates only.

Words follow :mod:`workbench.indicators.actors`: deaths are counted **in events involving** an actor
(both sides and civilians), never as deaths it caused; only in one-sided violence is UCDP's ``side_a``
the perpetrator.
"""

from __future__ import annotations

import pandas as pd

from workbench.briefs.units import DISTRICT_SET, LAYOUT, BriefUnit
from workbench.geo.units import load_registry
from workbench.indicators import actors
from workbench.panel.actors import actor_table, placed_events
from workbench.panel.violence import SourceLike

#: UCDP's ``where_prec`` codes in words.
PRECISION = {1: "1 exact location", 2: "2 within about 25 km", 3: "3 only the district (second-order unit)",
             4: "4 only the province (first-order unit)", 5: "5 a larger area or a line (e.g. a border, a road)",
             6: "6 only the country", 7: "7 international waters or airspace"}


def unit_events(unit: BriefUnit, violence_source: SourceLike, *, start_year: int, end_year: int
                ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The unit's events and its province's events over the years, or None for a source without records.

    Returns ``(own, province)``: for a province brief both are the province's events. ``attrs`` as
    :func:`workbench.panel.actors.placed_events` (``sources``, ``provisional``, ``not_placed``).
    """
    events = placed_events(violence_source, layout=LAYOUT, district_set=DISTRICT_SET)
    if events is None:
        return None
    events = events[events["year"].between(start_year, end_year)]
    province = events[events["province"].eq(unit.province_id)].reset_index(drop=True)
    own = province if unit.is_province else events[events["district"].eq(unit.unit_id)].reset_index(drop=True)
    for frame in (own, province):
        frame.attrs = dict(events.attrs)
    return own, province


def country_events(violence_source: SourceLike, *, start_year: int, end_year: int) -> pd.DataFrame | None:
    """Every placed event of the source over the years (the country's), or None for a source without records."""
    events = placed_events(violence_source, layout=LAYOUT, district_set=DISTRICT_SET)
    if events is None:
        return None
    out = events[events["year"].between(start_year, end_year)].reset_index(drop=True)
    out.attrs = dict(events.attrs)
    return out


def involved(events: pd.DataFrame, *, grouped: bool = True) -> pd.DataFrame:
    """One row per event and actor involved (:func:`workbench.indicators.actors.involvement`)."""
    table = actor_table()
    out = actors.involvement(events, table, grouped=grouped)
    out.attrs["sources"] = list(dict.fromkeys([*events.attrs.get("sources", []), *table.attrs["sources"]]))
    out.attrs["provisional"] = events.attrs.get("provisional", False)
    return out


def leading_actors(involvement: pd.DataFrame, *, n: int, measure: str = "deaths_best") -> pd.DataFrame:
    """The ``n`` actors involved in the most deaths (then events) in the unit, with their share of its events.

    Columns: ``actor``, ``actor_kind``, ``events``, ``deaths_low``, ``deaths_best``, ``deaths_high``,
    ``share_of_events`` (of the unit's events, an event counting once for each actor involved).
    Civilians are a side of one-sided violence, not an actor: they are left out.
    """
    table = actors.by_actor(involvement, by=())
    table = table.sort_values([measure, "events"], ascending=False, kind="stable").head(n).reset_index(drop=True)
    total = involvement["id"].nunique()
    table["share_of_events"] = table["events"] / total if total else pd.NA
    table.attrs["sources"] = involvement.attrs.get("sources", [])
    return table


def perpetrators(involvement: pd.DataFrame, *, n: int) -> pd.DataFrame:
    """One-sided violence (UCDP type 3) in the unit by perpetrator (``side_a``), at most ``n`` rows."""
    out = actors.one_sided_by_perpetrator(involvement).head(n).reset_index(drop=True)
    out.attrs["sources"] = involvement.attrs.get("sources", [])
    return out


# --------------------------------------------------------------------------- months


def last_month(yearly: pd.DataFrame) -> pd.Timestamp:
    """The first day of the last month the source covers (from ``months`` of the last year it covers)."""
    covered = yearly[yearly["months"].gt(0)].sort_values("year")
    last = covered.iloc[-1] if len(covered) else yearly.sort_values("year").iloc[-1]
    return pd.Timestamp(year=int(last["year"]), month=max(1, int(last["months"])), day=1)


def covered_months(yearly: pd.DataFrame) -> set[pd.Timestamp]:
    """The months the source covers: months 1 to ``months`` of each year (none in a year without data)."""
    return {pd.Timestamp(year=int(r.year), month=m, day=1) for r in yearly.itertuples(index=False)
            for m in range(1, int(r.months) + 1)}


def recent_months(scopes: dict[str, pd.DataFrame], *, end: pd.Timestamp, months: int, window: int,
                  covered: set[pd.Timestamp] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and deaths (best) per month over the last ``months`` months to ``end``, for each scope.

    ``scopes``: a name (the unit, its province, the country) -> its events. A covered month without an
    event is 0 (the source records every event it knows); a month the source does not cover
    (``covered``, from :func:`covered_months`: the years between a release and the Candidate
    releases, the rest of a part year) is missing, never 0. Events whose start and end fall in
    different months are left out of the months (as in 15_actors) and counted in the second frame.
    The rolling mean of ``window`` months needs ``window`` covered months.

    Returns ``(months, left_out)``: ``scope``, ``month``, ``covered``, ``events``, ``deaths_best``,
    ``events_rolling``, ``deaths_rolling``; and ``scope``, ``events_left_out``, ``deaths_left_out``,
    ``events``, ``deaths`` over the months shown.
    """
    start = end - pd.DateOffset(months=months - 1)
    first = start - pd.DateOffset(months=window - 1)
    grid = pd.date_range(first, end, freq="MS")
    is_covered = pd.Series([covered is None or m in covered for m in grid], index=grid)
    parts, left = [], []
    for scope, events in scopes.items():
        e = events[pd.to_datetime(events["date_start"]).between(first, end + pd.offsets.MonthEnd(0))]
        counts = pd.DataFrame({"month": grid})
        if e.empty:
            counts["events"], counts["deaths_best"] = 0, 0
        else:
            m, _ = actors.monthly(e, window=1)
            counts = counts.merge(m[["month", "events", "deaths_best"]], on="month", how="left").fillna(0)
        counts["covered"] = is_covered.to_numpy()
        for c in ("events", "deaths_best"):
            counts[c] = counts[c].astype("float64").where(counts["covered"])
            counts[f"{c.split('_')[0]}_rolling"] = counts[c].rolling(window, min_periods=window).mean()
        counts.insert(0, "scope", scope)
        counts = counts[["scope", "month", "covered", "events", "deaths_best", "events_rolling", "deaths_rolling"]]
        parts.append(counts[counts["month"] >= start])
        left.append({"scope": scope, **_left_out(e[pd.to_datetime(e["date_start"]) >= start])})
    out = pd.concat(parts, ignore_index=True)
    sources = list(dict.fromkeys(s for e in scopes.values() for s in e.attrs.get("sources", [])))
    out.attrs["sources"] = sources
    left_out = pd.DataFrame(left)
    left_out.attrs["sources"] = sources
    return out, left_out


def _left_out(events: pd.DataFrame) -> dict[str, int]:
    """Events (and their deaths) whose start and end fall in different months, and all events."""
    start = pd.to_datetime(events["date_start"]).dt.to_period("M")
    spans = start.ne(pd.to_datetime(events["date_end"]).dt.to_period("M"))
    return {"events_left_out": int(spans.sum()), "deaths_left_out": int(events.loc[spans, "best"].sum()),
            "events": len(events), "deaths": int(events["best"].sum())}


def change_in_recent_year(months: pd.DataFrame, scope: str) -> dict:
    """The last 12 months shown against the 12 before: events, deaths (best) and covered months of each.

    Sums are over covered months only; ``months_last`` and ``months_before`` say how many there are
    (12 when the source covers them all; a comparison is fair only then).
    """
    m = months[months["scope"].eq(scope)].sort_values("month")
    last, before = m.tail(12), (m.iloc[-24:-12] if len(m) >= 24 else m.iloc[0:0])

    def total(frame: pd.DataFrame, column: str) -> int:
        return int(frame.loc[frame["covered"], column].sum())

    covered = last[last["covered"]]
    return {"events_last": total(last, "events"), "deaths_last": total(last, "deaths_best"),
            "months_last": int(last["covered"].sum()), "events_before": total(before, "events"),
            "deaths_before": total(before, "deaths_best"), "months_before": int(before["covered"].sum()),
            "from": covered["month"].min() if len(covered) else last["month"].min(),
            "to": covered["month"].max() if len(covered) else last["month"].max()}


# --------------------------------------------------------------------------- precision


def precision(events: pd.DataFrame) -> pd.DataFrame:
    """The unit's events and deaths (best) by UCDP location precision (``where_prec``), with shares."""
    p = events.groupby("where_prec", dropna=False).agg(events=("id", "size"), deaths_best=("best", "sum"))
    p = p.reindex(sorted(p.index.dropna())).reset_index()
    p["precision"] = p["where_prec"].map(lambda v: PRECISION.get(int(v), str(v)))
    total = int(p["events"].sum())
    p["share_of_events"] = p["events"] / total if total else pd.NA
    out = p[["where_prec", "precision", "events", "share_of_events", "deaths_best"]]
    out.attrs["sources"] = events.attrs.get("sources", [])
    return out


def located_no_finer(province_events: pd.DataFrame, unit: BriefUnit) -> pd.DataFrame:
    """Events of the unit's province located only to the province, or (Karachi) only to the city as a whole.

    They belong to no district, so a district brief does not count them; a province brief counts
    them as the province's. Columns ``located_to``, ``events``, ``deaths_best``.
    """
    e = province_events[province_events["unit_level"].isin(["province", "division"])]
    if not unit.is_province and unit.division:
        e = e[e["unit_level"].eq("province") | e["district"].eq(unit.division)]
    out = e.groupby("unit_level").agg(events=("id", "size"), deaths_best=("best", "sum")).reset_index()
    city = load_registry().name(unit.division) if unit.division else "the city"
    out["located_to"] = out["unit_level"].map({"province": f"{unit.province_name} (no district)",
                                               "division": f"{city} as a whole (the city, no district)"})
    out = out[["located_to", "events", "deaths_best"]]
    out.attrs["sources"] = province_events.attrs.get("sources", [])
    return out
