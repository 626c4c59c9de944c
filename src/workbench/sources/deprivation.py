"""Deprivation: Data4Pakistan district indicators, reported MPI figures, census 2023 amenities.

Three sources, three kinds of number (keep them apart in every output):

* **Data4Pakistan** (World Bank, ``d4p_indicators``): district estimates 2004-2019. The poverty
  rate is a *small-area model estimate* (HIES/PSLM pairs), in percent, for 2004-2014 every second
  year, for about 117 districts; it is empty for the former FATA agencies and Frontier Regions,
  AJK and GB. The other indicators are survey-based estimates (PSLM, MICS) with their own
  coverage; :func:`d4p_coverage` measures it. :func:`d4p_dictionary` types every indicator
  (percent, gross percent, rank, thousands, ratio, years, amount) with its valid range, because
  the publisher's ``units`` column marks some non-percentages with ``%``.
* **Multidimensional poverty** (``mpi_reported`` and the reference table
  ``reference:mpi_province_2014_15``): 2014/15 headcounts quoted in NISP 2018 D3 and the press.
* **Census 2023 counts** (Tables 4, 12, 22-24): literacy (10+), out-of-school children (5-16),
  improved drinking water, flush toilets, electricity for lighting, with numerators and
  denominators kept so that every larger area's rate is recomputed from summed counts
  (:func:`census_deprivation`).

Unit names are resolved with the registry (alias sources ``d4p``, ``mpi``, ``census2023``); an
unknown name is an :class:`~workbench.errors.UnknownUnitError`, never dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from workbench.catalog import resolve_path
from workbench.errors import DataValidationError, ParameterError
from workbench.geo.units import Registry, load_registry
from workbench.sources import census
from workbench.sources.census import fail_rows, parse_numbers, read_text_csv
from workbench.sources.reference import DO_NOT_USE, MPI_TABLE, read_mpi_province

D4P_INDICATORS = "d4p_indicators"
D4P_DEFINITIONS = "d4p_definitions"
MPI_REPORTED = "mpi_reported"

POVERTY_LABEL = "Poverty Rate (%)"
POVERTY_ID = "poverty_rate"
D4P_YEARS = (2004, 2006, 2008, 2010, 2012, 2014, 2016, 2017, 2018, 2019)
#: Column labels of the indicator file that are spelled differently in the definitions file.
LABEL_FIXES = {
    "Access to improved drinking water, excl. piped water -  MICS (% of population)":
        "Access to improved drinking water, excl. piped water - MICS (% of population)",
    "Primary completion rate, 14-17 years old, female (% of girls aged 14-17)":
        "Primary completion rate, 14-17 years old, girls (% of girls aged 14-17)",
    "Primary completion rate, 14-17 years old, male (% of boys aged 14-17)":
        "Primary completion rate, 14-17 years old, boys (% of boys aged 14-17)",
}
MeasureKind = Literal["percent", "percent_gross", "rank", "thousands_of_persons", "persons", "years",
                      "ratio_or_index", "amount_unstated"]
RANGES: dict[str, tuple[float, float]] = {
    "percent": (0.0, 100.0),
    "percent_gross": (0.0, np.inf),  # gross enrolment: enrolled of any age / children of the age group
    "rank": (1.0, np.inf),
    "thousands_of_persons": (0.0, np.inf),
    "persons": (0.0, np.inf),
    "years": (0.0, 120.0),
    "ratio_or_index": (0.0, np.inf),
    "amount_unstated": (0.0, np.inf),
}
SMALL_AREA = "small-area model estimate (HIES/PSLM survey pairs)"


def _resolve(dataset_id: str, path: str | Path | None) -> tuple[Path, str | None]:
    return (resolve_path(dataset_id), dataset_id) if path is None else (Path(path), None)


def _slug(label: str) -> str:
    text = re.sub(r"\(.*?\)", "", label.replace("%", " pct ")).lower()
    return "_".join(re.findall(r"[a-z0-9]+", text))


# --------------------------------------------------------------------------- Data4Pakistan

def read_d4p_definitions(path: str | Path | None = None) -> pd.DataFrame:
    """Data4Pakistan indicator definitions as published (one row per indicator label)."""
    path, ds = _resolve(D4P_DEFINITIONS, path)
    df = read_text_csv(path, ["indicator", "indicator_1", "context", "units", "domain", "source", "definition"])
    dup = df["indicator"].duplicated(keep=False)
    if dup.any():
        fail_rows(path, df, dup, "indicator", "indicator defined twice", "one row per indicator")
    df.attrs["sources"] = [ds] if ds else []
    df.attrs["file"] = str(path)
    return df


def _kind(label: str, units: str, source: str) -> MeasureKind:
    low = label.lower()
    if units == "%" and low.startswith("gross school enrollment"):
        return "percent_gross"
    if low.startswith("average age"):
        return "years"  # the publisher marks 'Average age at first marriage' with '%' (an error of the source)
    if units == "%" and source.strip() in ("", "N/A"):
        return "amount_unstated"  # public expenditure items 2017-2019: '%' and source 'N/A', amounts in the millions
    if units == "%":
        return "percent"
    if units == "(000s)":
        return "thousands_of_persons"
    if "rank" in low:
        return "rank"
    if low.startswith("population"):
        return "persons"
    return "ratio_or_index"


def _estimate_type(label: str, kind: str, source: str) -> str:
    src = source.strip()
    if label in (POVERTY_LABEL, "Number of poor (1,000s)") or "poverty rank" in label:
        return SMALL_AREA
    if kind == "amount_unstated":
        return "amount (publisher, unit and currency not stated)"
    if src == "Census":
        return "census count (2017 provisional results)"
    return f"survey-based estimate ({src})" if src not in ("", "N/A") else "not stated"


def d4p_dictionary(definitions: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per Data4Pakistan indicator: id, label, kind of measure, valid range, source, definition.

    Columns ``indicator_id`` (a slug of the label), ``indicator`` (label as in the definitions
    file), ``short_name``, ``units_src`` (the publisher's ``units``), ``measure_kind``,
    ``valid_min``, ``valid_max``, ``survey``, ``estimate_type``, ``domain``, ``context``
    (positive/negative), ``definition``.
    """
    d = read_d4p_definitions() if definitions is None else definitions
    kinds = [_kind(lab, u, s) for lab, u, s in zip(d["indicator"], d["units"], d["source"], strict=True)]
    ids = pd.Series([_slug(x) for x in d["indicator"]])
    clash = ids.duplicated(keep=False)
    ids[clash] = ids[clash] + "_" + d.loc[clash.to_numpy(), "source"].map(_slug).to_numpy()
    out = pd.DataFrame({
        "indicator_id": ids.to_numpy(),
        "indicator": d["indicator"].to_numpy(),
        "short_name": d["indicator_1"].to_numpy(),
        "units_src": d["units"].to_numpy(),
        "measure_kind": kinds,
        "valid_min": [RANGES[k][0] for k in kinds],
        "valid_max": [RANGES[k][1] for k in kinds],
        "survey": d["source"].str.strip().to_numpy(),
        "estimate_type": [_estimate_type(lab, k, s) for lab, k, s in zip(d["indicator"], kinds, d["source"],
                                                                         strict=True)],
        "domain": d["domain"].to_numpy(),
        "context": d["context"].to_numpy(),
        "definition": d["definition"].to_numpy(),
    })
    dup = out["indicator_id"].duplicated(keep=False)
    if dup.any():
        raise ParameterError(f"two indicator labels give the same id: {sorted(out.loc[dup, 'indicator'])}")
    out.attrs["sources"] = list(d.attrs.get("sources", []))
    return out


