"""Place each UCDP event in exactly one unit, as far as its stated precision allows, and no further.

Rules (documented for analysts in ``docs/placement.md``):

1. ``where_prec`` 1-3 (exact point, within ~25 km, or district known): the 2023-census district
   (OSM layer, which also draws AJK's and GB's districts) that contains the point
   -> class ``district_point``.
2. A point just outside every polygon (coast, border) goes to the nearest district within
   :data:`NEAREST_TOLERANCE_M` -> ``district_nearest``; farther out, to the province UCDP gives in
   ``adm_1`` -> ``province_outside_adm1`` (or the country when ``adm_1`` is empty -> ``national``).
3. Events located only to a multi-district city go to the city's division, not to the district
   that happens to contain the point: inside Karachi division, an event at a recurring point
   (a geocoder's default point, shared by at least :data:`RECURRING_POINT_MIN_EVENTS` events) or
   with ``where_prec`` >= 2 (within 25 km of a known point, which spans several of Karachi's
   districts) -> ``city_division``.
4. ``where_prec`` 4 (only the province known): the province whose polygon (OSM provinces)
   contains the point, else UCDP's ``adm_1`` -> ``province_point``.
5. ``where_prec`` 5-7 (a large area, the country, or international space): the province UCDP
   gives in ``adm_1`` where it gives one -> ``province_adm1``; else the country -> ``national``.

Layouts. ``province_current`` is the province of the assigned unit (FATA inside Khyber
Pakhtunkhwa). ``province_pre2018`` is decided from UCDP's own coding, because the current
polygons cannot redraw FATA (its Frontier Regions were absorbed into neighbouring districts):
an event whose ``adm_1`` is "Federally Administered Tribal Areas" is in FATA (``PK-TA``) unless its
point places it outside Khyber Pakhtunkhwa (3 events in GED 22.1, points in Sherani and Zhob: they
follow their point and are listed as disagreements); any other event keeps its current province. The coarse pre-2018 Natural Earth polygon is used only
as a check (``ne_pre2018`` and ``fata_coding_agrees``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.boundaries import points_in_polygons, read_layer
from workbench.geo.units import Registry, load_registry

# A coordinate shared by at least this many events is a geocoder's default point (a city or
# district centre), whatever its where_prec says.
RECURRING_POINT_MIN_EVENTS = 30
NEAREST_TOLERANCE_M = 5_000.0
FATA_ID = "PK-TA"
KP_ID = "PK-KP"
COUNTRY_ID = "PK"
MULTI_DISTRICT_CITIES = ("division/karachi",)

ASSIGNMENT_CLASSES = {
    "district_point": "where_prec 1-3, point inside a district polygon",
    "district_nearest": f"where_prec 1-3, point outside all polygons but within {NEAREST_TOLERANCE_M / 1000:g} km "
                        "of a district (coast or border)",
    "city_division": "located only to a multi-district city (Karachi): recurring default point or where_prec >= 2",
    "province_point": "where_prec 4 (province known): province polygon containing the point, else UCDP adm_1",
    "province_adm1": "where_prec 5-7 with a province in UCDP adm_1",
    "province_outside_adm1": f"where_prec 1-3 but farther than {NEAREST_TOLERANCE_M / 1000:g} km outside every "
                             "district: UCDP adm_1",
    "national": "no province known (where_prec 5-7 without adm_1, or outside without adm_1)",
}

ASSIGNMENT_COLUMNS = [
    "id", "year", "where_prec", "best", "adm_1", "adm_2", "adm2_unit_id", "assignment_class", "unit_level", "unit_id",
    "district_id", "division_id", "stable_id", "province_current", "province_pre2018", "adm1_province_current",
    "point_province_current", "adm1_agrees_with_point", "ne_pre2018", "fata_coding_agrees", "recurring_point",
    "distance_m", "reason",
]


def assign_events(events: pd.DataFrame, *, registry: Registry | None = None,
                  tolerance_m: float = NEAREST_TOLERANCE_M,
                  recurring_min: int = RECURRING_POINT_MIN_EVENTS) -> pd.DataFrame:
    """One row per event: the unit it is placed in, at which level, and why.

    Parameters
    ----------
    events:
        Events from :func:`workbench.sources.ucdp.read_ged`.
    tolerance_m:
        How far outside the district polygons a point may lie and still go to the nearest district.
    recurring_min:
        How many events must share a coordinate for it to count as a default point.
    """
    reg = registry or load_registry()
    districts = read_layer("osm_districts", registry=reg)
    provinces = read_layer("osm_provinces", registry=reg)
    ne = read_layer("ne_adm1_pre2018", registry=reg)

    ev = events.reset_index(drop=True)
    n = len(ev)
    in_district = points_in_polygons(ev, districts, tolerance_m=tolerance_m)
    in_province = points_in_polygons(ev, provinces, tolerance_m=tolerance_m)
    in_ne = points_in_polygons(ev, ne, tolerance_m=0.0)

    adm1 = ev["adm_1"].fillna("").astype(str)
    records = ev["record"] if "record" in ev else pd.Series(np.arange(1, n + 1))
    first_record = records.groupby(adm1.to_numpy()).first()
    file = events.attrs.get("file")
    adm1_lookup = {a: (reg.resolve(a, source="ucdp_adm1", level="province", row=int(first_record[a]),
                                   column="adm_1", file=file) if a else "") for a in adm1.unique()}
    adm1_unit = adm1.map(adm1_lookup).astype("string")
    # UCDP's district coding is not used to place events, but every name must be known (an unknown
    # name is an error, never a silent drop) and its unit is kept for comparison with the point
    adm2 = ev["adm_2"].fillna("").astype(str)
    first_record2 = records.groupby(adm2.to_numpy()).first()
    adm2_lookup = {a: (reg.resolve(a, source="ucdp_adm2", row=int(first_record2[a]), column="adm_2", file=file)
                       if a else "") for a in adm2.unique()}
    adm2_unit = adm2.map(adm2_lookup).astype("string")
    current_lookup = {u: (reg.province_of(u, "current") if u else "") for u in adm1_unit.unique()}
    adm1_current = adm1_unit.map(current_lookup).astype("string")
    point_prov = in_province["unit_id"].fillna("").astype("string")

    recurring = ev.groupby(["latitude", "longitude"])["id"].transform("size").to_numpy() >= recurring_min
    district_id = in_district["unit_id"].fillna("").astype("string").to_numpy()
    division_of = _division_lookup(reg)
    district_division = np.array([division_of.get(d, "") for d in district_id], dtype=object)

    prec = ev["where_prec"].to_numpy()
    cls = np.empty(n, dtype=object)
    unit = np.empty(n, dtype=object)
    level = np.empty(n, dtype=object)
    out_district = np.full(n, "", dtype=object)
    out_division = np.full(n, "", dtype=object)

    precise = prec <= 3
    inside = in_district["inside"].to_numpy()
    near = ~inside & (in_district["unit_id"].notna().to_numpy())
    city = precise & np.isin(district_division, MULTI_DISTRICT_CITIES) & (recurring | (prec >= 2))

    for i in range(n):
        if precise[i] and city[i]:
            cls[i], level[i], unit[i] = "city_division", "division", district_division[i]
            out_division[i] = district_division[i]
        elif precise[i] and inside[i]:
            cls[i], level[i], unit[i] = "district_point", "district", district_id[i]
            out_district[i] = district_id[i]
        elif precise[i] and near[i]:
            cls[i], level[i], unit[i] = "district_nearest", "district", district_id[i]
            out_district[i] = district_id[i]
        elif precise[i]:
            if adm1_current[i]:
                cls[i], level[i], unit[i] = "province_outside_adm1", "province", adm1_current[i]
            else:
                cls[i], level[i], unit[i] = "national", "country", COUNTRY_ID
        elif prec[i] == 4:
            cls[i], level[i] = "province_point", "province"
            unit[i] = point_prov[i] if point_prov[i] else (adm1_current[i] or COUNTRY_ID)
            if not unit[i] or unit[i] == COUNTRY_ID:
                cls[i], level[i] = "national", "country"
        elif adm1_current[i]:
            cls[i], level[i], unit[i] = "province_adm1", "province", adm1_current[i]
        else:
            cls[i], level[i], unit[i] = "national", "country", COUNTRY_ID

    prov_lookup = {(u, lv): _province_of_unit(reg, u, lv) for u, lv in set(zip(unit, level, strict=True))}
    province_current = np.array([prov_lookup[(u, lv)] for u, lv in zip(unit, level, strict=True)], dtype=object)
    is_fata_coded = adm1_unit.to_numpy() == FATA_ID
    # FATA lies inside today's Khyber Pakhtunkhwa: a FATA-coded event placed in another province
    # (a point across the Balochistan border) follows its point in both layouts, so that the
    # pre-2018 -> current crosswalk (PK-TA into PK-KP) holds event by event.
    in_fata = is_fata_coded & np.isin(province_current, [KP_ID, COUNTRY_ID])
    province_pre2018 = np.where(in_fata, FATA_ID, province_current)

    ne_unit = in_ne["unit_id"].fillna("").astype("string").to_numpy()
    ne_fata_lookup = {u: (reg.province_of(u, "pre2018") == FATA_ID if u else False) for u in set(ne_unit)}
    ne_is_fata = np.array([ne_fata_lookup[u] for u in ne_unit], dtype=bool)
    fata_agrees = pd.array(np.where(ne_unit == "", None, ne_is_fata == is_fata_coded), dtype="boolean")

    has_both = (adm1_current.to_numpy() != "") & (point_prov.to_numpy() != "")
    agrees = pd.array(np.where(has_both, adm1_current.to_numpy() == point_prov.to_numpy(), None), dtype="boolean")

    stable_lookup = {(u, lv): _stable_of(reg, u, lv) for u, lv in set(zip(unit, level, strict=True))}
    stable = np.array([stable_lookup[(u, lv)] for u, lv in zip(unit, level, strict=True)], dtype=object)
    out = pd.DataFrame({
        "id": ev["id"].to_numpy(),
        "year": ev["year"].to_numpy(),
        "where_prec": prec,
        "best": ev["best"].to_numpy(),
        "adm_1": adm1.to_numpy(),
        "adm_2": adm2.to_numpy(),
        "adm2_unit_id": adm2_unit.to_numpy(),
        "assignment_class": cls,
        "unit_level": level,
        "unit_id": unit,
        "district_id": out_district,
        "division_id": out_division,
        "stable_id": stable,
        "province_current": province_current,
        "province_pre2018": province_pre2018,
        "adm1_province_current": adm1_current.to_numpy(),
        "point_province_current": point_prov.to_numpy(),
        "adm1_agrees_with_point": agrees,
        "ne_pre2018": ne_unit,
        "fata_coding_agrees": fata_agrees,
        "recurring_point": recurring,
        "distance_m": in_district["distance_m"].round(1).to_numpy(),
    })
    out["reason"] = out["assignment_class"].map(ASSIGNMENT_CLASSES)
    for col in ("adm_1", "adm_2", "adm2_unit_id", "assignment_class", "unit_level", "unit_id", "district_id", "division_id",
                "stable_id", "province_current", "province_pre2018", "adm1_province_current",
                "point_province_current", "ne_pre2018", "reason"):
        out[col] = out[col].astype("string")
    out = out[ASSIGNMENT_COLUMNS]
    out.attrs["sources"] = list(dict.fromkeys([*events.attrs.get("sources", []), "osm_districts", "osm_provinces",
                                               "ne_adm1_pre2018"]))
    return out


def _division_lookup(reg: Registry) -> dict[str, str]:
    units = reg.units
    d = units[(units["vintage"] == "census2023") & units["division"].fillna("").ne("")]
    return dict(zip(d["unit_id"], d["division"], strict=True))


def _province_of_unit(reg: Registry, unit_id: str, level: str) -> str:
    if level == "country":
        return COUNTRY_ID
    return reg.province_of(unit_id, "current")


def _stable_of(reg: Registry, unit_id: str, level: str) -> str:
    if level in ("district", "division"):
        try:
            return reg.stable_of(unit_id)
        except ParameterError:  # a division that no single stable unit holds
            return ""
    return ""


def assignment_summary(assignment: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Events and deaths (best, low, high) by assignment class, with the rule that made it."""
    merged = assignment[["id", "assignment_class"]].merge(events[["id", "best", "low", "high"]], on="id",
                                                          validate="one_to_one")
    out = (merged.groupby("assignment_class")
           .agg(events=("id", "size"), deaths_best=("best", "sum"), deaths_low=("low", "sum"),
                deaths_high=("high", "sum"))
           .reindex(list(ASSIGNMENT_CLASSES), fill_value=0)
           .reset_index())
    out["rule"] = out["assignment_class"].map(ASSIGNMENT_CLASSES)
    out.attrs["sources"] = list(assignment.attrs.get("sources", []))
    return out


def province_disagreements(assignment: pd.DataFrame) -> pd.DataFrame:
    """Events where UCDP's ``adm_1`` (in the current layout) names another province than the point's."""
    a = assignment
    mask = a["adm1_agrees_with_point"].fillna(True).eq(False)
    cols = ["id", "year", "where_prec", "best", "adm_1", "adm_2", "adm1_province_current", "point_province_current",
            "assignment_class", "unit_id"]
    out = a.loc[mask, cols].reset_index(drop=True)
    out.attrs["sources"] = list(assignment.attrs.get("sources", []))
    return out
