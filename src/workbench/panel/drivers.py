"""The drivers panel: violence joined with population, youth and deprivation on unit ids.

NISP 2018 names youth alienation (D1) and regional inequality (D3) as drivers of insecurity.
This module joins their measures to the violence panels of :mod:`workbench.sources.ucdp_panels`, at province
level (both layouts) and district level (2023 districts and the stable set, both layouts):

===========================  ===============================  =================================
covariate                    source                           measured
===========================  ===============================  =================================
``population``               censuses 1998, 2017, 2023        every year 1998-2023 (geometric
                                                              interpolation between censuses)
``youth_share_15_29``,       census 2023 Table 4              2023
``youth_bulge_15_24``
``<census measure>_pct``     census 2023 Tables 4, 12, 22-24  2023
``mpi_headcount_pct``        NISP 2018 D3 / press (province)  2014/15 (year 2015)
``d4p_poverty_pct``,         Data4Pakistan (district)         2004-2014, every second year
``d4p_youth_literacy_pct``
===========================  ===============================  =================================

Every covariate carries the year it was measured (``*_year``), so a model can tell a covariate
measured after the outcome year. A time-varying covariate (Data4Pakistan) takes, for each
outcome year, the latest measurement at or before it, else the earliest after it. Nothing is
filled: a covariate that does not exist for a unit and year is missing, and
:func:`missingness` says which units and years lack which measure, and why.

:func:`build_step` returns every table this layer commits under ``data/processed/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.panel import demography
from workbench.errors import ParameterError
from workbench.formatting import year_ranges
from workbench.geo.units import FATA_ID, Registry, load_registry
from workbench.indicators.inequality import inequality_table
from workbench.indicators.violence import rate_per_100k
from workbench.indicators.youth import aggregate_shares
from workbench.sources.ucdp_panels import KEY_COLUMNS, MEASURES
from workbench.catalog import sources_of
from workbench.sources import deprivation

Level = Literal["province", "census2023", "stable"]
LEVELS: tuple[str, ...] = ("province", "census2023", "stable")
VIOLENCE_TABLES = {"province": "violence_province_year", "census2023": "violence_district_year_census2023",
                   "stable": "violence_district_year_stable"}
DRIVERS_TABLES = {"province": "drivers_province_year", "census2023": "drivers_district_year_census2023",
                  "stable": "drivers_district_year_stable"}

CENSUS_MEASURE_COLUMNS = [f"{m}_pct" for m in deprivation.CENSUS_MEASURES]
D4P_COVARIATES = {"d4p_poverty_pct": deprivation.POVERTY_ID,
                  "d4p_youth_literacy_pct": "youth_literacy_15_24_years_old"}
POPULATION_COLUMNS = ["population", "pop_method", "pop_anchor_from", "pop_anchor_to", "deaths_best_per_100k"]
YOUTH_COLUMNS = ["youth_share_15_29", "youth_bulge_15_24", "youth_year"]
CENSUS_COLUMNS = [*CENSUS_MEASURE_COLUMNS, "census_deprivation_year"]
MPI_COLUMNS = ["mpi_headcount_pct", "mpi_year"]
D4P_COLUMNS = [c for name in D4P_COVARIATES for c in (name, name.replace("_pct", "_year"))]

RESIDUAL = "row holds events located only to {level}: it has no population or covariates of its own"


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ParameterError(f"argument 'level' must be one of {list(LEVELS)}; found {level!r}")




# --------------------------------------------------------------------------- inputs computed once

class Inputs:
    """Everything the drivers panel needs, computed once (census, Data4Pakistan, MPI)."""

    def __init__(self, registry: Registry | None = None) -> None:
        self.registry = reg = registry or load_registry()
        self.c17 = demography.census2017_units(reg)
        self.anchors = demography.population_anchors(reg, c17=self.c17)
        self.population = {lv: demography.population_table(lv, reg, anchors=self.anchors) for lv in LEVELS}
        self.age = demography.age_table_with_units(reg)
        self.youth = demography.youth_table(reg, age=self.age)
        self.census = deprivation.census_deprivation(reg, age=self.age)
        self.mpi = deprivation.mpi_province(reg)
        self.d4p_dictionary = deprivation.d4p_dictionary()
        raw = deprivation.read_d4p_indicators(dictionary=self.d4p_dictionary)
        self.d4p_units = deprivation.d4p_units(reg, long=raw)
        self.d4p = deprivation.d4p_long(reg, long=raw, dictionary=self.d4p_dictionary, units=self.d4p_units)
        self.d4p_weights = d4p_weights(reg, list(deprivation.D4P_YEARS), c17=self.c17)
        self.units = reg.units.set_index("unit_id")


# --------------------------------------------------------------------------- time alignment

def align_years(values: pd.DataFrame, key: Sequence[str], years: Sequence[int], value: str = "value") -> pd.DataFrame:
    """For each unit and outcome year, the latest measurement at or before it, else the earliest after it.

    Parameters
    ----------
    values:
        ``key`` columns, ``year`` (the measurement year) and ``value`` (NaN rows are ignored).
    years:
        Outcome years wanted.

    Returns
    -------
    DataFrame
        ``key``, ``year`` (outcome), ``value``, ``measured_year`` (Int64); units without any
        measurement are absent.
    """
    key = list(key)
    have = values[values[value].notna()].sort_values([*key, "year"])
    rows = []
    for k, grp in have.groupby(key, sort=False):
        k = k if isinstance(k, tuple) else (k,)
        ty = grp["year"].to_numpy(dtype=int)
        tv = grp[value].to_numpy(dtype=float)
        for y in years:
            j = int(np.searchsorted(ty, y, side="right")) - 1
            if j < 0:
                j = 0
            rows.append({**dict(zip(key, k, strict=True)), "year": int(y), value: tv[j], "measured_year": int(ty[j])})
    out = pd.DataFrame(rows, columns=[*key, "year", value, "measured_year"])
    out["measured_year"] = out["measured_year"].astype("Int64")
    out.attrs = {"sources": list(values.attrs.get("sources", []))}
    return out


# --------------------------------------------------------------------------- Data4Pakistan on panel units

def d4p_weights(registry: Registry, years: Sequence[int], *, c17: pd.DataFrame | None = None) -> pd.DataFrame:
    """Populations of Data4Pakistan units, to combine their rates: ``unit_id``, ``year``, ``weight``.

    Data4Pakistan units are 2017-census districts (Karachi as one city), so their populations are
    the 2017-census units' 1998 and 2017 (provisional) counts, interpolated geometrically: the
    only counts on those boundaries. Karachi City is the sum of the six 2017 Karachi districts.
    """
    c17 = demography.census2017_units(registry) if c17 is None else c17
    anchors = pd.concat([
        c17[["unit_id"]].assign(year=1998, population=c17["pop_1998"]),
        c17[["unit_id"]].assign(year=2017, population=c17["pop_2017_provisional"]),
    ], ignore_index=True)
    pop = demography.interpolate_geometric(anchors, years, ["unit_id"])
    d4p = registry.districts("d4p")
    twin = {}
    for uid, stable in zip(d4p["unit_id"], d4p["stable_id"], strict=True):
        slug = uid.split("/", 1)[1]
        if f"census2017/{slug}" in set(c17["unit_id"]):
            twin[uid] = [f"census2017/{slug}"]
        elif uid == "d4p/karachi_city":
            twin[uid] = c17.loc[c17["stable_id"] == stable, "unit_id"].tolist()
    rows = []
    by = pop.set_index(["unit_id", "year"])["population"]
    for uid, members in twin.items():
        for y in years:
            rows.append({"unit_id": uid, "year": int(y), "weight": float(sum(by[(m, int(y))] for m in members))})
    out = pd.DataFrame(rows)
    out.attrs["sources"] = list(c17.attrs.get("sources", []))
    return out


def _d4p_members(inputs: Inputs, level: str, layout: str) -> dict[tuple[str, str], tuple[list[str], str]]:
    """(target unit, province) -> (its Data4Pakistan member units, reason if it has none / is not nested)."""
    u = inputs.units
    d4p = inputs.registry.districts("d4p")
    d4p = d4p[d4p["level"] == "district"]
    overl = {r.unit_id: set(str(r.overlaps_2023).split(";")) for r in d4p.itertuples()}
    targets = inputs.population[level if level != "province" else "census2023"]
    targets = targets[targets["layout"] == layout][["unit_id", "province"]].drop_duplicates()
    out = {}
    for x, prov in targets.itertuples(index=False):
        if level == "census2023":
            members = [m for m, o in overl.items() if x in o]
        else:
            members = d4p.loc[d4p["stable_id"] == x, "unit_id"].tolist()
        if layout == "pre2018" and u.at[x, "former_fata"] == "part":
            members = [m for m in members if u.at[m, "province_pre2018"] == prov]
        reason = ""
        if not members:
            reason = "no Data4Pakistan unit lies in this unit"
        elif level == "census2023":
            wide = [m for m in members if overl[m] != {x}]
            if wide:
                reason = f"Data4Pakistan unit(s) {', '.join(wide)} span several 2023 districts"
        out[(x, prov)] = (members, reason)
    return out


def d4p_on_units(inputs: Inputs, indicator_id: str, level: Literal["census2023", "stable"], layout: str,
                 weights: pd.DataFrame) -> pd.DataFrame:
    """One Data4Pakistan indicator on the panel's district units, per published year.

    A unit's value is its member units' population-weighted mean when every member has a value,
    else missing with the reason. Returns ``unit_id``, ``province``, ``year``, ``value``, ``reason``.
    """
    vals = deprivation.d4p_indicator(inputs.d4p, indicator_id)
    years = sorted(vals["year"].unique())
    v = dict(zip(zip(vals["unit_id"], vals["year"]), vals["value"], strict=True))
    w = dict(zip(zip(weights["unit_id"], weights["year"]), weights["weight"], strict=True))
    with_value = set(vals["unit_id"])
    rows = []
    for (x, prov), (members, reason) in _d4p_members(inputs, level, layout).items():
        if reason and members and not (set(members) & with_value):
            reason += " (and holds no value)"
        lacking_years: dict[str, list[int]] = {}
        for y in years:
            value = np.nan
            if not reason:
                lacking = [m for m in members if (m, y) not in v]
                for m in lacking:
                    lacking_years.setdefault(m, []).append(int(y))
                if not lacking and len(members) == 1:
                    value = float(v[(members[0], y)])
                elif not lacking:
                    ww = np.array([w[(m, y)] for m in members])
                    vv = np.array([v[(m, y)] for m in members])
                    value = float(np.dot(ww, vv) / ww.sum())
            rows.append({"unit_id": x, "province": prov, "year": int(y), "value": value, "reason": reason})
        if lacking_years:
            text = "; ".join(f"no Data4Pakistan value for {m} in {year_ranges(ys)}" for m, ys in lacking_years.items())
            for row in rows[-len(years):]:
                if np.isnan(row["value"]):
                    row["reason"] = text
    out = pd.DataFrame(rows)
    out.attrs = {"sources": sources_of(vals, weights)}
    return out


# --------------------------------------------------------------------------- covariates per level

def _census_by_unit(inputs: Inputs, level: str) -> pd.DataFrame:
    """All-sexes, overall census deprivation rates per unit of ``level`` (stable: recomputed from counts)."""
    c = inputs.census
    c = c[(c["sex"] == "all_sexes") & (c["residence"] == "overall")]
    if level == "province":
        c = c[c["level"].isin(["province", "country"])]
    elif level == "census2023":
        c = c[c["level"] == "district"]
    else:
        c = c[c["level"] == "district"].copy()
        c["unit_id"] = c["unit_id"].map(inputs.units["stable_id"])
        c = c.groupby(["unit_id", "measure"], as_index=False)[["numerator", "denominator"]].sum(min_count=1)
        c["rate_pct"] = np.where(c["denominator"] > 0, 100 * c["numerator"] / c["denominator"], np.nan)
    wide = c.pivot_table(index="unit_id", columns="measure", values="rate_pct", aggfunc="first")
    wide.columns = [f"{m}_pct" for m in wide.columns]
    return wide.reindex(columns=CENSUS_MEASURE_COLUMNS).reset_index()


def _youth_by_unit(inputs: Inputs, level: str) -> pd.DataFrame:
    y = inputs.youth
    y = y[(y["sex"] == "all_sexes") & (y["residence"] == "overall")]
    if level == "province":
        y = y[y["level"].isin(["province", "country"])]
    elif level == "census2023":
        y = y[y["level"] == "district"]
    else:
        y = y[y["level"] == "district"].copy()
        y["stable_id"] = y["unit_id"].map(inputs.units["stable_id"])
        y = aggregate_shares(y, ["stable_id"]).rename(columns={"stable_id": "unit_id"})
    wide = y.pivot_table(index="unit_id", columns="measure", values="share", aggfunc="first")
    return pd.DataFrame({"unit_id": wide.index, "youth_share_15_29": wide["youth_share"].to_numpy(),
                         "youth_bulge_15_24": wide["youth_bulge"].to_numpy()})


def _whole_unit_ok(inputs: Inputs, panel: pd.DataFrame, layout_col: str = "layout") -> tuple[pd.Series, pd.Series]:
    """Rows whose (unit, province) is the whole unit (covariates measured on whole 2023 districts apply),
    and the reason for the others."""
    u = inputs.units
    ff = panel["unit_id"].map(u["former_fata"]).fillna("no")
    own = np.where(panel[layout_col].eq("pre2018"), panel["unit_id"].map(u["province_pre2018"]),
                   panel["unit_id"].map(u["province_current"]))
    part = panel[layout_col].eq("pre2018") & ff.eq("part")
    foreign = panel["province"].ne(pd.Series(own, index=panel.index))
    ok = ~part & ~foreign
    reason = pd.Series("", index=panel.index, dtype="object")
    reason[part] = ("measured on the whole 2023 district, which holds a former Frontier Region: not available for "
                    "its pre-2018 settled or FATA part (use the current layout)")
    reason[foreign & ~part] = "UCDP codes events of this unit to a province it did not belong to: no such part"
    return ok, reason


def _panel_units(panel: pd.DataFrame) -> pd.Series:
    return panel["unit_level"].isin(["district", "province"]) & ~(
        panel["unit_level"].eq("province") & panel["unit_id"].ne(panel["province"]))


def drivers_panel(violence: pd.DataFrame, level: Level, inputs: Inputs) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Join the covariates to one violence panel.

    Parameters
    ----------
    violence:
        ``violence_province_year``, ``violence_district_year_census2023`` or
        ``violence_district_year_stable`` (key :data:`workbench.panel.KEY_COLUMNS`).
    level:
        ``province``, ``census2023`` or ``stable``.

    Returns
    -------
    (panel, reasons)
        The panel (violence key and measures, then the covariates) and a frame of the same rows
        with one column per covariate giving why it is missing ("" where present).
    """
    _check_level(level)
    missing_cols = [c for c in [*KEY_COLUMNS, *MEASURES] if c not in violence.columns]
    if missing_cols:
        raise ParameterError(f"argument 'violence' lacks column(s) {missing_cols}; pass a violence panel")
    p = violence[[*KEY_COLUMNS, *MEASURES]].copy().reset_index(drop=True)
    reasons = pd.DataFrame(index=p.index)
    district_level = level != "province"
    residual = p["unit_level"].isin(["country", "division"]) | (district_level & p["unit_level"].eq("province"))
    where = {"country": "the country (not to a province)", "division": "a division (city)", "province": "a province"}
    residual_reason = p["unit_level"].map(lambda lv: RESIDUAL.format(level=where.get(lv, lv)))

    # population
    pop = inputs.population[level]
    pop = pop[["layout", "unit_id", "province", "year", "population", "pop_method", "pop_anchor_from", "pop_anchor_to",
               "pop_note"]]
    p = p.merge(pop, on=["layout", "unit_id", "province", "year"], how="left", validate="many_to_one")
    r = p["pop_note"].fillna("").astype(str)
    no_row = p["pop_method"].isna()
    r[no_row] = "UCDP codes events of this unit to a province it did not belong to: no such part, no population"
    early = p["year"] < demography.FIRST_YEAR
    r[early] = f"before the first census anchor ({demography.FIRST_YEAR}); not extrapolated"
    r[residual] = residual_reason[residual]
    p.loc[residual | early, ["population"]] = np.nan
    p["pop_method"] = p["pop_method"].astype("object").where(~(no_row | residual | early), "missing")
    p.loc[residual | early, ["pop_anchor_from", "pop_anchor_to"]] = pd.NA
    reasons["population"] = r.where(p["population"].isna(), "")
    p = p.drop(columns="pop_note")
    p["deaths_best_per_100k"] = rate_per_100k(p["deaths_best"], p["population"])

    # covariates measured on whole units (youth, census deprivation; MPI for provinces)
    ok, part_reason = _whole_unit_ok(inputs, p) if district_level else (pd.Series(True, index=p.index),
                                                                        pd.Series("", index=p.index))
    youth = _youth_by_unit(inputs, level)
    census_wide = _census_by_unit(inputs, level)
    p = p.merge(youth, on="unit_id", how="left").merge(census_wide, on="unit_id", how="left")
    not_enumerated = p["province"].isin(demography.NOT_ENUMERATED) | p["unit_id"].isin(demography.NOT_ENUMERATED)
    for cols, name, year_col in ((["youth_share_15_29", "youth_bulge_15_24"], "youth", "youth_year"),
                                 (CENSUS_MEASURE_COLUMNS, "census_deprivation", "census_deprivation_year")):
        r = pd.Series("", index=p.index, dtype="object")
        if not district_level:
            pre_kp = p["layout"].eq("pre2018") & p["unit_id"].isin([demography.KP_ID, FATA_ID])
            r[pre_kp] = ("census 2023 tables are by current districts; Khyber Pakhtunkhwa without FATA and FATA "
                         "(pre-2018) are not computed")
            ok_rows = ~pre_kp
        else:
            r[~ok] = part_reason[~ok]
            ok_rows = ok
        r[not_enumerated] = "AJK and GB are not in the census 2023 tables"
        r[residual] = residual_reason[residual]
        bad = ~ok_rows | not_enumerated | residual
        p.loc[bad, cols] = np.nan
        p[year_col] = pd.array(np.where(p[cols].notna().any(axis=1), 2023, pd.NA), dtype="Int64")
        for c in cols:
            reasons[c] = r.where(p[c].isna(), "")
            reasons.loc[p[c].isna() & reasons[c].eq(""), c] = "no value in the census table"

    if level == "province":
        mpi = inputs.mpi[["unit_id", "mpi_headcount_pct"]]
        p = p.merge(mpi, on="unit_id", how="left")
        r = pd.Series("", index=p.index, dtype="object")
        cur_kp = p["layout"].eq("current") & p["unit_id"].eq(demography.KP_ID)
        p.loc[cur_kp, "mpi_headcount_pct"] = np.nan
        r[cur_kp] = ("the 2014/15 figure is for Khyber Pakhtunkhwa without FATA (pre-2018 layout); none is reported "
                     "for the merged province")
        country = p["unit_id"].eq(demography.COUNTRY_ID)
        r[country] = residual_reason[country]
        p.loc[country, "mpi_headcount_pct"] = np.nan
        r[p["mpi_headcount_pct"].isna() & r.eq("")] = "no 2014/15 figure reported for this unit in the reference table"
        p["mpi_year"] = pd.array(np.where(p["mpi_headcount_pct"].notna(), 2015, pd.NA), dtype="Int64")
        reasons["mpi_headcount_pct"] = r.where(p["mpi_headcount_pct"].isna(), "")
    else:
        years = sorted(p["year"].unique())
        weights = inputs.d4p_weights
        for col, ind in D4P_COVARIATES.items():
            year_col = col.replace("_pct", "_year")
            parts = []
            for layout in p["layout"].unique():
                on = d4p_on_units(inputs, ind, level, str(layout), weights).assign(layout=layout)
                parts.append(on)
            on = pd.concat(parts, ignore_index=True)
            aligned = align_years(on, ["layout", "unit_id", "province"], years)
            p = p.merge(aligned.rename(columns={"value": col, "measured_year": year_col}),
                        on=["layout", "unit_id", "province", "year"], how="left")
            why_s = (on[on["reason"].ne("")].groupby(["layout", "unit_id", "province"])["reason"]
                     .agg(lambda s: "; ".join(dict.fromkeys(s))))
            why = dict(zip(why_s.index, why_s.to_numpy(), strict=True))
            r = pd.Series([why.get((a, b, c), "") for a, b, c in zip(p["layout"], p["unit_id"], p["province"],
                                                                      strict=True)], index=p.index, dtype="object")
            foreign = ~ok & ~p["unit_id"].map(inputs.units["former_fata"]).eq("part")
            r[foreign] = part_reason[foreign]
            r[residual] = residual_reason[residual]
            p.loc[residual | foreign, [col, year_col]] = pd.NA
            p[col] = p[col].astype("float64")
            r[p[col].isna() & r.eq("")] = "no Data4Pakistan unit or value for this unit"
            reasons[col] = r.where(p[col].isna(), "")

    order = [*KEY_COLUMNS, *MEASURES, *POPULATION_COLUMNS, *YOUTH_COLUMNS, *CENSUS_COLUMNS,
             *(MPI_COLUMNS if level == "province" else D4P_COLUMNS)]
    p = p[order]
    for c in KEY_COLUMNS:  # merges on keys of other dtypes must not change the panel's key dtypes
        p[c] = p[c].astype(violence[c].dtype)
    p["pop_method"] = p["pop_method"].astype("string")
    p.attrs["sources"] = sources_of(violence, inputs.anchors, inputs.youth, inputs.census,
                                  inputs.mpi if level == "province" else inputs.d4p)
    reasons = pd.concat([p[KEY_COLUMNS], reasons], axis=1)
    reasons.attrs = {"sources": list(p.attrs["sources"])}
    return p, reasons



