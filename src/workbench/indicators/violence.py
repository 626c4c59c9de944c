"""Violence rates and lethality, and their recomputation for larger areas.

A rate is undefined, and returned as NaN (never 0 or infinity), where the
population is missing or zero; :func:`n_undefined_rates` counts such cells so a
report can say how many there are. Rates for larger areas (provinces from
districts, periods from years) are recomputed from summed counts and summed
populations by :func:`aggregate_rates`, never averaged.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError

__all__ = ["PER", "aggregate_lethality", "aggregate_rates", "lethality", "n_undefined_rates", "rate_per_100k"]

#: Persons per rate unit.
PER = 100_000.0

Numbers = float | int | Sequence[float] | np.ndarray | pd.Series


def _plain(x: object) -> object:
    """A numpy scalar as the Python scalar (so messages read 18, not np.int64(18))."""
    return x.item() if isinstance(x, np.generic) else x


def _array(x: Numbers, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"argument '{name}' must hold numbers; could not read it as numbers ({exc})") from exc
    if np.isinf(arr).any():
        raise ParameterError(f"argument '{name}' holds an infinite value; counts and populations must be finite")
    neg = np.flatnonzero(np.ravel(arr) < 0)
    if neg.size:
        where = _plain(x.index[neg[0]]) if isinstance(x, pd.Series) else int(neg[0])
        label = "index label" if isinstance(x, pd.Series) else "position"
        raise ParameterError(
            f"argument '{name}' has {neg.size} negative value(s), the first {np.ravel(arr)[neg[0]]} at {label} "
            f"{where!r}; counts and populations cannot be negative"
        )
    return arr


def _pair(a: Numbers, b: Numbers, names: tuple[str, str]) -> tuple[np.ndarray, np.ndarray, pd.Index | None]:
    """Both arguments as arrays of one shape; the Series index if either is a Series."""
    index = None
    for x in (a, b):
        if isinstance(x, pd.Series):
            if index is not None and not x.index.equals(index):
                raise ParameterError(
                    f"arguments '{names[0]}' and '{names[1]}' are Series with different indexes; align them first"
                )
            index = x.index
    x, y = _array(a, names[0]), _array(b, names[1])
    if x.shape != y.shape and x.ndim and y.ndim:
        raise ParameterError(f"arguments '{names[0]}' and '{names[1]}' differ in length: {x.shape} against {y.shape}")
    return x, y, index


def _wrap(result: np.ndarray, index: pd.Index | None, name: str) -> float | np.ndarray | pd.Series:
    if index is not None:
        return pd.Series(result, index=index, name=name)
    if result.ndim == 0:
        return float(result)
    return result


def rate_per_100k(count: Numbers, population: Numbers) -> float | np.ndarray | pd.Series:
    """Events (or deaths) per 100,000 persons: ``count / population * 100_000``.

    Parameters
    ----------
    count:
        Non-negative counts (a missing count gives a NaN rate).
    population:
        Non-negative populations; missing or zero gives NaN (never 0 or inf).

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Matching the input (a Series keeps its index).

    Examples
    --------
    >>> rate_per_100k(5, 250_000)
    2.0
    >>> rate_per_100k([1, 1], [0, float("nan")])
    array([nan, nan])
    """
    c, p, index = _pair(count, population, ("count", "population"))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(p > 0, c / np.where(p > 0, p, 1.0) * PER, np.nan)
    return _wrap(rate, index, "rate_per_100k")


def n_undefined_rates(count: Numbers, population: Numbers) -> int:
    """Number of cells whose rate is NaN: population missing or zero, or count missing.

    Examples
    --------
    >>> n_undefined_rates([1, 2, 3], [0, float("nan"), 10])
    2
    """
    c, p, _ = _pair(count, population, ("count", "population"))
    c, p = np.broadcast_arrays(c, p)
    return int(np.sum(np.isnan(c) | np.isnan(p) | (p == 0)))


def lethality(deaths: Numbers, events: Numbers) -> float | np.ndarray | pd.Series:
    """Deaths per event (e.g. the average death toll per attack).

    NaN where ``events`` is zero or missing. Deaths with zero events is
    contradictory and raises :class:`ParameterError`.

    Examples
    --------
    >>> lethality(12, 4)
    3.0
    >>> lethality([0, 6], [0, 2])
    array([nan,  3.])
    """
    d, e, index = _pair(deaths, events, ("deaths", "events"))
    d_b, e_b = np.broadcast_arrays(d, e)
    bad = np.flatnonzero(np.ravel((e_b == 0) & (d_b > 0)))
    if bad.size:
        where = _plain(index[bad[0]]) if index is not None else int(bad[0])
        raise ParameterError(
            f"arguments 'deaths' and 'events': {np.ravel(d_b)[bad[0]]:g} deaths but 0 events at "
            f"{'index label' if index is not None else 'position'} {where!r}; deaths need events"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(e > 0, d / np.where(e > 0, e, 1.0), np.nan)
    return _wrap(result, index, "lethality")


def _check_frame(df: pd.DataFrame, columns: dict[str, str], by: list[str], unit: str | None,
                 source: str | None) -> None:
    needed = {**{f"by[{k}]": c for k, c in enumerate(by)}, **columns}
    if unit is not None:
        needed["unit"] = unit
    for arg, col in needed.items():
        if col not in df.columns:
            raise ParameterError(
                f"argument '{arg}': no column {col!r} in the table; its columns are {list(map(str, df.columns))}"
            )
    for col in columns.values():
        values = pd.to_numeric(df[col], errors="coerce")
        bad = (values < 0) | (values.isna() & df[col].notna())
        if bad.any():
            rows = df.loc[bad.to_numpy()]
            cases = pd.DataFrame({"file": source, "row": rows.index, "column": col, "value": rows[col].to_numpy(),
                                  "check": "a non-negative number"})
            raise DataValidationError(source, f"expected a non-negative number, found {_plain(rows[col].iloc[0])!r}",
                                      row=f"index {_plain(rows.index[0])!r}", column=col, failure_cases=cases)
    if unit is not None:
        dup = df.duplicated(subset=[*by, unit], keep=False).to_numpy()
        if dup.any():
            rows = df.loc[dup]
            raise DataValidationError(
                source, f"unit {_plain(rows[unit].iloc[0])!r} appears more than once in its cell; its population "
                        "would be counted twice", row=f"index {_plain(rows.index[0])!r}", column=unit)


def _sum_strict(s: pd.Series) -> float:
    """Sum that is NaN when any part is missing (a partial sum would understate)."""
    return s.sum(min_count=1) if s.notna().all() else np.nan


def aggregate_rates(
    df: pd.DataFrame,
    counts: str | Sequence[str],
    population: str,
    by: Sequence[str],
    *,
    unit: str | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """Rates per 100,000 for larger cells from summed counts and summed populations.

    For each cell of ``by`` the counts and the populations of its rows are summed
    and the rate is ``sum(count) / sum(population) * 100_000``, the population-
    weighted mean of the unit rates, never their plain average. A missing count or
    population in any row makes the cell's sum, and so its rate, NaN (a partial
    sum would understate); the numbers of rows with a missing or zero population
    are reported.

    Parameters
    ----------
    df:
        One row per unit and cell (e.g. district-year), each unit's population once.
    counts:
        Count column(s), e.g. ``"deaths"`` or ``["events", "deaths"]``.
    population:
        Population column.
    by:
        Columns of the larger cells, e.g. ``["province", "year"]``; ``[]`` for one total.
    unit:
        Optional unit column; duplicates within a cell are an error.
    source:
        Label named in error messages.

    Returns
    -------
    pandas.DataFrame
        ``by``, ``n_units``, the summed count column(s), the summed ``population``,
        ``n_population_missing``, ``n_population_zero`` and ``<count>_per_100k`` for
        each count.
    """
    counts = [counts] if isinstance(counts, str) else list(counts)
    by = [by] if isinstance(by, str) else list(by)
    if not counts:
        raise ParameterError("argument 'counts' is empty; name at least one count column")
    if population in counts:
        raise ParameterError(f"argument 'population' ({population!r}) is also listed in 'counts'")
    _check_frame(df, {**{f"counts[{k}]": c for k, c in enumerate(counts)}, "population": population}, by, unit,
                 source)
    work = df[[*by, *counts, population]].copy()
    for col in [*counts, population]:
        work[col] = pd.to_numeric(work[col]).astype("float64")
    work["_pop_missing"] = work[population].isna()
    work["_pop_zero"] = work[population] == 0
    if by:
        grouped = work.groupby(by, dropna=False, sort=True)
    else:
        grouped = work.assign(_all=0).groupby("_all")
    out = grouped.agg(
        n_units=(population, "size"),
        **{c: (c, _sum_strict) for c in counts},
        **{population: (population, _sum_strict)},
        n_population_missing=("_pop_missing", "sum"),
        n_population_zero=("_pop_zero", "sum"),
    )
    out = out.reset_index(drop=not by)
    for c in counts:
        out[f"{c}_per_100k"] = np.asarray(rate_per_100k(out[c].to_numpy(), out[population].to_numpy()))
    return out


def aggregate_lethality(
    df: pd.DataFrame,
    deaths: str,
    events: str,
    by: Sequence[str],
    *,
    source: str | None = None,
) -> pd.DataFrame:
    """Deaths per event for larger cells: ``sum(deaths) / sum(events)`` (never averaged).

    Returns ``by``, ``n_rows``, the summed ``deaths`` and ``events`` columns and
    ``lethality`` (NaN where a cell has no events, or a missing count).
    """
    by = [by] if isinstance(by, str) else list(by)
    _check_frame(df, {"deaths": deaths, "events": events}, by, None, source)
    work = df[[*by, deaths, events]].copy()
    for col in (deaths, events):
        work[col] = pd.to_numeric(work[col]).astype("float64")
    grouped = work.groupby(by, dropna=False, sort=True) if by else work.assign(_all=0).groupby("_all")
    out = grouped.agg(n_rows=(deaths, "size"), **{deaths: (deaths, _sum_strict), events: (events, _sum_strict)})
    out = out.reset_index(drop=not by)
    bad = np.flatnonzero((out[events] == 0).to_numpy() & (out[deaths] > 0).to_numpy())
    if bad.size:
        cell = {c: _plain(out[c].iloc[bad[0]]) for c in by} or "the whole table"
        raise DataValidationError(
            source, f"cell {cell}: {out[deaths].iloc[bad[0]]:g} deaths but 0 events; deaths need events",
            column=deaths)
    out["lethality"] = np.asarray(lethality(out[deaths].to_numpy(), out[events].to_numpy()))
    return out
