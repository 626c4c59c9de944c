"""Crosswalks conserve totals, refuse rates, and map every vintage to the stable set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.catalog import resolve_path
from workbench.errors import ParameterError, UnknownUnitError
from workbench.geo.crosswalk import crosswalk_table, looks_like_rate, to_current_layout, to_provinces, to_stable
from workbench.geo.units import DISTRICT_VINTAGES, PROVINCE_IDS, load_registry

REG = load_registry()
DISTRICT_IDS = {v: REG.districts(v)["unit_id"].tolist() for v in DISTRICT_VINTAGES}
ALL_DISTRICTS = [u for v in DISTRICT_VINTAGES for u in DISTRICT_IDS[v]]
PRE2018 = list(PROVINCE_IDS)
TABLE = pd.concat([crosswalk_table(v, registry=REG) for v in DISTRICT_VINTAGES])

counts = st.integers(min_value=0, max_value=10**9)


@st.composite
def district_frames(draw, ids: list[str] | None = None):
    """A frame of random counts for random districts (any vintages) and years, duplicates allowed."""
    pool = ids or ALL_DISTRICTS
    n = draw(st.integers(min_value=1, max_value=60))
    units = draw(st.lists(st.sampled_from(pool), min_size=n, max_size=n))
    years = draw(st.lists(st.integers(min_value=2004, max_value=2006), min_size=n, max_size=n))
    a = draw(st.lists(counts, min_size=n, max_size=n))
    b = draw(st.lists(counts, min_size=n, max_size=n))
    return pd.DataFrame({"unit_id": units, "year": years, "events": a, "deaths": b})


@settings(deadline=None, max_examples=60)
@given(district_frames())
def test_to_stable_conserves_totals_and_matches_the_crosswalk_table(df):
    out = to_stable(df, value_cols=["events", "deaths"], by=["year"], registry=REG)
    assert out["unit_id"].str.startswith("stable/").all()
    assert not out.duplicated(["year", "unit_id"]).any()
    for col in ("events", "deaths"):
        assert out.groupby("year")[col].sum().to_dict() == df.groupby("year")[col].sum().to_dict()
    # independently: join the explicit table and sum
    joined = df.merge(TABLE, left_on="unit_id", right_on="from_unit_id", how="left", validate="many_to_one")
    assert joined["to_unit_id"].notna().all()
    expected = joined.groupby(["year", "to_unit_id"])[["events", "deaths"]].sum()
    got = out.set_index(["year", "unit_id"])[["events", "deaths"]]
    got.index.names = expected.index.names
    pd.testing.assert_frame_equal(got.sort_index(), expected.sort_index(), check_dtype=False)


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(PRE2018), st.integers(2015, 2017), counts), min_size=1, max_size=40))
def test_to_current_layout_folds_fata_into_kp_and_conserves_totals(rows):
    df = pd.DataFrame(rows, columns=["unit_id", "year", "deaths"])
    out = to_current_layout(df, value_cols=["deaths"], by=["year"], registry=REG)
    assert "PK-TA" not in set(out["unit_id"])
    assert out.groupby("year")["deaths"].sum().to_dict() == df.groupby("year")["deaths"].sum().to_dict()
    got = out.set_index(["year", "unit_id"])["deaths"]
    for (year, unit), value in got.items():
        parts = ["PK-KP", "PK-TA"] if unit == "PK-KP" else [unit]
        assert value == df.loc[df["year"].eq(year) & df["unit_id"].isin(parts), "deaths"].sum()


@settings(deadline=None, max_examples=40)
@given(district_frames(), st.sampled_from(["pre2018", "current"]))
def test_to_provinces_conserves_totals(df, layout):
    out = to_provinces(df, value_cols=["events"], by=["year"], layout=layout, registry=REG)
    allowed = set(PROVINCE_IDS) - ({"PK-TA"} if layout == "current" else set())
    assert set(out["unit_id"]) <= allowed
    assert out["events"].sum() == df["events"].sum()


def test_fata_units_go_to_fata_before_2018_and_to_kp_after():
    df = pd.DataFrame({"unit_id": ["census2017/fr_kohat", "census2017/kohat", "census2017/bajaur", "census2023/kohat"],
                       "n": [1, 10, 100, 1000]})
    pre = to_provinces(df, value_cols=["n"], layout="pre2018", registry=REG).set_index("unit_id")["n"]
    cur = to_provinces(df, value_cols=["n"], layout="current", registry=REG).set_index("unit_id")["n"]
    # census2023/kohat holds the former FR Kohat but counts for KP before 2018 (documented)
    assert pre.to_dict() == {"PK-KP": 1010, "PK-TA": 101}
    assert cur.to_dict() == {"PK-KP": 1111}


def test_missing_values_propagate_unless_skipped():
    df = pd.DataFrame({"unit_id": ["census2023/karachi_west", "census2023/keamari", "census2023/swat"],
                       "n": pd.array([5, None, 7], dtype="Int64")})
    out = to_stable(df, value_cols=["n"], registry=REG).set_index("unit_id")["n"]
    assert pd.isna(out["stable/karachi"]) and out["stable/swat"] == 7
    skipped = to_stable(df, value_cols=["n"], registry=REG, missing="skip").set_index("unit_id")["n"]
    assert skipped["stable/karachi"] == 5
    with pytest.raises(ParameterError, match="missing"):
        to_stable(df, value_cols=["n"], registry=REG, missing="zero")


@pytest.mark.parametrize("column", ["Poverty Rate (%)", "povrate", "share_15_24_of_total", "literacy_pct",
                                    "sex_ratio", "deaths_per_100k", "avg_household_size", "urban_prop"])
def test_rates_are_refused_with_the_reason(column):
    df = pd.DataFrame({"unit_id": ["census2023/swat"], column: [0.5]})
    with pytest.raises(ParameterError, match="numerator and denominator"):
        to_stable(df, value_cols=[column], registry=REG)
    assert looks_like_rate(column)


@pytest.mark.parametrize("column", ["events", "deaths_best", "toilet_separate", "Number of poor (1,000s)",
                                    "povertyheadcount", "pop_2017", "Literate >=10"])
def test_counts_are_not_mistaken_for_rates(column):
    assert not looks_like_rate(column)


def test_bad_inputs_are_refused_with_a_message():
    df = pd.DataFrame({"unit_id": ["census2023/swat", "PK-KP"], "n": [1, 2], "label": ["a", "b"]})
    with pytest.raises(ParameterError, match="no single stable unit"):
        to_stable(df, value_cols=["n"], registry=REG)
    with pytest.raises(ParameterError, match="not numeric"):
        to_stable(df.iloc[:1], value_cols=["label"], registry=REG)
    with pytest.raises(ParameterError, match="not in the frame"):
        to_stable(df.iloc[:1], value_cols=["deaths"], registry=REG)
    with pytest.raises(ParameterError, match="to_provinces"):
        to_current_layout(df, value_cols=["n"], registry=REG)
    with pytest.raises(ParameterError, match="negative"):
        to_stable(df.iloc[:1].assign(n=-1), value_cols=["n"], registry=REG)
    placeholder = pd.DataFrame({"unit_id": ["d4p/jammu_and_kashmir"], "n": [0]})
    with pytest.raises(ParameterError, match="Jammu & Kashmir"):
        to_stable(placeholder, value_cols=["n"], registry=REG)


def test_unknown_unit_ids_name_the_row():
    df = pd.DataFrame({"unit_id": ["census2023/swat", "Swat"], "n": [1, 2]}, index=[7, 8])
    with pytest.raises(UnknownUnitError) as info:
        to_stable(df, value_cols=["n"], registry=REG)
    assert info.value.row == 8 and "'Swat'" in str(info.value) and "resolve_series" in str(info.value)


def test_crosswalk_table_covers_each_vintage_once():
    stable = set(DISTRICT_IDS["stable"])
    for vintage in DISTRICT_VINTAGES:
        table = crosswalk_table(vintage, registry=REG)
        assert table["from_unit_id"].is_unique and set(table["from_unit_id"]) == set(DISTRICT_IDS[vintage])
        assert set(table["to_unit_id"]) <= stable and table["to_name"].notna().all()
    provinces = crosswalk_table("province", "current", registry=REG).set_index("from_unit_id")["to_unit_id"]
    assert provinces["PK-TA"] == "PK-KP" and (provinces.drop("PK-TA") == provinces.drop("PK-TA").index).all()
    with pytest.raises(ParameterError):
        crosswalk_table("province", "stable", registry=REG)
    with pytest.raises(ParameterError, match="from_vintage"):
        crosswalk_table("census1998", registry=REG)


def test_real_census_2023_population_is_conserved_in_the_stable_set(mirror):
    summary = pd.read_csv(resolve_path("census2023_district_summary"))
    summary["unit_id"] = REG.resolve_series(summary["district_src"], source="census2023", level="district")
    out = to_stable(summary, value_cols=["pop_2023", "households"], registry=REG)
    assert out["pop_2023"].sum() == summary["pop_2023"].sum() == 241_499_431
    assert len(out) == 114  # every stable unit but AJK and GB (not enumerated)
    karachi = summary.loc[summary["division_src"].eq("Karachi"), "pop_2023"].sum()
    assert out.set_index("unit_id").at["stable/karachi", "pop_2023"] == karachi
    assert np.issubdtype(out["pop_2023"].dtype, np.integer)


def test_real_d4p_2004_poor_counts_move_to_the_stable_set(mirror):
    d = pd.read_csv(resolve_path("d4p_indicators"))
    d = d[d["Year"].eq(2004) & d["Number of poor (1,000s)"].notna()].copy()
    d["unit_id"] = REG.resolve_series(d["District"], source="d4p", level="district")
    out = to_stable(d, value_cols=["Number of poor (1,000s)"], by=["Year"], registry=REG)
    assert out["Number of poor (1,000s)"].sum() == pytest.approx(d["Number of poor (1,000s)"].sum())
    assert out["unit_id"].is_unique
