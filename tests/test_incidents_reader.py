"""Reading and checking the analyst's incident logs and annual series: every bad input is refused clearly.

All figures are fictional, built by the tests (``test_incidents_example``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_incidents_example import (
    LOG_HEADER,
    SERIES_HEADER,
    incident_rows,
    series_rows,
    write_annual_series,
    write_csv,
    write_incident_log,
)

from workbench.errors import DataValidationError, UnknownUnitError
from workbench.sources.incidents import (
    LOG_FRAME_COLUMNS,
    SERIES_FRAME_COLUMNS,
    read_annual_series,
    read_incident_log,
    resolve_district_names,
)


def _log_with(tmp_path: Path, index: int, **changes: str) -> Path:
    rows = incident_rows()
    rows[index] = {**rows[index], **changes}
    return write_incident_log(tmp_path / "log.csv", rows)


# --------------------------------------------------------------------------- a good log


def test_the_example_log_reads_with_resolved_units(mirror, tmp_path):
    log = read_incident_log(write_incident_log(tmp_path / "log.csv"), source_id="testlog")
    assert list(log.columns) == LOG_FRAME_COLUMNS
    assert len(log) == 12 and log.attrs["sources"] == ["testlog"]
    by_id = log.set_index("incident_id")
    # NWFP, KPK, KP and Khyber Pakhtunkhwa are one province; FATA stays FATA; old spellings resolve
    assert set(by_id.loc[["TESTLOG-0001", "TESTLOG-0002", "TESTLOG-0004", "TESTLOG-0009"], "province_id"]) == {"PK-KP"}
    assert by_id.loc["TESTLOG-0003", "province_id"] == "PK-TA"
    assert by_id.loc["TESTLOG-0007", "province_id"] == "PK-BA"  # "Baluchistan"
    assert by_id.loc["TESTLOG-0003", "district_id"] == "census2017/north_waziristan"
    assert by_id.loc["TESTLOG-0009", "district_id"] == "census2017/kurram"
    assert (by_id.loc["TESTLOG-0005", "district_id"], by_id.loc["TESTLOG-0005", "district_level"]) == (
        "division/karachi", "division")
    assert by_id.loc["TESTLOG-0002", "category"] == "sectarian"  # "Sectarian"
    assert by_id.loc["TESTLOG-0005", "category"] == "ethno_political"  # "ethno-political"
    # a date range: the year of its start; a single date is its own start and end
    assert by_id.loc["TESTLOG-0006", "date_start"] == pd.Timestamp("2017-06-01")
    assert by_id.loc["TESTLOG-0006", "date_end"] == pd.Timestamp("2017-06-30")
    assert by_id.loc["TESTLOG-0001", "date_end"] == pd.Timestamp("2016-02-03")
    assert log["year"].tolist() == [2016] * 3 + [2017] * 3 + [2018] * 3 + [2019] * 3
    # parts not given are missing, not zero
    assert pd.isna(by_id.loc["TESTLOG-0002", "killed_civilians"])
    assert by_id.loc["TESTLOG-0001", "killed_militants"] == 0


@pytest.mark.parametrize("spelling, expected", [
    ("NWFP", "PK-KP"), ("KPK", "PK-KP"), ("KP", "PK-KP"), ("Khyber Pakhtunkhwa", "PK-KP"), ("N.W.F.P.", "PK-KP"),
    ("Sind", "PK-SD"), ("ICT", "PK-IS"), ("AJK", "PK-JK"), ("GB", "PK-GB"), ("Tribal Areas", "PK-TA"),
])
def test_analysts_province_spellings_resolve(tmp_path, spelling, expected):
    path = _log_with(tmp_path, 3, province=spelling)  # TESTLOG-0004 names no district
    log = read_incident_log(path, check_points=False)
    assert log.loc[3, "province_id"] == expected


@pytest.mark.parametrize("name, expected", [
    ("DI Khan", "census2023/dera_ismail_khan"), ("D.I. Khan", "census2017/dera_ismail_khan"),
    ("Qila Abdullah", "census2023/killa_abdullah"), ("Nawabshah", "census2023/shaheed_benazirabad"),
    ("FR Kohat", "census2017/fr_kohat"), ("Kohistan", "census2017/kohistan"),
    ("Muzaffarabad", "census2023/muzaffarabad"),
    ("Diamer", "census2023/diamir"), ("Karachi", "division/karachi"), ("Keamari", "census2023/keamari"),
])
def test_analysts_district_spellings_resolve(name, expected):
    ids, _ = resolve_district_names(pd.Series([name], index=[1]))
    assert ids.iloc[0] == expected


# --------------------------------------------------------------------------- bad logs: file, row, column


BAD_LOG_CASES = [
    # (row index changed, changes, column blamed, words of the message)
    (1, {"date": "2016-13-40"}, "date", "unparseable date"),
    (1, {"date": "20/05/2016"}, "date", "unparseable date"),
    (1, {"date": ""}, "date", "no date"),
    (5, {"date_end": "2017-05-01"}, "date_end", "before date_start"),
    (1, {"date_start": "2016-05-01"}, "date", "either date or date_start"),
    (1, {"killed": "-2"}, "killed", "negative"),
    (1, {"injured": "many"}, "injured", "not a whole number"),
    (1, {"killed": "2.5"}, "killed", "not a whole number"),
    (1, {"killed": ""}, "killed", "empty"),
    (1, {"killed_civilians": "1", "killed_security": "1", "killed_militants": "1"}, "killed", "exceed killed"),
    (1, {"killed_security": "x"}, "killed_security", "not a whole number"),
    (1, {"latitude": "52.5", "longitude": "13.4", "coord_precision": "exact"}, "latitude", "outside Pakistan"),
    (1, {"latitude": "71.5", "longitude": "34.0", "coord_precision": "exact"}, "latitude", "swapped"),
    (1, {"latitude": "31.5"}, "longitude", "both coordinates"),
    (1, {"latitude": "31.8", "longitude": "70.9"}, "coord_precision", "without coord_precision"),
    (1, {"latitude": "31.8", "longitude": "70.9", "coord_precision": "roughly"}, "coord_precision", "not one of"),
    (1, {"category": "riot"}, "category", "not one of"),
    (1, {"source": ""}, "source", "empty"),
    (1, {"district": "Lahore"}, "district", "lies in Punjab"),
    (1, {"province": "FATA", "district": "Swat"}, "district", "not part of FATA"),
    (1, {"incident_id": "TESTLOG-0001"}, "incident_id", "duplicated incident_id (first at row 1)"),
]


@pytest.mark.parametrize("index, changes, column, words", BAD_LOG_CASES)
def test_a_bad_log_is_refused_naming_file_row_and_column(tmp_path, index, changes, column, words):
    path = _log_with(tmp_path, index, **changes)
    with pytest.raises(DataValidationError) as info:
        read_incident_log(path, check_points=False)
    err = info.value
    assert err.file == str(path)
    assert err.column == column
    assert str(err.row).startswith(str(index + 1)), err.row  # data row, 1-based
    assert words in str(err)
    assert incident_rows()[index]["incident_id"] in str(err.row) or changes.get("incident_id")


def test_a_point_near_pakistan_but_outside_its_polygons_is_refused(mirror, tmp_path):
    # Kabul lies inside Pakistan's bounding box but far outside its provinces
    path = _log_with(tmp_path, 11, latitude="34.53", longitude="69.17", coord_precision="exact")
    with pytest.raises(DataValidationError, match=r"outside Pakistan \(\d+ km from the nearest province") as info:
        read_incident_log(path)
    assert info.value.row.startswith("12") and info.value.column == "latitude"


@pytest.mark.parametrize("column, name", [("province", "Atlantis"), ("district", "Gotham")])
def test_unknown_places_are_refused_naming_row_and_column(tmp_path, column, name):
    path = _log_with(tmp_path, 6, **{column: name})
    with pytest.raises(UnknownUnitError) as info:
        read_incident_log(path, check_points=False)
    text = str(info.value)
    assert str(path) in text and "row 7" in text and f"column '{column}'" in text and repr(name) in text


def test_an_unknown_district_gets_suggestions(tmp_path):
    path = _log_with(tmp_path, 0, district="Peshwar")
    with pytest.raises(UnknownUnitError, match="did you mean: 'Peshawar'"):
        read_incident_log(path, check_points=False)


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    rows = incident_rows()
    rows[2] = {**rows[2], "killed": "-1"}
    rows[8] = {**rows[8], "date": "yesterday"}
    with pytest.raises(DataValidationError) as info:
        read_incident_log(write_incident_log(tmp_path / "log.csv", rows), check_points=False)
    cases = info.value.failure_cases
    assert set(zip(cases["row"], cases["column"], strict=True)) == {(3, "killed"), (9, "date")}


def test_unknown_and_missing_columns_are_refused(tmp_path):
    path = write_csv(tmp_path / "a.csv", [*LOG_HEADER, "kiled"], incident_rows())
    with pytest.raises(DataValidationError, match=r"unknown column\(s\) \['kiled'\]"):
        read_incident_log(path, check_points=False)
    path = write_csv(tmp_path / "b.csv", [c for c in LOG_HEADER if c != "injured"], incident_rows())
    with pytest.raises(DataValidationError, match=r"missing required column\(s\) \['injured'\]"):
        read_incident_log(path, check_points=False)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((",".join(LOG_HEADER) + "\n").encode() + "Ä".encode("latin-1") + b",\n")
    with pytest.raises(DataValidationError, match="not UTF-8"):
        read_incident_log(path, check_points=False)


@settings(deadline=None, max_examples=25)
@given(killed=st.integers(0, 50), parts=st.lists(st.one_of(st.none(), st.integers(0, 30)), min_size=3, max_size=3))
def test_killed_parts_are_accepted_exactly_when_they_do_not_exceed_the_total(killed, parts):
    row = {**incident_rows()[0], "killed": str(killed)}
    for name, value in zip(("killed_civilians", "killed_security", "killed_militants"), parts, strict=True):
        row[name] = "" if value is None else str(value)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_incident_log(Path(tmp) / "log.csv", [row])
        total = sum(p for p in parts if p is not None)
        if total <= killed:
            log = read_incident_log(path, check_points=False)
            assert int(log.loc[0, "killed"]) == killed
        else:
            with pytest.raises(DataValidationError, match="exceed killed"):
                read_incident_log(path, check_points=False)


# --------------------------------------------------------------------------- annual series


def test_the_example_series_reads(tmp_path):
    s = read_annual_series(write_annual_series(tmp_path / "s.csv"), source_id="testseries")
    assert list(s.columns) == SERIES_FRAME_COLUMNS and len(s) == 24
    assert set(s.loc[s["geography_src"] == "NWFP", "unit_id"]) == {"PK-KP"}
    assert set(s.loc[s["geography_src"] == "Pakistan", ["unit_id", "unit_level"]].itertuples(index=False)) == {
        ("PK", "country")}
    assert s.attrs["sources"] == ["testseries"]


BAD_SERIES_CASES = [
    (3, {"value": "1,234"}, "value", "not a number"),
    (3, {"value": "-4"}, "value", "negative"),
    (3, {"value": ""}, "value", "empty"),
    (3, {"year": "16"}, "year", "four-digit year"),
    (3, {"layout": "modern"}, "layout", "not one of"),
    (3, {"measure": "attacks"}, "measure", "not one of"),
    (3, {"definition": ""}, "definition", "empty"),
    (3, {"page": ""}, "page", "empty"),
    (7, {"layout": "current"}, "layout", "FATA in the current layout"),  # row 7 is FATA 2016 incidents
    (3, {"geography": "Punjab", "measure": "incidents"}, "value", "the same source, year, geography"),
]


@pytest.mark.parametrize("index, changes, column, words", BAD_SERIES_CASES)
def test_a_bad_series_is_refused_naming_file_row_and_column(tmp_path, index, changes, column, words):
    rows = series_rows()
    rows[index - 1] = {**rows[index - 1], **changes}
    path = write_annual_series(tmp_path / "s.csv", rows)
    with pytest.raises(DataValidationError) as info:
        read_annual_series(path)
    err = info.value
    assert (err.file, err.column, str(err.row)) == (str(path), column, str(index))
    assert words in str(err)


def test_an_unknown_geography_is_refused(tmp_path):
    rows = series_rows()
    rows[4] = {**rows[4], "geography": "Waziristan Province"}
    path = write_csv(tmp_path / "s.csv", SERIES_HEADER, rows)
    with pytest.raises(UnknownUnitError, match=r"row 5, column 'geography'.*'Waziristan Province'"):
        read_annual_series(path)
