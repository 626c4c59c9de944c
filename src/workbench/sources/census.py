"""Census tables of the Pakistan Bureau of Statistics (PBS), read and checked as published.

Two censuses are mirrored (see each folder's ``PROVENANCE.md``):

* 2017 *provisional* summary results with the 1998 populations (``census2017_*``): district,
  province and tehsil tables, FATA agencies and Frontier Regions separate, no age tables;
* 2023 *final* results (``census2023_*``): summary totals (with the final 2017 count re-cut to
  2023 districts as ``pop_2017``), the tehsil-level Table 1, single-year age Table 4, literacy
  Tables 12-13, household amenities Tables 22-24.

Every reader returns a typed frame with the names as spelled in the source (``*_src``), a
``record`` column (the 1-based data row of the file, for error messages) and
``df.attrs["sources"]`` = the catalog id. Empty published cells stay missing (NaN), never 0.
Counts must be whole non-negative numbers and percentages lie in 0-100; the structural checks
the provenance notes report (age rows add up to the total, sexes and residences add up) are
re-run on every read. A broken file raises :class:`~workbench.errors.DataValidationError`
naming the file, the data row and the column, with what was expected and what was found.

Mapping source names to registry unit ids is not done here but in
:mod:`workbench.panel.demography` and :mod:`workbench.sources.deprivation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

import numpy as np
import pandas as pd

from workbench.catalog import resolve_path
from workbench.errors import DataValidationError, ParameterError

Level = Literal["district", "province"]

RESIDENCES = ("overall", "rural", "urban")
SEXES = ("all_sexes", "male", "female", "transgender")
#: Sex prefixes of the wide census columns and the tidy ``sex`` values they stand for.
SEX_PREFIX = {"all_sexes": "all_sexes", "male": "male", "female": "female", "tgend": "transgender"}

AGE_TOTAL_LABEL = "ALL AGES"
AGE_TOP = 75  # "75 & ABOVE" is the open-ended oldest group of Table 4

DATASET = {
    "census2017_district": "census2017_district",
    "census2017_province": "census2017_province",
    "census2017_tehsil": "census2017_tehsil",
    "summary_province": "census2023_province_summary",
    "summary_district": "census2023_district_summary",
    "tehsil_table01": "census2023_tehsil_table01",
    "age_district": "census2023_age_single_district",
    "age_province": "census2023_age_single_province",
    "table12_district": "census2023_table12_district",
    "table13_district": "census2023_table13_district",
    "amenities_district": "census2023_amenities_district",
}


# --------------------------------------------------------------------------- parsing helpers
# (also used by workbench.sources.deprivation)

def read_text_csv(path: str | Path, required: Sequence[str]) -> pd.DataFrame:
    """Read a CSV with every cell as text (empty cells as ``""``) and a 1-based ``record`` column.

    Raises :class:`DataValidationError` when a required column is missing.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise DataValidationError(path, f"not a readable UTF-8 CSV file ({exc})") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataValidationError(path, f"missing column(s) {missing}; expected {list(required)}, "
                                        f"found {list(map(str, df.columns))}", row="header", column=missing[0])
    df.insert(0, "record", np.arange(1, len(df) + 1))
    return df


def fail_rows(path: str | Path, df: pd.DataFrame, bad: np.ndarray | pd.Series, column: str, problem: str,
              expected: str, values: pd.Series | None = None) -> None:
    """Raise one error for every row in ``bad`` (the first named), with a failure-cases table.

    ``df`` needs the ``record`` column of :func:`read_text_csv`; ``values`` (default ``df[column]``)
    are the offending values shown.
    """
    bad = np.asarray(bad, dtype=bool)
    shown = (df[column] if values is None else values).loc[bad]
    records = df.loc[bad, "record"]
    cases = pd.DataFrame({"file": str(path), "row": records.to_numpy(), "column": column,
                          "value": shown.to_numpy(), "problem": problem})
    first = shown.iloc[0]
    first = first.item() if isinstance(first, np.generic) else first
    raise DataValidationError(path, f"{problem}: expected {expected}, found {first!r}",
                              row=int(records.iloc[0]), column=column, failure_cases=cases)


