"""The claims audit: verdict rules (pure, property-tested), procedures on test-built panels, and
the audit of every encoded claim on the mirrored data, checked against a second computation."""

from __future__ import annotations

import doctest
import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import run_cli
from workbench.errors import ParameterError
from workbench.sources.ucdp_panels import KEY_COLUMNS, MEASURES
from workbench.policy import claims as cl
from workbench.policy.claims import (
    PROCEDURES,
    AuditParameters,
    Evidence,
    audit_claims,
    claims_frame_from,
    numbers_frame_from,
    sensitivity_frame_from,
)
from workbench.policy.nisp import load_policy
from workbench.policy.specs import FIRST_POPULATION_YEAR
from workbench.policy.verdicts import (
    CANNOT,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    VERDICTS,
    combine_parts,
    combine_readings,
    rule_approx,
    rule_decline,
    rule_decline_from,
    rule_lower_bound_approx,
    rule_peak_year,
    rule_rank,
    rule_rank_order,
    rule_share_above,
    rule_share_in_range,
    rule_top_units,
)

finite = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


# --------------------------------------------------------------------------- rules


def test_rule_docstring_examples_hold() -> None:
    from workbench.policy import verdicts

    failures, tried = doctest.testmod(verdicts, optionflags=doctest.ELLIPSIS)
    assert tried >= 20
    assert failures == 0


@settings(deadline=None, max_examples=80)
@given(expected=finite, factor=st.floats(min_value=0.5, max_value=1.5), tol=st.floats(min_value=0.0, max_value=0.3))
def test_rule_approx_follows_the_relative_tolerance(expected: float, factor: float, tol: float) -> None:
    observed = expected * factor
    assume(abs(abs(factor - 1) - tol) > 1e-9)  # not on the boundary
    got = rule_approx(observed, expected, tol).verdict
    assert got == (SUPPORTED if abs(factor - 1) < tol else NOT_SUPPORTED)
    # scale free: the same ratio at another scale gives the same verdict
    assert rule_approx(observed * 7, expected * 7, tol).verdict == got


@settings(deadline=None, max_examples=60)
@given(expected=finite, factor=st.floats(min_value=0.0, max_value=3.0))
def test_rule_lower_bound_regions(expected: float, factor: float) -> None:
    tol = 0.05
    assume(abs(abs(factor - 1) - tol) > 1e-9)
    verdict = rule_lower_bound_approx(expected * factor, expected, tol).verdict
    if factor > 1 + tol:
        assert verdict == NOT_SUPPORTED  # the part alone exceeds the whole
    elif factor >= 1 - tol:
        assert verdict == MIXED
    else:
        assert verdict == CANNOT  # consistent but unconfirmable


@settings(deadline=None, max_examples=60)
@given(values=st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=2, max_size=8, unique=True),
       data=st.data())
def test_rule_rank_is_order_free_and_finds_the_extremes(values: list[float], data: st.DataObject) -> None:
    units = [f"U{i}" for i in range(len(values))]
    s = pd.Series(values, index=units)
    top, bottom = s.idxmax(), s.idxmin()
    assert rule_rank(s, top, 1).verdict == SUPPORTED
    assert rule_rank(s, bottom, 1, highest_first=False).verdict == SUPPORTED
    assert rule_rank(s, bottom, 1).verdict == NOT_SUPPORTED
    shuffled = s.sample(frac=1, random_state=data.draw(st.integers(0, 1000)))
    target = data.draw(st.sampled_from(units))
    rank = int(s.rank(ascending=False)[target])
    assert rule_rank(shuffled, target, rank).verdict == SUPPORTED


def test_rule_rank_names_the_units_above() -> None:
    values = {"KP+FATA": 9.0, "Balochistan": 2.0, "Sindh": 0.3, "Punjab": 0.1}
    three = rule_rank(values, "Sindh", 3)
    assert three.verdict == SUPPORTED and "ranked before it: KP+FATA, Balochistan" in three.reason
    assert rule_rank(values, "Sindh", 2).verdict == NOT_SUPPORTED
    with pytest.raises(ParameterError, match="not among the compared units"):
        rule_rank(values, "FATA", 1)


