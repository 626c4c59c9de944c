"""The count models checked against an independent computation, at tight tolerance.

The package fits with statsmodels (GLM Poisson by IRLS; discrete NegativeBinomial NB2 by Newton).
Here the same models are fitted again from scratch: the log-likelihoods written out by hand and
maximised with scipy, and the cluster-robust covariance computed by hand from analytic scores and
Hessians (the sandwich ``c * H^-1 (sum_g s_g s_g') H^-1`` with
``c = G/(G-1) * (N-1)/(N-K)``). Coefficients, the dispersion ``alpha`` and the standard errors
must agree.

The data are test-built (:func:`make_panel`): a district-year panel in the drivers panel's
layout, with counts drawn from a negative binomial with known parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.optimize
import scipy.special as sp
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench import models
from workbench.models.fit import cameron_trivedi

PROVINCES = ["PK-PB", "PK-SD", "PK-KP", "PK-BA"]
D4P_YEARS = [2004, 2006, 2008, 2010, 2012, 2014]
OUTCOME_COLUMNS = ["events", "deaths_best", "deaths_low", "deaths_high", "events_state_based", "events_non_state",
                   "events_one_sided", "deaths_best_state_based", "deaths_best_non_state", "deaths_best_one_sided"]


def make_panel(seed: int = 0, n_units: int = 40, first: int = 2000, last: int = 2015, alpha: float = 0.7,
               beta_poverty: float = 0.02, beta_youth: float = 0.03, zero_units: int = 0,
               with_residual: bool = True, without_population: bool = True) -> pd.DataFrame:
    """A test-built drivers panel (current layout) with NB2 counts.

    ``d4p_poverty_pct`` is "measured" every second year 2004-2014 and aligned the way the drivers
    panel aligns it (latest at or before the year, else earliest after); ``youth_bulge_15_24``
    and ``literacy_10plus_pct`` are measured once, in 2023. ``zero_units`` districts never see
    any violence. Optionally a residual province row and a unit without population (AJK).
    """
    rng = np.random.default_rng(seed)
    years = np.arange(first, last + 1)
    rows = []
    for i in range(n_units):
        uid = f"stable/u{i:02d}"
        prov = PROVINCES[i % len(PROVINCES)]
        pop0 = rng.uniform(1e5, 2e6)
        growth = rng.uniform(0.01, 0.03)
        pov_level = rng.uniform(15, 70)
        pov = {y: float(np.clip(pov_level - 0.8 * (y - 2004) + rng.normal(0, 4), 1, 99)) for y in D4P_YEARS}
        youth = rng.uniform(0.27, 0.40)
        literacy = rng.uniform(30, 85)
        u_eff = rng.normal(0, 0.5)
        for y in years:
            before = [m for m in D4P_YEARS if m <= y]
            m = max(before) if before else min(D4P_YEARS)
            pop = pop0 * (1 + growth) ** (y - first)
            rows.append({"layout": "current", "unit_id": uid, "unit_name": f"Unit {i}", "unit_level": "district",
                         "province": prov, "year": int(y), "population": pop, "d4p_poverty_pct": pov[m],
                         "d4p_poverty_year": float(m), "youth_bulge_15_24": youth, "youth_year": 2023.0,
                         "literacy_10plus_pct": literacy, "census_deprivation_year": 2023.0, "_u": u_eff,
                         "_zero": i < zero_units})
    p = pd.DataFrame(rows)
    year_eff = dict(zip(years, rng.normal(0, 0.3, len(years)), strict=True))
    prov_eff = dict(zip(PROVINCES, [0.0, 0.4, 0.9, 0.6], strict=True))
    eta = (np.log(p["population"]) - 11.5 + beta_poverty * p["d4p_poverty_pct"] + beta_youth * 100 * (
        p["youth_bulge_15_24"] - 0.33) + p["year"].map(year_eff) + p["province"].map(prov_eff) + p["_u"])
    mu = np.exp(eta.to_numpy())
    lam = rng.gamma(shape=1 / alpha, scale=alpha * mu)
    y = rng.poisson(lam)
    y[p["_zero"].to_numpy()] = 0
    p["deaths_best"] = y
    p["deaths_low"] = np.floor(0.8 * y).astype(int)
    p["deaths_high"] = y + rng.poisson(0.3, len(y))
    p["events"] = np.minimum(y, rng.poisson(0.5 * y + 0.01))
    for col, share in (("state_based", 0.5), ("non_state", 0.2)):
        p[f"deaths_best_{col}"] = rng.binomial(y, share)
    p["deaths_best_one_sided"] = y - p["deaths_best_state_based"] - p["deaths_best_non_state"]
    for col in ("state_based", "non_state", "one_sided"):
        p[f"events_{col}"] = np.minimum(p[f"deaths_best_{col}"], p["events"])
    p = p.drop(columns=["_u", "_zero"])
    extra = []
    if without_population:
        for y_ in years:
            extra.append({"layout": "current", "unit_id": "stable/ajk", "unit_name": "AJK", "unit_level": "district",
                          "province": "PK-JK", "year": int(y_), "population": np.nan, **dict.fromkeys(
                              OUTCOME_COLUMNS, 1)})
    if with_residual:
        for y_ in years:
            extra.append({"layout": "current", "unit_id": "PK-KP", "unit_name": "Khyber Pakhtunkhwa",
                          "unit_level": "province", "province": "PK-KP", "year": int(y_), "population": np.nan,
                          **dict.fromkeys(OUTCOME_COLUMNS, 2)})
    if extra:
        p = pd.concat([p, pd.DataFrame(extra)], ignore_index=True)
    for c in OUTCOME_COLUMNS:
        p[c] = p[c].astype("int64")
    p.attrs["sources"] = ["test_built"]
    return p


# --------------------------------------------------------------------------- hand-written estimators

def poisson_negll(beta, X, y, off):
    eta = X @ beta + off
    return float(np.sum(np.exp(eta) - y * eta))


def poisson_grad(beta, X, y, off):
    return X.T @ (np.exp(X @ beta + off) - y)


def poisson_hess(beta, X, y, off):
    mu = np.exp(X @ beta + off)
    return (X * mu[:, None]).T @ X


def nb2_loglik_obs(beta, alpha, X, y, off):
    mu = np.exp(X @ beta + off)
    th = 1.0 / alpha
    return (sp.gammaln(y + th) - sp.gammaln(th) - sp.gammaln(y + 1) + th * np.log(th / (th + mu))
            + y * np.log(mu / (th + mu)))


def nb2_scores(beta, alpha, X, y, off):
    """Per-observation scores with respect to (beta, alpha)."""
    mu = np.exp(X @ beta + off)
    th = 1.0 / alpha
    s_beta = X * ((y - mu) / (1 + alpha * mu))[:, None]
    d_theta = sp.digamma(y + th) - sp.digamma(th) + np.log(th / (th + mu)) + 1 - (th + y) / (th + mu)
    s_alpha = -d_theta / alpha ** 2
    return np.column_stack([s_beta, s_alpha])


def nb2_hessian(beta, alpha, X, y, off):
    """Analytic Hessian of the NB2 log-likelihood in (beta, alpha)."""
    mu = np.exp(X @ beta + off)
    th = 1.0 / alpha
    h_bb = -(X * (mu * (1 + alpha * y) / (1 + alpha * mu) ** 2)[:, None]).T @ X
    h_ba = -(X * (mu * (y - mu) / (1 + alpha * mu) ** 2)[:, None]).sum(axis=0)
    d_theta = sp.digamma(y + th) - sp.digamma(th) + np.log(th / (th + mu)) + 1 - (th + y) / (th + mu)
    d2_theta = sp.polygamma(1, y + th) - sp.polygamma(1, th) + 1 / th - 1 / (th + mu) - (mu - y) / (th + mu) ** 2
    h_aa = float(np.sum(d2_theta / alpha ** 4 + d_theta * 2 / alpha ** 3))
    k = X.shape[1]
    h = np.empty((k + 1, k + 1))
    h[:k, :k] = h_bb
    h[:k, k] = h[k, :k] = h_ba
    h[k, k] = h_aa
    return h


def fit_nb2_scipy(X, y, off, start):
    """NB2 by direct maximum likelihood: scipy trust-region Newton on (beta, log alpha)."""
    k = X.shape[1]

    def f(t):
        return -float(np.sum(nb2_loglik_obs(t[:k], np.exp(t[k]), X, y, off)))

    def g(t):
        s = nb2_scores(t[:k], np.exp(t[k]), X, y, off).sum(axis=0)
        s[k] *= np.exp(t[k])  # chain rule to log alpha
        return -s

    def h(t):
        a = np.exp(t[k])
        hh = nb2_hessian(t[:k], a, X, y, off)
        s_a = nb2_scores(t[:k], a, X, y, off)[:, k].sum()
        hh[:k, k] *= a
        hh[k, :k] *= a
        hh[k, k] = hh[k, k] * a * a + s_a * a
        return -hh

    res = scipy.optimize.minimize(f, start, jac=g, hess=h, method="trust-exact", options={"gtol": 1e-10,
                                                                                           "maxiter": 500})
    # converged to rounding: the gradient is negligible against the size of the data
    assert np.abs(g(res.x)).max() < 1e-8 * y.sum(), res.message
    return res.x[:k], float(np.exp(res.x[k])), -res.fun


def cluster_sandwich(scores, hessian, groups):
    """c * H^-1 M H^-1 with M = sum over clusters of the summed scores' outer products."""
    n, k = scores.shape
    codes, uniques = pd.factorize(pd.Series(groups))
    g = len(uniques)
    sums = np.zeros((g, k))
    np.add.at(sums, codes, scores)
    meat = sums.T @ sums
    bread = np.linalg.inv(-hessian)
    c = g / (g - 1) * (n - 1) / (n - k)
    return c * bread @ meat @ bread


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def panel():
    return make_panel(seed=7)


