"""The UCDP GED reader: the real extract, the global format, and every kind of bad input."""

from __future__ import annotations

import pytest

from ged_builder import ged_row, write_ged
from workbench.errors import DataValidationError
from workbench.sources import ucdp


@pytest.fixture(scope="module")
def events(mirror):
    return ucdp.read_ged()


def test_real_extract_matches_its_provenance(events):
    # figures stated in ucdp_ged/PROVENANCE.md, measured again here
    assert len(events) == 6416
    assert events["id"].is_unique
    assert (events["best"].sum(), events["low"].sum(), events["high"].sum()) == (43225, 41089, 49713)
    assert events["year"].min() == 1989 and events["year"].max() == 2021
    assert events["type_of_violence"].value_counts().to_dict() == {1: 5388, 3: 559, 2: 469}
    assert events.attrs["sources"] == ["ucdp_ged_pak"]


def test_multiline_quoted_fields_are_kept_whole(events):
    # 4,271 quoted fields contain line breaks; they stay inside their field
    multiline = events["source_article"].astype(str).str.contains("\n") | events["where_description"].astype(
        str).str.contains("\n")
    assert multiline.sum() > 0
    assert events["record"].tolist() == list(range(1, 6417))


def test_published_quirks_are_flagged_not_rejected(events):
    flags = ucdp.quality_flags(events)
    counts = flags.groupby("flag")["id"].nunique().to_dict()
    assert counts["low_gt_best"] == 61
    assert counts["best_gt_high"] == 139
    assert counts["low_gt_high"] == 137
    points = ucdp.recurring_points(events)
    top = points.iloc[0]
    assert (round(top["latitude"], 2), round(top["longitude"], 2), top["events"]) == (24.86, 67.01, 337)
    assert (points["events"] >= ucdp.RECURRING_POINT_MIN_EVENTS).all()


def test_global_format_is_filtered_to_pakistan(tmp_path):
    rows = [ged_row(id=1), ged_row(id=2, country="India", country_id=750, latitude="28.6", longitude="77.2"),
            ged_row(id=3, where_description="a place\nwith a line break")]
    path = write_ged(tmp_path / "ged_global.csv", rows, with_iso3=False)
    df = ucdp.read_ged(path)
    assert df["id"].tolist() == [1, 3]
    assert df.loc[1, "where_description"] == "a place\nwith a line break"
    assert df.attrs["sources"] == []


def _error(tmp_path, rows, **kw) -> str:
    path = write_ged(tmp_path / "bad.csv", rows, **kw)
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path)
    msg = str(info.value)
    assert str(path) in msg
    return msg


def test_duplicate_id_names_file_row_and_column(tmp_path):
    msg = _error(tmp_path, [ged_row(id=7), ged_row(id=8), ged_row(id=7)])
    assert "column 'id'" in msg and "duplicate" in msg and "row 1 (id 7)" in msg


def test_negative_deaths(tmp_path):
    msg = _error(tmp_path, [ged_row(id=1), ged_row(id=2, deaths_civilians=-3, best=0)])
    assert "row 2 (id 2)" in msg and "column 'deaths_civilians'" in msg and "non-negative" in msg


def test_best_not_sum_of_parts(tmp_path):
    msg = _error(tmp_path, [ged_row(id=5, best=9)])
    assert "row 1 (id 5)" in msg and "column 'best'" in msg and "deaths_a + deaths_b" in msg


def test_dates_out_of_order_and_invalid(tmp_path):
    msg = _error(tmp_path, [ged_row(id=1, date_start="2010-06-01 00:00:00.000")])
    assert "column 'date_start'" in msg and "after date_end" in msg
    msg = _error(tmp_path, [ged_row(id=4, date_end="2010-13-45 00:00:00.000")])
    assert "column 'date_end'" in msg and "row 1 (id 4)" in msg and "not a valid date" in msg


def test_coordinates_outside_pakistan(tmp_path):
    msg = _error(tmp_path, [ged_row(id=1), ged_row(id=2, latitude="48.85", longitude="2.35")])
    assert "row 2 (id 2)" in msg and "column 'latitude'" in msg


def test_non_numeric_count(tmp_path):
    msg = _error(tmp_path, [ged_row(id=3, deaths_b="two")])
    assert "column 'deaths_b'" in msg and "'two'" in msg and "row 1 (id 3)" in msg


def test_missing_column(tmp_path):
    msg = _error(tmp_path, [ged_row(id=1)], drop=("deaths_unknown",))
    assert "missing column" in msg and "deaths_unknown" in msg and "row header" in msg


def test_malformed_csv_stray_field(tmp_path):
    path = write_ged(tmp_path / "bad.csv", [ged_row(id=1), ged_row(id=2)])
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2] + b",extra"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path)
    assert "row 2" in str(info.value) and "malformed CSV" in str(info.value) and str(path) in str(info.value)


def test_malformed_csv_unclosed_quote(tmp_path):
    path = write_ged(tmp_path / "bad.csv", [ged_row(id=1), ged_row(id=2)])
    path.write_bytes(path.read_bytes().replace(b"test place", b'"test place', 1))
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path)
    assert "malformed CSV" in str(info.value)


def test_all_problems_are_listed(tmp_path):
    path = write_ged(tmp_path / "bad.csv", [ged_row(id=1, best=1), ged_row(id=1), ged_row(id=3, low=-1)])
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path)
    cases = info.value.failure_cases
    assert {"best", "id", "low"} <= set(cases["column"])
    assert "problems in all" in str(info.value)
