"""Tests of workbench.indicators.youth on test-built age tables and on the mirrored 2023 census."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DataValidationError, ParameterError
from workbench.indicators.youth import aggregate_shares, youth_bulge, youth_share

# ---------------------------------------------------------------------------
# builders of test-only age tables
# ---------------------------------------------------------------------------


def single_year_table(counts, unit="U", sex="all_sexes", residence="overall", top=75, total=True):
    """Rows for ages 0..top-1 (single years) and top+ (open), plus a total row.

    ``counts`` has ``top + 1`` numbers: ages 0..top-1 then the open group.
    """
    assert len(counts) == top + 1
    rows = [(unit, float(a), float(a), sex, residence, float(c)) for a, c in enumerate(counts[:-1])]
    rows.append((unit, float(top), np.nan, sex, residence, float(counts[-1])))
    if total:
        rows.append((unit, np.nan, np.nan, sex, residence, float(np.nansum(counts))))
    return pd.DataFrame(rows, columns=["unit_id", "age_min", "age_max", "sex", "residence", "population"])


def groups_table(groups, unit="U", total=None):
    """Rows from (age_min, age_max, population) triples; age_max None for open-ended."""
    rows = [(unit, float(a), np.nan if b is None else float(b), float(p)) for a, b, p in groups]
    if total is not None:
        rows.append((unit, np.nan, np.nan, float(total)))
    return pd.DataFrame(rows, columns=["unit_id", "age_min", "age_max", "population"])


COUNTS = [100 + a for a in range(75)] + [500]  # ages 0..74 and 75+


def expected(lo, hi, counts=COUNTS):
    return float(sum(counts[lo:hi + 1]))


# ---------------------------------------------------------------------------
# the measures
# ---------------------------------------------------------------------------


def test_youth_share_and_bulge_on_a_built_table():
    df = single_year_table(COUNTS)
    share = youth_share(df)
    assert list(share.columns) == ["unit_id", "sex", "residence", "measure", "youth_ages", "denominator_ages",
                                   "youth_pop", "denominator_pop", "share", "n_missing_cells"]
    row = share.iloc[0]
    assert row["youth_pop"] == expected(15, 29)  # sum of 115..129 = 1830
    assert row["youth_pop"] == 1830.0
    assert row["denominator_pop"] == sum(COUNTS)
    assert row["share"] == 1830.0 / sum(COUNTS)
    assert (row["measure"], row["youth_ages"], row["denominator_ages"]) == ("youth_share", "15-29", "all ages")
    bulge = youth_bulge(df).iloc[0]
    assert bulge["youth_pop"] == expected(15, 24)
    assert bulge["denominator_pop"] == sum(COUNTS[15:])
    assert bulge["share"] == expected(15, 24) / sum(COUNTS[15:])
    assert bulge["denominator_ages"] == "15+"


def test_other_age_ranges_and_the_open_group():
    df = single_year_table(COUNTS)
    assert youth_share(df, lo=0, hi=29).iloc[0]["youth_pop"] == expected(0, 29)
    assert youth_bulge(df, lo=20, hi=24, adult_min=18).iloc[0]["denominator_pop"] == sum(COUNTS[18:])
    # A youth range ending where the open group starts is fine; one reaching into it is not.
    assert youth_share(df, lo=60, hi=74).iloc[0]["youth_pop"] == expected(60, 74)
    with pytest.raises(DataValidationError, match=r"age group 75\+ straddles the upper youth bound"):
        youth_share(df, lo=60, hi=80)


def test_five_year_groups_give_the_same_result_as_single_years():
    single = single_year_table(COUNTS)
    groups = [(a, a + 4, sum(COUNTS[a:a + 5])) for a in range(0, 75, 5)] + [(75, None, COUNTS[75])]
    grouped = groups_table(groups, total=sum(COUNTS))
    for f, kw in ((youth_share, {}), (youth_bulge, {}), (youth_share, {"lo": 15, "hi": 34})):
        a, b = f(single, **kw).iloc[0], f(grouped, **kw).iloc[0]
        assert (a["youth_pop"], a["denominator_pop"], a["share"]) == (b["youth_pop"], b["denominator_pop"],
                                                                       b["share"])


def test_one_row_per_cell_and_default_by():
    df = pd.concat([
        single_year_table(COUNTS, unit="A", sex="male"),
        single_year_table([2 * c for c in COUNTS], unit="A", sex="female"),
        single_year_table(COUNTS, unit="B", sex="male", residence="rural"),
    ], ignore_index=True)
    out = youth_share(df)
    assert list(zip(out["unit_id"], out["sex"], out["residence"], strict=True)) == [
        ("A", "female", "overall"), ("A", "male", "overall"), ("B", "male", "rural")]
    assert out["youth_pop"].tolist() == [2 * expected(15, 29), expected(15, 29), expected(15, 29)]
    # by=['unit_id'] while unit A has two sexes: rows of A would be double counted.
    with pytest.raises(DataValidationError, match=r"appears more than once.*perhaps \['sex'") as err:
        youth_share(df, by=["unit_id"], source="ages.csv")
    assert err.value.file == "ages.csv" and len(err.value.failure_cases) > 1


def test_by_as_string_and_whole_table():
    df = single_year_table(COUNTS)
    assert youth_share(df, by="unit_id")["unit_id"].tolist() == ["U"]
    whole = youth_share(df.drop(columns=["unit_id", "sex", "residence"]))
    assert list(whole.columns[:1]) == ["measure"] and whole.loc[0, "youth_pop"] == expected(15, 29)


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


def test_straddling_group_is_an_error():
    groups = [(0, 9, 10), (10, 19, 10), (20, 29, 10), (30, None, 10)]
    with pytest.raises(DataValidationError, match=r"age group 10-19 straddles the lower youth bound") as err:
        youth_share(groups_table(groups), source="t.csv")
    assert err.value.row == "index 1" and err.value.column == "age_min" and err.value.file == "t.csv"
    # 20-29 straddles the upper bound of 15-24 (a group must start at 25).
    groups = [(0, 14, 10), (15, 19, 10), (20, 29, 10), (30, None, 10)]
    with pytest.raises(DataValidationError, match="20-29 straddles the upper youth bound"):
        youth_bulge(groups_table(groups))
    # ... and 10-19 the denominator's lower bound 15 even when the youth range is 20-24.
    groups = [(0, 9, 10), (10, 19, 10), (20, 24, 10), (25, None, 10)]
    with pytest.raises(DataValidationError, match="straddles the lower bound of the denominator"):
        youth_bulge(groups_table(groups), lo=20, hi=24, adult_min=15)


def test_missing_single_age_is_an_error():
    df = single_year_table(COUNTS)
    df = df[df["age_min"] != 17]
    with pytest.raises(DataValidationError, match=r"age 17 is missing \(no row between 16 and 18\)") as err:
        youth_share(df, source="t.csv")
    assert err.value.row == "index 18" and err.value.column == "age_min"
    groups = [(0, 14, 1), (20, 24, 1), (25, None, 1)]
    with pytest.raises(DataValidationError, match=r"ages 15-19 are missing \(no row between 0-14 and 20-24\)"):
        youth_share(groups_table(groups))
    df = single_year_table(COUNTS).query("age_min != 0 or age_min != age_min")
    with pytest.raises(DataValidationError, match="age 0 is missing"):
        youth_share(df)


def test_overlap_open_group_and_completeness_errors():
    with pytest.raises(DataValidationError, match="5-14 overlaps 0-9"):
        youth_share(groups_table([(0, 9, 1), (5, 14, 1), (15, None, 1)]))
    with pytest.raises(DataValidationError, match=r"open-ended group 60\+ is not the oldest"):
        youth_share(groups_table([(0, 59, 1), (60, None, 1), (61, 70, 1)]))
    with pytest.raises(DataValidationError, match="closed and there is no total row"):
        youth_share(groups_table([(0, 14, 1), (15, 29, 1), (30, 99, 1)]))
    # A closed top group is fine when a total row shows the table is complete.
    out = youth_share(groups_table([(0, 14, 1), (15, 29, 1), (30, 99, 1)], total=3))
    assert out.loc[0, "share"] == 1 / 3
    with pytest.raises(DataValidationError, match="no age rows"):
        youth_share(groups_table([], total=3))


def test_total_row_must_match():
    df = single_year_table(COUNTS)
    df.loc[df["age_min"].isna(), "population"] += 7
    # sum(COUNTS) = 75 * 100 + (0 + ... + 74) + 500 = 7,500 + 2,775 + 500 = 10,775
    with pytest.raises(DataValidationError, match=r"age rows sum to 10,775 persons but the total row says 10,782") as e:
        youth_share(df, source="t.csv")
    assert e.value.column == "population" and e.value.row == "index 76"
    assert youth_share(df, tolerance=7).loc[0, "denominator_pop"] == sum(COUNTS)


def test_negative_and_missing_counts():
    df = single_year_table(COUNTS)
    df.loc[[3, 20], "population"] = -1.0
    with pytest.raises(DataValidationError, match="negative count") as err:
        youth_share(df, source="t.csv")
    assert err.value.row == "index 3" and err.value.column == "population"
    assert err.value.failure_cases["row"].tolist() == [3, 20]

    df = single_year_table(COUNTS)
    df.loc[20, "population"] = np.nan
    df.loc[df["age_min"].isna(), "population"] -= COUNTS[20]
    with pytest.raises(DataValidationError, match="1 missing population count.*missing='zero'") as err:
        youth_share(df)
    assert err.value.row == "index 20"
    out = youth_share(df, missing="zero")
    assert out.loc[0, "n_missing_cells"] == 1
    assert out.loc[0, "youth_pop"] == expected(15, 29) - COUNTS[20]
    # A cell that is empty throughout (e.g. no rural population) has an undefined share, not 0.
    empty = single_year_table([np.nan] * 76)
    empty.loc[empty["age_min"].isna(), "population"] = np.nan
    out = youth_share(empty, missing="zero")
    assert out.loc[0, "denominator_pop"] == 0 and np.isnan(out.loc[0, "share"])
    assert out.loc[0, "n_missing_cells"] == 77


def test_malformed_ages_and_columns():
    df = single_year_table(COUNTS)
    with pytest.raises(DataValidationError, match="age_max below age_min"):
        youth_share(df.assign(age_max=df["age_max"].where(df.index != 5, 2.0)))
    with pytest.raises(DataValidationError, match="not a whole non-negative age"):
        youth_share(df.assign(age_min=df["age_min"].where(df.index != 5, 5.5)))
    with pytest.raises(DataValidationError, match="age_min is missing while age_max is given"):
        youth_share(df.assign(age_min=df["age_min"].where(df.index != 5, np.nan)))
    with pytest.raises(DataValidationError, match=r"missing column\(s\) \['population'\]"):
        youth_share(df.drop(columns="population"), source="t.csv")
    with pytest.raises(DataValidationError, match="not a number"):
        youth_share(df.astype({"population": object}).assign(population=lambda d: d["population"].where(
            d.index != 4, "n/a")))


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"lo": 30, "hi": 29}, "range 30-29 is empty"),
        ({"lo": 15.5}, "'lo' must be a non-negative whole number"),
        ({"hi": -1}, "'hi' must be a non-negative whole number"),
        ({"missing": "drop"}, "'missing' must be one of"),
        ({"tolerance": -1}, "'tolerance' must be a non-negative"),
    ],
)
def test_bad_parameters(kwargs, pattern):
    with pytest.raises(ParameterError, match=pattern):
        youth_share(single_year_table(COUNTS), **kwargs)


def test_bulge_denominator_must_contain_the_youth_ages():
    with pytest.raises(ParameterError, match="'adult_min' .18. must not exceed 'lo' .15."):
        youth_bulge(single_year_table(COUNTS), adult_min=18)


# ---------------------------------------------------------------------------
# properties: aggregation from counts, scale invariance
# ---------------------------------------------------------------------------

count = st.integers(min_value=0, max_value=10_000)


@settings(deadline=None, max_examples=25)
@given(st.lists(st.lists(count, min_size=76, max_size=76), min_size=1, max_size=5))
def test_aggregate_equals_measure_of_summed_table(units):
    tables = [single_year_table(c, unit=f"d{i}") for i, c in enumerate(units)]
    df = pd.concat(tables, ignore_index=True).assign(province="P")
    summed = df.groupby(["age_min", "age_max"], dropna=False, as_index=False)["population"].sum()
    for f in (youth_share, youth_bulge):
        per_unit = f(df, by=["province", "unit_id"])
        agg = aggregate_shares(per_unit, ["province"]).iloc[0]
        direct = f(summed).iloc[0]
        assert agg["n_units"] == len(units)
        assert agg["youth_pop"] == direct["youth_pop"]
        assert agg["denominator_pop"] == direct["denominator_pop"]
        assert agg["share"] == pytest.approx(direct["share"], nan_ok=True)
        assert (0 <= per_unit["share"].dropna()).all() and (per_unit["share"].dropna() <= 1).all()
        assert (per_unit["youth_pop"] <= per_unit["denominator_pop"]).all()


@settings(deadline=None, max_examples=25)
@given(st.lists(st.integers(1, 10_000), min_size=76, max_size=76), st.integers(2, 50))
def test_shares_unchanged_when_every_count_is_multiplied(counts, k):
    a = youth_share(single_year_table(counts)).iloc[0]
    b = youth_share(single_year_table([k * c for c in counts])).iloc[0]
    assert b["share"] == pytest.approx(a["share"], rel=1e-12)
    assert b["youth_pop"] == k * a["youth_pop"]


def test_aggregate_shares_checks_its_input():
    with pytest.raises(ParameterError, match="lacks column"):
        aggregate_shares(pd.DataFrame({"province": ["P"]}), ["province"])


# ---------------------------------------------------------------------------
# the real 2023 census (mirrored data)
# ---------------------------------------------------------------------------


def _read_age_table(dataset_id: str, unit_column: str) -> tuple[pd.DataFrame, str]:
    from workbench.catalog import resolve_path

    path = resolve_path(dataset_id)
    return pd.read_csv(path).rename(columns={unit_column: "unit_id"}), str(path)


def test_census_2023_province_youth_measures(mirror):
    df, path = _read_age_table("census2023_age_single_province", "province_std")
    # Published empty cells (transgender persons at some ages) are read as zero, and counted.
    share = youth_share(df, source=path, missing="zero")
    bulge = youth_bulge(df, source=path, missing="zero")
    assert len(share) == len(bulge) == 6 * 4 * 3  # units x sexes x residences
    assert share["n_missing_cells"].sum() == df["population"].isna().sum() == 420

    nat = share.query("unit_id == 'PAKISTAN' and sex == 'all_sexes' and residence == 'overall'").iloc[0]
    # The age-table universe documented in census_2023/PROVENANCE.md: 240,458,089 persons.
    assert nat["denominator_pop"] == 240_458_089
    # An independent count from the publisher's age labels ("15" ... "29").
    sub = df.query("unit_id == 'PAKISTAN' and sex == 'all_sexes' and residence == 'overall'")
    labels = [f"{a:02d}" for a in range(15, 30)]
    assert nat["youth_pop"] == sub.loc[sub["age_label_src"].isin(labels), "population"].sum()
    adults = sub.loc[~sub["age_label_src"].isin(["ALL AGES", "BELOW 1", *[f"{a:02d}" for a in range(1, 15)]])]
    nat_b = bulge.query("unit_id == 'PAKISTAN' and sex == 'all_sexes' and residence == 'overall'").iloc[0]
    assert nat_b["denominator_pop"] == adults["population"].sum()
    assert nat_b["youth_pop"] == sub.loc[sub["age_label_src"].isin([f"{a}" for a in range(15, 25)]),
                                         "population"].sum()

    # PAKISTAN equals the five provinces/territories recomputed from their counts.
    for result in (share, bulge):
        provinces = result.query("unit_id != 'PAKISTAN'").assign(country="PAKISTAN")
        agg = aggregate_shares(provinces, ["country", "sex", "residence"])
        nat_rows = result.query("unit_id == 'PAKISTAN'").sort_values(["sex", "residence"])
        assert agg["youth_pop"].tolist() == nat_rows["youth_pop"].tolist()
        assert agg["denominator_pop"].tolist() == nat_rows["denominator_pop"].tolist()
        assert np.allclose(agg["share"], nat_rows["share"], rtol=1e-12)

    # Without missing='zero' the empty cells are an error naming the file.
    with pytest.raises(DataValidationError, match="420 missing population count") as err:
        youth_share(df, source=path)
    assert err.value.file == path


def test_census_2023_districts_sum_to_provinces(mirror):
    districts, dpath = _read_age_table("census2023_age_single_district", "district_src")
    provinces, ppath = _read_age_table("census2023_age_single_province", "province_std")
    by_d = youth_bulge(districts, by=["province_std", "unit_id", "sex", "residence"], source=dpath, missing="zero")
    assert by_d[["province_std", "unit_id"]].drop_duplicates().shape[0] == 136
    agg = aggregate_shares(by_d, ["province_std", "sex", "residence"]).rename(columns={"province_std": "unit_id"})
    direct = youth_bulge(provinces.query("unit_id != 'PAKISTAN'"), source=ppath, missing="zero")
    merged = agg.merge(direct, on=["unit_id", "sex", "residence", "measure", "youth_ages", "denominator_ages"],
                       validate="one_to_one")
    assert len(merged) == 5 * 4 * 3
    assert (merged["youth_pop_x"] == merged["youth_pop_y"]).all()
    assert (merged["denominator_pop_x"] == merged["denominator_pop_y"]).all()