@settings(deadline=None, max_examples=60)
@given(values=st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=3, max_size=7, unique=True))
def test_rule_rank_order(values: list[float]) -> None:
    s = pd.Series(values, index=[f"U{i}" for i in range(len(values))])
    order = list(s.sort_values(ascending=False).index)
    assert rule_rank_order(s, order, 0.5).verdict == SUPPORTED
    assert rule_rank_order(s, order[::-1], 0.5).verdict == NOT_SUPPORTED
    swapped = [order[1], order[0], *order[2:]]  # one pair out of order
    assert rule_rank_order(s, swapped, 0.5).verdict == MIXED


@settings(deadline=None, max_examples=60)
@given(values=st.lists(st.integers(0, 1000), min_size=3, max_size=8, unique=True), data=st.data())
def test_rule_top_units(values: list[int], data: st.DataObject) -> None:
    s = pd.Series(values, index=[f"U{i}" for i in range(len(values))], dtype=float)
    k = data.draw(st.integers(1, len(values) - 1))
    top = list(s.sort_values(ascending=False).index[:k])
    rest = list(s.sort_values(ascending=False).index[k:])
    assert rule_top_units(s, top, k).verdict == SUPPORTED
    assert rule_top_units(s, rest[:k], k).verdict == NOT_SUPPORTED  # none of the named among the top
    if k > 1:
        assert rule_top_units(s, [top[0], *rest[:k - 1]], k).verdict == MIXED


@settings(deadline=None, max_examples=60)
@given(base=st.lists(st.integers(0, 500), min_size=6, max_size=12), data=st.data())
def test_a_peak_is_a_maximum(base: list[int], data: st.DataObject) -> None:
    years = list(range(2008, 2008 + len(base)))
    peak = data.draw(st.sampled_from(years[1:-1]))
    series = pd.Series(base, index=years, dtype=float)
    series[peak] = max(base) + 10  # the stated year is the highest
    assert rule_peak_year(series, peak).verdict == SUPPORTED
    other = data.draw(st.sampled_from([y for y in years if abs(y - peak) > 1]))
    series[other] = series[peak] + 100  # now the maximum is elsewhere; the stated year is a local maximum
    local = rule_peak_year(series, peak)
    assert local.verdict == NOT_SUPPORTED
    assert "a local maximum, not the maximum" in local.reason and f"is {other} ({series[other]:,.0f})" in local.reason
    series[peak + 1] = series[peak] + 1  # no longer above its neighbour
    assert "not a maximum" in rule_peak_year(series, peak).reason
    assert rule_peak_year(series.drop(peak), peak).verdict == CANNOT


@settings(deadline=None, max_examples=60)
@given(values=st.lists(st.integers(1, 500), min_size=2, max_size=10), data=st.data())
def test_rule_decline_from(values: list[int], data: st.DataObject) -> None:
    series = pd.Series(values, index=range(2014, 2014 + len(values)), dtype=float)
    year = data.draw(st.sampled_from(list(series.index[:-1])))
    want = SUPPORTED if series.iloc[-1] < series[year] else NOT_SUPPORTED
    assert rule_decline_from(series, year).verdict == want
    assert rule_decline_from(series, int(series.index[-1])).verdict == CANNOT  # no year after it


@settings(deadline=None, max_examples=80)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.sampled_from(VERDICTS), min_size=1, max_size=5))
def test_combine_parts_is_a_conjunction(verdicts: dict[str, str]) -> None:
    got = combine_parts(verdicts).verdict
    values = set(verdicts.values())
    testable = values - {CANNOT}
    if values == {SUPPORTED}:
        assert got == SUPPORTED
    elif not testable or testable == {SUPPORTED}:
        assert got == CANNOT  # nothing tested, or what was tested holds but the rest is unknown
    elif testable == {NOT_SUPPORTED}:
        assert got == NOT_SUPPORTED  # one false part is enough
    else:
        assert got == MIXED
    # the verdict does not depend on the order of the parts
    assert combine_parts(dict(reversed(list(verdicts.items())))).verdict == got


