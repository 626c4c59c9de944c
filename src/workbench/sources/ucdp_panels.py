"""Unit-year violence panels from placed UCDP events.

Two levels, both layouts:

* province-year: one row per province of the layout (pre-2018: with FATA ``PK-TA``; current: FATA
  inside Khyber Pakhtunkhwa) and year, plus a ``PK`` row for events that no province can hold;
* district-year, on two district sets: the 2023 census set (``census2023``) and the stable set
  (``stable``, the finest partition every vintage nests in). Events located only to a
  multi-district city (Karachi) sit in a division row in the census-2023 set; events located only
  to a province sit in a row for that province (``unit_level`` = ``province``); unlocated events in
  ``PK``. So every event is counted exactly once, and the district panel summed over a province
  equals the province panel.

In the pre-2018 layout a district is split by the events' own pre-2018 province where UCDP's
coding puts some of its events in FATA (e.g. Kohat holds the former FR Kohat): the key of a
district panel is (``unit_id``, ``province``, ``year``).

Years with no events are zeros, not missing. The years are the release's (``first_year``,
``last_year``; :data:`FIRST_YEAR`-:data:`LAST_YEAR` are those of the shipped GED 22.1, whose panels
the build commits). Columns are documented in ``docs/codebook.md``; :data:`PANEL_COLUMNS` fixes
their order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import DISTRICT_SETS, LAYOUTS, DistrictSet, Layout, Registry, load_registry

#: The years of the shipped release, UCDP GED 22.1 (another release passes its own).
FIRST_YEAR, LAST_YEAR = 1989, 2021

VIOLENCE_TYPES = ("state_based", "non_state", "one_sided")
MEASURES = [
    "events", "deaths_best", "deaths_low", "deaths_high",
    *[f"events_{t}" for t in VIOLENCE_TYPES],
    *[f"deaths_best_{t}" for t in VIOLENCE_TYPES],
    "deaths_side_a", "deaths_side_b", "deaths_civilians", "deaths_unknown",
]
#: The assignment columns a panel needs from each event (besides its measures).
PLACE_COLUMNS = ["year", "unit_id", "unit_level", "stable_id", "province_current", "province_pre2018"]
KEY_COLUMNS = ["layout", "unit_id", "unit_name", "unit_level", "province", "year"]
PANEL_COLUMNS = [*KEY_COLUMNS, *MEASURES]


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def event_measures(events: pd.DataFrame) -> pd.DataFrame:
    """Per-event measure columns (one row per event, by ``id``) that panels sum."""
    e = events
    out = pd.DataFrame({"id": e["id"].to_numpy()})
    out["events"] = 1
    out["deaths_best"] = e["best"].to_numpy()
    out["deaths_low"] = e["low"].to_numpy()
    out["deaths_high"] = e["high"].to_numpy()
    for code, name in enumerate(VIOLENCE_TYPES, start=1):
        is_type = (e["type_of_violence"] == code).to_numpy()
        out[f"events_{name}"] = is_type.astype("int64")
        out[f"deaths_best_{name}"] = np.where(is_type, e["best"].to_numpy(), 0)
    out["deaths_side_a"] = e["deaths_a"].to_numpy()
    out["deaths_side_b"] = e["deaths_b"].to_numpy()
    out["deaths_civilians"] = e["deaths_civilians"].to_numpy()
    out["deaths_unknown"] = e["deaths_unknown"].to_numpy()
    return out


def _years(first: int, last: int) -> np.ndarray:
    return np.arange(first, last + 1)


def province_year(events: pd.DataFrame, assignment: pd.DataFrame, layout: Layout, *,
                  registry: Registry | None = None, first_year: int = FIRST_YEAR,
                  last_year: int = LAST_YEAR) -> pd.DataFrame:
    """Events and deaths per province (of ``layout``) and year, zeros where nothing happened."""
    _check_choice("layout", layout, LAYOUTS)
    reg = registry or load_registry()
    data = _joined(events, assignment)
    data["unit_id"] = data[f"province_{layout}"]
    provinces = reg.provinces(layout)
    units = pd.DataFrame({"unit_id": [*provinces["unit_id"], "PK"]})
    units["unit_level"] = np.where(units["unit_id"] == "PK", "country", "province")
    units["province"] = units["unit_id"]
    unknown = set(data["unit_id"]) - set(units["unit_id"])
    if unknown:
        raise ParameterError(f"events placed in units that are not provinces of the {layout} layout: {sorted(unknown)}")
    data["province"] = data["unit_id"]
    data["unit_level"] = np.where(data["unit_id"] == "PK", "country", "province")
    return _grid(data, units, layout, reg, first_year, last_year, events)


def district_year(events: pd.DataFrame, assignment: pd.DataFrame, layout: Layout, district_set: DistrictSet, *,
                  registry: Registry | None = None, first_year: int = FIRST_YEAR,
                  last_year: int = LAST_YEAR) -> pd.DataFrame:
    """Events and deaths per district (of ``district_set``) and year, in ``layout``.

    Rows for events located only to a city division, a province or the country keep every event
    in the table; ``unit_level`` says which.
    """
    _check_choice("layout", layout, LAYOUTS)
    _check_choice("district_set", district_set, DISTRICT_SETS)
    reg = registry or load_registry()
    data = _joined(events, assignment)
    level = data["unit_level"]
    if district_set == "census2023":
        unit = data["unit_id"].copy()
    else:
        unit = data["unit_id"].copy()
        finer = level.isin(["district", "division"]) & data["stable_id"].fillna("").ne("")
        unit[finer] = data.loc[finer, "stable_id"]
        data.loc[finer, "unit_level"] = "district"
    data["unit_id"] = unit
    data["province"] = data[f"province_{layout}"]
    only_province = data["unit_level"].eq("province")
    data.loc[only_province, "unit_id"] = data.loc[only_province, "province"]

    members = reg.districts(district_set)
    units = pd.DataFrame({
        "unit_id": members["unit_id"].to_numpy(),
        "unit_level": "district",
        "province": [reg.province_of(u, layout) for u in members["unit_id"]],
    })
    # a stable unit or district whose pre-2018 province is mixed has no single default; use the current one
    extra = (data[["unit_id", "unit_level", "province"]].drop_duplicates())
    if district_set == "census2023":
        divisions = pd.DataFrame({"unit_id": list(_city_divisions(reg)), "unit_level": "division"})
        divisions["province"] = [reg.province_of(u, layout) for u in divisions["unit_id"]]
        units = pd.concat([units, divisions], ignore_index=True)
    provinces = reg.provinces(layout)
    prov_rows = pd.DataFrame({"unit_id": provinces["unit_id"], "unit_level": "province",
                              "province": provinces["unit_id"]})
    country = pd.DataFrame({"unit_id": ["PK"], "unit_level": ["country"], "province": ["PK"]})
    units = pd.concat([units, prov_rows, country, extra], ignore_index=True).drop_duplicates(
        ["unit_id", "unit_level", "province"])
    known = set(units.loc[units["unit_level"].ne("district") | units["unit_id"].isin(members["unit_id"]), "unit_id"])
    stray = set(data["unit_id"]) - known
    if stray:
        raise ParameterError(f"events placed in units outside the {district_set} district set: {sorted(stray)[:10]}")
    return _grid(data, units, layout, reg, first_year, last_year, events)


def _city_divisions(reg: Registry) -> list[str]:
    from workbench.geo.placement import MULTI_DISTRICT_CITIES

    return list(MULTI_DISTRICT_CITIES)


def _joined(events: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """The events' measures summed by where they were placed (:data:`PLACE_COLUMNS`) and year.

    Panels only ever sum these measures, so they are summed here first, once per distinct place and
    year: the rest of a panel's work then scales with the units and years, not with the events.
    """
    ids = pd.Index(events["id"])
    at = ids.get_indexer(assignment["id"]) if ids.is_unique else None
    if at is None or len(assignment) != len(events) or (at < 0).any() or not pd.Index(assignment["id"]).is_unique:
        raise ParameterError("the assignment table must hold exactly one row per event")
    measures = event_measures(events).iloc[at][MEASURES].reset_index(drop=True)
    keys = [assignment[c].reset_index(drop=True) for c in PLACE_COLUMNS]
    return measures.groupby(keys, sort=False, dropna=False).sum().reset_index()


def _grid(data: pd.DataFrame, units: pd.DataFrame, layout: str, reg: Registry, first_year: int, last_year: int,
          events: pd.DataFrame) -> pd.DataFrame:
    sums = data.groupby(["unit_id", "unit_level", "province", "year"], as_index=False)[MEASURES].sum()
    years = pd.DataFrame({"year": _years(first_year, last_year)})
    grid = units[["unit_id", "unit_level", "province"]].merge(years, how="cross")
    out = grid.merge(sums, on=["unit_id", "unit_level", "province", "year"], how="left")
    lost = len(sums) - len(sums.merge(grid, on=["unit_id", "unit_level", "province", "year"]))
    if lost:
        raise ParameterError(f"{lost} unit-year cells of events fall outside {first_year}-{last_year}")
    out[MEASURES] = out[MEASURES].fillna(0).astype("int64")
    out["layout"] = layout
    names = {u: reg.name(u) if u != "PK" else "Pakistan (not located to a province)" for u in out["unit_id"].unique()}
    out["unit_name"] = out["unit_id"].map(names)
    level_order = {"district": 0, "division": 1, "province": 2, "country": 3}
    out["_lv"] = out["unit_level"].map(level_order)
    out = out.sort_values(["_lv", "province", "unit_id", "year"], kind="stable").drop(columns="_lv")
    out = out[PANEL_COLUMNS].reset_index(drop=True)
    for col in ("layout", "unit_id", "unit_name", "unit_level", "province"):
        out[col] = out[col].astype("string")
    out.attrs["sources"] = list(dict.fromkeys([*events.attrs.get("sources", []),
                                               *data.attrs.get("sources", [])]))
    return out
