"""The drivers models: options refused with clear errors, rows left out and reported, the grid.

Test-built panels (:func:`test_models_crosscheck.make_panel`) for the mechanics; the committed
drivers panels (real data) for what the models say about the data as it is.
"""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_models_crosscheck import make_panel

from workbench import models
from workbench.store import read_processed
from workbench.errors import ParameterError
from workbench.models import ModelFitError

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def panel():
    return make_panel(seed=11, n_units=24, zero_units=2)


@pytest.fixture(scope="module")
def stable():
    return read_processed("drivers_district_year_stable")


@pytest.fixture(scope="module")
def main_model(stable):
    return models.negative_binomial(stable, lagged_covariates=["d4p_poverty_pct"], covariates=["youth_bulge_15_24"],
                                    start_year=2005)


# --------------------------------------------------------------------------- options refused on entry

@pytest.mark.parametrize("options, words", [
    ({"outcome": "killings"}, "argument 'outcome' must be one of 'events', 'deaths'; found 'killings'"),
    ({"deaths_estimate": "median"}, "argument 'deaths_estimate' must be one of"),
    ({"violence_type": "terrorism"}, "argument 'violence_type' must be one of"),
    ({"unit_effects": "tehsil"}, "argument 'unit_effects' must be one of"),
    ({"layout": "1998"}, "argument 'layout' must be one of"),
    ({"standard_errors": "hc3"}, "argument 'standard_errors' must be one of"),
    ({"lag": 0}, "argument 'lag' must be a whole number from 1 to 5; found 0"),
    ({"lag": 2.0}, "argument 'lag' must be a whole number"),
    ({"start_year": 2015, "end_year": 2010}, "start_year (2015) is after end_year (2010)"),
    ({"end_year": 2030}, "argument 'end_year' must be a whole number from 1989 to 2021"),
    ({"covariates": ["poverty"]}, "unknown covariate(s) ['poverty']; known covariates: youth_share_15_29"),
    ({"covariates": "d4p_poverty_pct"}, "must be a list of covariate names"),
    ({"covariates": ["d4p_poverty_pct"], "lagged_covariates": ["d4p_poverty_pct"]}, "both as measured"),
    ({"outcome": "events", "deaths_estimate": "high"}, "applies to outcome='deaths' only"),
    ({"deaths_estimate": "low", "violence_type": "non_state"}, "best estimate only"),
    ({"covariates": ["mpi_headcount_pct"]}, "measured by province only"),
    ({"exclude_former_fata": "yes"}, "argument 'exclude_former_fata' must be True or False"),
    ({"ci_level": 95}, "argument 'ci_level' must be a number in [0.5, 1)"),
])
def test_bad_options_are_refused_with_the_argument_named(panel, options, words):
    with pytest.raises(ParameterError) as err:
        models.negative_binomial(panel, **options)
    assert words in str(err.value)


def test_a_census_2023_measure_is_refused_as_a_lagged_cause(panel):
    with pytest.raises(ParameterError) as err:
        models.negative_binomial(panel, lagged_covariates=["youth_bulge_15_24"], start_year=2005)
    msg = str(err.value)
    assert "youth_bulge_15_24 cannot enter as a lagged cause: it was measured in 2023" in msg
    assert "Enter it under covariates=" in msg


def test_a_time_invariant_covariate_is_refused_with_district_fixed_effects(panel):
    with pytest.raises(ParameterError) as err:
        models.poisson(panel, covariates=["literacy_10plus_pct"], unit_effects="district", start_year=2005)
    msg = str(err.value)
    assert "literacy_10plus_pct does not vary within any district" in msg
    assert "not identified" in msg and "unit_effects='province'" in msg
    # the same covariate with province effects is identified (districts differ within a province)
    res = models.poisson(panel, covariates=["literacy_10plus_pct"], unit_effects="province", start_year=2005)
    assert res.coefficients["covariate"].tolist() == ["literacy_10plus_pct", "lagged outcome"]


def test_a_covariate_made_constant_by_the_period_is_refused_with_district_effects(panel):
    # after 2014 the latest poverty measurement (2014) is the same in every year: time-invariant there
    with pytest.raises(ParameterError, match="does not vary within any district in 2015"):
        models.poisson(panel, lagged_covariates=["d4p_poverty_pct"], unit_effects="district", start_year=2015,
                       end_year=2015 + 0)


def test_the_panel_level_must_fit_the_estimator(panel):
    prov = read_processed("drivers_province_year")
    with pytest.raises(ParameterError, match="this is a province panel: use province_association"):
        models.negative_binomial(prov)
    with pytest.raises(ParameterError, match="province_association needs drivers_province_year"):
        models.province_association(panel)
    with pytest.raises(ParameterError, match="lacks column"):
        models.negative_binomial(panel.drop(columns=["population"]))


