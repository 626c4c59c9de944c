"""Tests of workbench.indicators.inequality: worked examples, an independent implementation, properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DataValidationError, ParameterError
from workbench.indicators.inequality import (
    cv,
    gini,
    inequality_table,
    max_min_ratio,
    theil_decomposition,
    theil_l,
    theil_t,
    williamson,
)

# ---------------------------------------------------------------------------
# strategies
# ---------------------------------------------------------------------------

positive = st.floats(min_value=0.01, max_value=1e4, allow_nan=False, allow_infinity=False)
weight = st.floats(min_value=0.1, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def weighted(draw, min_size=1, max_size=25):
    n = draw(st.integers(min_size, max_size))
    y = draw(st.lists(positive, min_size=n, max_size=n))
    w = draw(st.lists(weight, min_size=n, max_size=n))
    return np.array(y), np.array(w)


@st.composite
def grouped(draw):
    y, w = draw(weighted(min_size=2, max_size=25))
    g = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=len(y), max_size=len(y)))
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(len(y))], "v": y, "w": w, "g": g})


# ---------------------------------------------------------------------------
# an independent (slow, textbook) implementation
# ---------------------------------------------------------------------------


def gini_pairwise(y, w):
    """G = sum_i sum_j p_i p_j |y_i - y_j| / (2 mu), by brute force over all pairs."""
    p = np.asarray(w, float) / np.sum(w)
    y = np.asarray(y, float)
    mu = float(p @ y)
    return float(np.sum(np.outer(p, p) * np.abs(y[:, None] - y[None, :])) / (2 * mu))


def theil_t_direct(y, w):
    p = np.asarray(w, float) / np.sum(w)
    s = np.asarray(y, float) / float(p @ y)
    return float(sum(pi * si * math.log(si) for pi, si in zip(p, s, strict=True) if si > 0))


def theil_l_direct(y, w):
    p = np.asarray(w, float) / np.sum(w)
    mu = float(p @ y)
    return float(sum(pi * math.log(mu / yi) for pi, yi in zip(p, y, strict=True)))


# ---------------------------------------------------------------------------
# worked examples from the literature and by hand
# ---------------------------------------------------------------------------


def test_gini_textbook_one_to_five():
    # Unweighted population formula: sum over all ordered pairs |y_i - y_j| = 40,
    # mean absolute difference 40 / 5**2 = 1.6, G = 1.6 / (2 * mean 3) = 4/15 = 0.2667.
    assert gini([1, 2, 3, 4, 5]) == pytest.approx(4 / 15, abs=1e-15)
    assert round(gini([1, 2, 3, 4, 5]), 4) == 0.2667


def test_gini_and_theil_maximum_when_one_unit_holds_everything():
    # Cowell, Measuring Inequality (3rd ed., 2011), ch. 3: in a population of n the
    # Gini reaches 1 - 1/n and Theil T reaches ln n when one person holds everything.
    for n in (2, 5, 40):
        y = [0.0] * (n - 1) + [1.0]
        assert gini(y) == pytest.approx(1 - 1 / n, rel=1e-12)
        assert theil_t(y) == pytest.approx(math.log(n), rel=1e-12)


def test_theil_two_person_by_hand():
    # y = (1, 3): mean 2, income ratios s = (1/2, 3/2).
    t = 0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5))  # = 0.130812
    l_ = 0.5 * (math.log(2 / 1) + math.log(2 / 3))  # = 0.5 ln(4/3) = 0.143841
    assert theil_t([1, 3]) == pytest.approx(t, rel=1e-13)
    assert theil_l([1, 3]) == pytest.approx(l_, rel=1e-13)
    assert round(theil_t([1, 3]), 6) == 0.130812
    assert round(theil_l([1, 3]), 6) == 0.143841


def test_against_inequality_jl_reference_values():
    # Values printed in the docstrings of the Julia package Inequality.jl
    # (JosepER/Inequality.jl, src/Gini.jl, src/Theil.jl, src/Mld.jl): a second,
    # independent implementation of the same (population, weighted) formulas.
    y = [8, 5, 1, 3, 5, 6, 7, 6, 3]
    w = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
    assert gini(y) == pytest.approx(0.2373737373737374, rel=1e-12)
    assert gini(y, w) == pytest.approx(0.20652395514780775, rel=1e-12)
    assert theil_t(y) == pytest.approx(0.10494562214323544, rel=1e-12)
    assert theil_t(y, w) == pytest.approx(0.08120013911680612, rel=1e-12)
    assert theil_l(y) == pytest.approx(0.1397460530936332, rel=1e-12)
    assert theil_l(y, w) == pytest.approx(0.10375545537468207, rel=1e-12)


def test_williamson_by_hand():
    # Williamson (1965): V_w = sqrt(sum (y_i - ybar)^2 f_i / n) / ybar, ybar the national mean.
    # Regions y = (2, 4) with populations (3, 1): ybar = (6 + 4) / 4 = 2.5,
    # variance = (3 * 0.25 + 1 * 2.25) / 4 = 0.75, V_w = sqrt(0.75) / 2.5 = 0.34641.
    assert williamson([2, 4], [3, 1]) == pytest.approx(math.sqrt(0.75) / 2.5, rel=1e-14)
    # Unweighted V_uw: mean 3, population sd 1, V = 1/3.
    assert cv([2, 4]) == pytest.approx(1 / 3, rel=1e-14)


def test_max_min_ratio():
    assert max_min_ratio([2.0, 5.0, 8.0]) == 4.0
    assert max_min_ratio(pd.Series([3.0])) == 1.0


def test_weighted_equals_replicated():
    # Integer population weights are the same as repeating each unit that many times.
    y, w = [2.0, 7.0, 3.5], [3, 1, 2]
    rep = np.repeat(y, w)
    for f in (gini, theil_t, theil_l, cv):
        assert f(y, w) == pytest.approx(f(rep), rel=1e-12)


# ---------------------------------------------------------------------------
# errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: gini([]), "'values' is empty"),
        (lambda: gini([1.0, float("nan")]), r"'values' has 1 missing \(NaN\).*position 1"),
        (lambda: theil_t([1.0, -2.0]), r"'values' has 1 negative.*-2\.0 at position 1"),
        (lambda: gini([1.0, 2.0], [1.0, 0.0]), r"'weights' has 1 zero or negative.*position 1"),
        (lambda: gini([1.0, 2.0], [1.0, float("nan")]), r"'weights' has a missing"),
        (lambda: gini([1.0, 2.0], [1.0]), r"'weights' must have one weight per value: expected 2"),
        (lambda: theil_l([1.0, 0.0]), r"'values' has 1 zero value.*position 1"),
        (lambda: cv([0.0, 0.0]), "every value is zero"),
        (lambda: max_min_ratio([0.0, 3.0]), "smallest value is zero"),
        (lambda: williamson([1.0, 2.0], None), "'weights' is required"),
        (lambda: gini([[1.0, 2.0]]), "one-dimensional"),
        (lambda: gini(["a", "b"]), "must hold numbers"),
    ],
)
def test_bad_arguments_raise_parameter_error(call, pattern):
    with pytest.raises(ParameterError, match=pattern):
        call()


def test_series_errors_name_the_index_label():
    with pytest.raises(ParameterError, match="index label 'Quetta'"):
        gini(pd.Series([1.0, float("nan")], index=["Lahore", "Quetta"]))


def test_frame_errors_name_row_and_column():
    df = pd.DataFrame({"unit_id": ["a", "b", "c"], "v": [1.0, None, 2.0], "w": [1, 2, 3], "g": ["x", "x", "y"]})
    with pytest.raises(DataValidationError) as err:
        theil_decomposition(df, "v", "w", "g", source="test.csv")
    assert err.value.file == "test.csv" and err.value.column == "v" and err.value.row == "index 1"
    df = df.assign(v=[1.0, 2.0, 3.0], w=[1, 0, 3])
    with pytest.raises(DataValidationError, match="zero or negative weight") as err:
        inequality_table(df, "v", "w", by=[])
    assert err.value.column == "w"
    with pytest.raises(ParameterError, match="'index' must be one of"):
        theil_decomposition(df.assign(w=1), "v", "w", "g", index="X")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"argument 'group': no column 'province'"):
        theil_decomposition(df.assign(w=1), "v", "w", "province")
    with pytest.raises(DataValidationError, match="unit without a group"):
        theil_decomposition(df.assign(w=1, g=["x", None, "y"]), "v", "w", "g")


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(weighted())
def test_matches_independent_implementation(yw):
    y, w = yw
    assert gini(y, w) == pytest.approx(gini_pairwise(y, w), rel=1e-9, abs=1e-12)
    assert theil_t(y, w) == pytest.approx(theil_t_direct(y, w), rel=1e-7, abs=1e-12)
    assert theil_l(y, w) == pytest.approx(theil_l_direct(y, w), rel=1e-7, abs=1e-12)


@settings(deadline=None)
@given(weighted(), st.floats(min_value=1e-3, max_value=1e3), st.floats(min_value=1e-3, max_value=1e3))
def test_scale_invariance(yw, a, b):
    y, w = yw
    for f in (gini, theil_t, theil_l, cv):
        assert f(y * a, w * b) == pytest.approx(f(y, w), rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(weighted(max_size=12), st.integers(2, 4))
def test_population_replication_invariance(yw, k):
    y, w = yw
    for f in (gini, theil_t, theil_l, cv):
        assert f(np.tile(y, k), np.tile(w, k)) == pytest.approx(f(y, w), rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(positive, st.lists(weight, min_size=1, max_size=20))
def test_zero_for_perfect_equality(value, w):
    y = [value] * len(w)
    for f in (gini, theil_t, theil_l, cv):
        assert f(y, w) == pytest.approx(0.0, abs=1e-12)
        assert f(y, w) >= 0.0
    assert max_min_ratio(y) == 1.0


@settings(deadline=None)
@given(weighted(), st.randoms(use_true_random=False))
def test_bounds_and_permutation_invariance(yw, rnd):
    y, w = yw
    g = gini(y, w)
    assert 0.0 <= g < 1.0
    assert g <= 1 - w.min() / w.sum() + 1e-12
    assert theil_t(y, w) >= 0.0 and theil_l(y, w) >= 0.0 and cv(y, w) >= 0.0
    order = list(range(len(y)))
    rnd.shuffle(order)
    for f in (gini, theil_t, theil_l, cv):
        assert f(y[order], w[order]) == pytest.approx(f(y, w), rel=1e-12, abs=1e-15)


@settings(deadline=None, max_examples=80)
@given(grouped())
def test_decomposition_is_exact(df):
    for index, f in (("T", theil_t), ("L", theil_l)):
        dec = theil_decomposition(df, "v", "w", "g", index=index)
        assert dec.total == pytest.approx(f(df["v"], df["w"]), rel=1e-12, abs=1e-15)
        assert dec.between + dec.within == pytest.approx(dec.total, rel=1e-9, abs=1e-12)
        assert dec.between >= 0.0 and dec.within >= 0.0
        assert dec.by_group["within_contribution"].sum() == pytest.approx(dec.within, rel=1e-9, abs=1e-12)
        assert dec.by_group["between_term"].sum() == pytest.approx(dec.between, rel=1e-9, abs=1e-12)
        assert dec.by_group["weight"].sum() == pytest.approx(df["w"].sum())
        assert dec.by_group["n_units"].sum() == len(df)
        for _, row in dec.by_group.iterrows():
            sub = df[df["g"] == row["g"]]
            assert row["theil"] == pytest.approx(f(sub["v"], sub["w"]), rel=1e-12, abs=1e-15)


def test_decomposition_extremes():
    # Equal values inside each group: all inequality is between groups.
    df = pd.DataFrame({"v": [1.0, 1.0, 4.0, 4.0], "w": [1, 2, 3, 4], "g": ["a", "a", "b", "b"]})
    dec = theil_decomposition(df, "v", "w", "g")
    assert dec.within == 0.0 and dec.between == pytest.approx(dec.total) and dec.between_share == pytest.approx(1)
    # Equal group means: all inequality is within groups.
    df = pd.DataFrame({"v": [1.0, 3.0, 1.0, 3.0], "w": [1, 1, 2, 2], "g": ["a", "a", "b", "b"]})
    dec = theil_decomposition(df, "v", "w", "g", index="L")
    assert dec.between == pytest.approx(0.0, abs=1e-15) and dec.within == pytest.approx(dec.total)


def test_decomposition_allows_a_group_of_zeros_in_theil_t():
    df = pd.DataFrame({"v": [0.0, 0.0, 2.0, 6.0], "w": [1, 1, 1, 1], "g": ["a", "a", "b", "b"]})
    dec = theil_decomposition(df, "v", "w", "g", index="T")
    assert dec.between + dec.within == pytest.approx(dec.total)
    assert np.isnan(dec.by_group.loc[0, "theil"]) and dec.by_group.loc[0, "within_contribution"] == 0.0


# ---------------------------------------------------------------------------
# the tidy table
# ---------------------------------------------------------------------------


def _panel():
    return pd.DataFrame(
        {
            "year": [2017, 2017, 2017, 2017, 2023, 2023, 2023],
            "unit_id": ["d1", "d2", "d3", "d4", "d1", "d2", "d3"],
            "province": ["P", "P", "Q", "Q", "P", "P", "Q"],
            "rate": [1.0, 2.0, 4.0, 9.0, 3.0, 0.0, 5.0],
            "pop": [100, 300, 50, 25, 120, 310, 60],
        }
    )


def test_inequality_table_matches_the_scalar_functions():
    df = _panel()
    table = inequality_table(df, "rate", "pop", by=["year"], group="province")
    assert list(table["year"]) == [2017, 2023]
    first = table.iloc[0]
    sub = df[df["year"] == 2017]
    assert first["n_units"] == 4 and first["units"] == "d1; d2; d3; d4"
    assert first["total_weight"] == 475.0
    assert first["mean"] == pytest.approx(np.average(sub["rate"], weights=sub["pop"]))
    assert first["gini"] == pytest.approx(gini(sub["rate"], sub["pop"]))
    assert first["theil_t"] == pytest.approx(theil_t(sub["rate"], sub["pop"]))
    assert first["theil_l"] == pytest.approx(theil_l(sub["rate"], sub["pop"]))
    assert first["cv"] == pytest.approx(cv(sub["rate"]))
    assert first["williamson"] == pytest.approx(williamson(sub["rate"], sub["pop"]))
    assert first["max_min"] == 9.0
    dec = theil_decomposition(sub, "rate", "pop", "province", index="L")
    assert first["theil_l_between"] == pytest.approx(dec.between)
    assert first["theil_l_between_share"] == pytest.approx(dec.between_share)
    assert first["theil_t_between"] + first["theil_t_within"] == pytest.approx(first["theil_t"])
    assert first["undefined"] == ""
    # 2023 has a zero rate: Theil L and max/min are undefined and say so.
    second = table.iloc[1]
    assert np.isnan(second["theil_l"]) and np.isnan(second["max_min"]) and np.isnan(second["theil_l_between"])
    assert "theil_l, max_min" in second["undefined"]
    assert second["gini"] == pytest.approx(gini([3.0, 0.0, 5.0], [120, 310, 60]))


def test_inequality_table_whole_table_unweighted_and_duplicates():
    df = _panel()[lambda d: d["year"] == 2017]
    table = inequality_table(df, "rate", None, by=[])
    assert len(table) == 1 and "year" not in table.columns
    assert table.loc[0, "gini"] == pytest.approx(gini(df["rate"]))
    assert np.isnan(table.loc[0, "williamson"]) and "williamson" in table.loc[0, "undefined"]
    with pytest.raises(DataValidationError, match="unit 'd1' appears more than once") as err:
        inequality_table(pd.concat([df, df.iloc[[0]]]), "rate", "pop", by=["year"], source="panel.csv")
    assert err.value.column == "unit_id" and len(err.value.failure_cases) == 2
    with pytest.raises(ParameterError, match=r"argument 'by\[0\]': no column 'census'"):
        inequality_table(df, "rate", "pop", by=["census"])
