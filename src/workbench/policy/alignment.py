"""Need against priority: where the drivers of insecurity are strongest, and how much attention NISP 2018 gives.

Two sides, kept apart and labelled:

* **need** (data): for every driver the data can measure (D1 youth, D3 regional inequality, and
  violence per head, the outcome the policy targets), each unit's value from the drivers panel
  (:mod:`workbench.panel.drivers`), ranked so that rank 1 is the greatest need. Direction is part of
  the measure: a *low* literacy, water, toilet or electricity rate is a *high* need.
* **attention** (encoding judgement): how many interventions, Priority List items, key areas and
  mentions of the policy name the unit (:func:`workbench.policy.nisp.attention_by_geography`,
  resting on the encoder's links of places to registry units), and per theme how much of the
  policy the Rs that answer a driver hold (:func:`theme_attention`).

:func:`scorecard` joins them per unit and indicator; :func:`workbench.report.charts.need_attention_heatmap` draws the
indicator x unit grid of need percentiles with the attention rows beneath. Ranks are descriptive:
with 4-8 provinces no statistical comparison is possible, and attention counts passages of text,
not money or effort. The rules are documented in ``docs/claims.md`` (section "Need against
priority").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.indicators.violence import rate_per_100k
from workbench.policy.nisp import JUDGEMENT_NOTE, Policy, attention_by_geography, attention_by_R, drivers_frame, \
    load_policy
from workbench.catalog import sources_of

if TYPE_CHECKING:  # pragma: no cover
    from workbench.geo.units import Registry

__all__ = [
    "ATTENTION_MEASURES", "DRIVER_THEMES", "NEED_INDICATORS", "attention_table", "build_scorecard",
    "need_table", "rank_need", "scorecard", "theme_attention",
]

Level = Literal["province", "district"]
Layout = Literal["pre2018", "current"]
AttentionMeasure = Literal["n_mentions", "n_interventions", "n_priority_items", "n_key_areas"]
LEVELS: tuple[str, ...] = ("province", "district")
LAYOUTS: tuple[str, ...] = ("pre2018", "current")
ATTENTION_MEASURES: tuple[str, ...] = ("n_mentions", "n_interventions", "n_priority_items", "n_key_areas")
POLICY_SOURCE = "policy:nisp2018"

#: Workbench indicator -> (drivers-panel column, direction: +1 higher value = more need, -1 lower value = more need).
NEED_INDICATORS: dict[str, tuple[str, int]] = {
    "youth.share_15_29": ("youth_share_15_29", 1),
    "youth.bulge_15_24": ("youth_bulge_15_24", 1),
    "deprivation.poverty_rate": ("d4p_poverty_pct", 1),
    "deprivation.mpi_headcount": ("mpi_headcount_pct", 1),
    "deprivation.literacy_10plus": ("literacy_10plus_pct", -1),
    "deprivation.out_of_school_5_16": ("out_of_school_5_16_pct", 1),
    "deprivation.improved_water": ("improved_water_pct", -1),
    "deprivation.flush_toilet": ("flush_toilet_pct", -1),
    "deprivation.electricity": ("electricity_pct", -1),
    "violence.deaths_per_100k": ("deaths_best", 1),
}
#: The violence outcome, shown as a row of its own (not a driver of section D).
VIOLENCE_DRIVER = ("V", "Violence per head (the outcome NISP targets)")
#: Why an indicator a driver lists is not ranked by unit.
NOT_RANKED: dict[str, str] = {
    "inequality.gini_poverty": "a dispersion of district poverty within a province or the country, not a unit's need",
    "inequality.theil_poverty": "a dispersion of district poverty within a province or the country, not a unit's need",
}
#: The year of a measure per column (drivers panel).
YEAR_COLUMNS: dict[str, str] = {
    "youth_share_15_29": "youth_year", "youth_bulge_15_24": "youth_year", "d4p_poverty_pct": "d4p_poverty_year",
    "mpi_headcount_pct": "mpi_year", "literacy_10plus_pct": "census_deprivation_year",
    "out_of_school_5_16_pct": "census_deprivation_year", "improved_water_pct": "census_deprivation_year",
    "flush_toilet_pct": "census_deprivation_year", "electricity_pct": "census_deprivation_year",
}

#: Driver -> the Rs whose key areas answer it, with the key area that says so (an encoding judgement;
#: the test checks each quoted key area is in the policy file).
DRIVER_THEMES: dict[str, tuple[tuple[str, str], ...]] = {
    "D1": (("H2", "Reforming the Education System"),
           ("H4", "Social, economic and political uplift of marginalized groups such as youth, women and minorities")),
    "D3": (("H4", "Prioritising underdeveloped areas of the country in development plans to reduce regional and "
                  "sub-national disparities"),
           ("H3", "The worst affected areas: FATA, Balochistan, and areas of KP and Karachi")),
    "V": (("H1", "Improving Strategic Cooperation & Coordination"),
          ("H3", "The worst affected areas: FATA, Balochistan, and areas of KP and Karachi")),
}

NEED_BASIS = "data"
ATTENTION_BASIS = "encoding judgement"
SCORECARD_COLUMNS = [
    "level", "layout", "driver", "driver_name", "indicator", "role", "column", "direction", "unit_id", "unit_name",
    "value", "measured_year", "need_rank", "n_ranked", "need_percentile", "n_interventions", "n_priority_items",
    "n_key_areas", "n_mentions", "attention_measure", "attention_rank", "attention_percentile",
    "need_minus_attention", "need_basis", "attention_basis", "missing_reason",
]


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"argument '{name}' must be one of {list(allowed)}; found {value!r}")


def check_scorecard_parameters(*, level: str, layout: str) -> None:
    """Refuse a level and layout the scorecard cannot combine (district level is current layout only).

    Called by :func:`need_table` and, before any kernel starts, by the report pre-flight.
    """
    _check_choice("level", level, LEVELS)
    _check_choice("layout", layout, LAYOUTS)
    if level == "district" and layout != "current":
        raise ParameterError(f"level='district' with layout={layout!r}: district level uses the 2023 census "
                             "districts, current layout; use layout='current' (or level='province')")


# --------------------------------------------------------------------------- need (data)


def _drivers_panel(level: Level) -> pd.DataFrame:
    """The committed drivers panel, or the same table computed from the violence panel when not yet committed."""
    from workbench.panel import drivers
    from workbench.store import read_processed

    name = {"province": "province", "district": "census2023"}[level]
    try:
        return read_processed(drivers.DRIVERS_TABLES[name])
    except ParameterError:
        panel, _ = drivers.drivers_panel(read_processed(drivers.VIOLENCE_TABLES[name]), name, drivers.Inputs())
        return panel


def _driver_indicators(policy: Policy) -> pd.DataFrame:
    """Measurable drivers with their indicators (role), plus the violence outcome."""
    d = drivers_frame(policy)
    d = d[d["measurable"]][["driver", "name", "indicator", "role"]].rename(columns={"name": "driver_name"})
    v = pd.DataFrame([{"driver": VIOLENCE_DRIVER[0], "driver_name": VIOLENCE_DRIVER[1],
                       "indicator": "violence.deaths_per_100k", "role": "outcome"}])
    return pd.concat([d, v], ignore_index=True)


def need_table(panel: pd.DataFrame, *, level: Level = "province", layout: Layout = "pre2018", year: int = 2017,
               violence_years: tuple[int, int] = (2008, 2017), policy: Policy | None = None) -> pd.DataFrame:
    """Each unit's value on every measurable driver indicator, long.

    Parameters
    ----------
    panel:
        A drivers panel (:mod:`workbench.panel.drivers`): ``drivers_province_year`` for ``province``,
        ``drivers_district_year_census2023`` for ``district``.
    level, layout:
        Provinces in the ``pre2018`` (FATA apart) or ``current`` layout; districts are the 2023
        census districts (current layout).
    year:
        The year whose covariates are read (each covariate carries the year it was measured:
        census 2023, MPI 2014/15, Data4Pakistan's latest round at or before ``year``).
    violence_years:
        Deaths per 100,000 person-years over these years (summed deaths over summed yearly
        populations, :func:`workbench.indicators.violence.rate_per_100k`).

    Returns
    -------
    DataFrame
        ``driver``, ``driver_name``, ``indicator``, ``role``, ``column``, ``direction`` (+1 or -1),
        ``unit_id``, ``unit_name``, ``value``, ``measured_year`` (text: a year or a span),
        ``missing_reason`` ("" when present); ``attrs['sources']`` from the panel;
        ``attrs['not_ranked']``: indicator -> why it has no row (e.g. MPI at district level).
    """
    check_scorecard_parameters(level=level, layout=layout)
    start, end = violence_years
    if not start <= end:
        raise ParameterError(f"violence_years must be (start, end) with start <= end; got {violence_years!r}")
    lay = panel[panel["layout"] == layout]
    unit_level = "province" if level == "province" else "district"
    lay = lay[lay["unit_level"] == unit_level]
    if lay.empty:
        raise ParameterError(f"the panel has no {unit_level} rows in the {layout} layout")
    years = sorted(lay["year"].unique())
    if year not in years:
        raise ParameterError(f"year {year} is not in the panel (years {years[0]}-{years[-1]})")
    units = lay[lay["year"] == year].drop_duplicates("unit_id").set_index("unit_id")
    window = lay[lay["year"].between(start, end)]
    if window["year"].nunique() != end - start + 1:
        raise ParameterError(f"violence_years {start}-{end} are not all in the panel (years {years[0]}-{years[-1]})")
    deaths = window.groupby("unit_id")["deaths_best"].sum()
    pop = window.groupby("unit_id")["population"].agg(lambda s: s.sum() if s.notna().all() else np.nan)
    rows, not_ranked = [], {}
    for r in _driver_indicators(policy if policy is not None else load_policy()).itertuples(index=False):
        if r.indicator not in NEED_INDICATORS:
            not_ranked[r.indicator] = NOT_RANKED.get(r.indicator, "no unit-level measure in the drivers panel")
            continue
        column, direction = NEED_INDICATORS[r.indicator]
        if column not in lay.columns:
            not_ranked[r.indicator] = (f"not measured at {level} level (no column {column!r} in the {level} "
                                       "drivers panel)")
            continue
        for unit_id, u in units.iterrows():
            if r.indicator == "violence.deaths_per_100k":
                value = float(rate_per_100k(deaths.get(unit_id, np.nan), pop.get(unit_id, np.nan)))
                measured = f"{start}-{end}"
                why = "" if np.isfinite(value) else f"no population for every year {start}-{end}"
            else:
                value = float(u[column]) if pd.notna(u[column]) else np.nan
                y = u.get(YEAR_COLUMNS[column])
                measured = "" if pd.isna(y) else str(int(y))
                why = "" if np.isfinite(value) else f"no {column} for this unit in the {layout} layout"
            rows.append({"driver": r.driver, "driver_name": r.driver_name, "indicator": r.indicator, "role": r.role,
                         "column": column, "direction": direction, "unit_id": str(unit_id),
                         "unit_name": str(u["unit_name"]), "value": value, "measured_year": measured,
                         "missing_reason": why})
    out = pd.DataFrame(rows)
    out["value"] = out["value"].astype("float64")
    out.attrs["sources"] = sources_of(panel)
    out.attrs["not_ranked"] = not_ranked
    return out


def rank_need(need: pd.DataFrame) -> pd.DataFrame:
    """Rank units within each driver and indicator: ``need_rank`` 1 = greatest need (ties share the better rank).

    ``n_ranked`` counts units with a value; ``need_percentile`` is 1 for the greatest need and 0
    for the least (NaN when fewer than two units have a value). Missing values get no rank.
    """
    for col in ("indicator", "direction", "value", "unit_id"):
        if col not in need.columns:
            raise ParameterError(f"argument 'need' lacks column {col!r}")
    out = need.copy()
    keys = [c for c in ("driver", "indicator") if c in out.columns]  # an indicator two drivers share ranks once each
    score = out["value"] * out["direction"]
    out["need_rank"] = score.groupby([out[k] for k in keys]).rank(ascending=False, method="min").astype("Int64")
    out["n_ranked"] = out.groupby(keys)["value"].transform(lambda s: int(s.notna().sum())).astype("int64")
    denom = (out["n_ranked"] - 1).where(out["n_ranked"] > 1)
    out["need_percentile"] = (1 - (out["need_rank"].astype("float64") - 1) / denom).astype("float64")
    out.attrs = dict(need.attrs)
    return out


# --------------------------------------------------------------------------- attention (encoding judgement)


def _relinked(policy: Policy, link: dict[str, list[str]]) -> Policy:
    """The policy with each geography's unit ids replaced by ``link[unit]`` (union; unknown units dropped)."""
    geos = []
    for g in policy.geographies:
        units = list(dict.fromkeys(u for unit in g.unit_ids for u in link.get(unit, [])))
        note = g.unit_ids_note or ("relinked for the alignment" if not units else None)
        geos.append(g.model_copy(update={"unit_ids": units, "unit_ids_note": note}))
    return policy.model_copy(update={"geographies": geos})


def attention_table(*, level: Level = "province", layout: Layout = "pre2018", policy: Policy | None = None,
                    registry: Registry | None = None) -> pd.DataFrame:
    """Attention per unit of the scorecard: passages of the policy that name it (an encoding judgement).

    Provinces, ``pre2018``: as :func:`attention_by_geography`. Provinces, ``current``: FATA's
    passages count for Khyber Pakhtunkhwa (a passage naming both counts once). Districts (2023
    census): passages naming the district's stable unit or the division (Karachi) that holds it;
    a passage naming only the province does not count for its districts.

    Returns
    -------
    DataFrame
        ``unit_id``, ``geographies``, ``n_interventions``, ``n_intervention_items``,
        ``n_priority_items``, ``n_key_areas``, ``n_mentions``, ``n_judgement_links``, ``basis``.
    """
    _check_choice("level", level, LEVELS)
    _check_choice("layout", layout, LAYOUTS)
    p = policy if policy is not None else load_policy()
    if level == "province" and layout == "pre2018":
        att = attention_by_geography(p, include_unlinked=False)
    elif level == "province":
        ids = {u for g in p.geographies for u in g.unit_ids}
        link = {u: ["PK-KP" if u == "PK-TA" else u] for u in ids}
        att = attention_by_geography(_relinked(p, link), include_unlinked=False)
    else:
        from workbench.geo.units import load_registry

        reg = registry or load_registry()
        units = reg.units
        link: dict[str, list[str]] = {}
        for u in {u for g in p.geographies for u in g.unit_ids}:
            if u.startswith("stable/"):
                link[u] = reg.members(u, "census2023")
            elif u.startswith("division/"):
                link[u] = sorted(units.loc[units["division"].eq(u) & units["vintage"].eq("census2023"),
                                           "unit_id"].astype(str))
            elif u.startswith("census2023/"):
                link[u] = [u]
        att = attention_by_geography(_relinked(p, link), include_unlinked=False)
    keep = att["unit_id"].str.startswith("PK-") if level == "province" else att["unit_id"].str.startswith("census2023/")
    att = att[keep].reset_index(drop=True)
    att.attrs["sources"] = [POLICY_SOURCE]
    att.attrs["basis"] = JUDGEMENT_NOTE
    return att


def theme_attention(policy: Policy | None = None) -> pd.DataFrame:
    """Per driver, the Rs that answer it (:data:`DRIVER_THEMES`) and how much of the policy they hold.

    Columns: ``driver``, ``r``, ``r_name``, ``key_area`` (the key area that links them),
    ``n_interventions``, ``n_intervention_items``, ``n_priority_items``, ``n_annex_indicators``,
    ``link_basis`` ("encoding judgement"). The counts are read off the text; the links are the
    workbench's reading.
    """
    p = policy if policy is not None else load_policy()
    by_r = attention_by_R(p).set_index("r")
    rows = []
    for driver, links in DRIVER_THEMES.items():
        for r_id, key_area in links:
            r = by_r.loc[r_id]
            rows.append({"driver": driver, "r": r_id, "r_name": r["name"], "key_area": key_area,
                         "n_interventions": int(r["n_interventions"]),
                         "n_intervention_items": int(r["n_intervention_items"]),
                         "n_priority_items": int(r["n_priority_items"]),
                         "n_annex_indicators": int(r["n_annex_indicators"]), "link_basis": ATTENTION_BASIS})
    out = pd.DataFrame(rows)
    out.attrs["sources"] = [POLICY_SOURCE]
    return out


# --------------------------------------------------------------------------- the scorecard


def scorecard(need: pd.DataFrame, attention: pd.DataFrame, *, attention_measure: AttentionMeasure = "n_mentions",
              level: Level = "province", layout: Layout = "pre2018") -> pd.DataFrame:
    """Join need (ranked) and attention per unit and indicator.

    Parameters
    ----------
    need:
        :func:`need_table` output (ranked here with :func:`rank_need`).
    attention:
        :func:`attention_table` output; units it does not list have zero attention.
    attention_measure:
        The count that ranks attention (1 = most attention).

    Returns
    -------
    DataFrame
        :data:`SCORECARD_COLUMNS`. ``need_minus_attention`` = need percentile - attention
        percentile: positive where a unit's need ranks higher than the attention it gets
        (descriptive). ``need_basis`` is "data", ``attention_basis`` "encoding judgement".
    """
    _check_choice("attention_measure", attention_measure, ATTENTION_MEASURES)
    _check_choice("level", level, LEVELS)
    _check_choice("layout", layout, LAYOUTS)
    ranked = rank_need(need)
    counts = ["n_interventions", "n_priority_items", "n_key_areas", "n_mentions"]
    att = attention.set_index("unit_id")[counts]
    units = pd.Index(ranked["unit_id"].unique())
    att = att.reindex(units).fillna(0).astype("int64")
    a_rank = att[attention_measure].rank(ascending=False, method="min")
    n = len(units)
    a_pct = (1 - (a_rank - 1) / (n - 1)) if n > 1 else pd.Series(np.nan, index=units)
    out = ranked.merge(att, left_on="unit_id", right_index=True, how="left", validate="many_to_one")
    out["attention_measure"] = attention_measure
    out["attention_rank"] = out["unit_id"].map(a_rank).astype("Int64")
    out["attention_percentile"] = out["unit_id"].map(a_pct).astype("float64")
    out["need_minus_attention"] = out["need_percentile"] - out["attention_percentile"]
    out["level"], out["layout"] = level, layout
    out["need_basis"] = NEED_BASIS
    out["attention_basis"] = ATTENTION_BASIS
    out = out[SCORECARD_COLUMNS].reset_index(drop=True)
    out.attrs["sources"] = list(dict.fromkeys([*need.attrs.get("sources", []), POLICY_SOURCE]))
    out.attrs["basis"] = (f"need: data ({'; '.join(need.attrs.get('sources', []))}); attention: {JUDGEMENT_NOTE}")
    out.attrs["not_ranked"] = dict(need.attrs.get("not_ranked", {}))
    return out


def build_scorecard(*, level: Level = "province", layout: Layout | None = None, year: int = 2017,
                    violence_years: tuple[int, int] = (2008, 2017), attention_measure: AttentionMeasure = "n_mentions",
                    policy: Policy | None = None, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scorecard from the committed drivers panel and the policy file (see :func:`scorecard`).

    ``layout`` defaults to ``pre2018`` for provinces (the policy's geography, FATA apart) and
    ``current`` for districts.
    """
    _check_choice("level", level, LEVELS)
    lay = layout or ("pre2018" if level == "province" else "current")
    p = policy if policy is not None else load_policy()
    pnl = panel if panel is not None else _drivers_panel(level)
    need = need_table(pnl, level=level, layout=lay, year=year, violence_years=violence_years, policy=p)
    att = attention_table(level=level, layout=lay, policy=p)
    return scorecard(need, att, attention_measure=attention_measure, level=level, layout=lay)


# --------------------------------------------------------------------------- the heatmap
