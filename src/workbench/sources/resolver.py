"""The source resolver: a ``violence_source`` id to the :class:`~workbench.sources.base.ViolenceSource` it names.

Four different things keep their own names: the *data catalog* (``data/catalog.yaml``: files and
their sha256), the *unit registry* (``data/geo/``: places and their spellings), the *private
registry* (``data/private/registry.yaml``: the analyst's registered files) and this *source
resolver*, which turns an id into a source object:

* a fixed id (:data:`FIXED`): the UCDP GED release shipped with the workbench, ``ucdp_ged_pak``;
* a UCDP release of the catalog by its id (``ucdp_ged_26_1``, ``ucdp_candidate_26_0_2``), the
  Candidate releases present together (``ucdp_candidate``), or a yearly release followed by them
  (``ucdp_ged_pak+candidate``: the id names the combination, so its years without data are accepted
  as missing cells);
* the id of an analyst's registered source: the kind recorded in the private registry picks the
  class (:data:`KINDS`).

**Release options** (:data:`RELEASE_OPTIONS`) qualify the UCDP id: ``ged_release`` says which yearly
release ``ucdp_ged_pak`` stands for (``22.1``, the shipped one, by default; ``25.1``, ``26.1``, or
``latest``: the newest present), ``with_candidate`` appends the Candidate releases present after its
last year, and ``allow_gap`` accepts the years between them that nothing covers (missing cells). An
analyst's source ignores them (they say what UCDP means in a run), so notebooks pass them always.
``resolve("ucdp_ged_pak")`` is the shipped 22.1 with its committed panels, exactly as before; a
release that is not present fails at once with how to obtain it (:class:`DataSetMissingError`).

This module is the one place where a kind decides anything. A new kind of source is one module
with a :class:`~workbench.sources.base.ViolenceSource` subclass and one entry here (or a call of
:func:`register` / :func:`register_kind`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from workbench.errors import ParameterError
from workbench.sources.base import ViolenceSource

#: A factory: called with the resolve options (and, for a registered kind, the registry entry first).
Factory = Callable[..., ViolenceSource]
#: The options that choose a UCDP release, with their defaults.
RELEASE_OPTIONS: dict[str, Any] = {"ged_release": "22.1", "with_candidate": False, "allow_gap": False}
#: The suffix of a yearly release followed by the Candidate releases present.
WITH_CANDIDATE = "+candidate"


def _ucdp_ged(**options: Any) -> ViolenceSource:
    release_options = {k: options.pop(k) for k in list(options) if k in RELEASE_OPTIONS}
    _no_options("ucdp_ged_pak", options)
    return ucdp_source(**release_options)


def ucdp_source(ged_release: str | None = None, with_candidate: bool | None = False,
                allow_gap: bool | None = False) -> ViolenceSource:
    """The UCDP source the release options name (see the module docstring).

    Raises
    ------
    ParameterError
        An unknown release, or a Candidate combination that leaves a gap without ``allow_gap``.
    DataSetMissingError
        The release is not present and cannot be downloaded here: the message says how to obtain it.
    """
    import workbench.sources.releases as releases
    from workbench.sources.ucdp_ged import UcdpGedSource

    version = ged_release or RELEASE_OPTIONS["ged_release"]
    if version == RELEASE_OPTIONS["ged_release"] and not with_candidate:
        return UcdpGedSource()  # the shipped release, from its committed panels
    return _ucdp_release_source(releases.ged_release(version).id, bool(with_candidate), bool(allow_gap))


def _ucdp_release_source(release_id: str, with_candidate: bool, allow_gap: bool) -> ViolenceSource:
    """A release (made present where it can be: downloaded, else an error saying how to obtain it), alone or
    followed by the Candidate releases present."""
    import workbench.sources.releases as releases
    from workbench.sources.ucdp import DATASET_ID
    from workbench.sources.ucdp_candidate import CANDIDATE_ID
    from workbench.sources.ucdp_ged import UcdpGedSource

    if release_id == DATASET_ID and not with_candidate:
        return UcdpGedSource()
    if release_id != CANDIDATE_ID:
        release = next(r for r in releases.releases() if r.id == release_id)
        if not releases.present(release):
            releases.require(release)  # downloads it where allowed; else says how to obtain it
    wanted = with_candidate or release_id == CANDIDATE_ID
    candidates = tuple(r.id for r in releases.present_candidates()) if wanted else ()
    return _built(release_id, candidates, allow_gap)


@lru_cache(maxsize=16)
def _built(release_id: str, candidates: tuple[str, ...], allow_gap: bool) -> ViolenceSource:
    """One object per release and combination in a process, so that its panels are built once."""
    import workbench.sources.releases as releases
    from workbench.sources.ucdp import DATASET_ID
    from workbench.sources.ucdp_candidate import CANDIDATE_ID, UcdpCandidateSource, UcdpCombinedSource
    from workbench.sources.ucdp_ged import UcdpGedSource, UcdpReleaseSource

    by_id = {r.id: r for r in releases.releases()}
    if release_id == CANDIDATE_ID:
        return UcdpCandidateSource([by_id[c] for c in candidates])
    release = by_id[release_id]
    if release.family == "candidate":
        return UcdpCandidateSource([release])
    base = UcdpGedSource() if release_id == DATASET_ID else UcdpReleaseSource(release)
    if not candidates:
        return base
    return UcdpCombinedSource(base, [by_id[c] for c in candidates], allow_gap=allow_gap)


def _ucdp_by_id(source_id: str, options: dict[str, Any]) -> ViolenceSource | None:
    """A UCDP release named by its id (``ged_release`` is then moot), the Candidate releases present
    (``ucdp_candidate``), or a yearly release followed by them (``<id>+candidate``); None for another id."""
    import workbench.sources.releases as releases
    from workbench.sources.ucdp_candidate import CANDIDATE_ID

    base_id = source_id.removesuffix(WITH_CANDIDATE)
    by_id = {r.id: r for r in releases.releases()}
    if source_id != CANDIDATE_ID and base_id not in by_id:
        return None
    release_options = {k: options.pop(k) for k in list(options) if k in RELEASE_OPTIONS}
    _no_options(source_id, options)
    named = source_id.endswith(WITH_CANDIDATE)  # the id names the combination, its gap included
    with_candidate = named or bool(release_options.get("with_candidate"))
    if source_id != CANDIDATE_ID and by_id[base_id].family == "candidate" and with_candidate:
        raise ParameterError(f"with_candidate appends Candidate releases to a yearly GED release; {base_id!r} is a "
                             "Candidate release itself")
    return _ucdp_release_source(base_id, with_candidate and source_id != CANDIDATE_ID,
                                named or bool(release_options.get("allow_gap")))


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
        ``ucdp_ged_pak``, a UCDP release's id (``ucdp_ged_26_1``, ``ucdp_candidate_26_0_2``,
        ``ucdp_candidate``, ``ucdp_ged_pak+candidate``), or the id of a registered analyst's source
        (``workbench sources list``).
    options:
        The release options (:data:`RELEASE_OPTIONS`: ``ged_release``, ``with_candidate``,
        ``allow_gap``; ignored by an analyst's source), and kind-specific ones: ``series=`` for a
        published annual series file holding several publications.

    Raises
    ------
    ParameterError
        An unknown id (the message lists the known ones), an option the kind does not take, an unknown
        release, or a Candidate combination with a gap that ``allow_gap`` does not allow.
    DataSetMissingError
        A UCDP release that is not present and cannot be downloaded here (how to obtain it is said).
    """
    if isinstance(source, ViolenceSource):
        return source
    if not isinstance(source, str) or not source:
        raise ParameterError(f"violence_source must be a source id (e.g. {DEFAULT_SOURCE!r}); got {source!r}")
    if source in FIXED:
        return FIXED[source](**options)
    ucdp = _ucdp_by_id(source, dict(options))
    if ucdp is not None:
        return ucdp
    from workbench.sources.private import load_private_sources, registry_path

    registered = load_private_sources()
    if source in registered:
        entry = registered[source]
        if entry.kind not in KINDS:
            raise ParameterError(f"source {source!r} is of kind {entry.kind!r}, which this workbench cannot read; "
                                 f"kinds: {', '.join(KINDS)}")
        kind_options = {k: v for k, v in options.items() if k not in RELEASE_OPTIONS}
        return KINDS[entry.kind](entry, **kind_options)
    from workbench.sources.releases import releases

    known = ", ".join([*FIXED, *(r.id for r in releases()), *sorted(registered)])
    raise ParameterError(f"unknown violence source {source!r}: neither a built-in source nor a registered "
                         f"analyst's source; known: {known}. Register an analyst's file with `workbench sources add` "
                         f"(private registry {registry_path()}).")


def available() -> list[str]:
    """The sources an analyst can choose now: the fixed ids, each further yearly UCDP release present (by its
    catalog id, e.g. ``ucdp_ged_26_1``), then the registered analyst's sources."""
    import workbench.sources.releases as releases
    from workbench.sources.private import load_private_sources

    more = [r.id for r in releases.releases("ged") if r.id not in FIXED and releases.present(r)]
    return [*FIXED, *more, *sorted(load_private_sources())]

