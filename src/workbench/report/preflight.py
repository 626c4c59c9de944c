"""Pre-flight: the checks of a run after its parameters are typed, before any kernel starts.

:func:`~workbench.report.runner.plan_run` reads each notebook's parameters cell and types every
value (names, types and choices: :mod:`workbench.report.params`); then it calls
:func:`check`, which refuses, per notebook:

1. a number outside its declared bounds (``top_n: ...; min: 1``, ``end_year: ...; min: start_year``);
2. a year outside the years of its source (``years: source``: the notebook's ``violence_source``,
   resolved with the release options the notebook declares; ``years: <source id>``: that source).
   Only values set on the command line or in the suite file are checked (0 stands for the source's
   own last year): a notebook's default stands, and the notebook cuts it to the years the source covers
   (:func:`workbench.panel.violence.select_panel`), so the defaults work with every source;
3. a combination of parameters that a package check refuses (:data:`RULES`), for every notebook
   that declares the parameters the check reads (a brief's ``unit_id`` must be a province or district
   id, :func:`workbench.briefs.check_unit_id`).

Any :class:`~workbench.errors.WorkbenchError` stops the run with one line naming the notebook and
the parameter.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from workbench.errors import ParameterError, WorkbenchError
from workbench.report.params import YEARS_OF_SOURCE, ParamSpec, check_bounds
from workbench.report.suite import Suite

#: A year parameter set to 0 stands for the source's own first or last year (``end_year: int = 0``).
UNSET_YEAR = 0
#: Options that choose a release of a violence source; passed to the resolver when a notebook declares them.
RELEASE_OPTIONS: tuple[str, ...] = ("ged_release", "with_candidate", "allow_gap")


class SourceCache:
    """The violence sources a notebook's parameters name, resolved once each."""

    def __init__(self, values: Mapping[str, Any], explicit: set[str]) -> None:
        self.values = values
        self.explicit = explicit
        self._found: dict[str, Any] = {}

    def source_id(self, years: str = YEARS_OF_SOURCE) -> str:
        """The id ``years:`` refers to: the notebook's ``violence_source`` (or the default source) for ``source``."""
        from workbench.sources.resolver import DEFAULT_SOURCE

        if years != YEARS_OF_SOURCE:
            return years
        return self.values.get("violence_source", DEFAULT_SOURCE)

    def get(self, years: str = YEARS_OF_SOURCE) -> Any:
        """The source, resolved with the notebook's release options for ``years: source``."""
        source_id = self.source_id(years)
        if source_id not in self._found:
            own = years == YEARS_OF_SOURCE
            options = {k: self.values[k] for k in RELEASE_OPTIONS if k in self.values} if own else {}
            self._found[source_id] = resolve_with_options(source_id, options, self.explicit,
                                                          parameter="violence_source" if own else f"years: {source_id}")
        return self._found[source_id]


def resolve_with_options(source_id: str, options: Mapping[str, Any], explicit: Iterable[str] = (), *,
                         parameter: str = "violence_source") -> Any:
    """``sources.resolve(source_id, **options)``; without the options when the source takes none and none was set.

    A source that takes no release option (an analyst's log; a resolver without release options)
    is resolved without them while they keep their defaults; an option set on purpose is refused.
    The resolver's own errors (an unknown id) are prefixed with ``parameter``.
    """
    from workbench.sources import resolve

    def named(exc: Exception) -> ParameterError:
        return ParameterError(f"{parameter}: {exc}")

    try:
        return resolve(source_id, **options)
    except (TypeError, WorkbenchError) as exc:
        takes_none = isinstance(exc, TypeError) or "takes no options" in str(exc)
        if not options or not takes_none:
            if isinstance(exc, TypeError):
                raise
            raise named(exc) from None
        given = sorted(set(options) & set(explicit))
        if given:
            raise ParameterError(f"{', '.join(given)}: the violence source {source_id!r} takes no release "
                                 "option") from None
    try:
        return resolve(source_id)
    except WorkbenchError as exc:
        raise named(exc) from None


# --------------------------------------------------------------------------- the checks


def check_declared_bounds(specs: Mapping[str, ParamSpec], values: Mapping[str, Any]) -> None:
    """The bounds of the parameters cell: numbers (``min: 1``) and other parameters (``min: start_year``)."""
    for name, spec in specs.items():
        check_bounds(spec, values[name], where=f"parameter '{name}'", values=values)


