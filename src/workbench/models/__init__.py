"""Count models of the drivers of violence on the district-year panel.

NISP 2018 asserts that regional inequality (D3) and youth alienation (D1) drive insecurity. This
package estimates how UCDP violence per district-year lines up with district poverty
(Data4Pakistan), census-2023 deprivation and youth, honestly: each covariate carries the year it
was measured, a covariate measured after the outcome is flagged and refused as a lagged cause,
time-invariant covariates are refused with district fixed effects, and every row left out is
reported with its reason. See ``docs/models.md``.

The names below load on first use (PEP 562): importing ``workbench.models.options`` (the
run's pre-flight checks a model specification) does not import statsmodels.

Public API
----------
negative_binomial, poisson
    District-year count models (log-population offset, year and province or district fixed
    effects, standard errors clustered by district, overdispersion tests).
province_association
    The province-level variant: descriptive only.
robustness_grid, GRID_DIMENSIONS
    The model re-estimated over deaths estimate, type of violence, former FATA, lag, period and
    (optionally) the neighbours' violence; the panel is prepared once (``prepare``) and reused.
coefficient_plot, compare
    Incidence-rate ratios with intervals across a grid or several models (seaborn).
covariate_coverage
    What each covariate covers (source, years measured, units with a value).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: Each public name and the module it lives in.
_HOMES: dict[str, str] = {
    "Design": "design", "PreparedPanel": "design", "build_design": "design", "covariate_coverage": "design",
    "drop_all_zero_groups": "design", "lagged": "design", "measured_before": "design",
    "neighbours_lagged": "design", "prepare": "design",
    "COEFFICIENT_COLUMNS": "estimators", "ModelResult": "estimators", "compare": "estimators",
    "interpret": "estimators", "negative_binomial": "estimators", "options_of": "estimators",
    "poisson": "estimators", "province_association": "estimators",
    "cameron_trivedi": "fit",
    "COVARIATES": "options", "ModelFitError": "options", "Specification": "options",
    "coefficient_plot": "plot",
    "CELL_COLUMNS": "robustness", "GRID_DIMENSIONS": "robustness", "grid_cells": "robustness",
    "robustness_grid": "robustness",
}

__all__ = sorted(_HOMES)

if TYPE_CHECKING:
    from workbench.models.design import (
        Design,
        PreparedPanel,
        build_design,
        covariate_coverage,
        drop_all_zero_groups,
        lagged,
        measured_before,
        neighbours_lagged,
        prepare,
    )
    from workbench.models.estimators import (
        COEFFICIENT_COLUMNS,
        ModelResult,
        compare,
        interpret,
        negative_binomial,
        options_of,
        poisson,
        province_association,
    )
    from workbench.models.fit import cameron_trivedi
    from workbench.models.options import COVARIATES, ModelFitError, Specification
    from workbench.models.plot import coefficient_plot
    from workbench.models.robustness import CELL_COLUMNS, GRID_DIMENSIONS, grid_cells, robustness_grid


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})
