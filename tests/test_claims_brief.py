"""The verdict matrix across sources, the policy's own period, and the audit brief with its export rules.

Every figure of an analyst's source here is made up by the test (a fictional incident log registered in
a temporary private folder); UCDP figures are the shipped release's.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_claims_gaps import LongerRelease
from test_claims_sources import log_rows
from test_incidents_example import SECRET_MARKERS, write_incident_log
from typer.testing import CliRunner

from workbench.errors import ParameterError, WorkbenchError
from workbench.policy import claims as cl
from workbench.policy.matrix import verdict_matrix
from workbench.policy.policy_period import DESCRIPTIVE_NOTE, policy_period_view
from workbench.policy.verdicts import CANNOT
from workbench.formatting import FORMULA_TRIGGERS
from workbench.report.audit_brief import render_audit_brief, write_audit_brief
from workbench.report.html import external_asset_references
from workbench.report.outputs import OutputError
from workbench.report.tables import export_ready, write_table_csv

#: A title that a spreadsheet would run as a formula.
HOSTILE_TITLE = '=HYPERLINK("http://example.invalid","x")'


@pytest.fixture(scope="module")
def world(tmp_path_factory, mirror):
    """A registered log of 2005-2021 (with a hostile title), and the matrix of it against UCDP GED 22.1."""
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    folder = tmp_path_factory.mktemp("claims_brief") / "private"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PRIVATE_DIR_ENV, str(folder))
        add_source(write_incident_log(folder / "log.csv", log_rows(2005, 2021)), kind="incident_log",
                   source_id="brieflog", title=HOSTILE_TITLE, compiler="Test compiler",
                   definition="fictional incidents for tests")
        matrix = verdict_matrix()  # every source that resolves: the shipped release and the registered log
        view = policy_period_view("brieflog")
        yield {"folder": folder, "matrix": matrix, "view": view, "mp": mp}


# --------------------------------------------------------------------------- the matrix


def test_the_matrix_holds_every_claim_on_every_source(world) -> None:
    m = world["matrix"]
    assert list(m.results) == ["ucdp_ged_pak", "brieflog"]
    assert len(m.cells) == 2 * len(m.table) and m.table["claim_id"].is_unique
    for column, results in m.results.items():
        cells = m.cells[m.cells["column"] == column].set_index("claim_id")
        for r in results:  # each cell is the audit's own verdict and numbers
            assert cells.loc[r.claim_id, "verdict"] == r.verdict
            assert cells.loc[r.claim_id, "observed"] == r.observed
            assert m.table.set_index("claim_id").loc[r.claim_id, column].startswith(r.verdict)
    # the disagreement mark, checked against the results themselves
    for claim_id, row in m.table.set_index("claim_id").iterrows():
        testable = {rs[i].verdict for rs in m.results.values() for i in range(len(rs))
                    if rs[i].claim_id == claim_id and rs[i].verdict != CANNOT}
        assert row["disagree"] == (len(testable) > 1), claim_id
    # claims that read no violence data agree across sources
    for cid in ("C5.punjab_most_populous", "C5.balochistan_area_42pct", "D1.youth_60pct", "D3.mpi_order"):
        assert m.cells.loc[m.cells["claim_id"] == cid, "verdict"].nunique() == 1
    assert {"ucdp_ged_pak", "brieflog"} <= set(m.cells.attrs["sources"])


def test_the_matrix_names_sources_that_cannot_be_read_and_refuses_bad_choices(world, tmp_path) -> None:
    with pytest.raises(ParameterError, match="given twice"):
        verdict_matrix(["ucdp_ged_pak", "ucdp_ged_pak"], claim_ids=["C5.punjab_most_populous"])
    with pytest.raises(WorkbenchError, match="unknown violence source 'nope'"):
        verdict_matrix(["nope"], claim_ids=["C5.punjab_most_populous"])
    # two sources with one id (releases of one data set) get columns of their own

    class OtherRelease(LongerRelease):
        def __init__(self) -> None:
            super().__init__()
            self.title, self.label = "Other test release", "Other test release (1989-2024)"

    m = verdict_matrix([LongerRelease(), OtherRelease()], claim_ids=["C5.punjab_least_fatalities"])
    assert list(m.results) == ["longer_test_release", "longer_test_release (Other test release)"]


def test_a_changed_registered_file_is_left_out_of_the_default_matrix(world, tmp_path, monkeypatch) -> None:
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    folder = tmp_path / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    path = write_incident_log(folder / "log.csv", log_rows(2012, 2013))
    add_source(path, kind="incident_log", source_id="changedlog", title="Test log", compiler="Test compiler",
               definition="fictional incidents for tests")
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed after registration
    m = verdict_matrix(claim_ids=["C5.punjab_least_fatalities"])
    assert list(m.results) == ["ucdp_ged_pak"]
    assert "changed after registration" in m.skipped["changedlog"]


def test_provisional_counts_are_marked_wherever_they_appear(mirror) -> None:
    class CandidateLike(LongerRelease):
        """Made-up counts marked provisional, as UCDP Candidate events are."""

        def __init__(self) -> None:
            super().__init__()
            self.id, self.provisional = "candidate_like_test", True

    m = verdict_matrix([CandidateLike()], claim_ids=["C5.punjab_least_fatalities", "C5.punjab_most_populous"])
    cells = m.cells.set_index("claim_id")
    assert cells.loc["C5.punjab_least_fatalities", "provisional"]  # violence counts: provisional
    assert not cells.loc["C5.punjab_most_populous", "provisional"]  # the census is not
    assert m.labels["candidate_like_test"].endswith("(provisional)")
    r = {x.claim_id: x for x in m.results["candidate_like_test"]}["C5.punjab_least_fatalities"]
    assert "provisional counts" in r.provisional_note
    assert "(provisional)" in m.table.set_index("claim_id").loc["C5.punjab_least_fatalities", "candidate_like_test"]


# --------------------------------------------------------------------------- the policy's own period


def test_the_policy_period_view_against_a_second_computation(mirror) -> None:
    from workbench.panel.demography import population_table
    from workbench.sources import resolve

    view = policy_period_view().set_index("unit_id")
    p = resolve("ucdp_ged_pak").panel("province", "pre2018")
    punjab = p[p["unit_id"] == "PK-PB"].set_index("year")["deaths_best"]
    row = view.loc["PK-PB"]
    assert row["deaths_per_year_before"] == pytest.approx(punjab.loc[2012:2017].mean())
    assert row["deaths_per_year_after"] == pytest.approx(punjab.loc[2018:2021].mean())  # the years covered only
    pop = population_table("province")
    pop = pop[(pop["layout"] == "pre2018") & (pop["unit_id"] == "PK-PB")].set_index("year")["population"]
    assert row["deaths_per_100k_before"] == pytest.approx(punjab.loc[2012:2017].sum() / pop.loc[2012:2017].sum() * 1e5)
    assert row["partial"] and "2022-2023 lacking" in row["note"]  # GED 22.1 ends 2021
    assert row["after_years"] == "2018-2021 (of 2018-2023)" and row["before_years"] == "2012-2017"
    national = resolve("ucdp_ged_pak").panel("national", "current").set_index("year")["events"]
    assert view.loc["PK", "events_per_year_before"] == pytest.approx(national.loc[2012:2017].mean())
    # the places the policy names, FATA apart as it names it
    assert {"PK-TA", "division/karachi", "stable/swat", "stable/quetta", "stable/gwadar"} <= set(view.index)
    assert view.loc["stable/swat", "named_in_policy"] and view.loc["stable/swat", "unit_kind"] == "named place"
    assert view.attrs["note"] == DESCRIPTIVE_NOTE and "not an evaluation" in DESCRIPTIVE_NOTE
    assert np.isnan(view.loc["PK-GB", "deaths_per_100k_before"])  # no census population for GB: not filled in


def test_the_policy_period_view_on_an_analyst_log(world) -> None:
    view = world["view"].set_index("unit_id")
    assert set(view["violence_source"]) == {"brieflog"}
    assert view.loc["PK-PB", "before_years"] == "2012-2017"
    assert view.loc["PK-PB", "after_years"] == "2018-2021 (of 2018-2023)" and view.loc["PK-PB", "partial"]
    log = pd.DataFrame(log_rows(2005, 2021))
    log["year"] = log["date"].str[:4].astype(int)
    punjab = log[(log["province"] == "Punjab") & log["year"].between(2012, 2017)]["killed"].astype(int).sum()
    assert view.loc["PK-PB", "deaths_per_year_before"] == pytest.approx(punjab / 6)


# --------------------------------------------------------------------------- export rules


@given(st.text(max_size=20))
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    got = export_ready(pd.DataFrame({"a": [text], "n": [-1.5]}))
    cell = got["a"].iloc[0]
    assert not cell.startswith(FORMULA_TRIGGERS)
    assert cell == (f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text)  # readable: nothing else changes
    assert got["n"].iloc[0] == -1.5  # numbers stay numbers


def test_the_matrix_csv_carries_no_live_formula(world) -> None:
    from workbench.cli import app

    out = CliRunner().invoke(app, ["claims", "--format", "csv", "--table", "matrix", "--claim",
                                   "C5.punjab_most_populous", "--matrix-source", "brieflog"])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(io.StringIO(out.stdout))
    labels = table["source_label"].tolist()
    assert labels and all(v.startswith("'=HYPERLINK") for v in labels)  # the hostile title, neutralised
    for column in table.columns[table.dtypes.map(lambda d: not pd.api.types.is_numeric_dtype(d))]:
        assert not table[column].dropna().astype(str).str.startswith(FORMULA_TRIGGERS).any(), column


def test_writes_are_atomic(tmp_path, monkeypatch) -> None:
    target = tmp_path / "claims.csv"
    target.write_text("the previous file\n", encoding="utf-8")

    def broken(self, path, *args, **kwargs):  # a write that fails half-way: disk full
        open(path, "w").write("half a ta")
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as mp:
        mp.setattr(pd.DataFrame, "to_csv", broken)
        with pytest.raises(OSError):
            write_table_csv(pd.DataFrame({"a": [1]}), target)
    assert target.read_text(encoding="utf-8") == "the previous file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["claims.csv"]  # no temporary file left
    write_table_csv(pd.DataFrame({"a": ["@x"]}), target)
    assert target.read_text(encoding="utf-8") == "a\n'@x\n"


# --------------------------------------------------------------------------- the brief


@pytest.fixture(scope="module")
def brief(world):
    results = world["matrix"].results["brieflog"]
    return results, render_audit_brief(results, matrix=world["matrix"], period_view=world["view"],
                                       source_label="made-up test log")


def test_the_brief_is_standalone_and_complete(brief) -> None:
    results, page = brief
    assert page.startswith("<!DOCTYPE html>") and external_asset_references(page) == []
    import html

    for r in results:
        assert html.escape(r.quote) in page, r.claim_id
        assert html.escape(r.claim_id) in page
    for part in ("peak", "decline", "deprivation", "violence", "after", "position"):
        assert f"<td>{part}</td>" in page
    assert "Verdicts across sources" in page and "≠" in page  # the matrix, with its mark
    assert "The policy's own period" in page and "not an evaluation of the policy" in page
    assert "Other measure (informs, does not decide)" in page and "A peak is a maximum" in page


def test_the_brief_shows_no_private_row_or_path(brief, world) -> None:
    _, page = brief
    leaks = [m for m in SECRET_MARKERS if m in page]
    assert not leaks
    assert str(world["folder"]) not in page and "log.csv" not in page
    assert "[brieflog, sha256" in page  # the source is named by its registered id and checksum
    assert html_escaped(HOSTILE_TITLE) in page and "<a href=\"http://example.invalid" not in page  # text, not markup


def html_escaped(text: str) -> str:
    import html

    return html.escape(text)


def test_the_brief_is_written_atomically_and_pdf_needs_chromium(brief, tmp_path, monkeypatch) -> None:
    _, page = brief
    target = tmp_path / "brief.html"
    target.write_text("previous", encoding="utf-8")
    write_audit_brief(target, page, "html")
    assert target.read_text(encoding="utf-8") == page and [p.name for p in tmp_path.iterdir()] == ["brief.html"]
    monkeypatch.setenv("WORKBENCH_CHROMIUM", "no-such-chromium")  # no printer on this machine
    with pytest.raises(OutputError, match="PDF not written: Chromium not found"):
        write_audit_brief(tmp_path / "brief.pdf", page, "pdf")
    assert not (tmp_path / "brief.pdf").exists()

    printed = []

    def html_to_pdf(html_path, pdf_path):
        printed.append(html_path.read_text(encoding="utf-8"))
        pdf_path.write_bytes(b"%PDF-1.4 test")

    monkeypatch.setattr("workbench.report.pdf.find_chromium", lambda: "/usr/bin/chromium")
    monkeypatch.setattr("workbench.report.pdf.html_to_pdf", html_to_pdf)
    write_audit_brief(tmp_path / "brief.pdf", page, "pdf")
    assert printed == [page] and (tmp_path / "brief.pdf").read_bytes() == b"%PDF-1.4 test"
    with pytest.raises(OutputError, match="html or pdf"):
        write_audit_brief(tmp_path / "brief.doc", page, "doc")


# --------------------------------------------------------------------------- the command


def test_cli_writes_the_brief_and_the_tables(world, tmp_path, monkeypatch) -> None:
    from workbench.cli import app

    runner = CliRunner()
    args = ["claims", "--violence-source", "brieflog", "--claim", "A1.terrorism_peak_2014", "--claim",
            "C5.punjab_most_populous", "--matrix-source", "brieflog"]
    done = runner.invoke(app, [*args, "--format", "html", "--out", str(tmp_path / "brief.html")])
    assert done.exit_code == 0, done.output
    assert "wrote the audit brief" in done.output and (tmp_path / "brief.html").stat().st_size > 0
    parts = runner.invoke(app, [*args, "--format", "csv", "--table", "parts", "--out", str(tmp_path / "parts.csv")])
    assert parts.exit_code == 0, parts.output
    table = pd.read_csv(tmp_path / "parts.csv")
    assert set(table["part"]) == {"peak", "decline"} and set(table["claim_id"]) == {"A1.terrorism_peak_2014"}
    period = runner.invoke(app, ["claims", "--format", "csv", "--table", "policy_period"])
    assert period.exit_code == 0 and "deaths_per_year_after" in period.stdout
    no_out = runner.invoke(app, ["claims", "--format", "html"])
    assert no_out.exit_code != 0 and "give --out FILE" in str(no_out.exception)
    monkeypatch.setenv("WORKBENCH_CHROMIUM", "no-such-chromium")
    pdf = runner.invoke(app, ["claims", "--format", "pdf", "--out", str(tmp_path / "b.pdf")])
    assert pdf.exit_code != 0 and "Chromium not found" in str(pdf.exception)
    assert not (tmp_path / "b.pdf").exists()


def test_matrix_sources_name_releases() -> None:
    from workbench.cli.policy import _matrix_choices

    assert _matrix_choices(["ucdp_ged_pak", "ucdp_ged_pak@25.1", "kp_ctd_log"]) == [
        "ucdp_ged_pak", ("ucdp_ged_pak", {"ged_release": "25.1"}), "kp_ctd_log"]
    assert _matrix_choices(None) is None
    assert {r for r in cl.__all__} >= {"parts_frame_from"}
