"""Revisions between two UCDP releases: events added, removed and changed, by year and province.

Each yearly GED release revises every earlier year, and a Candidate event may change or vanish
before a yearly release takes it in. :func:`revisions` compares two releases over the months both
cover, event by event, matched by UCDP's event ``id``:

* ``added``: in the newer release only; ``removed``: in the older only;
* ``changed``: in both, with other deaths (``best``, ``low`` or ``high``), another location
  (coordinates, ``where_prec``, ``adm_1``/``adm_2``, or the unit the workbench places it in) or
  another type of violence; ``unchanged`` otherwise.

An event that UCDP re-identified (gave a new id) or merged into another shows as removed and added,
not as changed (:data:`NOTE`). Provinces are those of the current layout, as placed by
:func:`workbench.geo.placement.assign_events`. In the table by year and province, each release's
events and deaths count where that release places them; the statuses count where the newer release
places the event (a removed event: where the older did), so an event moved to another province is
one ``changed`` there, and leaves the older release's count of its first province.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.sources.base import year_span
from workbench.sources.releases import Release, release_events
from workbench.sources.ucdp_ged import place

NOTE = ("Events are matched by UCDP's event id: an event that UCDP re-identified (gave a new id) or merged into "
        "another shows as removed and added, not as changed.")
DEATHS = ["best", "low", "high"]
LOCATION = ["latitude", "longitude", "where_prec", "adm_1", "adm_2", "unit_id"]
STATUSES = ("added", "removed", "changed", "unchanged")
EVENT_COLUMNS = ["id", "status", "year", "province", "changed_deaths", "changed_location", "changed_type",
                 "year_old", "province_old", "deaths_best_old", "year_new", "province_new", "deaths_best_new"]
SUMMARY_COLUMNS = ["year", "province", "events_old", "events_new", *STATUSES, "changed_deaths", "changed_location",
                   "changed_type", "deaths_best_old", "deaths_best_new", "deaths_best_change"]


@dataclass(frozen=True)
class Revisions:
    """What changed from ``old`` to ``new``: per event, per year and province, and the months compared."""

    old: str
    new: str
    events: pd.DataFrame
    summary: pd.DataFrame
    months: dict[int, set[int]]

    @property
    def compared(self) -> str:
        """The months compared, in words (``1989-2021``; ``2026: months 1-2``), or ``nothing`` when none."""
        if not self.months:
            return "nothing (the two releases cover no common month)"
        full = [y for y, m in self.months.items() if len(m) == 12]
        parts = [year_span(full)] if full else []
        parts += [f"{y}: months {min(m)}-{max(m)}" for y, m in self.months.items() if len(m) < 12]
        return "; ".join(parts)

    def totals(self) -> dict[str, int]:
        """Events by status over everything compared."""
        return {s: int((self.events["status"] == s).sum()) for s in STATUSES}


def common_months(old: Release, new: Release) -> dict[int, set[int]]:
    """The months both releases cover, by year."""
    a, b = old.months(), new.months()
    return {y: a[y] & b[y] for y in sorted(set(a) & set(b)) if a[y] & b[y]}


def revisions(old: Release, new: Release) -> Revisions:
    """Events added, removed and changed from release ``old`` to release ``new`` (see the module docstring)."""
    months = common_months(old, new)
    before = _placed_in(old, months)
    after = _placed_in(new, months)
    out = compare_events(before, after, old=old.label, new=new.label, months=months)
    sources = list(dict.fromkeys([old.id, new.id, *before.attrs.get("sources", []), *after.attrs.get("sources", [])]))
    out.events.attrs["sources"] = out.summary.attrs["sources"] = sources
    return out


def _placed_in(release: Release, months: dict[int, set[int]]) -> pd.DataFrame:
    """The release's events dated in ``months``, with the unit and current-layout province they are placed in."""
    events = release_events(release)
    inside = [m in months.get(y, ()) for y, m in zip(events["year"], events["date_start"].dt.month, strict=True)]
    events = events[np.array(inside, dtype=bool)].reset_index(drop=True)
    if events.empty:
        return events.assign(unit_id=pd.Series(dtype="string"), province=pd.Series(dtype="string"))
    _, assignment = place(events)
    placed = assignment[["id", "unit_id", "province_current"]].rename(columns={"province_current": "province"})
    out = events.merge(placed, on="id", validate="one_to_one")
    out.attrs["sources"] = list(assignment.attrs.get("sources", []))
    return out


