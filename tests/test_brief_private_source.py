"""A brief on an analyst's incident log: aggregates only, no raw row, and it says why the event sections are missing.

Runs notebooks/60_unit_brief.ipynb through the runner with ``violence_source`` set to the test-built,
registered log of tests/test_incidents_example.py (fictional incidents, never shown as real).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from conftest import ROOT
from test_incidents_example import SECRET_MARKERS, registered  # noqa: F401 (fixture)

NOTEBOOK = ROOT / "notebooks" / "60_unit_brief.ipynb"
pytestmark = pytest.mark.slow


def test_a_brief_on_an_incident_log_shows_aggregates_only_and_says_so(registered, tmp_path):  # noqa: F811
    from workbench.report import runner

    outcome = runner.run_suite(NOTEBOOK, ["unit_id=PK-BA", "violence_source=testlog"], project_root=ROOT,
                               reports=tmp_path / "reports", jobs=1, console=Console(file=io.StringIO(), width=120))
    assert outcome.status == "complete", outcome.failures
    folder = Path(outcome.folder) / "60_unit_brief"
    page = (folder / "60_unit_brief.html").read_text(encoding="utf-8")
    tables = {p.stem: p.read_text(encoding="utf-8") for p in (folder / "tables").glob("*.csv")}
    written = "\n".join([page, *tables.values(), (folder / "60_unit_brief.ipynb").read_text(encoding="utf-8")])
    assert [m for m in SECRET_MARKERS if m in written] == []  # no incident id, perpetrator, note or source string
    assert "Traceback" not in page
    # the sections that need event records are left out, and the caveats say why
    assert not {"leading_actors", "recent_months", "location_precision"} & set(tables)
    assert "has no public event records: the brief shows its aggregates only" in tables["caveats"]
    # the log's own years and counts: 2016-2019, Balochistan's two incidents (7 killed in 2017, none in 2018)
    by_year = pd.read_csv(folder / "tables" / "violence_by_year.csv").set_index("year")
    assert list(by_year.index) == [2016, 2017, 2018, 2019]
    assert by_year["events"].tolist() == [0, 1, 1, 0] and by_year["deaths"].tolist() == [0, 7, 0, 0]
    manifest = json.loads((Path(outcome.folder) / "manifest.json").read_text())
    (nb,) = manifest["notebooks"]
    assert nb["parameters"]["violence_source"] == "testlog" and nb["status"] == "ok"
