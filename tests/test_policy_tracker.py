"""The implementation tracker: template, checks of a filled file, progress counts.

Every filled tracker here is TEST DATA built by the test itself (its source column says so); the
values are invented to exercise the rules and say nothing about NISP 2018's implementation.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DataValidationError, ParameterError
from workbench.policy.nisp import annex_indicators_frame, load_policy
from workbench.policy.tracker import (
    TEMPLATE_COLUMNS,
    progress_by_body,
    progress_by_R,
    read_tracker,
    write_template,
)

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "policy" / "tracker_template.csv"
TODAY = dt.date(2025, 1, 1)
SOURCE = "TEST DATA built by tests/test_policy_tracker.py"


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture
def template(tmp_path, policy) -> Path:
    return write_template(tmp_path / "template.csv", policy)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(path: Path, rows: list[dict[str, str]], columns=TEMPLATE_COLUMNS, encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(columns), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def fill(template: Path, values: dict[str, dict[str, str]], out: Path, *, keep_all: bool = True) -> Path:
    """Copy the template, filling the rows named by indicator id (test data)."""
    rows = read_rows(template)
    for row in rows:
        row.update(values.get(row["indicator_id"], {}))
    if not keep_all:
        rows = [r for r in rows if r["indicator_id"] in values]
    return write_rows(out, rows)


def v(baseline="", target="", latest="", date="", source=SOURCE) -> dict[str, str]:
    return {"baseline": baseline, "target": target, "latest_value": latest, "date": date, "source": source}


# --------------------------------------------------------------------------- template


def test_committed_template_equals_a_fresh_one(tmp_path, policy):
    fresh = write_template(tmp_path / "fresh.csv", policy)
    assert COMMITTED.read_bytes() == fresh.read_bytes()


def test_template_has_one_empty_row_per_annex_indicator(template, policy):
    df = pd.read_csv(template, dtype=str, keep_default_na=False)
    assert tuple(df.columns) == TEMPLATE_COLUMNS
    ind = annex_indicators_frame(policy)
    assert list(df["indicator_id"]) == list(ind["indicator_id"])
    assert list(df["intervention"]) == list(ind["intervention"])
    assert (df[["baseline", "target", "latest_value", "date", "source", "comment"]] == "").all().all()
    assert df.loc[df["indicator_id"] == "98c.i1", "indicator"].item() == "Budget allocated"


def test_empty_template_reads_with_no_values(template, policy):
    t = read_tracker(template, policy=policy, today=TODAY)
    assert len(t) == len(annex_indicators_frame(policy))
    assert t["latest_value"].isna().all() and not t["post_policy"].any()
    prog = progress_by_R(t, policy)
    assert prog["n_indicators"].sum() == len(t) == prog["n_in_tracker"].sum()
    assert (prog[["n_with_value", "n_comparable", "n_met_target", "n_post_policy"]] == 0).all().all()


# --------------------------------------------------------------------------- a filled example


@pytest.fixture
def filled(template, tmp_path) -> Path:
    values = {
        "1.i1": v("0", "1", "1", "2019-03-01"),            # H1, MoI: met (rising target)
        "3.i1": v("0", "4", "2", "2020-06-30"),            # H1, MoI+NACTA: not met
        "30.i1": v("400", "200", "150", "2021-12-31"),     # H1, HighCourts: met (falling target)
        "65.i1": v("0", "0", "0", "2019-01-15"),           # H2, NACTA: target equals baseline, met
        "91.i1": v("", "", "1", "2022-05-05"),             # H3, MoI: a value but nothing to compare
        "98c.i1": v("10", "20", "25", "2024-06-30"),       # H4, MoF+ProvincialGovts: met, after the period
        "111.i1": v("0", "1", "", ""),                     # H6, MoI: baseline and target only
    }
    return fill(template, values, tmp_path / "filled.csv")


def test_read_filled_tracker(filled, policy):
    t = read_tracker(filled, policy=policy, today=TODAY).set_index("indicator_id")
    assert t.loc["30.i1", "latest_value"] == 150.0
    assert t.loc["98c.i1", "post_policy"] and not t.loc["1.i1", "post_policy"]
    assert t.loc["98c.i1", "date"] == pd.Timestamp("2024-06-30")
    assert (t.loc["98c.i1", "r"], t.loc["98c.i1", "bodies"]) == ("H4", "MoF; ProvincialGovts")
    assert pd.isna(t.loc["111.i1", "latest_value"])


def test_progress_by_r_counts_the_filled_example(filled, policy):
    t = read_tracker(filled, policy=policy, today=TODAY)
    prog = progress_by_R(t, policy).set_index("r")
    got = prog[["n_with_value", "n_comparable", "n_met_target", "n_post_policy"]].to_dict("index")
    assert got == {
        "H1": {"n_with_value": 3, "n_comparable": 3, "n_met_target": 2, "n_post_policy": 0},
        "H2": {"n_with_value": 1, "n_comparable": 1, "n_met_target": 1, "n_post_policy": 0},
        "H3": {"n_with_value": 1, "n_comparable": 0, "n_met_target": 0, "n_post_policy": 0},
        "H4": {"n_with_value": 1, "n_comparable": 1, "n_met_target": 1, "n_post_policy": 1},
        "H5": {"n_with_value": 0, "n_comparable": 0, "n_met_target": 0, "n_post_policy": 0},
        "H6": {"n_with_value": 0, "n_comparable": 0, "n_met_target": 0, "n_post_policy": 0},
    }
    ind = annex_indicators_frame(policy)
    assert prog["n_indicators"].to_dict() == ind.groupby("r").size().to_dict()


def test_progress_by_body_counts_shared_indicators_for_each_body(filled, policy):
    t = read_tracker(filled, policy=policy, today=TODAY)
    prog = progress_by_body(t, policy).set_index("body")
    # MoI: 1.i1 met, 3.i1 not met, 91.i1 nothing to compare with; 111.i1 has no latest value
    assert prog.loc["MoI", ["n_with_value", "n_comparable", "n_met_target"]].tolist() == [3, 2, 1]
    assert prog.loc["NACTA", ["n_with_value", "n_met_target"]].tolist() == [2, 1]   # 3.i1, 65.i1
    assert prog.loc["MoF", ["n_with_value", "n_met_target", "n_post_policy"]].tolist() == [1, 1, 1]
    assert prog.loc["ProvincialGovts", "n_met_target"] == 1
    assert prog.loc["HighCourts", ["n_with_value", "n_met_target"]].tolist() == [1, 1]
    assert prog.loc["PEMRA", "n_with_value"] == 0
    assert prog["n_with_value"].sum() > len(t.dropna(subset=["latest_value"]))


def test_only_rows_present_are_counted(template, tmp_path, policy):
    path = fill(template, {"1.i1": v("0", "1", "1", "2019-03-01")}, tmp_path / "one.csv", keep_all=False)
    t = read_tracker(path, policy=policy, today=TODAY)
    prog = progress_by_R(t, policy).set_index("r")
    assert prog.loc["H1", "n_in_tracker"] == 1 and prog["n_in_tracker"].sum() == 1
    assert prog.loc["H1", "n_indicators"] > 1


def test_excel_bom_is_accepted(template, tmp_path, policy):
    rows = read_rows(template)
    path = write_rows(tmp_path / "bom.csv", rows, encoding="utf-8-sig")
    assert len(read_tracker(path, policy=policy, today=TODAY)) == len(rows)


# --------------------------------------------------------------------------- errors


ERROR_CASES = [
    ("unknown intervention", {"intervention": "121"}, "intervention", "unknown intervention"),
    ("unknown indicator", {"indicator_id": "1.i9"}, "indicator_id", "unknown indicator for intervention 1"),
    ("edited indicator text", {"indicator": "Committees established"}, "indicator", "differs from the policy"),
    ("edited responsibility", {"responsible": "NACTA"}, "responsible", "differs from the policy"),
    ("words for a number", v("0", "1", "ten", "2019-03-01"), "latest_value", "not a number"),
    ("thousands separator", v("1,234", "1", "1", "2019-03-01"), "baseline", "not a number"),
    ("percent sign", v("0", "45%", "1", "2019-03-01"), "target", "not a number"),
    ("date in the future", v("0", "1", "1", "2025-01-02"), "date", "date in the future"),
    ("date before the policy", v("0", "1", "1", "2017-12-31"), "date", "before the policy's start"),
    ("day-month-year date", v("0", "1", "1", "31/12/2019"), "date", "expected YYYY-MM-DD"),
    ("impossible date", v("0", "1", "1", "2019-02-30"), "date", "expected YYYY-MM-DD"),
    ("value without date", v("0", "1", "1", ""), "date", "needs the date"),
    ("date without value", v("0", "1", "", "2019-03-01"), "latest_value", "no latest_value"),
    ("value without source", v("0", "1", "1", "2019-03-01", source=""), "source", "needs its source"),
]


@pytest.mark.parametrize("label, change, column, message", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_bad_cell_is_named_by_file_row_and_column(template, tmp_path, policy, label, change, column, message):
    rows = read_rows(template)
    rows[0].update(change)      # data row 1
    path = write_rows(tmp_path / "bad.csv", rows)
    with pytest.raises(DataValidationError) as err:
        read_tracker(path, policy=policy, today=TODAY)
    text = str(err.value)
    assert str(path) in text and "row 1" in text and f"column '{column}'" in text and message in text
    assert err.value.row == 1 and err.value.column == column


def test_duplicate_indicator_is_refused(template, tmp_path, policy):
    rows = read_rows(template)
    path = write_rows(tmp_path / "dup.csv", [*rows, dict(rows[4])])
    with pytest.raises(DataValidationError, match=rf"row {len(rows) + 1}.*listed twice \(first in row 5\)"):
        read_tracker(path, policy=policy, today=TODAY)


@pytest.mark.parametrize("columns, message", [
    (TEMPLATE_COLUMNS[:-1], "missing column(s) comment"),
    ((*TEMPLATE_COLUMNS, "unit"), "unknown column(s) unit"),
])
def test_wrong_columns_are_refused(template, tmp_path, policy, columns, message):
    rows = [{k: r.get(k, "") for k in columns} for r in read_rows(template)]
    path = write_rows(tmp_path / "cols.csv", rows, columns=columns)
    with pytest.raises(DataValidationError) as err:
        read_tracker(path, policy=policy, today=TODAY)
    assert message in str(err.value) and str(path) in str(err.value)


def test_every_problem_is_listed(template, tmp_path, policy):
    rows = read_rows(template)
    rows[0].update(v("x", "1", "1", "2019-03-01"))
    rows[2].update(v("0", "1", "1", "2030-01-01"))
    rows[3].update({"intervention": "200"})
    path = write_rows(tmp_path / "many.csv", rows)
    with pytest.raises(DataValidationError) as err:
        read_tracker(path, policy=policy, today=TODAY)
    cases = err.value.failure_cases
    assert list(cases["row"]) == [1, 3, 4]
    assert list(cases["column"]) == ["baseline", "date", "intervention"]
    assert "3 problems in all" in str(err.value)


def test_missing_file_and_bad_options(tmp_path, policy, filled):
    with pytest.raises(DataValidationError, match="tracker file not found"):
        read_tracker(tmp_path / "nope.csv", policy=policy)
    with pytest.raises(ParameterError, match="today must be a datetime.date"):
        read_tracker(filled, policy=policy, today="2025-01-01")
    with pytest.raises(ParameterError, match="pass the frame read_tracker returns"):
        progress_by_R(pd.DataFrame({"intervention": ["1"]}), policy)
    with pytest.raises(ParameterError, match="must be a DataFrame"):
        progress_by_body([1, 2], policy)


# --------------------------------------------------------------------------- properties


@pytest.fixture(scope="module")
def one_row(tmp_path_factory, policy) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("one_row")
    return folder, read_rows(write_template(folder / "t.csv", policy))[0]


@settings(deadline=None, max_examples=60)
@given(x=st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_any_plain_number_reads_back_exactly(one_row, policy, x):
    folder, row = one_row
    path = write_rows(folder / "x.csv", [{**row, **v(repr(x), "", "", "")}])
    t = read_tracker(path, policy=policy, today=TODAY)
    assert t["baseline"].iloc[0] == x


@settings(deadline=None, max_examples=60)
@given(text=st.text(alphabet=st.characters(categories=["L", "P", "S"], exclude_characters="eE.+-,\"\r\n"),
                    min_size=1, max_size=8))
def test_any_text_that_is_not_a_number_is_refused(one_row, policy, text):
    if not text.strip():
        return
    folder, row = one_row
    path = write_rows(folder / "y.csv", [{**row, **v("", text, "", "")}])
    with pytest.raises(DataValidationError, match="column 'target'"):
        read_tracker(path, policy=policy, today=TODAY)


# --------------------------------------------------------------------------- the command line (issue 13.15)


CORPUS = ROOT / "tests" / "bad_inputs"


@pytest.mark.parametrize("name, where", [
    ("tracker_empty.csv", ": the file is empty (0 bytes)"),
    ("tracker_utf16_no_bom.csv", ": holds NUL characters"),
    ("tracker_unclosed_quote.csv", ", row 1, column 'source': not readable as CSV at line 2"),
])
def test_tracker_check_refuses_a_bad_file_in_one_line(name, where):
    from conftest import run_cli

    path = CORPUS / name
    done = run_cli("tracker", "check", str(path))
    assert done.returncode == 1
    assert done.stderr.splitlines() == [done.stderr.strip()]  # one line, no traceback
    assert done.stderr.startswith(f"error: file {path}{where}")


def test_tracker_check_reads_excels_unicode_text_and_says_so():
    from conftest import run_cli

    path = CORPUS / "tracker_tab_utf16.csv"
    done = run_cli("tracker", "check", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"note: {path}: read as UTF-16 (byte-order mark)",
                                        f"note: {path}: read as tab-separated values"]
    assert "H1" in done.stdout
