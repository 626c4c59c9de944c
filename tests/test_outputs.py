"""Output helpers (show_table, save_figure), the figure helpers of viz, and the offline HTML."""

from __future__ import annotations

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from workbench.report import viz  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402
from workbench.report import outputs  # noqa: E402
from workbench.report.html import external_asset_references, notebook_to_html, strip_remote_assets  # noqa: E402
from workbench.report.paths import OUTPUT_DIR_ENV  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def out(tmp_path, monkeypatch):
    """Behave as inside a run: outputs go to a test folder; no names written yet."""
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(outputs, "_written", set())
    yield tmp_path
    outputs.set_source_describer(None)
    plt.close("all")


def _frame() -> pd.DataFrame:
    df = pd.DataFrame({"province": ["Punjab", "Sindh", "Balochistan"], "value": [1.5, 2.25, None]})
    df.attrs["sources"] = ["ucdp_ged_pak"]
    return df


def _entry(dataset_id: str):
    """The catalog entry whose title, version and vintage a footnote must name."""
    from workbench.catalog import load_catalog

    return load_catalog()[dataset_id]


def _footnotes(fig) -> list[str]:
    """The footnote text(s) of a figure, unwrapped."""
    return [" ".join(t.get_text().split()) for t in fig.texts if t.get_gid() == outputs.FOOTNOTE_GID]


# --------------------------------------------------------------------------- tables


def test_show_table_writes_csv_and_xlsx_with_the_catalog_footnote(out, capsys):
    df = _frame()
    outputs.show_table(df, "test_table", caption="A test-built table")
    csv = pd.read_csv(out / "tables" / "test_table.csv")
    assert csv["province"].tolist() == ["Punjab", "Sindh", "Balochistan"]
    assert csv["value"].tolist()[:2] == [1.5, 2.25] and pd.isna(csv["value"].iloc[2])
    sheets = pd.read_excel(out / "tables" / "test_table.xlsx", sheet_name=None)
    assert list(sheets) == ["table", "source"]
    assert sheets["table"]["province"].tolist() == ["Punjab", "Sindh", "Balochistan"]
    about = dict(zip(sheets["source"]["field"], sheets["source"]["value"], strict=True))
    # the footnote is the catalog's: publisher, version and vintage of the data set
    assert about["source ids"] == "ucdp_ged_pak"
    ged = _entry("ucdp_ged_pak")
    assert about["source"].startswith("Source: ")
    assert ged.title in about["source"] and ged.version in about["source"] and ged.vintage in about["source"]
    shown = capsys.readouterr().out  # outside IPython the view is printed
    assert "A test-built table" in shown and ged.title in shown
    (record,) = outputs.read_records(out)
    assert record["kind"] == "table" and record["sources"] == ["ucdp_ged_pak"]
    assert record["files"] == ["tables/test_table.csv", "tables/test_table.xlsx"] and record["rows"] == 3


def test_show_table_keeps_a_meaningful_index_and_renders_html(out):
    df = _frame().set_index("province")
    outputs.show_table(df, "indexed", sources=["census2017_province"])
    assert pd.read_csv(out / "tables" / "indexed.csv").columns.tolist() == ["province", "value"]
    view = outputs.TableView(df, "cap <b>", "Source: x & y", [])
    page = view._repr_html_()
    assert "cap &lt;b&gt;" in page and "Source: x &amp; y" in page and "Punjab" in page


def test_long_tables_are_shown_in_part_and_written_in_full(out):
    df = pd.DataFrame({"i": range(500)})
    outputs.show_table(df, "long", sources=["ucdp_ged_pak"])
    assert len(pd.read_csv(out / "tables" / "long.csv")) == 500
    view = outputs.TableView(df, None, "Source: s", [out / "tables" / "long.csv"])
    assert f"First {outputs.DISPLAY_ROWS} of 500 rows; all rows in long.csv" in repr(view)


def test_a_table_without_a_source_is_refused(out):
    df = _frame()
    df.attrs.clear()
    with pytest.raises(outputs.OutputError, match="no source"):
        outputs.show_table(df, "nosource")
    with pytest.raises(outputs.OutputError, match="needs a caption"):
        outputs.show_table(df, "nocaption", sources=[])
    outputs.show_table(df, "derived", sources=[], caption="Derived text: list of NISP themes (no data)")
    assert (out / "tables" / "derived.csv").is_file()
    assert not (out / "tables" / "nosource.csv").exists()


def test_unknown_source_ids_are_errors_from_the_catalog(out):
    with pytest.raises(Exception, match="unknown source id 'no_such_data'"):
        outputs.show_table(_frame(), "bad", sources=["no_such_data"])