def test_rule_decline_share_and_range() -> None:
    assert rule_decline(100, 70, considerable=0.25).verdict == SUPPORTED
    assert rule_decline(100, 80, considerable=0.25).verdict == MIXED
    assert rule_decline(100, 80, considerable=None).verdict == SUPPORTED
    assert rule_decline(100, 100, considerable=None).verdict == NOT_SUPPORTED
    assert rule_decline(0, 5, considerable=None).verdict == CANNOT
    assert rule_share_above(51, 100, 0.5).verdict == SUPPORTED
    assert rule_share_above(50, 100, 0.5).verdict == NOT_SUPPORTED  # "most of" is more than half
    assert rule_share_above(1, 0, 0.5).verdict == CANNOT
    assert rule_share_in_range({1: 30, 2: 10, 3: 2000}, 25, 999, 0.5).verdict == NOT_SUPPORTED
    assert rule_share_in_range({1: 30, 2: 40, 3: 2000}, 25, 999, 0.5).verdict == SUPPORTED


@settings(deadline=None, max_examples=40)
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.sampled_from(VERDICTS), min_size=1, max_size=5))
def test_combine_readings(verdicts: dict[str, str]) -> None:
    got = combine_readings(verdicts).verdict
    testable = {v for v in verdicts.values() if v != CANNOT}
    if not testable:
        assert got == CANNOT
    elif len(testable) == 1:
        assert got == testable.pop()
    else:
        assert got == MIXED


def test_parameters_are_checked() -> None:
    with pytest.raises(ParameterError, match="default_period"):
        AuditParameters(default_period=(1980, 2017))
    with pytest.raises(ParameterError, match="approx_tolerance"):
        AuditParameters(approx_tolerance=1.5)
    with pytest.raises(ParameterError, match="period_shift"):
        AuditParameters(period_shift=0)
    with pytest.raises(ParameterError, match="unknown claim"):
        audit_claims(claim_ids=["C5.nope"], evidence=Evidence())


# --------------------------------------------------------------------------- procedures on test-built panels

UNITS = ["PK-PB", "PK-SD", "PK-KP", "PK-TA", "PK-BA", "PK-IS", "PK-GB", "PK-JK", "PK"]


def build_province_panel(events: dict[str, float], deaths: dict[str, float], *, years: range = range(1989, 2022),
                         one_sided_share: float = 0.5) -> pd.DataFrame:
    """A violence_province_year table (committed format): every year the same counts per unit."""
    rows = []
    for layout in ("pre2018", "current"):
        for unit in UNITS:
            if layout == "current" and unit == "PK-TA":
                continue
            for year in years:
                e, d = events.get(unit, 0), deaths.get(unit, 0)
                if layout == "current" and unit == "PK-KP":
                    e, d = e + events.get("PK-TA", 0), d + deaths.get("PK-TA", 0)
                row = {"layout": layout, "unit_id": unit, "unit_name": unit, "year": year,
                       "unit_level": "country" if unit == "PK" else "province", "province": unit}
                row.update({m: 0 for m in MEASURES})
                one_sided = round(e * one_sided_share)
                row.update(events=e, deaths_best=d, deaths_low=d, deaths_high=2 * d,
                           events_one_sided=one_sided, events_state_based=e - one_sided,
                           deaths_best_one_sided=round(d * one_sided_share),
                           deaths_best_state_based=d - round(d * one_sided_share), deaths_unknown=d)
                rows.append(row)
    df = pd.DataFrame(rows)[[*KEY_COLUMNS, *MEASURES]]
    return df


