"""The whole default report suite on the mirrored data, as the README's main command runs it."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console

from conftest import ROOT, run_cli
from workbench.report import runner

pytestmark = pytest.mark.slow

SUITE = ROOT / "notebooks" / "suites" / "default.yaml"
REMOTE_ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def report(tmp_path_factory, mirror):
    reports = tmp_path_factory.mktemp("reports")
    outcome = runner.run_suite(SUITE, project_root=ROOT, reports=reports, jobs=2,
                               console=Console(file=io.StringIO(), width=120))
    return reports, outcome


def test_every_notebook_runs_on_the_real_data(report):
    reports, outcome = report
    assert outcome.status == "complete", outcome.failures
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    names = [nb["name"] for nb in manifest["notebooks"]]
    assert names == ["00_data_audit", "10_violence", "15_actors", "20_inequality", "30_youth", "40_drivers",
                     "45_hotspots", "50_policy"]
    for nb in manifest["notebooks"]:
        assert nb["status"] == "ok", nb
        folder = outcome.folder / nb["name"]
        html = (folder / f"{nb['name']}.html").read_text(encoding="utf-8")
        assert not REMOTE_ASSET.search(html), nb["name"]
        assert "Traceback" not in html
        assert list((folder / "tables").glob("*.csv")), nb["name"]
        assert list((folder / "tables").glob("*.xlsx")), nb["name"]
    figures = list(outcome.folder.rglob("figures/*.png"))
    assert len(figures) >= 10
    for key in ("parameters", "git", "python"):
        assert key in json.dumps(manifest)
    checksums = json.dumps(manifest)
    assert "29a906a9eb88d4ae20d46a9e430f01921ecb4569c521deceb01cd87d5d309cb7" in checksums
    assert (reports / "index.html").is_file()


def test_every_table_names_its_sources(report):
    _, outcome = report
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    n = 0
    for nb in manifest["notebooks"]:
        for out in [*nb["tables"], *nb["figures"]]:
            assert out["sources"], (nb["name"], out["name"])
            n += 1
    assert n >= 30


def test_an_identical_rerun_is_skipped(report):
    reports, outcome = report
    again = runner.run_suite(SUITE, project_root=ROOT, reports=reports, jobs=2,
                             console=Console(file=io.StringIO(), width=120))
    assert again.status == "skipped" and again.folder == outcome.folder


def test_a_bad_parameter_is_refused_before_any_kernel_starts(tmp_path):
    res = run_cli("run", "default", "-p", "start_year=soon", "--reports", str(tmp_path / "r"))
    assert res.returncode == 1
    assert "start_year" in res.stderr and "int" in res.stderr
    res = run_cli("run", "default", "-p", "colour=blue", "--reports", str(tmp_path / "r"))
    assert res.returncode == 1 and "colour" in res.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("20*"))


# --------------------------------------------------------------------------- what a reader sees (issue 14)


def _pages(outcome):
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(outcome.folder.glob("*/*.html"))}


def test_no_rendered_table_shows_scientific_notation_or_more_than_four_decimals(report):
    from html_cells import table_cells, unreadable_numbers

    _, outcome = report
    pages = _pages(outcome)
    assert len(pages) >= 6
    for name, page in pages.items():
        assert table_cells(page), name
        assert unreadable_numbers(page) == [], name


def test_every_notebook_report_and_the_run_index_have_a_pdf(report):
    from test_pdf import require_chromium

    require_chromium()
    _, outcome = report
    for name in _pages(outcome):
        pdf = outcome.folder / name / f"{name}.pdf"
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 10_000, name
    assert (outcome.folder / "index.pdf").read_bytes().startswith(b"%PDF-")


def _has_summary_cell(name: str) -> bool:
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    return any("summary" in c.metadata.get("tags", []) for c in nb.cells)


def test_each_page_opens_with_its_summary_and_keeps_footnotes_short(report):
    _, outcome = report
    pages = _pages(outcome)
    summarised = [name for name in pages if _has_summary_cell(name)]
    assert {"00_data_audit", "10_violence", "20_inequality", "30_youth", "40_drivers", "50_policy"} <= set(summarised)
    for name in summarised:
        page = pages[name]
        summary = page.index('<div class="wb-summary">')
        assert page.index("<h1") < summary, name  # right after the title
        assert summary < page.index('<div class="wb-table">'), name  # findings before the detail
        block = page[summary:page.index("</div>", summary)]
        assert 3 <= block.count("<li>") <= 6, name
    for name, page in pages.items():
        for note in re.findall(r'<p class="wb-footnote"[^>]*>(.*?)</p>', page, re.DOTALL):
            assert "sha256" not in note and len(note) < 1200, (name, note[:200])
        assert "Appendix: provenance and attribution" in page and "sha256" in page  # the full record, once


def test_the_district_map_is_interactive_and_fetches_nothing(report):
    from workbench.report.html import external_asset_references

    _, outcome = report
    page = _pages(outcome)["10_violence"]
    assert 'id="wb-map-map_deaths_by_district"' in page and page.count("* plotly.js v") == 1
    assert external_asset_references(page) == []
