"""UCDP GED releases as violence sources: events of organised violence, placed in units, as panels.

* :class:`UcdpGedSource`: the shipped release (GED 22.1, Pakistan extract, catalog id ``ucdp_ged_pak``),
  read from the panels that ``workbench data build`` commits under ``data/processed/`` (built from the
  events by :mod:`workbench.geo.placement` and :mod:`workbench.sources.ucdp_panels`), so a report never
  re-places 6,416 events;
* :class:`UcdpReleaseSource`: any other release of the catalog (GED 25.1, 26.1, a Candidate release),
  whose panels are built from its events when first asked for (read, placed, summed) and kept for the
  process.

Measures: events; deaths best, low and high estimates; civilian deaths; no injuries. Breakdown:
UCDP's types of violence (``violence_types``: state-based, non-state, one-sided), deaths by type
for the best estimate only.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.sources.base import Breakdown, Coverage, ViolenceSource, national_from
from workbench.sources.releases import Release, release_events
from workbench.sources.ucdp import DATASET_ID, read_ged
from workbench.sources.ucdp_panels import FIRST_YEAR, LAST_YEAR, VIOLENCE_TYPES, district_year, province_year
from workbench.store import read_processed

TYPES = Breakdown(name="type of violence (UCDP)", parameter="violence_types", categories=VIOLENCE_TYPES,
                  deaths=("deaths_best",))
MEASURES = ("events", "deaths_best", "deaths_low", "deaths_high", "deaths_civilians")
LEVELS = ("national", "province", "district")
DEFINITION = ("events of organised violence (state-based, non-state or one-sided) with at least one death; attacks "
              "without deaths are not events")
CAVEAT = ("UCDP GED 22.1 records organised violence (state-based, non-state, one-sided) with at least one death, "
          "not terrorist attacks; it has no injuries and ends 2021.")
PROCESSED = {"province": "violence_province_year", "census2023": "violence_district_year_census2023",
             "stable": "violence_district_year_stable"}


class UcdpEventsSource(ViolenceSource):
    """What every UCDP source shares: the words, and the panel columns made from UCDP's province and district
    tables (:mod:`workbench.sources.ucdp_panels`). Subclasses give :meth:`_table`."""

    kind_label = "UCDP GED release"

    def _table(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        """The province-year (level national or province) or district-year table of ``layout``."""
        raise NotImplementedError

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        p = self._table(level, layout, district_set).copy()
        for t in VIOLENCE_TYPES:
            p[f"deaths_{t}"] = p[f"deaths_best_{t}"]
        if level == "national":
            return national_from(p, [*MEASURES, *TYPES.columns("events"), *TYPES.columns("deaths")])
        return p

    def measure_labels(self, deaths_estimate: str = "best", categories: Sequence[str] | None = None) -> dict[str, str]:
        return {"events": "UCDP events (organised violence with at least one death)",
                "deaths": f"UCDP deaths ({deaths_estimate} estimate)"}

    def measure_definition(self, measure: str) -> str:
        return {
            "incidents": f"{self.title} events: incidents of organised violence (state-based, non-state or one-sided) "
                         "with at least one death; attacks without deaths are not events",
            "killed": f"{self.title} best estimate of deaths in those events (all parties, civilians included)",
        }.get(measure, super().measure_definition(measure))


class UcdpGedSource(UcdpEventsSource):
    """The shipped UCDP GED release (22.1), from its committed panels."""

    def __init__(self) -> None:
        self.id = DATASET_ID
        self.version = "22.1"
        self.title = "UCDP GED 22.1"
        self.label = f"UCDP GED 22.1 ({FIRST_YEAR}-{LAST_YEAR})"
        self.definition = DEFINITION
        self.coverage = Coverage(first_year=FIRST_YEAR, last_year=LAST_YEAR, levels=LEVELS, measures=MEASURES,
                                 breakdown=TYPES)
        self.provenance = [DATASET_ID]
        self.caveat = CAVEAT

    def _table(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        p = read_processed(PROCESSED["province" if level in ("national", "province") else district_set])
        return p[p["layout"] == layout]

    def events(self) -> pd.DataFrame:
        """The release's events (typed, validated), with UCDP's actor and conflict coding."""
        return read_ged()

    def placed(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The events and the committed assignment to units (``workbench data build``)."""
        return self.events(), read_processed("ucdp_event_assignment")


class UcdpReleaseSource(UcdpEventsSource):
    """A yearly UCDP GED release other than the shipped 22.1 (25.1, 26.1 ...), with panels built from its events on
    first use.

    Parameters
    ----------
    release:
        The release (:func:`workbench.sources.releases.ged_release`).
    """

    def __init__(self, release: Release) -> None:
        self.release = release
        self.id = release.id
        self.version = release.version
        self.title = release.label
        self.label = f"{release.label} ({release.first_year}-{release.last_year})"
        self.definition = DEFINITION
        self.coverage = Coverage(first_year=release.first_year, last_year=release.last_year, levels=LEVELS,
                                 measures=MEASURES, breakdown=TYPES)
        self.provenance = [release.id]
        self.caveat = release_caveat(release)
        self._placed: tuple[pd.DataFrame, pd.DataFrame] | None = None

    def _table(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        return table_from_events(*self.placed(), level, layout, district_set, self.coverage)

    def events(self) -> pd.DataFrame:
        """The release's Pakistan events (typed, validated), with UCDP's actor and conflict coding."""
        return self.placed()[0].copy()

    def placed(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The events and their assignment to units (:func:`workbench.geo.placement.assign_events`), made once."""
        if self._placed is None:
            self._placed = place(release_events(self.release))
        return self._placed


def place(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and their assignment to units (:func:`workbench.geo.placement.assign_events`)."""
    from workbench.geo.placement import assign_events

    return events, assign_events(events)


def table_from_events(events: pd.DataFrame, assignment: pd.DataFrame, level: str, layout: str, district_set: str,
                      coverage: Coverage) -> pd.DataFrame:
    """The province-year (level national or province) or district-year table of placed events, over the coverage's
    years; its sources are the events' and the boundary layers that placed them."""
    first, last = coverage.years
    if level in ("national", "province"):
        p = province_year(events, assignment, layout, first_year=first, last_year=last)
    else:
        p = district_year(events, assignment, layout, district_set, first_year=first, last_year=last)
    p.attrs["sources"] = list(dict.fromkeys([*p.attrs.get("sources", []), *assignment.attrs.get("sources", [])]))
    return p


def release_caveat(release: Release) -> str:
    """What an analyst must keep in mind about a release's counts."""
    base = ("UCDP records organised violence (state-based, non-state, one-sided) with at least one death, not "
            "terrorist attacks; it has no injuries.")
    if release.provisional:
        return (f"{base} {release.label} holds preliminary (provisional) Candidate events: UCDP revises them, and may "
                "drop them, before they enter a yearly GED release; some still carry a check flag (code_status).")
    return f"{base} {release.label} ends {release.last_year}; each yearly release revises the earlier years."
