"""UCDP Candidate releases as violence sources: alone, or appended to a yearly GED release.

Candidate events are UCDP's preliminary monthly events: provisional, revised and sometimes dropped
before a yearly release takes them in. Several Candidate releases are combined by event ``id``, the
newest release's row winning (a monthly file also carries late rows of earlier months). Only events
dated in a month some release covers are counted, so that a row's ``months`` (the months of its year
covered) says what its counts cover.

:class:`UcdpCombinedSource` appends them after a yearly release's last year: ``GED 22.1 +
Candidate 26.0.2`` covers 1989-2021 in full, 2026 in part (two months, provisional) and nothing in
between: those years (2022-2025) are explicit missing cells, never zeros, and such a combination is
refused unless the gap is allowed (``allow_gap``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.sources.base import Coverage, ViolenceSource, measure_columns, year_span
from workbench.sources.releases import Release, release_events
from workbench.sources.ucdp_ged import (DEFINITION, LEVELS, MEASURES, TYPES, UcdpEventsSource, place, release_caveat,
                                        table_from_events)

#: The id of the Candidate releases present, combined (a single release keeps its catalog id).
CANDIDATE_ID = "ucdp_candidate"
LEVEL_ORDER = {"district": 0, "division": 1, "province": 2, "country": 3}
#: Candidate releases code the former FATA inside Khyber Pakhtunkhwa (no FATA ``adm_1``), and FATA membership
#: in the pre-2018 layout comes from that coding (docs/placement.md): only the current layout can be drawn.
LAYOUTS = ("current",)
NO_PRE2018 = ("UCDP Candidate releases code the former FATA inside Khyber Pakhtunkhwa (no 'Federally Administered "
              "Tribal Areas' adm_1), so their events cannot be given to FATA: the pre-2018 layout would show FATA "
              "without violence. Use layout='current'")


class _CurrentLayoutOnly:
    """Refuses the pre-2018 layout with the reason (:data:`NO_PRE2018`)."""

    def check_level(self, level: str, layout: str = "current", district_set: str = "census2023") -> None:
        if layout == "pre2018":
            raise ParameterError(f"{self.label} ({self.id!r}): {NO_PRE2018}")
        super().check_level(level, layout, district_set)


def covered_months(candidates: Sequence[Release], after_year: int | None = None) -> dict[int, set[int]]:
    """The months the releases cover together, by year (only years after ``after_year``)."""
    out: dict[int, set[int]] = {}
    for r in candidates:
        for year, months in r.months().items():
            if after_year is None or year > after_year:
                out.setdefault(year, set()).update(months)
    return dict(sorted(out.items()))


class UcdpCandidateSource(_CurrentLayoutOnly, UcdpEventsSource):
    """Candidate releases combined by event id (newest wins), counted over the months they cover.

    Parameters
    ----------
    candidates:
        The releases, any order (:func:`workbench.sources.releases.present_candidates`).
    after_year:
        Count only events after this year (the last year of the yearly release they are appended to).
    """

    provisional = True

    def __init__(self, candidates: Sequence[Release], *, after_year: int | None = None) -> None:
        if not candidates:
            raise ParameterError("no UCDP Candidate release is present (26.0.2 ships in data/raw/ucdp_candidate/)")
        self.releases = sorted(candidates, key=lambda r: r.order)
        self.after_year = after_year
        self.months_covered = covered_months(self.releases, after_year)
        versions = ", ".join(r.version for r in self.releases)
        if not self.months_covered:
            raise ParameterError(f"the UCDP Candidate releases {versions} cover no month after {after_year}")
        self.id = self.releases[0].id if len(self.releases) == 1 else CANDIDATE_ID
        self.version = versions
        self.title = f"UCDP Candidate {versions}"
        self.definition = DEFINITION
        self.provenance = [r.id for r in self.releases]
        self.caveat = release_caveat(self.releases[-1])
        years = list(self.months_covered)
        partial = tuple((y, len(m)) for y, m in self.months_covered.items() if len(m) < 12)
        holes = tuple((y, 0) for y in range(years[0], years[-1] + 1) if y not in self.months_covered)
        self.coverage = Coverage(first_year=years[0], last_year=years[-1], levels=LEVELS, layouts=LAYOUTS,
                                 measures=MEASURES, breakdown=TYPES, months=(*partial, *holes),
                                 provisional_years=tuple(years))
        spans = "; ".join(f"{y}: {len(m)} month{'s' if len(m) > 1 else ''}" for y, m in self.months_covered.items())
        self.label = f"{self.title} ({spans}, provisional)"
        self._placed: tuple[pd.DataFrame, pd.DataFrame] | None = None

    def placed(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The combined events and their assignment to units; each release is placed on its own, so that an
        unknown place name is named with its release, row and value."""
        if self._placed is None:
            events, assignments = [], []
            for r in self.releases:  # oldest first: the newest release's row of an event wins below
                ev, assignment = place(release_events(r))
                events.append(ev)
                assignments.append(assignment)
            ev = pd.concat(events, ignore_index=True)
            assignment = pd.concat(assignments, ignore_index=True)
            newest = ~ev["id"].duplicated(keep="last").to_numpy()
            ev, assignment = ev[newest], assignment[newest]
            month = ev["date_start"].dt.month.to_numpy()
            inside = np.array([m in self.months_covered.get(y, ()) for y, m in zip(ev["year"], month, strict=True)])
            left_out = {"superseded by a newer release (same event id)": int((~newest).sum()),
                        "dated outside the months the releases cover, or in a year the yearly release covers":
                            int((~inside).sum())}
            ev, assignment = ev[inside].reset_index(drop=True), assignment[inside].reset_index(drop=True)
            ev.attrs.update(sources=list(self.provenance), left_out=left_out)
            assignment.attrs["sources"] = list(dict.fromkeys([*self.provenance, *events[0].attrs.get("sources", []),
                                                              *assignments[0].attrs.get("sources", [])]))
            self._placed = (ev, assignment)
        return self._placed

    def _table(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        return table_from_events(*self.placed(), level, layout, district_set, self.coverage)

    def events(self) -> pd.DataFrame:
        """The combined Candidate events counted (typed, validated), with ``release`` and UCDP's ``code_status``."""
        return self.placed()[0].copy()


class UcdpCombinedSource(_CurrentLayoutOnly, ViolenceSource):
    """A yearly GED release followed by Candidate releases after its last year.

    Parameters
    ----------
    base:
        The yearly release (the shipped :class:`~workbench.sources.ucdp_ged.UcdpGedSource` or a
        :class:`~workbench.sources.ucdp_ged.UcdpReleaseSource`).
    candidates:
        The Candidate releases to append.
    allow_gap:
        Accept years between the two that nothing covers (their cells are missing, never zero).

    Raises
    ------
    ParameterError
        The Candidate releases cover no year after the base's last, or leave a gap and ``allow_gap`` is False.
    """

    kind_label = "UCDP GED release with Candidate releases"
    provisional = True

    def __init__(self, base: UcdpEventsSource, candidates: Sequence[Release], *, allow_gap: bool = False) -> None:
        last = base.coverage.last_year
        if not covered_months(candidates, last):
            covers = ", ".join(f"{r.version} ({year_span(list(r.months()))})" for r in candidates)
            raise ParameterError(f"with_candidate: the Candidate releases present ({covers or 'none'}) cover no year "
                                 f"after {base.title}'s last year ({last}): there is nothing to append; choose "
                                 "with_candidate=false")
        self.base = base
        self.candidate = cand = UcdpCandidateSource(candidates, after_year=last)
        gap = list(range(last + 1, cand.coverage.first_year))
        if gap and not allow_gap:
            raise ParameterError(
                f"{base.title} ends {last} and the Candidate releases ({cand.version}) start "
                f"{cand.coverage.first_year}: {year_span(gap)} would have no data. Pass allow_gap=true to keep those "
                "years as missing cells (never zeros), or choose a later ged_release (the newest present: "
                "ged_release=latest)")
        self.gap = gap
        self.id = f"{base.id}+candidate"
        self.title = f"{base.title} + Candidate {cand.version}"
        self.label = (f"{base.label} + {cand.label}" + (f"; no data {year_span(gap)}" if gap else ""))
        self.definition = DEFINITION
        bc, cc = base.coverage, cand.coverage
        self.coverage = Coverage(first_year=bc.first_year, last_year=cc.last_year, levels=LEVELS, layouts=LAYOUTS,
                                 measures=MEASURES, breakdown=TYPES,
                                 months=(*bc.months, *((y, 0) for y in gap), *cc.months),
                                 provisional_years=cc.provisional_years)
        self.provenance = [*base.provenance, *cand.provenance]
        self.caveat = f"{base.caveat} {cand.caveat}" + (
            f" No release covers {year_span(gap)}: those years are missing, not zero." if gap else "")

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        parts = [self.base.panel(level, layout, district_set), self.candidate.panel(level, layout, district_set)]
        keys = ["unit_id", "unit_name", "unit_level", "province"]
        units = pd.concat([p[keys] for p in parts]).drop_duplicates(["unit_id", "unit_level", "province"])
        measures = measure_columns(self)
        filled = [_on_grid(p, units, p["year"].unique(), measures, fill=0) for p in parts]
        gap = _on_grid(parts[0].iloc[:0], units, self.gap, measures, fill=np.nan)
        out = pd.concat([filled[0], gap, filled[1]], ignore_index=True)
        out["_lv"] = out["unit_level"].astype(str).map(LEVEL_ORDER)
        out = out.sort_values(["_lv", "province", "unit_id", "year"], kind="stable").drop(columns="_lv")
        out.attrs["sources"] = list(dict.fromkeys([*parts[0].attrs["sources"], *parts[1].attrs["sources"]]))
        return out.reset_index(drop=True)

    def measure_labels(self, deaths_estimate: str = "best", categories: Sequence[str] | None = None) -> dict[str, str]:
        return self.base.measure_labels(deaths_estimate, categories)

    def measure_definition(self, measure: str) -> str:
        return f"{self.base.measure_definition(measure)}; after {self.base.coverage.last_year}: {self.candidate.title}"

    def events(self) -> pd.DataFrame:
        """The yearly release's events, then the Candidate events counted after its last year (``provisional``)."""
        return self.placed()[0]

    def placed(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The yearly release's events and assignment, then the Candidate ones (``provisional`` marks which)."""
        (base, a), (cand, b) = self.base.placed(), self.candidate.placed()
        events = pd.concat([base.assign(provisional=False), cand.assign(provisional=True)], ignore_index=True)
        events.attrs["sources"] = list(self.provenance)
        assignment = pd.concat([a, b], ignore_index=True)
        assignment.attrs["sources"] = list(dict.fromkeys([*a.attrs.get("sources", []), *b.attrs.get("sources", [])]))
        return events, assignment


def _on_grid(panel: pd.DataFrame, units: pd.DataFrame, years, measures: list[str], *, fill: float) -> pd.DataFrame:
    """``panel`` on every unit and year given: unit-years it lacks get ``fill`` (0 inside a release's years, NaN in
    a gap)."""
    grid = units.merge(pd.DataFrame({"year": sorted(years)}, dtype="int64"), how="cross")
    key = ["unit_id", "unit_level", "province", "year"]
    have = panel[[*key, *measures]] if len(panel) else pd.DataFrame(columns=[*key, *measures])
    out = grid.merge(have, on=key, how="left")
    out[measures] = out[measures].astype("float64").fillna(fill)
    return out
