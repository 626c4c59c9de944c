"""Count models of the drivers of violence on the district-year panel.

NISP 2018 asserts that regional inequality (D3) and youth alienation (D1) drive insecurity. This
package estimates how UCDP violence per district-year lines up with district poverty
(Data4Pakistan), census-2023 deprivation and youth, honestly: each covariate carries the year it
was measured, a covariate measured after the outcome is flagged and refused as a lagged cause,
time-invariant covariates are refused with district fixed effects, and every row left out is
reported with its reason. See ``docs/models.md``.

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

__all__ = [
    "CELL_COLUMNS", "COEFFICIENT_COLUMNS", "COVARIATES", "GRID_DIMENSIONS", "Design", "ModelFitError", "ModelResult",
    "PreparedPanel",
    "Specification", "build_design", "cameron_trivedi", "coefficient_plot", "compare", "covariate_coverage",
    "drop_all_zero_groups", "grid_cells", "interpret", "lagged", "measured_before", "negative_binomial",
    "neighbours_lagged", "options_of",
    "poisson", "prepare", "province_association", "robustness_grid",
]