def parse_counts(df: pd.DataFrame, columns: Sequence[str], path: str | Path, *,
                 allow_missing: bool = True) -> pd.DataFrame:
    """Turn text columns of counts into float64 (NaN for empty cells), checking each cell.

    A count must be a whole non-negative number; an empty cell is allowed (a published
    blank, kept as NaN) unless ``allow_missing`` is False.
    """
    out = df.copy()
    for col in columns:
        text = out[col].astype(str).str.strip()
        empty = text.eq("")
        values = pd.to_numeric(text.where(~empty), errors="coerce").astype("float64")
        not_number = values.isna() & ~empty
        if not_number.any():
            fail_rows(path, out, not_number, col, "not a number", "a whole number of persons/households")
        if empty.any() and not allow_missing:
            fail_rows(path, out, empty, col, "missing count", "a count (the cell is empty)")
        negative = values < 0
        if negative.any():
            fail_rows(path, out, negative, col, "negative count", "a count >= 0")
        fractional = values.notna() & (values != np.floor(values))
        if fractional.any():
            fail_rows(path, out, fractional, col, "fractional count", "a whole number")
        out[col] = values
    return out


def parse_numbers(df: pd.DataFrame, columns: Sequence[str], path: str | Path) -> pd.DataFrame:
    """Turn text columns into float64 (NaN for empty cells); a non-number is an error."""
    out = df.copy()
    for col in columns:
        text = out[col].astype(str).str.strip()
        empty = text.eq("")
        values = pd.to_numeric(text.where(~empty), errors="coerce").astype("float64")
        bad = values.isna() & ~empty
        if bad.any():
            fail_rows(path, out, bad, col, "not a number", "a number or an empty cell")
        out[col] = values
    return out


def check_percent(df: pd.DataFrame, column: str, path: str | Path, *, low: float = 0.0,
                  high: float = 100.0, mask: pd.Series | None = None) -> None:
    """Raise when a percentage (in ``mask`` rows, default all) lies outside ``low``..``high``."""
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.notna() & ((values < low) | (values > high))
    if mask is not None:
        bad &= mask.to_numpy()
    if bad.any():
        fail_rows(path, df, bad, column, "percentage out of range", f"a value in {low:g}-{high:g}")


def check_sum(df: pd.DataFrame, total: str, parts: Sequence[str], path: str | Path, what: str, *,
              known: pd.Series | None = None) -> None:
    """Raise where ``total`` differs from the sum of ``parts`` (missing cells counted as 0).

    ``known`` (boolean, aligned with ``df``) marks rows whose published discrepancy is documented
    and tolerated; every other difference is an error.
    """
    expected = df[list(parts)].fillna(0).sum(axis=1)
    found = df[total]
    bad = found.notna() & (expected != found.fillna(0))
    if known is not None:
        bad &= ~known
    if bad.any():
        first = bad.to_numpy().nonzero()[0][0]
        row = df.iloc[first]
        cases = pd.DataFrame({"file": str(path), "row": df.loc[bad, "record"].to_numpy(), "column": total,
                              "value": found[bad].to_numpy(), "expected": expected[bad].to_numpy(),
                              "problem": f"{what} do not add up"})
        raise DataValidationError(
            path, f"{what} do not add up: {total} = {row[total]:,.0f} but {' + '.join(parts)} = "
                  f"{expected.iloc[first]:,.0f} (difference {row[total] - expected.iloc[first]:+,.0f})",
            row=int(row["record"]), column=total, failure_cases=cases)