def population_frame(pop: dict[str, float]) -> pd.DataFrame:
    rows = [{"layout": lay, "unit_id": u, "year": y, "population": pop.get(u, np.nan)}
            for lay in ("pre2018", "current") for u in UNITS for y in range(1998, 2024)]
    df = pd.DataFrame(rows)
    df.attrs["sources"] = ["census2017_province"]
    return df


@pytest.fixture
def fake_panel(monkeypatch: pytest.MonkeyPatch):
    """Install a test-built province panel behind the real select_panel (the UCDP GED source reads it)."""
    import workbench.sources.ucdp_ged as ucdp_ged

    def install(panel: pd.DataFrame) -> None:
        def read(name: str, folder: object = None) -> pd.DataFrame:
            out = panel.copy()
            out.attrs["sources"] = ["ucdp_ged_pak"]
            return out

        monkeypatch.setattr(ucdp_ged, "read_processed", read)

    return install


def test_lethality_claim_follows_the_panel(fake_panel) -> None:
    events = {"PK-PB": 10, "PK-SD": 10, "PK-KP": 10, "PK-TA": 10, "PK-BA": 10}
    fake_panel(build_province_panel(events, {"PK-PB": 90, "PK-SD": 20, "PK-KP": 30, "PK-TA": 30, "PK-BA": 10}))
    [r] = audit_claims(claim_ids=["C5.punjab_highest_deaths_per_attack"], evidence=Evidence())
    assert r.verdict == SUPPORTED
    nums = r.numbers[(r.numbers["scenario"] == "primary") & (r.numbers["quantity"] == "violence.lethality")]
    assert nums.set_index("item")["value"].to_dict() == {"Punjab": 9.0, "Sindh": 2.0, "KP+FATA": 3.0,
                                                         "Balochistan": 1.0}
    fake_panel(build_province_panel(events, {"PK-PB": 20, "PK-SD": 90, "PK-KP": 30, "PK-TA": 30, "PK-BA": 10}))
    [r] = audit_claims(claim_ids=["C5.punjab_highest_deaths_per_attack"], evidence=Evidence())
    assert r.verdict == NOT_SUPPORTED
    assert r.proxy and "not terrorist attacks" in r.proxy


def test_per_capita_claim_uses_person_years(fake_panel) -> None:
    deaths = {"PK-PB": 10, "PK-SD": 30, "PK-KP": 100, "PK-TA": 100, "PK-BA": 5}
    fake_panel(build_province_panel({u: 1 for u in deaths}, deaths))
    pop = population_frame({"PK-PB": 1e6, "PK-SD": 1e6, "PK-KP": 1e6, "PK-TA": 1e6, "PK-BA": 1e6})
    ev = Evidence(population=lambda: pop)
    [r] = audit_claims(claim_ids=["C5.sindh_second_per_capita"], evidence=ev)
    assert r.verdict == SUPPORTED  # KP+FATA 10 per 100k a year, Sindh 3, Punjab 1, Balochistan 0.5
    primary = r.numbers[(r.numbers["scenario"] == "primary")].pivot(index="item", columns="quantity", values="value")
    # ten years of 2008-2017, two units of a million for KP+FATA
    assert primary.loc["KP+FATA", "person_years"] == 2e7
    assert primary.loc["Sindh", "violence.deaths_per_100k"] == pytest.approx(30 * 10 / 1e7 * 1e5)
    # the "longest period" scenario starts at the first population year, never before
    periods = r.scenarios.loc[r.scenarios["kind"] == "period", "period"]
    assert all(int(p[:4]) >= FIRST_POPULATION_YEAR for p in periods)


def test_missing_population_is_cannot_be_tested(fake_panel) -> None:
    deaths = {"PK-PB": 10, "PK-SD": 30, "PK-KP": 100, "PK-TA": 100, "PK-BA": 5}
    fake_panel(build_province_panel({u: 1 for u in deaths}, deaths))
    pop = population_frame({"PK-PB": 1e6, "PK-SD": 1e6, "PK-KP": 1e6, "PK-BA": 1e6})  # no FATA
    [r] = audit_claims(claim_ids=["C5.sindh_second_per_capita"], evidence=Evidence(population=lambda: pop))
    assert r.verdict == CANNOT
    assert "no population for KP+FATA" in r.reason


