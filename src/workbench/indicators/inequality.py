"""Inequality indices across units: Gini, Theil T and L (with decomposition), CV, Williamson.

Every index treats the input as a discrete distribution: unit ``i`` has the value
``y_i`` (a per-capita figure such as a deprivation score or a rate) and the weight
``w_i`` (its population; all ones when no weights are given). With population
shares ``p_i = w_i / sum(w)`` and the weighted mean ``mu = sum(p_i * y_i)``, each
index measures inequality among *persons*, each person carrying the value of the
unit they live in (grouped data: inequality inside a unit is not seen). Weighted
regional indices in this sense were introduced by Williamson (1965); Gluschenko
(2018, *Spatial Economic Analysis* 13(1)) discusses what they do and do not
measure. Unweighted indices treat every unit as one observation.

All indices are scale invariant (multiplying every value by a constant leaves them
unchanged), replication invariant (duplicating every unit, or every weight, leaves
them unchanged) and zero for perfect equality.

Errors
------
Empty input, missing (NaN) or infinite values, negative values, and zero, negative
or missing weights raise :class:`workbench.errors.ParameterError` (for arrays) or
:class:`workbench.errors.DataValidationError` (for data frames), naming the
argument or column and the position or row. Inequality is never computed on a
silently reduced set of units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from scipy import special

from workbench.errors import DataValidationError, ParameterError

__all__ = [
    "TheilDecomposition",
    "cv",
    "gini",
    "inequality_table",
    "max_min_ratio",
    "theil_decomposition",
    "theil_l",
    "theil_t",
    "williamson",
]

ArrayLike = Sequence[float] | np.ndarray | pd.Series
TheilIndex = Literal["T", "L"]


def _plain(x: object) -> object:
    """A numpy scalar as the Python scalar (so messages read 18, not np.int64(18))."""
    return x.item() if isinstance(x, np.generic) else x


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------


def _position(obj: object, i: int) -> str:
    """Name entry ``i`` of ``obj``: its index label for a Series, else its position."""
    if isinstance(obj, pd.Series):
        return f"index label {_plain(obj.index[i])!r}"
    return f"position {i}"


def _as_values(values: ArrayLike, *, name: str = "values", allow_zero: bool = True) -> np.ndarray:
    """Check and convert the values argument to a 1-d float array."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"argument '{name}' must hold numbers; could not read it as numbers ({exc})") from exc
    if arr.ndim != 1:
        raise ParameterError(f"argument '{name}' must be one-dimensional; found shape {arr.shape}")
    if arr.size == 0:
        raise ParameterError(f"argument '{name}' is empty: an inequality index needs at least one unit")
    bad = np.flatnonzero(np.isnan(arr))
    if bad.size:
        raise ParameterError(
            f"argument '{name}' has {bad.size} missing (NaN) value(s), the first at {_position(values, bad[0])}; "
            "inequality needs every unit's value: drop or fill those units explicitly before calling"
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ParameterError(
            f"argument '{name}' has an infinite value at {_position(values, bad[0])} (found {arr[bad[0]]})"
        )
    bad = np.flatnonzero(arr < 0)
    if bad.size:
        raise ParameterError(
            f"argument '{name}' has {bad.size} negative value(s), the first {arr[bad[0]]} at "
            f"{_position(values, bad[0])}; the indices are defined for non-negative values only"
        )
    if not allow_zero:
        bad = np.flatnonzero(arr == 0)
        if bad.size:
            raise ParameterError(
                f"argument '{name}' has {bad.size} zero value(s), the first at {_position(values, bad[0])}; "
                "this index (a mean of logarithms) is undefined when a value is zero"
            )
    if not arr.sum() > 0:
        raise ParameterError(f"argument '{name}': every value is zero; inequality is undefined when the mean is zero")
    return arr


def _as_weights(weights: ArrayLike | None, n: int, *, name: str = "weights") -> np.ndarray:
    """Check and convert the weights argument; ``None`` gives equal weights."""
    if weights is None:
        return np.ones(n)
    try:
        arr = np.asarray(weights, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"argument '{name}' must hold numbers; could not read it as numbers ({exc})") from exc
    if arr.ndim != 1 or arr.size != n:
        raise ParameterError(
            f"argument '{name}' must have one weight per value: expected {n} weights, found shape {arr.shape}"
        )
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ParameterError(
            f"argument '{name}' has a missing or infinite weight ({arr[bad[0]]}) at {_position(weights, bad[0])}"
        )
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        raise ParameterError(
            f"argument '{name}' has {bad.size} zero or negative weight(s), the first {arr[bad[0]]} at "
            f"{_position(weights, bad[0])}; every unit needs a positive weight (drop empty units explicitly)"
        )
    return arr


def _checked(values: ArrayLike, weights: ArrayLike | None, *, allow_zero: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Values and population shares (summing to one)."""
    y = _as_values(values, allow_zero=allow_zero)
    w = _as_weights(weights, y.size)
    return y, w / w.sum()


# ---------------------------------------------------------------------------
# kernels (inputs already checked; p sums to one)
# ---------------------------------------------------------------------------


def _gini(y: np.ndarray, p: np.ndarray) -> float:
    order = np.argsort(y, kind="stable")
    y, p = y[order], p[order]
    mu = float(np.dot(p, y))
    below = np.cumsum(p)[:-1]  # F_k: share at or below the k-th value
    above = np.cumsum(p[::-1])[::-1][1:]  # 1 - F_k, summed from the top to avoid cancellation
    return float(np.sum(below * above * np.diff(y)) / mu)


def _theil_t(y: np.ndarray, p: np.ndarray) -> float:
    mu = float(np.dot(p, y))
    d = (y - mu) / mu  # s - 1, where s = y / mu
    # p * (s ln s - s + 1): each term is >= 0 and the extra terms sum to zero.
    terms = special.xlog1py(1.0 + d, d) - d
    return float(np.dot(p, np.maximum(terms, 0.0)))


def _theil_l(y: np.ndarray, p: np.ndarray) -> float:
    mu = float(np.dot(p, y))
    d = (y - mu) / mu
    # p * (-ln s + s - 1): each term is >= 0 and the extra terms sum to zero.
    terms = d - np.log1p(d)
    return float(np.dot(p, np.maximum(terms, 0.0)))


def _cv(y: np.ndarray, p: np.ndarray) -> float:
    mu = float(np.dot(p, y))
    return float(np.sqrt(np.dot(p, (y - mu) ** 2)) / mu)


# ---------------------------------------------------------------------------
# public scalar indices
# ---------------------------------------------------------------------------


def gini(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Gini coefficient (population form, optionally population-weighted).

    .. math::

        G = \frac{1}{2\mu}\sum_i\sum_j p_i p_j\,|y_i - y_j|,
        \qquad p_i = w_i / \textstyle\sum_k w_k,\quad \mu = \sum_i p_i y_i

    half the mean absolute difference over all pairs of *persons* divided by the
    mean (the covariance / mean-difference form for grouped data). It is computed
    exactly, in :math:`O(n \log n)`, as
    :math:`G = \mu^{-1}\sum_k F_k (1 - F_k)(y_{(k+1)} - y_{(k)})` over the sorted values,
    with :math:`F_k` the population share at or below the :math:`k`-th value.
    Without weights this is the population (not the sample, ``n/(n-1)``) formula:
    ``gini([1, 2, 3, 4, 5]) = 4/15 = 0.2667``. It lies in :math:`[0, 1 - \min p_i]`.

    Parameters
    ----------
    values:
        Non-negative values, one per unit, not all zero.
    weights:
        Positive weights (populations), one per value; ``None`` for equal weights.

    Returns
    -------
    float

    Examples
    --------
    >>> round(gini([1, 2, 3, 4, 5]), 4)
    0.2667
    >>> gini([2, 7], weights=[3, 1]) == gini([2, 2, 2, 7])
    True
    """
    y, p = _checked(values, weights)
    return _gini(y, p)


def theil_t(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Theil T index (generalised entropy GE(1)).

    .. math::

        T = \sum_i p_i \frac{y_i}{\mu}\ln\frac{y_i}{\mu}

    with :math:`p_i` the population shares and :math:`\mu` the weighted mean
    (:math:`0 \ln 0 = 0`, so zero values are allowed). Zero for equality; at most
    :math:`\ln(1/p_{\min})` (:math:`\ln n` unweighted). Computed as
    :math:`\sum_i p_i (s_i \ln s_i - s_i + 1)`, :math:`s_i = y_i/\mu`, whose terms are
    each non-negative.

    Parameters
    ----------
    values:
        Non-negative values, not all zero.
    weights:
        Positive weights, or ``None`` for equal weights.

    Examples
    --------
    >>> import math
    >>> math.isclose(theil_t([1, 3]), 0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5)))
    True
    """
    y, p = _checked(values, weights)
    return _theil_t(y, p)


def theil_l(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Theil L index, the mean log deviation (generalised entropy GE(0)).

    .. math::

        L = \sum_i p_i \ln\frac{\mu}{y_i}

    Undefined when a value is zero (a :class:`ParameterError` says where).

    Parameters
    ----------
    values:
        Positive values.
    weights:
        Positive weights, or ``None`` for equal weights.

    Examples
    --------
    >>> import math
    >>> math.isclose(theil_l([1, 3]), 0.5 * math.log(4 / 3))
    True
    """
    y, p = _checked(values, weights, allow_zero=False)
    return _theil_l(y, p)


def cv(values: ArrayLike, weights: ArrayLike | None = None) -> float:
    r"""Coefficient of variation, :math:`\sqrt{\sum_i p_i (y_i - \mu)^2} / \mu`.

    The standard deviation is the population one (divisor :math:`\sum w`, i.e.
    ``ddof=0``), as in Williamson (1965); without weights this is Williamson's
    unweighted index :math:`V_{uw}`; with population weights it is :func:`williamson`.

    Parameters
    ----------
    values:
        Non-negative values, not all zero.
    weights:
        Positive weights, or ``None`` for equal weights.

    Examples
    --------
    >>> cv([1, 3])
    0.5
    """
    y, p = _checked(values, weights)
    return _cv(y, p)


def williamson(values: ArrayLike, weights: ArrayLike) -> float:
    r"""Williamson's population-weighted coefficient of variation.

    Williamson (1965, "Regional inequality and the process of national development",
    *Economic Development and Cultural Change* 13(4), part 2):

    .. math::

        V_w = \frac{1}{\bar y}\sqrt{\sum_i (y_i - \bar y)^2 \frac{f_i}{n}}

    with :math:`y_i` the value of region :math:`i`, :math:`f_i` its population,
    :math:`n` the national population and :math:`\bar y = \sum_i y_i f_i / n` the
    national (population-weighted) mean.

    Parameters
    ----------
    values:
        Non-negative values, not all zero.
    weights:
        Populations (required, positive).

    Examples
    --------
    >>> williamson([1, 3], weights=[1, 1])
    0.5
    """
    if weights is None:
        raise ParameterError("argument 'weights' is required: the Williamson index weights regions by population")
    return cv(values, weights)


def max_min_ratio(values: ArrayLike) -> float:
    """Ratio of the largest to the smallest value (unweighted).

    Raises :class:`ParameterError` when the smallest value is zero (the ratio would
    be infinite).

    Examples
    --------
    >>> max_min_ratio([2, 5, 8])
    4.0
    """
    y = _as_values(values)
    low = float(y.min())
    if low == 0:
        i = int(np.argmin(y))
        raise ParameterError(
            f"argument 'values': the smallest value is zero (at {_position(values, i)}), "
            "so the max/min ratio is infinite"
        )
    return float(y.max()) / low


# ---------------------------------------------------------------------------
# decomposition
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TheilDecomposition:
    """A Theil index split exactly into inequality between and within groups.

    Attributes
    ----------
    index:
        ``"T"`` or ``"L"``.
    total, between, within:
        The index over all units and its two parts; ``between + within == total``
        (to floating-point rounding).
    by_group:
        One row per group: ``n_units``, ``weight`` (its population), ``weight_share``,
        ``mean`` (weighted), ``value_share`` (its share of the value total,
        ``weight_share * mean / overall mean``), ``theil`` (the index among the group's
        own units), ``within_contribution`` (``value_share * theil`` for T,
        ``weight_share * theil`` for L; they sum to ``within``) and
        ``between_term`` (``value_share * ln(mean_g / mean)`` for T,
        ``weight_share * ln(mean / mean_g)`` for L; they sum to ``between``).
    """

    index: TheilIndex
    total: float
    between: float
    within: float
    by_group: pd.DataFrame

    @property
    def between_share(self) -> float:
        """Share of the total due to differences between group means (NaN if total is 0)."""
        return self.between / self.total if self.total > 0 else float("nan")

    @property
    def within_share(self) -> float:
        """Share of the total due to differences inside groups (NaN if total is 0)."""
        return self.within / self.total if self.total > 0 else float("nan")


def _decompose(y: np.ndarray, p: np.ndarray, codes: np.ndarray, labels: Sequence[object], index: TheilIndex,
               group: str) -> TheilDecomposition:
    """Exact decomposition; ``codes[i]`` is the group number (0..G-1) of unit ``i``."""
    n_groups = len(labels)
    mu = float(np.dot(p, y))
    pg = np.bincount(codes, weights=p, minlength=n_groups)
    mug = np.bincount(codes, weights=p * y, minlength=n_groups) / pg
    sg = pg * mug / mu
    dg = (mug - mu) / mu
    theil_g = np.full(n_groups, np.nan)
    for g in range(n_groups):
        mask = codes == g
        if mug[g] > 0:
            kernel = _theil_t if index == "T" else _theil_l
            theil_g[g] = kernel(y[mask], p[mask] / pg[g])
    if index == "T":
        total = _theil_t(y, p)
        between = float(np.dot(pg, np.maximum(special.xlog1py(1.0 + dg, dg) - dg, 0.0)))
        within_c = np.where(sg > 0, sg * np.nan_to_num(theil_g), 0.0)
        between_term = special.xlogy(sg, mug / mu)
    else:
        total = _theil_l(y, p)
        between = float(np.dot(pg, np.maximum(dg - np.log1p(dg), 0.0)))
        within_c = pg * theil_g
        between_term = -pg * np.log(mug / mu)
    within = float(within_c.sum())
    by_group = pd.DataFrame(
        {
            group: list(labels),
            "n_units": np.bincount(codes, minlength=n_groups),
            "weight": pg,  # replaced by absolute weights by the caller
            "weight_share": pg,
            "mean": mug,
            "value_share": sg,
            "theil": theil_g,
            "within_contribution": within_c,
            "between_term": between_term,
        }
    )
    return TheilDecomposition(index=index, total=total, between=between, within=within, by_group=by_group)


def _check_columns(df: pd.DataFrame, columns: dict[str, str | None]) -> None:
    for arg, col in columns.items():
        if col is not None and col not in df.columns:
            raise ParameterError(
                f"argument '{arg}': no column {col!r} in the table; its columns are {list(map(str, df.columns))}"
            )


def _frame_numbers(df: pd.DataFrame, column: str, source: str | None, *, kind: Literal["value", "weight"],
                   allow_zero: bool = True) -> np.ndarray:
    """A numeric column, checked row by row; errors name the row (index label) and column."""
    try:
        arr = pd.to_numeric(df[column], errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise DataValidationError(source, f"column holds non-numbers ({exc})", column=column) from exc
    problems: list[tuple[int, str]] = []
    for i in np.flatnonzero(np.isnan(arr)):
        problems.append((i, "missing (NaN)"))
    for i in np.flatnonzero(np.isinf(arr)):
        problems.append((i, "infinite"))
    if kind == "weight":
        for i in np.flatnonzero(arr <= 0):
            problems.append((i, "zero or negative weight; every unit needs a positive weight"))
    else:
        for i in np.flatnonzero(arr < 0):
            problems.append((i, "negative value"))
        if not allow_zero:
            for i in np.flatnonzero(arr == 0):
                problems.append((i, "zero value (a logarithm is taken)"))
    if problems:
        problems.sort()
        cases = pd.DataFrame(
            {
                "file": source,
                "row": [df.index[i] for i, _ in problems],
                "column": column,
                "value": [arr[i] for i, _ in problems],
                "check": [why for _, why in problems],
            }
        )
        i, why = problems[0]
        raise DataValidationError(source, f"{why}: found {arr[i]}", row=f"index {_plain(df.index[i])!r}", column=column,
                                  failure_cases=cases)
    return arr


def theil_decomposition(
    df: pd.DataFrame,
    value: str,
    weight: str | None,
    group: str,
    index: TheilIndex = "T",
    *,
    source: str | None = None,
) -> TheilDecomposition:
    r"""Decompose Theil T or L over units into between- and within-group parts.

    With groups :math:`g` (e.g. provinces) of units :math:`i` (e.g. districts),
    population shares :math:`P_g`, group means :math:`\mu_g` and value shares
    :math:`S_g = P_g \mu_g / \mu`:

    .. math::

        T = \underbrace{\sum_g S_g \ln\frac{\mu_g}{\mu}}_{\text{between}}
            + \underbrace{\sum_g S_g T_g}_{\text{within}},
        \qquad
        L = \underbrace{\sum_g P_g \ln\frac{\mu}{\mu_g}}_{\text{between}}
            + \underbrace{\sum_g P_g L_g}_{\text{within}}

    (Shorrocks 1980, *Econometrica* 48(3); Cowell, *Measuring Inequality*, 3rd ed.,
    2011, ch. 3). The decomposition is exact.

    Parameters
    ----------
    df:
        One row per unit.
    value, weight, group:
        Column names: the value, the weight (``None`` for equal weights) and the group.
    index:
        ``"T"`` (Theil T, GE(1)) or ``"L"`` (Theil L / mean log deviation, GE(0)).
    source:
        A label (file name or data set id) used in error messages.

    Returns
    -------
    TheilDecomposition
    """
    if index not in get_args(TheilIndex):
        raise ParameterError(f"argument 'index' must be one of {list(get_args(TheilIndex))}; found {index!r}")
    _check_columns(df, {"value": value, "weight": weight, "group": group})
    if len(df) == 0:
        raise ParameterError("argument 'df' is empty: an inequality index needs at least one unit")
    y = _frame_numbers(df, value, source, kind="value", allow_zero=index == "T")
    w = np.ones(len(df)) if weight is None else _frame_numbers(df, weight, source, kind="weight")
    if not y.sum() > 0:
        raise DataValidationError(source, "every value is zero; inequality is undefined when the mean is zero",
                                  column=value)
    missing_group = np.flatnonzero(df[group].isna().to_numpy())
    if missing_group.size:
        raise DataValidationError(source, "unit without a group (missing value)",
                                  row=f"index {_plain(df.index[missing_group[0]])!r}", column=group)
    codes, labels = pd.factorize(df[group], sort=True)
    result = _decompose(y, w / w.sum(), codes, list(labels), index, group)
    result.by_group["weight"] = np.bincount(codes, weights=w, minlength=len(labels))
    return result


# ---------------------------------------------------------------------------
# the tidy table
# ---------------------------------------------------------------------------


def inequality_table(
    df: pd.DataFrame,
    value: str,
    weight: str | None,
    by: Sequence[str] = ("year",),
    group: str | None = None,
    *,
    unit: str | None = "unit_id",
    source: str | None = None,
) -> pd.DataFrame:
    """All indices for each cell of ``by`` (e.g. each year), one tidy row per cell.

    Parameters
    ----------
    df:
        One row per unit and ``by`` cell (e.g. district-year).
    value:
        Column with the non-negative per-capita value.
    weight:
        Column with the population weight; ``None`` for unweighted indices.
    by:
        Columns that define the cells (``[]`` for the whole table).
    group:
        Optional column of higher-level groups (e.g. province) for the Theil
        between/within decomposition.
    unit:
        Column naming the units; checked for duplicates within a cell and listed in
        ``units``. ``None`` to skip.
    source:
        A label (file name or data set id) used in error messages.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, then ``n_units``, ``units`` (sorted, ``"; "``-joined),
        ``total_weight``, ``mean`` (weighted), ``gini``, ``theil_t``, ``theil_l``,
        ``cv`` (**unweighted**, Williamson's :math:`V_{uw}`), ``williamson``
        (population-weighted CV; NaN when ``weight`` is None), ``max_min``; with
        ``group``: ``n_groups`` and, for ``t`` and ``l``, ``theil_{t,l}_between``,
        ``theil_{t,l}_within``, ``theil_{t,l}_between_share``; and ``undefined``,
        naming any index that is undefined in the cell (e.g. Theil L or max/min when
        a value is zero), whose column is NaN there.
    """
    by = list(by)
    _check_columns(df, {**{f"by[{k}]": c for k, c in enumerate(by)}, "value": value, "weight": weight,
                        "group": group, "unit": unit})
    if len(df) == 0:
        raise ParameterError("argument 'df' is empty: an inequality index needs at least one unit")
    y_all = _frame_numbers(df, value, source, kind="value")
    w_all = np.ones(len(df)) if weight is None else _frame_numbers(df, weight, source, kind="weight")
    if group is not None:
        missing_group = np.flatnonzero(df[group].isna().to_numpy())
        if missing_group.size:
            raise DataValidationError(source, "unit without a group (missing value)",
                                      row=f"index {_plain(df.index[missing_group[0]])!r}", column=group)
    if unit is not None:
        keys = [*by, unit]
        dup = df.duplicated(subset=keys, keep=False).to_numpy()
        if dup.any():
            rows = df.loc[dup, keys]
            cases = rows.assign(file=source, row=rows.index, check="unit appears more than once in its cell")
            first = rows.iloc[0]
            cell = {c: _plain(first[c]) for c in by}
            raise DataValidationError(
                source,
                f"unit {_plain(first[unit])!r} appears more than once in the cell {cell}; "
                "each unit must have one row per cell (aggregate it first)",
                row=f"index {_plain(rows.index[0])!r}", column=unit, failure_cases=cases,
            )

    positions = pd.Series(np.arange(len(df)), index=df.index)
    if by:
        grouped = positions.groupby([df[c] for c in by], dropna=False, sort=True)
        cells = [(key if isinstance(key, tuple) else (key,), sub.to_numpy()) for key, sub in grouped]
    else:
        cells = [((), positions.to_numpy())]
    rows = []
    for key, idx in cells:
        idx = np.asarray(idx, dtype=int)
        y, w = y_all[idx], w_all[idx]
        p = w / w.sum()
        row: dict[str, object] = dict(zip(by, key, strict=True))
        row["n_units"] = idx.size
        if unit is not None:
            row["units"] = "; ".join(sorted(map(str, df[unit].to_numpy()[idx])))
        row["total_weight"] = float(w.sum())
        row["mean"] = float(np.dot(p, y))
        undefined: list[str] = []
        if not y.sum() > 0:
            undefined.append("all indices: every value is zero")
            for col in ("gini", "theil_t", "theil_l", "cv", "williamson", "max_min"):
                row[col] = np.nan
        else:
            has_zero = bool((y == 0).any())
            row["gini"] = _gini(y, p)
            row["theil_t"] = _theil_t(y, p)
            row["theil_l"] = np.nan if has_zero else _theil_l(y, p)
            row["cv"] = _cv(y, np.full(y.size, 1.0 / y.size))
            row["williamson"] = np.nan if weight is None else _cv(y, p)
            row["max_min"] = np.nan if has_zero else float(y.max() / y.min())
            if has_zero:
                undefined.append("theil_l, max_min: a value is zero")
            if weight is None:
                undefined.append("williamson: no weight column")
        if group is not None:
            codes, labels = pd.factorize(df[group].to_numpy()[idx], sort=True)
            row["n_groups"] = len(labels)
            for name in ("T", "L"):
                col = f"theil_{name.lower()}"
                if np.isnan(row[col]):  # type: ignore[arg-type]
                    row[f"{col}_between"] = row[f"{col}_within"] = row[f"{col}_between_share"] = np.nan
                    continue
                dec = _decompose(y, p, codes, list(labels), name, group)  # type: ignore[arg-type]
                row[f"{col}_between"] = dec.between
                row[f"{col}_within"] = dec.within
                row[f"{col}_between_share"] = dec.between_share
        row["undefined"] = "; ".join(undefined)
        rows.append(row)
    return pd.DataFrame(rows)
