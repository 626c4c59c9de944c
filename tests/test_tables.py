"""Tables for readers: formats per column, labels, alignment, folding; exports keep full precision."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from html_cells import table_cells, unreadable_numbers

from workbench.report import tables


def _rates() -> pd.DataFrame:
    """A test-built table shaped like 10_violence's rates table (values made up)."""
    return pd.DataFrame({
        "unit_name": ["Alpha", "Beta", "Gamma"],
        "unit_level": ["province"] * 3,
        "deaths": [32992.0, 3347.0, 119.0],
        "person_years": [7.027178e08, 2.367097e08, 3.497476e07],
        "deaths_per_100k": [4.694914495104927, 1.4139683013951998, 0.34024532203558866],
        "share_of_events": [0.4287718204488778, 0.021664588528678305, 0.0000012],
        "p_value": [3.9e-17, 0.2165999, 0.04],
        "year": [2019, 2020, 2021],
        "rate_pct": [49.68425, 27.9, np.nan],
        "n_items_without_indicator": [3, 0, 12],
    })


def test_every_column_is_formatted_for_readers():
    shown = tables.display_frame(_rates())
    assert list(shown.columns) == ["Province", "Level", "Deaths", "Person-years", "Deaths per 100,000",
                                   "Share of events", "p-value", "Year", "Rate", "Items without indicator"]
    row = shown.iloc[0]
    assert row["Deaths"] == "32,992" and row["Person-years"] == "702,717,800"
    assert row["Deaths per 100,000"] == "4.69" and shown.iloc[2]["Deaths per 100,000"] == "0.34"
    assert row["Share of events"] == "42.9%" and shown.iloc[2]["Share of events"] == "<0.1%"
    assert row["p-value"] == "<0.001" and shown.iloc[1]["p-value"] == "0.217"
    assert row["Year"] == "2019" and row["Rate"] == "49.7%" and shown.iloc[2]["Rate"] == "–"
    assert shown.iloc[2]["Items without indicator"] == "12"


def test_mixed_magnitudes_keep_three_figures_without_scientific_notation():
    df = pd.DataFrame({"quantity": ["population", "rate"], "value": [109989655.0, 0.0217]})
    assert tables.display_frame(df)["Value"].tolist() == ["109,989,655", "0.0217"]


def test_the_html_has_labels_left_aligned_text_and_no_raw_floats():
    page = tables.render_table(_rates(), name="rates", keep_index=False, caption="Test <caption>",
                               footnote="Source: test-built data.")
    assert "Person-years" in page and "person_years" not in page
    assert table_cells(page) and unreadable_numbers(page) == []
    assert unreadable_numbers(_rates().to_html()) != []  # the check finds what raw to_html shows
    assert "Test &lt;caption&gt;" in page and "Source: test-built data." in page
    assert re.search(r'class="[^"]*wb-text[^"]*"[^>]*>Alpha', page)  # text cells carry the left-aligned class
    assert "td.wb-text" in page and "text-align: left" in page
    assert "overflow-x:auto" in page  # a wide table scrolls inside its box


def test_a_long_table_shows_its_first_rows_and_folds_the_rest():
    df = pd.DataFrame({"year": range(1990, 2040), "deaths": range(50)})
    page = tables.render_table(df, name="long", keep_index=False)
    head, _, rest = page.partition("<details>")
    assert ">1999<" in head and ">2000<" not in head
    assert "Rows 11–50 of 50" in rest and ">2039<" in rest


def test_a_pivot_by_year_shows_years_without_separators():
    df = pd.DataFrame({"Punjab": [1.0, 2.0]}, index=pd.Index([2020, 2021], name="year"))
    shown = tables.display_frame(df)
    assert shown.index.tolist() == ["2020", "2021"] and shown.index.name == "Year"


def test_exports_keep_precision_and_neutralise_formulas():
    df = pd.DataFrame({"=title": ["=1+1", "@SUM(A1)", "Punjab"], "value": [-1.123456789, 2.0, 3.0]},
                      index=pd.Index(["-x", "+y", "z"], name="@idx"))
    out = tables.export_ready(df)
    assert out.columns.tolist() == ["'=title", "value"] and out.index.name == "'@idx"
    assert out["'=title"].tolist() == ["'=1+1", "'@SUM(A1)", "Punjab"] and out.index.tolist() == ["'-x", "'+y", "z"]
    assert out["value"].tolist() == [-1.123456789, 2.0, 3.0]  # numbers stay numbers, at full precision
    assert df.columns.tolist() == ["=title", "value"]  # the frame itself is not changed
