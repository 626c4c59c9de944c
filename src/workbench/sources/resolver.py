"""The source resolver: a ``violence_source`` id to the :class:`~workbench.sources.base.ViolenceSource` it names.

Four different things keep their own names: the *data catalog* (``data/catalog.yaml``: files and
their sha256), the *unit registry* (``data/geo/``: places and their spellings), the *private
registry* (``data/private/registry.yaml``: the analyst's registered files) and this *source
resolver*, which turns an id into a source object:

* a fixed id (:data:`FIXED`): the UCDP GED release shipped with the workbench, ``ucdp_ged_pak``;
* the id of an analyst's registered source: the kind recorded in the private registry picks the
  class (:data:`KINDS`).

This module is the one place where a kind decides anything. A new kind of source is one module
with a :class:`~workbench.sources.base.ViolenceSource` subclass and one entry here (or a call of
:func:`register` / :func:`register_kind`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.errors import ParameterError
from workbench.sources.base import ViolenceSource

#: A factory: called with the resolve options (and, for a registered kind, the registry entry first).
Factory = Callable[..., ViolenceSource]


def _ucdp_ged(**options: Any) -> ViolenceSource:
    from workbench.sources.ucdp_ged import UcdpGedSource

    _no_options("ucdp_ged_pak", options)
    return UcdpGedSource()


def _incident_log(entry: Any, **options: Any) -> ViolenceSource:
    from workbench.sources.incident_log import IncidentLogSource

    _no_options(entry.id, options)
    return IncidentLogSource(entry)


def _annual_series(entry: Any, **options: Any) -> ViolenceSource:
    from workbench.sources.annual_series import AnnualSeriesSource

    unknown = set(options) - {"series"}
    if unknown:
        raise ParameterError(f"{entry.id!r} takes the option series= only; got {sorted(unknown)}")
    return AnnualSeriesSource(entry, series=options.get("series"))


#: Fixed ids and their factories (the UCDP releases).
FIXED: dict[str, Factory] = {"ucdp_ged_pak": _ucdp_ged}
#: Kinds of the private registry and their factories.
KINDS: dict[str, Factory] = {"incident_log": _incident_log, "annual_series": _annual_series}
#: The source the notebooks use unless told otherwise.
DEFAULT_SOURCE = "ucdp_ged_pak"


def _no_options(source_id: str, options: dict[str, Any]) -> None:
    if options.get("series") is not None:
        raise ParameterError(f"series= selects a publication inside a published annual series file; {source_id!r} "
                             "is not one")
    unknown = {k for k, v in options.items() if v is not None}
    if unknown:
        raise ParameterError(f"{source_id!r} takes no options; got {sorted(unknown)}")


def register(source_id: str, factory: Factory) -> None:
    """Make ``source_id`` resolve to ``factory(**options)`` (a fixed source, e.g. a release)."""
    FIXED[source_id] = factory


def register_kind(kind: str, factory: Factory) -> None:
    """Make registered analyst's sources of ``kind`` resolve to ``factory(entry, **options)``."""
    KINDS[kind] = factory


def resolve(source: str | ViolenceSource, **options: Any) -> ViolenceSource:
    """The source an id names (a source object is returned as it is).

    Parameters
    ----------
    source:
        ``ucdp_ged_pak`` or the id of a registered analyst's source (``workbench sources list``).
    options:
        Kind-specific: ``series=`` for a published annual series file holding several publications.

    Raises
    ------
    ParameterError
        An unknown id (the message lists the known ones) or an option the kind does not take.
    """
    if isinstance(source, ViolenceSource):
        return source
    if not isinstance(source, str) or not source:
        raise ParameterError(f"violence_source must be a source id (e.g. {DEFAULT_SOURCE!r}); got {source!r}")
    if source in FIXED:
        return FIXED[source](**options)
    from workbench.sources.private import load_private_sources, registry_path

    registered = load_private_sources()
    if source in registered:
        entry = registered[source]
        if entry.kind not in KINDS:
            raise ParameterError(f"source {source!r} is of kind {entry.kind!r}, which this workbench cannot read; "
                                 f"kinds: {', '.join(KINDS)}")
        return KINDS[entry.kind](entry, **options)
    known = ", ".join([*FIXED, *sorted(registered)])
    raise ParameterError(f"unknown violence source {source!r}: neither a built-in source nor a registered "
                         f"analyst's source; known: {known}. Register an analyst's file with `workbench sources add` "
                         f"(private registry {registry_path()}).")


def available() -> list[str]:
    """Every id that resolves: the fixed ones, then the registered analyst's sources."""
    from workbench.sources.private import load_private_sources

    return [*FIXED, *sorted(load_private_sources())]
