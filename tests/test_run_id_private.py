"""A report run's identity follows the analyst's registered files: a changed log is a new run."""

from __future__ import annotations

from conftest import ROOT
from workbench.sources import private
from workbench.report.runner import plan_run

SUITE = ROOT / "notebooks" / "suites" / "default.yaml"


def test_a_changed_private_file_changes_the_run_id(monkeypatch):
    monkeypatch.setattr(private, "private_checksums", lambda: {"kp_log": "a" * 64})
    first = plan_run(SUITE, [], project_root=ROOT)
    assert first.data_checksums["private:kp_log"] == "a" * 64
    assert "ucdp_ged_pak" in first.data_checksums
    monkeypatch.setattr(private, "private_checksums", lambda: {"kp_log": "b" * 64})
    second = plan_run(SUITE, [], project_root=ROOT)
    assert second.run_id != first.run_id
    monkeypatch.setattr(private, "private_checksums", lambda: {"kp_log": "a" * 64})
    assert plan_run(SUITE, [], project_root=ROOT).run_id == first.run_id
