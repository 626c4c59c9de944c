"""The claims audit on registered analyst's sources: every result names its violence source, UCDP
notions are left out, uncovered periods are "cannot be tested", casualties are killed + injured,
and no raw row of a log reaches the tidy tables.

Every figure here is made up by the test (a fictional incident log and a fictional published
series), built and registered in a temporary private folder; none is a real figure.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from test_incidents_example import SECRET_MARKERS, _incident, _series, write_annual_series, write_incident_log
from typer.testing import CliRunner

from workbench.errors import ParameterError
from workbench.policy import claims as cl
from workbench.policy.claims import Evidence, audit_claims
from workbench.policy.procedure_table import UCDP_NOTE
from workbench.policy.verdicts import CANNOT, rule_approx

#: (province as the analyst writes it, district as written): placed in PK-PB, PK-SD (Karachi and
#: Hyderabad), PK-KP, PK-TA (pre-2018 layout), PK-BA, PK-IS.
PLACES = [("Punjab", "Lahore"), ("Sindh", "Karachi"), ("Sindh", "Hyderabad"), ("KP", "Peshawar"),
          ("FATA", "North Waziristan Agency"), ("Balochistan", "Quetta"), ("ICT", "Islamabad")]
PANEL_CLAIMS = [cid for cid, p in cl.PROCEDURES.items() if p.reads == "violence panel"]


def log_rows(first: int, last: int) -> list[dict[str, str]]:
    """Made-up incidents: two a year at each place, killed and injured following a simple formula."""
    rows, i = [], 0
    for year in range(first, last + 1):
        for k, (province, district) in enumerate(PLACES):
            for month, category in ((3, "terrorist_attack"), (9, "sectarian")):
                i += 1
                killed, injured = (year % 7) + k + (month == 9), 2 * k + (year % 3)
                rows.append(_incident(i, f"{year}-{month:02d}-{k + 1:02d}", province, district, category, killed,
                                      injured))
    return rows


def series_rows(first: int, last: int) -> list[dict[str, str]]:
    """A made-up published series: incidents and killed for the five pre-2018 regions (no ICT, GB, AJK, injured)."""
    rows = []
    for year in range(first, last + 1):
        for j, geo in enumerate(["Punjab", "Sindh", "NWFP", "FATA", "Balochistan"]):
            rows.append(_series("Test Monitor annual report", year, geo, "pre2018", "incidents", str(3 + j + year % 4)))
            rows.append(_series("Test Monitor annual report", year, geo, "pre2018", "killed", str(10 + j * year % 5),
                                unit="persons"))
    return rows


@pytest.fixture(scope="module")
def sources(tmp_path_factory, mirror):
    """Three registered test sources and the audit on each: a log of 2005-2021, one of 2012-2021, a series."""
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    folder = tmp_path_factory.mktemp("claims_sources") / "private"
    long_rows, short_rows = log_rows(2005, 2021), log_rows(2012, 2021)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(PRIVATE_DIR_ENV, str(folder))
        add_source(write_incident_log(folder / "long.csv", long_rows), kind="incident_log", source_id="longlog",
                   title="Test log long", compiler="Test compiler", definition="fictional incidents for tests")
        add_source(write_incident_log(folder / "short.csv", short_rows), kind="incident_log", source_id="shortlog",
                   title="Test log short", compiler="Test compiler", definition="fictional incidents for tests")
        add_source(write_annual_series(folder / "series.csv", series_rows(2005, 2018)), kind="annual_series",
                   source_id="testseries", title="Test series", compiler="Test Monitor",
                   definition="fictional published figures")
        audits = {sid: audit_claims(violence_source=sid) for sid in ("longlog", "shortlog", "testseries")}
        yield {"folder": folder, "rows": {"longlog": long_rows, "shortlog": short_rows}, "audits": audits, "mp": mp}


def _by_id(results: list[cl.ClaimResult]) -> dict[str, cl.ClaimResult]:
    return {r.claim_id: r for r in results}


def _frames(results: list[cl.ClaimResult]) -> list[pd.DataFrame]:
    return [cl.claims_frame_from(results), cl.sensitivity_frame_from(results), cl.numbers_frame_from(results)]


def test_every_result_and_row_names_the_source(sources) -> None:
    for sid, results in sources["audits"].items():
        assert [r.claim_id for r in results] == [r.claim_id for r in sources["audits"]["longlog"]]
        assert {r.violence_source for r in results} == {sid}
        for frame in _frames(results):
            assert set(frame["violence_source"]) == {sid}
            assert frame.attrs["violence_source"] == [sid]
        for r in results:  # the violence numbers come from the source, never from UCDP
            assert "ucdp_ged_pak" not in r.sources
    long = _by_id(sources["audits"]["longlog"])
    for cid in PANEL_CLAIMS:
        assert "longlog" in long[cid].sources, cid


def test_ucdp_notions_are_left_out(sources) -> None:
    results = sources["audits"]["longlog"]
    sens = cl.sensitivity_frame_from(results)
    assert not set(sens["kind"]) & {"deaths estimate", "violence types"}
    assert set(sens.loc[sens["claim_id"].isin(PANEL_CLAIMS), "deaths_estimate"]) == {""}
    for r in (x for x in results if x.claim_id in PANEL_CLAIMS):
        assert "UCDP" not in r.measure_used, (r.claim_id, r.measure_used)
        assert UCDP_NOTE not in r.caveats
        assert any("violence source 'longlog'" in c for c in r.caveats)
        assert "Test log long" in r.measure_used
    long = _by_id(results)
    assert long["C5.punjab_highest_deaths_per_attack"].measure_used.startswith("deaths per incident")
    for cid in ("PIPS.militants_killed_28000", "PIPS.baloch_low_intensity"):  # UCDP's actor and conflict coding
        assert long[cid].verdict == CANNOT
        assert "actor and conflict coding" in long[cid].reason and "'longlog'" in long[cid].reason


def test_counts_follow_the_log(sources) -> None:
    log = pd.DataFrame(sources["rows"]["longlog"])
    log["year"] = log["date"].str[:4].astype(int)
    log[["killed", "injured"]] = log[["killed", "injured"]].astype(int)
    region = {"Punjab": "Punjab", "Sindh": "Sindh", "KP": "KP+FATA", "FATA": "KP+FATA", "Balochistan": "Balochistan"}
    window = log[log["year"].between(2008, 2017)]
    expected = window.assign(group=window["province"].map(region)).groupby("group")["killed"].sum()
    r = _by_id(sources["audits"]["longlog"])["C5.punjab_least_fatalities"]
    got = r.numbers[(r.numbers["scenario"] == "primary") & (r.numbers["quantity"] == "violence.deaths")]
    assert got.set_index("item")["value"].to_dict() == expected.astype(float).to_dict()
    # "most of the incidents": KP + FATA's share of all incidents in the default window
    share = _by_id(sources["audits"]["longlog"])["C5.kp_fata_most_incidents"].numbers
    share = share[(share["scenario"] == "primary") & (share["quantity"] == "share")].set_index("item")["value"]
    assert share["KP+FATA"] == pytest.approx(window["province"].isin(["KP", "FATA"]).mean())


def test_casualties_are_killed_plus_injured_when_the_log_gives_injuries(sources) -> None:
    log = pd.DataFrame(sources["rows"]["longlog"])
    sel = log[log["province"].isin(["KP", "FATA"]) & log["date"].str[:4].astype(int).between(2005, 2012)]
    killed, injured = sel["killed"].astype(int).sum(), sel["injured"].astype(int).sum()
    r = _by_id(sources["audits"]["longlog"])["C5.kp_fata_casualties_2005_2012"]
    nums = r.numbers[(r.numbers["scenario"] == "primary") & (r.numbers["item"] == "KP+FATA")].set_index("quantity")
    assert nums.loc["deaths", "value"] == killed
    assert nums.loc["injured", "value"] == injured
    assert nums.loc["casualties", "value"] == killed + injured
    assert r.proxy is None  # measured, not a proxy
    assert "killed + injured" in r.measure_used
    assert r.verdict == rule_approx(killed + injured, 11862, 0.05).verdict


def test_a_series_without_injuries_keeps_the_lower_bound(sources) -> None:
    r = _by_id(sources["audits"]["testseries"])["C5.kp_fata_casualties_2005_2012"]
    assert "does not give persons injured" in r.reason and "lower bound" in r.reason
    assert not r.numbers["quantity"].eq("injured").any()
    assert r.proxy and "published persons killed" in r.proxy
    series = _by_id(sources["audits"]["testseries"])
    # a national total: the series has no national rows, and without ICT, GB and AJK its provinces do not
    # make one; nothing is filled in
    assert series["C1.decline_2014_2018"].verdict == CANNOT
    assert "gives no national figure for 2014-2018" in series["C1.decline_2014_2018"].reason
    assert "(ICT, GB, AJK)" in series["C1.decline_2014_2018"].reason
    # Karachi needs districts: a published series has provinces only
    assert series["C5.karachi_most_sindh_violence"].verdict == CANNOT
    assert "province figures only" in series["C5.karachi_most_sindh_violence"].reason


def test_years_a_source_does_not_cover_are_named_and_the_verdict_is_provisional(sources) -> None:
    short, long = _by_id(sources["audits"]["shortlog"]), _by_id(sources["audits"]["longlog"])
    log = pd.DataFrame(sources["rows"]["shortlog"])
    log["year"] = log["date"].str[:4].astype(int)
    for cid in ("C5.punjab_least_fatalities", "C5.sindh_second_per_capita", "C5.kp_fata_most_incidents",
                "D3.deprived_regions_most_militancy"):
        r = short[cid]  # the period stays 2008-2017; the log covers 2012-2021
        assert r.period_used.startswith("2008-2017"), cid
        assert r.lacking == "2008-2011", (cid, r.lacking)
        assert r.verdict != CANNOT and r.provisional, cid
        assert "years lacking in the source (2008-2011)" in r.provisional_note
        assert "years covered: 2012-2017" in r.observed
    # the numbers are over the years covered only, never filled in
    least = short["C5.punjab_least_fatalities"].numbers
    punjab = least[(least["scenario"] == "primary") & (least["item"] == "Punjab")
                   & (least["quantity"] == "violence.deaths")]["value"].iloc[0]
    covered = log[(log["province"] == "Punjab") & log["year"].between(2012, 2017)]["killed"].astype(int).sum()
    assert punjab == covered
    # a source covering the whole period is not provisional
    assert not long["C5.punjab_least_fatalities"].provisional and long["C5.punjab_least_fatalities"].lacking == ""
    # alternatives stay inside the covered years; the longest covered period is computed and listed
    sens = cl.sensitivity_frame_from(sources["audits"]["shortlog"])
    periods = sens.loc[(sens["kind"] == "period") & sens["claim_id"].isin(PANEL_CLAIMS), "period"]
    assert len(periods)
    assert all(int(p[:4]) >= 2012 for p in periods)
    # no year of the period covered at all: cannot be tested, nothing filled in
    casualties = short["C5.kp_fata_casualties_2005_2012"]
    assert casualties.lacking == "2005-2011" and "years covered: 2012" in casualties.observed
    # covered claims are tested: C1's 2014-2018, and A1 from the source's first year
    assert short["C1.decline_2014_2018"].verdict != CANNOT and not short["C1.decline_2014_2018"].provisional
    assert short["A1.terrorism_peak_2014"].period_used.startswith("2012-2017")
    # claims that read no violence data do not depend on the source
    for cid in ("C5.punjab_most_populous", "C5.balochistan_area_42pct", "D1.youth_60pct", "D3.mpi_order"):
        assert short[cid].verdict == long[cid].verdict and short[cid].observed == long[cid].observed


def test_no_raw_row_of_a_log_reaches_the_tables(sources) -> None:
    for results in sources["audits"].values():
        text = "\n".join(f.to_csv(index=False) for f in _frames(results))
        text += "\n".join(" ".join(r.caveats) + (r.proxy or "") for r in results)
        leaks = [m for m in SECRET_MARKERS if m in text]
        assert not leaks, f"raw rows of the log in the audit's tables: {leaks}"


def test_source_and_evidence_are_checked(sources) -> None:
    with pytest.raises(ParameterError, match="differs from the evidence"):
        audit_claims(claim_ids=["C5.punjab_most_populous"], evidence=Evidence(), violence_source="longlog")
    with pytest.raises(ParameterError, match="unknown violence source 'nope'"):
        audit_claims(claim_ids=["C5.punjab_most_populous"], violence_source="nope")


def test_cli_claims_on_a_registered_source(sources) -> None:
    from workbench.cli import app

    runner = CliRunner()
    args = ["claims", "--violence-source", "longlog", "--claim", "C5.kp_fata_casualties_2005_2012"]
    out = runner.invoke(app, [*args, "--format", "csv"])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(io.StringIO(out.stdout))
    assert list(table["violence_source"]) == ["longlog"]
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0, shown.output
    assert "Violence source: longlog, Test log long" in shown.output and "violence source: longlog" in shown.output
    bad = runner.invoke(app, ["claims", "--violence-source", "nope"])
    assert bad.exit_code != 0 and "nope" in str(bad.exception)
