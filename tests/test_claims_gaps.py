"""The claims audit on sources with holes: a missing cell is missing, never a crash (issue 13, item 1),
and a source that lacks years is judged over the years it covers, naming the others (issue 18).

An incident log that records nothing in a province in some years (the documented KP CTD example:
a KP log of 2015-2023; the repository's own test log of 2016-2019) leaves deaths per incident
undefined there. The audit must say so and go on. A published national series with years missing
answers the national claims from its national rows.

Every figure here is made up by the test (fictional logs registered in a temporary private folder).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from test_incidents_example import _incident, _series, write_annual_series, write_incident_log

from workbench.geo.units import load_registry
from workbench.policy import claims as cl
from workbench.policy.claims import audit_claims
from workbench.policy.nisp import load_policy
from workbench.policy.verdicts import CANNOT, MIXED, NOT_SUPPORTED, SUPPORTED, VERDICTS
from workbench.sources.base import Coverage, ViolenceSource


def kp_ctd_rows() -> list[dict[str, str]]:
    """A made-up KP CTD-style log, 2015-2023: incidents in KP every year, one in Punjab in 2019 only."""
    rows, i = [], 0
    for year in range(2015, 2024):
        for month, district in ((2, "Peshawar"), (8, "Bannu")):
            i += 1
            rows.append(_incident(i, f"{year}-{month:02d}-10", "KP", district, "terrorist_attack", year % 5 + 1,
                                  year % 3))
    rows.append(_incident(i + 1, "2019-05-05", "Punjab", "Lahore", "terrorist_attack", 2, 4))
    return rows


@pytest.fixture(scope="module")
def gap_audits(tmp_path_factory, mirror):
    """The repository's test log and a KP CTD-style log, registered, each audited in full."""
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    folder = tmp_path_factory.mktemp("claims_gaps") / "private"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PRIVATE_DIR_ENV, str(folder))
        add_source(write_incident_log(folder / "testlog.csv"), kind="incident_log", source_id="testlog",
                   title="Test log", compiler="Test compiler", definition="fictional incidents for tests")
        add_source(write_incident_log(folder / "kp.csv", kp_ctd_rows()), kind="incident_log", source_id="kp_ctd_log",
                   title="KP CTD incident log 2015-2023 (test)", compiler="Test compiler",
                   definition="fictional incidents for tests")
        yield {sid: audit_claims(violence_source=sid) for sid in ("testlog", "kp_ctd_log")}


@pytest.mark.parametrize("sid", ["testlog", "kp_ctd_log"])
def test_the_audit_runs_on_a_log_with_empty_province_years(gap_audits, sid) -> None:
    results = gap_audits[sid]
    assert [r.claim_id for r in results] == [c.id for c in load_policy().claims]
    assert all(r.verdict in VERDICTS for r in results)
    for frame in (cl.claims_frame_from(results), cl.sensitivity_frame_from(results), cl.numbers_frame_from(results)):
        assert len(frame)


def test_an_undefined_ratio_is_missing_and_named(gap_audits) -> None:
    # the test log has no incident in Punjab before 2018: deaths per incident is undefined there
    r = {x.claim_id: x for x in gap_audits["testlog"]}["C5.punjab_highest_deaths_per_attack"]
    longest = r.scenarios.set_index("scenario").loc["period 2016-2017"]
    assert longest["verdict"] == CANNOT
    assert "Punjab" in longest["reason"] and "no incidents or events" in longest["reason"]
    nums = r.numbers[(r.numbers["scenario"] == "period 2016-2017") & (r.numbers["item"] == "Punjab")]
    ratio = nums[nums["quantity"] == "violence.lethality"]
    assert np.isnan(ratio["value"].iloc[0]) and ratio["rank"].isna().all()  # missing, not zero, no rank
    assert nums.loc[nums["quantity"] == "events", "value"].iloc[0] == 0  # the count behind it is a real zero
    assert "Punjab no value" in longest["observed"]


# --------------------------------------------------------------------------- partial coverage (issue 18)

#: Made-up national figures of a published series (national rows only): incidents per year, with 2011
#: and 2013 not published. 2014 is the highest year published.
NATIONAL_INCIDENTS = {2008: 300, 2009: 420, 2010: 510, 2012: 600, 2014: 900, 2015: 700, 2016: 450, 2017: 380,
                      2018: 260}


