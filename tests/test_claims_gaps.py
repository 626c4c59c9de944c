"""The claims audit on sources with holes: a missing cell is missing, never a crash (issue 13, item 1).

An incident log that records nothing in a province in some years (the documented KP CTD example:
a KP log of 2015-2023; the repository's own test log of 2016-2019) leaves deaths per incident
undefined there. The audit must say so and go on.

Every figure here is made up by the test (fictional logs registered in a temporary private folder).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_incidents_example import _incident, write_incident_log

from workbench.policy import claims as cl
from workbench.policy.claims import audit_claims
from workbench.policy.nisp import load_policy
from workbench.policy.verdicts import CANNOT, VERDICTS


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
