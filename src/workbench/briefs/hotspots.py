"""A unit's place in the hotspot analysis: its local Moran (LISA) cluster class, or its districts' classes.

The statistics are those of ``45_hotspots`` (:func:`workbench.indicators.spatial.period_statistics`:
empirical-Bayes rates of deaths per 100,000 person-years, Queen contiguity, permutation p-values from
a fixed seed, clusters significant after a Benjamini-Hochberg false-discovery-rate correction), on the
**stable** district set (``45_hotspots``' default: the same districts in every year, so that every
period has a population), with Data4Pakistan poverty as the deprivation measure. A 2023 census
district is placed through the stable unit that holds it (Karachi's seven districts are one stable
unit; a district split after 2017 sits in the unit of its parent). The statistics cost a fraction of a
second for every district at once, so each brief computes them (no shared cache needed). A cluster
describes where high rates sit together; it says nothing about why.
"""

from __future__ import annotations

import pandas as pd

from workbench.briefs.units import BriefUnit
from workbench.indicators import spatial
from workbench.panel import spatial as loading
from workbench.panel.actors import unit_names
from workbench.panel.rates import FIRST_POPULATION_YEAR
from workbench.panel.violence import SourceLike
from workbench.geo.units import load_registry
from workbench.sources import resolve

NOT_IN = "not in the statistic"
DEPRIVATION = "d4p_poverty_pct"
WEIGHTS = "queen"
#: The district set of the statistics (every period has a population on its boundaries).
HOTSPOT_SET = "stable"
CLASSES = ("high-high", "low-low", "high-low", "low-high", spatial.NOT_SIGNIFICANT, NOT_IN)


def hotspot_statistics(violence_source: SourceLike, *, start_year: int, end_year: int, period_length: int,
                       deaths_estimate: str = "best", permutations: int = spatial.DEFAULT_PERMUTATIONS,
                       seed: int = spatial.DEFAULT_SEED, alpha: float = 0.05) -> dict:
    """The hotspot statistics of every district, period by period (periods end in ``end_year``).

    Returns a dict with ``periods``, ``table`` (:func:`workbench.panel.spatial.hotspot_table`),
    ``neighbours`` and the statistics (``global``, ``lisa``, ``left_out``). Years before 1998 have
    no population and are left out.
    """
    source = resolve(violence_source)
    first, last = source.coverage.years
    start, end = max(start_year, first, FIRST_POPULATION_YEAR), min(end_year, last)
    periods = loading.periods_of(start, end, period_length)
    table = loading.hotspot_table(source, district_set=HOTSPOT_SET, periods=periods, deaths_estimate=deaths_estimate,
                                  deprivation=DEPRIVATION)
    neighbours, _ = loading.district_neighbours(HOTSPOT_SET, WEIGHTS)
    stats = spatial.period_statistics(table, neighbours, kind=WEIGHTS, permutations=permutations, seed=seed,
                                      alpha=alpha)
    return {"periods": periods, "table": table, "neighbours": neighbours, **stats}


def _with_class(hot: dict) -> pd.DataFrame:
    """Every district and period with its rate and cluster class (``not in the statistic`` where left out)."""
    table = hot["table"][["period", "unit_id", "unit_name", "province", "events", "deaths", "deaths_per_100k"]]
    lisa = hot["lisa"][["period", "unit_id", "cluster", "local_i", "p_perm", "fdr_threshold"]]
    out = table.merge(lisa, on=["period", "unit_id"], how="left")
    out["cluster"] = out["cluster"].fillna(NOT_IN)
    return out


def stable_unit(unit: BriefUnit) -> tuple[str, str, list[str]]:
    """The stable unit of a district: its id, its name and the 2023 census districts it holds."""
    reg = load_registry()
    stable = reg.stable_of(unit.unit_id)
    return stable, reg.name(stable), reg.members(stable, "census2023")


def unit_place(unit: BriefUnit, hot: dict) -> pd.DataFrame:
    """A district's cluster class per period (that of its stable unit), with its rate and local statistic.

    For a district brief: one row per period, with ``stable_unit`` (the unit of the statistic) and
    ``holds`` (how many 2023 census districts it holds). For a province brief: per period and class,
    how many of its (stable) districts, and which (for the significant classes). ``attrs["sources"]``
    from the inputs.
    """
    rows = _with_class(hot)
    if unit.is_province:
        mine = rows[rows["province"].eq(unit.unit_id)]
        out = (mine.groupby(["period", "cluster"]).agg(districts=("unit_id", "size"),
                                                        names=("unit_name", lambda s: ", ".join(sorted(s))))
               .reset_index())
        out.loc[out["cluster"].isin([spatial.NOT_SIGNIFICANT, NOT_IN]), "names"] = ""
        order = {c: i for i, c in enumerate(CLASSES)}
        out = out.sort_values(["period", "cluster"], key=lambda s: s.map(order) if s.name == "cluster" else s,
                              kind="stable").reset_index(drop=True)
    else:
        stable, name, members = stable_unit(unit)
        out = rows[rows["unit_id"].eq(stable)].drop(columns=["unit_id", "province"]).reset_index(drop=True)
        out.insert(1, "stable_unit", name)
        out.insert(2, "holds", len(members))
        out = out.drop(columns="unit_name")
        out["why_not_in"] = out["cluster"].map(lambda c: _why_not(stable, hot) if c == NOT_IN else "")
    out.attrs["sources"] = list(hot["table"].attrs["sources"])
    out.attrs["provisional"] = bool(hot["table"].attrs.get("provisional"))
    return out


def _why_not(unit_id: str, hot: dict) -> str:
    left = hot["left_out"]
    left = left[left["statistic"].str.startswith("violence")]
    if left["without_value"].str.contains(unit_id, regex=False).any():
        return "no population for every year of the period (a rate needs one)"
    if left["islands"].str.contains(unit_id, regex=False).any():
        return "no neighbour with a value"
    return "left out of the statistic"


def neighbourhood(unit: BriefUnit, hot: dict) -> pd.DataFrame:
    """A district's stable unit and its Queen neighbours in the latest period: rate and cluster class of each."""
    rows = _with_class(hot)
    period = f"{hot['periods'][-1][0]}-{hot['periods'][-1][1]}"
    stable, _, _ = stable_unit(unit)
    ids = [stable, *hot["neighbours"].get(stable, [])]
    out = rows[rows["period"].eq(period) & rows["unit_id"].isin(ids)].copy()
    out["role"] = out["unit_id"].map(lambda u: "the district" if u == stable else "neighbour")
    out["province_name"] = unit_names(out["province"])
    out = out.sort_values(["role", "deaths_per_100k"], ascending=[False, False], kind="stable")
    out = out[["period", "role", "unit_name", "province_name", "events", "deaths", "deaths_per_100k", "cluster"]]
    out.attrs["sources"] = list(hot["table"].attrs["sources"])
    return out.reset_index(drop=True)


def latest_class(place: pd.DataFrame) -> str:
    """The cluster class of a district in the latest period (district briefs)."""
    return str(place.sort_values("period").iloc[-1]["cluster"]) if len(place) else NOT_IN