def test_the_stated_measure_decides_and_per_capita_informs(fake_panel) -> None:
    # Punjab has the fewest deaths (the stated measure) but, with a tiny population, the most per head
    deaths = {"PK-PB": 10, "PK-SD": 30, "PK-KP": 100, "PK-TA": 100, "PK-BA": 50}
    fake_panel(build_province_panel({u: 1 for u in deaths}, deaths))
    pop = population_frame({"PK-PB": 1e4, "PK-SD": 1e6, "PK-KP": 1e6, "PK-TA": 1e6, "PK-BA": 1e6})
    [r] = audit_claims(claim_ids=["C5.punjab_least_fatalities"], evidence=Evidence(population=lambda: pop))
    assert r.verdict == SUPPORTED  # absolute deaths decide
    informing = r.scenarios[r.scenarios["kind"] == "measure"].set_index("scenario")
    assert informing.loc["per capita", "verdict"] == NOT_SUPPORTED  # always computed ...
    assert "per capita" not in r.changed_by  # ... never counted against robustness
    assert r.measure_note.startswith("per capita: not supported") and "which decides" in r.measure_note
    rates = r.numbers[(r.numbers["scenario"] == "per capita") & (r.numbers["quantity"] == "violence.deaths_per_100k")]
    assert rates.set_index("item")["value"]["Punjab"] == pytest.approx(10 * 10 / (1e4 * 10) * 1e5)
    # where the two agree there is no note
    pop = population_frame({u: 1e6 for u in deaths})
    [r] = audit_claims(claim_ids=["C5.punjab_least_fatalities"], evidence=Evidence(population=lambda: pop))
    assert r.verdict == SUPPORTED and r.measure_note == ""


def test_every_comparison_across_regions_shows_the_other_measure() -> None:
    ev = Evidence()
    policy = {c.id: c for c in load_policy().claims}
    for cid in ("C5.punjab_least_fatalities", "C5.sindh_second_per_capita", "D3.deprived_regions_most_militancy"):
        specs = PROCEDURES[cid].plan(policy[cid], AuditParameters(), ev)
        stated = specs[0].opt("measure", policy[cid].indicators[-1])
        informing = [s.opt("measure") for s in specs if s.kind == "measure"]
        assert informing, cid
        assert all(m.endswith("_per_100k") != stated.endswith("_per_100k") for m in informing), cid


def test_casualties_against_a_lower_bound(fake_panel) -> None:
    # 8 years (2005-2012) x (100 + 400) deaths = 4,000: below 11,862, so unconfirmable
    fake_panel(build_province_panel({"PK-KP": 5, "PK-TA": 5}, {"PK-KP": 100, "PK-TA": 400}))
    [r] = audit_claims(claim_ids=["C5.kp_fata_casualties_2005_2012"], evidence=Evidence())
    assert r.verdict == CANNOT
    assert "injuries not in UCDP" in r.proxy
    # 8 x 1,483 = 11,864: matches, but only if 'casualties' meant deaths
    fake_panel(build_province_panel({"PK-KP": 5, "PK-TA": 5}, {"PK-KP": 483, "PK-TA": 1000}))
    [r] = audit_claims(claim_ids=["C5.kp_fata_casualties_2005_2012"], evidence=Evidence())
    assert r.verdict == MIXED
    # the stated period is shifted, never replaced by a longer one
    assert set(r.scenarios.loc[r.scenarios["kind"] == "period", "period"]) == {"2004-2011", "2006-2013"}


