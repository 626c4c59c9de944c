"""Reading and checking the analyst's incident logs and annual series: every bad input is refused clearly.

All figures are fictional, built by the tests (``test_incidents_example``).
"""

from __future__ import annotations

import datetime as dt
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

from workbench.errors import DataValidationError, ParameterError, UnknownUnitError
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


def test_a_file_that_is_not_utf8_is_read_as_cp1252_with_a_note(tmp_path):
    rows = incident_rows()[3:4]
    rows[0]["notes"] = "Café Dera"
    path = tmp_path / "cp1252.csv"
    text = write_incident_log(tmp_path / "utf8.csv", rows).read_text(encoding="utf-8")
    path.write_bytes(text.encode("cp1252"))
    log = read_incident_log(path, check_points=False)
    assert log["notes"].tolist() == ["Café Dera"]
    assert log.attrs["read_notes"] == [f"{path}: not UTF-8 (byte 0xe9 at line 2), read as Windows-1252 (cp1252): "
                                       "check accented letters, or save it from the spreadsheet as 'CSV UTF-8 "
                                       "(comma delimited)'"]


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


# --------------------------------------------------------------------------- dates later than today (issue 13.12)


@pytest.mark.parametrize("changes, column", [
    ({"date": "2026-12-25"}, "date"),
    ({"date": "", "date_start": "2026-12-25"}, "date_start"),
    ({"date": "", "date_start": "2026-11-01", "date_end": "2026-12-31"}, "date_end"),
])
def test_a_date_later_than_today_is_refused_naming_file_row_and_column(tmp_path, changes, column):
    path = _log_with(tmp_path, 4, **changes)
    with pytest.raises(DataValidationError) as info:
        read_incident_log(path, check_points=False, today=dt.date(2026, 12, 3))
    err = info.value
    assert (err.file, err.column, err.row) == (str(path), column, "5 (incident_id 'TESTLOG-0005')")
    assert "date later than today (2026-12-03)" in str(err)


def test_today_itself_is_accepted_and_today_must_be_a_date(tmp_path):
    path = _log_with(tmp_path, 4, date="2026-12-03")
    assert len(read_incident_log(path, check_points=False, today=dt.date(2026, 12, 3))) == 12
    with pytest.raises(ParameterError, match="today must be a datetime.date"):
        read_incident_log(path, check_points=False, today="2026-12-03")


def test_a_series_year_later_than_this_year_is_refused(tmp_path):
    rows = series_rows()
    rows[0] = {**rows[0], "year": "2027"}
    path = write_annual_series(tmp_path / "s.csv", rows)
    with pytest.raises(DataValidationError, match=r"row 1, column 'year': 'year' later than this year \(2026\)"):
        read_annual_series(path, today=dt.date(2026, 12, 3))
    assert len(read_annual_series(path, today=dt.date(2027, 1, 1))) == 24


# --------------------------------------------------------------------------- exact duplicates (issue 13.13)


#: A change to any one of these cells makes two rows two incidents (the columns compared).
COMPARED_CHANGES = {
    "date": {"date": "2017-03-03"},
    "date range": {"date": "", "date_start": "2017-03-01", "date_end": "2017-03-31"},
    "district": {"district": "Keamari"},
    "coordinates": {"latitude": "24.9", "longitude": "67.0", "coord_precision": "town"},
    "category": {"category": "other"},
    "perpetrator": {"perpetrator": "another group"},
    "killed": {"killed": "5", "killed_civilians": "5"},
    "killed part": {"killed_civilians": "3"},
    "injured": {"injured": "7"},
    "source": {"source": "another report"},
    "notes": {"notes": "another note"},
}


def _twice(tmp_path: Path, second: dict[str, str]) -> Path:
    rows = incident_rows()
    rows.insert(5, {**rows[4], "incident_id": "TESTLOG-0005b", **second})  # row 6 repeats row 5
    return write_incident_log(tmp_path / "log.csv", rows)


@pytest.mark.parametrize("spelling", [
    {}, {"province": "Sind"}, {"district": " karachi "}, {"killed": "04"}, {"category": "Ethno political"},
    {"source": "QZX-SOURCE-MARKER  fictional test record 5"}, {"date": "", "date_start": "2017-03-02"},
], ids=["identical", "province", "district", "count", "category", "source", "date_start"])
def test_an_exact_duplicate_with_another_id_is_refused_however_it_is_spelt(tmp_path, spelling):
    path = _twice(tmp_path, spelling)
    with pytest.raises(DataValidationError) as info:
        read_incident_log(path, check_points=False)
    err = info.value
    assert (err.row, err.column) == ("6 (incident_id 'TESTLOG-0005b')", "distinct_from")
    assert "the same incident as row 5 (incident_id 'TESTLOG-0005')" in str(err)


@pytest.mark.parametrize("change", COMPARED_CHANGES.values(), ids=COMPARED_CHANGES.keys())
def test_rows_that_differ_in_any_compared_cell_are_two_incidents(tmp_path, change):
    assert len(read_incident_log(_twice(tmp_path, change), check_points=False)) == 13


@pytest.mark.parametrize("marked_row", [5, 6])
def test_a_duplicate_marked_distinct_in_either_row_is_read_and_counted_twice(tmp_path, marked_row):
    rows = incident_rows()
    rows.insert(5, {**rows[4], "incident_id": "TESTLOG-0005b"})
    other = {5: "TESTLOG-0005b", 6: "TESTLOG-0005"}[marked_row]
    rows[marked_row - 1] = {**rows[marked_row - 1], "distinct_from": f"TESTLOG-0001; {other}"}
    log = read_incident_log(write_incident_log(tmp_path / "log.csv", rows), check_points=False)
    assert len(log) == 13 and int(log.loc[log["year"] == 2017, "killed"].sum()) == 1 + 4 + 4 + 7


def test_three_copies_need_every_pair_marked(tmp_path):
    rows = incident_rows()
    copies = [{**rows[4], "incident_id": f"TESTLOG-0005{s}"} for s in "bc"]
    copies[0]["distinct_from"] = "TESTLOG-0005"
    copies[1]["distinct_from"] = "TESTLOG-0005"  # but not TESTLOG-0005b
    rows[5:5] = copies
    with pytest.raises(DataValidationError) as info:
        read_incident_log(write_incident_log(tmp_path / "log.csv", rows), check_points=False)
    assert info.value.row == "7 (incident_id 'TESTLOG-0005c')"
    assert "the same incident as row 6 (incident_id 'TESTLOG-0005b')" in str(info.value)


@pytest.mark.parametrize("mark, words", [("TESTLOG-9999", "not in this file"), ("TESTLOG-0005", "own incident_id")])
def test_distinct_from_must_name_another_incident_of_the_file(tmp_path, mark, words):
    path = _log_with(tmp_path, 4, distinct_from=mark)
    with pytest.raises(DataValidationError) as info:
        read_incident_log(path, check_points=False)
    assert (info.value.row, info.value.column) == ("5 (incident_id 'TESTLOG-0005')", "distinct_from")
    assert words in str(info.value)
