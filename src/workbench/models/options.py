"""The options of a drivers model, typed and checked on entry.

A :class:`Specification` holds everything that defines one model: outcome, covariates and how
each enters, fixed effects, period, layout, standard errors. It is built by the public
estimators (:mod:`workbench.models.estimators`) from their keyword arguments and refuses a bad
value or a bad combination with a :class:`~workbench.errors.ParameterError` that names the
argument, the allowed values and what was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

from workbench.errors import ParameterError, WorkbenchError
from workbench.sources.ucdp_panels import FIRST_YEAR, LAST_YEAR

Estimator = Literal["negative_binomial", "poisson"]
Outcome = Literal["events", "deaths"]
DeathsEstimate = Literal["best", "low", "high"]
ViolenceType = Literal["all", "state_based", "non_state", "one_sided"]
UnitEffects = Literal["none", "province", "district"]
StandardErrors = Literal["cluster", "model"]
Layout = Literal["pre2018", "current"]
Level = Literal["district", "province"]

ESTIMATORS: tuple[str, ...] = get_args(Estimator)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
DEATHS_ESTIMATES: tuple[str, ...] = get_args(DeathsEstimate)
VIOLENCE_TYPE_CHOICES: tuple[str, ...] = get_args(ViolenceType)
UNIT_EFFECTS: tuple[str, ...] = get_args(UnitEffects)
STANDARD_ERRORS: tuple[str, ...] = get_args(StandardErrors)
LAYOUTS: tuple[str, ...] = get_args(Layout)
MAX_LAG = 5
#: Below this many clusters a cluster-robust standard error is unreliable (stated in the output).
FEW_CLUSTERS = 30


class ModelFitError(WorkbenchError):
    """A model that cannot be estimated on the data as selected (no rows left, no convergence)."""


@dataclass(frozen=True)
class CovariateInfo:
    """What the package knows about one covariate column of the drivers panel.

    Attributes
    ----------
    name:
        Column of the drivers panel.
    year_column:
        Column giving the year each value was measured.
    scale:
        Factor applied before fitting, so that the incidence-rate ratio reads per ``per``.
    per:
        The change the incidence-rate ratio refers to.
    source:
        Who measured it, in words.
    """

    name: str
    year_column: str
    scale: float
    per: str
    source: str


_PP = "1 percentage point"
_CENSUS = "census 2023 (PBS)"
COVARIATES: dict[str, CovariateInfo] = {
    c.name: c
    for c in [
        CovariateInfo("youth_share_15_29", "youth_year", 100.0, _PP, f"{_CENSUS}, Table 4: share of ages 15-29"),
        CovariateInfo("youth_bulge_15_24", "youth_year", 100.0, _PP,
                      f"{_CENSUS}, Table 4: ages 15-24 as a share of 15+"),
        CovariateInfo("literacy_10plus_pct", "census_deprivation_year", 1.0, _PP, f"{_CENSUS}, Table 12"),
        CovariateInfo("out_of_school_5_16_pct", "census_deprivation_year", 1.0, _PP, f"{_CENSUS}, Tables 12 and 4"),
        CovariateInfo("improved_water_pct", "census_deprivation_year", 1.0, _PP, f"{_CENSUS}, Table 23"),
        CovariateInfo("flush_toilet_pct", "census_deprivation_year", 1.0, _PP, f"{_CENSUS}, Table 24"),
        CovariateInfo("electricity_pct", "census_deprivation_year", 1.0, _PP, f"{_CENSUS}, Table 22"),
        CovariateInfo("d4p_poverty_pct", "d4p_poverty_year", 1.0, _PP,
                      "Data4Pakistan (World Bank): small-area model estimate, 2004-2014 every second year"),
        CovariateInfo("d4p_youth_literacy_pct", "d4p_youth_literacy_year", 1.0, _PP,
                      "Data4Pakistan (World Bank): PSLM survey estimate, ages 15-24"),
        CovariateInfo("mpi_headcount_pct", "mpi_year", 1.0, _PP,
                      "multidimensional poverty headcount 2014/15 (NISP 2018 D3; reference table)"),
    ]
}


def check_choice(argument: str, value: object, allowed: Sequence[str]) -> None:
    """Refuse ``value`` unless it is one of ``allowed``, naming the argument."""
    if not isinstance(value, str) or value not in allowed:
        raise ParameterError(f"argument {argument!r} must be one of {', '.join(map(repr, allowed))}; found {value!r}")


def _check_int(argument: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ParameterError(f"argument {argument!r} must be a whole number from {low} to {high}; found {value!r}")


def _check_names(argument: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(isinstance(v, str) for v in value):
        raise ParameterError(f"argument {argument!r} must be a list of covariate names; found {value!r}")
    unknown = [v for v in value if v not in COVARIATES]
    if unknown:
        raise ParameterError(f"argument {argument!r}: unknown covariate(s) {unknown}; known covariates: "
                             f"{', '.join(COVARIATES)}")
    twice = sorted({v for v in value if list(value).count(v) > 1})
    if twice:
        raise ParameterError(f"argument {argument!r} names {twice} more than once")
    return tuple(value)


@dataclass(frozen=True)
class Specification:
    """One model, fully specified (see :func:`workbench.models.negative_binomial` for the meaning).

    Every field is checked when the object is made; a bad value or combination raises
    :class:`~workbench.errors.ParameterError`.
    """

    estimator: Estimator = "negative_binomial"
    level: Level = "district"
    outcome: Outcome = "deaths"
    deaths_estimate: DeathsEstimate = "best"
    violence_type: ViolenceType = "all"
    covariates: tuple[str, ...] = ()
    lagged_covariates: tuple[str, ...] = ()
    lag: int = 1
    lagged_violence: bool = True
    unit_effects: UnitEffects = "province"
    year_effects: bool = True
    start_year: int = 1998
    end_year: int = LAST_YEAR
    layout: Layout = "current"
    exclude_former_fata: bool = False
    standard_errors: StandardErrors = "cluster"
    neighbour_violence: bool = False

    def __post_init__(self) -> None:
        check_choice("estimator", self.estimator, ESTIMATORS)
        check_choice("level", self.level, ("district", "province"))
        check_choice("outcome", self.outcome, OUTCOMES)
        check_choice("deaths_estimate", self.deaths_estimate, DEATHS_ESTIMATES)
        check_choice("violence_type", self.violence_type, VIOLENCE_TYPE_CHOICES)
        check_choice("unit_effects", self.unit_effects, UNIT_EFFECTS)
        check_choice("standard_errors", self.standard_errors, STANDARD_ERRORS)
        check_choice("layout", self.layout, LAYOUTS)
        object.__setattr__(self, "covariates", _check_names("covariates", self.covariates))
        object.__setattr__(self, "lagged_covariates", _check_names("lagged_covariates", self.lagged_covariates))
        _check_int("lag", self.lag, 1, MAX_LAG)
        _check_int("start_year", self.start_year, FIRST_YEAR, LAST_YEAR)
        _check_int("end_year", self.end_year, FIRST_YEAR, LAST_YEAR)
        for name in ("lagged_violence", "year_effects", "exclude_former_fata", "neighbour_violence"):
            if not isinstance(getattr(self, name), bool):
                raise ParameterError(f"argument {name!r} must be True or False; found {getattr(self, name)!r}")
        if self.start_year > self.end_year:
            raise ParameterError(f"start_year ({self.start_year}) is after end_year ({self.end_year})")
        both = sorted(set(self.covariates) & set(self.lagged_covariates))
        if both:
            raise ParameterError(f"covariate(s) {both} are given both as measured (covariates=) and as lagged causes "
                                 "(lagged_covariates=); choose one")
        if self.outcome == "events" and self.deaths_estimate != "best":
            raise ParameterError(f"deaths_estimate={self.deaths_estimate!r} applies to outcome='deaths' only; "
                                 "events have no estimate (leave deaths_estimate='best')")
        if self.outcome == "deaths" and self.deaths_estimate != "best" and self.violence_type != "all":
            raise ParameterError("the panels split deaths by type of violence for the best estimate only: use "
                                 f"deaths_estimate='best' with violence_type={self.violence_type!r}, or "
                                 "violence_type='all' with the low or high estimate")
        if self.level == "province":
            if self.unit_effects == "district":
                raise ParameterError("unit_effects='district' is for district panels; a province model can take "
                                     "'none' or 'province'")
            if self.neighbour_violence:
                raise ParameterError("neighbour_violence (the neighbours' violence of the previous year) applies to "
                                     "district models: 4-8 provinces have too few neighbours for a spatial lag")
            if self.exclude_former_fata:
                raise ParameterError("exclude_former_fata applies to district models (in a province panel, FATA is "
                                     "either a province of its own, pre2018, or inside Khyber Pakhtunkhwa, current)")
        if self.level == "district" and "mpi_headcount_pct" in {*self.covariates, *self.lagged_covariates}:
            raise ParameterError("mpi_headcount_pct is measured by province only (2014/15); it is not a district "
                                 "covariate. Use province_association for it")

    @property
    def outcome_column(self) -> str:
        """The violence panel column modelled."""
        if self.outcome == "events":
            return "events" if self.violence_type == "all" else f"events_{self.violence_type}"
        if self.violence_type == "all":
            return f"deaths_{self.deaths_estimate}"
        return f"deaths_best_{self.violence_type}"

    @property
    def outcome_label(self) -> str:
        """The outcome in words, e.g. ``deaths (best estimate, all types)``."""
        types = "all types" if self.violence_type == "all" else self.violence_type.replace("_", "-")
        if self.outcome == "events":
            return f"events ({types})"
        return f"deaths ({self.deaths_estimate} estimate, {types})"

    @property
    def all_covariates(self) -> tuple[str, ...]:
        """Covariates in model order: lagged causes first, then those entered as measured."""
        return (*self.lagged_covariates, *self.covariates)

    def with_changes(self, **changes: object) -> Specification:
        """A copy with some options changed (checked again)."""
        return replace(self, **changes)  # type: ignore[arg-type]

