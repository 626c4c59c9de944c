"""A failed report names the analyst's source by its id, never by its file's path (1 notebook execution)."""

from __future__ import annotations

import io

import nbformat
import pytest
import yaml
from rich.console import Console
from test_incidents_example import registered  # noqa: F401 (fixture)

from conftest import ROOT
from workbench.report import runner
from workbench.report.redact import PRIVATE_FOLDER, private_redactions, redact_text

pytestmark = pytest.mark.slow


def test_private_paths_become_source_ids(registered):  # noqa: F811
    folder = registered["folder"]
    text = f"file {folder / 'log.csv'} changed; registry {folder / 'registry.yaml'}; {folder}x.csv is another"
    shown = redact_text(text, private_redactions())
    assert shown == (f"file [private file of source 'testlog'] changed; registry {PRIVATE_FOLDER}/registry.yaml; "
                     f"{folder}x.csv is another")


def test_a_failed_report_shows_no_private_path(registered, tmp_path):  # noqa: F811
    folder = registered["folder"]
    log = folder / "log.csv"
    with log.open("a", encoding="utf-8") as fh:  # changed after registration: reading it fails, naming the file
        fh.write("\n")
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell('violence_source: str = "testlog"  # a registered source')
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first,
                nbformat.v4.new_code_cell("from workbench.sources.private import private_dir, resolve_private_path\n"
                                          "print('private folder:', private_dir())"),
                nbformat.v4.new_code_cell("resolve_private_path(violence_source)")]
    nbformat.write(nb, tmp_path / "reads_log.ipynb")
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"name": "private", "notebooks": ["reads_log"]}))

    outcome = runner.run_suite(suite, project_root=ROOT, reports=tmp_path / "reports", jobs=1,
                               console=Console(file=io.StringIO(), width=120))
    assert outcome.status == "failed"
    (failure,) = outcome.failures
    assert "PrivateChecksumError" in failure and "[private file of source 'testlog']" in failure

    files = [p for p in outcome.folder.rglob("*") if p.is_file()]
    names = {p.relative_to(outcome.folder).as_posix() for p in files}
    assert {"manifest.json", "index.html", "reads_log/reads_log.ipynb", "reads_log/reads_log.html",
            "logs/reads_log.log"} <= names
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert str(folder) not in text, f"{path.name} shows the private folder's path"
    executed = (outcome.folder / "reads_log" / "reads_log.ipynb").read_text(encoding="utf-8")
    assert f"private folder: {PRIVATE_FOLDER}" in executed
    assert "[private file of source 'testlog']" in (outcome.folder / "reads_log" / "reads_log.html").read_text()
    assert "[private file of source 'testlog']" in (outcome.folder / "manifest.json").read_text()
