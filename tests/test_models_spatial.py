"""The drivers models' shared preparation and the spatial-lag variant.

* a panel prepared once (:class:`workbench.models.PreparedPanel`) gives exactly the design and the
  estimates that the panel itself gives, cell by cell of the robustness grid;
* the neighbours' violence of t-lag (:func:`workbench.models.neighbours_lagged`) against a hand
  computation on test-built panels and neighbour graphs; islands and missing years are left out
  with their reason, never filled in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_models_crosscheck import make_panel

from workbench import models
from workbench.errors import ParameterError
from workbench.models.design import build_design
from workbench.models.options import Specification


@pytest.fixture(scope="module")
def panel():
    p = make_panel(seed=5, n_units=16, zero_units=1)
    # the builder's type split can leave a negative remainder for one-sided deaths; counts are never negative
    p["deaths_best_one_sided"] = p["deaths_best_one_sided"].clip(lower=0)
    return p


def ring(units: list[str]) -> dict[str, list[str]]:
    """Each unit's neighbours on a ring: the one before and the one after."""
    n = len(units)
    return {u: sorted({units[(i - 1) % n], units[(i + 1) % n]} - {u}) for i, u in enumerate(units)}


def district_units(p: pd.DataFrame) -> list[str]:
    return sorted(p.loc[p["unit_level"].eq("district"), "unit_id"].unique())


# --------------------------------------------------------------------------- prepared once, identical results

@pytest.mark.parametrize("changes", [
    {}, {"deaths_estimate": "low"}, {"violence_type": "non_state"}, {"lag": 2}, {"start_year": 2009},
    {"unit_effects": "district", "covariates": ()}, {"outcome": "events", "lagged_violence": False},
])
def test_a_prepared_panel_gives_the_same_design_as_the_panel(panel, changes):
    spec = Specification(lagged_covariates=("d4p_poverty_pct",), covariates=("youth_bulge_15_24",),
                         start_year=2005, end_year=2015).with_changes(**changes)
    prepared = models.prepare(panel)
    for _ in range(2):  # the second build reads every shared column from the cache
        a, b = build_design(panel, spec), build_design(prepared, spec)
        pd.testing.assert_frame_equal(a.X, b.X, check_exact=True)
        assert np.array_equal(a.y, b.y) and np.array_equal(a.offset, b.offset)
        pd.testing.assert_frame_equal(a.dropped, b.dropped, check_exact=True)
        assert a.notes == b.notes


def test_the_grid_on_a_prepared_panel_equals_each_cell_fitted_on_its_own(panel):
    options = dict(lagged_covariates=["d4p_poverty_pct"], start_year=2005, end_year=2015, lagged_violence=False)
    grid = models.robustness_grid(panel, lags=[1, 2], split_year=2012, estimator="poisson", **options)
    ok = grid[grid["status"].eq("ok") & grid["covariate"].eq("d4p_poverty_pct")]
    assert len(ok) >= 8
    for row in ok.itertuples():
        start, end = int(row.period.split("-")[0]), int(row.period.split("-")[-1])
        alone = models.poisson(panel, deaths_estimate=row.deaths_estimate, violence_type=row.violence_type,
                               exclude_former_fata=row.exclude_former_fata, lag=row.lag, start_year=start,
                               end_year=end, **{k: v for k, v in options.items() if k not in ("start_year", "end_year")})
        mine = alone.coefficients.set_index("covariate").loc["d4p_poverty_pct"]
        assert mine["estimate"] == row.estimate and mine["std_error"] == row.std_error


def test_prepare_refuses_what_is_not_a_panel():
    with pytest.raises(ParameterError, match="argument 'panel' must be a pandas DataFrame"):
        models.prepare([1, 2, 3])


# --------------------------------------------------------------------------- the neighbours' violence

@st.composite
def lattices(draw):
    n = draw(st.integers(2, 6))
    units = [f"stable/u{i}" for i in range(n)]
    pairs = draw(st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=2 * n))
    nb: dict[str, set[str]] = {u: set() for u in units}
    for i, j in pairs:
        if i != j:
            nb[units[i]].add(units[j])
            nb[units[j]].add(units[i])
    years = list(range(2000, 2000 + draw(st.integers(1, 5))))
    rows = [{"unit_id": u, "province": "PK-PB", "unit_level": "district", "year": y,
             "y": draw(st.one_of(st.none(), st.integers(0, 9)))} for u in units for y in years]
    return pd.DataFrame(rows).astype({"y": "float64"}), {u: sorted(v) for u, v in nb.items()}