# --------------------------------------------------------------------------- missingness

def missingness(reasons: pd.DataFrame, table: str) -> pd.DataFrame:
    """Which units and years lack which covariate, and why: one row per unit, covariate and reason.

    Columns ``table``, ``layout``, ``unit_id``, ``unit_level``, ``province``, ``covariate``,
    ``years`` (ranges, e.g. "1989-1997, 2018-2021"), ``n_years``, ``reason``.
    """
    covs = [c for c in reasons.columns if c not in KEY_COLUMNS]
    long = reasons.melt(id_vars=KEY_COLUMNS, value_vars=covs, var_name="covariate", value_name="reason")
    long = long[long["reason"].astype(str).ne("")]
    g = long.groupby(["layout", "unit_id", "unit_level", "province", "covariate", "reason"], sort=False)["year"]
    out = g.agg(years=year_ranges, n_years="size").reset_index()
    out.insert(0, "table", table)
    out = out[["table", "layout", "unit_id", "unit_level", "province", "covariate", "years", "n_years", "reason"]]
    out = out.sort_values(["layout", "covariate", "unit_level", "province", "unit_id"], kind="stable") \
        .reset_index(drop=True)
    out.attrs = {"sources": list(reasons.attrs.get("sources", []))}
    return out


# --------------------------------------------------------------------------- inequality of district poverty