def read_d4p_indicators(path: str | Path | None = None, *, dictionary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Data4Pakistan district indicators 2004-2019 in long form, names as published.

    Parameters
    ----------
    path:
        The wide indicator file; default the catalog's ``d4p_indicators``.
    dictionary:
        The output of :func:`d4p_dictionary` (default: built from the catalog's definitions).

    Returns
    -------
    DataFrame
        One row per non-empty cell: ``province_src``, ``district_src``, ``year``, ``indicator_id``,
        ``indicator``, ``value`` (float), ``record`` (data row of the file), ``column`` (the label).

    Raises
    ------
    DataValidationError
        A column not in the definitions, a year outside the published rounds, a non-number, or
        a value outside the indicator's range (e.g. a percentage above 100), naming the file,
        row and column.
    """
    dic = d4p_dictionary() if dictionary is None else dictionary
    path, ds = _resolve(D4P_INDICATORS, path)
    df = read_text_csv(path, ["Province", "District", "Year"])
    labels = [c for c in df.columns if c not in ("record", "Province", "District", "Year")]
    known = dict(zip(dic["indicator"], dic["indicator_id"], strict=True))
    unknown = [c for c in labels if LABEL_FIXES.get(c, c) not in known]
    if unknown:
        raise DataValidationError(path, f"indicator column(s) not in the definitions: {unknown[:5]}",
                                  row="header", column=unknown[0])
    df = parse_numbers(df, ["Year", *labels], path)
    bad = ~df["Year"].isin(D4P_YEARS)
    if bad.any():
        fail_rows(path, df, bad, "Year", "unexpected year", f"one of {list(D4P_YEARS)}")
    spec = dic.set_index("indicator")
    for col in labels:
        lo, hi = spec.loc[LABEL_FIXES.get(col, col), ["valid_min", "valid_max"]]
        v = df[col]
        out = v.notna() & ((v < lo) | (v > hi))
        if out.any():
            kind = spec.at[LABEL_FIXES.get(col, col), "measure_kind"]
            fail_rows(path, df, out, col, f"value out of range for a {kind} indicator", f"{lo:g} to {hi:g}")
    long = df.melt(id_vars=["record", "Province", "District", "Year"], value_vars=labels, var_name="column",
                   value_name="value")
    long = long[long["value"].notna()].copy()
    long["indicator"] = long["column"].map(lambda c: LABEL_FIXES.get(c, c))
    long["indicator_id"] = long["indicator"].map(known)
    long = long.rename(columns={"Province": "province_src", "District": "district_src", "Year": "year"})
    long["year"] = long["year"].astype("int64")
    long = long[["province_src", "district_src", "year", "indicator_id", "indicator", "value", "record", "column"]]
    long = _drop_conflicting_duplicates(long, path)
    long = long.sort_values(["indicator_id", "year", "record"], kind="stable").reset_index(drop=True)
    long.attrs["sources"] = [s for s in ([ds] if ds else []) + list(dic.attrs.get("sources", []))]
    long.attrs["file"] = str(path)
    # the units listed (with or without values), as plain tuples: attrs are copied with every operation
    long.attrs["listed_units"] = list(dict.fromkeys(zip(df["Province"], df["District"], strict=True)))
    return long


def _drop_conflicting_duplicates(long: pd.DataFrame, path: Path) -> pd.DataFrame:
    """One value per unit, year and indicator: a published row repeated with the same value is kept
    once; where the repeats disagree (Chitral 2019 appears twice with different values) neither is
    believed and the cell is left missing, with the rows listed in ``attrs["conflicts"]``."""
    key = ["province_src", "district_src", "year", "indicator_id"]
    dup = long.duplicated(key, keep=False)
    if not dup.any():
        long.attrs["conflicts"] = []
        return long
    groups = long[dup].groupby(key)["value"].nunique()
    conflicting = groups[groups > 1].index
    is_conflict = long.set_index(key).index.isin(conflicting)
    conflicts = long.loc[is_conflict, [*key, "record", "value"]]
    kept = long.loc[~is_conflict].drop_duplicates(key, keep="first").copy()
    kept.attrs = dict(long.attrs)
    kept.attrs["conflicts"] = [f"{r.district_src} {r.year} {r.indicator_id} (record {r.record}: {r.value:g})"
                               for r in conflicts.itertuples()]
    return kept


def d4p_units(registry: Registry | None = None, *, long: pd.DataFrame | None = None) -> pd.DataFrame:
    """The units Data4Pakistan lists, resolved: ``province_src``, ``district_src``, ``unit_id``,
    ``province_pre2018``, ``province_current``, ``stable_id``, ``placeholder`` (True for the
    "Jammu & Kashmir" base-map label, which holds no value)."""
    reg = registry or load_registry()
    lg = read_d4p_indicators() if long is None else long
    listed = pd.DataFrame(lg.attrs["listed_units"], columns=["province_src", "district_src"])
    file = lg.attrs.get("file")
    listed["unit_id"] = reg.resolve_series(listed["district_src"], source="d4p", level="district",
                                           column="District", file=file)
    levels = dict(zip(reg.units["unit_id"], reg.units["level"], strict=True))
    listed["placeholder"] = listed["unit_id"].map(levels).eq("placeholder")
    real = ~listed["placeholder"]
    listed.loc[real, "province_pre2018"] = [reg.province_of(u, "pre2018") for u in listed.loc[real, "unit_id"]]
    listed.loc[real, "province_current"] = [reg.province_of(u, "current") for u in listed.loc[real, "unit_id"]]
    listed.loc[real, "stable_id"] = [reg.stable_of(u) for u in listed.loc[real, "unit_id"]]
    # the Province column must agree with the registry (current layout: FATA is listed under KP)
    said = reg.resolve_series(listed.loc[real, "province_src"], source="d4p", level="province", column="Province",
                              file=file)
    off = said.ne(listed.loc[real, "province_current"])
    if off.any():
        r = listed.loc[real][off.to_numpy()].iloc[0]
        raise DataValidationError(file, f"district {r['district_src']!r} is listed under province "
                                        f"{r['province_src']!r} but the registry puts {r['unit_id']} in "
                                        f"{r['province_current']}", column="Province")
    out = listed.reset_index(drop=True)
    out.attrs = {"sources": list(lg.attrs.get("sources", []))}
    return out


def d4p_long(registry: Registry | None = None, *, long: pd.DataFrame | None = None,
             dictionary: pd.DataFrame | None = None, units: pd.DataFrame | None = None) -> pd.DataFrame:
    """All Data4Pakistan values on registry units (vintage ``d4p``), in long form.

    Columns ``unit_id``, ``unit_name``, ``province_pre2018``, ``province_current``, ``stable_id``,
    ``year``, ``indicator_id``, ``value``, ``measure_kind``, ``estimate_type``. The placeholder
    unit "Jammu & Kashmir" is dropped after checking it holds no value (a value would be an error).
    ``units`` is :func:`d4p_units` (computed when not given).
    """
    reg = registry or load_registry()
    dic = d4p_dictionary() if dictionary is None else dictionary
    lg = read_d4p_indicators(dictionary=dic) if long is None else long
    units = d4p_units(reg, long=lg) if units is None else units
    out = lg.merge(units, on=["province_src", "district_src"], how="left", validate="many_to_one")
    held = out["placeholder"]
    if held.any():
        r = out.loc[held].iloc[0]
        raise DataValidationError(lg.attrs.get("file"), f"the placeholder unit {r['district_src']!r} holds a value "
                                                        f"({r['indicator']} {r['year']}); expected none",
                                  row=int(r["record"]), column=str(r["column"]))
    names = dict(zip(reg.units["unit_id"], reg.units["name"], strict=True))
    out["unit_name"] = out["unit_id"].map(names)
    spec = dic.set_index("indicator_id")
    out["measure_kind"] = out["indicator_id"].map(spec["measure_kind"])
    out["estimate_type"] = out["indicator_id"].map(spec["estimate_type"])
    cols = ["unit_id", "unit_name", "province_pre2018", "province_current", "stable_id", "year", "indicator_id",
            "value", "measure_kind", "estimate_type"]
    out = out[cols].sort_values(["indicator_id", "year", "unit_id"], kind="stable").reset_index(drop=True)
    for c in ("unit_id", "unit_name", "province_pre2018", "province_current", "stable_id", "indicator_id"):
        out[c] = out[c].astype("string")
    out.attrs = {"sources": list(lg.attrs.get("sources", []))}
    return out


def d4p_coverage(long: pd.DataFrame, dictionary: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """What Data4Pakistan really holds: one row per indicator and published round (year).

    Columns ``indicator_id``, ``indicator``, ``measure_kind``, ``estimate_type``, ``year``,
    ``units_listed`` (units in the file, placeholder excluded), ``units_with_value``,
    ``units_without_value`` and ``missing_units`` (their registry ids, ``;``-joined; empty
    when the indicator has no value at all that year, see ``units_with_value``). ``units`` is
    :func:`d4p_units`.
    """
    real = units.loc[~units["placeholder"], "unit_id"].astype(str).tolist()
    have: dict[tuple[str, int], set[str]] = {}
    for (ind, year), sub in long.groupby(["indicator_id", "year"])["unit_id"]:
        have[(str(ind), int(year))] = set(map(str, sub))
    rows = []
    for ind, label, kind, est in dictionary[["indicator_id", "indicator", "measure_kind",
                                             "estimate_type"]].itertuples(index=False):
        for year in D4P_YEARS:
            got = have.get((ind, year), set())
            missing = sorted(set(real) - got)
            rows.append({"indicator_id": ind, "indicator": label, "measure_kind": kind, "estimate_type": est,
                         "year": year, "units_listed": len(real), "units_with_value": len(got),
                         "units_without_value": len(missing),
                         "missing_units": "; ".join(missing) if got else ""})
    out = pd.DataFrame(rows)
    out.attrs["sources"] = list(long.attrs.get("sources", []))
    return out


def d4p_indicator(long: pd.DataFrame, indicator_id: str) -> pd.DataFrame:
    """One indicator's values (``unit_id``, ``year``, ``value`` and unit columns); an unknown id is an error."""
    if indicator_id not in set(long["indicator_id"]):
        raise ParameterError(f"unknown Data4Pakistan indicator_id {indicator_id!r}; e.g. {POVERTY_ID!r} "
                             "(see d4p_dictionary())")
    out = long[long["indicator_id"] == indicator_id].reset_index(drop=True)
    out.attrs = dict(long.attrs)
    return out


# --------------------------------------------------------------------------- multidimensional poverty

def read_mpi_reported(path: str | Path | None = None) -> pd.DataFrame:
    """The mirror's multidimensional-poverty figures as reported in text, typed.

    ``value`` float (empty where only a bound was printed), checked 0-100 for ``*_pct``
    indicators; ``status`` kept as published (``CONFLICTING_do_not_use_as_H`` rows are flagged,
    not dropped: see :func:`usable_mpi_rows`).
    """
    path, ds = _resolve(MPI_REPORTED, path)
    df = read_text_csv(path, ["record_id", "reference_period", "geography_level", "unit_name", "indicator", "value",
                              "value_text", "reported_by", "source_url", "verbatim_quote", "primary_source",
                              "status"])
    df = parse_numbers(df, ["value"], path)
    census.check_percent(df, "value", path, mask=df["indicator"].str.endswith("_pct"))
    df.attrs["sources"] = [ds] if ds else []
    df.attrs["file"] = str(path)
    return df


def usable_mpi_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows of :func:`read_mpi_reported` that may be used (not flagged do-not-use)."""
    out = df[~df["status"].isin(DO_NOT_USE)].reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


def mpi_province(registry: Registry | None = None) -> pd.DataFrame:
    """Multidimensional poverty headcount 2014/15 by province/region, one row per unit, cited.

    Returns
    -------
    DataFrame
        ``unit_id`` (pre-2018 layout: ``PK-KP`` without FATA, ``PK-TA`` FATA; ``PK`` the country),
        ``unit_name`` (as printed), ``mpi_headcount_pct``, ``reference_period`` ("2014/15"),
        ``measured_year`` (2015: the later calendar year of the survey round), ``publisher``,
        ``document``, ``table_page``, ``quote``, ``status``; ``attrs["sources"]`` =
        ``["reference:mpi_province_2014_15"]``.
    """
    reg = registry or load_registry()
    df = read_mpi_province(preferred_only=True)
    df = df[df["indicator"] == "H_headcount_pct"].copy()
    levels = df["geography_level"].map({"province_or_region": "province", "national": "country"})
    if levels.isna().any():
        r = df.loc[levels.isna()].iloc[0]
        raise DataValidationError(df.attrs["file"], f"unexpected geography_level {r['geography_level']!r}",
                                  row=int(r["record"]), column="geography_level")
    df["unit_id"] = [reg.resolve(n, source="mpi", level=lv, row=int(r), column="unit_name", file=df.attrs["file"])
                     for n, lv, r in zip(df["unit_name"], levels, df["record"], strict=True)]
    twice = df["unit_id"].duplicated(keep=False)
    if twice.any():
        r = df.loc[twice].iloc[0]
        raise DataValidationError(df.attrs["file"], f"unit {r['unit_id']} has two preferred headcount rows",
                                  row=int(r["record"]), column="preferred")
    out = pd.DataFrame({
        "unit_id": df["unit_id"].astype("string"), "unit_name": df["unit_name"],
        "mpi_headcount_pct": df["value"], "reference_period": df["reference_period"],
        "measured_year": 2015, "publisher": df["publisher"], "document": df["document"],
        "table_page": df["table_page"], "quote": df["quote"], "status": df["status"],
    }).reset_index(drop=True)
    out.attrs["sources"] = [f"reference:{MPI_TABLE}"]
    return out


# --------------------------------------------------------------------------- census 2023 deprivation

#: measure -> (numerator, denominator, universe, tables). Table 12 names are its ``variable`` labels.
CENSUS_MEASURES: dict[str, tuple[str, str, str, str]] = {
    "literacy_10plus": ("Literate >=10", "Population >=10", "persons aged 10 and over", "Table 12"),
    "out_of_school_5_16": ("Out of School Children (5-16)", "Table 4 ages 5-16", "children aged 5-16",
                           "Table 12 (numerator), Table 4 (denominator)"),
    "improved_water": ("drink_wtr_improve", "households", "households", "Table 23"),
    "flush_toilet": ("toilet_flush", "households", "households", "Table 24"),
    "electricity": ("light_elect", "households", "households (main source of lighting)", "Table 22"),
}
CENSUS_DEPRIVATION_COLUMNS = ["level", "unit_id", "unit_name", "province", "measure", "sex", "residence",
                              "numerator", "denominator", "rate_pct", "universe", "census_table", "measured_year"]


def _district_counts(registry: Registry, age: pd.DataFrame | None = None) -> pd.DataFrame:
    """Numerators and denominators of every census measure by 2023 district, sex and residence."""
    t12 = census.read_table12_district()
    amen = census.read_amenities_district()
    age = census.read_age_table("district") if age is None else age
    frames = []
    for measure, (num, den, _, _) in CENSUS_MEASURES.items():
        if measure == "literacy_10plus":
            sub = t12[t12["variable"].isin([num, den])]
            w = sub.pivot_table(index=["district_src", "sex", "residence"], columns="variable", values="value",
                                aggfunc="sum", dropna=False).reset_index()
            w = w.rename(columns={num: "numerator", den: "denominator"})
        elif measure == "out_of_school_5_16":
            oos = t12[t12["variable"].eq(num)].groupby(["district_src", "sex", "residence"], as_index=False)["value"] \
                .sum(min_count=1).rename(columns={"value": "numerator"})
            kids = age[(age["age_min"] >= 5) & (age["age_max"] <= 16)]
            den_df = kids.groupby(["district_src", "sex", "residence"], as_index=False)["population"] \
                .sum(min_count=1).rename(columns={"population": "denominator"})
            w = oos.merge(den_df, on=["district_src", "sex", "residence"], how="outer", validate="one_to_one")
        else:
            w = amen[["district_src", "residence", num, den]].rename(columns={num: "numerator", den: "denominator"})
            w["sex"] = "all_sexes"
        w["measure"] = measure
        frames.append(w[["district_src", "sex", "residence", "measure", "numerator", "denominator"]])
    out = pd.concat(frames, ignore_index=True)
    out["unit_id"] = registry.resolve_series(out["district_src"], source="census2023", level="district",
                                             column="district_src")
    out.attrs["sources"] = list(dict.fromkeys([*t12.attrs["sources"], *amen.attrs["sources"], *age.attrs["sources"]]))
    return out


def census_deprivation(registry: Registry | None = None, *, counts: pd.DataFrame | None = None,
                       age: pd.DataFrame | None = None) -> pd.DataFrame:
    """Census 2023 deprivation by district, province and Pakistan, with numerators and denominators.

    Measures (:data:`CENSUS_MEASURES`): ``literacy_10plus`` (literate persons 10+ / persons 10+,
    Table 12), ``out_of_school_5_16`` (out-of-school children 5-16, Table 12 / population aged
    5-16, Table 4), ``improved_water``, ``flush_toilet``, ``electricity`` (households with an
    improved drinking-water source, a flush toilet, electricity as main lighting / households,
    Tables 22-24). Persons' measures by ``sex`` and ``residence``; household measures by
    ``residence`` (``sex`` = ``all_sexes``). Province (current layout) and national rows are
    computed from summed counts, never averaged. ``rate_pct`` = 100 x numerator / denominator
    (NaN where the denominator is 0 or missing, e.g. rural Karachi). All counts are on the
    Table 4 universe (240.46 M persons; 38.29 M households).

    ``counts`` (tests) replaces the district counts; ``age`` is a Table 4 frame already read.

    Raises
    ------
    DataValidationError
        A numerator larger than its denominator (a rate above 100%).
    """
    reg = registry or load_registry()
    c = _district_counts(reg, age) if counts is None else counts
    c = c.copy()
    c["province"] = [reg.province_of(u, "current") for u in c["unit_id"]]
    keys = ["measure", "sex", "residence"]
    district = c.assign(level="district")
    # a district whose numerator is missing while it has people in the denominator leaves the sum of
    # numerators incomplete: the larger area's numerator (and rate) is then missing, never a rate over
    # two different universes
    c["_incomplete"] = (c["numerator"].isna() & c["denominator"].fillna(0).gt(0)).astype(int)
    sums = {"numerator": ("numerator", lambda s: s.sum(min_count=1)),
            "denominator": ("denominator", lambda s: s.sum(min_count=1)), "_incomplete": ("_incomplete", "sum")}
    province = c.groupby(["province", *keys], as_index=False).agg(**sums).assign(level="province")
    province["unit_id"] = province["province"]
    country = c.groupby(keys, as_index=False).agg(**sums).assign(level="country", unit_id="PK", province="PK")
    for frame in (province, country):
        frame.loc[frame["_incomplete"] > 0, "numerator"] = np.nan
    district = district.drop(columns="_incomplete", errors="ignore")
    province, country = province.drop(columns="_incomplete"), country.drop(columns="_incomplete")
    out = pd.concat([district, province, country], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["rate_pct"] = np.where(out["denominator"] > 0, 100.0 * out["numerator"] / out["denominator"], np.nan)
    over = out["rate_pct"] > 100
    if over.any():
        r = out.loc[over].iloc[0]
        cases = out.loc[over, ["unit_id", *keys, "numerator", "denominator"]]
        raise DataValidationError("census 2023 deprivation counts", f"{r['measure']}: the numerator "
                                  f"{r['numerator']:,.0f} exceeds the denominator {r['denominator']:,.0f} "
                                  f"(a rate of {r['rate_pct']:.1f}%, outside 0-100)",
                                  row=f"{r['unit_id']}, sex {r['sex']}, residence {r['residence']}",
                                  column="rate_pct", failure_cases=cases)
    names = dict(zip(reg.units["unit_id"], reg.units["name"], strict=True))
    out["unit_name"] = out["unit_id"].map(names)
    out["universe"] = out["measure"].map({k: v[2] for k, v in CENSUS_MEASURES.items()})
    out["census_table"] = out["measure"].map({k: v[3] for k, v in CENSUS_MEASURES.items()})
    out["measured_year"] = 2023
    order = {"district": 0, "province": 1, "country": 2}
    sexes = {s: i for i, s in enumerate(census.SEXES)}
    res = {r: i for i, r in enumerate(census.RESIDENCES)}
    out = out.assign(_l=out["level"].map(order), _s=out["sex"].map(sexes), _r=out["residence"].map(res),
                     _m=out["measure"].map({m: i for i, m in enumerate(CENSUS_MEASURES)}))
    out = out.sort_values(["_l", "province", "unit_id", "_m", "_s", "_r"], kind="stable")
    out = out[CENSUS_DEPRIVATION_COLUMNS].reset_index(drop=True)
    for col in ("level", "unit_id", "unit_name", "province", "measure", "sex", "residence", "universe",
                "census_table"):
        out[col] = out[col].astype("string")
    out.attrs["sources"] = list(c.attrs.get("sources", []))
    return out
