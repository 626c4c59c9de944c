"""The drivers panel: violence joined with population, youth and deprivation, missingness explained."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.panel import drivers
from workbench.panel.build import STEPS
from workbench.store import write_csv
from workbench.sources.credits import describe_sources
from workbench.sources.ucdp_panels import KEY_COLUMNS, MEASURES


@pytest.fixture(scope="module")
def violence(mirror):
    step = next(s for s in STEPS if s.name == "violence")
    return step.run({})


@pytest.fixture(scope="module")
def inputs(mirror):
    return drivers.Inputs()


@pytest.fixture(scope="module")
def built(violence, inputs):
    return drivers.build_step(violence, inputs=inputs)


@pytest.fixture(scope="module", params=drivers.LEVELS)
def level(request):
    return request.param


def test_the_violence_panels_pass_through_unchanged(violence, built, level):
    panel = built[drivers.DRIVERS_TABLES[level]]
    v = violence[drivers.VIOLENCE_TABLES[level]]
    assert len(panel) == len(v)
    pd.testing.assert_frame_equal(panel[[*KEY_COLUMNS, *MEASURES]].reset_index(drop=True),
                                  v[[*KEY_COLUMNS, *MEASURES]].reset_index(drop=True))


def test_every_missing_covariate_has_a_reason(violence, inputs, level):
    panel, reasons = drivers.drivers_panel(violence[drivers.VIOLENCE_TABLES[level]], level, inputs)
    for col in [c for c in reasons.columns if c not in KEY_COLUMNS]:
        missing = panel[col].isna()
        assert (missing == reasons[col].ne("")).all(), col


def test_no_population_before_1998(built, level):
    panel = built[drivers.DRIVERS_TABLES[level]]
    early = panel[panel["year"] < 1998]
    assert len(early) > 0 and early["population"].isna().all() and early["deaths_best_per_100k"].isna().all()
    later = panel[(panel["year"] >= 1998) & (panel["unit_level"] == ("province" if level == "province" else "district"))
                  & ~panel["province"].isin(["PK-GB", "PK-JK"])]
    assert later["population"].notna().mean() > 0.85
    gaps = built["drivers_missingness"]
    pre = gaps[(gaps["table"] == drivers.DRIVERS_TABLES[level]) & (gaps["covariate"] == "population")
               & gaps["reason"].str.startswith("before the first census anchor (1998)")]
    assert (pre["years"] == "1989-1997").all() and len(pre) > 0


def test_each_covariate_carries_the_year_it_was_measured(built):
    d = built["drivers_district_year_census2023"]
    has = d["youth_share_15_29"].notna()
    assert (d.loc[has, "youth_year"] == 2023).all() and d.loc[~has, "youth_year"].isna().all()
    pov = d[d["d4p_poverty_pct"].notna()]
    before = pov["year"] < 2004
    # before the first survey round the earliest measurement is attached, and its year says it came later
    assert (pov.loc[before, "d4p_poverty_year"] > pov.loc[before, "year"]).all()
    assert (pov.loc[before, "d4p_poverty_year"] == 2004).mean() > 0.95  # Dera Bugti, Kohlu: first value 2006
    late = pov["year"] >= 2006  # every unit with an estimate has one by 2006
    assert (pov.loc[late, "d4p_poverty_year"] <= pov.loc[late, "year"]).all()
    assert set(pov["d4p_poverty_year"].unique()) <= {2004, 2006, 2008, 2010, 2012, 2014}
    p = built["drivers_province_year"]
    assert set(p["mpi_year"].dropna().unique()) == {2015}


def test_province_panel_values(built):
    p = built["drivers_province_year"].set_index(["layout", "unit_id", "year"])
    assert p.at[("pre2018", "PK-TA", 2010), "mpi_headcount_pct"] == 74.0
    assert np.isnan(p.at[("current", "PK-KP", 2010), "mpi_headcount_pct"])  # KP without FATA only
    assert p.at[("current", "PK-KP", 2017), "population"] == 35_501_964
    assert p.at[("pre2018", "PK-TA", 2017), "population"] + p.at[("pre2018", "PK-KP", 2017), "population"] \
        == 35_501_964
    row = p.loc[("current", "PK-PB", 2015)]
    assert row["deaths_best_per_100k"] == pytest.approx(row["deaths_best"] / row["population"] * 1e5)
    assert np.isnan(p.at[("current", "PK-GB", 2015), "population"])


def test_former_frontier_region_parts_in_the_pre2018_district_panel(built):
    d = built["drivers_district_year_census2023"].set_index(["layout", "unit_id", "province", "year"])
    fr = d.loc[("pre2018", "census2023/kohat", "PK-TA", 2017)]
    assert fr["population"] == 118_839 and np.isnan(fr["youth_share_15_29"])
    settled = d.loc[("pre2018", "census2023/kohat", "PK-KP", 2010)]
    assert settled["d4p_poverty_pct"] == 41.0  # Data4Pakistan's Kohat is the settled district
    whole = d.loc[("current", "census2023/kohat", "PK-KP", 2010)]
    assert np.isnan(whole["d4p_poverty_pct"])  # FR Kohat has no estimate, so the 2023 district has none


def test_stable_units_combine_data4pakistan_units_by_population(built, inputs):
    s = built["drivers_district_year_stable"]
    v = s[(s["layout"] == "current") & (s["unit_id"] == "stable/jhang") & (s["year"] == 2010)]["d4p_poverty_pct"]
    v = v.item()
    pov = inputs.d4p[(inputs.d4p["indicator_id"] == "poverty_rate") & (inputs.d4p["year"] == 2010)]
    w = inputs.d4p_weights[inputs.d4p_weights["year"] == 2010].set_index("unit_id")["weight"]
    parts = pov[pov["unit_id"].isin(["d4p/jhang", "d4p/chiniot"])].set_index("unit_id")["value"]
    assert v == pytest.approx((parts * w[parts.index]).sum() / w[parts.index].sum(), rel=1e-12)
    assert min(parts) <= v <= max(parts)


def test_poverty_inequality_states_its_units(built):
    t = built["poverty_inequality"]
    pk = t[t["scope"] == "PK"].set_index("year")
    assert pk["n_units"].to_dict() == {2004: 116, 2006: 118, 2008: 118, 2010: 118, 2012: 117, 2014: 116}
    assert (pk["units"].str.count(";") + 1 == pk["n_units"]).all()
    assert "d4p/kech" in pk.at[2014, "units_without_estimate"]
    fata = t[t["scope"] == "PK-TA"]
    assert len(fata) == 6 and (fata["n_units"] == 0).all() and fata["gini"].isna().all()
    assert ((pk["theil_t_between"] + pk["theil_t_within"]) - pk["theil_t"]).abs().max() < 1e-12


def test_panels_are_reproducible_byte_for_byte(violence, inputs, tmp_path):
    for level in drivers.LEVELS:
        a, _ = drivers.drivers_panel(violence[drivers.VIOLENCE_TABLES[level]], level, inputs)
        b, _ = drivers.drivers_panel(violence[drivers.VIOLENCE_TABLES[level]], level, inputs)
        write_csv(a, tmp_path / "a.csv")
        write_csv(b, tmp_path / "b.csv")
        assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_every_table_names_its_sources(built):
    for name, df in built.items():
        assert df.attrs.get("sources"), name
        describe_sources(df.attrs["sources"])  # every id is a catalog id or a reference table
    assert "reference:mpi_province_2014_15" in built["drivers_province_year"].attrs["sources"]
    assert "d4p_indicators" in built["drivers_district_year_stable"].attrs["sources"]


def test_build_step_needs_the_violence_tables(inputs):
    with pytest.raises(Exception, match="violence"):
        drivers.build_step({}, inputs=inputs)


def test_youth_shares_are_stored_in_full_precision(built, inputs, tmp_path):
    write_csv(built["youth_2023"], tmp_path / "y.csv")
    back = pd.read_csv(tmp_path / "y.csv")
    assert np.array_equal(back["share"].to_numpy(), inputs.youth["share"].to_numpy(), equal_nan=True)


@settings(deadline=None, max_examples=60)
@given(measured=st.lists(st.integers(min_value=2000, max_value=2020), min_size=1, max_size=6, unique=True),
       outcome=st.lists(st.integers(min_value=1989, max_value=2025), min_size=1, max_size=8, unique=True))
def test_align_years_takes_the_latest_earlier_measurement(measured, outcome):
    values = pd.DataFrame({"unit_id": "U", "year": measured, "value": [float(y) * 10 for y in measured]})
    out = drivers.align_years(values, ["unit_id"], outcome).set_index("year")
    for y in outcome:
        earlier = [m for m in measured if m <= y]
        want = max(earlier) if earlier else min(measured)
        assert out.at[y, "measured_year"] == want and out.at[y, "value"] == want * 10