def poverty_inequality(inputs: Inputs) -> pd.DataFrame:
    """Inequality of Data4Pakistan district poverty rates, each survey year 2004-2014.

    See :func:`d4p_inequality`, of which this is the poverty case.
    """
    return d4p_inequality(inputs, deprivation.POVERTY_ID,
                          "Data4Pakistan poverty rate (%), small-area model estimate; weights: census population")


def d4p_inequality(inputs: Inputs, indicator_id: str, measure: str | None = None) -> pd.DataFrame:
    """Inequality of a Data4Pakistan district indicator across districts, each year it was measured.

    Rows with ``scope`` = ``PK`` (all districts with an estimate, Theil decomposed between and
    within the pre-2018 provinces) and one per province; provinces listed without any estimate
    (FATA, AJK, GB) get rows with ``n_units`` 0 and no index. Weights: district populations
    (:func:`d4p_weights`). ``units`` lists the districts each number covers and
    ``units_without_estimate`` those of the scope without one. The rates are small-area model
    estimates in percent, published as whole numbers.
    """
    pov = deprivation.d4p_indicator(inputs.d4p, indicator_id)
    if measure is None:
        dic = inputs.d4p_dictionary
        label = dic.loc[dic["indicator_id"] == indicator_id, "indicator"]
        name = str(label.iloc[0]) if len(label) else indicator_id
        measure = f"Data4Pakistan {name}, survey-based estimate; weights: census population"
    w = inputs.d4p_weights
    df = pov.merge(w, on=["unit_id", "year"], how="left", validate="one_to_one")
    if df["weight"].isna().any():
        raise ParameterError(f"no population weight for {df.loc[df['weight'].isna(), 'unit_id'].iloc[0]}")
    df["province"] = df["province_pre2018"].astype(str)
    src = "d4p_indicators"
    nat = inequality_table(df, "value", "weight", by=["year"], group="province", unit="unit_id", source=src)
    nat.insert(0, "scope", "PK")
    prov = inequality_table(df, "value", "weight", by=["year", "province"], unit="unit_id", source=src)
    prov = prov.rename(columns={"province": "scope"})
    out = pd.concat([nat, prov], ignore_index=True)
    units = inputs.d4p_units
    units = units[~units["placeholder"]]
    listed = {"PK": set(units["unit_id"].astype(str))}
    for pr, sub in units.groupby("province_pre2018"):
        listed[str(pr)] = set(sub["unit_id"].astype(str))
    out["units_without_estimate"] = [
        "; ".join(sorted(listed.get(s, set()) - set(u.split("; ")))) for s, u in zip(out["scope"], out["units"],
                                                                                     strict=True)]
    # scopes listed by Data4Pakistan without any estimate (FATA, AJK, GB): say so, with no number
    empty = [{"scope": sc, "year": int(y), "n_units": 0, "units": "", "units_without_estimate": "; ".join(sorted(us)),
              "undefined": "all indices: no district of this scope has an estimate"}
             for sc, us in listed.items() for y in sorted(df["year"].unique()) if sc not in set(out["scope"])]
    if empty:
        out = pd.concat([out, pd.DataFrame(empty)], ignore_index=True)
    out["measure"] = measure
    cols = ["scope", "year", "measure", *[c for c in out.columns if c not in ("scope", "year", "measure")]]
    out = out[cols].sort_values(["scope", "year"], key=lambda s: s.map(lambda v: (v != "PK", v))
                                if s.name == "scope" else s, kind="stable").reset_index(drop=True)
    out.attrs["sources"] = sources_of(pov, w)
    return out