# --------------------------------------------------------------------------- rows left out, and why

def test_nothing_left_to_fit_is_an_error_that_gives_the_reasons(panel):
    with pytest.raises(ModelFitError) as err:
        models.poisson(panel.assign(deaths_best=0), covariates=["d4p_poverty_pct"], start_year=2004)
    msg = str(err.value)
    assert msg.startswith("no row is left for deaths (best estimate, all types), 2004-2021, current layout")
    assert "uninformative with province fixed effects" in msg


def test_units_without_events_drop_out_of_fixed_effects_models_and_are_reported(panel):
    res = models.negative_binomial(panel, covariates=["d4p_poverty_pct"], unit_effects="district",
                                   lagged_violence=False, start_year=2004)
    zero = res.dropped[res.dropped["reason"].str.contains("uninformative with district fixed effects")]
    assert set(zero["unit_id"]) == {"stable/u00", "stable/u01"}
    assert (zero["outcome_total"] == 0).all() and (zero["rows"] == 12).all()
    assert not res.design.sample["unit_id"].isin(["stable/u00", "stable/u01"]).any()
    assert any("no deaths (best estimate, all types) in the whole period" in n for n in res.notes)
    # with province effects the same units stay: they are informative about the province
    res_p = models.negative_binomial(panel, covariates=["d4p_poverty_pct"], lagged_violence=False, start_year=2004)
    assert res_p.design.sample["unit_id"].isin(["stable/u00"]).any()
    assert res.coefficients["units_dropped"].iloc[0] == 3  # two silent districts and AJK


def test_units_without_population_are_out_and_said_to_be(panel):
    res = models.poisson(panel, covariates=["d4p_poverty_pct"], start_year=2004)
    ajk = res.dropped[res.dropped["unit_id"].eq("stable/ajk")]
    assert len(ajk) == 1 and "AJK and GB are not in the mirrored census tables" in ajk["reason"].iloc[0]
    assert any(n.startswith("Out of this per-capita model for want of population: AJK") for n in res.notes)
    residual = res.dropped[res.dropped["unit_level"].eq("province")]
    assert residual["reason"].str.contains("located only to a province").all()
    assert residual["outcome_total"].sum() == 2 * 12
    assert any("are located only to a province" in n for n in res.notes)


def test_lagged_causes_use_only_measurements_made_before_the_outcome(panel):
    res = models.poisson(panel, lagged_covariates=["d4p_poverty_pct"], lag=2, start_year=2004, end_year=2012)
    s = res.design.sample
    when = s["d4p_poverty_pct__lag2__measured"]
    assert (when <= s["year"] - 2).all()
    assert s["year"].min() == 2006  # 2004-2005 need a measurement by 2002-2003: none, left out
    early = res.dropped[res.dropped["reason"].str.contains("cannot enter as a lagged cause")]
    assert set(early["years"]) == {"2004-2005"}
    row = res.coefficients.set_index("covariate").loc["d4p_poverty_pct"]
    assert row["measured"] == "2004-2010" and row["measurement_age"] == "2 to 3"
    assert not row["measured_after_outcome"]


def test_a_covariate_measured_after_the_outcome_is_flagged(panel):
    res = models.poisson(panel, covariates=["youth_bulge_15_24", "d4p_poverty_pct"], start_year=2001,
                         end_year=2010)
    c = res.coefficients.set_index("covariate")
    assert c.loc["youth_bulge_15_24", "measured_after_outcome"]
    assert c.loc["youth_bulge_15_24", "rows_measured_after_outcome"] == c.loc["youth_bulge_15_24", "n"]
    # Data4Pakistan's first round (2004) stands in for 2001-2003: flagged in those rows only
    n_units = res.design.n_units
    assert c.loc["d4p_poverty_pct", "rows_measured_after_outcome"] == 3 * n_units
    assert any("youth_bulge_15_24 was measured (2023) after the outcome year" in n for n in res.notes)


# --------------------------------------------------------------------------- the drivers panel as it is

