"""The violence source interface: one shape for every kind of violence data the workbench reads.

A *violence source* is what an analyst chooses with ``violence_source``: a UCDP GED release, an
analyst's incident log, a published annual series. Every kind implements :class:`ViolenceSource`:
it knows its id, label, definition, :class:`Coverage` (years, levels, layouts, measures, the
breakdown it has) and provenance, and yields panels in **one schema** (:data:`PANEL_KEY` and the
measures of :data:`MEASURES`, plus ``events_<c>``/``deaths_<c>``/``injured_<c>`` for each category
``c`` of its breakdown). A cell the source does not cover (a measure it lacks, a province-year a
published series does not give) is missing (NaN), never zero; inside its coverage a unit-year
without violence is zero.

Levels:

* ``national``: one row per year, ``unit_id`` ``PK``: the country's figure (for UCDP every event,
  those located only to the country included; for a published series its national rows);
* ``province``: a row per province of the layout and year, plus a ``PK`` row for what no province
  holds (UCDP events located only to the country; missing where the source cannot say);
* ``district``: a row per district of the district set and year, plus rows for what was located only
  to a division, a province or the country (``unit_level`` says which), so that sums stay whole.

Two columns say how far each row's year is known (:data:`YEAR_COLUMNS`): ``provisional`` (True for
preliminary counts, UCDP's Candidate releases) and ``months`` (the months of that year the source
covers: 12 for a full year, 2 for a year known to the end of February, 0 for a year no release covers,
whose measures are then missing). Both follow the source's :class:`Coverage`. A partial year is never
read as a full one: no annual rate or year-on-year comparison is computed from it.

Code outside :mod:`workbench.sources` never asks which kind a source is: it asks the coverage
(``coverage.has("deaths_low")``, ``coverage.breakdown``) or calls the interface. A new kind is one
module with a subclass and one entry of :mod:`workbench.sources.resolver` (``docs/architecture.md``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import DISTRICT_SETS, LAYOUTS

#: The levels a source can give panels at.
LEVELS: tuple[str, ...] = ("national", "province", "district")
#: Measures a source can have, with what each counts.
MEASURES: dict[str, str] = {
    "events": "events (incidents) of violence",
    "deaths_best": "deaths: best estimate (persons killed, all parties)",
    "deaths_low": "deaths: low estimate",
    "deaths_high": "deaths: high estimate",
    "deaths_civilians": "civilians among the deaths",
    "injured": "persons injured",
}
#: The measures of a long province series (:meth:`ViolenceSource.province_series`) and their panel columns.
SERIES_MEASURES: dict[str, str] = {"incidents": "events", "killed": "deaths_best", "injured": "injured"}
#: Key columns of every source panel.
PANEL_KEY: list[str] = ["source_id", "layout", "unit_id", "unit_name", "unit_level", "province", "year"]
#: Columns after the measures: preliminary counts, and the months of the year covered (12: a full year).
YEAR_COLUMNS: list[str] = ["provisional", "months"]
FULL_YEAR = 12
NATIONAL_ID = "PK"
NATIONAL_NAME = "Pakistan (total)"
UNLOCATED_NAME = "Pakistan (not located to a province)"


@dataclass(frozen=True)
class Breakdown:
    """How a source splits its counts: UCDP's types of violence, an incident log's categories.

    ``parameter`` is the notebooks' parameter that selects among ``categories``; ``deaths`` the
    deaths estimates the split is given for (UCDP splits the best estimate only).
    """

    name: str
    parameter: str
    categories: tuple[str, ...]
    deaths: tuple[str, ...] = ("deaths_best",)

    def columns(self, measure: str) -> list[str]:
        """The panel columns of ``measure`` (``events``, ``deaths`` or ``injured``) by category."""
        return [f"{measure}_{c}" for c in self.categories]


@dataclass(frozen=True)
class Coverage:
    """What a source covers: years, levels, layouts, measures, breakdown.

    ``complete`` is False for a source that may lack some unit-years inside its years (a published
    series that gives some provinces or years only): its panels then hold missing cells.
    ``months`` lists the years not covered in full, as ``(year, months covered)`` pairs: a partial
    year (``(2026, 2)``: January and February) or a year no release covers (``(2023, 0)``: every
    measure missing); every other year is covered in full. ``provisional_years`` are the years of
    preliminary counts.
    """

    first_year: int
    last_year: int
    levels: tuple[str, ...]
    layouts: tuple[str, ...] = LAYOUTS
    measures: tuple[str, ...] = ("events", "deaths_best")
    breakdown: Breakdown | None = None
    complete: bool = True
    district_sets: tuple[str, ...] = DISTRICT_SETS
    months: tuple[tuple[int, int], ...] = ()
    provisional_years: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        unknown = [m for m in self.measures if m not in MEASURES]
        if unknown or any(lv not in LEVELS for lv in self.levels):
            raise ParameterError(f"coverage: unknown measure(s) {unknown} or level(s) {list(self.levels)}; "
                                 f"measures: {', '.join(MEASURES)}; levels: {', '.join(LEVELS)}")
        odd = [(y, m) for y, m in self.months if not (0 <= m < FULL_YEAR and self.first_year <= y <= self.last_year)]
        if odd:
            raise ParameterError(f"coverage: months must pair a year of {self.first_year}-{self.last_year} with 0-11 "
                                 f"months covered (a full year is not listed); got {odd}")

    @property
    def years(self) -> tuple[int, int]:
        return self.first_year, self.last_year

    def months_in(self, year: int) -> int:
        """The months of ``year`` the source covers (12 for a full year, 0 for a year no release covers)."""
        return dict(self.months).get(int(year), FULL_YEAR)

    @property
    def partial_years(self) -> tuple[int, ...]:
        """Years covered in part only (some months): no annual figure is computed from them."""
        return tuple(y for y, m in self.months if m > 0)

    @property
    def missing_years(self) -> tuple[int, ...]:
        """Years inside the coverage that nothing covers (a gap between releases): every cell missing."""
        return tuple(y for y, m in self.months if m == 0)

    def full_years(self, start: int | None = None, end: int | None = None) -> list[int]:
        """The years covered in full, within ``start``-``end`` (default the whole coverage)."""
        lo = self.first_year if start is None else max(start, self.first_year)
        hi = self.last_year if end is None else min(end, self.last_year)
        return [y for y in range(lo, hi + 1) if self.months_in(y) == FULL_YEAR]

    def has(self, measure: str) -> bool:
        """True when the source counts ``measure`` (a key of :data:`MEASURES`)."""
        return measure in self.measures

    @property
    def deaths_estimates(self) -> tuple[str, ...]:
        """The deaths estimates the source gives (``best``, and ``low``/``high`` where it has them)."""
        return tuple(m.removeprefix("deaths_") for m in ("deaths_best", "deaths_low", "deaths_high")
                     if m in self.measures)

    def describe(self) -> str:
        """One line: years, levels and measures."""
        parts = [f"{self.first_year}-{self.last_year}", "levels " + ", ".join(self.levels),
                 "measures " + ", ".join(self.measures)]
        if self.breakdown:
            parts.append(f"by {self.breakdown.name}")
        parts += [f"{y}: {m} of 12 months" for y in self.partial_years for m in [self.months_in(y)]]
        if self.missing_years:
            parts.append(f"no data {year_span(self.missing_years)}")
        if self.provisional_years:
            parts.append(f"provisional {year_span(self.provisional_years)}")
        return "; ".join(parts)


def year_span(years: Sequence[int]) -> str:
    """Years in words: ``2022-2025``, ``2026``, or ``2019, 2022-2025`` for runs with holes."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else f"{r[0]}" for r in runs)