def test_peak_claim_on_a_built_series(fake_panel, monkeypatch: pytest.MonkeyPatch) -> None:
    panel = build_province_panel({"PK-KP": 1}, {"PK-KP": 1})
    panel.loc[panel["year"] == 2014, "events"] = 50
    panel.loc[panel["year"] == 2010, "events"] = 20
    fake_panel(panel)
    [r] = audit_claims(claim_ids=["A1.terrorism_peak_2014"], evidence=Evidence())
    assert r.verdict == SUPPORTED
    assert r.parts_text == "peak: supported; decline: supported"
    panel.loc[panel["year"] == 2010, "events"] = 80  # the highest year is now 2010; 2014 a local maximum
    fake_panel(panel)
    [r] = audit_claims(claim_ids=["A1.terrorism_peak_2014"], evidence=Evidence())
    parts = r.parts[r.parts["scenario"] == "primary"].set_index("part")
    assert parts.loc["peak", "verdict"] == NOT_SUPPORTED  # a local maximum is not the peak ...
    national_2010 = panel.loc[(panel["layout"] == "current") & (panel["year"] == 2010), "events"].sum()
    assert "a local maximum" in parts.loc["peak", "reason"]
    assert f"is 2010 ({national_2010:,.0f})" in parts.loc["peak", "reason"]  # the true maximum, with its value
    assert parts.loc["decline", "verdict"] == SUPPORTED  # ... though the series fell after it
    assert r.verdict == MIXED == parts["claim_verdict"].iloc[0]  # the parts disagree
    assert not r.robust and "period 2013-2017" in r.changed_by


def test_claims_the_data_cannot_speak_to() -> None:
    policy = load_policy()
    silent = [c.id for c in policy.claims if not c.data_can_speak]
    results = audit_claims(claim_ids=silent, evidence=Evidence())
    for r, c in zip(results, [c for c in policy.claims if not c.data_can_speak], strict=True):
        assert r.verdict == CANNOT
        assert r.reason == c.measure_gap
        assert r.sources == ("policy:nisp2018",)


def test_every_claim_the_data_can_speak_to_has_a_procedure() -> None:
    speak = {c.id for c in load_policy().claims if c.data_can_speak}
    assert speak <= set(PROCEDURES)
    assert set(PROCEDURES) <= {c.id for c in load_policy().claims}


# --------------------------------------------------------------------------- the real audit


@pytest.fixture(scope="module")
def audit(mirror) -> list[cl.ClaimResult]:
    return audit_claims()


@pytest.fixture(scope="module")
def province_panel() -> pd.DataFrame:
    from workbench.store import read_processed

    return read_processed("violence_province_year")


def test_every_claim_gets_a_computed_verdict(audit) -> None:
    policy = load_policy()
    assert [r.claim_id for r in audit] == [c.id for c in policy.claims]
    for r in audit:
        assert r.verdict in VERDICTS
        assert r.reason
        assert "policy:nisp2018" in r.sources
        if r.verdict != CANNOT:
            assert r.observed and len(r.numbers) > 0
    frame = claims_frame_from(audit)
    assert len(frame) == len(policy.claims)
    assert frame["claim_id"].is_unique
    # the default source, named in every result and every row of the tidy tables
    assert {r.violence_source for r in audit} == {"ucdp_ged_pak"}
    for tidy in (frame, sensitivity_frame_from(audit), numbers_frame_from(audit)):
        assert set(tidy["violence_source"]) == {"ucdp_ged_pak"} and tidy.attrs["violence_source"] == ["ucdp_ged_pak"]
    assert {"ucdp_ged_pak", "policy:nisp2018"} <= set(frame.attrs["sources"])
    from workbench.sources.credits import describe_sources

    assert describe_sources(frame.attrs["sources"]).startswith("Source:")  # every source is citable