def compare_events(before: pd.DataFrame, after: pd.DataFrame, *, old: str, new: str,
                   months: dict[int, set[int]]) -> Revisions:
    """Compare two releases' placed events (``id``, ``year``, ``province``, ``unit_id``, deaths, location, type)."""
    cols = ["id", "year", "province", "type_of_violence", *DEATHS, *[c for c in LOCATION if c != "unit_id"], "unit_id"]
    m = before[cols].merge(after[cols], on="id", how="outer", suffixes=("_old", "_new"), indicator=True)
    both = m["_merge"].eq("both").to_numpy()

    def differs(columns: list[str]) -> np.ndarray:
        out = np.zeros(len(m), dtype=bool)
        for c in columns:
            a, b = m[f"{c}_old"], m[f"{c}_new"]
            out |= (a.astype("string").fillna("") != b.astype("string").fillna("")).to_numpy()
        return out & both

    ev = pd.DataFrame({"id": m["id"].astype("int64")})
    ev["changed_deaths"] = differs(DEATHS)
    ev["changed_location"] = differs(LOCATION)
    ev["changed_type"] = differs(["type_of_violence"])
    changed = ev[["changed_deaths", "changed_location", "changed_type"]].any(axis=1).to_numpy()
    ev["status"] = np.select([m["_merge"].eq("right_only"), m["_merge"].eq("left_only"), changed],
                             ["added", "removed", "changed"], "unchanged")
    removed = ev["status"].eq("removed").to_numpy()
    ev["year"] = np.where(removed, m["year_old"], m["year_new"]).astype("int64")
    ev["province"] = pd.array(np.where(removed, m["province_old"].astype(object), m["province_new"].astype(object)),
                              dtype="string")
    for side in ("old", "new"):
        ev[f"year_{side}"] = m[f"year_{side}"].astype("Int64")
        ev[f"province_{side}"] = m[f"province_{side}"].astype("string")
        ev[f"deaths_best_{side}"] = m[f"best_{side}"].astype("Int64")
    ev = ev[EVENT_COLUMNS].sort_values(["year", "province", "id"], kind="stable").reset_index(drop=True)
    return Revisions(old=old, new=new, events=ev, summary=summarise(ev), months=months)


def summarise(events: pd.DataFrame) -> pd.DataFrame:
    """Per year and province: each release's events and deaths (best) where it places them, and the events by
    status where the newer release places them (a removed one: where the older did)."""
    key = ["year", "province"]
    statuses = (events.assign(**{s: events["status"].eq(s) for s in STATUSES})
                .groupby(key)[[*STATUSES, "changed_deaths", "changed_location", "changed_type"]].sum())
    sides = []
    for side in ("old", "new"):
        rows = events[events[f"year_{side}"].notna()]
        sides.append(rows.groupby([f"year_{side}", f"province_{side}"])
                     .agg(**{f"events_{side}": ("id", "size"), f"deaths_best_{side}": (f"deaths_best_{side}", "sum")})
                     .rename_axis(key))
    out = pd.concat([*sides, statuses], axis=1).fillna(0).reset_index()
    out["deaths_best_change"] = out["deaths_best_new"] - out["deaths_best_old"]
    for c in SUMMARY_COLUMNS[2:]:
        out[c] = out[c].astype("int64")
    out["year"] = out["year"].astype("int64")
    return out[SUMMARY_COLUMNS].sort_values(key, kind="stable").reset_index(drop=True)


def comparable_pairs() -> list[tuple[Release, Release]]:
    """Pairs of releases present that cover a common month, older first: each yearly release with the next one,
    and each Candidate release with the newest yearly release that covers its months."""
    from workbench.sources.releases import present, releases

    ged = [r for r in releases("ged") if present(r)]
    pairs = list(zip(ged, ged[1:]))
    for cand in (r for r in releases("candidate") if present(r)):
        later = [g for g in ged if common_months(cand, g)]
        if later:
            pairs.append((cand, later[-1]))
    return pairs
