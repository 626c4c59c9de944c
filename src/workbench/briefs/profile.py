"""A unit's violence against its province and the country: by year, in total, and its rank among its peers.

Counts come from the violence source's panels through :func:`workbench.panel.violence.select_panel`,
so any source with province and district panels serves; populations from the committed population panels. Rates are deaths per 100,000 person-years: summed deaths over summed yearly
populations (censuses 1998, 2017, 2023, interpolated geometrically), only for full years with a
population; a unit, its province and the country are compared over the **same years** (the years the
unit has a rate), never over different spans. The country's rate is over the census-enumerated area
(the four provinces and ICT, whose populations make up the census count of Pakistan); AJK, GB and the
events located only to the country as a whole are outside it, while the country's counts hold every
event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.briefs.units import DISTRICT_SET, LAYOUT, BriefUnit
from workbench.formatting import year_ranges
from workbench.geo.units import COUNTRY_ID
from workbench.indicators.violence import rate_per_100k
from workbench.panel.violence import SourceLike, select_panel
from workbench.sources.base import FULL_YEAR
from workbench.store import read_processed

COUNTRY_NAME = "Pakistan"


def _sources(*frames: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(s for f in frames for s in f.attrs.get("sources", [])))


# --------------------------------------------------------------------------- violence by year


def _population(level: str) -> pd.DataFrame:
    name = "population_province_year" if level == "province" else f"population_district_year_{DISTRICT_SET}"
    table = read_processed(name)
    pop = table[table["layout"].eq(LAYOUT)][["unit_id", "year", "population"]]
    pop.attrs["sources"] = list(table.attrs["sources"])
    return pop


def _series(panel: pd.DataFrame, population: pd.DataFrame, ids: list[str]) -> pd.DataFrame:
    """Per year: events, deaths, the population of ``ids`` that have one, and the deaths located to them."""
    rows = panel[panel["unit_id"].isin(ids)].merge(population, on=["unit_id", "year"], how="left")
    rows["deaths_rated"] = rows["deaths"].where(rows["population"].notna())
    out = rows.groupby("year").agg(events=("events", lambda s: s.sum(min_count=1)),
                                   deaths=("deaths", lambda s: s.sum(min_count=1)),
                                   deaths_rated=("deaths_rated", lambda s: s.sum(min_count=1)),
                                   population=("population", lambda s: s.sum(min_count=1)))
    return out


def violence_by_year(unit: BriefUnit, violence_source: SourceLike, *, start_year: int, end_year: int,
                     deaths_estimate: str = "best") -> pd.DataFrame:
    """Events, deaths and deaths per 100,000 by year: the unit, its province (for a district) and the country.

    Returns
    -------
    DataFrame
        ``year``, ``events``, ``deaths``, ``population``, ``deaths_per_100k``; for a district the same
        with ``province_`` in front; for the country ``country_events``, ``country_deaths``,
        ``country_population`` (the census-enumerated area), ``country_deaths_rated`` (the deaths
        located in it) and ``country_deaths_per_100k``; then ``share_of_country_deaths``, ``months``
        (months the source covers) and ``provisional``. A rate is missing for a year without
        population (before 1998; AJK and GB; districts created after 2017, before 2017) and for a
        part year. ``attrs``: ``sources``, ``measure``, ``selection``, ``provisional``.
    """
    common = dict(layout=LAYOUT, start_year=start_year, end_year=end_year, deaths_estimate=deaths_estimate,
                  violence_source=violence_source)
    provinces = select_panel(level="province", **common)
    pop_p = _population("province")
    if unit.is_province:
        own_panel, own_pop = provinces, pop_p
    else:
        own_panel = select_panel(level="district", district_set=DISTRICT_SET, **common)
        own_pop = _population("district")
    years = provinces.drop_duplicates("year").set_index("year")[["months", "provisional"]].sort_index()
    full = years["months"].ge(FULL_YEAR)
    out = pd.DataFrame(index=years.index)
    own = _series(own_panel, own_pop, [unit.unit_id]).reindex(years.index)
    out["events"], out["deaths"], out["population"] = own["events"], own["deaths"], own["population"]
    out["deaths_per_100k"] = rate_per_100k(own["deaths"], own["population"]).where(full)
    if not unit.is_province:
        prov = _series(provinces, pop_p, [unit.province_id]).reindex(years.index)
        out["province_events"], out["province_deaths"] = prov["events"], prov["deaths"]
        out["province_population"] = prov["population"]
        out["province_deaths_per_100k"] = rate_per_100k(prov["deaths"], prov["population"]).where(full)
    every = provinces["unit_id"].astype(str).unique().tolist()
    country = _series(provinces, pop_p[pop_p["unit_id"].ne(COUNTRY_ID)], every).reindex(years.index)
    out["country_events"], out["country_deaths"] = country["events"], country["deaths"]
    out["country_population"], out["country_deaths_rated"] = country["population"], country["deaths_rated"]
    out["country_deaths_per_100k"] = rate_per_100k(country["deaths_rated"], country["population"]).where(full)
    out["share_of_country_deaths"] = (out["deaths"] / out["country_deaths"]).where(out["country_deaths"] > 0)
    out["months"], out["provisional"] = years["months"].astype("int64"), years["provisional"].astype(bool)
    out = out.reset_index()
    out.attrs["sources"] = _sources(own_panel, provinces, own_pop, pop_p)
    out.attrs["measure"] = provinces.attrs["measure"]
    out.attrs["selection"] = provinces.attrs["selection"]
    out.attrs["provisional"] = bool(provinces.attrs.get("provisional"))
    return out


def rate_years(yearly: pd.DataFrame) -> list[int]:
    """The years in which the unit has a rate (population and a full year)."""
    return [int(y) for y in yearly.loc[yearly["deaths_per_100k"].notna(), "year"]]


def span_text(years: list[int]) -> str:
    """``2017-2021`` for consecutive years, ``1998-2001, 2003`` otherwise, ``none`` for none."""
    return year_ranges(years) or "none"


# --------------------------------------------------------------------------- totals


def _rate_over(rows: pd.DataFrame, deaths: str, population: str) -> tuple[float, float]:
    """Person-years and deaths per 100,000 of ``rows`` (NaN if a row lacks either)."""
    if rows.empty or rows[population].isna().any() or rows[deaths].isna().any():
        return np.nan, np.nan
    person_years = float(rows[population].sum())
    return person_years, float(rate_per_100k(float(rows[deaths].sum()), person_years))


def _total(scope: str, name: str, events: pd.Series, deaths: pd.Series, span: str, rated: tuple[float, float]
           ) -> dict:
    n_events, n_deaths = events.sum(min_count=1), deaths.sum(min_count=1)
    return {"scope": scope, "unit_name": name, "events": n_events, "deaths": n_deaths,
            "deaths_per_event": n_deaths / n_events if n_events and n_events > 0 else np.nan,
            "rate_years": span, "person_years": rated[0], "deaths_per_100k": rated[1]}


def violence_totals(unit: BriefUnit, yearly: pd.DataFrame) -> pd.DataFrame:
    """Events, deaths, deaths per event and deaths per 100,000 over the period: the unit, its province, the country.

    The counts are over every year of ``yearly`` (:func:`violence_by_year`); the rates of all three
    rows over the years the unit has a rate (``rate_years``), so they compare.
    """
    years = rate_years(yearly)
    span = span_text(years)
    rated = yearly[yearly["year"].isin(years)]
    rows = [_total(unit.level, unit.unit_name, yearly["events"], yearly["deaths"], span,
                   _rate_over(rated, "deaths", "population"))]
    if not unit.is_province:
        rows.append(_total("province", unit.province_name, yearly["province_events"], yearly["province_deaths"],
                           span, _rate_over(rated, "province_deaths", "province_population")))
    rows.append(_total("country", COUNTRY_NAME, yearly["country_events"], yearly["country_deaths"], span,
                       _rate_over(rated, "country_deaths_rated", "country_population")))
    out = pd.DataFrame(rows)
    country_deaths = float(out["deaths"].iloc[-1])
    out["share_of_country_deaths"] = (out["deaths"] / country_deaths) if country_deaths > 0 else np.nan
    if not years:
        out["rate_years"] = "none"
    out.attrs = {k: yearly.attrs[k] for k in ("sources", "measure", "selection", "provisional") if k in yearly.attrs}
    out.attrs["rate_years"] = years
    return out


# --------------------------------------------------------------------------- ranks


def violence_ranks(unit: BriefUnit, violence_source: SourceLike, *, start_year: int, end_year: int,
                   deaths_estimate: str = "best", rated_years: list[int] | None = None) -> pd.DataFrame:
    """The unit's rank by deaths (and by deaths per 100,000 over ``rated_years``) among its peers.

    Peers: a district's fellow districts of its province and every district of the country; a
    province's fellow provinces and territories. Rank 1 is the most deaths (ties share the better
    rank); units without a rate are not ranked by rate. Columns ``measure``, ``among``, ``rank``,
    ``n_ranked``, ``value``.
    """
    level = unit.level
    common = dict(layout=LAYOUT, deaths_estimate=deaths_estimate, violence_source=violence_source)
    extra = {} if unit.is_province else {"district_set": DISTRICT_SET}
    panel = select_panel(level=level, start_year=start_year, end_year=end_year, **common, **extra)
    own = panel[panel["unit_level"].eq(level)]
    deaths = own.groupby(["unit_id", "province"])["deaths"].sum(min_count=1).reset_index()
    peers = _peer_sets(unit, deaths)
    rows = [_rank_row("deaths", among, frame.set_index("unit_id")["deaths"], unit.unit_id)
            for among, frame in peers]
    if rated_years:
        pop = _population(level)
        rated = own[own["year"].isin(rated_years)].merge(pop, on=["unit_id", "year"], how="left")
        full = rated.groupby(["unit_id", "province"]).agg(
            deaths=("deaths", lambda s: s.sum(min_count=1)),
            person_years=("population", lambda s: s.sum() if s.notna().all() else np.nan)).reset_index()
        full["rate"] = rate_per_100k(full["deaths"], full["person_years"])
        for among, frame in _peer_sets(unit, full):
            rows.append(_rank_row(f"deaths per 100,000 ({span_text(rated_years)})", among,
                                  frame.set_index("unit_id")["rate"], unit.unit_id))
    out = pd.DataFrame(rows)
    out.attrs["sources"] = _sources(panel, _population(level))
    return out


def _peer_sets(unit: BriefUnit, frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if unit.is_province:
        return [("provinces and territories", frame)]
    return [(f"districts of {unit.province_name}", frame[frame["province"].eq(unit.province_id)]),
            ("districts of Pakistan", frame)]


def _rank_row(measure: str, among: str, values: pd.Series, unit_id: str) -> dict:
    valid = values.dropna()
    value = values.get(unit_id, np.nan)
    rank = int(valid.rank(ascending=False, method="min")[unit_id]) if unit_id in valid.index else pd.NA
    return {"measure": measure, "among": among, "rank": rank, "n_ranked": int(len(valid)), "value": value}
