"""UCDP's events with their units, the actor table and an incident log's perpetrators: what the actor tables read.

* :func:`placed_events`: a source's public event records joined with their placement
  (:meth:`ViolenceSource.placed`: for GED 22.1 the committed ``ucdp_event_assignment``, for another release
  its own placement): each event's province of the layout and its
  district of the district set (or the province / ``PK`` where it was located no finer), exactly as the
  violence panels count it. Events the placement does not hold are kept as ``not placed`` and counted.
* :func:`actor_table`, :func:`perpetrator_aliases`: the reference tables ``ucdp_actors`` and
  ``perpetrator_aliases`` (every row cites its source).
* :func:`incident_perpetrators`: for an analyst's source with a ``perpetrator`` column, the records
  needed for aggregates (matched actor, province, year, persons killed) and the names that matched
  nothing, with counts. Its rows are private: callers show aggregates only.

The tables themselves are pure functions in :mod:`workbench.indicators.actors`.
"""

from __future__ import annotations

import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import DISTRICT_SETS, LAYOUTS, load_registry
from workbench.indicators.actors import ACTOR_COLUMNS, EVENT_COLUMNS, as_ids, check_actor_table, match_perpetrators
from workbench.sources import ViolenceSource, resolve
from workbench.sources.reference import read_reference

NOT_PLACED = "not placed"
EXTRA_COLUMNS = ["date_start", "date_end", "where_prec"]


def actor_table() -> pd.DataFrame:
    """The actor table ``data/reference/ucdp_actors.csv`` (checked; ``attrs["sources"]`` cites it)."""
    t = read_reference("ucdp_actors", required=ACTOR_COLUMNS)
    out = check_actor_table(t.drop(columns="record"), file=t.attrs["file"])
    out.attrs = dict(t.attrs)
    return out


def perpetrator_aliases() -> pd.DataFrame:
    """The alias table ``data/reference/perpetrator_aliases.csv``: a log's spelling -> UCDP actor."""
    t = read_reference("perpetrator_aliases", required=["alias", "actor", "actor_new_id", "basis"])
    t["actor_new_id"] = t["actor_new_id"].where(t["actor_new_id"].ne(""), pd.NA)
    return t


def placed_events(violence_source: str | ViolenceSource, layout: str = "current",
                  district_set: str = "census2023") -> pd.DataFrame | None:
    """The source's event records with ``province`` and ``district`` ids; None for a source without them.

    ``district`` is the district of ``district_set`` (a city division for Karachi in the census-2023
    set, the province id for an event located only to a province, ``PK`` for the country), and
    ``unit_level`` says which. ``attrs``: ``sources``, ``not_placed`` (events the placement does not hold),
    ``provisional``.
    """
    if layout not in LAYOUTS or district_set not in DISTRICT_SETS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)} and district_set one of "
                             f"{', '.join(DISTRICT_SETS)}; got {layout!r}, {district_set!r}")
    source = resolve(violence_source)
    placed = source.placed()
    if placed is None:
        return None
    events, assignment = placed
    missing = [c for c in [*EVENT_COLUMNS, *EXTRA_COLUMNS] if c not in events.columns]
    if missing:
        raise ParameterError(f"{source.label}: its event records lack column(s) {missing}")
    a = assignment[["id", "unit_id", "unit_level", "stable_id", f"province_{layout}"]].rename(
        columns={f"province_{layout}": "province"})
    out = events[[*EVENT_COLUMNS, *EXTRA_COLUMNS]].merge(a, on="id", how="left", validate="one_to_one")
    placed = out["unit_id"].notna()
    level = out["unit_level"].astype("object")
    district = out["unit_id"].astype("object")
    if district_set == "stable":
        finer = level.isin(["district", "division"]) & out["stable_id"].fillna("").ne("")
        district[finer] = out.loc[finer, "stable_id"]
        level[finer] = "district"
    only_province = level.eq("province")
    district[only_province] = out.loc[only_province, "province"]
    out["district"] = district.where(placed, NOT_PLACED)
    out["province"] = out["province"].where(placed, NOT_PLACED)
    out["unit_level"] = level.where(placed, NOT_PLACED)
    for c in ("side_a_new_id", "side_b_new_id", "dyad_new_id", "conflict_new_id"):
        out[c] = as_ids(out[c])
    out = out.drop(columns=["unit_id", "stable_id"])
    out.attrs["sources"] = list(dict.fromkeys([*events.attrs.get("sources", source.provenance), *source.provenance,
                                               *assignment.attrs.get("sources", [])]))
    out.attrs["not_placed"] = {"events": int((~placed).sum()), "deaths_best": int(out.loc[~placed, "best"].sum())}
    out.attrs["provisional"] = source.provisional
    out.attrs["label"] = source.label
    return out


def unit_names(ids: pd.Series) -> pd.Series:
    """Registry names of unit ids (``PK``: Pakistan, not located to a province; unknown ids kept)."""
    known = load_registry().mapping("name")
    names = {u: known.get(u, u) for u in pd.unique(ids.astype(str))}
    names["PK"] = "Pakistan (not located to a province)"
    return ids.astype(str).map(names)


def incident_perpetrators(violence_source: str | ViolenceSource, *, grouped: bool = True
                          ) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """An analyst's source's perpetrators matched to actors: ``(records, unmatched)``, or None.

    None when the source has public event records (use :func:`placed_events`) or no ``perpetrator``
    column with any value. ``records`` (private: aggregate before showing) has ``actor``,
    ``province``, ``year``, ``date_start``, ``date_end``, ``killed``; ``unmatched`` lists the names
    that match no alias, with their counts: they stay in ``records`` under their own name.
    """
    source = resolve(violence_source)
    log = source.perpetrators()
    if log is None:
        return None
    aliases = perpetrator_aliases()
    actor, unmatched = match_perpetrators(log["perpetrator"], aliases)
    sources = [source.id, *aliases.attrs["sources"]]
    if grouped:
        table = actor_table()
        ids = actor.map(dict(zip(aliases["actor"], aliases["actor_new_id"], strict=True)))
        group = ids.map(table.set_index("actor_new_id")["group_name"]).fillna("")
        actor = actor.where(group.eq(""), group)
        sources += table.attrs["sources"]
    records = pd.DataFrame({"actor": actor.to_numpy(), "province": log["province"].astype("string").to_numpy(),
                            "year": log["year"].to_numpy(), "date_start": log["date_start"].to_numpy(),
                            "date_end": log["date_end"].to_numpy(), "killed": log["killed"].to_numpy()})
    records.attrs["sources"] = sources
    unmatched.attrs["sources"] = [source.id, *aliases.attrs["sources"]]
    return records, unmatched
