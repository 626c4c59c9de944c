"""Move counts between layouts and district sets, conserving totals.

* :func:`to_current_layout`: province figures of the pre-2018 layout to the current layout
  (FATA, ``PK-TA``, folds into Khyber Pakhtunkhwa, ``PK-KP``);
* :func:`to_provinces`: district, division or province figures to the provinces of a layout;
* :func:`to_stable`: district figures of any vintage to the stable district set;
* :func:`crosswalk_table`: the explicit mapping behind them.

Only counts are summed. A rate, share, percentage, ratio or average cannot be added across units:
recombine it from its numerator and denominator after the move (or weight it by population), never
average it. Columns whose names look like such measures are refused (:func:`looks_like_rate`).

Missing values: by default a sum over units is missing as soon as one of its parts is missing
(``missing="propagate"``), because a partial sum would pass for a total. ``missing="skip"`` adds
what is there (a group with no value at all stays missing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, get_args

import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import (
    COUNTRY_ID,
    DISTRICT_VINTAGES,
    LAYOUTS,
    Layout,
    Registry,
    UnknownUnitsError,
    load_registry,
)

Missing = Literal["propagate", "skip"]
Target = Literal["stable", "current", "pre2018"]

#: A word of a column name that marks a rate-like measure (words are split at every non-alphanumeric).
RATE_WORD = re.compile(r"^(?:[a-z]*rates?|[a-z]*ratios?|[a-z]*pct|shares?|percent(?:age)?s?|per|avg|average|mean|"
                       r"median|density|den|index|prop|proportion)$")
#: Words ending in "rate" that are counts, not rates (e.g. households with a separate toilet, literate persons).
NOT_RATE_WORDS = frozenset({"separate", "moderate", "literate", "illiterate", "accurate", "corporate", "desperate"})


def looks_like_rate(column: object) -> bool:
    """Whether a column name denotes a rate, share, ratio or average (which must not be summed).

    >>> [looks_like_rate(c) for c in ["Poverty Rate (%)", "sex_ratio", "deaths_per_100k", "toilet_separate"]]
    [True, True, True, False]
    """
    text = str(column).lower()
    if "%" in text:
        return True
    words = [w for w in re.split(r"[^0-9a-z]+", text) if w]
    return any(RATE_WORD.match(w) and w not in NOT_RATE_WORDS for w in words)


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _columns(df: pd.DataFrame, unit_col: str, value_cols: Sequence[str] | None, by: Sequence[str] | None,
             ) -> tuple[list[str], list[str]]:
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if unit_col not in df.columns:
        raise ParameterError(f"unit_col {unit_col!r} is not a column; columns are {list(df.columns)}")
    by_cols = list(by or [])
    if value_cols is None:
        raise ParameterError("value_cols: name the count columns to sum (e.g. ['events', 'deaths_best'])")
    values = [value_cols] if isinstance(value_cols, str) else list(value_cols)
    if not values:
        raise ParameterError("value_cols is empty: name at least one count column to sum")
    for name, cols in (("value_cols", values), ("by", by_cols)):
        absent = [c for c in cols if c not in df.columns]
        if absent:
            raise ParameterError(f"{name}: {absent} not in the frame; columns are {list(df.columns)}")
    overlap = set(values) & ({unit_col} | set(by_cols))
    if overlap:
        raise ParameterError(f"value_cols and unit_col/by share columns {sorted(overlap)}")
    rates = [c for c in values if looks_like_rate(c)]
    if rates:
        raise ParameterError(
            f"value_cols {rates} look like rates, shares, ratios or averages, which cannot be summed across "
            "units: move their numerator and denominator counts and recompute the rate afterwards (or weight by "
            "population). If a column is truly a count, rename it.")
    not_numeric = [c for c in values if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]
    if not_numeric:
        raise ParameterError(f"value_cols {not_numeric} are not numeric counts (dtypes "
                             f"{[str(df[c].dtype) for c in not_numeric]})")
    negative = [c for c in values if (df[c] < 0).any()]
    if negative:
        raise ParameterError(f"value_cols {negative} hold negative values; counts cannot be negative")
    return values, by_cols


def _known_ids(df: pd.DataFrame, unit_col: str, reg: Registry) -> pd.Series:
    ids = df[unit_col].astype("string")
    known = reg.mapping("level")
    bad = ids.isna() | ~ids.isin(known.keys())
    if bad.any():
        names = list(dict.fromkeys(ids[bad].fillna("<missing>")))
        rows = [ids[bad][ids[bad].fillna("<missing>") == n].index[0] for n in names]
        err = UnknownUnitsError("registry unit ids", [str(n) for n in names], rows=rows, column=unit_col)
        err.args = (str(err.args[0]).replace("Add it to data/geo/aliases.csv if it is a spelling of a known unit.",
                                             "Resolve place names to unit ids with Registry.resolve_series first."),)
        raise err
    return ids


def _sum(df: pd.DataFrame, keys: list[str], values: list[str], missing: Missing) -> pd.DataFrame:
    grouped = df.groupby(keys, sort=True, dropna=False)
    out = grouped[values].sum(min_count=1)
    if missing == "propagate":
        any_missing = df[values].isna().groupby([df[k] for k in keys], sort=True, dropna=False).any()
        out = out.mask(any_missing.reindex(out.index).fillna(False).astype(bool))
    for c in values:
        if pd.api.types.is_integer_dtype(df[c].dtype) and out[c].isna().any():
            out[c] = out[c].astype("Int64")
        elif pd.api.types.is_integer_dtype(df[c].dtype):
            out[c] = out[c].astype(df[c].dtype)
    return out.reset_index()


def _finish(out: pd.DataFrame, df: pd.DataFrame, by: list[str], unit_col: str, values: list[str]) -> pd.DataFrame:
    out = out[[*by, unit_col, *values]].reset_index(drop=True)
    out[unit_col] = out[unit_col].astype("string")
    out.attrs = dict(df.attrs)
    return out


def to_current_layout(df: pd.DataFrame, unit_col: str = "unit_id", value_cols: Sequence[str] | None = None,
                      by: Sequence[str] | None = None, *, registry: Registry | None = None,
                      missing: Missing = "propagate") -> pd.DataFrame:
    """Province figures of the pre-2018 layout in the current layout: ``PK-TA`` folds into ``PK-KP``.

    Parameters
    ----------
    df:
        One row per province (ISO code in ``unit_col``; a ``PK`` row for the country is kept as is)
        and ``by`` group, in the pre-2018 layout: ``PK-KP`` without FATA.
    value_cols:
        Count columns to sum.
    by:
        Grouping columns kept in the result (e.g. ``["year"]``).

    Returns
    -------
    DataFrame with ``by``, ``unit_col`` and ``value_cols``; totals per ``by`` group are unchanged.
    """
    _check_choice("missing", missing, get_args(Missing))
    values, by_cols = _columns(df, unit_col, value_cols, by)
    reg = registry or load_registry()
    ids = _known_ids(df, unit_col, reg)
    level = ids.map(reg.mapping("level"))
    wrong = ~level.isin(["province", "country"])
    if wrong.any():
        raise ParameterError(f"to_current_layout moves province figures; column {unit_col!r} holds "
                             f"{sorted(set(ids[wrong]))[:5]} (level {sorted(set(level[wrong]))}). Use to_provinces "
                             "to sum districts or divisions to provinces.")
    work = df[[*by_cols, *values]].copy()
    work[unit_col] = [u if u == COUNTRY_ID else reg.province_of(u, "current") for u in ids]
    return _finish(_sum(work, [*by_cols, unit_col], values, missing), df, by_cols, unit_col, values)


def to_provinces(df: pd.DataFrame, unit_col: str = "unit_id", value_cols: Sequence[str] | None = None,
                 by: Sequence[str] | None = None, layout: Layout = "current", *, registry: Registry | None = None,
                 missing: Missing = "propagate") -> pd.DataFrame:
    """Sum figures of districts (any vintage), divisions or provinces to the provinces of ``layout``.

    In ``pre2018``, units of a current vintage that hold a former Frontier Region count for
    Khyber Pakhtunkhwa (see ``former_fata`` in the registry): FATA totals need a pre-2018 vintage.
    """
    _check_choice("layout", layout, LAYOUTS)
    _check_choice("missing", missing, get_args(Missing))
    values, by_cols = _columns(df, unit_col, value_cols, by)
    reg = registry or load_registry()
    ids = _known_ids(df, unit_col, reg)
    work = df[[*by_cols, *values]].copy()
    work[unit_col] = [u if u == COUNTRY_ID else reg.province_of(u, layout) for u in ids]
    return _finish(_sum(work, [*by_cols, unit_col], values, missing), df, by_cols, unit_col, values)


def to_stable(df: pd.DataFrame, unit_col: str = "unit_id", value_cols: Sequence[str] | None = None,
              by: Sequence[str] | None = None, *, registry: Registry | None = None,
              missing: Missing = "propagate") -> pd.DataFrame:
    """Sum district figures of any vintage (or mixed vintages) to the stable district set.

    Each row's unit must be a district-level unit (or a division that lies in one stable unit,
    such as ``division/karachi``); provinces, the country and placeholders are refused. Rows of
    different vintages that describe the same place would be double counted: pass one vintage's
    figures per ``by`` group.

    Returns
    -------
    DataFrame with ``by``, ``unit_col`` (now stable ids) and ``value_cols``.
    """
    _check_choice("missing", missing, get_args(Missing))
    values, by_cols = _columns(df, unit_col, value_cols, by)
    reg = registry or load_registry()
    ids = _known_ids(df, unit_col, reg)
    stable = ids.map(reg.mapping("stable_id"))
    no_stable = stable.isna() | stable.eq("")
    if no_stable.any():
        bad = list(dict.fromkeys(ids[no_stable]))
        levels = reg.mapping("level")
        detail = "; ".join(f"{u} ({reg.name(u)}, {levels[u]})" for u in bad[:5])
        raise ParameterError(f"column {unit_col!r}: {len(bad)} units lie in no single stable unit: {detail}. Only "
                             "districts (and divisions inside one stable unit) can move to the stable set; keep "
                             "province or country rows apart, and drop placeholder units such as Data4Pakistan's "
                             "'Jammu & Kashmir'.")
    work = df[[*by_cols, *values]].copy()
    work[unit_col] = stable.to_numpy()
    return _finish(_sum(work, [*by_cols, unit_col], values, missing), df, by_cols, unit_col, values)


def crosswalk_table(from_vintage: str, to: Target = "stable", *, registry: Registry | None = None) -> pd.DataFrame:
    """The explicit mapping from the districts of ``from_vintage`` to the stable set or to provinces.

    Parameters
    ----------
    from_vintage:
        ``census2017``, ``census2023``, ``cod2022``, ``gb2019``, ``d4p`` or ``stable``; or
        ``province`` (with ``to="current"``: the pre-2018 to current province mapping).
    to:
        ``stable`` (the stable unit), ``current`` or ``pre2018`` (the province in that layout).

    Returns
    -------
    DataFrame ``from_unit_id, from_name, to_unit_id, to_name`` (one row per unit of ``from_vintage``).
    """
    _check_choice("from_vintage", from_vintage, (*DISTRICT_VINTAGES, "province"))
    _check_choice("to", to, get_args(Target))
    reg = registry or load_registry()
    if from_vintage == "province":
        if to == "stable":
            raise ParameterError("provinces have no stable unit; use to='current' or to='pre2018'")
        src = reg.units[reg.units["level"].eq("province")]
    else:
        src = reg.districts(from_vintage)  # type: ignore[arg-type]
    target = src["stable_id"] if to == "stable" else src[f"province_{to}"]
    out = pd.DataFrame({"from_unit_id": src["unit_id"].to_numpy(), "from_name": src["name"].to_numpy(),
                        "to_unit_id": target.to_numpy()})
    out["to_name"] = out["to_unit_id"].map(reg.mapping("name"))
    return out.astype("string")