# --------------------------------------------------------------------------- the build step

def _with_sources(df: pd.DataFrame, sources: Sequence[str]) -> pd.DataFrame:
    df.attrs["sources"] = list(dict.fromkeys(sources))
    return df


def full_precision(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy with ``columns`` written as the shortest text that reads back to the same float.

    The build writes floats with six decimals; shares stored in full precision are given as text
    (``repr`` of the float, empty for NaN), which reads back exactly.
    """
    out = df.copy()
    for c in columns:
        out[c] = pd.array([("" if np.isnan(v) else repr(float(v))) for v in out[c].to_numpy(dtype=float)],
                          dtype="string")
    out.attrs = dict(df.attrs)
    return out


def build_step(done: dict[str, pd.DataFrame], *, registry: Registry | None = None,
               inputs: Inputs | None = None) -> dict[str, pd.DataFrame]:
    """All tables of the demography, deprivation and drivers layer, for ``workbench data build``.

    Needs the violence panels of the earlier step in ``done``
    (``violence_province_year``, ``violence_district_year_census2023``,
    ``violence_district_year_stable``). ``inputs`` (tests) reuses an :class:`Inputs`.
    """
    absent = [t for t in VIOLENCE_TABLES.values() if t not in done]
    if absent:
        raise ParameterError(f"the drivers step needs the violence tables {absent}; run the violence step first")
    inputs = inputs or Inputs(registry)
    out: dict[str, pd.DataFrame] = {}
    out["population_province_year"] = inputs.population["province"]
    out["population_district_year_census2023"] = inputs.population["census2023"]
    out["population_district_year_stable"] = inputs.population["stable"]
    out["census2017_provisional_vs_final"] = demography.census2017_revision(inputs.registry, c17=inputs.c17)
    out["youth_2023"] = full_precision(inputs.youth, ["share"])
    out["youth_nisp_d1_claim"] = full_precision(demography.nisp_youth_claim(inputs.registry, age=inputs.age),
                                                ["share", "difference_from_claim"])
    out["census_deprivation_2023"] = inputs.census
    dic = inputs.d4p_dictionary
    out["d4p_dictionary"] = _with_sources(dic.copy(), dic.attrs.get("sources", []))
    out["d4p_coverage"] = deprivation.d4p_coverage(inputs.d4p, dic, inputs.d4p_units)
    pov = deprivation.d4p_indicator(inputs.d4p, deprivation.POVERTY_ID)
    out["d4p_poverty_district"] = _with_sources(
        pov[["unit_id", "unit_name", "province_pre2018", "province_current", "stable_id", "year", "value",
             "estimate_type"]].rename(columns={"value": "poverty_rate_pct"}), pov.attrs.get("sources", []))
    out["poverty_inequality"] = poverty_inequality(inputs)
    gaps = []
    for level in LEVELS:
        panel, reasons = drivers_panel(done[VIOLENCE_TABLES[level]], level, inputs)  # type: ignore[arg-type]
        out[DRIVERS_TABLES[level]] = panel
        gaps.append(missingness(reasons, DRIVERS_TABLES[level]))
    out["drivers_missingness"] = _with_sources(pd.concat(gaps, ignore_index=True),
                                               sources_of(*[out[t] for t in DRIVERS_TABLES.values()]))
    return out
