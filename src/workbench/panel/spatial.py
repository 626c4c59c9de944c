"""Districts with neighbours: weights from the boundary layer, and the tables the hotspot statistics need.

* :func:`district_neighbours`: Queen contiguity (or a distance band) of the districts of a district
  set, from the boundary layer that panels are mapped on (:func:`workbench.geo.boundaries.units_layer`,
  current layout). Computed once per district set and process.
* :func:`hotspot_table`: per district and period, violence of any source (events, deaths),
  person-years, the rate per 100,000 and a deprivation measure; units without population (AJK,
  GB) keep their row with no rate, so the statistics list them as left out.

The statistics themselves are in :mod:`workbench.indicators.spatial`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.boundaries import units_layer
from workbench.indicators.spatial import contiguity_neighbours, distance_neighbours
from workbench.panel.rates import FIRST_POPULATION_YEAR, violence_rates
from workbench.panel.violence import SourceLike
from workbench.sources import resolve
from workbench.store import processed_sources, read_processed

WEIGHTS = ("queen", "distance")
#: Deprivation measures of the drivers panels offered to the hotspot statistics.
DEPRIVATION = {
    "d4p_poverty_pct": ("d4p_poverty_year", "consumption poverty, % (Data4Pakistan small-area model estimate)"),
    "out_of_school_5_16_pct": ("census_deprivation_year", "children 5-16 out of school, % (census 2023)"),
    "literacy_10plus_pct": ("census_deprivation_year", "literacy 10+, % (census 2023; higher is less deprived)"),
}


@lru_cache(maxsize=8)
def _neighbours(district_set: str, weights: str, threshold_km: float | None) -> tuple[dict, float | None]:
    layer = units_layer("district", "current", district_set)
    if weights == "queen":
        return contiguity_neighbours(layer), None
    return distance_neighbours(layer, threshold_km)


def district_neighbours(district_set: str = "census2023", weights: str = "queen",
                        threshold_km: float | None = None) -> tuple[dict[str, list[str]], float | None]:
    """Neighbours of each district of ``district_set`` (``unit -> neighbours``) and the distance band used.

    ``weights``: ``queen`` (a shared edge or corner) or ``distance`` (centroids within
    ``threshold_km``; by default the smallest band that leaves no district alone).
    """
    if weights not in WEIGHTS:
        raise ParameterError(f"weights must be one of {', '.join(WEIGHTS)}; got {weights!r}")
    found, km = _neighbours(district_set, weights, threshold_km)
    return {k: list(v) for k, v in found.items()}, km


def neighbour_edges(district_set: str = "census2023") -> pd.DataFrame:
    """Queen contiguity as a table: ``unit_id``, ``neighbour_id`` (one row per ordered pair)."""
    nb, _ = district_neighbours(district_set, "queen")
    rows = [(u, n) for u, ns in nb.items() for n in ns]
    out = pd.DataFrame(rows, columns=["unit_id", "neighbour_id"])
    out.attrs["sources"] = list(units_layer("district", "current", district_set).attrs["sources"])
    return out


def periods_of(first: int, last: int, length: int) -> list[tuple[int, int]]:
    """Consecutive periods of ``length`` years ending in ``last`` (the first may be shorter), from ``first``."""
    if length < 1:
        raise ParameterError(f"period_length must be at least 1 year; got {length}")
    if first > last:
        raise ParameterError(f"no years between {first} and {last}")
    out = []
    end = last
    while end >= first:
        out.append((max(first, end - length + 1), end))
        end -= length
    return out[::-1]


def hotspot_table(violence_source: SourceLike, *, district_set: str = "census2023",
                  periods: Sequence[tuple[int, int]], deaths_estimate: str = "best",
                  deprivation: str = "d4p_poverty_pct") -> pd.DataFrame:
    """Per district and period: ``events``, ``deaths``, ``person_years``, ``deaths_per_100k`` and deprivation.

    Violence comes from ``violence_source`` (any source with district panels), populations from the
    committed population panel of ``district_set``, deprivation from its drivers panel (the mean over
    the period's years of the value in force, with the years it was measured in
    ``deprivation_measured``). Events located only to a province or the country belong to no district:
    they are counted in ``attrs["not_in_districts"]`` per period.
    """
    if deprivation not in DEPRIVATION:
        raise ParameterError(f"deprivation must be one of {', '.join(DEPRIVATION)}; got {deprivation!r}")
    source = resolve(violence_source)
    first, last = source.coverage.years
    drivers = read_processed(f"drivers_district_year_{district_set}")
    drivers = drivers[drivers["layout"].eq("current") & drivers["unit_level"].eq("district")]
    year_col = DEPRIVATION[deprivation][0]
    parts, outside = [], []
    for start, end in periods:
        if start < max(first, FIRST_POPULATION_YEAR) or end > last:
            raise ParameterError(f"period {start}-{end} is outside the years {source.label} covers with population "
                                 f"({max(first, FIRST_POPULATION_YEAR)}-{last})")
        r = violence_rates(level="district", layout="current", start_year=start, end_year=end,
                           deaths_estimate=deaths_estimate, district_set=district_set, violence_source=source)
        d = drivers[drivers["year"].between(start, end)].groupby("unit_id").agg(
            deprivation=(deprivation, "mean"),
            deprivation_measured=(year_col, lambda s: _years_text(s)))
        r = r[r["unit_id"].ne(r["province"])]  # rows of events located only to a province: in no district
        r = r.merge(d, left_on="unit_id", right_index=True, how="left")
        r.insert(0, "period", f"{start}-{end}")
        parts.append(r)
        outside.append(_not_in_districts(source, district_set, start, end, deaths_estimate))
    out = pd.concat(parts, ignore_index=True)
    out = out[["period", "unit_id", "unit_name", "province", "events", "deaths", "person_years",
               "deaths_per_100k", "deprivation", "deprivation_measured"]]
    out.attrs["sources"] = list(dict.fromkeys([*parts[0].attrs.get("sources", []),
                                               *processed_sources(f"drivers_district_year_{district_set}")]))
    out.attrs["not_in_districts"] = pd.DataFrame(outside)
    out.attrs["deprivation"] = DEPRIVATION[deprivation][1]
    out.attrs["provisional"] = source.provisional
    return out


def _years_text(s: pd.Series) -> str:
    v = sorted({int(x) for x in s.dropna()})
    return ", ".join(map(str, v))


def _not_in_districts(source, district_set: str, start: int, end: int, deaths_estimate: str) -> dict:
    p = source.panel("district", "current", district_set)
    p = p[p["year"].between(start, end) & ~p["unit_level"].eq("district")]
    return {"period": f"{start}-{end}", "events": float(p["events"].sum()),
            "deaths": float(p[f"deaths_{deaths_estimate}"].sum())}
