"""The data the claims audit reads, loaded once and cached: the violence source and the other tables.

:class:`Evidence` holds the violence source (``Evidence.source``, a
:class:`~workbench.sources.ViolenceSource`: an id resolved by :func:`workbench.sources.resolve`, or a
source object used as it is) and one loader per table the procedures read. Every loader can be
replaced (tests do). What the source can give is asked of the source, never of its kind:

* its years and measures: ``source.coverage``;
* its unit-year counts, with the cells it does not give left missing (:meth:`Evidence.counts`): the
  procedures name the years a source lacks and judge over the years covered;
* event records with actor and conflict coding: ``source.events()`` (the ``events`` loader);
* what it counts, in words: ``source.measure_labels()`` and ``source.caveat``; the procedures' own
  proxies and caveats, written about UCDP GED 22.1, only where ``source.provenance`` names that
  data set (:attr:`Evidence.procedure_texts_apply`).

A specification the source cannot answer (no year of the period, a unit or a level it does not
give) is a :class:`SourceGap`: the audit reports "cannot be tested" with the reason, and fills
nothing in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from workbench.errors import ParameterError
from workbench.policy.specs import SHORT_NAMES, Spec
from workbench.sources import ViolenceSource, resolve
from workbench.sources.resolver import DEFAULT_SOURCE
from workbench.sources.ucdp import DATASET_ID as UCDP_GED_ID

#: Equal-area projection for areas (Asia South Albers Equal Area Conic).
EQUAL_AREA_CRS = "ESRI:102028"
#: The key columns of :meth:`Evidence.counts`.
COUNT_KEY = ["unit_id", "unit_name", "unit_level", "province", "year"]


class SourceGap(Exception):
    """The violence source cannot answer a specification (years, units or a level it lacks)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- loaders


def _committed(name: str) -> pd.DataFrame | None:
    """A committed table of ``data/processed`` (None while the build has not written it)."""
    from workbench.store import read_processed

    try:
        return read_processed(name)
    except ParameterError:
        return None


def _province_population() -> pd.DataFrame:
    committed = _committed("population_province_year")
    if committed is not None:
        return committed
    from workbench.panel.demography import population_table

    return population_table("province")


def _youth_definitions() -> pd.DataFrame:
    committed = _committed("youth_nisp_d1_claim")
    if committed is not None:
        return committed
    from workbench.panel.demography import nisp_youth_claim

    return nisp_youth_claim()


def _mpi_reference() -> pd.DataFrame:
    from workbench.sources.reference import read_mpi_province

    return read_mpi_province(preferred_only=False)


def _mpi_province() -> pd.DataFrame:
    from workbench.sources.deprivation import mpi_province

    return mpi_province()


def _injured_loader(source: ViolenceSource) -> Callable[[str], pd.DataFrame]:
    def load(layout: str) -> pd.DataFrame:
        from workbench.panel.compare import province_series

        return province_series(source, measure="injured", layout=layout)

    return load


def _province_areas(layer: str) -> pd.DataFrame:
    from workbench.geo.boundaries import read_layer

    gdf = read_layer(layer)
    out = pd.DataFrame({"unit_id": gdf["unit_id"].astype(str).to_numpy(),
                        "area_km2": gdf.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6})
    out = out.groupby("unit_id", as_index=False)["area_km2"].sum()
    out.attrs["sources"] = list(gdf.attrs.get("sources", [layer]))
    return out


def _karachi_units() -> list[str]:
    from workbench.geo.units import load_registry

    units = load_registry().units
    return sorted(units.loc[units["division"].eq("division/karachi"), "unit_id"].astype(str))


def layout_provinces(layout: str) -> list[str]:
    """The provinces and territories of a layout (unit ids)."""
    from workbench.geo.units import load_registry

    return [str(u) for u in load_registry().provinces(layout)["unit_id"]]


def _source_of(violence_source: str | ViolenceSource) -> ViolenceSource:
    """The source an id names (an object is used as it is, registered or not)."""
    if isinstance(violence_source, ViolenceSource):
        return violence_source
    try:
        return resolve(violence_source)
    except ParameterError as exc:
        raise ParameterError(f"violence_source: {exc}") from None


# --------------------------------------------------------------------------- the evidence


