"""The robustness grid: one model re-estimated over the choices an analyst could reasonably make.

Dimensions (:data:`GRID_DIMENSIONS`):

* ``deaths_estimate``: UCDP best, low, high (outcome ``deaths`` with all types of violence only:
  the panels split deaths by type for the best estimate alone);
* ``violence_type``: all, state-based, non-state, one-sided;
* ``exclude_former_fata``: with and without former FATA;
* ``lag``: lag length of the lagged covariates and the lagged outcome;
* ``period``: the base period and its parts before and after a split year (2014 by default),
  each with the covariates available in it (a lagged cause measured after every outcome year of
  a period is refused for that cell, and the cell says so);
* ``neighbour_violence``: with and without the neighbours' violence of the previous year (the
  spatial lag), only when asked for (``spatial_lag=True``); otherwise it stays as the base has it.

The panel is prepared once (:class:`~workbench.models.design.PreparedPanel`: the layout's rows,
the lagged columns and the neighbours' violence) and every cell reuses it.

``grid="reduced"`` (the default report) varies one dimension at a time around the base model;
``grid="full"`` estimates every valid combination (minutes). A cell that cannot be estimated is
kept with ``status`` ``refused`` and the reason, never silently left out.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Literal

import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import load_registry
from workbench.models.design import prepare
from workbench.models.estimators import COEFFICIENT_COLUMNS, negative_binomial, poisson
from workbench.models.options import (
    DEATHS_ESTIMATES,
    MAX_LAG,
    VIOLENCE_TYPE_CHOICES,
    ModelFitError,
    check_choice,
)

Grid = Literal["reduced", "full"]
GRIDS: tuple[str, ...] = ("reduced", "full")
GRID_DIMENSIONS: tuple[str, ...] = ("deaths_estimate", "violence_type", "exclude_former_fata", "lag", "period",
                                     "neighbour_violence")
CELL_COLUMNS = ["cell", "label", "varied", "is_base", *GRID_DIMENSIONS, "status", "message"]
_BASE_DEFAULTS = {"outcome": "deaths", "deaths_estimate": "best", "violence_type": "all", "exclude_former_fata": False,
                  "lag": 1, "start_year": 1998, "end_year": 2021, "neighbour_violence": False}


def _period(start: int, end: int) -> str:
    return f"{start}" if start == end else f"{start}-{end}"


def _label(cell: dict, base: dict) -> str:
    parts = []
    if cell["deaths_estimate"] != base["deaths_estimate"]:
        parts.append(f"deaths: {cell['deaths_estimate']}")
    if cell["violence_type"] != base["violence_type"]:
        parts.append(f"type: {cell['violence_type'].replace('_', '-')}")
    if cell["exclude_former_fata"] != base["exclude_former_fata"]:
        parts.append("without former FATA" if cell["exclude_former_fata"] else "with former FATA")
    if cell["lag"] != base["lag"]:
        parts.append(f"lag {cell['lag']}")
    if cell["period"] != base["period"]:
        parts.append(cell["period"])
    if cell["neighbour_violence"] != base["neighbour_violence"]:
        parts.append(f"with neighbours' violence (t-{cell['lag']})" if cell["neighbour_violence"]
                     else "without neighbours' violence")
    return ", ".join(parts) or "base"


def grid_cells(base: dict, *, grid: Grid = "reduced", lags: Sequence[int] = (1, 2, 3),
               split_year: int = 2014, spatial_lag: bool = False) -> list[dict]:
    """The cells of a grid around ``base`` (keyword options of the estimator), base first.

    Each cell is a dict with the dimensions (``period`` as ``"start-end"``) and ``varied``.
    Invalid combinations (low/high deaths by type of violence) are not cells. With
    ``spatial_lag`` the neighbours' violence is varied too (with and without).
    """
    check_choice("grid", grid, GRIDS)
    b = {**_BASE_DEFAULTS, **base}
    start, end = int(b["start_year"]), int(b["end_year"])
    if isinstance(split_year, bool) or not isinstance(split_year, int):
        raise ParameterError(f"argument 'split_year' must be a year; found {split_year!r}")
    bad_lags = [x for x in lags if isinstance(x, bool) or not isinstance(x, int) or not 1 <= x <= MAX_LAG]
    if bad_lags or not lags:
        raise ParameterError(f"argument 'lags' must be a non-empty list of whole numbers 1-{MAX_LAG}; found "
                             f"{list(lags)!r}")
    periods = [_period(start, end)]
    if start <= split_year < end:
        periods += [_period(start, split_year), _period(split_year + 1, end)]
    base_cell = {"deaths_estimate": b["deaths_estimate"], "violence_type": b["violence_type"],
                 "exclude_former_fata": b["exclude_former_fata"], "lag": b["lag"], "period": periods[0],
                 "neighbour_violence": b["neighbour_violence"]}
    deaths = b["outcome"] == "deaths"
    values = {
        "deaths_estimate": list(DEATHS_ESTIMATES) if deaths else [b["deaths_estimate"]],
        "violence_type": list(VIOLENCE_TYPE_CHOICES),
        "exclude_former_fata": [False, True],
        "lag": sorted({*lags, b["lag"]}),
        "period": periods,
        "neighbour_violence": [b["neighbour_violence"], not b["neighbour_violence"]] if spatial_lag
        else [b["neighbour_violence"]],
    }

    def valid(c: dict) -> bool:
        return not (deaths and c["deaths_estimate"] != "best" and c["violence_type"] != "all")

    cells = [{**base_cell, "varied": "base"}]
    if grid == "reduced":
        for dim in GRID_DIMENSIONS:
            for v in values[dim]:
                c = {**base_cell, dim: v, "varied": dim}
                if v != base_cell[dim] and valid(c):
                    cells.append(c)
    else:
        for combo in itertools.product(*(values[d] for d in GRID_DIMENSIONS)):
            c = dict(zip(GRID_DIMENSIONS, combo, strict=True))
            if c != base_cell and valid(c):
                changed = [d for d in GRID_DIMENSIONS if c[d] != base_cell[d]]
                cells.append({**c, "varied": "+".join(changed)})
    return cells


def robustness_grid(panel: pd.DataFrame, *, grid: Grid = "reduced", estimator: Literal["negative_binomial", "poisson"]
                    = "negative_binomial", lags: Sequence[int] = (1, 2, 3), split_year: int = 2014,
                    registry=None, progress: Callable[[int, int, str], None] | None = None,
                    spatial_lag: bool = False, neighbours=None, **base) -> pd.DataFrame:
    """Re-estimate a model over the robustness grid: one tidy table.

    Parameters
    ----------
    panel:
        The district drivers panel.
    grid:
        ``reduced`` (one dimension at a time; the default report) or ``full`` (every valid
        combination; minutes).
    estimator:
        ``negative_binomial`` or ``poisson``.
    lags:
        Lag lengths tried.
    split_year:
        The periods tried are the base period and its parts up to and after this year.
    progress:
        Called as ``progress(i, n, label)`` before each cell.
    spatial_lag:
        Add the cells with (and without) the neighbours' violence of t-lag, the spatial lag.
    neighbours:
        ``unit_id -> neighbouring unit_ids`` for the spatial lag (default: Queen contiguity of the
        panel's district set).
    **base:
        The base model's options (as for :func:`~workbench.models.negative_binomial`).

    Returns
    -------
    DataFrame
        :data:`CELL_COLUMNS` then the coefficient columns, one row per cell and term; a refused
        cell has one row with ``status`` ``refused`` and the reason in ``message``. Each cell's
        full notes (rows left out, covariates measured after the outcome) are those of the
        estimator with the cell's options: re-run it to see them.
    """
    check_choice("estimator", estimator, ("negative_binomial", "poisson"))
    dims = set(GRID_DIMENSIONS) - {"period"}
    unknown = set(base) - {"outcome", "covariates", "lagged_covariates", "lagged_violence", "unit_effects",
                           "year_effects", "start_year", "end_year", "layout", "standard_errors", "ci_level",
                           *dims}
    if unknown:
        raise ParameterError(f"robustness_grid: unknown base option(s) {sorted(unknown)}")
    fit = negative_binomial if estimator == "negative_binomial" else poisson
    b = {**_BASE_DEFAULTS, **base}
    cells = grid_cells(b, grid=grid, lags=lags, split_year=split_year, spatial_lag=spatial_lag)
    prepared = prepare(panel, neighbours)
    if registry is None and any(c["exclude_former_fata"] for c in cells):
        registry = load_registry()
    base_cell = cells[0]
    parts = []
    for i, cell in enumerate(cells):
        label = _label(cell, base_cell)
        if progress:
            progress(i, len(cells), label)
        start, end = int(cell["period"].split("-")[0]), int(cell["period"].split("-")[-1])
        options = {**b, **{k: cell[k] for k in dims}, "start_year": start, "end_year": end}
        head = {"cell": i, "label": label, "varied": cell["varied"], "is_base": i == 0,
                **{d: cell[d] for d in GRID_DIMENSIONS}}
        try:
            res = fit(prepared, registry=registry, **options)
        except (ParameterError, ModelFitError) as exc:
            parts.append(pd.DataFrame([{**head, "status": "refused", "message": str(exc)}]))
            continue
        parts.append(res.coefficients.assign(**head, status="ok", message=""))
    out = pd.concat(parts, ignore_index=True)
    out = out.reindex(columns=[*CELL_COLUMNS, *[c for c in COEFFICIENT_COLUMNS if c not in CELL_COLUMNS]])
    for c in ("n", "units", "clusters", "units_dropped", "rows_dropped", "rows_measured_after_outcome"):
        out[c] = pd.array(out[c].round(), dtype="Int64")
    out.attrs["sources"] = list(panel.attrs.get("sources", []))
    out.attrs["grid"] = grid
    return out
