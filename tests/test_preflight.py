"""The pre-flight: bounds, years of the chosen source and incompatible combinations, refused before any kernel.

The real notebooks are planned (nothing executes); the sources with other years are defined by the
test (made-up coverage, never shown as real data).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import ParameterError
from workbench.report import engine, preflight, runner
from workbench.sources import resolver
from workbench.sources.base import Coverage, ViolenceSource

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SUITE = ROOT / "notebooks" / "suites" / "default.yaml"


@pytest.fixture(autouse=True)
def _no_fingerprint(monkeypatch):
    """The run id's fingerprint hashes the package and data/ (tests/test_report_params.py covers it): skipped here."""
    monkeypatch.setattr(runner, "fingerprint", lambda **inputs: {"parameters": repr(inputs["parameters"])})


def plan(*cli: str, suite: Path = DEFAULT_SUITE, root: Path = ROOT):
    return runner.plan_run(suite, list(cli), project_root=root, data_checksums={"x": "0" * 64})


class YearsSource(ViolenceSource):
    """A source defined by the test: only its id and years matter here."""

    kind_label = "test-built source"

    def __init__(self, source_id: str, first: int, last: int) -> None:
        self.id, self.title, self.label = source_id, f"Test source {source_id}", f"{source_id} ({first}-{last})"
        self.definition, self.caveat, self.provenance = "made-up coverage", "test-built", ["ucdp_ged_pak"]
        self.coverage = Coverage(first_year=first, last_year=last, levels=("national", "province"))

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:  # pragma: no cover - never read
        raise AssertionError("the pre-flight reads no panel")


def write_notebook(path: Path, parameters: str) -> Path:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, path)
    return path


# --------------------------------------------------------------------------- the real notebooks (issue 13.11)


def test_the_defaults_of_every_notebook_pass():
    planned = plan()
    assert [nb.name for nb in planned.notebooks] == [nb.stem for nb in planned.suite.notebooks]
    assert len(planned.notebooks) >= 8  # every notebook of the default suite, 15_actors and 45_hotspots included


@pytest.mark.parametrize(("cli", "message"), [
    (["top_n=-5"], "notebook 10_violence: parameter 'top_n': -5 is below the minimum 1"),
    (["recurring_min=-1"], "notebook 00_data_audit: parameter 'recurring_min': -1 is below the minimum 2"),
    (["lag=9"], "notebook 40_drivers: parameter 'lag': 9 is above the maximum 5"),
    (["start_year=1800"], "notebook 10_violence: parameter 'start_year': 1800 is outside the years of "
                          "violence_source 'ucdp_ged_pak' (UCDP GED 22.1: 1989-2021)"),
    (["end_year=2030"], "notebook 10_violence: parameter 'end_year': 2030 is outside the years"),
    (["start_year=2015", "end_year=2010"], "notebook 10_violence: start_year 2015 is after end_year 2010"),
    (["need_year=1980"], "notebook 50_policy: parameter 'need_year': 1980 is outside the years of 'ucdp_ged_pak'"),
    (["claims_start_year=2012", "claims_end_year=2009"], "notebook 50_policy: parameter 'claims_end_year': 2009 is "
                                                         "below the minimum claims_start_year = 2012"),
    (["map_year=2050"], "2050 is not one of: 2004, 2006, 2008, 2010, 2012, 2014"),
])
def test_out_of_range_values_are_refused_naming_the_notebook_and_parameter(cli, message):
    with pytest.raises(ParameterError) as info:
        plan(*cli)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_30_youth_alone_refuses_a_year_before_its_source():
    with pytest.raises(ParameterError, match="notebook 30_youth: parameter 'start_year': 1800 is outside"):
        plan("start_year=1800", suite=ROOT / "notebooks" / "30_youth.ipynb")


def test_20_inequality_alone_keeps_to_the_data4pakistan_rounds():
    suite = ROOT / "notebooks" / "20_inequality.ipynb"
    with pytest.raises(ParameterError, match="notebook 20_inequality: parameter 'start_year': 2000 is below the "
                                             "minimum 2004"):
        plan("start_year=2000", suite=suite)
    with pytest.raises(ParameterError, match="parameter 'end_year': 2006 is below the minimum start_year = 2008"):
        plan("start_year=2008", "end_year=2006", suite=suite)
    assert plan("start_year=2006", "end_year=2012", suite=suite).notebooks[0].parameters["end_year"] == 2012


def test_the_readme_combination_is_refused_in_50_policy_before_any_kernel():
    with pytest.raises(ParameterError) as info:
        plan("level=district", "layout=pre2018", "start_year=2005", "end_year=2012")
    text = str(info.value)
    assert text.startswith("notebook 50_policy: level='district' with layout='pre2018'")
    assert "layout='current'" in text
    assert plan("level=district", "layout=current", "start_year=2005", "end_year=2012").run_id


