"""Tests of workbench.indicators.violence: rates, lethality and their aggregation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DataValidationError, ParameterError
from workbench.indicators.violence import (
    aggregate_lethality,
    aggregate_rates,
    lethality,
    n_undefined_rates,
    rate_per_100k,
)

NAN = float("nan")

# ---------------------------------------------------------------------------
# rates
# ---------------------------------------------------------------------------


def test_rate_per_100k_scalars_arrays_series():
    assert rate_per_100k(5, 250_000) == 2.0  # 5 / 250,000 * 100,000
    assert isinstance(rate_per_100k(5, 250_000), float)
    out = rate_per_100k(np.array([1.0, 30.0]), np.array([50_000.0, 1_500_000.0]))
    assert isinstance(out, np.ndarray) and out.tolist() == [2.0, 2.0]
    s = rate_per_100k(pd.Series([3, 0], index=["Quetta", "Lahore"]), pd.Series([300_000, 11_000_000],
                                                                             index=["Quetta", "Lahore"]))
    assert isinstance(s, pd.Series) and s.index.tolist() == ["Quetta", "Lahore"] and s.tolist() == [1.0, 0.0]


def test_undefined_rates_are_nan_never_zero_or_inf():
    count = [4.0, 0.0, 3.0, NAN, 2.0]
    population = [0.0, 0.0, NAN, 1000.0, 1000.0]
    out = rate_per_100k(count, population)
    assert np.isnan(out[:4]).all() and out[4] == 200.0
    assert not np.isinf(out).any()
    assert n_undefined_rates(count, population) == 4
    assert n_undefined_rates(5, 0) == 1 and n_undefined_rates(5, 10) == 0


def test_rate_argument_errors():
    with pytest.raises(ParameterError, match=r"'count' has 1 negative value.*position 1"):
        rate_per_100k([1, -2], [10, 10])
    with pytest.raises(ParameterError, match=r"'population' has 1 negative.*index label 'b'"):
        rate_per_100k(pd.Series([1, 2], index=["a", "b"]), pd.Series([10, -10], index=["a", "b"]))
    with pytest.raises(ParameterError, match="differ in length"):
        rate_per_100k([1, 2, 3], [10, 10])
    with pytest.raises(ParameterError, match="different indexes"):
        rate_per_100k(pd.Series([1], index=["a"]), pd.Series([10], index=["b"]))
    with pytest.raises(ParameterError, match="infinite"):
        rate_per_100k([1], [np.inf])
    with pytest.raises(ParameterError, match="must hold numbers"):
        rate_per_100k(["x"], [1])


# ---------------------------------------------------------------------------
# lethality
# ---------------------------------------------------------------------------


def test_lethality():
    assert lethality(12, 4) == 3.0
    out = lethality([0, 6, 5, 0], [0, 2, NAN, 3])
    assert np.isnan(out[0]) and out[1] == 3.0 and np.isnan(out[2]) and out[3] == 0.0
    with pytest.raises(ParameterError, match=r"5 deaths but 0 events at position 1"):
        lethality([0, 5], [0, 0])


# ---------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------


def _districts():
    return pd.DataFrame(
        {
            "province": ["P", "P", "P", "Q", "Q"],
            "district": ["a", "b", "c", "d", "e"],
            "year": [2020] * 5,
            "events": [2, 0, 10, 1, 4],
            "deaths": [5, 0, 40, 0, 9],
            "population": [100_000, 400_000, 500_000, 0, 200_000],
        }
    )


def test_aggregate_rates_recompute_from_counts():
    df = _districts()
    out = aggregate_rates(df, ["events", "deaths"], "population", ["province"], unit="district")
    p = out.set_index("province").loc["P"]
    assert p["n_units"] == 3 and p["deaths"] == 45 and p["population"] == 1_000_000
    assert p["deaths_per_100k"] == 45 / 1_000_000 * 100_000  # 4.5
    # ... which is not the plain average of the district rates (5, 0, 8 -> 4.33).
    assert p["deaths_per_100k"] != pytest.approx(np.mean(rate_per_100k(df["deaths"][:3], df["population"][:3])))
    q = out.set_index("province").loc["Q"]
    # A zero-population district adds its events and no population; it is reported.
    assert q["n_population_zero"] == 1 and q["events_per_100k"] == 5 / 200_000 * 100_000
    total = aggregate_rates(df, "deaths", "population", [])
    assert len(total) == 1 and total.loc[0, "deaths_per_100k"] == 54 / 1_200_000 * 100_000


def test_aggregate_rates_missing_population_makes_the_cell_nan():
    df = _districts()
    df.loc[1, "population"] = np.nan
    out = aggregate_rates(df, "deaths", "population", ["province"]).set_index("province")
    assert np.isnan(out.loc["P", "population"]) and np.isnan(out.loc["P", "deaths_per_100k"])
    assert out.loc["P", "n_population_missing"] == 1
    assert out.loc["Q", "deaths_per_100k"] == 9 / 200_000 * 100_000


def test_aggregate_rates_errors():
    df = _districts()
    with pytest.raises(DataValidationError, match="unit 'a' appears more than once") as err:
        aggregate_rates(pd.concat([df, df.iloc[[0]]]), "deaths", "population", ["province"], unit="district")
    assert err.value.column == "district"
    bad = df.assign(deaths=df["deaths"].where(df.index != 3, -1))
    with pytest.raises(DataValidationError, match="expected a non-negative number, found -1") as err:
        aggregate_rates(bad, "deaths", "population", ["province"], source="panel.csv")
    assert err.value.row == "index 3" and err.value.column == "deaths" and err.value.file == "panel.csv"
    with pytest.raises(ParameterError, match=r"argument 'by\[0\]': no column 'region'"):
        aggregate_rates(df, "deaths", "population", ["region"])
    with pytest.raises(ParameterError, match="also listed in 'counts'"):
        aggregate_rates(df, ["population"], "population", [])


def test_aggregate_lethality():
    df = _districts()
    out = aggregate_lethality(df, "deaths", "events", ["province"]).set_index("province")
    assert out.loc["P", "lethality"] == 45 / 12 and out.loc["Q", "lethality"] == 9 / 5
    df.loc[[3, 4], "events"] = 0
    with pytest.raises(DataValidationError, match=r"cell \{'province': 'Q'\}: 9 deaths but 0 events"):
        aggregate_lethality(df, "deaths", "events", ["province"])
    none = aggregate_lethality(df.assign(deaths=0, events=0), "deaths", "events", [])
    assert np.isnan(none.loc[0, "lethality"])


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=10_000)
pops = st.integers(min_value=1, max_value=50_000_000)


@settings(deadline=None)
@given(st.lists(st.tuples(counts, pops), min_size=1, max_size=30), st.integers(2, 1000))
def test_rates_unchanged_when_counts_and_population_are_multiplied(rows, k):
    c = np.array([r[0] for r in rows], dtype=float)
    p = np.array([r[1] for r in rows], dtype=float)
    assert np.allclose(rate_per_100k(k * c, k * p), rate_per_100k(c, p), rtol=1e-12)
    assert np.allclose(lethality(k * c, k * (c + 1)), lethality(c, c + 1), rtol=1e-12)


@settings(deadline=None, max_examples=40)
@given(st.lists(st.tuples(st.sampled_from(["P", "Q", "R"]), counts, st.integers(0, 5_000_000)),
                min_size=1, max_size=30))
def test_aggregated_rate_is_total_count_over_total_population(rows):
    df = pd.DataFrame(rows, columns=["province", "deaths", "population"])
    df["district"] = [f"d{i}" for i in range(len(df))]
    out = aggregate_rates(df, "deaths", "population", ["province"], unit="district")
    for _, row in out.iterrows():
        sub = df[df["province"] == row["province"]]
        assert row["deaths"] == sub["deaths"].sum() and row["population"] == sub["population"].sum()
        assert row["n_population_zero"] == (sub["population"] == 0).sum()
        if sub["population"].sum() > 0:
            assert row["deaths_per_100k"] == pytest.approx(sub["deaths"].sum() / sub["population"].sum() * 1e5)
        else:
            assert np.isnan(row["deaths_per_100k"])
    # Re-aggregating the provinces gives the national figure from the same counts.
    nat = aggregate_rates(out, "deaths", "population", []).iloc[0]
    whole = aggregate_rates(df, "deaths", "population", []).iloc[0]
    assert nat["deaths"] == whole["deaths"] and nat["population"] == whole["population"]
    assert nat["deaths_per_100k"] == pytest.approx(whole["deaths_per_100k"], nan_ok=True)