def test_names_must_be_file_names_and_unique_in_a_run(out):
    with pytest.raises(ParameterError, match="becomes a file name"):
        outputs.show_table(_frame(), "../escape")
    outputs.show_table(_frame(), "once")
    with pytest.raises(outputs.OutputError, match="used twice"):
        outputs.show_table(_frame(), "once")


def test_describer_can_be_injected(out):
    outputs.set_source_describer(lambda ids: "Source: test describer for " + ", ".join(ids))
    outputs.show_table(_frame(), "injected", sources=["anything"])
    sheet = pd.read_excel(out / "tables" / "injected.xlsx", sheet_name="source")
    assert "Source: test describer for anything." in sheet["value"].tolist()


def test_time_zones_are_written_to_excel_as_utc(out):
    df = pd.DataFrame({"t": pd.to_datetime(["2021-01-01 05:00"]).tz_localize("Asia/Karachi")})
    outputs.show_table(df, "tz", sources=["ucdp_ged_pak"])
    sheet = pd.read_excel(out / "tables" / "tz.xlsx", sheet_name="table")
    assert sheet["t"].iloc[0] == pd.Timestamp("2021-01-01 00:00")


def test_interactive_outputs_go_to_reports_interactive(monkeypatch):
    monkeypatch.delenv(OUTPUT_DIR_ENV, raising=False)
    monkeypatch.setenv("JPY_SESSION_NAME", "/x/notebooks/10_violence.ipynb")
    folder = outputs.output_dir()
    assert folder is not None and folder.parts[-3:] == ("reports", "interactive", "10_violence")


# --------------------------------------------------------------------------- figures


def test_save_figure_adds_the_footnote_and_writes_a_png(out):
    fig, ax = plt.subplots()
    ax.plot([2017, 2023], [1, 2])
    outputs.save_figure(fig, "trend", sources=["census2017_province", "census2023_province_summary"])
    png = (out / "figures" / "trend.png").read_bytes()
    assert png.startswith(PNG_MAGIC)
    (footnote,) = _footnotes(fig)
    assert footnote.startswith("Source: ")
    for dataset_id in ("census2017_province", "census2023_province_summary"):
        assert _entry(dataset_id).version in footnote and _entry(dataset_id).vintage in footnote
    assert "sha256" not in footnote and "census2017_province" not in footnote  # one short line, no ids
    assert not plt.fignum_exists(fig.number)  # closed after display: shown once
    (record,) = outputs.read_records(out)
    assert record["files"] == ["figures/trend.png"]


def test_a_figure_without_a_source_is_refused(out):
    fig, _ = plt.subplots()
    with pytest.raises(outputs.OutputError, match="no source"):
        outputs.save_figure(fig, "bare", sources=[])
    outputs.save_figure(fig, "sketch", sources=[], note="Schematic: no data.")
    assert _footnotes(fig) == ["Schematic: no data."]


def test_the_footnote_is_replaced_not_stacked(out):
    fig, _ = plt.subplots()
    outputs.attach_sources(fig, ["ucdp_ged_pak"])
    outputs.attach_sources(fig, ["ucdp_ged_pak"])
    outputs.save_figure(fig, "once", sources=["ucdp_ged_pak"])
    assert len(_footnotes(fig)) == 1


def _boxes(values):
    import geopandas as gpd
    from shapely.geometry import box

    return gpd.GeoDataFrame({"unit": list("abc"), "v": values},
                            geometry=[box(i, 0, i + 1, 1) for i in range(3)], crs="EPSG:4326")


def test_choropleth_names_the_boundary_layer_and_the_disclaimer(out):
    gdf = _boxes([1.0, None, 3.0])  # test-built polygons and values
    fig = viz.choropleth(gdf, "v", title="Test", sources=["census2017_district"], boundary_source="cod_adm2",
                         legend_label="per 100,000")
    (footnote,) = _footnotes(fig)
    assert footnote.startswith(f"Source: {_entry('census2017_district').title}")
    assert f"Boundaries: {_entry('cod_adm2').title}" in footnote and "sha256" not in footnote
    assert footnote.endswith(viz.DISPUTED_AREAS_NOTE)
    ax = fig.axes[0]
    assert ax.get_title() == "Test"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["no data"]
    outputs.save_figure(fig, "map", sources=["ucdp_ged_pak"])
    (footnote,) = _footnotes(fig)
    assert _entry("cod_adm2").title in footnote and _entry("ucdp_ged_pak").title in footnote
    assert "Jammu and Kashmir" in footnote
    (record,) = outputs.read_records(out)
    assert set(record["sources"]) == {"census2017_district", "cod_adm2", "ucdp_ged_pak"}  # all, for the appendix
    assert (out / "figures" / "map.png").read_bytes().startswith(PNG_MAGIC)