OPTIONS = dict(lagged_covariates=["d4p_poverty_pct"], covariates=["youth_bulge_15_24"], start_year=2005,
               end_year=2015, unit_effects="province", lagged_violence=True)


@pytest.fixture(scope="module")
def nb_result(panel):
    return models.negative_binomial(panel, **OPTIONS)


@pytest.fixture(scope="module")
def poisson_result(panel):
    return models.poisson(panel, **OPTIONS)


def _matrices(result):
    d = result.design
    return d.X.to_numpy(dtype=float), d.y, d.offset, d.clusters


# --------------------------------------------------------------------------- Poisson

def test_poisson_coefficients_match_a_direct_scipy_fit(poisson_result):
    X, y, off, _ = _matrices(poisson_result)
    start = np.zeros(X.shape[1])
    start[0] = np.log(y.sum() / np.exp(off).sum())
    res = scipy.optimize.minimize(poisson_negll, start, args=(X, y, off), jac=poisson_grad, hess=poisson_hess,
                                  method="trust-exact", options={"gtol": 1e-10})
    assert np.abs(poisson_grad(res.x, X, y, off)).max() < 1e-8 * y.sum(), res.message
    np.testing.assert_allclose(poisson_result.fit.params.to_numpy(), res.x, rtol=1e-7, atol=1e-9)
    assert poisson_result.fit.llf == pytest.approx(-res.fun - np.sum(sp.gammaln(y + 1)), rel=1e-10)


