"""Reading an analyst's CSV as text: any delimiter and encoding a spreadsheet writes, every cell back as written.

The tables here are made up by the tests (Hypothesis); the hostile files are in ``tests/bad_inputs/``.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.errors import DataValidationError
from workbench.sources.analyst_csv import DELIMITERS, read_analyst_csv

COLUMNS = ["incident_id", "province", "notes"]
#: Cell text: any character but NUL, a lone carriage return and the surrogates (a line break inside a cell
#: is quoted by the writer); white space at the ends is stripped on reading.
CELL = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00\r"), max_size=12).map(str.strip)
ROWS = st.lists(st.lists(CELL, min_size=3, max_size=3).filter(any), max_size=6)
ENCODINGS = {"utf-8": [], "utf-8-sig": [], "utf-16": ["read as UTF-16 (byte-order mark)"]}


def _write(folder: Path, rows: list[list[str]], delimiter: str, encoding: str, lineterminator: str) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=lineterminator)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    path = folder / "table.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@given(rows=ROWS, delimiter=st.sampled_from(list(DELIMITERS)), encoding=st.sampled_from(list(ENCODINGS)),
       lineterminator=st.sampled_from(["\n", "\r\n"]))
def test_any_table_reads_back_cell_for_cell_whatever_the_delimiter_and_encoding(rows, delimiter, encoding,
                                                                                 lineterminator):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), rows, delimiter, encoding, lineterminator)
        table = read_analyst_csv(path, COLUMNS)
    assert list(table.columns) == COLUMNS
    assert table.to_numpy().tolist() == rows
    assert table.index.tolist() == list(range(1, len(rows) + 1))
    assert (table.attrs["delimiter"], table.attrs["encoding"]) == (delimiter, encoding)
    expected = [f"{path}: {n}" for n in ENCODINGS[encoding]]
    if delimiter != ",":
        expected.append(f"{path}: read as {DELIMITERS[delimiter]}-separated values")
    assert table.attrs["read_notes"] == expected


def test_blank_rows_keep_their_numbers_and_are_left_out(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n\nincident_id,province,notes\nA,KP,\n\n,,\nB,Sindh,x\n", encoding="utf-8")
    table = read_analyst_csv(path, COLUMNS)
    assert table.index.tolist() == [1, 4] and table["incident_id"].tolist() == ["A", "B"]


def test_windows_1252_is_a_fallback_only_when_the_bytes_are_not_utf8(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("incident_id,province,notes\nA,KP,Café\n".encode())
    assert read_analyst_csv(path, COLUMNS).attrs["encoding"] == "utf-8"
    path.write_bytes("incident_id,province,notes\nA,KP,Café – €5\n".encode("cp1252"))
    table = read_analyst_csv(path, COLUMNS)
    assert table.loc[1, "notes"] == "Café – €5" and table.attrs["encoding"] == "cp1252"
    assert table.attrs["read_notes"] == [f"{path}: not UTF-8 (byte 0xe9 at line 2), read as Windows-1252 (cp1252): "
                                         "check accented letters, or save it from the spreadsheet as 'CSV UTF-8 "
                                         "(comma delimited)'"]
    path.write_bytes(b"incident_id,province,notes\nA,KP,\x81\n")  # 0x81: no character in cp1252
    assert read_analyst_csv(path, COLUMNS).attrs["encoding"] == "latin-1"


def test_the_header_decides_the_delimiter_when_cells_hold_other_delimiters(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("incident_id;province;notes\n" + "A;KP;one, two, three\n" * 3, encoding="utf-8")
    table = read_analyst_csv(path, COLUMNS)
    assert table.attrs["delimiter"] == ";" and table["notes"].tolist() == ["one, two, three"] * 3


@pytest.mark.parametrize("text, row, column, words", [
    ('incident_id,province,notes\nA,KP,"never closed\nB,KP,x\n', 1, "notes", "never closed"),
    ('incident_id,province,notes\nA,"KP" or NWFP,x\n', 1, "province", "text after a closing quote"),
    ("incident_id,province,notes\nA,KP,x\nB,KP\n", 2, "notes", "2 cells but the header has 3 columns"),
    ("incident_id,province,notes\nA,KP,x,y\n", 1, "notes", "4 cells but the header has 3 columns"),
])
def test_broken_rows_are_named_by_row_and_column(tmp_path, text, row, column, words):
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        read_analyst_csv(path, COLUMNS)
    assert (info.value.row, info.value.column) == (row, column)
    assert words in str(info.value) and str(path) in str(info.value)