@given(data=lattices(), lag=st.integers(1, 3))
def test_neighbours_lagged_is_the_mean_of_the_neighbours_value_lag_years_earlier(data, lag):
    frame, nb = data
    value, reason = models.neighbours_lagged(frame, "y", lag, nb)
    cell = {(r.unit_id, r.year): r.y for r in frame.itertuples()}
    for r, v, why in zip(frame.itertuples(), value, reason, strict=True):
        got = [cell.get((n, r.year - lag)) for n in nb[r.unit_id]]
        if not nb[r.unit_id]:
            assert np.isnan(v) and "island" in why
        elif any(g is None or np.isnan(g) for g in got):
            assert np.isnan(v) and why
        else:
            assert v == pytest.approx(sum(got) / len(got)) and why == ""


def test_parts_of_a_district_are_summed_before_the_neighbours_mean():
    frame = pd.DataFrame({"unit_id": ["a", "a", "b", "b", "b", "b"], "province": ["P", "F", "P", "P", "P", "P"],
                          "unit_level": "district", "year": [2000, 2000, 2000, 2001, 2001, 2001],
                          "y": [2.0, 3.0, 7.0, 1.0, 1.0, 1.0]})
    frame = frame.drop_duplicates(["unit_id", "province", "year"])
    value, _ = models.neighbours_lagged(frame, "y", 1, {"a": ["b"], "b": ["a"]})
    # b in 2001 sees a's two parts of 2000 (2 + 3)
    assert value[frame["unit_id"].eq("b") & frame["year"].eq(2001)].tolist() == [5.0]


def test_the_spatial_lag_enters_the_model_and_islands_are_left_out_with_their_reason(panel):
    units = district_units(panel)
    alone = "stable/u03"
    nb = ring([u for u in units if u != alone]) | {alone: []}  # a district with no neighbour
    prepared = models.prepare(panel, neighbours=nb)
    res = models.negative_binomial(prepared, lagged_covariates=["d4p_poverty_pct"], start_year=2005, end_year=2015,
                                   neighbour_violence=True)
    row = res.coefficients.set_index("covariate").loc["neighbours' violence"]
    assert row["term"] == "log(1 + neighbours' mean deaths_best) (t-1)" and np.isfinite(row["std_error"])
    island = res.dropped[res.dropped["unit_id"].eq(alone)]
    assert island["reason"].str.contains("no contiguous neighbour").any()
    assert alone not in set(res.design.sample["unit_id"])
    base = models.negative_binomial(panel, lagged_covariates=["d4p_poverty_pct"], start_year=2005, end_year=2015)
    assert "neighbours' violence" not in set(base.coefficients["covariate"])


def test_the_grid_adds_the_spatial_lag_cell_only_when_asked(panel):
    nb = ring(district_units(panel))
    cells = models.grid_cells({"start_year": 2005, "end_year": 2015}, lags=[1], spatial_lag=True)
    assert [c["varied"] for c in cells].count("neighbour_violence") == 1
    grid = models.robustness_grid(panel, lagged_covariates=["d4p_poverty_pct"], start_year=2005, end_year=2015,
                                  lags=[1], spatial_lag=True, neighbours=nb, estimator="poisson")
    spatial = grid[grid["varied"].eq("neighbour_violence")]
    assert set(spatial["label"]) == {"with neighbours' violence (t-1)"}
    assert "neighbours' violence" in set(spatial["covariate"])
    plain = models.robustness_grid(panel, lagged_covariates=["d4p_poverty_pct"], start_year=2005, end_year=2015,
                                   lags=[1], estimator="poisson")
    assert "neighbour_violence" not in set(plain["varied"]) and not plain["neighbour_violence"].any()


def test_a_province_model_refuses_the_spatial_lag():
    with pytest.raises(ParameterError, match="neighbour_violence .* applies to district models"):
        Specification(level="province", neighbour_violence=True)
    with pytest.raises(ParameterError, match="'neighbour_violence' must be True or False"):
        Specification(neighbour_violence="yes")