class Evidence:
    """The data the audit reads, loaded once and cached (each loader can be replaced, e.g. in tests).

    Parameters
    ----------
    violence_source:
        Where the violence counts come from: a source id (``ucdp_ged_pak``, the default, or a
        registered analyst's source: ``workbench sources list``; an unknown id is an error) or a
        :class:`~workbench.sources.ViolenceSource`, used as it is (it need not be registered).
    unit_panel:
        ``f(level, layout, district_set) -> frame`` of the source's panel in the one schema (default
        ``source.panel``): missing cells stay missing.
    injured:
        ``f(layout) -> frame`` of province-year persons injured (``unit_id``, ``year``, ``value``;
        default :func:`workbench.panel.compare.province_series`); read only when the source counts them.
    population:
        ``f() -> frame`` of :func:`workbench.panel.demography.population_table` at province level (the
        committed ``population_province_year`` when the build has written it).
    events:
        ``f() -> frame or None``: event records with UCDP's actor and conflict coding (default
        ``source.events()``; None when the source has none).
    mpi_reference, mpi_province, youth, areas, karachi_units:
        The MPI reference table (all rows), the MPI headcount by province (preferred rows), the
        youth definitions of :func:`workbench.panel.demography.nisp_youth_claim` (committed as
        ``youth_nisp_d1_claim``), ``f(layer)`` giving ``unit_id``/``area_km2``, and the 2023 districts
        of Karachi division.
    """

    def __init__(self, *, violence_source: str | ViolenceSource = DEFAULT_SOURCE,
                 unit_panel: Callable[[str, str, str], pd.DataFrame] | None = None,
                 injured: Callable[[str], pd.DataFrame] | None = None,
                 population: Callable[[], pd.DataFrame] | None = None,
                 events: Callable[[], pd.DataFrame | None] | None = None,
                 mpi_reference: Callable[[], pd.DataFrame] | None = None,
                 mpi_province: Callable[[], pd.DataFrame] | None = None,
                 youth: Callable[[], pd.DataFrame] | None = None,
                 areas: Callable[[str], pd.DataFrame] | None = None,
                 karachi_units: Callable[[], list[str]] | None = None) -> None:
        self.source = _source_of(violence_source)
        self.labels = self.source.measure_labels()
        self._loaders: dict[str, Callable[..., Any]] = {
            "unit_panel": unit_panel or self.source.panel, "injured": injured or _injured_loader(self.source),
            "population": population or _province_population, "events": events or self.source.events,
            "mpi_reference": mpi_reference or _mpi_reference, "mpi_province": mpi_province or _mpi_province,
            "youth": youth or _youth_definitions, "areas": areas or _province_areas,
            "karachi_units": karachi_units or _karachi_units,
        }
        self._cache: dict[tuple, Any] = {}

    @property
    def violence_source(self) -> str:
        """The source's id, as every result names it."""
        return self.source.id

    @property
    def source_years(self) -> tuple[int, int]:
        """First and last year the source covers."""
        return self.source.coverage.years

    @property
    def source_label(self) -> str:
        """The source's short name with years, for reasons."""
        return self.source.label

    @property
    def procedure_texts_apply(self) -> bool:
        """True when the counts are UCDP GED 22.1's: its catalog id is in the source's provenance.

        The procedures' proxies and caveats, the claims' ``measure_gap`` and the audit's compact
        wording ("UCDP deaths per UCDP event") were written about that data set; for any other
        source the audit words its results from the source itself (``measure_labels``, ``caveat``).
        """
        return UCDP_GED_ID in self.source.provenance

    def get(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The loader ``name`` called with these arguments (cached)."""
        key = (name, args, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))
        if key not in self._cache:
            self._cache[key] = self._loaders[name](*args, **kwargs)
        return self._cache[key]

    def counts(self, spec: Spec, *, level: str, layout: str, district_set: str = "census2023") -> pd.DataFrame:
        """The source's unit-year ``events`` and ``deaths`` for a spec: its deaths estimate, and its types of
        violence where the source splits its counts by them, over the years of the spec it gives.

        A cell the source does not give stays missing (NaN); a year it does not cover has no rows. The
        procedures name both and judge over the years covered: nothing is filled in.

        Raises
        ------
        SourceGap
            The source does not give this level or layout.
        """
        try:
            p = self.get("unit_panel", level, layout, district_set)
        except ParameterError as exc:
            raise SourceGap(f"{self.violence_source!r} ({self.source_label}) cannot give this: {exc}") from None
        p = p[p["year"].between(spec.start, spec.end)]
        b = self.source.coverage.breakdown
        types = list(spec.violence_types)
        out = p[COUNT_KEY].copy()
        if b is not None and b.parameter == "violence_types" and set(types) != set(b.categories):
            out["events"] = p[[f"events_{t}" for t in types]].sum(axis=1, min_count=len(types))
            out["deaths"] = p[[f"deaths_{t}" for t in types]].sum(axis=1, min_count=len(types))
        else:
            out["events"], out["deaths"] = p["events"], p[f"deaths_{spec.deaths_estimate}"]
        out[["events", "deaths"]] = out[["events", "deaths"]].astype("float64")
        out = out.reset_index(drop=True)
        out.attrs["sources"] = list(p.attrs.get("sources", self.source.provenance))
        return out

    def require_units(self, counts: pd.DataFrame, units: Iterable[str], what: str, spec: Spec) -> None:
        """Every unit a total needs must have a figure in some year of the period (a published series
        may leave out ICT, GB and AJK altogether).

        Raises
        ------
        SourceGap
            The source covers no year of the period, or a unit has no figure at all: nothing is filled in.
        """
        if counts.empty:
            first, last = self.source_years
            raise SourceGap(f"{self.violence_source!r} ({self.source_label}) covers {first}-{last}: no year of "
                            f"{spec.period}, needed for {what}; nothing is filled in")
        given = set(counts.dropna(subset=["events", "deaths"], how="all")["unit_id"].astype(str))
        missing = [u for u in dict.fromkeys(units) if u not in given]
        if missing:
            raise SourceGap(f"{self.violence_source!r} ({self.source_label}) gives no figures for "
                            f"{', '.join(SHORT_NAMES.get(u, u) for u in missing)}, needed for {what}; "
                            "nothing is filled in")