def test_poisson_cluster_robust_errors_match_a_hand_sandwich(poisson_result):
    X, y, off, groups = _matrices(poisson_result)
    beta = poisson_result.fit.params.to_numpy()
    mu = np.exp(X @ beta + off)
    cov = cluster_sandwich(X * (y - mu)[:, None], -poisson_hess(beta, X, y, off), groups)
    cols = list(poisson_result.design.X.columns)
    tidy = poisson_result.coefficients.set_index("term")
    for t in poisson_result.design.terms:
        j = cols.index(t.column)
        assert tidy.loc[t.term, "std_error"] == pytest.approx(np.sqrt(cov[j, j]), rel=1e-8)
    np.testing.assert_allclose(poisson_result.fit.cov.to_numpy(), cov, rtol=1e-7, atol=1e-14)


# --------------------------------------------------------------------------- negative binomial

def test_nb2_coefficients_and_alpha_match_a_direct_scipy_fit(nb_result, poisson_result):
    X, y, off, _ = _matrices(nb_result)
    start = np.append(poisson_result.fit.params.to_numpy(), np.log(0.5))
    beta, alpha, llf = fit_nb2_scipy(X, y, off, start)
    np.testing.assert_allclose(nb_result.fit.params.iloc[:-1].to_numpy(), beta, rtol=1e-6, atol=1e-8)
    assert nb_result.fit.params["alpha"] == pytest.approx(alpha, rel=1e-6)
    assert nb_result.fit.llf == pytest.approx(llf, rel=1e-10)
    tidy = nb_result.coefficients.set_index("term")
    assert tidy.loc["alpha", "estimate"] == pytest.approx(alpha, rel=1e-6)


def test_nb2_cluster_robust_errors_match_a_hand_sandwich(nb_result):
    X, y, off, groups = _matrices(nb_result)
    params = nb_result.fit.params.to_numpy()
    beta, alpha = params[:-1], params[-1]
    # the analytic score is zero at the estimate (a check of the hand formulas themselves)
    np.testing.assert_allclose(nb2_scores(beta, alpha, X, y, off).sum(axis=0), 0, atol=1e-5)
    cov = cluster_sandwich(nb2_scores(beta, alpha, X, y, off), nb2_hessian(beta, alpha, X, y, off), groups)
    np.testing.assert_allclose(nb_result.fit.cov.to_numpy(), cov, rtol=1e-6, atol=1e-14)
    tidy = nb_result.coefficients.set_index("term")
    cols = [*nb_result.design.X.columns, "alpha"]
    for t in [*nb_result.design.terms]:
        j = cols.index(t.column)
        assert tidy.loc[t.term, "std_error"] == pytest.approx(np.sqrt(cov[j, j]), rel=1e-6)
        lo = np.exp(params[j] - 1.959963984540054 * np.sqrt(cov[j, j]))
        assert tidy.loc[t.term, "irr_ci_low"] == pytest.approx(lo, rel=1e-6)
    assert tidy.loc["alpha", "std_error"] == pytest.approx(np.sqrt(cov[-1, -1]), rel=1e-6)


