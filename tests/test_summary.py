"""Summary sentences: computed from test-built frames, never causal, caveats attached where they apply."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.report import summary
from workbench.report.summary import Finding, SummaryWordingError

CAUSAL = ("causes", "caused", "leads to", "led to", "drives", "driven by", "results in", "because of", "due to",
          "the effect of", "impact")


def _totals(provisional: bool = False) -> pd.DataFrame:
    """Province totals shaped like totals_by_unit (values made up by the test)."""
    df = pd.DataFrame({"unit_name": ["Alpha", "Beta", "Gamma", "Pakistan (not located)"],
                       "unit_level": ["province", "province", "province", "country"],
                       "events": [100, 20, 5, 3], "deaths": [600, 100, 60, 40]})
    df["deaths_per_event"] = df["deaths"] / df["events"]
    df.attrs["provisional"] = provisional
    return df


def _all_text(findings) -> str:
    return " ".join(f.text for f in findings).lower()


@pytest.mark.parametrize("sentence", ["Poverty causes violence.", "Youth leads to unrest.",
                                      "Inequality drives militancy.", "Deaths rose due to poverty.",
                                      "Deaths were driven by poverty.", "The impact of poverty is large."])
def test_causal_wording_is_refused(sentence):
    with pytest.raises(SummaryWordingError, match="causal wording"):
        Finding(sentence)


def test_a_finding_carries_its_caveats_in_words_and_html():
    f = Finding("Alpha had 600 deaths.", ("only 3 provinces: a description, not a test", "", "only 3 provinces: "
                                          "a description, not a test"))
    assert f.caveats == ("only 3 provinces: a description, not a test",)
    assert str(f) == "Alpha had 600 deaths. (Only 3 provinces: a description, not a test.)"
    assert f.html() == ('<li>Alpha had 600 deaths. <span class="wb-caveat">(Only 3 provinces: a description, '
                        "not a test.)</span></li>")


def test_violence_findings_are_computed_and_small_samples_said_so():
    yearly = pd.DataFrame({"Alpha": [100.0, 500.0], "Beta": [50.0, 50.0]}, index=pd.Index([2008, 2009], name="year"))
    rates = pd.DataFrame({"unit_name": ["Alpha", "Beta"], "deaths_per_100k": [4.6949, 1.41]})
    rates.attrs["years_used"] = [2008, 2009]
    found = summary.violence_findings(_totals(), yearly=yearly, rates=rates, years=(2008, 2009),
                                      measure="test deaths")
    assert 3 <= len(found) <= 6
    first = found[0]
    assert first.text == "Alpha recorded the most test deaths of any province, 600 of 800 (75.0%), in 2008-2009."
    assert "Only 3 provinces: a description, not a test." in first.caveats
    assert summary.PROVISIONAL not in first.caveats
    assert found[1].text == "Of the years shown, 2009 had the most test deaths located to a province: 550."
    assert "4.69 test deaths per 100,000" in found[2].text
    assert any("interpolated" in c for c in found[2].caveats)
    lethal = found[3]
    assert lethal.text.startswith("Test deaths per event were highest in Gamma, 12.0")
    assert "Only 5 events: one deadly event moves this figure." in lethal.caveats
    assert not any(word in _all_text(found) for word in CAUSAL)


def test_provisional_data_are_marked_on_every_sentence_they_qualify():
    from_attrs = summary.violence_findings(_totals(provisional=True), years=(2026, 2026))
    assert from_attrs and all(summary.PROVISIONAL in f.caveats for f in from_attrs)
    told = summary.violence_findings(_totals(), years=(2026, 2026), provisional=True)
    assert all(summary.PROVISIONAL in f.caveats for f in told)


def test_youth_association_is_worded_as_an_association():
    claim = pd.DataFrame({"definition": ["15-24 of all", "0-24 of all"], "share": [0.1856, 0.5912],
                          "closest": [False, True]})
    districts = pd.DataFrame({"unit_name": ["A", "B", "C"], "province": ["P1", "P1", "P2"],
                              "share_pct": [31.2, 28.0, 35.5]})
    both = pd.DataFrame({"share_pct": [31.2, 28.0, 35.5], "deaths_per_100k": [1.0, 0.5, 3.0]})
    found = summary.youth_findings(claim, districts, both, label="youth bulge", rho=0.5, years=(2010, 2021))
    assert found[0].text.startswith("NISP 2018's 'approximately 60%' young is closest to 0-24 of all, 59.1%")
    assert found[1].text == "The youth bulge ranges from 28.0% in B to 35.5% in C (P2), across 3 districts in 2023."
    assoc = found[2]
    assert "went with higher death rates in 2010-2021, strongly so (Spearman rho = 0.50)" in assoc.text
    assert summary.ASSOCIATION in assoc.caveats and "Only 3 districts: a description, not a test." in assoc.caveats
    assert any("after the violence" in c for c in assoc.caveats)
    assert not any(word in _all_text(found) for word in CAUSAL)


def test_model_findings_keep_proxy_and_timing_caveats_with_their_term():
    coefficients = pd.DataFrame({
        "covariate": ["d4p_poverty_pct", "youth_bulge_15_24", "alpha"],
        "irr": [0.98452, 1.07467, float("nan")], "irr_ci_low": [0.96047, 1.04013, float("nan")],
        "irr_ci_high": [1.00918, 1.11031, float("nan")], "p_value": [0.2166, 0.0000254, float("nan")],
        "n": [1713] * 3, "units": [101] * 3, "measured_after_outcome": [False, True, False]})
    grid = pd.DataFrame({"cell": [0, 1, 2, 3], "covariate": ["d4p_poverty_pct"] * 4,
                         "status": ["ok", "ok", "ok", "refused"], "irr": [0.98, 0.95, 1.01, float("nan")]})
    province = pd.DataFrame({"covariate": ["mpi_headcount_pct"], "irr": [1.03], "units": [5]})
    found = summary.model_findings(coefficients, terms={"d4p_poverty_pct": "poverty", "youth_bulge_15_24": "youth"},
                                   notes={"d4p_poverty_pct": "Poverty is a model estimate."}, robustness=grid,
                                   province=province)
    poverty, youth, spread, prov = found
    assert "incidence-rate ratio of 0.985 (95% CI 0.960-1.009, p = 0.217); the interval includes no association" \
        in poverty.text
    assert "Poverty is a model estimate." in poverty.caveats and "Measured after the outcome." not in poverty.caveats
    assert "p < 0.001" in youth.text and "excludes" in youth.text and "Measured after the outcome." in youth.caveats
    assert spread.text == ("Over 3 estimable specifications of the robustness grid, the ratio for poverty ranges "
                           "from 0.950 to 1.010; 1 cell could not be estimated.")
    assert "Only 5 provinces: a description, not a test." in prov.caveats
    assert all(summary.ASSOCIATION in f.caveats for f in found)


def test_policy_findings_count_verdicts_and_name_proxies():
    verdicts = pd.DataFrame({"claim_id": ["C5.a", "C5.b", "D3.c"], "section": ["C5", "C5", "D3"],
                             "verdict": ["supported", "not supported", "supported"],
                             "proxy": ["UCDP deaths for casualties", "", None], "robust": [True, False, True]})
    found = summary.policy_findings(verdicts, provisional=True)
    assert found[0].text == "Of the 3 empirical claims of NISP 2018 encoded, the data give: 2 supported, 1 not supported."
    assert any(c.startswith("1 verdict rests on a proxy") for c in found[0].caveats)
    assert found[1].text.startswith("1 verdict would change under a reasonable alternative reading")
    assert found[2].text == "1 of the 2 sub-national statements of section C5 are supported."
    assert all(summary.PROVISIONAL in f.caveats for f in found)


def test_audit_findings_say_what_failed_and_how_far_events_were_placed():
    catalog = pd.DataFrame({"id": ["a", "b"], "status": ["ok", "altered"]})
    quality = pd.DataFrame({"flag": ["best_gt_high", "recurring_point"], "events": [4, 30]})
    assignment = pd.DataFrame({"assignment_class": ["district_point", "province_adm1"], "events": [80, 20]})
    found = summary.audit_findings(catalog, quality, assignment)
    assert found[0].text == "1 of 2 data sets do not match the sha256 recorded in the catalog: b."
    assert found[1].text.startswith("80 of 100 events (80.0%) could be placed in a district")
    assert "best above high: 4" in found[2].text and found[3].text.startswith("30 events (30.0%)")


def test_the_summary_view_renders_every_finding():
    page = summary.SummaryView([Finding("One."), Finding("Two.", ("a caveat",))], "Summary of findings")._repr_html_()
    assert page.startswith('<div class="wb-summary"><h2>Summary of findings</h2>')
    assert page.count("<li>") == 2 and "(A caveat.)" in page
