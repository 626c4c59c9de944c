"""The public estimators: one function per estimator, tidy output.

* :func:`negative_binomial` and :func:`poisson`: district-year count models;
* :func:`province_association`: the same model on the province-year panel, descriptive only.

Each returns a :class:`ModelResult` whose ``coefficients`` frame has one row per reported term
(covariates, lagged outcome, NB2 ``alpha``) with the estimate, the incidence-rate ratio and its
confidence interval, the p-value, the number of rows, units and clusters, the period, how many
units were left out, the specification in words, and when each covariate was measured.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.stats

from workbench.errors import ParameterError
from workbench.models.design import Design, PreparedPanel, build_design, prepare
from workbench.models.fit import Fit, fit_negative_binomial, fit_poisson, overdispersion_table
from workbench.models.options import (
    ESTIMATORS,
    FEW_CLUSTERS,
    DeathsEstimate,
    Estimator,
    Layout,
    Outcome,
    Specification,
    StandardErrors,
    UnitEffects,
    ViolenceType,
    check_choice,
)
from workbench.sources.ucdp_panels import LAST_YEAR

COEFFICIENT_COLUMNS = [
    "model", "outcome", "term", "covariate", "role", "estimate", "std_error", "z", "p_value", "ci_low", "ci_high",
    "irr", "irr_ci_low", "irr_ci_high", "per", "measured", "measurement_age", "measured_after_outcome",
    "rows_measured_after_outcome", "n", "units", "clusters", "period", "units_dropped", "rows_dropped",
    "inference", "specification", "covariate_source",
]


@dataclass
class ModelResult:
    """A fitted model, as tidy frames.

    Attributes
    ----------
    coefficients:
        One row per reported term (:data:`COEFFICIENT_COLUMNS`); fixed effects and the constant
        are absorbed and not listed. ``attrs["sources"]`` carries the panel's catalog ids.
    diagnostics:
        One row per statistic: log-likelihood, AIC, alpha, the overdispersion tests, convergence.
    dropped:
        Rows of the layout left out, by unit and reason (see :class:`~workbench.models.design.Design`).
    notes:
        What the output cannot show by itself (exclusions, covariates measured after the outcome,
        few clusters, a descriptive-only model).
    specification:
        The options, and the model in words (``specification_text``).
    design:
        The rows and matrices that were fitted (for checks).
    """

    specification: Specification
    specification_text: str
    coefficients: pd.DataFrame
    diagnostics: pd.DataFrame
    dropped: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    design: Design | None = None
    fit: Fit | None = None

    def __repr__(self) -> str:
        cols = ["term", "irr", "irr_ci_low", "irr_ci_high", "p_value"]
        return (f"ModelResult({self.specification_text})\n"
                f"{self.coefficients[cols].to_string(index=False)}\n" + "\n".join(f"* {n}" for n in self.notes))


# --------------------------------------------------------------------------- the text of a specification

def describe(design: Design) -> str:
    """The model in one line, e.g. ``NB2: deaths (best estimate, all types) ~ ... ; SE clustered by district``."""
    s = design.spec
    name = {"negative_binomial": "negative binomial (NB2)", "poisson": "Poisson"}[s.estimator]
    rhs = [t.term + ("" if "lag" in t.role else " [as measured]") for t in design.terms]
    fe = []
    if s.year_effects:
        fe.append("year FE")
    if s.unit_effects != "none":
        fe.append(f"{s.unit_effects} FE")
    rhs += fe
    units = {"stable": "stable districts", "census2023": "2023 districts", "province": "provinces"}[design.district_set]
    se = ("none (descriptive)" if s.level == "province" else
          "clustered by district" if s.standard_errors == "cluster" else "model-based")
    extra = ", former FATA excluded" if s.exclude_former_fata else ""
    return (f"{name}: {s.outcome_label} ~ {' + '.join(rhs) or '1'}, offset log(population); {units}, {s.layout} "
            f"layout{extra}, {s.start_year}-{s.end_year} requested ({design.period} used); SE {se}")


def _tidy(design: Design, fit: Fit, inference_text: str, ci_level: float) -> pd.DataFrame:
    s = design.spec
    zcrit = float(scipy.stats.norm.ppf(0.5 + ci_level / 2))
    level_rows = design.dropped[design.dropped["unit_level"].eq("district" if s.level == "district" else "province")]
    kept = set(zip(design.sample["unit_id"], design.sample["province"], strict=True))
    units_dropped = len(set(zip(level_rows["unit_id"], level_rows["province"], strict=True)) - kept)
    rows_dropped = int(level_rows["rows"].sum())
    rows = []
    spec_text = describe(design)
    for t in design.terms:
        rows.append({"term": t.term, "covariate": t.covariate, "role": t.role, "column": t.column, "per": t.per,
                     "measured": t.measured, "measurement_age": t.measurement_age,
                     "rows_measured_after_outcome": t.rows_measured_after_outcome, "covariate_source": t.source})
    if fit.estimator == "negative_binomial":
        rows.append({"term": "alpha", "covariate": "alpha", "role": "dispersion: Var(y) = mu + alpha * mu^2",
                     "column": "alpha", "per": "", "measured": "", "measurement_age": "",
                     "rows_measured_after_outcome": 0, "covariate_source": ""})
    out = pd.DataFrame(rows, columns=["term", "covariate", "role", "column", "per", "measured", "measurement_age",
                                      "rows_measured_after_outcome", "covariate_source"])
    out["estimate"] = [float(fit.params[c]) for c in out["column"]]
    if fit.cov is not None:
        se = np.sqrt(np.array([float(fit.cov.loc[c, c]) for c in out["column"]]))
    else:
        se = np.full(len(out), np.nan)
    out["std_error"] = se
    out["z"] = out["estimate"] / out["std_error"]
    out["p_value"] = 2 * scipy.stats.norm.sf(np.abs(out["z"]))
    is_alpha = out["term"].eq("alpha")
    # alpha > 0 is tested on the boundary: a Wald p-value means little, the LR test is in diagnostics
    out.loc[is_alpha, ["z", "p_value"]] = np.nan
    out["ci_low"] = out["estimate"] - zcrit * out["std_error"]
    out["ci_high"] = out["estimate"] + zcrit * out["std_error"]
    out["irr"] = np.where(is_alpha, np.nan, np.exp(out["estimate"]))
    out["irr_ci_low"] = np.where(is_alpha, np.nan, np.exp(out["ci_low"]))
    out["irr_ci_high"] = np.where(is_alpha, np.nan, np.exp(out["ci_high"]))
    out["measured_after_outcome"] = out["rows_measured_after_outcome"] > 0
    out["model"] = s.estimator
    out["outcome"] = s.outcome_label
    out["n"] = len(design.y)
    out["units"] = design.n_units
    out["clusters"] = design.n_clusters if fit.cov_type == "cluster" else np.nan
    out["period"] = design.period
    out["units_dropped"] = units_dropped
    out["rows_dropped"] = rows_dropped
    out["inference"] = inference_text
    out["specification"] = spec_text
    return out[COEFFICIENT_COLUMNS]


def _diagnostics(design: Design, fit: Fit) -> pd.DataFrame:
    k = len(fit.params)
    rows = [
        ("rows (n)", len(design.y), ""),
        ("units", design.n_units, "provinces" if design.spec.level == "province" else
         "districts" if design.spec.layout == "current" else "districts (a district split by UCDP's FATA coding "
         "counts as two parts)"),
        ("clusters", design.n_clusters, "districts" if design.spec.level == "district" else "provinces"),
        ("parameters", k, ", ".join(f"{v} {n} levels" for n, v in design.fixed_effects.items())),
        ("log-likelihood", fit.llf, ""),
        ("AIC", 2 * k - 2 * fit.llf, ""),
        ("Poisson log-likelihood", fit.poisson_llf, "same design, Poisson"),
        ("converged", bool(fit.converged), f"{fit.iterations} iterations"),
        ("outcome total", float(design.y.sum()), design.spec.outcome_label),
    ]
    if fit.estimator == "negative_binomial":
        rows.append(("alpha", float(fit.params["alpha"]), "NB2 dispersion: Var(y) = mu + alpha * mu^2"))
    d = pd.DataFrame(rows, columns=["statistic", "value", "note"])
    d["value"] = d["value"].astype(object)
    od = overdispersion_table(design, fit)
    od_rows = pd.DataFrame({"statistic": [f"overdispersion: {t}" for t in od["test"]],
                            "value": od["statistic"].astype(object),
                            "note": [f"p = {p:.3g}; estimate {e:.4g}; {r}" for p, e, r in
                                     zip(od["p_value"], od["estimate"], od["reading"], strict=True)]})
    return pd.concat([d, od_rows], ignore_index=True)


def _run(panel: pd.DataFrame | PreparedPanel, spec: Specification, registry, ci_level: float,
         inference: bool) -> ModelResult:
    panel = prepare(panel)
    if isinstance(ci_level, bool) or not isinstance(ci_level, float | int) or not 0.5 <= float(ci_level) < 1:
        raise ParameterError(f"argument 'ci_level' must be a number in [0.5, 1); found {ci_level!r}")
    former = None
    if spec.exclude_former_fata:
        if registry is None:
            from workbench.geo.units import load_registry

            registry = load_registry()
        units = registry.units
        former = dict(zip(units["unit_id"].astype(str), units["former_fata"].astype(str), strict=True))
    design = build_design(panel, spec, former_fata=former)
    fit = (fit_negative_binomial if spec.estimator == "negative_binomial" else fit_poisson)(design, inference=inference)
    notes = list(design.notes)
    if not inference:
        inference_text = (f"none: descriptive, {design.n_units} provinces (4-8 units cannot support inference; "
                          "no standard errors, intervals or p-values)")
        notes.insert(0, f"Descriptive, not inferential: {design.n_units} provinces. With 4-8 units no standard error "
                        "is credible, so none is given; the estimates only describe how violence and the covariates "
                        "line up across these units.")
    elif fit.cov_type == "cluster":
        inference_text = f"cluster-robust by district ({design.n_clusters} clusters), normal approximation"
        if design.n_clusters < FEW_CLUSTERS:
            inference_text += "; few clusters: unreliable"
    else:
        inference_text = "model-based (assumes independent district-years: too optimistic for panels)"
    coefs = _tidy(design, fit, inference_text, float(ci_level))
    sources = list(panel.attrs.get("sources", []))
    for f in (coefs, design.dropped):
        f.attrs["sources"] = sources
    diag = _diagnostics(design, fit)
    diag.attrs["sources"] = sources
    return ModelResult(spec, describe(design), coefs, diag, design.dropped, notes, design, fit)


def _spec(estimator: str, level: str, **options) -> Specification:
    covs = options.pop("covariates")
    lagged_covs = options.pop("lagged_covariates")
    for name, value in (("covariates", covs), ("lagged_covariates", lagged_covs)):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise ParameterError(f"argument {name!r} must be a list of covariate names; found {value!r}")
    return Specification(estimator=estimator, level=level, covariates=tuple(covs),  # type: ignore[arg-type]
                         lagged_covariates=tuple(lagged_covs), **options)


def negative_binomial(
    panel: pd.DataFrame,
    *,
    outcome: Outcome = "deaths",
    deaths_estimate: DeathsEstimate = "best",
    violence_type: ViolenceType = "all",
    covariates: Sequence[str] = (),
    lagged_covariates: Sequence[str] = (),
    lag: int = 1,
    lagged_violence: bool = True,
    unit_effects: UnitEffects = "province",
    year_effects: bool = True,
    start_year: int = 1998,
    end_year: int = LAST_YEAR,
    layout: Layout = "current",
    exclude_former_fata: bool = False,
    standard_errors: StandardErrors = "cluster",
    neighbour_violence: bool = False,
    ci_level: float = 0.95,
    registry=None,
) -> ModelResult:
    """Negative binomial (NB2) count model of violence per district-year, log-population offset.

    ``log E[y_it] = log(pop_it) + b'x_it + year_t + province_p (or district_i)``, with
    ``Var(y) = mu + alpha mu^2`` and ``alpha`` estimated by maximum likelihood.

    Parameters
    ----------
    panel:
        A district drivers panel: ``read_processed("drivers_district_year_stable")`` (the set to
        model over time) or ``..._census2023``; or :func:`~workbench.models.prepare` of one, to
        reuse the work shared by several specifications (the robustness grid does).
    outcome, deaths_estimate, violence_type:
        ``events`` or ``deaths``; for deaths the UCDP ``best``, ``low`` or ``high`` estimate; the
        type of violence (``all``, ``state_based``, ``non_state``, ``one_sided``). The panels split
        deaths by type for the best estimate only: another combination is refused.
    covariates:
        Covariates entered as measured, for an association: each row takes the panel's value for
        the outcome year (Data4Pakistan: the latest measurement at or before it, else the earliest
        after it). A value measured after the outcome year (every census-2023 measure for violence
        up to 2021) is flagged in ``measured_after_outcome``.
    lagged_covariates:
        Covariates entered as lagged causes: the latest measurement at or before ``t - lag``.
        Rows without such a measurement are left out (reported); a covariate measured after every
        outcome year (any census-2023 measure) is refused.
    lag:
        Years of lag (1-5) for ``lagged_covariates`` and the lagged outcome.
    lagged_violence:
        Add ``log(1 + y_{t-lag})`` of the same outcome.
    unit_effects:
        ``province`` (default), ``district`` or ``none``. With district effects a covariate that does
        not vary within districts (every census-2023 measure) is not identified: refused with an
        error. Groups of a fixed effect with no outcome in the whole period are left out and reported.
    year_effects:
        Year fixed effects.
    start_year, end_year:
        Outcome years (the panel has population from 1998; earlier years are left out, reported).
    layout:
        ``current`` (FATA in Khyber Pakhtunkhwa) or ``pre2018`` (FATA a province of its own).
    exclude_former_fata:
        Leave out former FATA (current layout: the seven agencies and the six districts that
        absorbed a Frontier Region; pre2018: the FATA rows).
    standard_errors:
        ``cluster`` (by district, default) or ``model``.
    neighbour_violence:
        Add the spatial lag ``log(1 + mean of y_{t-lag} over the Queen-contiguous districts)``, so
        that spill-over from neighbours is set against the local covariates (an association: it
        cannot separate spill-over from shared regional causes; ``docs/models.md``).
    ci_level:
        Confidence level of the intervals.
    registry:
        A unit registry (default: the committed one), for ``exclude_former_fata``.

    Returns
    -------
    ModelResult

    Raises
    ------
    ParameterError
        A bad option or combination (named, with the allowed values).
    ModelFitError
        Nothing left to fit, or no convergence.

    Examples
    --------
    >>> from workbench.store import read_processed  # doctest: +SKIP
    >>> res = negative_binomial(read_processed("drivers_district_year_stable"),  # doctest: +SKIP
    ...                         lagged_covariates=["d4p_poverty_pct"], covariates=["youth_bulge_15_24"])
    >>> res.coefficients[["term", "irr", "irr_ci_low", "irr_ci_high", "p_value"]]  # doctest: +SKIP
    """
    spec = _spec("negative_binomial", "district", outcome=outcome, deaths_estimate=deaths_estimate,
                 violence_type=violence_type, covariates=covariates, lagged_covariates=lagged_covariates, lag=lag,
                 lagged_violence=lagged_violence, unit_effects=unit_effects, year_effects=year_effects,
                 start_year=start_year, end_year=end_year, layout=layout, exclude_former_fata=exclude_former_fata,
                 standard_errors=standard_errors, neighbour_violence=neighbour_violence)
    return _run(panel, spec, registry, ci_level, inference=True)


def poisson(
    panel: pd.DataFrame,
    *,
    outcome: Outcome = "deaths",
    deaths_estimate: DeathsEstimate = "best",
    violence_type: ViolenceType = "all",
    covariates: Sequence[str] = (),
    lagged_covariates: Sequence[str] = (),
    lag: int = 1,
    lagged_violence: bool = True,
    unit_effects: UnitEffects = "province",
    year_effects: bool = True,
    start_year: int = 1998,
    end_year: int = LAST_YEAR,
    layout: Layout = "current",
    exclude_former_fata: bool = False,
    standard_errors: StandardErrors = "cluster",
    neighbour_violence: bool = False,
    ci_level: float = 0.95,
    registry=None,
) -> ModelResult:
    """Poisson count model of violence per district-year, log-population offset (for comparison).

    Same options and output as :func:`negative_binomial`; ``Var(y) = mu`` is assumed, which
    violence counts break badly (see the overdispersion tests in ``diagnostics``). With
    cluster-robust standard errors the Poisson estimates stay consistent for the mean when the
    variance is wrong (quasi-maximum likelihood), so they are a useful check on NB2.
    """
    spec = _spec("poisson", "district", outcome=outcome, deaths_estimate=deaths_estimate,
                 violence_type=violence_type, covariates=covariates, lagged_covariates=lagged_covariates, lag=lag,
                 lagged_violence=lagged_violence, unit_effects=unit_effects, year_effects=year_effects,
                 start_year=start_year, end_year=end_year, layout=layout, exclude_former_fata=exclude_former_fata,
                 standard_errors=standard_errors, neighbour_violence=neighbour_violence)
    return _run(panel, spec, registry, ci_level, inference=True)


def province_association(
    panel: pd.DataFrame,
    *,
    estimator: Estimator = "negative_binomial",
    outcome: Outcome = "deaths",
    deaths_estimate: DeathsEstimate = "best",
    violence_type: ViolenceType = "all",
    covariates: Sequence[str] = (),
    lagged_covariates: Sequence[str] = (),
    lag: int = 1,
    lagged_violence: bool = False,
    unit_effects: UnitEffects = "none",
    year_effects: bool = True,
    start_year: int = 1998,
    end_year: int = LAST_YEAR,
    layout: Layout = "current",
) -> ModelResult:
    """The count model on the province-year panel: descriptive, not inferential.

    Pakistan has 4-8 provinces and territories (5-6 with population): too few units for any
    standard error, so none is given (``std_error``, intervals and p-values are missing and
    ``inference`` says why). Covariates of provinces (``mpi_headcount_pct`` 2014/15, census
    2023 youth and deprivation) are time-invariant, so ``unit_effects`` is ``none`` by default
    and ``province`` refuses them. Options as in :func:`negative_binomial`.
    """
    check_choice("estimator", estimator, ESTIMATORS)
    spec = _spec(estimator, "province", outcome=outcome, deaths_estimate=deaths_estimate,
                 violence_type=violence_type, covariates=covariates, lagged_covariates=lagged_covariates, lag=lag,
                 lagged_violence=lagged_violence, unit_effects=unit_effects, year_effects=year_effects,
                 start_year=start_year, end_year=end_year, layout=layout, exclude_former_fata=False,
                 standard_errors="model")
    return _run(panel, spec, None, 0.95, inference=False)


def options_of(result: ModelResult) -> Mapping[str, object]:
    """The keyword arguments that reproduce a result's specification."""
    s = result.specification
    return {k: getattr(s, k) for k in ("outcome", "deaths_estimate", "violence_type", "covariates",
                                       "lagged_covariates", "lag", "lagged_violence", "unit_effects", "year_effects",
                                       "start_year", "end_year", "layout", "exclude_former_fata", "standard_errors",
                                       "neighbour_violence")}