def test_choropleth_takes_a_normalisation_for_skewed_values(out):
    from matplotlib.colors import LogNorm

    fig = viz.choropleth(_boxes([1.0, 10.0, 1000.0]), "v", title="t", sources=["ucdp_ged_pak"], boundary_source="cod_adm2",
                         legend_label="deaths (log scale)", norm=LogNorm())
    colorbar_axes = fig.axes[1]
    assert colorbar_axes.get_yscale() == "log"


def test_choropleth_checks_its_arguments(out):
    gdf = _boxes([1.0, 2.0, 3.0])
    with pytest.raises(ParameterError, match="column='w': no such column"):
        viz.choropleth(gdf, "w", title="t", sources=["x"], boundary_source="cod_adm2", legend_label="l")
    with pytest.raises(ParameterError, match="expected numbers"):
        viz.choropleth(gdf, "unit", title="t", sources=["x"], boundary_source="cod_adm2", legend_label="l")


def test_choropleth_on_the_mirrored_province_layer(out, mirror):
    import geopandas as gpd

    from workbench.catalog import resolve_path

    gdf = gpd.read_file(resolve_path("cod_adm1", allow_download=False))
    gdf["v"] = range(len(gdf))  # test values on the real polygons
    fig = viz.choropleth(gdf, "v", title="Provinces", sources=["cod_adm1"], boundary_source="cod_adm1",
                         legend_label="index")
    assert len(fig.axes[0].collections) >= 1
    outputs.save_figure(fig, "provinces", sources=[])
    assert (out / "figures" / "provinces.png").stat().st_size > 10_000


def test_time_series_uses_the_frame_sources_and_whole_years(out):
    viz.use_style()
    df = pd.DataFrame({"year": [2019, 2020, 2021] * 2, "deaths": [3, 4, 5, 1, 2, 2], "province": ["A"] * 3 + ["B"] * 3})
    df.attrs["sources"] = ["ucdp_ged_pak"]
    fig = viz.time_series(df, "year", "deaths", "province", title="Test")
    ax = fig.axes[0]
    assert len(ax.get_lines()) >= 2
    assert all(float(t).is_integer() for t in ax.get_xticks())
    assert _footnotes(fig)[0].startswith(f"Source: {_entry('ucdp_ged_pak').title}")
    df.attrs.clear()
    with pytest.raises(ParameterError, match="no sources"):
        viz.time_series(df, "year", "deaths", title="Test")


# --------------------------------------------------------------------------- offline HTML


def test_remote_assets_are_found_and_links_are_not():
    page = (
        '<script src="https://cdn.example.org/require.js"></script>'
        "<link rel=stylesheet href=//fonts.example.org/x.css>"
        '<img src="http://example.org/a.png">'
        '<script>import("https://cdn.example.org/m.mjs")</script>'
        '<a href="https://www.ucdp.uu.se/">UCDP</a>'
        '<img src="data:image/png;base64,AAAA">'
        '<script src="local.js"></script>'
    )
    found = external_asset_references(page)
    assert len(found) == 4
    stripped, removed = strip_remote_assets(page)
    assert len(removed) == 3
    assert "ucdp.uu.se" in stripped and "local.js" in stripped and "cdn.example.org/require.js" not in stripped