def test_casualties_total_matches_the_panel(audit, province_panel) -> None:
    r = next(x for x in audit if x.claim_id == "C5.kp_fata_casualties_2005_2012")
    p = province_panel
    sel = p[(p["layout"] == "pre2018") & p["unit_id"].isin(["PK-KP", "PK-TA"]) & p["year"].between(2005, 2012)]
    nums = r.numbers[(r.numbers["item"] == "KP+FATA") & (r.numbers["quantity"] == "deaths")].set_index("scenario")
    assert nums.loc["primary", "value"] == sel["deaths_best"].sum()
    assert nums.loc["deaths low", "value"] == sel["deaths_low"].sum()
    assert nums.loc["deaths high", "value"] == sel["deaths_high"].sum()
    types = sel["deaths_best_one_sided"].sum() + sel["deaths_best_non_state"].sum()
    assert nums.loc["terrorism types", "value"] == types
    # the verdict is the lower-bound rule applied to these numbers
    assert r.verdict == rule_lower_bound_approx(sel["deaths_best"].sum(), 11862, 0.05).verdict
    assert "deaths only (injuries not in UCDP)" in r.proxy


def test_lethality_ranking_matches_the_panel(audit, province_panel) -> None:
    r = next(x for x in audit if x.claim_id == "C5.punjab_highest_deaths_per_attack")
    p = province_panel
    sel = p[(p["layout"] == "pre2018") & p["year"].between(2008, 2017)]
    g = sel.assign(group=sel["unit_id"].replace({"PK-TA": "PK-KP"})).groupby("group")[["deaths_best", "events"]].sum()
    expected = (g["deaths_best"] / g["events"]).rename({"PK-PB": "Punjab", "PK-SD": "Sindh", "PK-KP": "KP+FATA",
                                                        "PK-BA": "Balochistan"})
    got = r.numbers[(r.numbers["scenario"] == "primary") & (r.numbers["quantity"] == "violence.lethality")]
    for item, value in got.set_index("item")["value"].items():
        assert value == pytest.approx(expected[item])
    assert r.verdict == rule_rank(got.set_index("item")["value"], "Punjab", 1).verdict


def test_per_capita_rate_matches_population_table(audit, province_panel) -> None:
    from workbench.panel.demography import population_table

    r = next(x for x in audit if x.claim_id == "C5.balochistan_fourth")
    pop = population_table("province")
    pop = pop[(pop["layout"] == "pre2018") & pop["year"].between(2008, 2017) & (pop["unit_id"] == "PK-BA")]
    p = province_panel
    deaths = p[(p["layout"] == "pre2018") & p["year"].between(2008, 2017) & (p["unit_id"] == "PK-BA")]["deaths_best"]
    got = r.numbers[(r.numbers["scenario"] == "primary") & (r.numbers["item"] == "Balochistan")].set_index("quantity")
    assert got.loc["violence.deaths_per_100k", "value"] == pytest.approx(deaths.sum() / pop["population"].sum() * 1e5)


def test_compound_claims_are_split_into_parts(audit) -> None:
    from workbench.sources import resolve

    parts = cl.parts_frame_from(audit)
    assert set(parts["claim_id"]) == {"A1.terrorism_peak_2014", "C5.sindh_second_per_capita",
                                      "D3.deprived_regions_most_militancy"}
    for (cid, scenario), g in parts.groupby(["claim_id", "scenario"]):
        assert g["claim_verdict"].nunique() == 1
        assert g["claim_verdict"].iloc[0] == combine_parts(dict(zip(g["part"], g["verdict"], strict=True))).verdict
    by_id = {r.claim_id: r for r in audit}
    for cid in set(parts["claim_id"]):  # the claim's verdict is the parts' (no readings disagree here)
        primary = parts[(parts["claim_id"] == cid) & (parts["scenario"] == "primary")]
        assert by_id[cid].parts_text == "; ".join(f"{p}: {v}" for p, v in zip(primary["part"], primary["verdict"],
                                                                              strict=True))
    # A1: the peak part against a second computation of the national maximum
    national = resolve("ucdp_ged_pak").panel("national", "current").set_index("year")["events"].loc[1989:2017]
    a1 = parts[(parts["claim_id"] == "A1.terrorism_peak_2014") & (parts["scenario"] == "primary")].set_index("part")
    top_year = int(national.idxmax())
    assert (a1.loc["peak", "verdict"] == SUPPORTED) == (top_year == 2014)
    if top_year != 2014:
        assert f"the highest year of 1989-2017 is {top_year} ({national.max():,.0f})" in a1.loc["peak", "reason"]
    assert (a1.loc["decline", "verdict"] == SUPPORTED) == (national[2017] < national[2014])
    frame = claims_frame_from(audit).set_index("claim_id")
    assert frame.loc["A1.terrorism_peak_2014", "parts"] == by_id["A1.terrorism_peak_2014"].parts_text