def test_main_specification_on_the_real_stable_panel(main_model, stable):
    c = main_model.coefficients.set_index("covariate")
    assert list(c.index) == ["d4p_poverty_pct", "youth_bulge_15_24", "lagged outcome", "alpha"]
    assert c["n"].nunique() == 1 and c["period"].iloc[0] == "2005-2021"
    # every former FATA unit lacks Data4Pakistan poverty: they are out, with that reason
    fata = main_model.dropped[main_model.dropped["unit_id"].isin(
        ["stable/north_waziristan", "stable/khyber", "stable/bajaur"])]
    assert set(fata["reason"]) == {"no value of d4p_poverty_pct (see drivers_missingness)"}
    out = set(main_model.dropped.loc[main_model.dropped["reason"].str.startswith("no population"), "unit_id"])
    assert out == {"stable/azad_jammu_and_kashmir", "stable/gilgit_baltistan"}
    assert c.loc["youth_bulge_15_24", "measured"] == "2023" and c.loc["youth_bulge_15_24", "measured_after_outcome"]
    assert c.loc["d4p_poverty_pct", "measured"] == "2004-2014"
    assert c.loc["alpha", "estimate"] > 1  # deaths are heavily overdispersed
    assert main_model.coefficients.attrs["sources"] == stable.attrs["sources"]
    # rows in the sample plus rows left out make up the district rows of the period
    district_rows = stable[stable["layout"].eq("current") & stable["unit_level"].eq("district")
                           & stable["year"].between(2005, 2021)]
    assert c["n"].iloc[0] + c["rows_dropped"].iloc[0] == len(district_rows)


def test_years_before_the_first_population_are_out_of_per_capita_models(stable):
    res = models.poisson(stable, outcome="events", start_year=1995, end_year=2001, lagged_violence=False)
    early = res.dropped[res.dropped["reason"].str.startswith("no population before the first census anchor (1998)")]
    assert set(early["years"]) == {"1995-1997"}
    assert res.design.sample["year"].min() == 1998


def test_province_association_is_descriptive_only():
    prov = read_processed("drivers_province_year")
    res = models.province_association(prov, covariates=["mpi_headcount_pct"], layout="pre2018", start_year=2007,
                                      end_year=2017)
    c = res.coefficients
    assert c["std_error"].isna().all() and c["p_value"].isna().all() and c["irr_ci_low"].isna().all()
    assert c["inference"].str.startswith("none: descriptive").all()
    assert res.notes[0].startswith("Descriptive, not inferential: 5 provinces")
    assert set(res.design.sample["province"]) == {"PK-PB", "PK-SD", "PK-KP", "PK-BA", "PK-TA"}
    with pytest.raises(ParameterError, match="does not vary within any province"):
        models.province_association(prov, covariates=["mpi_headcount_pct"], layout="pre2018", unit_effects="province")


def test_the_census_2023_district_set_can_be_modelled_too():
    d = read_processed("drivers_district_year_census2023")
    res = models.poisson(d, outcome="events", covariates=["literacy_10plus_pct"], start_year=2017)
    assert res.design.district_set == "census2023"
    karachi = res.dropped[res.dropped["unit_level"].eq("division")]
    assert karachi["reason"].str.contains("located only to a city as a whole").all() and len(karachi) == 1
    no_pop = res.dropped[res.dropped["reason"].str.startswith("no population: AJK and GB")]
    assert set(no_pop["province"]) == {"PK-GB", "PK-JK"} and no_pop["unit_id"].nunique() == 20


def test_coverage_compare_and_interpret_say_what_the_tables_hold(main_model, stable):
    cov = models.covariate_coverage(stable).set_index("covariate")
    assert cov.loc["d4p_poverty_pct", "measured"] == "2004, 2006, 2008, 2010, 2012, 2014"
    assert cov.loc["d4p_poverty_pct", "varies_over_time"] and not cov.loc["youth_bulge_15_24", "varies_over_time"]
    assert cov.loc["youth_bulge_15_24", "units_without_value"] == "Azad Jammu and Kashmir, Gilgit-Baltistan"
    assert "North Waziristan" in cov.loc["d4p_poverty_pct", "units_without_value"]
    table = models.compare({"a": main_model, "b": main_model})
    assert table["is_base"].tolist() == [True] * 4 + [False] * 4 and table.attrs["sources"] == stable.attrs["sources"]
    sentences = models.interpret(main_model)
    assert len(sentences) == 2 and all("associated with" in s and "cause" not in s.split(";")[0] for s in sentences)
    assert sentences[1].endswith("Measured in 2023, after every outcome year: not a cause that precedes them.")
    row = main_model.coefficients.iloc[0]
    assert f"IRR {row['irr']:.3f}, 95% CI {row['irr_ci_low']:.3f}-{row['irr_ci_high']:.3f}" in sentences[0]


# --------------------------------------------------------------------------- robustness grid and plot