def compare(results: Mapping[str, ModelResult]) -> pd.DataFrame:
    """Coefficient tables of several models stacked, with a ``label`` column (for tables and plots).

    Parameters
    ----------
    results:
        ``{label: result}``; the first is marked ``is_base``.
    """
    if not results:
        raise ParameterError("compare: no results given")
    parts = []
    sources: list[str] = []
    for i, (label, res) in enumerate(results.items()):
        if not isinstance(res, ModelResult):
            raise ParameterError(f"compare: {label!r} is not a ModelResult (found {type(res).__name__})")
        parts.append(res.coefficients.assign(label=label, is_base=i == 0, status="ok"))
        sources += res.coefficients.attrs.get("sources", [])
    out = pd.concat(parts, ignore_index=True)
    out = out[["label", "is_base", "status", *COEFFICIENT_COLUMNS]]
    out.attrs["sources"] = list(dict.fromkeys(sources))
    return out


def interpret(result: ModelResult) -> list[str]:
    """One plain sentence per covariate term: the IRR, its interval, and what the interval allows.

    The sentences say "associated with", never "causes"; a covariate measured after the outcome
    is said to be so; a descriptive (province) model gives no interval and says so.
    """
    out = []
    level = int(round(100 * _ci_level(result)))
    for row in result.coefficients.itertuples(index=False):
        if row.covariate in ("alpha", "lagged outcome"):
            continue
        change = 100 * (row.irr - 1)
        text = (f"{row.term}: each {row.per} more is associated with {abs(change):.1f}% "
                f"{'more' if change >= 0 else 'fewer'} {result.specification.outcome_label} per head "
                f"(IRR {row.irr:.3f}")
        if np.isnan(row.irr_ci_low):
            text += "; no interval: descriptive only)."
        else:
            text += f", {level}% CI {row.irr_ci_low:.3f}-{row.irr_ci_high:.3f}, p = {row.p_value:.2g})"
            if row.irr_ci_low <= 1 <= row.irr_ci_high:
                text += "; the interval includes no association."
            else:
                text += "; the interval excludes no association (an association, not an effect)."
        if row.measured_after_outcome and row.rows_measured_after_outcome >= row.n:
            text += f" Measured in {row.measured}, after every outcome year: not a cause that precedes them."
        elif row.measured_after_outcome:
            text += (f" Measured in {row.measured}, after the outcome year in {row.rows_measured_after_outcome:,} of "
                     f"{row.n:,} rows.")
        out.append(text)
    return out


def _ci_level(result: ModelResult) -> float:
    c = result.coefficients.dropna(subset=["std_error"])
    if c.empty:
        return 0.95
    r = c.iloc[0]
    z = (r["ci_high"] - r["estimate"]) / r["std_error"]
    return float(2 * scipy.stats.norm.cdf(z) - 1)
