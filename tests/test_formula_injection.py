"""Issue 13.4: analyst text that a spreadsheet would run as a formula is made inert in every export."""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd
import pytest
from test_incidents_example import write_incident_log

from workbench.formatting import FORMULA_TRIGGERS
from workbench.report import outputs
from workbench.report.paths import OUTPUT_DIR_ENV

PAYLOAD = 'HYPERLINK("http://example.invalid/x","click")'


@pytest.fixture
def out(tmp_path, monkeypatch):
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path / "out"))
    monkeypatch.setattr(outputs, "_written", set())
    return tmp_path / "out"


def _workbook_cells(path):
    book = openpyxl.load_workbook(path)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]


def _assert_inert(folder):
    for xlsx in folder.rglob("*.xlsx"):
        cells = _workbook_cells(xlsx)
        assert cells, xlsx
        live = [(xlsx.name, c.coordinate, c.value) for c in cells if c.data_type == "f"]
        assert live == []
        raw = [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS)]
        assert raw == [], (xlsx.name, raw)
    for path in folder.rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as fh:
            cells = [cell for row in csv.reader(fh) for cell in row]
        assert [c for c in cells if c.startswith(FORMULA_TRIGGERS) and not _number(c)] == [], path.name


def _number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("trigger", FORMULA_TRIGGERS)
def test_every_trigger_is_neutralised_in_cells_headers_index_and_caption(out, trigger):
    text = f"{trigger}{PAYLOAD}"
    df = pd.DataFrame({text: [text, "Punjab"], "killed": [-3, 4]}, index=pd.Index([text, "b"], name=text))
    df.attrs["sources"] = ["ucdp_ged_pak"]
    outputs.show_table(df, "hostile", caption=text)
    _assert_inert(out)
    book = openpyxl.load_workbook(out / "tables" / "hostile.xlsx")
    table = book["table"]
    header = [c.value for c in table[1]]
    kept = f"'{text}".replace("\r", "\n")  # XML reads a carriage return back as a line feed
    assert kept in [h.replace("\r", "\n") for h in header]  # kept readable, with the apostrophe in front
    assert table.cell(row=2, column=header.index("killed") + 1).value == -3  # numbers stay numbers
    caption = {r[0].value: r[1].value for r in book["source"].iter_rows(min_row=2)}["caption"]
    assert caption.replace("\r", "\n") == kept


def test_an_analysts_registered_source_named_like_a_formula_is_inert_in_the_comparison(out, tmp_path, monkeypatch,
                                                                                        mirror):
    from workbench.panel import compare
    from workbench.report import charts
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    monkeypatch.setenv(PRIVATE_DIR_ENV, str(tmp_path / "private"))
    add_source(write_incident_log(tmp_path / "private" / "log.csv"), kind="incident_log", source_id="hostilelog",
               title=f"={PAYLOAD}", compiler=f"@{PAYLOAD}", definition=f"+{PAYLOAD} -and more")
    comp = compare.compare_sources("hostilelog", "ucdp_ged_pak", measure="killed", start_year=2016, end_year=2019)
    charts.render_comparison(comp, name="cmp")
    numbers = openpyxl.load_workbook(out / "tables" / "cmp_numbers.xlsx")["table"]
    assert f"'={PAYLOAD}" in [c.value for c in numbers[1]]  # the series header, from the log's title
    definitions = pd.read_csv(out / "tables" / "cmp_definitions.csv")
    assert definitions.astype(str).apply(lambda col: col.str.contains(PAYLOAD, regex=False)).any().any()
    _assert_inert(out)
