"""The content of a brief (workbench.briefs, notebooks/60_unit_brief.ipynb) on the real data.

The units are measured against the registry; the brief's numbers against the committed panels read
another way (the CSV files of data/processed); the summary against the rules of the report summaries
(3 to 6 findings, no causal wording, caveats with the sentence). Two executions of the notebook (a
province and a district) check the page; the pre-flight refuses an unknown unit before any kernel.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from conftest import ROOT, run_cli
from workbench.briefs import (LEVELS, brief_unit, brief_units, caveats, check_unit_id, context, events,
                              findings, hotspots, profile, social)
from workbench.errors import ParameterError
from workbench.geo.units import load_registry
from workbench.indicators.actors import INVOLVING
from workbench.panel.violence import source_from_parameters
from workbench.report.summary import CAUSAL_WORDING, Finding

NOTEBOOK = ROOT / "notebooks" / "60_unit_brief.ipynb"
PROCESSED = ROOT / "data" / "processed"


# --------------------------------------------------------------------------- units


def test_province_units_are_the_registry_s_provinces_of_the_current_layout():
    reg = load_registry()
    units = brief_units("province")
    expected = reg.provinces("current")
    assert list(units.columns) == ["unit_id", "unit_name", "level", "province_id"]
    assert units["unit_id"].tolist() == expected["unit_id"].tolist()  # the registry's order
    assert len(units) == len(expected) and units["unit_id"].is_unique
    assert (units["province_id"] == units["unit_id"]).all() and (units["level"] == "province").all()
    assert units["unit_name"].tolist() == [reg.name(u) for u in units["unit_id"]]
    assert "PK-TA" not in set(units["unit_id"])  # FATA is in Khyber Pakhtunkhwa in the current layout


def test_district_units_are_the_2023_census_districts_in_a_stable_order():
    reg = load_registry()
    units = brief_units("district")
    expected = reg.districts("census2023")
    assert len(units) == len(expected) and set(units["unit_id"]) == set(expected["unit_id"])
    assert units["unit_id"].is_unique and (units["level"] == "district").all()
    assert units["province_id"].tolist() == [reg.province_of(u, "current") for u in units["unit_id"]]
    assert set(units["province_id"]) <= set(brief_units("province")["unit_id"])
    order = {p: i for i, p in enumerate(brief_units("province")["unit_id"])}
    keys = list(zip(units["province_id"].map(order), units["unit_name"], strict=True))
    assert keys == sorted(keys)
    assert brief_units("district").equals(units)  # the same order every time


def test_an_unknown_level_names_the_valid_ones():
    with pytest.raises(ParameterError, match="province, district"):
        brief_units("tehsil")
    assert LEVELS == ("province", "district")


@pytest.mark.parametrize(("value", "says"), [
    ("census2023/quetah", "did you mean census2023/quetta"),
    ("PK", "the country"),
    ("PK-TA", "PK-KP"),
    ("pk-ba", "PK-BA"),
    ("stable/karachi", "stable vintage"),
])
def test_an_unknown_unit_id_is_refused_with_how_to_list_the_valid_ones(value, says):
    with pytest.raises(ParameterError) as info:
        check_unit_id(value)
    text = str(info.value)
    assert "unit_id" in text and repr(value) in text and says in text
    assert "workbench briefs --level district --list" in text and "\n" not in text


# --------------------------------------------------------------------------- the numbers, on the real data


@pytest.fixture(scope="module")
def ged():
    return source_from_parameters("ucdp_ged_pak", "22.1", False, False)


@pytest.fixture(scope="module")
def candidate():
    return source_from_parameters("ucdp_ged_pak", "latest", True, True)


@pytest.fixture(scope="module")
def hot(ged):
    first, last = ged.coverage.years
    return hotspots.hotspot_statistics(ged, start_year=first, end_year=last, period_length=8)


def test_a_district_s_violence_matches_the_committed_panel(ged):
    unit = brief_unit("census2023/quetta")
    first, last = ged.coverage.years
    yearly = profile.violence_by_year(unit, ged, start_year=first, end_year=last)
    panel = pd.read_csv(PROCESSED / "violence_district_year_census2023.csv")
    mine = panel[panel["layout"].eq("current") & panel["unit_id"].eq(unit.unit_id)].set_index("year")
    assert yearly.set_index("year")["deaths"].equals(mine["deaths_best"].reindex(yearly["year"]))
    totals = profile.violence_totals(unit, yearly)
    assert totals["scope"].tolist() == ["district", "province", "country"]
    assert totals.loc[0, "events"] == mine["events"].sum()
    provinces = pd.read_csv(PROCESSED / "violence_province_year.csv")
    current = provinces[provinces["layout"].eq("current")]
    assert totals.loc[1, "deaths"] == current.loc[current["unit_id"].eq("PK-BA"), "deaths_best"].sum()
    assert totals.loc[2, "deaths"] == current["deaths_best"].sum()  # every event, PK-only ones included
    # the rate: summed deaths over summed person-years of the years with a population (1998 on)
    pop = pd.read_csv(PROCESSED / "population_district_year_census2023.csv")
    pop = pop[pop["layout"].eq("current") & pop["unit_id"].eq(unit.unit_id)].set_index("year")["population"]
    years = profile.rate_years(yearly)
    assert years[0] == 1998 and years[-1] == last
    expected = mine.loc[years, "deaths_best"].sum() / pop.loc[years].sum() * 1e5
    assert totals.loc[0, "deaths_per_100k"] == pytest.approx(expected)


def test_ranks_and_social_profile_are_among_the_unit_s_peers(ged):
    unit = brief_unit("census2023/quetta")
    first, last = ged.coverage.years
    ranks = profile.violence_ranks(unit, ged, start_year=first, end_year=last)
    panel = pd.read_csv(PROCESSED / "violence_district_year_census2023.csv")
    d = panel[panel["layout"].eq("current") & panel["unit_level"].eq("district") & panel["province"].eq("PK-BA")]
    deaths = d.groupby("unit_id")["deaths_best"].sum()
    row = ranks[ranks["among"].eq("districts of Balochistan")].iloc[0]
    assert row["n_ranked"] == len(deaths) == len(brief_units("district").query("province_id == 'PK-BA'"))
    assert row["rank"] == int((deaths > deaths[unit.unit_id]).sum()) + 1
    table = social.social_profile(unit)
    youth = pd.read_csv(PROCESSED / "youth_2023.csv")
    bulge = youth[youth["measure"].eq("youth_bulge") & youth["sex"].eq("all_sexes") & youth["residence"].eq("overall")]
    got = table[table["indicator"].str.startswith("youth bulge")].iloc[0]
    assert got["unit_value"] == pytest.approx(100 * bulge.set_index("unit_id").loc[unit.unit_id, "share"])
    assert got["province_value"] == pytest.approx(100 * bulge.set_index("unit_id").loc["PK-BA", "share"])
    assert got["country_value"] == pytest.approx(100 * bulge.set_index("unit_id").loc["PK", "share"])


def test_a_territory_without_census_has_no_rate_and_says_so(ged):
    unit = brief_unit("PK-GB")
    first, last = ged.coverage.years
    yearly = profile.violence_by_year(unit, ged, start_year=first, end_year=last)
    assert yearly["deaths_per_100k"].isna().all() and yearly["deaths"].sum() > 0
    table = caveats.data_caveats(unit, yearly=yearly, social=social.social_profile(unit))
    assert table["topic"].eq("Census coverage").any()
    assert table.loc[table["topic"].eq("Census coverage"), "detail"].str.contains("not enumerated").all()


def test_policy_links_follow_the_registry(ged):
    karachi = context.passages(brief_unit("census2023/karachi_east"))
    assert set(karachi.loc[karachi["how"].eq(context.DIRECT), "place"]) == {"Karachi"}
    khyber = context.linked_geographies(brief_unit("census2023/khyber"))  # a former FATA agency
    assert set(khyber.loc[khyber["how"].eq(context.FATA), "geography"]) >= {"fata"}
    assert not context.linked_geographies(brief_unit("census2023/attock"))["how"].eq(context.DIRECT).any()
    kp = context.linked_geographies(brief_unit("PK-KP"))
    assert {"fata", "khyber_pakhtunkhwa"} <= set(kp.loc[kp["how"].eq(context.DIRECT), "geography"])
    need = context.need_and_attention(brief_unit("census2023/quetta"))
    assert need["n_ranked"].max() <= len(brief_units("district")) and need["driver"].isin(["D1", "D3", "V"]).all()


def _brief(unit_id: str, source, hot=None) -> list[tuple[str, tuple[str, ...]]]:
    """Every table of a brief, then its findings (as the notebook computes them)."""
    unit = brief_unit(unit_id)
    first, last = source.coverage.years
    yearly = profile.violence_by_year(unit, source, start_year=first, end_year=last)
    totals = profile.violence_totals(unit, yearly)
    ranks = profile.violence_ranks(unit, source, start_year=first, end_year=last,
                                   rated_years=profile.rate_years(yearly))
    own, province = events.unit_events(unit, source, start_year=first, end_year=last)
    involvement = events.involved(own)
    scopes = {unit.unit_name: own, "Pakistan": events.country_events(source, start_year=first, end_year=last)}
    months, left = events.recent_months(scopes, end=events.last_month(yearly), months=36, window=3,
                                        covered=events.covered_months(yearly))
    hot = hot or hotspots.hotspot_statistics(source, start_year=first, end_year=last, period_length=8,
                                             permutations=99)
    return findings.brief_findings(
        unit, totals=totals, ranks=ranks, yearly=yearly, social=social.social_profile(unit),
        passages=context.passages(unit), interventions=context.interventions(unit),
        need=context.need_and_attention(unit), place=hotspots.unit_place(unit, hot), months=months, left_out=left,
        leaders=events.leading_actors(involvement, n=8), perpetrators=events.perpetrators(involvement, n=8),
        located=events.located_no_finer(province, unit))


@pytest.mark.parametrize("unit_id", ["PK-KP", "census2023/quetta", "census2023/karachi_east", "PK-GB"])
def test_findings_follow_the_summary_rules(unit_id, ged, hot):
    found = _brief(unit_id, ged, hot)
    assert findings.FEWEST <= len(found) <= findings.MOST
    for text, notes in found:
        Finding(text, notes)  # refuses causal wording
        assert not CAUSAL_WORDING.search(" ".join(notes))
        assert caveats.PROVISIONAL not in notes  # GED 22.1 is final
    name = brief_unit(unit_id).unit_name
    assert found[0][0].startswith(name)
    involving = [notes for text, notes in found if text.startswith("Actors involved")]
    assert all(INVOLVING in notes for notes in involving)
    clusters = [notes for text, notes in found if "cluster" in text or "hotspot statistic" in text]
    assert clusters and all(findings.CLUSTER in notes for notes in clusters)


def test_a_karachi_district_says_its_events_are_located_to_the_city(ged, hot):
    found = _brief("census2023/karachi_east", ged, hot)
    text, notes = found[0]
    assert "no event" in text
    assert any("Karachi as a whole" in n for n in notes)


def test_few_events_travel_with_the_sentence_as_a_caveat(ged, hot):
    provinces = pd.read_csv(PROCESSED / "violence_province_year.csv")
    events = provinces[provinces["layout"].eq("current")].groupby("unit_id")["events"].sum()
    few = events[events.between(1, caveats.FEW_EVENTS - 1)].index.intersection(brief_units("province")["unit_id"])
    many = events[events >= caveats.FEW_EVENTS].index.intersection(brief_units("province")["unit_id"])
    assert len(few) and len(many)
    text, notes = _brief(few[0], ged, hot)[0]
    assert f"only {events[few[0]]} events" in " ".join(notes)
    text, notes = _brief(many[0], ged, hot)[0]
    assert not any("a single event moves" in n for n in notes)


def test_candidate_data_are_marked_provisional(candidate):
    found = _brief("census2023/quetta", candidate)
    violence = [notes for text, notes in found if not text.startswith(("NISP", "By the 2023 census"))]
    assert violence and all(caveats.PROVISIONAL in notes for notes in violence)
    recent = [text for text, _ in found if text.startswith("In the last")]
    assert recent and "no comparison" in recent[0]  # the months between the releases are missing, not zero
    gap = caveats.missing_years_caveat(pd.DataFrame({"year": [2021, 2022, 2023, 2026], "months": [12, 0, 0, 2]}))
    assert gap.startswith("no release covers 2022-2023")
    assert all(any(n.startswith("no release covers 2022-2025") for n in notes) for notes in violence)


# --------------------------------------------------------------------------- the notebook, executed


@pytest.fixture(scope="module")
def pages(tmp_path_factory, mirror):
    from workbench.report import runner

    reports = tmp_path_factory.mktemp("reports")
    out = {}
    for unit_id in ("PK-BA", "census2023/quetta"):
        outcome = runner.run_suite(NOTEBOOK, [f"unit_id={unit_id}"], project_root=ROOT, reports=reports, jobs=1,
                                   console=Console(file=io.StringIO(), width=120))
        out[unit_id] = outcome
    return out


SECTIONS = ("Violence over the years", "Who is involved", "The recent months", "Place in the hotspot map",
            "Deprivation and youth", "What NISP 2018 says that concerns it", "Data caveats for this unit")


@pytest.mark.slow
@pytest.mark.parametrize("unit_id", ["PK-BA", "census2023/quetta"])
def test_the_brief_runs_for_a_province_and_a_district(pages, unit_id):
    outcome = pages[unit_id]
    assert outcome.status == "complete", outcome.failures
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    (nb,) = manifest["notebooks"]
    assert nb["status"] == "ok" and nb["parameters"]["unit_id"] == unit_id
    folder = Path(outcome.folder) / "60_unit_brief"
    page = (folder / "60_unit_brief.html").read_text(encoding="utf-8")
    assert "Traceback" not in page
    summary = page.index('<div class="wb-summary">')
    assert page.index("<h1") < summary < page.index('<div class="wb-table">')
    block = page[summary:page.index("</div>", summary)]
    assert 3 <= block.count("<li>") <= 6
    assert brief_unit(unit_id).unit_name in block
    for section in SECTIONS:
        assert re.search(rf"<h2[^>]*>{re.escape(section)}", page), section
    tables = {p.stem for p in (folder / "tables").glob("*.csv")}
    assert {"totals", "violence_by_year", "leading_actors", "recent_months", "deprivation_and_youth",
            "need_and_attention", "policy_passages", "caveats", "location_precision"} <= tables
    assert ("hotspot_classes" if unit_id == "PK-BA" else "hotspot_place") in tables
    for out in [*nb["tables"], *nb["figures"]]:
        assert out["sources"], out["name"]


def test_an_unknown_unit_is_refused_before_any_kernel_starts(tmp_path, monkeypatch):
    from workbench.report import runner

    monkeypatch.setattr(runner, "fingerprint", lambda **inputs: {"parameters": repr(inputs["parameters"])})
    with pytest.raises(ParameterError) as info:
        runner.plan_run(NOTEBOOK, ["unit_id=census2023/atlantis"], project_root=ROOT, data_checksums={"x": "0" * 64})
    text = str(info.value)
    assert text.startswith("notebook 60_unit_brief: parameter 'unit_id': 'census2023/atlantis'")
    assert "workbench briefs --level district --list" in text
    planned = runner.plan_run(NOTEBOOK, ["unit_id=census2023/quetta"], project_root=ROOT, data_checksums={"x": "0" * 64})
    assert planned.notebooks[0].parameters["unit_id"] == "census2023/quetta"
    res = run_cli("run", "60_unit_brief", "-p", "unit_id=nowhere", "--reports", str(tmp_path / "r"))
    assert res.returncode == 1 and "unit_id" in res.stderr and "nowhere" in res.stderr
    assert "workbench briefs --level" in res.stderr
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("20*"))
