"""Youth measures from age tables: youth share (15-29 of all) and youth bulge (15-24 of 15+).

The functions accept any age table in tidy form, whatever census it comes from:

============  =====================================================================
column        meaning
============  =====================================================================
``unit_id``   the unit (province, district, ...); any other ``by`` columns may be used
``age_min``   first age of the row's age group, in completed years
``age_max``   last age of the group (inclusive); NaN for the open-ended top group
``sex``       optional; e.g. ``all_sexes``, ``male``, ``female``, ``transgender``
``residence`` optional; e.g. ``overall``, ``rural``, ``urban``
``population``  persons (non-negative)
============  =====================================================================

A *total row* (``age_min`` and ``age_max`` both NaN) is optional; when present the
age rows must sum to it. Single years and age groups may be mixed, provided the
groups break at the ages the measure needs: an age group straddling a boundary
(e.g. 10-19 for a youth range starting at 15) is an error, never split by
assumption. Gaps, overlaps, duplicate rows, negative counts and (by default)
missing counts are errors naming the file, row and column.

Both measures return their numerator and denominator counts beside the share, so
shares for larger areas are recomputed from summed counts
(:func:`aggregate_shares`), never averaged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError

__all__ = ["DEFAULT_BY", "aggregate_shares", "youth_bulge", "youth_share"]

#: Columns used as the cell key when ``by`` is not given (those present in the table).
DEFAULT_BY: tuple[str, ...] = ("unit_id", "year", "sex", "residence")

MissingPolicy = Literal["error", "zero"]
OUTPUT_COLUMNS = ("measure", "youth_ages", "denominator_ages", "youth_pop", "denominator_pop", "share",
                  "n_missing_cells")


def _plain(x: object) -> object:
    """A numpy scalar as the Python scalar (so messages read 18, not np.int64(18))."""
    return x.item() if isinstance(x, np.generic) else x


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def _cases(df: pd.DataFrame, mask: np.ndarray, source: str | None, column: str, check: str) -> pd.DataFrame:
    sub = df.loc[mask]
    return pd.DataFrame({"file": source, "row": sub.index, "column": column,
                         "value": sub[column].to_numpy() if column in sub else None, "check": check})


def _fail(df: pd.DataFrame, mask: np.ndarray, source: str | None, column: str, check: str,
          message: str | None = None) -> None:
    """Raise a DataValidationError for the rows in ``mask`` (first row named)."""
    cases = _cases(df, mask, source, column, check)
    pos = int(np.flatnonzero(mask)[0])
    first = _plain(df.index[pos])
    value = df[column].iloc[pos] if column in df.columns else None
    raise DataValidationError(source, message or f"{check}: found {_plain(value)!r}", row=f"index {first!r}",
                              column=column, failure_cases=cases)


def _check_parameters(lo: int, hi: int, adult_min: int | None, missing: str, tolerance: float) -> None:
    for name, v in (("lo", lo), ("hi", hi), ("adult_min", adult_min)):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise ParameterError(f"argument '{name}' must be a non-negative whole number of years; found {v!r}")
    if hi < lo:
        raise ParameterError(f"arguments 'lo' and 'hi': the youth range {lo}-{hi} is empty (hi < lo)")
    if adult_min is not None and adult_min > lo:
        raise ParameterError(
            f"argument 'adult_min' ({adult_min}) must not exceed 'lo' ({lo}): the youth ages must lie inside "
            f"the denominator ages {adult_min}+"
        )
    if missing not in get_args(MissingPolicy):
        raise ParameterError(f"argument 'missing' must be one of {list(get_args(MissingPolicy))}; found {missing!r}")
    if not (isinstance(tolerance, (int, float)) and tolerance >= 0 and math.isfinite(tolerance)):
        raise ParameterError(f"argument 'tolerance' must be a non-negative number of persons; found {tolerance!r}")


def _prepare(df: pd.DataFrame, by: Sequence[str] | None, source: str | None,
             missing: MissingPolicy) -> tuple[pd.DataFrame, list[str]]:
    """Check the whole table; return a working copy with numeric columns and the cell key."""
    if by is None:
        by = [c for c in DEFAULT_BY if c in df.columns]
    else:
        by = [by] if isinstance(by, str) else list(by)
    needed = [*by, "age_min", "age_max", "population"]
    absent = [c for c in needed if c not in df.columns]
    if absent:
        raise DataValidationError(
            source, f"missing column(s) {absent}; an age table needs {needed}; found {list(map(str, df.columns))}"
        )
    if len(df) == 0:
        raise DataValidationError(source, "the age table is empty")
    work = df[needed].copy()
    for col in ("age_min", "age_max", "population"):
        converted = pd.to_numeric(work[col], errors="coerce").astype("float64")
        bad = (converted.isna() & work[col].notna()).to_numpy()
        if bad.any():
            _fail(work, bad, source, col, "not a number")
        work[col] = converted
    amin, amax, pop = (work[c].to_numpy() for c in ("age_min", "age_max", "population"))

    # population: negative always wrong; missing wrong unless explicitly read as zero
    if (pop < 0).any():
        _fail(work, pop < 0, source, "population", "negative count")
    nan_pop = np.isnan(pop)
    if nan_pop.any() and missing == "error":
        _fail(work, nan_pop, source, "population", "missing count",
              message=f"{int(nan_pop.sum())} missing population count(s); pass missing='zero' to read published "
                      "empty cells as zero (they are then counted in 'n_missing_cells')")
    work["_missing"] = nan_pop
    work["population"] = np.where(nan_pop, 0.0, pop)

    # ages: whole years, age_max >= age_min, no upper bound without lower bound
    bad = np.isnan(amin) & ~np.isnan(amax)
    if bad.any():
        _fail(work, bad, source, "age_min", "age_max given without age_min",
              message="age_min is missing while age_max is given; a total row has both missing")
    for col, arr in (("age_min", amin), ("age_max", amax)):
        bad = ~np.isnan(arr) & ((arr < 0) | (arr != np.floor(arr)))
        if bad.any():
            _fail(work, bad, source, col, "not a whole non-negative age")
    bad = ~np.isnan(amax) & (amax < amin)
    if bad.any():
        _fail(work, bad, source, "age_max", "age_max below age_min")

    # duplicates: each cell has each age group (and the total) once
    dup = work.duplicated(subset=[*by, "age_min", "age_max"], keep=False).to_numpy()
    if dup.any():
        first = work.loc[dup].iloc[0]
        cell = ", ".join(f"{c}={_plain(first[c])!r}" for c in by) or "the table"
        hint = [c for c in ("sex", "residence", "year", "unit_id") if c in df.columns and c not in by]
        _fail(work, dup, source, "age_min", "duplicate age row in its cell",
              message=f"cell {cell}: the age group {_ages(first['age_min'], first['age_max'])} appears more than "
                      f"once; a column distinguishing the rows is missing from 'by'"
                      + (f" (perhaps {hint})" if hint else ""))
    return work, by


def _ages(a: float, b: float) -> str:
    if np.isnan(a):
        return "all ages"
    if np.isnan(b):
        return f"{int(a)}+"
    return f"{int(a)}" if a == b else f"{int(a)}-{int(b)}"


def _missing_ages(a: float, b: float) -> str:
    return f"age {int(a)} is missing" if a == b else f"ages {int(a)}-{int(b)} are missing"


def _cell_label(by: list[str], key: tuple) -> str:
    return ", ".join(f"{c}={_plain(k)!r}" for c, k in zip(by, key, strict=True)) or "the table"


def _raise_at(source: str | None, label: str, message: str, row: object | None, column: str) -> None:
    where = None if row is None else f"index {_plain(row)!r}"
    raise DataValidationError(source, f"cell {label}: {message}", row=where, column=column)


def _measure(df: pd.DataFrame, *, lo: int, hi: int, adult_min: int | None, by: Sequence[str] | None,
             source: str | None, missing: MissingPolicy, tolerance: float, measure: str) -> pd.DataFrame:
    """Validate every cell's age structure (vectorised over cells) and compute the measure."""
    _check_parameters(lo, hi, adult_min, missing, tolerance)
    work, by_cols = _prepare(df, by, source, missing)
    if by_cols:
        work["_cell"] = work.groupby(by_cols, dropna=False, sort=True).ngroup().to_numpy()
    else:
        work["_cell"] = 0
    keys = work.drop_duplicates("_cell").sort_values("_cell")
    n_cells = len(keys)
    labels = [_cell_label(by_cols, tuple(k)) for k in keys[by_cols].itertuples(index=False, name=None)] \
        if by_cols else ["the table"]

    is_total = work["age_min"].isna().to_numpy()
    ages = work.loc[~is_total].sort_values(["_cell", "age_min"], kind="stable")
    rows = ages.index
    c = ages["_cell"].to_numpy()
    a0 = ages["age_min"].to_numpy()
    a1 = ages["age_max"].to_numpy()
    pop = ages["population"].to_numpy()
    top = np.where(np.isnan(a1), np.inf, a1)
    first = np.r_[True, c[1:] != c[:-1]]
    last = np.r_[c[1:] != c[:-1], True]

    without_ages = np.setdiff1d(np.arange(n_cells), c)
    if without_ages.size:
        _raise_at(source, labels[without_ages[0]], "no age rows (only a total row)", None, "age_min")
    bad = np.flatnonzero(first & (a0 != 0))
    if bad.size:
        k = bad[0]
        _raise_at(source, labels[c[k]], f"{_missing_ages(0, a0[k] - 1)} (the first age row starts at "
                                        f"{int(a0[k])})", rows[k], "age_min")
    bad = np.flatnonzero(np.isnan(a1) & ~last)
    if bad.size:
        k = bad[0]
        _raise_at(source, labels[c[k]], f"the open-ended group {_ages(a0[k], np.nan)} is not the oldest group "
                                        f"(the group {_ages(a0[k + 1], a1[k + 1])} follows it)", rows[k], "age_max")
    prev_top = np.r_[np.nan, top[:-1]]
    bad = np.flatnonzero(~first & (a0 != prev_top + 1))
    if bad.size:
        k = bad[0]
        if a0[k] > prev_top[k] + 1:
            msg = (f"{_missing_ages(prev_top[k] + 1, a0[k] - 1)} (no row between "
                   f"{_ages(a0[k - 1], a1[k - 1])} and {_ages(a0[k], a1[k])})")
        else:
            msg = f"the age group {_ages(a0[k], a1[k])} overlaps {_ages(a0[k - 1], a1[k - 1])}"
        _raise_at(source, labels[c[k]], msg, rows[k], "age_min")

    boundaries = {"lower youth bound": lo, "upper youth bound": hi + 1}
    if adult_min is not None:
        boundaries["lower bound of the denominator (adults)"] = adult_min
    for what, age in boundaries.items():
        bad = np.flatnonzero((a0 < age) & (top >= age))
        if bad.size:
            k = bad[0]
            _raise_at(source, labels[c[k]],
                      f"the age group {_ages(a0[k], a1[k])} straddles the {what} (a group must start at age {age}); "
                      "it cannot be split without assumptions - use data whose age groups break there",
                      rows[k], "age_min")

    persons = np.bincount(c, weights=pop, minlength=n_cells)
    total_rows = work.loc[is_total]
    has_total = np.zeros(n_cells, dtype=bool)
    has_total[total_rows["_cell"].to_numpy()] = True
    diff = persons[total_rows["_cell"].to_numpy()] - total_rows["population"].to_numpy()
    bad = np.flatnonzero(np.abs(diff) > tolerance)
    if bad.size:
        k = bad[0]
        cell = int(total_rows["_cell"].iloc[k])
        _raise_at(source, labels[cell],
                  f"the age rows sum to {persons[cell]:,.0f} persons but the total row says "
                  f"{total_rows['population'].iloc[k]:,.0f} (difference {diff[k]:+,.0f})",
                  total_rows.index[k], "population")
    closed_top = np.zeros(n_cells, dtype=bool)
    closed_top[c[last]] = ~np.isnan(a1[last])
    bad = np.flatnonzero(closed_top & ~has_total)
    if bad.size:
        cell = bad[0]
        k = np.flatnonzero(last & (c == cell))[0]
        _raise_at(source, labels[cell], f"the oldest age row {_ages(a0[k], a1[k])} is closed and there is no total "
                                        "row, so the table cannot be shown to cover every age", rows[k], "age_max")

    youth = np.bincount(c, weights=np.where((a0 >= lo) & (top <= hi), pop, 0.0), minlength=n_cells)
    if adult_min is None:
        denominator = persons
    else:
        denominator = np.bincount(c, weights=np.where(a0 >= adult_min, pop, 0.0), minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(denominator > 0, youth / denominator, np.nan)
    out = keys[by_cols].reset_index(drop=True)
    out["measure"] = measure
    out["youth_ages"] = f"{lo}-{hi}"
    out["denominator_ages"] = "all ages" if adult_min is None else f"{adult_min}+"
    out["youth_pop"] = youth
    out["denominator_pop"] = denominator
    out["share"] = share
    out["n_missing_cells"] = np.bincount(work["_cell"].to_numpy(), weights=work["_missing"].to_numpy(dtype=float),
                                         minlength=n_cells).astype(int)
    return out


# ---------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------


def youth_share(
    df: pd.DataFrame,
    lo: int = 15,
    hi: int = 29,
    by: Sequence[str] | None = None,
    *,
    source: str | None = None,
    missing: MissingPolicy = "error",
    tolerance: float = 0.0,
) -> pd.DataFrame:
    """Share of the population aged ``lo``..``hi`` (inclusive) in the total population.

    The default 15-29 is the youth age range of Pakistan's National Youth Policy.

    .. math:: \\text{share} = \\frac{\\sum_{a=lo}^{hi} N_a}{\\sum_a N_a}

    Parameters
    ----------
    df:
        Age table in the tidy form described in the module docstring.
    lo, hi:
        First and last youth age (whole years).
    by:
        Columns defining a cell (one share per cell). Default: those of ``unit_id``,
        ``year``, ``sex``, ``residence`` present. Each cell must hold each age group
        once: leaving ``sex`` out while the table has several sexes is an error.
    source:
        Label (file or data set id) named in error messages.
    missing:
        ``"error"`` (default): a missing population count is an error.
        ``"zero"``: read missing counts as zero persons (the published convention
        for empty cells in some census tables); their number is reported per cell
        in ``n_missing_cells``.
    tolerance:
        Allowed absolute difference, in persons, between the age rows and the total
        row (default 0: exact).

    Returns
    -------
    pandas.DataFrame
        One row per cell: the ``by`` columns, ``measure`` (``"youth_share"``),
        ``youth_ages``, ``denominator_ages`` (``"all ages"``), ``youth_pop``,
        ``denominator_pop``, ``share`` (full precision; NaN when the denominator is
        0) and ``n_missing_cells``.
    """
    return _measure(df, lo=lo, hi=hi, adult_min=None, by=by, source=source, missing=missing,
                    tolerance=tolerance, measure="youth_share")


def youth_bulge(
    df: pd.DataFrame,
    lo: int = 15,
    hi: int = 24,
    adult_min: int = 15,
    by: Sequence[str] | None = None,
    *,
    source: str | None = None,
    missing: MissingPolicy = "error",
    tolerance: float = 0.0,
) -> pd.DataFrame:
    """Youth bulge: persons aged ``lo``..``hi`` as a share of persons aged ``adult_min`` and over.

    The default, 15-24 of 15+, is the measure of Urdal (2006, "A clash of
    generations? Youth bulges and political violence", *International Studies
    Quarterly* 50(3)).

    .. math:: \\text{bulge} = \\frac{\\sum_{a=lo}^{hi} N_a}{\\sum_{a \\ge adult\\_min} N_a}

    Parameters and return value are those of :func:`youth_share`, with
    ``measure == "youth_bulge"`` and ``denominator_ages == "15+"``; ``adult_min``
    must not exceed ``lo``.
    """
    if adult_min is None:
        raise ParameterError("argument 'adult_min' is required for the youth bulge (e.g. 15)")
    return _measure(df, lo=lo, hi=hi, adult_min=adult_min, by=by, source=source, missing=missing,
                    tolerance=tolerance, measure="youth_bulge")


def aggregate_shares(result: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """Recompute youth shares for larger areas from summed counts (never averaged).

    Parameters
    ----------
    result:
        Output of :func:`youth_share` or :func:`youth_bulge` (or several of them
        concatenated), one row per unit; the rows summed into one area must be
        disjoint populations (e.g. districts of one sex and residence, not
        ``all_sexes`` together with ``male``).
    by:
        Columns of the larger areas (e.g. ``["province", "sex", "residence"]``);
        ``[]`` for one total.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``measure``, ``youth_ages``, ``denominator_ages``, ``n_units``,
        ``youth_pop``, ``denominator_pop``, ``share`` = youth_pop / denominator_pop
        and ``n_missing_cells``.
    """
    by = [by] if isinstance(by, str) else list(by)
    keys = [*by, "measure", "youth_ages", "denominator_ages"]
    absent = [c for c in [*keys, "youth_pop", "denominator_pop", "n_missing_cells"] if c not in result.columns]
    if absent:
        raise ParameterError(
            f"argument 'result' lacks column(s) {absent}; pass the output of youth_share or youth_bulge "
            f"(columns found: {list(map(str, result.columns))})"
        )
    grouped = result.groupby(keys, dropna=False, sort=True)
    out = grouped.agg(
        n_units=("youth_pop", "size"),
        youth_pop=("youth_pop", lambda s: s.sum(min_count=len(s))),
        denominator_pop=("denominator_pop", lambda s: s.sum(min_count=len(s))),
        n_missing_cells=("n_missing_cells", "sum"),
    ).reset_index()
    den = out["denominator_pop"].to_numpy(dtype=float)
    out["share"] = np.where(den > 0, out["youth_pop"].to_numpy(dtype=float) / np.where(den > 0, den, 1.0), np.nan)
    return out[[*keys, "n_units", "youth_pop", "denominator_pop", "share", "n_missing_cells"]]