def _finish(df: pd.DataFrame, dataset_id: str | None, path: Path) -> pd.DataFrame:
    df = df.reset_index(drop=True)
    df.attrs["sources"] = [dataset_id] if dataset_id else []
    df.attrs["file"] = str(path)
    return df


def _resolve(key: str, path: str | Path | None) -> tuple[Path, str | None]:
    if path is None:
        return resolve_path(DATASET[key]), DATASET[key]
    return Path(path), None


def _check_level(level: str) -> None:
    if level not in get_args(Level):
        raise ParameterError(f"argument 'level' must be one of {list(get_args(Level))}; found {level!r}")


# --------------------------------------------------------------------------- census 2017 (provisional) and 1998

_C17_COUNTS = ["households", "male", "female", "transgender", "pop_2017_provisional", "pop_1998"]
#: (district, residence, total - sum of sexes) of the one published row whose sexes do not add up.
C17_KNOWN_SEX_DISCREPANCY = ("Hangu", "urban", -1)


def read_census2017_district(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2017 provisional results with 1998 populations, by 2017 district and rural/urban.

    Columns as in the file (``province_src``, ``province_std``, ``division_src``, ``district_src``,
    ``residence``, ``households``, ``male``, ``female``, ``transgender``, ``pop_2017_provisional``,
    ``pop_1998``) plus ``record``. Checks: counts whole and non-negative; male + female +
    transgender = ``pop_2017_provisional``.

    One published discrepancy is tolerated (:data:`C17_KNOWN_SEX_DISCREPANCY`): Hangu urban, where
    the sexes sum to 102,441 and the total says 102,440.

    Warning: the 26 FATA rows of the mirrored file carry the values of *other* FATA units
    (labels and values out of order in the source package); take FATA figures from the tehsil
    file (:func:`read_census2017_tehsil`), as :func:`workbench.panel.demography.census2017_units` does.
    """
    path, ds = _resolve("census2017_district", path)
    df = read_text_csv(path, ["province_src", "province_std", "division_src", "district_src", "residence",
                              *_C17_COUNTS])
    df = parse_counts(df, _C17_COUNTS, path)
    _check_residence(df, path, ("rural", "urban"))
    name, res, diff = C17_KNOWN_SEX_DISCREPANCY
    known = (df["district_src"].eq(name) & df["residence"].eq(res)
             & (df["pop_2017_provisional"] - df[["male", "female", "transgender"]].sum(axis=1)).eq(diff))
    check_sum(df, "pop_2017_provisional", ["male", "female", "transgender"], path, "the sexes", known=known)
    return _finish(df, ds, path)


def read_census2017_province(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2017 provisional results with 1998 populations, by province/area and rural/urban."""
    path, ds = _resolve("census2017_province", path)
    df = read_text_csv(path, ["province_src", "province_std", "residence", *_C17_COUNTS])
    df = parse_counts(df, _C17_COUNTS, path, allow_missing=False)
    _check_residence(df, path, ("rural", "urban"))
    check_sum(df, "pop_2017_provisional", ["male", "female", "transgender"], path, "the sexes")
    return _finish(df, ds, path)


def read_census2017_tehsil(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2017 provisional tehsil populations with 1998 (incomplete: no Islamabad rows).

    FATA's six Frontier Regions appear as tehsils ``T.A.adj.<district>`` of "S.Waziristan Agency".
    """
    path, ds = _resolve("census2017_tehsil", path)
    df = read_text_csv(path, ["province_src", "province_std", "division_src", "district_src", "tehsil_src",
                              "pop_1998", "pop_2017_provisional"])
    df = parse_counts(df, ["pop_1998", "pop_2017_provisional"], path)
    return _finish(df, ds, path)


def _check_residence(df: pd.DataFrame, path: Path, allowed: tuple[str, ...]) -> None:
    bad = ~df["residence"].isin(allowed)
    if bad.any():
        fail_rows(path, df, bad, "residence", "unknown residence", f"one of {list(allowed)}")


# --------------------------------------------------------------------------- census 2023: totals

_SUMMARY_COUNTS = ["households", "pop_2023", "pop_2017"]


def read_summary(level: Level = "district", path: str | Path | None = None) -> pd.DataFrame:
    """Census 2023 summary results (the headline totals), by province or by district.

    ``pop_2023`` is the final 2023 count (Pakistan 241,499,431); ``pop_2017`` the final 2017 count
    re-cut to 2023 boundaries (Pakistan 207,684,626). Province level: ``region_src`` (Pakistan,
    Punjab, Sindh, KP, Balochistan, ICT) x ``area_src`` (All, Rural, Urban), checked: rural +
    urban = all, provinces sum to Pakistan. District level: ``region_src``, ``division_src``,
    ``district_src``.
    """
    _check_level(level)
    path, ds = _resolve(f"summary_{level}", path)
    ids = ["region_src", "area_src"] if level == "province" else ["region_src", "division_src", "district_src"]
    df = read_text_csv(path, [*ids, *_SUMMARY_COUNTS])
    df = parse_counts(df, _SUMMARY_COUNTS, path, allow_missing=False)
    if level == "province":
        bad = ~df["area_src"].isin(["All", "Rural", "Urban"])
        if bad.any():
            fail_rows(path, df, bad, "area_src", "unknown area", "All, Rural or Urban")
        for col in ("pop_2023", "pop_2017"):
            wide = df.pivot_table(index="region_src", columns="area_src", values=col, aggfunc="sum")
            off = wide.index[(wide["All"] != wide["Rural"] + wide["Urban"])]
            if len(off):
                rec = df.loc[(df["region_src"] == off[0]) & (df["area_src"] == "All"), "record"].iloc[0]
                raise DataValidationError(path, f"region {off[0]}: rural + urban = "
                                                f"{wide.loc[off[0], 'Rural'] + wide.loc[off[0], 'Urban']:,.0f} but "
                                                f"all = {wide.loc[off[0], 'All']:,.0f}", row=int(rec), column=col)
            provinces = wide.drop(index="Pakistan", errors="ignore")["All"].sum()
            if "Pakistan" in wide.index and provinces != wide.loc["Pakistan", "All"]:
                rec = df.loc[(df["region_src"] == "Pakistan") & (df["area_src"] == "All"), "record"].iloc[0]
                raise DataValidationError(path, f"the provinces sum to {provinces:,.0f} but Pakistan is "
                                                f"{wide.loc['Pakistan', 'All']:,.0f}", row=int(rec), column=col)
    return _finish(df, ds, path)


_T1_COUNTS = ["all_sexes", "male", "female", "tgend", "pop_2017"]


def read_tehsil_table01(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2023 Table 1 by tehsil/sub-division (``region_src`` OVERALL/RURAL/URBAN).

    Counts ``all_sexes``, ``male``, ``female``, ``tgend`` (2023) and ``pop_2017`` (final 2017 count
    on 2023 boundaries). Known gap of the source: no row for taluka Tando Muhammad Khan.
    """
    path, ds = _resolve("tehsil_table01", path)
    df = read_text_csv(path, ["province_src", "division_src", "district_src", "tehsil_src", "admin_unit_src",
                              "region_src", *_T1_COUNTS])
    df = parse_counts(df, _T1_COUNTS, path)
    return _finish(df, ds, path)


# --------------------------------------------------------------------------- census 2023: Table 4 (age)

def _age_bounds(label: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Age bounds implied by a Table 4 label (NaN, NaN for ALL AGES; NaN for labels not understood)."""
    lab = label.astype(str).str.strip()
    lo = pd.Series(np.nan, index=lab.index)
    hi = pd.Series(np.nan, index=lab.index)
    single = lab.str.fullmatch(r"\d{1,2}")
    lo[single] = lab[single].astype(int)
    hi[single] = lab[single].astype(int)
    lo[lab == "BELOW 1"] = 0
    hi[lab == "BELOW 1"] = 0
    lo[lab == f"{AGE_TOP} & ABOVE"] = AGE_TOP
    return lo, hi


def read_age_table(level: Level = "district", path: str | Path | None = None) -> pd.DataFrame:
    """Census 2023 Table 4: population by single year of age, sex and rural/urban.

    Parameters
    ----------
    level:
        ``"district"`` (136 districts, ``district_src``) or ``"province"`` (the mirror's sums by
        ``province_std``, incl. ``PAKISTAN``).
    path:
        Another file of the same layout (tests); default the catalog's.

    Returns
    -------
    DataFrame
        ``province_std``, (``district_src``), ``age_label_src``, ``age_min``, ``age_max`` (NaN for
        the open 75+ group; both NaN on the ``ALL AGES`` total row), ``residence``, ``sex``,
        ``population`` (NaN = empty published cell, e.g. rural Karachi), ``record``.

    Raises
    ------
    DataValidationError
        Negative or fractional counts; an age label that disagrees with ``age_min``/``age_max``;
        a cell (unit x residence x sex) with missing, extra or repeated ages; age rows that do not
        add up to the ALL AGES row; sexes that do not add up to all sexes, or rural + urban to
        overall. Each names the file, the data row and the column.
    """
    _check_level(level)
    path, ds = _resolve(f"age_{level}", path)
    unit = ["province_std", "district_src"] if level == "district" else ["province_std"]
    df = read_text_csv(path, [*unit, "age_label_src", "age_min", "age_max", "residence", "sex", "population"])
    df = parse_counts(df, ["population"], path)
    df = parse_numbers(df, ["age_min", "age_max"], path)
    _check_residence(df, path, RESIDENCES)
    bad = ~df["sex"].isin(SEXES)
    if bad.any():
        fail_rows(path, df, bad, "sex", "unknown sex", f"one of {list(SEXES)}")

    # labels and bounds agree
    lo, hi = _age_bounds(df["age_label_src"])
    is_total = df["age_label_src"].str.strip().eq(AGE_TOTAL_LABEL)
    unknown = lo.isna() & ~is_total
    if unknown.any():
        fail_rows(path, df, unknown, "age_label_src", "unknown age label",
                   f"'{AGE_TOTAL_LABEL}', 'BELOW 1', '01'..'74' or '{AGE_TOP} & ABOVE'")
    for col, want in (("age_min", lo), ("age_max", hi)):
        differ = ~((df[col] == want) | (df[col].isna() & want.isna()))
        if differ.any():
            fail_rows(path, df, differ, col, f"{col} disagrees with the age label",
                       "the bounds of age_label_src", values=df[col])

    # every cell holds each age once: 0..74, 75+, ALL AGES
    key = [*unit, "residence", "sex"]
    dup = df.duplicated([*key, "age_label_src"], keep="first")
    if dup.any():
        fail_rows(path, df, dup, "age_label_src", "age row repeated in its cell", "each age once per cell")
    n_expected = AGE_TOP + 2  # 0..74, 75+, total
    sizes = df.groupby(key, sort=False)["record"].transform("size")
    short = sizes < n_expected
    if short.any():
        first = df.loc[short].iloc[0]
        cell = df[(df[key] == first[key]).all(axis=1)]
        have = set(cell["age_label_src"].str.strip())
        want = {AGE_TOTAL_LABEL, "BELOW 1", f"{AGE_TOP} & ABOVE", *[f"{a:02d}" for a in range(1, AGE_TOP)]}
        gone = sorted(want - have)
        cell_name = ", ".join(f"{c}={first[c]!r}" for c in key)
        raise DataValidationError(path, f"cell {cell_name}: missing age row(s) {gone} (a cell must hold ages 0-74, "
                                        f"75+ and the ALL AGES total)", row=int(cell["record"].min()),
                                  column="age_label_src")

    # the age rows add up to the total row (published blanks count as 0)
    ages = df.loc[~is_total].groupby(key, sort=False)["population"].sum(min_count=1).rename("age_sum")
    totals = df.loc[is_total].merge(ages, left_on=key, right_index=True, how="left")
    off = totals["population"].fillna(0) != totals["age_sum"].fillna(0)
    if off.any():
        t = totals.loc[off].iloc[0]
        cases = totals.loc[off, ["record", *key, "population", "age_sum"]].rename(columns={"record": "row"})
        raise DataValidationError(path, f"the age rows of cell {', '.join(f'{c}={t[c]!r}' for c in key)} sum to "
                                        f"{t['age_sum']:,.0f} but the ALL AGES row says {t['population']:,.0f} "
                                        f"(difference {t['population'] - t['age_sum']:+,.0f})",
                                  row=int(t["record"]), column="population", failure_cases=cases)

    # sexes add up, residences add up
    wide_sex = df.pivot_table(index=[*unit, "age_label_src", "residence"], columns="sex", values="population",
                              aggfunc="sum", dropna=False)
    _check_wide(df, wide_sex, "all_sexes", ["male", "female", "transgender"], "sex", path, "the sexes")
    wide_res = df.pivot_table(index=[*unit, "age_label_src", "sex"], columns="residence", values="population",
                              aggfunc="sum", dropna=False)
    _check_wide(df, wide_res, "overall", ["rural", "urban"], "residence", path, "rural + urban")
    df["age_min"] = df["age_min"].astype("float64")
    df["age_max"] = df["age_max"].astype("float64")
    return _finish(df, ds, path)


def _check_wide(df: pd.DataFrame, wide: pd.DataFrame, total: str, parts: list[str], dim: str, path: Path,
                what: str) -> None:
    expected = wide[parts].fillna(0).sum(axis=1)
    off = wide[total].fillna(0) != expected
    if off.any():
        idx = wide.index[off.to_numpy()][0]
        names = list(wide.index.names)
        match = (df[names] == pd.Series(idx, index=names)).all(axis=1) & df[dim].eq(total)
        rec = int(df.loc[match, "record"].iloc[0])
        raise DataValidationError(path, f"{what} do not add up for {dict(zip(names, idx, strict=True))}: {total} = "
                                        f"{wide[total].fillna(0)[off].iloc[0]:,.0f} but {' + '.join(parts)} = "
                                        f"{expected[off].iloc[0]:,.0f}", row=rec, column="population")


# --------------------------------------------------------------------------- census 2023: Tables 12, 13, 22-24

def _value_columns(columns: Sequence[str], *, sex_first: bool = True) -> dict[str, tuple[str, str]]:
    """Wide value columns such as ``all_sexes_overall`` -> (sex, residence)."""
    out = {}
    for col in columns:
        for prefix, sex in SEX_PREFIX.items():
            for res in RESIDENCES:
                if col == (f"{prefix}_{res}" if sex_first else f"{res}_{prefix}"):
                    out[col] = (sex, res)
    return out


def _melt(df: pd.DataFrame, ids: list[str], value_cols: dict[str, tuple[str, str]]) -> pd.DataFrame:
    long = df.melt(id_vars=["record", *ids], value_vars=list(value_cols), var_name="_col", value_name="value")
    long["sex"] = long["_col"].map({k: v[0] for k, v in value_cols.items()})
    long["residence"] = long["_col"].map({k: v[1] for k, v in value_cols.items()})
    return long.drop(columns="_col")


def read_table12_district(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2023 Table 12 (literacy, enrolment, out-of-school) summed to districts, long form.

    Columns ``province_std``, ``district_src``, ``variable`` (e.g. ``Population >=10``,
    ``Literate >=10``, ``Out of School Children (5-16)``), ``sex``, ``residence``, ``value``,
    ``record``. Counts are checked whole and non-negative; the recomputed ``Literate %`` rows
    are checked to lie in 0-100.
    """
    path, ds = _resolve("table12_district", path)
    value_cols = _value_columns([f"{p}_{r}" for p in SEX_PREFIX for r in RESIDENCES])
    df = read_text_csv(path, ["province_std", "district_src", "variable", *value_cols])
    is_pct = df["variable"].str.contains("%", regex=False)
    counts = parse_counts(df.loc[~is_pct], list(value_cols), path)
    pct = parse_numbers(df.loc[is_pct], list(value_cols), path)
    for col in value_cols:
        check_percent(pct, col, path)
    df = pd.concat([counts, pct]).sort_values("record")
    return _finish(_melt(df, ["province_std", "district_src", "variable"], value_cols), ds, path)


def read_table13_district(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2023 Table 13 (population and literacy for special age groups) by district, long form.

    Columns ``province_std``, ``district_src``, ``age_bracket_src``, ``age_min``, ``age_max``,
    ``variable``, ``source_object``, ``sex``, ``residence``, ``value``, ``record``. No ICT rows
    (the source covers the four provinces only).

    Only counts are returned: the mirror's ``Literate % (recomputed from summed counts)`` rows are
    dropped, because in 36 transgender cells the published literate count exceeds the population
    (a "rate" of 200-300%); compute any rate from the counts, where such cells can be seen.
    """
    path, ds = _resolve("table13_district", path)
    wanted = [f"{p}_{r}" for p in SEX_PREFIX for r in RESIDENCES]
    value_cols = _value_columns(wanted)
    df = read_text_csv(path, ["province_std", "district_src", "age_bracket_src", "age_min", "age_max", "variable",
                              "source_object", *value_cols])
    df = parse_numbers(df, ["age_min", "age_max"], path)
    is_pct = df["variable"].str.contains("%", regex=False)
    df = parse_counts(df.loc[~is_pct], list(value_cols), path)
    ids = ["province_std", "district_src", "age_bracket_src", "age_min", "age_max", "variable", "source_object"]
    return _finish(_melt(df, ids, value_cols), ds, path)


AMENITY_COUNTS = [
    "households", "light_elect", "light_solar", "light_others", "fuel_gas", "fuel_lpgcng", "fuel_firewood",
    "fuel_others", "sep_kitchen", "no_kitchen", "drink_wtr_improve", "drink_wtr_inside", "drink_wtr_outside",
    "drink_wtr_tap", "drink_wtr_motor", "drink_wtr_well", "drink_wtr_filter", "drink_wtr_bottle",
    "drink_wtr_other", "toilet_separate", "toilet_flush", "toilet_non_flush", "toilet_none", "washroom_separate",
    "washroom_none",
]


def read_amenities_district(path: str | Path | None = None) -> pd.DataFrame:
    """Census 2023 Tables 22-24 (lighting, cooking fuel, drinking water, toilets) by district x residence.

    All columns are household counts (``households`` the universe). Checks: lighting sources and
    toilet types each add up to ``households``; an all-empty row is a residence without households
    (e.g. rural Karachi) and is kept as missing.
    """
    path, ds = _resolve("amenities_district", path)
    df = read_text_csv(path, ["province_std", "district_src", "residence", *AMENITY_COUNTS])
    df = parse_counts(df, AMENITY_COUNTS, path)
    _check_residence(df, path, RESIDENCES)
    check_sum(df, "households", ["light_elect", "light_solar", "light_others"], path, "the lighting sources")
    check_sum(df, "households", ["toilet_flush", "toilet_non_flush", "toilet_none"], path, "the toilet types")
    bad = df["drink_wtr_improve"].fillna(0) > df["households"].fillna(0)
    if bad.any():
        fail_rows(path, df, bad, "drink_wtr_improve", "more households than the universe",
                   "at most the row's households")
    return _finish(df, ds, path)
