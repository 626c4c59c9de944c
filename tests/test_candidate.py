"""UCDP Candidate releases: the real shipped 26.0.2 end to end, alone and after GED 22.1 with its gap, and the
combination of several releases by event id (test-built)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from release_builder import LAHORE, event, foreign, release_entry, use_catalog, write_catalog
from ged_builder import write_ged
from workbench.errors import ParameterError
from workbench.panel.rates import violence_rates
from workbench.panel.violence import select_panel, selection_label, source_from_parameters
from workbench.sources import releases, resolve
from workbench.sources.ucdp import code_status_counts


@pytest.fixture(scope="module")
def candidate(mirror):
    return resolve("ucdp_candidate_26_0_2")


def test_the_real_candidate_file_places_all_82_events_and_keeps_its_check_flags(candidate):
    events, assignment = candidate.placed()
    # PROVENANCE.md of ucdp_candidate: 82 Pakistan events, best = 385, 2026-01-29 ... 2026-02-28
    assert len(events) == 82 and events["best"].sum() == 385 and len(assignment) == 82
    assert (events["date_start"].min(), events["date_end"].max()) == (pd.Timestamp("2026-01-29"),
                                                                      pd.Timestamp("2026-02-28"))
    assert events.attrs["rows_outside_pakistan"] == 1216 and events.attrs["rows_read"] == 1298
    assert events["where_prec"].value_counts().to_dict() == {2: 36, 3: 21, 1: 19, 4: 5, 5: 1}
    flags = code_status_counts(events).set_index("code_status")["events"].to_dict()
    assert flags == {"Clear": 60, "Check geography": 15, "Check dyad": 4, "Check type of violence": 2,
                     "Check deaths": 1}
    assert events["active_year"].value_counts().to_dict() == {True: 64, False: 18}  # written True/False
    # every new adm_1/adm_2 spelling resolves through the unit registry; each event lies in one unit
    assert assignment["unit_id"].notna().all() and (assignment["unit_id"] != "").all()
    assert assignment["province_current"].value_counts().to_dict() == {"PK-KP": 49, "PK-BA": 28, "PK-PB": 2,
                                                                       "PK-GB": 1, "PK-IS": 1, "PK-SD": 1}
    named = assignment[assignment["adm_2"] != ""]
    assert named["adm2_unit_id"].notna().all() and len(named) == 76


def test_its_rows_are_provisional_and_the_year_partial(candidate):
    assert candidate.provisional and candidate.coverage.years == (2026, 2026)
    assert candidate.coverage.partial_years == (2026,) and candidate.coverage.months_in(2026) == 2
    for level in ("national", "province", "district"):
        p = candidate.panel(level, "current")
        assert p["provisional"].all() and (p["months"] == 2).all()
        assert p["events"].sum() == 82 and p["deaths_best"].sum() == 385
    assert "provisional" in candidate.label and "2026: 2 months" in candidate.label


def test_the_pre2018_layout_is_refused_since_candidate_releases_code_no_fata(candidate):
    events, _ = candidate.placed()
    assert not events["adm_1"].eq("Federally Administered Tribal Areas").any()
    assert events["adm_2"].isin(["Bajaur district", "Khyber district", "North Waziristan"]).sum() == 16
    with pytest.raises(ParameterError, match="code the former FATA inside Khyber Pakhtunkhwa"):
        candidate.panel("province", "pre2018")
    with pytest.raises(ParameterError, match="layout='current'"):
        select_panel(layout="pre2018", violence_source="ucdp_ged_pak+candidate")


def test_after_ged_22_1_the_gap_is_refused_unless_allowed_and_then_missing_never_zero(mirror):
    with pytest.raises(ParameterError) as info:
        source_from_parameters("ucdp_ged_pak", "22.1", True, False)
    assert "2022-2025 would have no data" in str(info.value) and "allow_gap=true" in str(info.value)
    src = source_from_parameters("ucdp_ged_pak", "22.1", True, True)
    assert src.id == "ucdp_ged_pak+candidate" and resolve(src.id).coverage == src.coverage
    p = select_panel(level="province", violence_source=src)
    prov = p[p["unit_level"] == "province"]
    assert sorted(prov["year"].unique())[-6:] == [2021, 2022, 2023, 2024, 2025, 2026]
    gap = prov[prov["year"].between(2022, 2025)]
    assert gap[["events", "deaths"]].isna().all().all() and (gap["months"] == 0).all() and not gap["provisional"].any()
    last = prov[prov["year"] == 2026]
    assert last["provisional"].all() and (last["months"] == 2).all() and last["events"].notna().all()
    assert p.loc[p["year"] == 2026, "events"].sum() == 82
    # the years GED 22.1 covers are its committed panels, unchanged
    shipped = select_panel(level="province", violence_source="ucdp_ged_pak")
    old = p[p["year"] <= 2021].reset_index(drop=True)
    assert old["deaths"].astype("int64").equals(shipped["deaths"]) and not old["provisional"].any()
    assert p.attrs["provisional"] and p.attrs["selection"]["missing_years"] == [2022, 2023, 2024, 2025]
    label = selection_label(p)
    assert "2026: 2 of 12 months" in label and "no data 2022-2025" in label and "provisional 2026" in label
    window = select_panel(level="province", violence_source=src, start_year=2000, end_year=2010)
    assert not window.attrs["provisional"] and "provisional" not in selection_label(window)


def test_rates_leave_out_the_partial_and_the_missing_years_and_say_so(mirror):
    src = source_from_parameters("ucdp_ged_pak", "22.1", True, True)
    rates = violence_rates(violence_source=src, start_year=2015)
    assert rates.attrs["years_used"] == [2015, 2021]
    assert set(rates.attrs["years_left_out"]) == {2022, 2023, 2024, 2025, 2026}
    assert "partial year (2 of 12 months, provisional)" in rates.attrs["note"]
    shipped = violence_rates(start_year=2015, end_year=2021)
    assert np.allclose(rates.set_index("unit_id")["deaths_per_100k"],
                       shipped.set_index("unit_id").loc[rates["unit_id"], "deaths_per_100k"], equal_nan=True)


def test_an_analysts_source_ignores_the_release_options(mirror):
    assert source_from_parameters("ucdp_ged_pak", "22.1", False, False).id == "ucdp_ged_pak"
    with pytest.raises(ParameterError, match="violence_source: unknown violence source 'nope'"):
        source_from_parameters("nope", "26.1", True, True)


def test_several_candidate_releases_combine_by_id_newest_row_winning(tmp_path, monkeypatch, mirror):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "ucdp_candidate"
    folder.mkdir(parents=True)
    # made-up monthly releases: March carries a late February row, and revises event 11 (deaths 6 -> 9)
    feb = write_ged(folder / "GEDEvent_vT_0_2.csv", [event(10, 2026, month=2), event(11, 2026, month=2),
                                                       foreign(12, 2026), event(13, 2025, month=12)], with_iso3=False)
    mar = write_ged(folder / "GEDEvent_vT_0_3.csv", [event(11, 2026, month=2, best=9), event(14, 2026, LAHORE,
                                                                                              month=3)],
                    with_iso3=False)
    entries = [release_entry("cand_t_2", "ucdp_candidate/GEDEvent_vT_0_2.csv", feb, family="candidate",
                             version="T.0.2", period=("2026-02-01", "2026-02-28")),
               release_entry("cand_t_3", "ucdp_candidate/GEDEvent_vT_0_3.csv", mar, family="candidate",
                             version="T.0.3", period=("2026-03-01", "2026-03-31"))]
    use_catalog(monkeypatch, write_catalog(tmp_path, entries, keep=("ucdp_ged_pak",)))
    src = resolve("ucdp_candidate")
    events = src.events()
    assert sorted(events["id"]) == [10, 11, 14]  # 12 is India; 13 is dated outside the months covered
    assert events.set_index("id").at[11, "best"] == 9 and events.set_index("id").at[11, "release"] == "T.0.3"
    assert events.attrs["left_out"]["superseded by a newer release (same event id)"] == 1
    p = src.panel("province", "current")
    assert (p["months"] == 2).all() and p["provisional"].all()  # February and March 2026
    combined = resolve("ucdp_ged_pak", with_candidate=True, allow_gap=True)
    assert combined.candidate.version == "T.0.2, T.0.3"
    assert releases.present_candidates()[-1].version == "T.0.3"


def test_an_unknown_place_name_names_the_release_the_row_and_the_value(tmp_path, monkeypatch, mirror):
    from workbench.errors import UnknownUnitError

    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "ucdp_candidate"
    folder.mkdir(parents=True)
    atlantis = ("Khyber Pakhtunkwa province", "Atlantis district", "34.000000", "71.500000")
    path = write_ged(folder / "GEDEvent_vT_0_2.csv", [foreign(1, 2026), event(2, 2026, month=2),
                                                       event(3, 2026, atlantis, month=2)], with_iso3=False)
    entry = release_entry("cand_t_2", "ucdp_candidate/GEDEvent_vT_0_2.csv", path, family="candidate",
                          version="T.0.2", period=("2026-02-01", "2026-02-28"))
    use_catalog(monkeypatch, write_catalog(tmp_path, [entry], keep=("ucdp_ged_pak",)))
    with pytest.raises(UnknownUnitError) as info:
        resolve("cand_t_2").panel("province", "current")
    msg = str(info.value)
    assert "(UCDP Candidate T.0.2)" in msg and "row 3" in msg and "'Atlantis district'" in msg


def test_a_release_that_is_not_present_fails_before_anything_is_computed(tmp_path, monkeypatch):
    from workbench.errors import DataSetMissingError

    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WORKBENCH_OFFLINE", "1")
    with pytest.raises(DataSetMissingError) as info:
        resolve("ucdp_ged_pak", ged_release="25.1")
    msg = str(info.value)
    assert msg.startswith("UCDP GED 25.1 is not present") and "https://ucdp.uu.se/downloads/ged/ged251-csv.zip" in msg
    assert str(tmp_path / "cache" / "ucdp_ged" / "ged251-csv.zip") in msg and "WORKBENCH_OFFLINE=1" in msg