def test_nb2_model_based_errors_match_the_inverse_hessian(panel):
    res = models.negative_binomial(panel, **{**OPTIONS, "standard_errors": "model"})
    X, y, off, _ = _matrices(res)
    params = res.fit.params.to_numpy()
    cov = np.linalg.inv(-nb2_hessian(params[:-1], params[-1], X, y, off))
    np.testing.assert_allclose(res.fit.cov.to_numpy(), cov, rtol=1e-6, atol=1e-14)


def test_nb2_recovers_the_parameters_it_was_drawn_with():
    """A large test-built panel: the estimates land near the truth (a check of the whole pipeline)."""
    p = make_panel(seed=3, n_units=160, alpha=0.6, beta_poverty=0.02, beta_youth=0.03)
    res = models.negative_binomial(p, covariates=["d4p_poverty_pct", "youth_bulge_15_24"], lagged_violence=False,
                                   start_year=2004, end_year=2015)
    est = res.coefficients.set_index("covariate")["estimate"]
    assert est["d4p_poverty_pct"] == pytest.approx(0.02, abs=0.01)
    assert est["youth_bulge_15_24"] == pytest.approx(0.03, abs=0.02)
    # the unit effects (sd 0.5, gamma-mixed) add to the dispersion: alpha near 0.6 + 0.3
    assert 0.5 < est["alpha"] < 1.5


# --------------------------------------------------------------------------- overdispersion test

def test_cameron_trivedi_matches_a_statsmodels_ols_without_constant(poisson_result):
    y = poisson_result.design.y
    mu = poisson_result.fit.mu
    a, t, p = cameron_trivedi(y, mu)
    ols = sm.OLS(((y - mu) ** 2 - y) / mu, mu).fit()
    assert a == pytest.approx(float(ols.params[0]), rel=1e-10)
    assert t == pytest.approx(float(ols.tvalues[0]), rel=1e-10)
    assert p == pytest.approx(float(ols.pvalues[0]) / 2, rel=1e-8)  # one-sided


def test_overdispersion_is_found_in_overdispersed_counts_and_not_in_poisson_counts(nb_result):
    diag = nb_result.diagnostics.set_index("statistic")
    lr = diag.loc["overdispersion: likelihood ratio NB2 vs Poisson (alpha = 0 on the boundary)"]
    assert float(lr["value"]) > 50 and "overdispersed" in lr["note"]
    rng = np.random.default_rng(1)
    mu = rng.uniform(0.5, 5, 3000)
    _, _, p = cameron_trivedi(rng.poisson(mu), mu)
    assert p > 0.01


# --------------------------------------------------------------------------- offset properties

@settings(deadline=None, max_examples=8)
@given(k=st.integers(min_value=2, max_value=6), seed=st.integers(min_value=0, max_value=50))
def test_doubling_population_and_counts_leaves_poisson_rates_unchanged(k, seed):
    p = make_panel(seed=seed, n_units=16, first=2004, last=2010, with_residual=False, without_population=False)
    opts = dict(covariates=["d4p_poverty_pct"], lagged_violence=False, start_year=2004, end_year=2010,
                standard_errors="model")
    base = models.poisson(p, **opts)
    scaled = p.copy()
    scaled["population"] = scaled["population"] * k
    scaled["deaths_best"] = scaled["deaths_best"] * k
    res = models.poisson(scaled, **opts)
    np.testing.assert_allclose(res.fit.params.to_numpy(), base.fit.params.to_numpy(), rtol=1e-7, atol=1e-9)


@settings(deadline=None, max_examples=8)
@given(c=st.floats(min_value=0.05, max_value=20), seed=st.integers(min_value=0, max_value=50))
def test_rescaling_population_only_moves_the_constant(c, seed):
    p = make_panel(seed=seed, n_units=16, first=2004, last=2010, with_residual=False, without_population=False)
    opts = dict(covariates=["d4p_poverty_pct"], lagged_violence=False, start_year=2004, end_year=2010)
    base = models.negative_binomial(p, **opts)
    scaled = p.assign(population=p["population"] * c)
    res = models.negative_binomial(scaled, **opts)
    a, b = res.fit.params, base.fit.params
    assert a["const"] == pytest.approx(b["const"] - np.log(c), abs=1e-6)
    np.testing.assert_allclose(a.drop("const").to_numpy(), b.drop("const").to_numpy(), rtol=1e-5, atol=1e-7)
    pd.testing.assert_frame_equal(res.coefficients[["term", "irr", "std_error"]],
                                  base.coefficients[["term", "irr", "std_error"]], rtol=1e-4)