def test_reduced_grid_varies_one_dimension_at_a_time():
    cells = models.grid_cells({"start_year": 2005, "end_year": 2021}, grid="reduced", lags=[1, 2])
    labels = [c["varied"] for c in cells]
    assert labels == ["base", "deaths_estimate", "deaths_estimate", "violence_type", "violence_type",
                      "violence_type", "exclude_former_fata", "lag", "period", "period"]
    assert [c["period"] for c in cells[-2:]] == ["2005-2014", "2015-2021"]
    full = models.grid_cells({"start_year": 2005, "end_year": 2021}, grid="full", lags=[1, 2])
    # 3 estimates x 4 types, less the 6 low/high-by-type combinations, x 2 x 2 lags x 3 periods
    assert len(full) == (12 - 6) * 2 * 2 * 3
    assert not any(c["deaths_estimate"] != "best" and c["violence_type"] != "all" for c in full)
    events = models.grid_cells({"outcome": "events"}, grid="reduced", lags=[1])
    assert "deaths_estimate" not in [c["varied"] for c in events]
    with pytest.raises(ParameterError, match="argument 'grid' must be one of 'reduced', 'full'"):
        models.grid_cells({}, grid="everything")


def test_robustness_grid_is_one_tidy_table_and_keeps_refused_cells(panel):
    g = models.robustness_grid(panel, lagged_covariates=["d4p_poverty_pct"], start_year=2005, end_year=2015,
                               lags=[1, 2], split_year=2014, unit_effects="district", lagged_violence=False)
    assert list(g.columns[:len(models.CELL_COLUMNS)]) == models.CELL_COLUMNS
    base = g[g["is_base"]]
    assert (base["status"] == "ok").all() and base["label"].iloc[0] == "base"
    assert set(g["label"]) == {"base", "deaths: low", "deaths: high", "type: state-based", "type: non-state",
                               "type: one-sided", "without former FATA", "lag 2", "2005-2014", "2015"}
    assert (g.loc[g["label"].eq("2005-2014"), "status"] == "ok").all()
    # in 2015 alone the latest poverty measurement (2014) is one value per district: refused, and kept
    late = g[g["label"].eq("2015")]
    assert late["status"].tolist() == ["refused"]
    assert "does not vary within any district" in late["message"].iloc[0]
    assert late["term"].isna().all()
    assert g.attrs["sources"] == ["test_built"]
    fig = models.coefficient_plot(g)
    assert len(fig.axes) == 1 and fig.axes[0].get_xscale() == "log"
    assert len(fig.axes[0].get_yticklabels()) == 10
    with pytest.raises(ParameterError, match="not in the table"):
        models.coefficient_plot(g, covariates=["youth_share_15_29"])


# --------------------------------------------------------------------------- helpers (properties)

@st.composite
def small_panels(draw):
    n_units = draw(st.integers(1, 4))
    rows = []
    for u in range(n_units):
        years = draw(st.lists(st.integers(2000, 2010), min_size=1, max_size=8, unique=True))
        for y in years:
            rows.append({"unit_id": f"u{u}", "province": f"p{u % 2}", "year": y,
                         "x": draw(st.integers(0, 5))})
    return pd.DataFrame(rows)


@settings(deadline=None, max_examples=60)
@given(frame=small_panels(), lag=st.integers(1, 3))
def test_lagged_takes_the_same_units_value_lag_years_earlier(frame, lag):
    got = models.lagged(frame, "x", lag)
    index = {(r.unit_id, r.province, r.year): r.x for r in frame.itertuples()}
    for r, v in zip(frame.itertuples(), got, strict=True):
        expected = index.get((r.unit_id, r.province, r.year - lag))
        assert (np.isnan(v) and expected is None) or v == expected


@settings(deadline=None, max_examples=60)
@given(frame=small_panels())
def test_drop_all_zero_groups_leaves_only_groups_with_some_outcome(frame):
    keep, reason = models.drop_all_zero_groups(frame, "x", [["unit_id", "province"], ["year"]])
    kept = frame[keep]
    if not kept.empty:
        assert (kept.groupby(["unit_id", "province"])["x"].sum() > 0).all()
        assert (kept.groupby("year")["x"].sum() > 0).all()
    assert frame.loc[~keep, "x"].sum() == 0  # only zeros are ever removed
    assert reason[~keep].isin(["unit_id+province", "year"]).all() and reason[keep].eq("").all()
    again, _ = models.drop_all_zero_groups(kept, "x", [["unit_id", "province"], ["year"]])
    assert again.all()


@settings(deadline=None, max_examples=40)
@given(frame=small_panels(), lag=st.integers(1, 3))
def test_measured_before_never_uses_a_later_measurement(frame, lag):
    f = frame.assign(v=frame["x"] * 1.5, measured=frame["year"] - frame["x"] + 2)
    value, when = models.measured_before(f, "v", "measured", lag)
    ok = when.notna()
    assert (when[ok] <= f.loc[ok, "year"] - lag).all()
    assert value.notna().eq(ok).all()