def test_notebook_html_hides_code_and_fetches_nothing():
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("secret_code_marker = 1")
    code.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "fig"}),
                    nbformat.v4.new_output("stream", text="visible output")]
    hidden = nbformat.v4.new_code_cell("x = 2")
    hidden.metadata["tags"] = ["remove-cell"]
    hidden.outputs = [nbformat.v4.new_output("stream", text="removed output")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title\n\nThe rate is $r = d / p$. [UCDP](https://ucdp.uu.se)"),
                code, hidden]
    page, removed = notebook_to_html(nb, title="t", facts={"run": "r1", "parameters": "level = 'province'"})
    assert removed == []
    assert external_asset_references(page) == []
    assert "secret_code_marker" not in page and "visible output" in page and "removed output" not in page
    assert "data:image/png;base64,iVBORw0KGgo=" in page
    assert "<code>level = 'province'</code>" in page
    assert json.dumps(nb)  # the notebook itself was not modified
    assert nb.cells[0].cell_type == "markdown" and len(nb.cells) == 3


# --------------------------------------------------------------------------- footnotes: what was really used


def test_a_figure_of_counts_does_not_credit_the_layer_that_placed_the_events(out):
    fig, _ = plt.subplots()
    # a province panel carries its placement layer among its sources (test-built list)
    outputs.save_figure(fig, "counts", sources=["ucdp_ged_pak", "osm_districts"])
    (footnote,) = _footnotes(fig)
    assert _entry("ucdp_ged_pak").title in footnote and _entry("osm_districts").title not in footnote
    assert "\n" not in footnote and "sha256" not in footnote
    (record,) = outputs.read_records(out)
    assert record["sources"] == ["ucdp_ged_pak", "osm_districts"]  # the appendix still lists both


def test_the_province_series_of_the_real_panel_credits_no_boundary_layer(out, mirror):
    from workbench.geo.boundaries import LAYERS
    from workbench.panel import violence

    prov = violence.select_panel(level="province", layout="current", start_year=2005, end_year=2012)
    prov = prov[prov["unit_level"] == "province"]
    assert set(prov.attrs["sources"]) & set(LAYERS)  # the panel carries the layers that placed its events
    fig = viz.time_series(prov, "year", "deaths", hue="unit_name", title="Deaths by province")
    outputs.save_figure(fig, "series", sources=prov.attrs["sources"])
    (footnote,) = _footnotes(fig)
    assert [layer for layer in LAYERS if _entry(layer).title in footnote] == []
    assert footnote == f"Source: {_entry('ucdp_ged_pak').source_note}."


def test_tables_of_one_release_are_credited_once(out, mirror):
    footnote = outputs.footnote_text(["ucdp_ged_pak", "census2017_district", "census2017_tehsil",
                                      "census2017_province", "osm_districts"])
    census = _entry("census2017_district")
    assert footnote == (f"Source: {_entry('ucdp_ged_pak').source_note}; {census.title} and 2 more tables of the "
                        f"same release ({census.version}; {census.vintage}).")


def test_a_map_credits_the_layer_it_draws(out):
    fig, _ = plt.subplots()
    outputs.save_figure(fig, "points", sources=["ucdp_ged_pak", "osm_districts"], boundary_layers=["osm_provinces"])
    (footnote,) = _footnotes(fig)
    assert f"Boundaries: {_entry('osm_provinces').title}" in footnote
    assert _entry("osm_districts").title not in footnote


def test_a_table_credits_no_placement_layer_but_keeps_a_layer_that_is_its_only_source(out):
    df = _frame()
    df.attrs["sources"] = ["ucdp_ged_pak", "osm_districts"]
    outputs.show_table(df, "placed")
    outputs.show_table(df, "layer_only", sources=["cod_adm1"])
    placed, layer_only = outputs.read_records(out)
    assert _entry("osm_districts").title not in placed["footnote"]
    assert layer_only["footnote"].startswith(f"Source: {_entry('cod_adm1').title}")


def test_a_table_of_many_inputs_points_to_the_appendix(out):
    from workbench.catalog import load_catalog

    df = _frame()
    df.attrs["sources"] = list(load_catalog().entries)
    outputs.show_table(df, "catalog")
    (record,) = outputs.read_records(out)
    assert record["footnote"] == (f"Source: the {len(df.attrs['sources'])} inputs listed in the provenance "
                                  "appendix at the end of this page.")


def test_tables_are_shown_formatted_and_written_at_full_precision(out):
    df = pd.DataFrame({"unit_name": ["Alpha"], "person_years": [702717803.154851], "p_value": [2.2e-05]})
    df.attrs["sources"] = ["ucdp_ged_pak"]
    outputs.show_table(df, "precise")
    view = outputs.TableView(df, "c", "Source: s.", [], name="precise")._repr_html_()
    assert "702,717,803" in view and "&lt;0.001" in view and "Person-years" in view
    assert pd.read_csv(out / "tables" / "precise.csv")["person_years"].iloc[0] == 702717803.154851


def test_figures_are_saved_for_print_and_shown_at_screen_size(out):
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    outputs.save_figure(fig, "print", sources=["ucdp_ged_pak"])
    png = (out / "figures" / "print.png").read_bytes()
    width = int.from_bytes(png[16:20], "big")
    assert width >= 4 * 200 * 0.9  # about 200 pixels per inch of the figure
    assert outputs._screen_width(png, outputs.FIGURE_DPI) == round(width / 2)


def test_a_quantile_map_states_its_classes_in_legend_and_footnote(out):
    gdf = _boxes([0.0, 3.0, 900.0])  # a skewed count, made up
    fig = viz.choropleth(gdf, "v", title="Skewed", sources=["ucdp_ged_pak"], boundary_source="cod_adm2",
                         legend_label="deaths", scale="quantile", classes=2, unit_word="districts")
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["0", "3", "900"] and legend.get_title().get_text() == "deaths"
    assert len(fig.axes) == 1  # classes in the legend, no colour bar
    (footnote,) = _footnotes(fig)
    assert "Classes: 0 in a class of its own, then 2 quantile classes of the 2 districts with a value above 0" in footnote


def test_time_series_legend_and_axes_are_in_words(out):
    df = pd.DataFrame({"year": [2020, 2021] * 2, "deaths": [1, 2, 3, 4], "unit_name": ["A", "A", "B", "B"],
                       "unit_level": ["province"] * 4})
    df.attrs["sources"] = ["ucdp_ged_pak"]
    ax = viz.time_series(df, "year", "deaths", "unit_name", title="t").axes[0]
    assert ax.get_legend().get_title().get_text() == "Province"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Year", "Deaths")
    fig, ax = plt.subplots()
    pd.DataFrame({"non_state": [1], "state_based": [2]}).plot.barh(ax=ax)
    viz.label_legend(ax, title="Type of violence")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Non-state", "State-based"]


# --------------------------------------------------------------------------- summary first, interactive maps


def test_the_summary_cell_is_moved_up_to_follow_the_title():
    nb = nbformat.v4.new_notebook()
    summary = nbformat.v4.new_code_cell("show_summary(...)")
    summary.metadata["tags"] = ["summary"]
    summary.outputs = [nbformat.v4.new_output("display_data", data={"text/html": "<p>SUMMARY-MARKER</p>"})]
    detail = nbformat.v4.new_code_cell("x")
    detail.outputs = [nbformat.v4.new_output("stream", text="DETAIL-MARKER")]
    nb.cells = [nbformat.v4.new_markdown_cell("# TITLE-MARKER"), detail, summary]
    page, _ = notebook_to_html(nb, title="t", facts={"run": "r"})
    assert page.index("TITLE-MARKER") < page.index("SUMMARY-MARKER") < page.index("DETAIL-MARKER")
    assert "@page" in page and "counter(page)" in page and "size: A4" in page


def test_the_interactive_map_opens_offline(out):
    from workbench.report import maps

    gdf = _boxes([0.0, 5.0, None])
    gdf["unit_name"] = ["Alpha", "Beta", "Gamma"]
    fig = maps.interactive_map(gdf, "v", title="Test map", value_label="deaths", years=(2001, 2005),
                               sources=["ucdp_ged_pak"], boundary_source="cod_adm2", unit_word="districts")
    hover = [t.text for t in fig.data]
    assert hover[0].startswith("<b>Alpha</b><br>deaths: 0<br>2001-2005<br>") and _entry("ucdp_ged_pak").title in hover[0]
    assert "deaths: –" in hover[2] and [t.name for t in fig.data] == ["0", "5", "no data"]
    monkey = maps._library_sent
    maps._library_sent = False
    try:
        first, second = maps.map_html(fig, "one"), maps.map_html(fig, "two")
    finally:
        maps._library_sent = monkey
    assert "plotly.js v" in first and "plotly.js v" not in second  # the library once per page, inlined
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("map")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": first + second})]
    nb.cells = [nbformat.v4.new_markdown_cell("# Map"), cell]
    page, removed = notebook_to_html(nb, title="t", facts={"run": "r"})
    assert removed == [] and external_asset_references(page) == []
    assert "plotly.js v" in page and 'id="wb-map-one"' in page  # the inlined library survives the stripping
    assert ".wb-interactive { display: none !important; }" in page  # left out of print


def test_a_year_without_data_is_a_gap_in_a_time_series_never_a_bridge():
    df = pd.DataFrame({"year": [2020, 2021, 2022, 2023, 2024] * 2, "unit_name": ["A"] * 5 + ["B"] * 5,
                       "deaths": [3, 4, np.nan, np.nan, 5, 1, 1, np.nan, np.nan, 2]})
    df.attrs["sources"] = ["ucdp_ged_pak"]
    fig = viz.time_series(df, "year", "deaths", hue="unit_name", title="gap")
    lines = [line for line in fig.axes[0].get_lines() if line.get_label() in ("A", "B")]
    assert len(lines) == 2
    for line in lines:
        ys = np.asarray(line.get_ydata(), dtype=float)
        assert np.isnan(ys[2]) and np.isnan(ys[3])  # matplotlib breaks the line at NaN: 2021 is not joined to 2024
    import matplotlib.pyplot as plt

    plt.close(fig)
