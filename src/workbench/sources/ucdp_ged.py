"""UCDP GED as a violence source: events of organised violence, placed in units, as panels.

The shipped release (GED 22.1, Pakistan extract, catalog id ``ucdp_ged_pak``) is read from the
panels that ``workbench data build`` commits under ``data/processed/`` (built from the events by
:mod:`workbench.geo.placement` and :mod:`workbench.sources.ucdp_panels`), so a report never
re-places 6,416 events.

Measures: events; deaths best, low and high estimates; civilian deaths; no injuries. Breakdown:
UCDP's types of violence (``violence_types``: state-based, non-state, one-sided), deaths by type
for the best estimate only.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.sources.base import Breakdown, Coverage, ViolenceSource, national_from
from workbench.sources.ucdp import DATASET_ID, read_ged
from workbench.sources.ucdp_panels import FIRST_YEAR, LAST_YEAR, VIOLENCE_TYPES
from workbench.store import read_processed

TYPES = Breakdown(name="type of violence (UCDP)", parameter="violence_types", categories=VIOLENCE_TYPES,
                  deaths=("deaths_best",))
CAVEAT = ("UCDP GED 22.1 records organised violence (state-based, non-state, one-sided) with at least one death, "
          "not terrorist attacks; it has no injuries and ends 2021.")
PROCESSED = {"province": "violence_province_year", "census2023": "violence_district_year_census2023",
             "stable": "violence_district_year_stable"}


class UcdpGedSource(ViolenceSource):
    """The shipped UCDP GED release (22.1), from its committed panels."""

    kind_label = "UCDP GED release"

    def __init__(self) -> None:
        self.id = DATASET_ID
        self.version = "22.1"
        self.title = "UCDP GED 22.1"
        self.label = f"UCDP GED 22.1 ({FIRST_YEAR}-{LAST_YEAR})"
        self.definition = ("events of organised violence (state-based, non-state or one-sided) with at least one "
                           "death; attacks without deaths are not events")
        self.coverage = Coverage(first_year=FIRST_YEAR, last_year=LAST_YEAR,
                                 levels=("national", "province", "district"),
                                 measures=("events", "deaths_best", "deaths_low", "deaths_high", "deaths_civilians"),
                                 breakdown=TYPES)
        self.provenance = [DATASET_ID]
        self.caveat = CAVEAT

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        name = PROCESSED["province" if level in ("national", "province") else district_set]
        p = read_processed(name)
        p = p[p["layout"] == layout].copy()
        for t in VIOLENCE_TYPES:
            p[f"deaths_{t}"] = p[f"deaths_best_{t}"]
        if level == "national":
            measures = ["events", "deaths_best", "deaths_low", "deaths_high", "deaths_civilians",
                        *TYPES.columns("events"), *TYPES.columns("deaths")]
            return national_from(p, measures)
        return p

    def measure_labels(self, deaths_estimate: str = "best", categories: Sequence[str] | None = None) -> dict[str, str]:
        return {"events": "UCDP events (organised violence with at least one death)",
                "deaths": f"UCDP deaths ({deaths_estimate} estimate)"}

    def measure_definition(self, measure: str) -> str:
        return {
            "incidents": "UCDP GED 22.1 events: incidents of organised violence (state-based, non-state or one-sided) "
                         "with at least one death; attacks without deaths are not events",
            "killed": "UCDP GED 22.1 best estimate of deaths in those events (all parties, civilians included)",
        }.get(measure, super().measure_definition(measure))

    def events(self) -> pd.DataFrame:
        """The release's events (typed, validated), with UCDP's actor and conflict coding."""
        return read_ged()
