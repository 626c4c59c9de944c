"""Placing real UCDP events in units, and the violence panels: every event once, totals conserved."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.store import read_processed
from workbench.geo import placement
from workbench.geo.crosswalk import to_current_layout, to_stable
from workbench.geo.units import DISTRICT_SETS, LAYOUTS
from workbench.sources.ucdp_panels import MEASURES, PANEL_COLUMNS, district_year, province_year
from workbench.sources.ucdp import read_ged


@pytest.fixture(scope="module")
def events(mirror):
    return read_ged()


@pytest.fixture(scope="module")
def assignment(events):
    return placement.assign_events(events)


def test_every_event_has_exactly_one_assignment(events, assignment):
    assert len(assignment) == len(events)
    assert assignment["id"].is_unique and set(assignment["id"]) == set(events["id"])
    assert assignment["assignment_class"].isin(list(placement.ASSIGNMENT_CLASSES)).all()
    assert assignment["unit_id"].notna().all() and (assignment["unit_id"] != "").all()
    district = assignment["unit_level"] == "district"
    assert (assignment.loc[district, "district_id"] == assignment.loc[district, "unit_id"]).all()
    assert assignment.loc[district, "district_id"].str.startswith("census2023/").all()


def test_imprecise_events_follow_ucdp_adm1(events, assignment):
    m = assignment.merge(events[["id", "best"]], on="id", suffixes=("", "_ev"))
    coarse = m[m["where_prec"] >= 5]
    assert coarse["best"].sum() == 3561
    with_adm1 = coarse[coarse["adm_1"] != ""]
    # the figures the issue quotes: 1,177 of the 3,561 deaths coded 5-7 have a province, 848 of them FATA
    assert with_adm1["best"].sum() == 1177
    assert (with_adm1["assignment_class"] == "province_adm1").all()
    assert with_adm1.loc[with_adm1["province_pre2018"] == "PK-TA", "best"].sum() == 848
    assert (coarse.loc[coarse["adm_1"] == "", "assignment_class"] == "national").all()


def test_karachi_default_point_goes_to_the_division(events, assignment):
    at_point = events[(events["latitude"].round(2) == 24.86) & (events["longitude"].round(2) == 67.01)]["id"]
    assert len(at_point) == 337
    rows = assignment[assignment["id"].isin(at_point)]
    assert (rows["assignment_class"] == "city_division").all()
    assert (rows["unit_id"] == "division/karachi").all()


def test_points_outside_the_district_layer_go_to_the_nearest_district(assignment):
    outside = assignment[(assignment["distance_m"] > 0) & (assignment["where_prec"] <= 3)]
    assert len(outside) == 21  # 36 events fall outside OSM; 15 of them are where_prec 5, placed by adm_1
    assert (outside["distance_m"] <= placement.NEAREST_TOLERANCE_M).all()
    assert (outside["assignment_class"] == "district_nearest").all()


def test_fata_is_decided_by_ucdp_coding_and_checked(assignment):
    fata = assignment["adm_1"] == "Federally Administered Tribal Areas"
    in_kp = assignment["province_current"].isin(["PK-KP", "PK"])
    assert (assignment.loc[fata & in_kp, "province_pre2018"] == "PK-TA").all()
    # three FATA-coded points lie across the border in Balochistan: they follow their point
    across = assignment[fata & ~in_kp]
    assert len(across) == 3 and set(across["province_current"]) == {"PK-BA"}
    assert (across["province_pre2018"] == "PK-BA").all()
    assert set(across["id"]) <= set(placement.province_disagreements(assignment)["id"])
    not_fata = assignment["province_pre2018"] != "PK-TA"
    assert (assignment.loc[not_fata, "province_pre2018"] == assignment.loc[not_fata, "province_current"]).all()
    agree = assignment["fata_coding_agrees"].dropna()
    assert agree.mean() > 0.95


def test_disagreements_are_reported(assignment):
    d = placement.province_disagreements(assignment)
    assert (d["adm1_province_current"] != d["point_province_current"]).all()
    assert set(d["id"]) <= set(assignment["id"])


@pytest.mark.parametrize("layout", LAYOUTS)
def test_province_panel_conserves_raw_totals_per_year(events, assignment, layout):
    panel = province_year(events, assignment, layout)
    assert list(panel.columns) == PANEL_COLUMNS
    assert not panel[MEASURES].isna().any().any()
    assert len(panel) == panel["unit_id"].nunique() * 33
    raw = events.groupby("year").agg(events=("id", "size"), deaths_best=("best", "sum"),
                                     deaths_low=("low", "sum"), deaths_high=("high", "sum"))
    got = panel.groupby("year")[["events", "deaths_best", "deaths_low", "deaths_high"]].sum()
    pd.testing.assert_frame_equal(got, raw, check_dtype=False)
    assert ("PK-TA" in set(panel["unit_id"])) == (layout == "pre2018")


@pytest.mark.parametrize("district_set", DISTRICT_SETS)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_district_panel_conserves_totals_per_year_and_assignment_class(events, assignment, layout, district_set):
    panel = district_year(events, assignment, layout, district_set)
    assert not panel[MEASURES].isna().any().any()
    assert not panel.duplicated(["unit_id", "province", "year"]).any()
    m = assignment.merge(events[["id", "best"]], on="id", suffixes=("_a", ""))
    level_of_class = m["unit_level"].copy()
    if district_set == "stable":
        level_of_class = level_of_class.replace({"division": "district"})
    raw = m.assign(level=level_of_class).groupby(["year", "level"]).agg(events=("id", "size"),
                                                                       deaths_best=("best", "sum"))
    got = (panel.groupby(["year", "unit_level"])[["events", "deaths_best"]].sum()
           .rename_axis(["year", "level"]))
    got = got[got["events"] > 0]
    pd.testing.assert_frame_equal(got.sort_index(), raw.sort_index(), check_dtype=False)
    # districts summed by province give the province panel
    prov = province_year(events, assignment, layout).groupby(["province", "year"])[MEASURES].sum()
    by_prov = panel.groupby(["province", "year"])[MEASURES].sum()
    pd.testing.assert_frame_equal(by_prov.sort_index(), prov.sort_index(), check_dtype=False)


def test_crosswalk_pre2018_to_current_reproduces_the_current_panel(events, assignment):
    pre = province_year(events, assignment, "pre2018")
    cur = province_year(events, assignment, "current")
    moved = to_current_layout(pre, unit_col="unit_id", value_cols=MEASURES, by=["year"])
    a = moved.set_index(["unit_id", "year"])[MEASURES].sort_index()
    b = cur.set_index(["unit_id", "year"])[MEASURES].sort_index()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_census2023_districts_crosswalk_to_the_stable_panel(events, assignment):
    c23 = district_year(events, assignment, "current", "census2023")
    stable = district_year(events, assignment, "current", "stable")
    districts = c23[c23["unit_level"].isin(["district", "division"])]
    moved = to_stable(districts, unit_col="unit_id", value_cols=MEASURES, by=["year"])
    got = moved.groupby(["unit_id", "year"])[MEASURES].sum()
    want = stable[stable["unit_level"] == "district"].groupby(["unit_id", "year"])[MEASURES].sum()
    want = want[want["events"] > 0]
    got = got[got["events"] > 0]
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False)


def test_committed_panels_match_raw_deaths_per_year(events):
    panel = read_processed("violence_province_year")
    assert panel.attrs["sources"][0] == "ucdp_ged_pak"
    for layout in LAYOUTS:
        got = panel[panel["layout"] == layout].groupby("year")["deaths_best"].sum()
        want = events.groupby("year")["best"].sum()
        assert np.array_equal(got.to_numpy(), want.to_numpy())


@pytest.mark.parametrize("layer, outside", [("osm_districts", 36), ("osm_provinces", 36), ("ne_adm1_pre2018", 158)])
def test_no_real_event_lies_on_an_edge_so_the_boundary_rule_moves_none(events, layer, outside):
    """docs/placement.md: no GED 22.1 point is on an edge, a vertex or in an overlap of the three layers."""
    import shapely

    from workbench.geo.boundaries import read_layer

    tree = shapely.STRtree(read_layer(layer).geometry.to_numpy())
    pts = shapely.points(events["longitude"].to_numpy(), events["latitude"].to_numpy())
    closed = np.bincount(tree.query(pts, predicate="intersects")[0], minlength=len(pts))
    interior = np.bincount(tree.query(pts, predicate="within")[0], minlength=len(pts))
    assert (closed == interior).all() and closed.max() == 1
    assert (closed == 0).sum() == outside