def test_sensitivity_is_reported(audit) -> None:
    sens = sensitivity_frame_from(audit)
    assert {"primary", "reading", "period", "deaths estimate", "violence types"} <= set(sens["kind"])
    for r in audit:
        mine = sens[sens["claim_id"] == r.claim_id]
        changed = mine[mine["kind"].isin(["period", "deaths estimate", "violence types", "comparison set", "source"])
                       & mine["changes_verdict"]]
        assert set(changed["scenario"]) == set(r.changed_by)
        assert r.robust is None or r.robust == changed.empty
    deaths_claims = ["C5.punjab_least_fatalities", "C5.sindh_second_per_capita", "C5.kp_fata_casualties_2005_2012"]
    for cid in deaths_claims:
        kinds = sens[(sens["claim_id"] == cid)]
        assert {"deaths low", "deaths high"} <= set(kinds["scenario"])
    numbers = numbers_frame_from(audit)
    assert set(numbers["claim_id"]) <= {r.claim_id for r in audit}


def test_readings_decide_mixed(audit) -> None:
    r = next(x for x in audit if x.claim_id == "D1.youth_60pct")
    verdicts = r.scenarios.set_index("scenario")["verdict"]
    readings = r.scenarios[r.scenarios["kind"].isin(["primary", "reading"])]["verdict"]
    assert r.verdict == combine_readings(dict(zip(verdicts.index, verdicts, strict=True))).verdict
    assert r.verdict == (MIXED if readings.nunique() > 1 else readings.iloc[0])


def test_a_threshold_changes_the_verdict(mirror) -> None:
    strict = audit_claims(claim_ids=["C5.balochistan_area_42pct"])[0]
    loose = audit_claims(claim_ids=["C5.balochistan_area_42pct"], params=AuditParameters(approx_tolerance=0.10))[0]
    shares = strict.numbers[strict.numbers["quantity"] == "area_share_pct"].set_index("scenario")["value"]
    want = combine_readings({k: rule_approx(v, 42, 0.10).verdict for k, v in shares.items() if k != "OSM layer"})
    assert loose.verdict == want.verdict
    assert strict.verdict == combine_readings(
        {k: rule_approx(v, 42, 0.05).verdict for k, v in shares.items() if k != "OSM layer"}).verdict


# --------------------------------------------------------------------------- the command


def test_cli_claims_csv_in_a_fresh_process(mirror) -> None:
    done = run_cli("claims", "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout))
    assert len(table) == len(load_policy().claims)
    assert set(table["verdict"]) <= set(VERDICTS)


def test_cli_claims_table_and_errors(mirror) -> None:
    from workbench.cli import app

    runner = CliRunner()
    out = runner.invoke(app, ["claims", "--claim", "C5.punjab_most_populous", "--claim", "PIPS.schedule4_8300"])
    assert out.exit_code == 0, out.output
    assert "SUPPORTED" in out.output and "CANNOT BE TESTED" in out.output
    assert "Source:" in out.output
    sens = runner.invoke(app, ["claims", "--format", "csv", "--table", "sensitivity", "--claim",
                               "C5.punjab_most_populous"])
    assert sens.exit_code == 0
    assert len(pd.read_csv(io.StringIO(sens.stdout))) == 3  # primary, census 1998, census 2023
    bad = runner.invoke(app, ["claims", "--format", "xml"])
    assert bad.exit_code != 0 and "--format must be one of" in str(bad.exception)