def check_years(specs: Mapping[str, ParamSpec], values: Mapping[str, Any], explicit: set[str],
                sources: SourceCache) -> None:
    """Years set on purpose must lie in the years of their source (``years: source`` or ``years: <id>``)."""
    for name, spec in specs.items():
        if spec.years is None or name not in explicit:
            continue
        source = sources.get(spec.years)
        first, last = source.coverage.years
        for year in _items(values[name]):
            if year == UNSET_YEAR:  # 0 stands for the source's own first or last year
                continue
            if not first <= year <= last:
                via = "violence_source " if spec.years == YEARS_OF_SOURCE else ""
                raise ParameterError(
                    f"parameter '{name}': {year} is outside the years of {via}{source.id!r} ({source.title}: "
                    f"{first}-{last}); choose a year from {first} to {last}, or leave {name} unset for the "
                    "notebook's default, cut to the source's years")


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _keywords(function: Callable[..., Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values whose names are keyword parameters of ``function``."""
    names = inspect.signature(function).parameters
    return {k: v for k, v in values.items() if k in names}


def _violence_source(values: Mapping[str, Any], sources: SourceCache) -> None:
    sources.get()


def _second_source(values: Mapping[str, Any], sources: SourceCache) -> None:
    resolve_with_options(values["compare_with"], {}, parameter="compare_with")


def _violence_selection(values: Mapping[str, Any], sources: SourceCache) -> None:
    from workbench.panel.violence import check_common_parameters

    source = sources.get()
    chosen = _keywords(check_common_parameters, values)
    first, last = source.coverage.years
    for name, own in (("start_year", first), ("end_year", last)):
        if chosen.get(name) == UNSET_YEAR:
            chosen[name] = own
    check_common_parameters(**{**chosen, "violence_source": source})


def _model_specification(values: Mapping[str, Any], sources: SourceCache) -> None:
    from workbench.models.options import Specification

    names = {f.name for f in fields(Specification)}
    Specification(**{k: v for k, v in values.items() if k in names})


def _scorecard(values: Mapping[str, Any], sources: SourceCache) -> None:
    from workbench.policy.alignment import check_scorecard_parameters

    check_scorecard_parameters(level=values["level"], layout=values["layout"])


def _claims_period(values: Mapping[str, Any], sources: SourceCache) -> None:
    from workbench.policy.specs import AuditParameters

    AuditParameters(default_period=(values["claims_start_year"], values["claims_end_year"]))


def _brief_unit(values: Mapping[str, Any], sources: SourceCache) -> None:
    from workbench.briefs import check_unit_id

    check_unit_id(values["unit_id"])


@dataclass(frozen=True)
class Rule:
    """A package check, applied to every notebook that declares all of ``needs``."""

    needs: frozenset[str]
    check: Callable[[Mapping[str, Any], SourceCache], None]
    what: str


RULES: tuple[Rule, ...] = (
    Rule(frozenset({"violence_source"}), _violence_source, "the violence source resolves (sources.resolve)"),
    Rule(frozenset({"compare_with"}), _second_source, "the second source of a comparison resolves"),
    Rule(frozenset({"violence_source", "start_year", "end_year"}), _violence_selection,
         "the violence selection (panel.violence.check_common_parameters)"),
    Rule(frozenset({"outcome", "unit_effects", "lag"}), _model_specification,
         "the count model's options (models.Specification)"),
    Rule(frozenset({"level", "layout", "need_year"}), _scorecard,
         "the need-against-attention scorecard (policy.alignment.check_scorecard_parameters)"),
    Rule(frozenset({"claims_start_year", "claims_end_year"}), _claims_period,
         "the claims audit's default period (policy.specs.AuditParameters)"),
    Rule(frozenset({"unit_id"}), _brief_unit, "the unit of a brief is a province or district (briefs.check_unit_id)"),
)


# --------------------------------------------------------------------------- entry point


def explicit_names(suite: Suite, notebook: str, cli: Iterable[str]) -> set[str]:
    """The parameters of ``notebook`` set on purpose: on the command line or in the suite file."""
    entry = next((nb for nb in suite.notebooks if nb.stem == notebook), None)
    return {*cli, *suite.parameters, *(entry.parameters if entry else {})}


def check_notebook(name: str, specs: Mapping[str, ParamSpec], values: Mapping[str, Any], explicit: set[str]) -> None:
    """Every pre-flight check of one notebook's resolved parameters.

    Raises
    ------
    ParameterError
        One line: ``notebook <name>: <the parameter and what is wrong>``.
    """
    explicit = explicit & set(specs)
    sources = SourceCache(values, explicit)
    try:
        check_declared_bounds(specs, values)
        check_years(specs, values, explicit, sources)
        for rule in RULES:
            if rule.needs <= set(specs):
                rule.check(values, sources)
    except WorkbenchError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ParameterError(f"notebook {name}: {first_line}") from None


def check(planned: Iterable[Any], specs: Mapping[str, Mapping[str, ParamSpec]], *, suite: Suite,
          cli: Iterable[str] = ()) -> None:
    """The pre-flight of a planned run: :func:`check_notebook` for each notebook.

    Parameters
    ----------
    planned:
        The planned notebooks (each with ``name`` and its typed ``parameters``).
    specs:
        Each notebook's declared parameters, by notebook name.
    suite:
        The suite (its file's parameters count as set on purpose).
    cli:
        The names given with ``-p``.
    """
    cli = list(cli)
    for nb in planned:
        check_notebook(nb.name, specs[nb.name], nb.parameters, explicit_names(suite, nb.name, cli))
