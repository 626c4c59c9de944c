"""Province-year and district-year panels from an analyst's incident log, on the UCDP panels' keys.

Each incident is placed in exactly one unit, as far as the log allows and no further
(:func:`place_incidents`, rules in :data:`PLACEMENT_CLASSES` and ``docs/incidents.md``):

1. a district named in the ``district`` column: that 2023-census district; an older district
   (2017 census, FATA agency, Frontier Region) lying inside one 2023 district goes to it, one that
   spans several goes to their common division (undivided Kohistan: Hazara division), else to the
   province;
2. a division or multi-district city named there ("Karachi"): that division;
3. no district, but coordinates of precision ``exact``, ``town`` or ``district``: the 2023-census
   district (OSM 2023 layer) containing the point (or within 5 km of it); a ``town`` or
   ``district`` point inside a multi-district city goes to the city's division (Karachi), as for
   UCDP; a point in another province than the log's ``province`` column is not followed (the
   incident stays at province level and is counted in :func:`placement_checks`);
4. otherwise: the province only.

The named province is never overridden. Layouts: ``current`` is the province of the unit;
``pre2018`` is FATA (``PK-TA``) when the log says FATA or names a FATA agency or Frontier Region
(or the point lies in a wholly former-FATA district), else the current province.

Panels share the UCDP panels' key columns (:data:`workbench.panel.KEY_COLUMNS`) with
``source_id`` in front, and sum :data:`INCIDENT_MEASURES`. Years are the source's covered years
(registered); a covered year without incidents is zero.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import Registry, load_registry
from workbench.sources.base import Breakdown, Coverage, ViolenceSource, national_from
from workbench.sources.private import PrivateSource
from workbench.geo.units import DISTRICT_SETS, LAYOUTS
from workbench.sources.ucdp_panels import KEY_COLUMNS
from workbench.sources.incidents import CATEGORIES, KILLED_PARTS

Layout = Literal["pre2018", "current"]
DistrictSet = Literal["census2023", "stable"]
Level = Literal["province", "district"]

FATA_ID, KP_ID, COUNTRY_ID = "PK-TA", "PK-KP", "PK"
NEAREST_TOLERANCE_M = 5_000.0
MULTI_DISTRICT_CITIES = ("division/karachi",)
POINT_PRECISIONS_FOR_DISTRICT = ("exact", "town", "district")

PLACEMENT_CLASSES: dict[str, str] = {
    "district_named": "district column: a 2023-census district, or an older district lying inside one",
    "division_named": "district column: a division or multi-district city (Karachi), or an older district spanning "
                      "several 2023 districts of one division",
    "district_point": "no district named; point (precision exact, town or district) in a 2023-census district "
                      f"(or within {NEAREST_TOLERANCE_M / 1000:g} km)",
    "city_division_point": "no district named; point of precision town or district inside a multi-district city "
                           "(Karachi): the city's division",
    "province_named": "only the province is known (no district; no point, a province-precision point, a point "
                      "outside every district, or a point in another province)",
}

BASE_MEASURES = ["incidents", "killed", *KILLED_PARTS, "killed_unattributed", "injured"]
INCIDENT_MEASURES = [
    *BASE_MEASURES,
    *[f"incidents_{c}" for c in CATEGORIES],
    *[f"killed_{c}" for c in CATEGORIES],
    *[f"injured_{c}" for c in CATEGORIES],
]
PANEL_KEY = ["source_id", *KEY_COLUMNS]
INCIDENT_PANEL_COLUMNS = [*PANEL_KEY, *INCIDENT_MEASURES]
PLACEMENT_COLUMNS = [
    "incident_id", "year", "placement_class", "unit_level", "unit_id", "stable_level", "stable_id",
    "province_current", "province_pre2018", "point_unit_id", "point_agrees",
]


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


# --------------------------------------------------------------------------- placement


def _to_census2023(reg: Registry, unit: str, vintage: dict[str, str], overlaps: dict[str, str],
                   division_of: dict[str, str]) -> tuple[str, str]:
    """(unit, level) in the 2023-census district set for a named district-level unit."""
    if vintage[unit] == "census2023":
        return unit, "district"
    parts = [x for x in overlaps[unit].split(";") if x]
    if len(parts) == 1:
        return parts[0], "district"
    divisions = {division_of.get(x, "") for x in parts}
    if len(divisions) == 1 and "" not in divisions:
        return divisions.pop(), "division"
    return reg.province_of(unit, "current"), "province"


def _stable(reg: Registry, unit: str, level: str, stable_of: dict[str, str]) -> tuple[str, str]:
    stable = stable_of.get(unit, "")
    if level in ("district", "division") and stable:
        return stable, "district"
    return reg.province_of(unit, "current") if unit != COUNTRY_ID else COUNTRY_ID, "province"


def place_incidents(log: pd.DataFrame, *, registry: Registry | None = None) -> pd.DataFrame:
    """One row per incident: the unit it is placed in (both district sets), its provinces, and why.

    Parameters
    ----------
    log:
        Incidents from :func:`workbench.sources.incidents.read_incident_log`.

    Returns
    -------
    DataFrame
        :data:`PLACEMENT_COLUMNS`: ``unit_id``/``unit_level`` in the 2023-census set (district,
        division or province), ``stable_id``/``stable_level`` in the stable set, the provinces in
        both layouts, the district containing the point (if any) and whether the point agrees
        with the named province (and district).
    """
    reg = registry or load_registry()
    n = len(log)
    division_of = reg.mapping("division")
    former = reg.mapping("former_fata")
    pre2018 = reg.mapping("province_pre2018")
    vintage, overlaps = reg.mapping("vintage"), reg.mapping("overlaps_2023")
    memo: dict[str, tuple[str, str]] = {}

    def c23_of(u: str) -> tuple[str, str]:
        if u not in memo:
            memo[u] = _to_census2023(reg, u, vintage, overlaps, division_of)
        return memo[u]

    cls = np.full(n, "province_named", dtype=object)
    unit = np.empty(n, dtype=object)
    level = np.full(n, "province", dtype=object)
    finest = np.empty(n, dtype=object)
    point_unit = np.full(n, "", dtype=object)
    agrees = pd.array([pd.NA] * n, dtype="boolean")

    prov = log["province_id"].astype(str).to_numpy()
    prov_current = np.array([reg.province_of(p, "current") for p in prov], dtype=object)
    named = log["district_id"].fillna("").astype(str).to_numpy()
    named_level = log["district_level"].fillna("").astype(str).to_numpy()

    has_xy = log["latitude"].notna().to_numpy() & log["longitude"].notna().to_numpy()
    points_used = False
    if has_xy.any():
        from workbench.geo.boundaries import points_in_polygons, read_layer

        districts = read_layer("osm_districts", registry=reg)
        pts = pd.DataFrame({"id": np.flatnonzero(has_xy), "latitude": log["latitude"].to_numpy()[has_xy],
                            "longitude": log["longitude"].to_numpy()[has_xy]})
        hit = points_in_polygons(pts, districts, tolerance_m=NEAREST_TOLERANCE_M)
        point_unit[has_xy] = hit["unit_id"].fillna("").astype(str).to_numpy()
        points_used = True

    precision = log["coord_precision"].fillna("").astype(str).to_numpy()
    for i in range(n):
        unit[i], finest[i] = prov[i] if prov[i] != FATA_ID else KP_ID, prov[i]
        p_unit = point_unit[i]
        if p_unit:
            same = reg.province_of(p_unit, "current") == prov_current[i]
            if prov[i] == FATA_ID:
                same = same and former.get(p_unit, "no") != "no"
            if named[i]:
                if named_level[i] == "district":
                    c23, _ = c23_of(named[i])
                    same = same and (p_unit == c23 or division_of.get(p_unit) == c23 or
                                     p_unit in overlaps[named[i]].split(";"))
                else:
                    same = same and division_of.get(p_unit) == named[i]
            agrees[i] = bool(same)
        if named[i]:
            if named_level[i] == "district":
                unit[i], level[i] = c23_of(named[i])
                cls[i] = "district_named" if level[i] == "district" else (
                    "division_named" if level[i] == "division" else "province_named")
            else:
                unit[i], level[i], cls[i] = named[i], "division", "division_named"
            finest[i] = named[i]
        elif p_unit and precision[i] in POINT_PRECISIONS_FOR_DISTRICT and agrees[i]:
            if precision[i] in ("town", "district") and division_of.get(p_unit) in MULTI_DISTRICT_CITIES:
                unit[i], level[i], cls[i] = division_of[p_unit], "division", "city_division_point"
            else:
                unit[i], level[i], cls[i] = p_unit, "district", "district_point"
            finest[i] = p_unit

    stable_of = reg.mapping("stable_id")
    stable = [_stable(reg, f, lv, stable_of) if lv != "province" else (u, "province")
              for f, u, lv in zip(finest, unit, level, strict=True)]
    province_current = np.array([reg.province_of(u, "current") for u in unit], dtype=object)
    province_pre = np.array([FATA_ID if p == FATA_ID else (pre2018.get(f) or reg.province_of(f, "pre2018"))
                             for p, f in zip(prov, finest, strict=True)], dtype=object)
    # a province-level placement keeps the named province's own pre-2018 code (KP stays KP)
    out = pd.DataFrame({
        "incident_id": log["incident_id"].to_numpy(),
        "year": log["year"].to_numpy(),
        "placement_class": cls,
        "unit_level": level,
        "unit_id": unit,
        "stable_level": [s[1] for s in stable],
        "stable_id": [s[0] for s in stable],
        "province_current": province_current,
        "province_pre2018": province_pre,
        "point_unit_id": point_unit,
        "point_agrees": agrees,
    })
    for c in PLACEMENT_COLUMNS:
        if c not in ("year", "point_agrees"):
            out[c] = out[c].astype("string")
    extra = ["osm_districts"] if points_used else []
    out.attrs["sources"] = list(dict.fromkeys([*log.attrs.get("sources", []), *extra]))
    return out[PLACEMENT_COLUMNS]


# --------------------------------------------------------------------------- measures and panels


def incident_measures(log: pd.DataFrame) -> pd.DataFrame:
    """Per-incident measure columns (:data:`INCIDENT_MEASURES`) that panels sum.

    Killed parts not given count zero in their own column; ``killed_unattributed`` holds the rest
    of ``killed``, so that civilians + security + militants + unattributed = killed.
    """
    n = len(log)
    killed = log["killed"].astype("int64").to_numpy()
    injured = log["injured"].astype("int64").to_numpy()
    cols: dict[str, object] = {"incident_id": log["incident_id"].to_numpy(), "incidents": np.ones(n, dtype="int64"),
                               "killed": killed}
    parts = np.zeros(n, dtype="int64")
    for c in KILLED_PARTS:
        values = log[c].fillna(0).astype("int64").to_numpy()
        cols[c] = values
        parts = parts + values
    cols["killed_unattributed"] = killed - parts
    cols["injured"] = injured
    cat = log["category"].astype(str).to_numpy()
    is_cat = {c: cat == c for c in CATEGORIES}
    for c in CATEGORIES:
        cols[f"incidents_{c}"] = is_cat[c].astype("int64")
    for c in CATEGORIES:
        cols[f"killed_{c}"] = np.where(is_cat[c], killed, 0)
    for c in CATEGORIES:
        cols[f"injured_{c}"] = np.where(is_cat[c], injured, 0)
    return pd.DataFrame(cols)


def _years(log: pd.DataFrame, first_year: int | None, last_year: int | None) -> tuple[int, int]:
    years = log["year"]
    first = int(first_year) if first_year is not None else (int(years.min()) if len(years) else None)
    last = int(last_year) if last_year is not None else (int(years.max()) if len(years) else None)
    if first is None or last is None:
        raise ParameterError("an empty incident log: give first_year and last_year (the years it covers)")
    if first > last:
        raise ParameterError(f"first_year {first} is after last_year {last}")
    outside = log[~years.between(first, last)]
    if len(outside):
        raise ParameterError(f"{len(outside)} incident(s) fall outside the covered years {first}-{last} "
                             f"(first: row {int(outside['record'].iloc[0])}, year {int(outside['year'].iloc[0])})")
    return first, last


def _source_id(log: pd.DataFrame, source_id: str | None) -> str:
    if source_id:
        return source_id
    sources = log.attrs.get("sources") or []
    if not sources:
        raise ParameterError("source_id is required: the incident log carries no registered id in attrs['sources']")
    return sources[0]


def _joined(log: pd.DataFrame, placement: pd.DataFrame | None, reg: Registry) -> pd.DataFrame:
    placed = placement if placement is not None else place_incidents(log, registry=reg)
    if len(placed) != len(log) or set(placed["incident_id"]) != set(log["incident_id"]):
        raise ParameterError("the placement table must hold exactly one row per incident of the log")
    data = placed.merge(incident_measures(log), on="incident_id", validate="one_to_one")
    data.attrs["sources"] = list(placed.attrs.get("sources", []))
    return data


def province_year(log: pd.DataFrame, layout: Layout = "current", *, source_id: str | None = None,
                  first_year: int | None = None, last_year: int | None = None,
                  placement: pd.DataFrame | None = None, registry: Registry | None = None) -> pd.DataFrame:
    """Incidents, killed and injured (and by category) per province of ``layout`` and year.

    One row per province (pre-2018: with FATA ``PK-TA``) and covered year, plus a ``PK`` row
    (always zero: a log names a province for every incident), zeros where nothing happened.
    """
    _check_choice("layout", layout, LAYOUTS)
    reg = registry or load_registry()
    sid = _source_id(log, source_id)
    first, last = _years(log, first_year, last_year)
    data = _joined(log, placement, reg)
    data["unit_id"] = data[f"province_{layout}"]
    data["province"] = data["unit_id"]
    data["unit_level"] = "province"
    provinces = reg.provinces(layout)
    units = pd.DataFrame({"unit_id": [*provinces["unit_id"], COUNTRY_ID]})
    units["unit_level"] = np.where(units["unit_id"] == COUNTRY_ID, "country", "province")
    units["province"] = units["unit_id"]
    return _grid(data, units, sid, layout, reg, first, last)


def district_year(log: pd.DataFrame, layout: Layout = "current", district_set: DistrictSet = "census2023", *,
                  source_id: str | None = None, first_year: int | None = None, last_year: int | None = None,
                  placement: pd.DataFrame | None = None, registry: Registry | None = None) -> pd.DataFrame:
    """The same measures per district (of ``district_set``) and year, in ``layout``.

    Incidents located only to a division (Karachi, census-2023 set) or a province keep rows of
    their own (``unit_level`` says which), so that district rows summed by ``province`` equal the
    province panel.
    """
    _check_choice("layout", layout, LAYOUTS)
    _check_choice("district_set", district_set, DISTRICT_SETS)
    reg = registry or load_registry()
    sid = _source_id(log, source_id)
    first, last = _years(log, first_year, last_year)
    data = _joined(log, placement, reg)
    if district_set == "stable":
        data["unit_id"], data["unit_level"] = data["stable_id"], data["stable_level"]
    data["province"] = data[f"province_{layout}"]
    only_province = data["unit_level"].eq("province")
    data.loc[only_province, "unit_id"] = data.loc[only_province, "province"]

    members = reg.districts(district_set)
    units = pd.DataFrame({"unit_id": members["unit_id"].to_numpy(), "unit_level": "district",
                          "province": [reg.province_of(u, layout) for u in members["unit_id"]]})
    if district_set == "census2023":
        divisions = sorted(set(MULTI_DISTRICT_CITIES) | set(data.loc[data["unit_level"].eq("division"), "unit_id"]))
        units = pd.concat([units, pd.DataFrame({"unit_id": divisions, "unit_level": "division",
                                                "province": [reg.province_of(u, layout) for u in divisions]})],
                          ignore_index=True)
    provinces = reg.provinces(layout)
    prov_rows = pd.DataFrame({"unit_id": provinces["unit_id"], "unit_level": "province",
                              "province": provinces["unit_id"]})
    country = pd.DataFrame({"unit_id": [COUNTRY_ID], "unit_level": ["country"], "province": [COUNTRY_ID]})
    extra = data[["unit_id", "unit_level", "province"]].drop_duplicates()
    units = pd.concat([units, prov_rows, country, extra], ignore_index=True).drop_duplicates(
        ["unit_id", "unit_level", "province"])
    return _grid(data, units, sid, layout, reg, first, last)


def _grid(data: pd.DataFrame, units: pd.DataFrame, source_id: str, layout: str, reg: Registry, first: int,
          last: int) -> pd.DataFrame:
    keys = ["unit_id", "unit_level", "province", "year"]
    sums = data.groupby(keys, as_index=False)[INCIDENT_MEASURES].sum()
    years = pd.DataFrame({"year": np.arange(first, last + 1)})
    grid = units[["unit_id", "unit_level", "province"]].astype(str).merge(years, how="cross")
    sums[["unit_id", "unit_level", "province"]] = sums[["unit_id", "unit_level", "province"]].astype(str)
    out = grid.merge(sums, on=keys, how="left", validate="one_to_one")
    lost = int(data["incidents"].sum() - out["incidents"].fillna(0).sum())
    if lost:
        raise ParameterError(f"{lost} incident(s) fall outside the panel's units or years {first}-{last}")
    out[INCIDENT_MEASURES] = out[INCIDENT_MEASURES].fillna(0).astype("int64")
    out["source_id"] = source_id
    out["layout"] = layout
    names = reg.mapping("name")
    names[COUNTRY_ID] = "Pakistan (not located to a province)"
    out["unit_name"] = out["unit_id"].map(names)
    order = {"district": 0, "division": 1, "province": 2, "country": 3}
    out["_lv"] = out["unit_level"].map(order)
    out = out.sort_values(["_lv", "province", "unit_id", "year"], kind="stable").drop(columns="_lv")
    out = out[INCIDENT_PANEL_COLUMNS].reset_index(drop=True)
    for col in ("source_id", "layout", "unit_id", "unit_name", "unit_level", "province"):
        out[col] = out[col].astype("string")
    out.attrs["sources"] = list(dict.fromkeys([source_id, *data.attrs.get("sources", [])]))
    out.attrs["years"] = (first, last)
    return out


# --------------------------------------------------------------------------- summaries (aggregates only)


def placement_summary(placement: pd.DataFrame, log: pd.DataFrame) -> pd.DataFrame:
    """Incidents and killed by placement class, with the rule (aggregates; no incident rows)."""
    merged = placement[["incident_id", "placement_class"]].merge(
        log[["incident_id", "killed", "injured"]], on="incident_id", validate="one_to_one")
    out = (merged.groupby("placement_class")
           .agg(incidents=("incident_id", "size"), killed=("killed", "sum"), injured=("injured", "sum"))
           .reindex(list(PLACEMENT_CLASSES), fill_value=0).reset_index())
    for c in ("incidents", "killed", "injured"):
        out[c] = out[c].astype("int64")
    out["rule"] = out["placement_class"].map(PLACEMENT_CLASSES)
    out.attrs["sources"] = list(placement.attrs.get("sources", []))
    return out


def placement_checks(placement: pd.DataFrame) -> pd.DataFrame:
    """Counts of incidents with coordinates, and of those whose point disagrees with the named place."""
    has_point = placement["point_unit_id"].fillna("").ne("")
    rows = [
        {"check": "incidents with coordinates", "incidents": int(placement["point_agrees"].notna().sum())},
        {"check": "point inside (or within 5 km of) a 2023 district", "incidents": int(has_point.sum())},
        {"check": "point agrees with the named province (and district)",
         "incidents": int(placement["point_agrees"].eq(True).sum())},
        {"check": "point disagrees with the named province or district (not followed)",
         "incidents": int(placement["point_agrees"].eq(False).sum())},
    ]
    out = pd.DataFrame(rows)
    out.attrs["sources"] = list(placement.attrs.get("sources", []))
    return out


# --------------------------------------------------------------------------- registered sources


_CACHE: dict[tuple, pd.DataFrame] = {}


def _placed(source_id: str) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, int]]:
    from workbench.sources.private import get_source, read_private_source

    entry = get_source(source_id)
    if entry.kind != "incident_log":
        raise ParameterError(f"source {source_id!r} is a {entry.kind_label}, not an incident log: it has no "
                             "incidents to place (compare it with workbench.panel.compare instead)")
    key = ("placement", source_id, entry.sha256)
    log = read_private_source(source_id)
    if key not in _CACHE:
        _CACHE[key] = place_incidents(log)
    return log, _CACHE[key], entry.years


def panel_for(source_id: str, level: Level = "province", layout: Layout = "current",
              district_set: DistrictSet = "census2023") -> pd.DataFrame:
    """The panel of a registered incident log (verified by sha256; built once per file version).

    Parameters
    ----------
    source_id:
        A registered incident log (``workbench sources list``).
    level, layout, district_set:
        As for the UCDP panels.
    """
    _check_choice("level", level, ("province", "district"))
    _check_choice("layout", layout, LAYOUTS)
    _check_choice("district_set", district_set, DISTRICT_SETS)
    from workbench.sources.private import get_source

    entry = get_source(source_id)
    key = ("panel", source_id, entry.sha256, level, layout, district_set if level == "district" else "")
    if key not in _CACHE:
        log, placed, (first, last) = _placed(source_id)
        if level == "province":
            panel = province_year(log, layout, source_id=source_id, first_year=first, last_year=last,
                                  placement=placed)
        else:
            panel = district_year(log, layout, district_set, source_id=source_id, first_year=first, last_year=last,
                                  placement=placed)
        _CACHE[key] = panel
    out = _CACHE[key].copy()
    out.attrs = dict(_CACHE[key].attrs)
    return out


def placement_for(source_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Placement summary and checks of a registered incident log (aggregates only)."""
    log, placed, _ = _placed(source_id)
    return placement_summary(placed, log), placement_checks(placed)