class ViolenceSource(ABC):
    """A source of violence counts (see the module docstring). Subclasses set the attributes and
    implement :meth:`_panel`.

    Attributes
    ----------
    id:
        What ``violence_source`` names (a catalog id, a registered analyst's id).
    label:
        A short name with years, for captions (``UCDP GED 22.1 (1989-2021)``).
    title, kind_label:
        The source's own title, and what kind of source it is, in words (display only).
    definition:
        What an event (incident) and a death count, in the source's own terms.
    coverage:
        :class:`Coverage`.
    provenance:
        Source ids for footnotes (catalog ids; the registered id of an analyst's source).
    caveat:
        What an analyst must keep in mind when reading the counts (shown with audit results).
    provisional:
        True when some of the counts are preliminary (UCDP Candidate releases): marked wherever they
        appear; which years, ``coverage.provisional_years`` says, and each panel row's ``provisional``.
    """

    id: str
    label: str
    title: str
    kind_label: str
    definition: str
    coverage: Coverage
    provenance: list[str]
    caveat: str = ""
    provisional: bool = False

    # ------------------------------------------------------------------ panels

    def panel(self, level: str = "province", layout: str = "current",
              district_set: str = "census2023") -> pd.DataFrame:
        """Unit-year counts in the one schema, for ``level`` (national, province, district).

        ``attrs``: ``sources`` (the provenance), ``source_id``, ``coverage``.
        """
        self.check_level(level, layout, district_set)
        out = self._panel(level, layout, district_set)
        out = conform(out, self, level=level, layout=layout)
        return out

    @abstractmethod
    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        """The panel, with at least :data:`PANEL_KEY` (``source_id`` may be left out) and the measures."""

    def check_level(self, level: str, layout: str = "current", district_set: str = "census2023") -> None:
        """Refuse a level, layout or district set the source does not give, naming what it gives."""
        if level not in LEVELS:
            raise ParameterError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
        if level not in self.coverage.levels:
            raise ParameterError(f"{self.label} ({self.id!r}) gives {', '.join(self.coverage.levels)} figures "
                                 f"only, not {level}: use level={self.coverage.levels[-1]!r}")
        if layout not in self.coverage.layouts:
            raise ParameterError(f"layout must be one of {', '.join(self.coverage.layouts)} for {self.id!r}; "
                                 f"got {layout!r}")
        if level == "district" and district_set not in self.coverage.district_sets:
            raise ParameterError(f"district_set must be one of {', '.join(self.coverage.district_sets)}; "
                                 f"got {district_set!r}")

    # ------------------------------------------------------------------ words

    def measure_labels(self, deaths_estimate: str = "best", categories: Sequence[str] | None = None) -> dict[str, str]:
        """What ``events`` and ``deaths`` count, for axis labels and captions."""
        only = f" ({', '.join(categories)} only)" if categories else ""
        return {"events": f"incidents{only}, {self.title}", "deaths": f"persons killed{only}, {self.title}"}

    def measure_definition(self, measure: str) -> str:
        """What ``measure`` (``incidents``, ``killed``, ``injured``) counts in this source."""
        what = {"incidents": "incidents", "killed": "persons killed (all parties)", "injured": "persons injured"}
        return f"{what.get(measure, measure)} in {self.title}: {self.definition}"

    def province_series(self, measure: str, layout: str) -> pd.DataFrame:
        """One measure (``incidents``, ``killed``, ``injured``) per province and year, plus ``PK``, the national
        total, long, with what it counts on each row (``unit_id``, ``unit_name``, ``unit_level``, ``year``,
        ``value``, ``definition``). ``attrs``: ``sources``, ``coverage`` (years), ``label``."""
        column = SERIES_MEASURES.get(measure)
        if column is None:
            raise ParameterError(f"measure must be one of {', '.join(SERIES_MEASURES)}; got {measure!r}")
        if not self.coverage.has(column):
            word = {"incidents": "incidents", "killed": "deaths", "injured": "injuries"}[measure]
            raise ParameterError(f"{self.title} records no {word}: compare another measure with {self.id!r}")
        prov = self.panel("province", layout)
        nat = self.panel("national", layout)
        rows = prov[prov["unit_level"] == "province"]
        out = pd.concat([rows, nat], ignore_index=True)
        out = pd.DataFrame({"unit_id": out["unit_id"].astype(str), "unit_name": out["unit_name"].astype(str),
                            "unit_level": out["unit_level"].astype(str), "year": out["year"].astype("int64"),
                            "value": out[column].astype("float64"), "definition": self.measure_definition(measure)})
        out.attrs["sources"] = list(prov.attrs["sources"])
        out.attrs["coverage"] = self.coverage.years
        out.attrs["label"] = self.title
        return out

    def events(self) -> pd.DataFrame | None:
        """Public event-level records with actor coding, where the source has them (UCDP); else None.

        An analyst's source never returns its rows here: reports show it as aggregates only.
        """
        return None

    def placement(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """How far the source's records could be placed (summary and checks, aggregates only), where
        the workbench placed them at read time (an incident log); else None."""
        return None

    def placed(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The public event records and their assignment to units (one row per event ``id``, the columns of
        :func:`workbench.geo.placement.assign_events`), where the source has such records; else None."""
        return None

    def perpetrators(self) -> pd.DataFrame | None:
        """An analyst's records' perpetrator names with where, when and how many were killed (``perpetrator``,
        ``province``, ``year``, ``date_start``, ``date_end``, ``killed``), where the source records them; else None.

        Private: aggregate before anything is shown.
        """
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id!r}: {self.label}>"


# --------------------------------------------------------------------------- the one schema


def measure_columns(source: ViolenceSource) -> list[str]:
    """Every measure column of a source's panels, in order (missing ones are NaN)."""
    cols = list(MEASURES)
    b = source.coverage.breakdown
    if b is not None:
        cols += b.columns("events") + b.columns("deaths") + b.columns("injured")
    return cols


def conform(df: pd.DataFrame, source: ViolenceSource, *, level: str, layout: str) -> pd.DataFrame:
    """Bring a panel into the one schema: key columns typed, every measure present (NaN where lacking), and
    ``provisional`` and ``months`` per row from the coverage (:data:`YEAR_COLUMNS`)."""
    out = df.copy()
    out["source_id"] = source.id
    out["layout"] = layout
    for col in measure_columns(source):
        if col not in out:
            out[col] = np.nan
        elif col.split("_")[0] in ("events", "deaths", "injured") and not _counted(source, col):
            out[col] = np.nan
    out["year"] = out["year"].astype("int64")
    cov = source.coverage
    out["provisional"] = out["year"].isin(cov.provisional_years).astype(bool)
    out["months"] = out["year"].map(cov.months_in).astype("int64")
    uncovered = out["months"].eq(0)
    if uncovered.any():  # a year nothing covers is missing, never zero
        cols = measure_columns(source)
        out[cols] = out[cols].astype("float64")
        out.loc[uncovered, cols] = np.nan
    out = out[[*PANEL_KEY, *measure_columns(source), *YEAR_COLUMNS]].reset_index(drop=True)
    for c in ("source_id", "layout", "unit_id", "unit_name", "unit_level", "province"):
        out[c] = out[c].astype("string")
    out.attrs["sources"] = list(dict.fromkeys([*df.attrs.get("sources", []), *source.provenance]))
    out.attrs["source_id"] = source.id
    out.attrs["coverage"] = source.coverage
    out.attrs["level"] = level
    out.attrs["provisional"] = source.provisional
    return out


def _counted(source: ViolenceSource, column: str) -> bool:
    """Whether a measure column is one the source counts (a breakdown column follows its base measure)."""
    if column in MEASURES:
        return source.coverage.has(column)
    b = source.coverage.breakdown
    base = column.split("_")[0]
    if base == "deaths":
        return b is not None and bool(b.deaths)
    return source.coverage.has("injured") if base == "injured" else True


def national_from(panel: pd.DataFrame, measures: Sequence[str]) -> pd.DataFrame:
    """The national rows of a source that covers every unit: the sum of a province panel, PK row included."""
    sums = panel.groupby("year", as_index=False)[list(measures)].sum(min_count=1)
    sums.insert(0, "province", NATIONAL_ID)
    sums.insert(0, "unit_level", "country")
    sums.insert(0, "unit_name", NATIONAL_NAME)
    sums.insert(0, "unit_id", NATIONAL_ID)
    sums.attrs["sources"] = list(panel.attrs.get("sources", []))
    return sums
