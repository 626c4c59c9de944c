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

from collections.abc import Callable
from typing import Any

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
    in_district = points_in_polygons(ev, districts, tolerance_m=tolerance_m)
    # every other column follows from what is known of an event's place: the rules run once per
    # distinct situation (a few thousand, however many the events), then spread back to the events
    shared = ev.groupby(["latitude", "longitude"], sort=False)["id"].transform("size").to_numpy()
    situations = pd.DataFrame({
        "where_prec": ev["where_prec"], "adm_1": ev["adm_1"], "adm_2": ev["adm_2"],
        "district": in_district["unit_id"], "inside": in_district["inside"],
        "province": points_in_polygons(ev, provinces, tolerance_m=tolerance_m)["unit_id"],
        "ne": points_in_polygons(ev, ne, distances=False)["unit_id"],
        "recurring": shared >= recurring_min,
    })
    situation = situations.groupby(list(situations.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first = np.unique(situation, return_index=True)  # situations numbered in order of first appearance
    records = ev["record"].to_numpy() if "record" in ev else np.arange(1, len(ev) + 1)
    placed = _place(situations.iloc[first].reset_index(drop=True), records[first], reg, events.attrs.get("file"))
    out = pd.DataFrame({
        "id": ev["id"].to_numpy(),
        "year": ev["year"].to_numpy(),
        "where_prec": ev["where_prec"].to_numpy(),
        "best": ev["best"].to_numpy(),
        **{col: values.take(situation) for col, values in placed.items()},
        "distance_m": in_district["distance_m"].round(1).to_numpy(),
    }, columns=ASSIGNMENT_COLUMNS)
    out.attrs["sources"] = list(dict.fromkeys([*events.attrs.get("sources", []), "osm_districts", "osm_provinces",
                                               "ne_adm1_pre2018"]))
    return out


def _place(s: pd.DataFrame, records: np.ndarray, reg: Registry, file: str | None) -> dict[str, Any]:
    """The assignment columns (pandas arrays) of each distinct situation in ``s``.

    ``records`` holds the file record of each situation's first event, named in errors: an unknown
    place name is reported at the first record that carries it.
    """
    n = len(s)
    adm1 = _text(s["adm_1"])
    adm1_unit = _each_distinct(adm1, lambda a, k: reg.resolve(
        a, source="ucdp_adm1", level="province", row=int(records[k]), column="adm_1", file=file) if a else "")
    # UCDP's district coding is not used to place events, but every name must be known (an unknown
    # name is an error, never a silent drop) and its unit is kept for comparison with the point
    adm2 = _text(s["adm_2"])
    adm2_unit = _each_distinct(adm2, lambda a, k: reg.resolve(
        a, source="ucdp_adm2", row=int(records[k]), column="adm_2", file=file) if a else "")
    adm1_current = _each_distinct(adm1_unit, lambda u, _: reg.province_of(u, "current") if u else "")
    point_prov = _text(s["province"])
    district_id = _text(s["district"])
    division_of = _division_lookup(reg)
    district_division = _each_distinct(district_id, lambda d, _: division_of.get(d, ""))

    prec = s["where_prec"].to_numpy()
    recurring = s["recurring"].to_numpy()
    precise = prec <= 3
    inside = s["inside"].to_numpy()
    near = ~inside & (district_id != "")
    city = precise & np.isin(district_division, MULTI_DISTRICT_CITIES) & (recurring | (prec >= 2))
    has_adm1 = adm1_current != ""
    province_known = prec == 4
    point_or_adm1 = np.where(point_prov != "", point_prov, np.where(has_adm1, adm1_current, COUNTRY_ID))
    always = np.ones(n, dtype=bool)
    rules = [  # (when, class, level, unit): the rules of the module docstring, in order; the first that holds wins
        (precise & city, "city_division", "division", district_division),
        (precise & inside, "district_point", "district", district_id),
        (precise & near, "district_nearest", "district", district_id),
        (precise & has_adm1, "province_outside_adm1", "province", adm1_current),
        (precise, "national", "country", None),
        (province_known & (point_or_adm1 != COUNTRY_ID), "province_point", "province", point_or_adm1),
        (province_known, "national", "country", None),
        (has_adm1, "province_adm1", "province", adm1_current),
        (always, "national", "country", None),
    ]
    rule = _first_true([when for when, *_ in rules])
    cls = np.array([c for _, c, _, _ in rules], dtype=object)[rule]
    level = np.array([lv for _, _, lv, _ in rules], dtype=object)[rule]
    unit = np.full(n, COUNTRY_ID, dtype=object)
    for k, (*_, source) in enumerate(rules):
        if source is not None:
            unit[rule == k] = source[rule == k]

    # a unit id names one level (PK, a province, a division, a district): look each unit up once
    province_current = _each_distinct(unit, lambda u, k: _province_of_unit(reg, u, level[k]))
    is_fata_coded = adm1_unit == FATA_ID
    # FATA lies inside today's Khyber Pakhtunkhwa: a FATA-coded event placed in another province
    # (a point across the Balochistan border) follows its point in both layouts, so that the
    # pre-2018 -> current crosswalk (PK-TA into PK-KP) holds event by event.
    in_fata = is_fata_coded & np.isin(province_current, [KP_ID, COUNTRY_ID])
    ne_unit = _text(s["ne"])
    ne_is_fata = _each_distinct(ne_unit, lambda u, _: bool(u) and reg.province_of(u, "pre2018") == FATA_ID)
    has_both = has_adm1 & (point_prov != "")
    text = {
        "adm_1": adm1,
        "adm_2": adm2,
        "adm2_unit_id": adm2_unit,
        "assignment_class": cls,
        "unit_level": level,
        "unit_id": unit,
        "district_id": np.where((cls == "district_point") | (cls == "district_nearest"), district_id, ""),
        "division_id": np.where(cls == "city_division", district_division, ""),
        "stable_id": _each_distinct(unit, lambda u, k: _stable_of(reg, u, level[k])),
        "province_current": province_current,
        "province_pre2018": np.where(in_fata, FATA_ID, province_current),
        "adm1_province_current": adm1_current,
        "point_province_current": point_prov,
        "ne_pre2018": ne_unit,
        "reason": np.array([ASSIGNMENT_CLASSES[c] for _, c, _, _ in rules], dtype=object)[rule],
    }
    out = {col: pd.array(values, dtype="string") for col, values in text.items()}
    out["adm1_agrees_with_point"] = pd.array(np.where(has_both, adm1_current == point_prov, None), dtype="boolean")
    out["fata_coding_agrees"] = pd.array(np.where(ne_unit == "", None, ne_is_fata == is_fata_coded),
                                         dtype="boolean")
    out["recurring_point"] = pd.array(recurring, dtype=bool)
    return out


def _text(values: pd.Series) -> np.ndarray:
    """A text column as an object array, missing as ``""``."""
    return values.to_numpy(dtype=object, na_value="")


def _each_distinct(keys: np.ndarray, fn: Callable[[Any, int], Any]) -> np.ndarray:
    """``fn(key, first_row)`` computed once per distinct key, spread back to every row (object array)."""
    codes, uniques = pd.factorize(keys)
    _, first_rows = np.unique(codes, return_index=True)
    values = np.empty(len(uniques), dtype=object)
    for k, (key, row) in enumerate(zip(uniques, first_rows, strict=True)):
        values[k] = fn(key, int(row))
    return values[codes]


def _first_true(conditions: list[np.ndarray]) -> np.ndarray:
    """Index of the first condition that holds in each row (the last condition must hold everywhere)."""
    first = np.full(len(conditions[-1]), len(conditions) - 1, dtype=np.int64)
    for k in range(len(conditions) - 2, -1, -1):
        first[conditions[k]] = k
    return first


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