# --------------------------------------------------------------------------- the violence source


#: The incident log's measures in the sources' one schema (:mod:`workbench.sources.base`).
SCHEMA_COLUMNS = {"incidents": "events", "killed": "deaths_best", "killed_civilians": "deaths_civilians",
                  "injured": "injured",
                  **{f"incidents_{c}": f"events_{c}" for c in CATEGORIES},
                  **{f"killed_{c}": f"deaths_{c}" for c in CATEGORIES},
                  **{f"injured_{c}": f"injured_{c}" for c in CATEGORIES}}
CATEGORY_BREAKDOWN = Breakdown(name="incident category", parameter="categories", categories=CATEGORIES,
                               deaths=("deaths_best",))


class IncidentLogSource(ViolenceSource):
    """An analyst's registered incident log: incidents placed in units, counted by category."""

    kind_label = "incident log"

    def __init__(self, entry: PrivateSource) -> None:
        self.entry = entry
        self.id = entry.id
        self.title = entry.title
        self.label = f"{entry.title} ({entry.compiler}; {entry.first_year}-{entry.last_year})"
        self.definition = entry.definition
        self.coverage = Coverage(first_year=entry.first_year, last_year=entry.last_year,
                                 levels=("national", "province", "district"),
                                 measures=("events", "deaths_best", "deaths_civilians", "injured"),
                                 breakdown=CATEGORY_BREAKDOWN)
        self.provenance = [entry.id]
        self.caveat = (f"violence source {entry.id!r}: {self.label} ({self.kind_label}); its definition: "
                       f"{entry.definition}")

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        p = panel_for(self.id, "province" if level == "national" else level, layout, district_set)
        p = p.rename(columns=SCHEMA_COLUMNS)
        if level == "national":
            return national_from(p, list(SCHEMA_COLUMNS.values()))
        return p

    def placement(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Placement summary and checks (aggregates only)."""
        return placement_for(self.id)

    def perpetrators(self) -> pd.DataFrame | None:
        """The log's perpetrator names with province, year, dates and killed (private: aggregate before showing);
        None when the log names no perpetrator."""
        from workbench.sources.private import read_private_source

        log = read_private_source(self.id)
        if "perpetrator" not in log.columns or log["perpetrator"].fillna("").astype(str).str.strip().eq("").all():
            return None
        out = pd.DataFrame({"perpetrator": log["perpetrator"].to_numpy(),
                            "province": log["province_id"].astype("string").to_numpy(),
                            "year": log["year"].to_numpy(), "date_start": log["date_start"].to_numpy(),
                            "date_end": log["date_end"].to_numpy(), "killed": log["killed"].to_numpy()})
        out.attrs["sources"] = [self.id]
        return out
