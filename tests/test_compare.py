"""Two violence sources side by side: values, definitions, coverage, layouts, the figure and the report tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_incidents_example import (  # noqa: F401 (fixture)
    SECRET_MARKERS,
    registered,
    series_rows,
    write_annual_series,
)

from workbench.panel import compare
from workbench.report import charts
from workbench.store import read_processed
from workbench.errors import ParameterError
from workbench.sources.private import add_source


def _cell(comp: compare.SourceComparison, unit: str, year: int) -> pd.Series:
    t = comp.table
    return t[(t["unit_id"] == unit) & (t["year"] == year)].iloc[0]


def test_a_published_series_beside_an_incident_log(registered):
    comp = compare.compare_sources("testseries", "testlog", measure="killed", layout="current")
    assert comp.labels == ("Test Monitor annual report", "Test log")
    assert list(comp.table.columns) == compare.COMPARISON_COLUMNS
    kp = _cell(comp, "PK-KP", 2016)
    # the pre-2018 series gives the current KP as KP + FATA (14 + 30); the log's KP 2016: 5 + 2 + 9 killed
    assert (kp["value_a"], kp["value_b"], kp["difference"]) == (44.0, 16.0, -28.0)
    assert kp["relative_difference"] == pytest.approx(-28 / 44)
    assert kp["definition_a"] == "fictional test definition: persons killed in those attacks"
    assert kp["definition_b"].startswith("persons killed (all parties) in Test log: fictional incidents")
    # the log covers 2018-2019, the series does not: no figure, no difference (never a zero)
    later = _cell(comp, "PK-KP", 2018)
    assert np.isnan(later["value_a"]) and later["value_b"] == 6.0 and np.isnan(later["difference"])
    national = _cell(comp, "PK", 2016)
    assert (national["unit_name"], national["value_a"], national["value_b"]) == ("Pakistan (total)", 84.0, 16.0)
    cov = comp.coverage.set_index("source_id")
    assert cov.loc["testseries", "covers"] == "2016-2017" and cov.loc["testlog", "covers"] == "2016-2019"
    assert cov.loc["testseries", "years_in_window"] == "2016-2017"
    assert cov.loc["testseries", "provinces"] == "PK-BA, PK-KP, PK-PB, PK-SD"
    assert set(comp.sources) >= {"testseries", "testlog"}


def test_the_pre2018_layout_keeps_fata_apart(registered):
    comp = compare.compare_sources("testseries", "testlog", measure="incidents", layout="pre2018")
    assert (_cell(comp, "PK-TA", 2016)["value_a"], _cell(comp, "PK-TA", 2016)["value_b"]) == (6.0, 1.0)
    assert (_cell(comp, "PK-KP", 2016)["value_a"], _cell(comp, "PK-KP", 2016)["value_b"]) == (5.0, 2.0)


def test_a_current_layout_series_cannot_be_split_into_kp_and_fata(registered):
    rows = [{**r, "layout": "current"} for r in series_rows() if r["geography"] != "FATA"]
    path = write_annual_series(registered["folder"] / "current.csv", rows)
    add_source(path, kind="annual_series", source_id="currentseries", title="t", compiler="c", definition="d")
    pre = compare.province_series("currentseries", measure="killed", layout="pre2018")
    assert "PK-KP" not in set(pre["unit_id"]) and "PK-TA" not in set(pre["unit_id"])
    assert pre.set_index(["unit_id", "year"]).loc[("PK-PB", 2016), "value"] == 10.0
    cur = compare.province_series("currentseries", measure="killed", layout="current")
    assert cur.set_index(["unit_id", "year"]).loc[("PK-KP", 2016), "value"] == 14.0


def test_a_file_with_several_publications_needs_a_choice(registered):
    rows = series_rows() + [{**r, "source": "Other Monitor"} for r in series_rows()]
    path = write_annual_series(registered["folder"] / "two.csv", rows)
    add_source(path, kind="annual_series", source_id="twoseries", title="t", compiler="c", definition="d")
    with pytest.raises(ParameterError, match="several sources .*choose one with series="):
        compare.compare_sources("twoseries", "testlog")
    comp = compare.compare_sources(("twoseries", "Other Monitor"), ("twoseries", "Test Monitor annual report"))
    assert (comp.table["difference"].dropna() == 0).all()


def test_ucdp_beside_a_log_and_what_ucdp_cannot_give(registered):
    comp = compare.compare_sources("ucdp_ged_pak", "testlog", measure="killed", layout="current",
                                   start_year=2015, end_year=2019)
    panel = read_processed("violence_province_year")
    panel = panel[(panel["layout"] == "current") & (panel["year"] == 2016)]
    assert _cell(comp, "PK", 2016)["value_a"] == panel["deaths_best"].sum()  # all rows, unlocated included
    assert _cell(comp, "PK-SD", 2016)["value_a"] == panel.loc[panel["unit_id"] == "PK-SD", "deaths_best"].sum()
    assert comp.coverage.set_index("source_id").loc["ucdp_ged_pak", "covers"] == "1989-2021"
    assert comp.table["year"].between(2015, 2019).all()
    with pytest.raises(ParameterError, match="UCDP GED 22.1 records no injuries"):
        compare.compare_sources("ucdp_ged_pak", "testlog", measure="injured")
    with pytest.raises(ParameterError, match="measure must be one of"):
        compare.compare_sources("ucdp_ged_pak", "testlog", measure="wounded")


def test_the_comparison_renders_with_sources_and_aggregates_only(registered, tmp_path, monkeypatch):
    from workbench.report.paths import OUTPUT_DIR_ENV

    out = tmp_path / "out"
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(out))
    comp = compare.compare_sources("testlog", "ucdp_ged_pak", measure="incidents", start_year=2014, end_year=2020)
    fig = charts.comparison_figure(comp)
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 8  # the national total and 7 provinces
    import matplotlib.pyplot as plt

    plt.close(fig)
    charts.render_comparison(comp, name="cmp")
    assert sorted(p.name for p in (out / "tables").iterdir()) == [
        "cmp_definitions.csv", "cmp_definitions.xlsx", "cmp_numbers.csv", "cmp_numbers.xlsx"]
    assert (out / "figures" / "cmp_figure.png").stat().st_size > 10_000
    numbers = pd.read_csv(out / "tables" / "cmp_numbers.csv")
    assert list(numbers.columns) == ["unit", "year", "Test log", "UCDP GED 22.1",
                                     "difference (UCDP GED 22.1 - Test log)"]
    definitions = (out / "tables" / "cmp_definitions.csv").read_text(encoding="utf-8")
    assert "fictional incidents for tests" in definitions and "at least one death" in definitions
    written = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.csv")) + (out / "outputs.jsonl").read_text()
    assert not [m for m in SECRET_MARKERS if m in written]
    assert "Test compiler: Test log" in written  # the footnote credits the registered source