@pytest.mark.parametrize(("cli", "message"), [
    (["deaths_estimate=low", "violence_types=one_sided"], "notebook 10_violence: UCDP GED 22.1 (1989-2021) splits "
                                                          "deaths by type of violence (UCDP) for the best estimate"),
    (["violence_source=no_such_source"], "notebook 00_data_audit: violence_source: unknown violence source "
                                         "'no_such_source'"),
    (["compare_with=no_such_source"], "notebook 10_violence: compare_with: unknown violence source 'no_such_source'"),
    (["outcome=events", "deaths_estimate=low"], "notebook 40_drivers: deaths_estimate='low' applies to "
                                                "outcome='deaths' only"),
    (["violence_type=non_state", "deaths_estimate=high"], "notebook 40_drivers: the panels split deaths by type of "
                                                          "violence for the best estimate only"),
])
def test_combinations_the_package_refuses_are_refused_before_any_kernel(cli, message):
    with pytest.raises(ParameterError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        plan(*cli)


def test_no_kernel_starts_and_the_cli_prints_one_line(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(engine, "execute_tasks", lambda *a, **k: calls.append("pool"))
    reports = tmp_path / "reports"
    result = CliRunner().invoke(app, ["run", "-p", "level=district", "-p", "layout=pre2018", "--reports",
                                      str(reports)])
    assert isinstance(result.exception, ParameterError)
    assert str(result.exception).startswith("notebook 50_policy:")
    assert calls == [] and not reports.exists()


# --------------------------------------------------------------------------- years from the source chosen


@pytest.fixture
def years_project(tmp_path, monkeypatch):
    """A notebook that selects violence by source and years, and sources with other years than UCDP."""
    monkeypatch.setitem(resolver.FIXED, "short_test_log", lambda **options: YearsSource("short_test_log", 2015, 2020))
    write_notebook(tmp_path / "v.ipynb", "\n".join([
        'violence_source: str = "ucdp_ged_pak"  # a source id',
        "start_year: int = 1989  # first year; years: source",
        "end_year: int = 2021  # last year; years: source; min: start_year",
        "top_n: int = 15  # rows; range: 1..200",
    ]))
    (tmp_path / "s.yaml").write_text(yaml.safe_dump({"notebooks": ["v"]}))
    return tmp_path


def test_defaults_are_cut_by_the_notebook_explicit_years_must_lie_in_the_sources_years(years_project):
    suite = years_project / "s.yaml"
    assert plan("violence_source=short_test_log", suite=suite, root=years_project).notebooks[0].parameters[
        "start_year"] == 1989  # the default stands: select_panel cuts it to 2015-2020
    assert plan("violence_source=short_test_log", "start_year=2016", "end_year=2020", suite=suite, root=years_project)
    with pytest.raises(ParameterError, match="notebook v: parameter 'start_year': 2010 is outside the years of "
                                             r"violence_source 'short_test_log' \(Test source short_test_log: "
                                             "2015-2020\\); choose a year from 2015 to 2020"):
        plan("violence_source=short_test_log", "start_year=2010", suite=suite, root=years_project)
    # the same year is fine for UCDP: the bound follows the source chosen
    assert plan("start_year=2010", suite=suite, root=years_project)


def test_years_set_in_the_suite_file_count_as_explicit(years_project):
    (years_project / "t.yaml").write_text(yaml.safe_dump(
        {"parameters": {"violence_source": "short_test_log"}, "notebooks": [{"path": "v", "parameters": {"end_year": 2021}}]}))
    with pytest.raises(ParameterError, match="parameter 'end_year': 2021 is outside the years"):
        plan(suite=years_project / "t.yaml", root=years_project)


def test_the_bounds_follow_the_release_chosen(tmp_path, monkeypatch):
    """A resolver that takes release options: a newer release widens the years."""
    seen = []

    def ged(ged_release: str = "", with_candidate: bool = False, **others):
        seen.append((ged_release, with_candidate))
        return YearsSource("ged_test", 1989, 2024 if ged_release == "25.1" else 2021)

    monkeypatch.setitem(resolver.FIXED, "ged_test", ged)
    write_notebook(tmp_path / "r.ipynb", "\n".join([
        'violence_source: str = "ged_test"',
        'ged_release: str = ""  # the GED release; empty: the shipped one',
        "with_candidate: bool = False  # add UCDP Candidate events (provisional)",
        "end_year: int = 2021  # years: source",
    ]))
    suite = tmp_path / "r.ipynb"
    with pytest.raises(ParameterError, match="2024 is outside the years of violence_source 'ged_test'"):
        plan("end_year=2024", suite=suite, root=tmp_path)
    assert plan("end_year=2024", "ged_release=25.1", suite=suite, root=tmp_path)
    assert ("25.1", False) in seen


def test_a_source_without_release_options_is_resolved_without_them(tmp_path, monkeypatch):
    def strict(**options):  # today's resolver: no option at all
        if options:
            raise TypeError(f"unexpected keyword arguments {sorted(options)}")
        return YearsSource("strict_test", 2000, 2010)

    monkeypatch.setitem(resolver.FIXED, "strict_test", strict)
    write_notebook(tmp_path / "o.ipynb", "\n".join([
        'violence_source: str = "strict_test"',
        "with_candidate: bool = False  # add UCDP Candidate events",
        "start_year: int = 2005  # years: source",
    ]))
    suite = tmp_path / "o.ipynb"
    assert plan("start_year=2001", suite=suite, root=tmp_path)
    with pytest.raises(ParameterError, match="notebook o: with_candidate: the violence source 'strict_test' takes no "
                                             "release option"):
        plan("start_year=2001", "with_candidate=true", suite=suite, root=tmp_path)


def test_resolve_with_options_passes_other_errors_on(monkeypatch):
    def broken(**options):
        raise ParameterError("the registered file changed")

    monkeypatch.setitem(resolver.FIXED, "broken_test", broken)
    with pytest.raises(ParameterError, match="^violence_source: the registered file changed"):
        preflight.resolve_with_options("broken_test", {"with_candidate": False})


def test_every_rule_reads_parameters_a_notebook_declares():
    """Each rule of the pre-flight applies to at least one real notebook (no rule is dead)."""
    from workbench.report.params import read_parameters

    declared = [set(read_parameters(p)) for p in sorted((ROOT / "notebooks").glob("*.ipynb"))]
    for rule in preflight.RULES:
        assert any(rule.needs <= names for names in declared), rule.what