def national_series_rows(values: dict[int, int]) -> list[dict[str, str]]:
    return [_series("Test national monitor", y, "Pakistan", "current", "incidents", str(v)) for y, v in values.items()]


def province_series_rows(years: range, *, without: dict[int, str]) -> list[dict[str, str]]:
    """Every province and territory (current layout) each year, province rows only; ``without`` leaves one out."""
    geos = ["Punjab", "Sindh", "KP", "Balochistan", "ICT", "GB", "AJK"]
    return [_series("Test province monitor", y, g, "current", "incidents", str(10 * (k + 1) + y % 7))
            for y in years for k, g in enumerate(geos) if without.get(y) != g]


@pytest.fixture(scope="module")
def series_audits(tmp_path_factory, mirror):
    """Published series registered as a new user would (`workbench sources add`), audited on the national claims."""
    from conftest import run_cli

    folder = tmp_path_factory.mktemp("claims_series") / "private"
    env = {"WORKBENCH_PRIVATE_DIR": str(folder)}
    higher = {**NATIONAL_INCIDENTS, 2010: 950}  # a published year above 2014
    files = {"natseries": national_series_rows(NATIONAL_INCIDENTS), "natseries_higher": national_series_rows(higher),
             "provseries": province_series_rows(range(2008, 2019), without={2009: "AJK"})}
    for sid, rows in files.items():
        path = write_annual_series(folder / f"{sid}.csv", rows)
        done = run_cli("sources", "add", str(path), "--kind", "annual_series", "--id", sid, "--title",
                       f"Test {sid}", "--compiler", "Test compiler", "--definition", "fictional figures for tests",
                       env=env)
        assert done.returncode == 0, done.stderr
    claims = ["A1.terrorism_peak_2014", "C1.decline_2014_2018", "C5.kp_fata_most_incidents"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WORKBENCH_PRIVATE_DIR", str(folder))
        audits = {sid: {r.claim_id: r for r in audit_claims(claim_ids=claims, violence_source=sid)} for sid in files}
    yield {"audits": audits, "env": env}


def test_a_national_claim_uses_a_national_series_and_names_the_years_it_lacks(series_audits) -> None:
    r = series_audits["audits"]["natseries"]["A1.terrorism_peak_2014"]
    assert r.verdict == SUPPORTED  # 2014 is the highest year published, and 2017 is below it ...
    assert r.provisional  # ... but 2011 or 2013, not published, could be higher
    assert r.lacking == "2011, 2013"
    assert "years lacking in the source (2011, 2013)" in r.provisional_note
    parts = r.parts[r.parts["scenario"] == "primary"].set_index("part")
    assert list(parts["verdict"]) == [SUPPORTED, SUPPORTED]
    nums = r.numbers[r.numbers["scenario"] == "primary"].set_index("item")["value"]
    assert nums.to_dict() == {str(y): float(v) for y, v in NATIONAL_INCIDENTS.items() if y <= 2017}  # nothing filled in
    # the period is as written: from the first year with data to 2017
    assert r.period_used.startswith("2008-2017")


def test_a_peak_exceeded_by_a_published_year_is_not_supported_whatever_is_lacking(series_audits) -> None:
    r = series_audits["audits"]["natseries_higher"]["A1.terrorism_peak_2014"]
    parts = r.parts[r.parts["scenario"] == "primary"].set_index("part")
    assert parts.loc["peak", "verdict"] == NOT_SUPPORTED
    assert "not the maximum: the highest year of 2008-2017 is 2010 (950)" in parts.loc["peak", "reason"]
    assert r.verdict == MIXED  # the decline after 2014 holds
    assert not r.provisional  # the years lacking cannot change either part
    assert r.lacking == "2011, 2013"


def test_a_decline_judged_on_its_end_years(series_audits) -> None:
    r = series_audits["audits"]["natseries"]["C1.decline_2014_2018"]
    assert r.verdict == SUPPORTED and not r.provisional  # 2014 and 2018 are published
    assert r.reason.startswith("2014 to 2018: 900 to 260")


def test_a_national_total_is_the_sum_of_provinces_only_where_all_are_present(series_audits) -> None:
    r = series_audits["audits"]["provseries"]["A1.terrorism_peak_2014"]
    rows = province_series_rows(range(2008, 2019), without={2009: "AJK"})
    sums = pd.DataFrame(rows).astype({"year": int, "value": int}).groupby("year")["value"].sum()
    nums = r.numbers[r.numbers["scenario"] == "primary"].set_index("item")["value"]
    assert "2009" not in nums.index  # AJK lacking in 2009: no national total that year
    assert nums.to_dict() == {str(y): float(v) for y, v in sums.items() if y != 2009 and y <= 2017}
    assert r.lacking == "2009 (AJK)"
    assert "the sum of every province (no national figure)" in r.observed


def test_the_share_of_the_country_uses_the_national_figure(series_audits) -> None:
    # a national series has no provinces: KP + FATA's share cannot be computed, and the reason says so
    r = series_audits["audits"]["natseries"]["C5.kp_fata_most_incidents"]
    assert r.verdict == CANNOT and "gives national figures only, not province" in r.reason


def test_the_cli_answers_a_national_claim_on_a_partial_series(series_audits) -> None:
    from conftest import run_cli

    done = run_cli("claims", "--violence-source", "natseries", "--claim", "A1.terrorism_peak_2014", "--format", "csv",
                   env=series_audits["env"])
    assert done.returncode == 0, done.stderr
    row = pd.read_csv(io.StringIO(done.stdout)).iloc[0]
    assert row["verdict"] == SUPPORTED and bool(row["provisional"]) and row["lacking"] == "2011, 2013"


def test_ucdp_national_claims_count_events_located_only_to_the_country(mirror) -> None:
    from workbench.sources import resolve

    [r] = audit_claims(claim_ids=["A1.terrorism_peak_2014"])
    national = resolve("ucdp_ged_pak").panel("national", "current").set_index("year")["events"]
    nums = r.numbers[r.numbers["scenario"] == "primary"].set_index("item")["value"]
    assert nums.to_dict() == {str(y): float(v) for y, v in national.loc[1989:2017].items()}
    province = resolve("ucdp_ged_pak").panel("province", "current")
    located = province[province["unit_level"] == "province"].groupby("year")["events"].sum().loc[1989:2017]
    assert (national.loc[1989:2017] >= located).all() and (national.loc[1989:2017] > located).any()


# --------------------------------------------------------------------------- periods stay as written


class LongerRelease(ViolenceSource):
    """A made-up source shaped like a newer UCDP release: every province, 1989-2024 (test data only)."""

    kind_label = "test-built source"

    def __init__(self) -> None:
        self.id, self.title = "longer_test_release", "Longer test release"
        self.label = "Longer test release (1989-2024)"
        self.definition = "made-up counts built by the test"
        self.coverage = Coverage(first_year=1989, last_year=2024, levels=("national", "province"),
                                 measures=("events", "deaths_best"))
        self.provenance = ["ucdp_ged_pak"]  # a citable id for footnotes; the numbers are the test's
        self.caveat = "test-built counts"

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        reg = load_registry()
        rows = [{"unit_id": u, "unit_name": reg.name(u), "unit_level": "province", "province": u, "year": y,
                 "events": 10 + k + y % 5, "deaths_best": 30 + 3 * k + y % 7}
                for y in range(1989, 2025) for k, u in enumerate(reg.provinces(layout)["unit_id"].astype(str))]
        p = pd.DataFrame(rows)
        if level == "national":
            p = p.groupby("year", as_index=False)[["events", "deaths_best"]].sum()
            p["unit_id"], p["unit_name"], p["unit_level"], p["province"] = "PK", "Pakistan", "country", "PK"
        return p


def test_a_longer_source_revises_numbers_inside_the_periods_but_never_extends_them(mirror) -> None:
    ids = [cid for cid, p in cl.PROCEDURES.items() if p.reads == "violence panel"]
    shipped = {r.claim_id: r for r in audit_claims(claim_ids=ids)}
    longer = {r.claim_id: r for r in audit_claims(claim_ids=ids, violence_source=LongerRelease())}
    for cid in ids:
        assert longer[cid].period_used == shipped[cid].period_used, cid
        periods = set(longer[cid].scenarios["period"])
        assert periods <= set(shipped[cid].scenarios["period"]), (cid, periods)
        assert all(int(p[-4:]) <= 2019 for p in periods), (cid, periods)  # never to the source's last year
    years = longer["A1.terrorism_peak_2014"].numbers
    assert years.loc[years["scenario"] == "primary", "item"].astype(int).max() == 2017
