"""Population denominators (anchors, geometric interpolation, layouts) and youth from census 2023 Table 4."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.panel import demography
from workbench.errors import ParameterError
from workbench.geo.units import load_registry
from workbench.sources import census


@pytest.fixture(scope="module")
def c17(mirror):
    return demography.census2017_units()


@pytest.fixture(scope="module")
def anchors(c17):
    return demography.population_anchors(c17=c17)


@pytest.fixture(scope="module")
def pop(anchors):
    return {lv: demography.population_table(lv, anchors=anchors) for lv in ("province", "census2023", "stable")}


@pytest.fixture(scope="module")
def age(mirror):
    return demography.age_table_with_units(load_registry())


@pytest.fixture(scope="module")
def youth(age):
    return demography.youth_table(age=age)


# --------------------------------------------------------------------------- anchors reproduced exactly

def test_census_years_reproduce_their_anchor_exactly(anchors, pop):
    for level, table in pop.items():
        a = anchors[(anchors["geography"] == level) & anchors["population"].notna()]
        got = a.merge(table, on=["layout", "unit_id", "province", "year"], suffixes=("_anchor", ""))
        assert len(got) == len(a)
        assert (got["population"] == got["population_anchor"]).all()
        assert (got["pop_method"] == "census").all()


def test_anchors_are_the_published_counts(anchors, c17):
    summ = census.read_summary("district")
    prov = census.read_summary("province")
    p = anchors[anchors["geography"] == "province"].set_index(["layout", "unit_id", "year"])["population"]
    pk = prov[(prov["region_src"] == "Pakistan") & (prov["area_src"] == "All")].iloc[0]
    assert p[("current", "PK", 2023)] == 241_499_431 and p[("current", "PK", 2017)] == 207_684_626
    assert p[("current", "PK", 1998)] == 132_352_279 == pk["pop_2017"] - 75_332_347
    kp = prov[(prov["region_src"] == "KP") & (prov["area_src"] == "All")].iloc[0]
    assert p[("current", "PK-KP", 2023)] == kp["pop_2023"]
    # 1998 by pre-2018 province = the 2017 provisional release's province table
    p98 = census.read_census2017_province().groupby("province_std")["pop_1998"].sum()
    assert p[("pre2018", "PK-TA", 1998)] == p98["FATA"] and p[("pre2018", "PK-KP", 1998)] == p98["KHYBER PAKHTUNKHWA"]
    # every 2023 district: 2017 final and 2023 as in the summary
    d = anchors[(anchors["geography"] == "census2023") & (anchors["layout"] == "current")]
    d = d.pivot_table(index="unit_id", columns="year", values="population")
    s = summ.assign(unit_id=load_registry().resolve_series(summ["district_src"], source="census2023",
                                                           level="district")).set_index("unit_id")
    assert (d.loc[s.index, 2017] == s["pop_2017"]).all() and (d.loc[s.index, 2023] == s["pop_2023"]).all()


def test_pre2018_parts_add_up_to_the_current_units(anchors):
    a = anchors[anchors["population"].notna()]
    prov = a[a["geography"] == "province"].set_index(["layout", "unit_id", "year"])["population"]
    for y in demography.CENSUS_YEARS:
        assert prov[("pre2018", "PK-KP", y)] + prov[("pre2018", "PK-TA", y)] == prov[("current", "PK-KP", y)]
    for geo in ("census2023", "stable"):
        sub = a[a["geography"] == geo]
        whole = sub[sub["layout"] == "current"].groupby(["unit_id", "year"])["population"].sum()
        parts = sub[sub["layout"] == "pre2018"].groupby(["unit_id", "year"])["population"].sum()
        assert np.allclose(parts.reindex(whole.index), whole, rtol=0, atol=0)
    kohat = a[(a["geography"] == "census2023") & (a["unit_id"] == "census2023/kohat") & (a["province"] == "PK-TA")]
    assert kohat.set_index("year")["population"].to_dict() == {1998: 88_456, 2017: 118_839, 2023: 139_839}


def test_stable_units_sum_their_2023_districts(anchors):
    reg = load_registry()
    a = anchors[(anchors["layout"] == "current") & anchors["population"].notna()]
    d = a[a["geography"] == "census2023"].copy()
    d["stable_id"] = d["unit_id"].map(reg.units.set_index("unit_id")["stable_id"])
    summed = d[d["year"] > 1998].groupby(["stable_id", "year"])["population"].sum()
    s = a[(a["geography"] == "stable") & (a["year"] > 1998)].set_index(["unit_id", "year"])["population"]
    assert (summed.reindex(s.index) == s).all()


def test_ajk_and_gb_are_missing_with_the_reason(pop):
    for level, table in pop.items():
        sub = table[table["province"].isin(["PK-GB", "PK-JK"])]
        assert len(sub) > 0 and sub["population"].isna().all()
        assert sub["pop_note"].str.contains("not enumerated in the mirrored census tables").all()


def test_no_extrapolation_before_1998_and_years_covered(pop):
    prov = pop["province"]
    assert prov["year"].min() == 1998 and prov["year"].max() == 2023
    # a 2023 district cutting across 2017 districts has no population before 2017
    kc = pop["census2023"]
    ke = kc[(kc["unit_id"] == "census2023/keamari") & (kc["layout"] == "current")].set_index("year")
    assert ke.loc[1998:2016, "population"].isna().all() and ke.loc[2017:2023, "population"].notna().all()
    assert "before the first census anchor (2017)" in ke.at[2000, "pop_note"]
    assert "census2017/karachi_west" in ke.at[2000, "pop_note"]


def test_2017_provisional_and_final_differ_by_unit(mirror, c17):
    rev = demography.census2017_revision(c17=c17)
    assert rev["pop_2017_final"].sum() == 207_684_626 and rev["pop_2017_provisional"].sum() == 207_774_520
    assert (rev["difference"] != 0).mean() > 0.9


# --------------------------------------------------------------------------- interpolation properties

def _anchor_frame(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame({"unit_id": "U", "year": list(values), "population": list(values.values())})


populations = st.floats(min_value=1.0, max_value=1e9, allow_nan=False, allow_infinity=False)


@settings(deadline=None, max_examples=60)
@given(p98=populations, p17=populations, p23=populations)
def test_interpolation_passes_through_anchors_with_constant_growth(p98, p17, p23):
    out = demography.interpolate_geometric(_anchor_frame({1998: p98, 2017: p17, 2023: p23}), range(1990, 2031),
                                           ["unit_id"]).set_index("year")
    assert out.at[1998, "population"] == p98 and out.at[2017, "population"] == p17 and out.at[2023, "population"] == p23
    assert out.loc[1990:1997, "population"].isna().all() and out.loc[2024:2030, "population"].isna().all()
    assert (out.loc[1990:1997, "pop_method"] == "missing").all()
    # constant growth factor inside each segment, equal to the anchors' annual factor
    for (t0, a), (t1, b) in (((1998, p98), (2017, p17)), ((2017, p17), (2023, p23))):
        seg = out.loc[t0:t1, "population"].to_numpy()
        ratios = seg[1:] / seg[:-1]
        assert np.allclose(ratios, (b / a) ** (1 / (t1 - t0)), rtol=1e-9)
        lo, hi = min(a, b), max(a, b)
        assert ((seg >= lo * (1 - 1e-12)) & (seg <= hi * (1 + 1e-12))).all()


@settings(deadline=None, max_examples=40)
@given(p0=populations, p1=populations, year=st.integers(min_value=1999, max_value=2016))
def test_interpolation_matches_log_linear_formula(p0, p1, year):
    out = demography.interpolate_geometric(_anchor_frame({1998: p0, 2017: p1}), [year], ["unit_id"])
    expected = np.exp(np.log(p0) + (year - 1998) / 19 * (np.log(p1) - np.log(p0)))
    assert out["population"].iloc[0] == pytest.approx(expected, rel=1e-10)
    assert out["pop_anchor_from"].iloc[0] == 1998 and out["pop_anchor_to"].iloc[0] == 2017


def test_missing_anchor_leaves_its_segment_missing():
    a = pd.DataFrame({"unit_id": "U", "year": [1998, 2017, 2023], "population": [np.nan, 100.0, 130.0],
                      "anchor_note": ["new district", "", ""]})
    out = demography.interpolate_geometric(a, range(1998, 2024), ["unit_id"]).set_index("year")
    assert out.loc[1998:2016, "population"].isna().all()
    assert out.at[2000, "pop_note"] == "before the first census anchor (2017); not extrapolated [new district]"


def test_bad_anchors_are_refused():
    with pytest.raises(ParameterError, match="positive"):
        demography.interpolate_geometric(_anchor_frame({1998: 0.0, 2017: 5.0}), [2000], ["unit_id"])
    dup = pd.concat([_anchor_frame({1998: 1.0}), _anchor_frame({1998: 2.0})])
    with pytest.raises(ParameterError, match="repeat"):
        demography.interpolate_geometric(dup, [1998], ["unit_id"])


# --------------------------------------------------------------------------- youth

def test_youth_shares_by_province_from_table4(youth):
    p = youth[(youth["level"] != "district") & (youth["sex"] == "all_sexes") & (youth["residence"] == "overall")]
    share = p.set_index(["unit_id", "measure"])["share"]
    assert share[("PK", "youth_share")] == pytest.approx(62_589_992 / 240_458_089, abs=0)
    assert share[("PK", "youth_bulge")] == pytest.approx(44_622_831 / 142_924_350, abs=0)
    assert round(share[("PK-BA", "youth_bulge")], 4) == 0.3859
    # recomputed from summed district counts = the mirror's province sums of Table 4
    prov_file = census.read_age_table("province")
    pf = prov_file[(prov_file["sex"] == "all_sexes") & (prov_file["residence"] == "overall")]
    kp = pf[pf["province_std"] == "KHYBER PAKHTUNKHWA"]
    y1529 = kp[(kp["age_min"] >= 15) & (kp["age_max"] <= 29)]["population"].sum()
    tot = kp[kp["age_label_src"] == "ALL AGES"]["population"].iloc[0]
    assert share[("PK-KP", "youth_share")] == y1529 / tot


def test_youth_table_covers_every_district_sex_and_residence(youth):
    d = youth[youth["level"] == "district"]
    assert d["unit_id"].nunique() == 136
    assert len(d) == 136 * 4 * 3 * 2
    karachi_rural = d[(d["unit_id"] == "census2023/karachi_central") & (d["residence"] == "rural")]
    assert karachi_rural["share"].isna().all() and (karachi_rural["n_missing_cells"] > 0).all()


def test_15_24_counts_agree_with_table13(age):
    chk = demography.youth_table13_check(age=age)
    assert chk["unit_id"].nunique() == 135  # Table 13 has no ICT
    main = chk[chk["sex"].isin(["all_sexes", "male", "female"])]
    assert len(main) == 135 * 3 * 3 and (main["difference"] == 0).all()
    # Table 13's transgender column is not consistent with its own all-sexes total (a finding)
    tg = chk[(chk["sex"] == "transgender") & (chk["residence"] == "overall")]
    assert tg["table4_15_24"].sum() == 5_532 and tg["table13_15_24"].sum() == 1_554


def test_the_1_04_million_gap_shares_use_table4_totals_use_the_summary(youth, pop):
    pk = youth[(youth["unit_id"] == "PK") & (youth["sex"] == "all_sexes") & (youth["residence"] == "overall")
               & (youth["measure"] == "youth_share")].iloc[0]
    assert pk["denominator_pop"] == 240_458_089
    p = pop["province"]
    headline = p[(p["layout"] == "current") & (p["unit_id"] == "PK") & (p["year"] == 2023)]["population"].iloc[0]
    assert headline == 241_499_431 and headline - pk["denominator_pop"] == 1_041_342
    q_y = youth[(youth["unit_id"] == "census2023/quetta") & (youth["sex"] == "all_sexes")
                & (youth["residence"] == "overall") & (youth["measure"] == "youth_share")]["denominator_pop"].iloc[0]
    d = pop["census2023"]
    q_p = d[(d["unit_id"] == "census2023/quetta") & (d["layout"] == "current") & (d["year"] == 2023)]
    assert q_p["population"].iloc[0] - q_y == 324_202


def test_nisp_d1_sixty_percent_is_the_under_25_share(age):
    claim = demography.nisp_youth_claim(age=age)
    best = claim[claim["closest"]].iloc[0]
    assert best["youth_ages"] == "0-24" and round(best["share"], 4) == 0.5912
    youth_defs = claim[claim["youth_ages"].isin(["15-24", "15-29"])]
    assert (youth_defs["share"] < 0.40).all()
