"""The UCDP GED reader: the real extract, the global format, and every kind of bad input."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --------------------------------------------------------------------------- every shape UCDP publishes


def _global_rows(active: str) -> list[dict[str, str]]:
    return [ged_row(id=1, active_year=active), ged_row(id=2, country="India", country_id=750, latitude="28.6",
                                                       longitude="77.2", active_year=active),
            ged_row(id=3, active_year="0" if active == "1" else "false", where_description="two\nlines")]


def test_every_shape_gives_the_same_typed_frame(tmp_path):
    """The HDX extract layout (50 columns, active_year 1/0), the publisher's (49, true/false), a zip of it, xlsx."""
    import zipfile

    extract = ucdp.read_ged(write_ged(tmp_path / "hdx.csv", _global_rows("1"), with_iso3=True))
    plain = ucdp.read_ged(write_ged(tmp_path / "global.csv", _global_rows("true"), with_iso3=False))
    with zipfile.ZipFile(tmp_path / "ged-csv.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(tmp_path / "global.csv", arcname="GEDEvent_vT.csv")
    zipped = ucdp.read_ged(tmp_path / "ged-csv.zip")
    sheet = pd.read_csv(tmp_path / "global.csv", dtype=str, keep_default_na=False)
    sheet.to_excel(tmp_path / "candidate.xlsx", index=False)
    xlsx = ucdp.read_ged(tmp_path / "candidate.xlsx")
    assert extract["active_year"].tolist() == [True, False]
    ours = [c for c in extract.columns if c != "iso3"]
    for other in (plain, zipped, xlsx):
        assert other[ours].equals(extract[ours]), other.attrs["file"]
    assert zipped.attrs["file"].endswith("ged-csv.zip!GEDEvent_vT.csv")
    assert all(f.attrs["rows_outside_pakistan"] == 1 and f.attrs["rows_read"] == 3 for f in (plain, zipped, xlsx))


def test_active_year_must_be_one_zero_true_or_false(tmp_path):
    msg = _error(tmp_path, [ged_row(id=1), ged_row(id=9, active_year="maybe")])
    assert "row 2 (id 9)" in msg and "column 'active_year'" in msg and "'maybe'" in msg


def test_a_declared_pakistan_extract_refuses_other_countries(tmp_path):
    path = write_ged(tmp_path / "pk.csv", _global_rows("1"))
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path, pakistan_extract=True)
    msg = str(info.value)
    assert "declares this file a Pakistan extract" in msg and "row 2 (id 2)" in msg and "column 'country_id'" in msg


def test_a_header_only_file_is_an_error_not_zero_events(tmp_path):
    path = write_ged(tmp_path / "empty.csv", [])
    with pytest.raises(DataValidationError, match="header but no records"):
        ucdp.read_ged(path)
    (tmp_path / "nothing.csv").write_bytes(b"")
    with pytest.raises(DataValidationError, match="the file is empty"):
        ucdp.read_ged(tmp_path / "nothing.csv")


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = write_ged(tmp_path / "big.csv", [ged_row(id=i) for i in range(1, 4)])
    monkeypatch.setattr(ucdp, "MAX_TEXT_BYTES", path.stat().st_size - 1)
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path)
    assert "more than the reader's limit" in str(info.value) and str(path) in str(info.value)


def test_reading_goes_chunk_by_chunk_and_numbers_records_across_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(ucdp, "CHUNK_ROWS", 2)
    rows = [ged_row(id=i, country_id=750 if i % 2 else 770, latitude="28.6" if i % 2 else "34.0") for i in range(1, 8)]
    df = ucdp.read_ged(write_ged(tmp_path / "g.csv", rows, with_iso3=False))
    assert df["id"].tolist() == [2, 4, 6] and df["record"].tolist() == [2, 4, 6]
    assert df.attrs["rows_outside_pakistan"] == 4
    rows[4] = ged_row(id=5, deaths_b="two")  # a bad cell in the third chunk names its record
    msg = _error(tmp_path, rows)
    assert "row 5 (id 5)" in msg and "column 'deaths_b'" in msg


def test_a_short_record_is_named_by_the_reference_path(tmp_path):
    path = write_ged(tmp_path / "short.csv", [ged_row(id=1), ged_row(id=2)])
    lines = path.read_bytes().split(b"\r\n")
    lines[2] = lines[2].rsplit(b",", 4)[0]  # its last four fields (low, high ... ) are missing
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(DataValidationError) as info:
        ucdp.read_ged(path)
    assert "row 2" in str(info.value) and "the record has 46 fields, the header 50" in str(info.value)


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 5), st.sampled_from(["1", "0", "true", "False"]),
                          st.sampled_from([770, 750]), st.floats(24.0, 36.0), st.text(
                              alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
                              max_size=12)), min_size=1, max_size=8))
def test_the_typed_fast_path_gives_exactly_the_reference_frame(tmp_path_factory, rows):
    path = tmp_path_factory.mktemp("prop") / "g.csv"
    records = [ged_row(id=i + 1, deaths_civilians=c, deaths_a=a, best=a + 2 + c,
                       active_year=act, country_id=country, latitude=repr(lat), where_description=text)
               for i, (c, a, act, country, lat, text) in enumerate(rows)]
    write_ged(path, records, with_iso3=False)
    opener, where = ucdp._opener(path, None)
    header = ucdp._header(opener, where)
    typed, n1, out1 = ucdp._collect(ucdp._typed_chunks(opener, header), where, False)
    text, n2, out2 = ucdp._collect(ucdp._text_chunks(opener, header, where), where, False)
    text = ucdp._type_numbers(text, where)
    assert (n1, out1) == (n2, out2)
    assert typed.equals(text) and (typed.dtypes == text.dtypes).all()


def test_a_lean_read_keeps_the_checked_columns_and_the_ones_asked_for_with_the_same_values(mirror):
    from workbench.sources.ucdp import CHECKED_COLUMNS

    full = ucdp.read_ged()
    lean = ucdp.read_ged(columns=["adm_1", "adm_2"])
    assert set(lean.columns) == {*CHECKED_COLUMNS, "adm_1", "adm_2", "record", "violence_type"}
    assert "source_article" not in lean.columns
    pd.testing.assert_frame_equal(lean[full.columns.intersection(lean.columns)].reset_index(drop=True),
                                  full[full.columns.intersection(lean.columns)].reset_index(drop=True))
