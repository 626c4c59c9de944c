"""No raw row of an analyst's source reaches a report: the notebooks run on a registered test log.

Runs the committed notebooks with papermill (``violence_source`` set to a test-built, registered
incident log) and searches the executed notebook and every table it wrote (CSV, XLSX, the outputs
record) for the log's incident ids, notes, perpetrators and source strings.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from test_incidents_example import SECRET_MARKERS, registered  # noqa: F401 (fixture)

from workbench.report.outputs import read_records
from workbench.report.params import read_parameters
from workbench.report.paths import OUTPUT_DIR_ENV

NOTEBOOKS = ROOT / "notebooks"
pytestmark = pytest.mark.slow


def _run(name: str, out: Path, parameters: dict, monkeypatch: pytest.MonkeyPatch) -> str:
    import papermill as pm

    path = NOTEBOOKS / f"{name}.ipynb"
    declared = read_parameters(path)
    assert "violence_source" in declared, (
        f"{path.name} declares no violence_source parameter: every notebook must take it "
        "(see docs/incidents.md, 'violence_source')")
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(out))
    executed = out.parent / f"{name}.executed.ipynb"
    pm.execute_notebook(str(path), str(executed), kernel_name="python3", cwd=str(out.parent), parameters=parameters,
                        progress_bar=False)
    return executed.read_text(encoding="utf-8")


def _written_text(out: Path) -> str:
    from openpyxl import load_workbook

    parts = [p.read_text(encoding="utf-8") for p in out.rglob("*") if p.suffix in (".csv", ".jsonl")]
    for book in out.rglob("*.xlsx"):
        wb = load_workbook(book, read_only=True)
        for sheet in wb.worksheets:
            parts += [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    return "\n".join(parts)


def _leaks(text: str) -> list[str]:
    return [m for m in SECRET_MARKERS if m in text]


def test_the_violence_notebook_on_a_registered_log_shows_aggregates_only(registered, tmp_path, monkeypatch):
    out = tmp_path / "violence"
    notebook = _run("10_violence", out, {"violence_source": "testlog", "level": "district"}, monkeypatch)
    written = _written_text(out)
    assert not _leaks(notebook), f"raw rows of the log in the executed notebook: {_leaks(notebook)}"
    assert not _leaks(written), f"raw rows of the log in the report's tables: {_leaks(written)}"
    records = {r["name"]: r for r in read_records(out)}
    assert "testlog" in records["totals_by_unit"]["sources"]  # the notebook really read the log ...
    assert "Test compiler: Test log" in records["totals_by_unit"]["footnote"]
    assert {"compare_killed_numbers", "compare_killed_figure"} <= set(records)  # ... and compared it with UCDP
    assert set(records["compare_killed_numbers"]["sources"]) >= {"testlog", "ucdp_ged_pak"}
    assert "map_event_points_by_precision" not in records  # no map of incident points


def test_the_audit_notebook_shows_the_registration_and_placement_counts_only(registered, tmp_path, monkeypatch):
    out = tmp_path / "audit"
    notebook = _run("00_data_audit", out, {"violence_source": "testlog"}, monkeypatch)
    assert not _leaks(notebook) and not _leaks(_written_text(out))
    records = {r["name"]: r for r in read_records(out)}
    assert {"analyst_source", "analyst_placement_classes", "analyst_placement_checks"} <= set(records)
    assert records["analyst_placement_classes"]["rows"] == 5  # one row per placement class


def test_the_policy_notebook_runs_on_a_log_that_misses_provinces_in_some_years(registered, tmp_path, monkeypatch):
    """Issue 13.1: 50_policy on the repository's test log (provinces without incidents in some years) runs
    to the end; the claims the log cannot test say so, and no raw row of the log is shown."""
    out = tmp_path / "policy"
    notebook = _run("50_policy", out, {"violence_source": "testlog"}, monkeypatch)
    assert not _leaks(notebook) and not _leaks(_written_text(out))
    records = {r["name"]: r for r in read_records(out)}
    claims = [r for name, r in records.items() if "claim" in name]
    assert claims, sorted(records)
    assert any("testlog" in r["sources"] for r in claims)
    assert "cannot be tested" in notebook
