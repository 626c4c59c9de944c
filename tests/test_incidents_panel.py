"""Panels from an analyst's incident log: placement, conservation, the UCDP panels' keys, violence_source."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_incidents_example import incident_rows, registered, write_incident_log  # noqa: F401 (fixture)

from workbench.panel import violence
from workbench.store import read_processed
from workbench.errors import ParameterError
from workbench.geo.crosswalk import to_current_layout
from workbench.sources.incident_log import (
    INCIDENT_MEASURES,
    INCIDENT_PANEL_COLUMNS,
    district_year,
    panel_for,
    place_incidents,
    placement_checks,
    placement_summary,
    province_year,
)
from workbench.sources.ucdp_panels import KEY_COLUMNS
from workbench.sources.incidents import read_incident_log


@pytest.fixture(scope="module")
def log(mirror) -> pd.DataFrame:
    with tempfile.TemporaryDirectory() as tmp:
        return read_incident_log(write_incident_log(Path(tmp) / "log.csv"), source_id="testlog")


@pytest.fixture(scope="module")
def placed(log) -> pd.DataFrame:
    return place_incidents(log)


def test_each_incident_is_placed_as_far_as_the_log_allows(placed):
    p = placed.set_index("incident_id")
    expect = {  # incident: (class, unit in the 2023 set, stable unit, current province, pre-2018 province)
        "TESTLOG-0001": ("district_named", "census2023/peshawar", "stable/peshawar", "PK-KP", "PK-KP"),
        "TESTLOG-0002": ("district_named", "census2023/dera_ismail_khan", "stable/dera_ismail_khan", "PK-KP", "PK-KP"),
        "TESTLOG-0003": ("district_named", "census2023/north_waziristan", "stable/north_waziristan", "PK-KP", "PK-TA"),
        "TESTLOG-0004": ("province_named", "PK-KP", "PK-KP", "PK-KP", "PK-KP"),
        "TESTLOG-0005": ("division_named", "division/karachi", "stable/karachi", "PK-SD", "PK-SD"),
        "TESTLOG-0007": ("district_point", "census2023/quetta", "stable/quetta", "PK-BA", "PK-BA"),
        "TESTLOG-0008": ("district_point", "census2023/lahore", "stable/lahore", "PK-PB", "PK-PB"),
        "TESTLOG-0009": ("district_named", "census2023/kurram", "stable/kurram", "PK-KP", "PK-TA"),  # Kurram Agency
        "TESTLOG-0010": ("city_division_point", "division/karachi", "stable/karachi", "PK-SD", "PK-SD"),
        "TESTLOG-0012": ("province_named", "PK-KP", "PK-KP", "PK-KP", "PK-KP"),  # a province-precision point
    }
    got = {i: tuple(p.loc[i, ["placement_class", "unit_id", "stable_id", "province_current", "province_pre2018"]])
           for i in expect}
    assert got == expect
    assert p.loc["TESTLOG-0010", "point_unit_id"] == "census2023/karachi_south"  # the point's district, not used
    assert placed.attrs["sources"] == ["testlog", "osm_districts"]


def test_old_districts_spanning_several_2023_districts_go_to_their_division(log):
    rows = incident_rows()[:2]
    rows[0] = {**rows[0], "district": "Kohistan"}  # undivided: Upper, Lower and Kolai-Palas Kohistan
    rows[1] = {**rows[1], "province": "FATA", "district": "FR Kohat"}
    with tempfile.TemporaryDirectory() as tmp:
        small = read_incident_log(write_incident_log(Path(tmp) / "l.csv", rows), check_points=False)
    p = place_incidents(small).set_index("incident_id")
    assert tuple(p.loc["TESTLOG-0001", ["placement_class", "unit_id", "stable_id"]]) == (
        "division_named", "division/hazara", "stable/kohistan")
    assert tuple(p.loc["TESTLOG-0002", ["unit_id", "stable_id", "province_pre2018", "province_current"]]) == (
        "census2023/kohat", "stable/kohat", "PK-TA", "PK-KP")


def test_a_point_in_another_province_is_not_followed(mirror):
    rows = [{**incident_rows()[7], "province": "Sindh"}]  # a Lahore point, but the log says Sindh
    with tempfile.TemporaryDirectory() as tmp:
        small = read_incident_log(write_incident_log(Path(tmp) / "l.csv", rows))
    p = place_incidents(small)
    assert tuple(p.loc[0, ["placement_class", "unit_id", "point_unit_id"]]) == (
        "province_named", "PK-SD", "census2023/lahore")
    assert bool(p.loc[0, "point_agrees"]) is False
    checks = placement_checks(p).set_index("check")["incidents"]
    assert checks["point disagrees with the named province or district (not followed)"] == 1


@pytest.mark.parametrize("layout", ["pre2018", "current"])
@pytest.mark.parametrize("district_set", ["census2023", "stable"])
def test_panels_conserve_every_incident_and_district_rows_sum_to_provinces(log, placed, layout, district_set):
    prov = province_year(log, layout, placement=placed)
    dist = district_year(log, layout, district_set, placement=placed)
    for panel in (prov, dist):
        assert list(panel.columns) == INCIDENT_PANEL_COLUMNS
        assert panel[INCIDENT_MEASURES].sum()["incidents"] == 12
        assert panel["killed"].sum() == log["killed"].sum() and panel["injured"].sum() == log["injured"].sum()
        parts = panel[["killed_civilians", "killed_security", "killed_militants", "killed_unattributed"]].sum(axis=1)
        assert (parts == panel["killed"]).all()
        by_cat = panel[[c for c in INCIDENT_MEASURES if c.startswith("incidents_")]].sum(axis=1)
        assert (by_cat == panel["incidents"]).all()
        assert set(panel["source_id"]) == {"testlog"} and set(panel["year"]) == {2016, 2017, 2018, 2019}
    summed = dist.groupby(["province", "year"])[INCIDENT_MEASURES].sum().sort_index()
    assert summed.equals(prov.set_index(["province", "year"])[INCIDENT_MEASURES].sort_index())


def test_the_pre2018_panel_crosswalks_to_the_current_one(log, placed):
    pre = province_year(log, "pre2018", placement=placed)
    cur = province_year(log, "current", placement=placed)
    moved = to_current_layout(pre, value_cols=INCIDENT_MEASURES, by=["year"])
    got = moved.set_index(["unit_id", "year"])[INCIDENT_MEASURES].sort_index()
    assert got.equals(cur.set_index(["unit_id", "year"])[INCIDENT_MEASURES].sort_index())
    assert pre.loc[pre["unit_id"] == "PK-TA", "killed"].sum() == 15  # North Waziristan 9 + Kurram Agency 6


@pytest.mark.parametrize("layout, district_set", [("current", "census2023"), ("pre2018", "stable")])
def test_the_panels_have_the_ucdp_panels_units_and_keys(log, placed, layout, district_set):
    mine = district_year(log, layout, district_set, placement=placed)
    ucdp = read_processed(f"violence_district_year_{district_set}")
    ucdp = ucdp[ucdp["layout"] == layout]
    assert INCIDENT_PANEL_COLUMNS[:7] == ["source_id", *KEY_COLUMNS]
    pairs = lambda df: set(zip(df["unit_id"].astype(str), df["unit_level"].astype(str), strict=True))  # noqa: E731
    assert pairs(mine) == pairs(ucdp)


def test_covered_years_without_incidents_are_zero_rows(log, placed):
    prov = province_year(log, "current", first_year=2014, last_year=2020, placement=placed)
    assert sorted(prov["year"].unique()) == list(range(2014, 2021))
    assert prov.loc[prov["year"].isin([2014, 2015, 2020]), INCIDENT_MEASURES].to_numpy().sum() == 0
    with pytest.raises(ParameterError, match="outside the covered years 2017-2019"):
        province_year(log, "current", first_year=2017, last_year=2019, placement=placed)


def test_placement_summary_counts_every_incident(log, placed):
    s = placement_summary(placed, log).set_index("placement_class")
    assert s["incidents"].to_dict() == {"district_named": 6, "division_named": 1, "district_point": 2,
                                        "city_division_point": 1, "province_named": 2}
    assert s["killed"].sum() == log["killed"].sum()


DISTRICTS = [("Punjab", "Lahore"), ("Punjab", ""), ("Sindh", "Karachi"), ("Sindh", "Hyderabad"), ("NWFP", "Swat"),
             ("KPK", "Kohistan"), ("FATA", "Bajaur Agency"), ("FATA", "FR Kohat"), ("FATA", ""), ("KP", "Kohat"),
             ("Balochistan", "Quetta"), ("Baluchistan", "Chaman"), ("GB", "Gilgit"), ("AJK", "Muzaffarabad"),
             ("ICT", "")]

incident = st.tuples(st.sampled_from(DISTRICTS), st.integers(2010, 2014), st.integers(0, 40), st.integers(0, 40),
                     st.sampled_from(["terrorist_attack", "sectarian", "security_operation", "other"]))


@settings(deadline=None, max_examples=8)
@given(st.lists(incident, min_size=1, max_size=25))
def test_any_log_is_conserved_in_every_panel(items):
    rows = []
    for i, ((prov, dist), year, killed, injured, cat) in enumerate(items, start=1):
        rows.append({"incident_id": f"H{i}", "date": f"{year}-03-01", "province": prov, "district": dist,
                     "category": cat, "killed": str(killed), "injured": str(injured), "source": "test"})
    with tempfile.TemporaryDirectory() as tmp:
        log = read_incident_log(write_incident_log(Path(tmp) / "h.csv", rows), source_id="h", check_points=False)
    placed = place_incidents(log)
    pre = province_year(log, "pre2018", placement=placed)
    for layout in ("pre2018", "current"):
        prov = province_year(log, layout, placement=placed)
        assert prov["killed"].sum() == log["killed"].sum() and prov["incidents"].sum() == len(log)
        for dset in ("census2023", "stable"):
            dist = district_year(log, layout, dset, placement=placed)
            summed = dist.groupby(["province", "year"])[INCIDENT_MEASURES].sum().sort_index()
            assert summed.equals(prov.set_index(["province", "year"])[INCIDENT_MEASURES].sort_index())
    fata = log["province_id"].eq("PK-TA") | log["district_src"].isin(["Bajaur Agency", "FR Kohat"])
    assert pre.loc[pre["unit_id"] == "PK-TA", "killed"].sum() == log.loc[fata, "killed"].sum()


# --------------------------------------------------------------------------- violence_source


def test_select_panel_reads_a_registered_log(registered):
    p = violence.select_panel(violence_source="testlog")  # the notebooks' default years 1989-2021
    assert p.attrs["selection"]["years"] == [2016, 2019]
    assert p.attrs["measure"]["deaths"].startswith("persons killed")
    assert "testlog" in p.attrs["sources"]
    assert list(p.columns) == ["layout", *KEY_COLUMNS[1:], "events", "deaths", "provisional", "months"]
    assert p["events"].sum() == 12 and p["deaths"].sum() == sum(int(r["killed"]) for r in incident_rows())
    same = panel_for("testlog", "province", "current")
    assert (p["deaths"].to_numpy() == same["killed"].to_numpy()).all()
    d = violence.select_panel(violence_source="testlog", level="district", district_set="stable",
                              start_year=2018, end_year=2030, categories=["terrorist_attack", "sectarian"])
    assert d.attrs["selection"]["years"] == [2018, 2019]
    expected = [r for r in incident_rows() if r["date"][:4] in ("2018", "2019")
                and r["category"].lower().replace(" ", "_") in ("terrorist_attack", "sectarian")]
    assert d["events"].sum() == len(expected) and d["deaths"].sum() == sum(int(r["killed"]) for r in expected)
    types = violence.by_type(violence_source="testlog")
    assert types.attrs["breakdown"] == "incident category"
    assert types.groupby("violence_type")["deaths"].sum()["security_operation"] == 13


def test_select_panel_reads_a_registered_series_at_province_level(registered):
    p = violence.select_panel(violence_source="testseries", layout="current")
    kp = p[p["unit_id"] == "PK-KP"].set_index("year")
    assert kp.loc[2016, "events"] == 5 + 6 and kp.loc[2016, "deaths"] == 14 + 30  # KP with FATA
    assert "PK" not in set(p["unit_id"])  # the national figure is not a province row
    with pytest.raises(ParameterError, match="province figures only"):
        violence.select_panel(violence_source="testseries", level="district")


@pytest.mark.parametrize("kwargs, words", [
    ({"deaths_estimate": "high"}, "has one count of persons killed"),
    ({"violence_types": ["one_sided"]}, "select categories instead"),
    ({"start_year": 2001, "end_year": 2005}, "do not overlap the years 'testlog' covers (2016-2019)"),
    ({"categories": ["riots"]}, "categories must be drawn from"),
    ({"violence_source": "nolog"}, "unknown violence source 'nolog'"),
])
def test_select_panel_refuses_what_a_log_cannot_answer(registered, kwargs, words):
    with pytest.raises(ParameterError, match=words.replace("(", r"\(").replace(")", r"\)")):
        violence.select_panel(**{"violence_source": "testlog", **kwargs})


def test_ucdp_remains_the_default_and_unchanged(mirror):
    p = violence.select_panel(start_year=2010, end_year=2012, violence_types=["one_sided"])
    raw = read_processed("violence_province_year")
    raw = raw[(raw["layout"] == "current") & raw["year"].between(2010, 2012)]
    assert p["deaths"].sum() == raw["deaths_best_one_sided"].sum()
    assert p.attrs["violence_source"] == "ucdp_ged_pak"
    with pytest.raises(ParameterError, match="for UCDP GED 22.1 use violence_types"):
        violence.select_panel(categories=["sectarian"])
