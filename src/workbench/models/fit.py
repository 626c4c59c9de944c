"""Estimation: Poisson and negative binomial (NB2) fits of a :class:`~workbench.models.design.Design`.

Both are maximum-likelihood fits with statsmodels, with the log-population offset:

* Poisson: ``statsmodels.genmod.GLM`` with the Poisson family (IRLS);
* negative binomial NB2 (``Var(y) = mu + alpha * mu**2``):
  ``statsmodels.discrete.discrete_model.NegativeBinomial`` with ``loglike_method="nb2"``,
  started from the Poisson fit, Newton's method with the analytic Hessian (from several starting
  values of ``alpha``; BFGS then Newton if none converges); ``alpha`` is estimated jointly with
  the coefficients. A fit counts as converged only with finite estimates, ``alpha > 0`` and a
  zero score (gradient).

Standard errors clustered by district are the sandwich ``c * H^-1 (sum_g s_g s_g') H^-1`` over
all parameters (``alpha`` included), with statsmodels' small-sample factor
``c = G/(G-1) * (N-1)/(N-K)`` (G clusters, N rows, K parameters); the cross-check tests compute
it by hand.

Overdispersion is tested two ways: the Cameron-Trivedi (1990) regression of
``((y-mu)^2 - y)/mu`` on ``mu`` (no constant) after the Poisson fit (H1: NB2-type
overdispersion, one-sided t-test), and the likelihood-ratio test of the NB2 against the Poisson
fit, whose null ``alpha = 0`` lies on the boundary: ``p = 0.5 * P(chi2_1 > LR)``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats
import statsmodels.api as sm
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from workbench.models.design import Design
from workbench.models.options import ModelFitError


@dataclass
class Fit:
    """The estimates of one fit.

    ``params`` and ``cov`` are named by the design's columns (plus ``alpha`` for NB2);
    ``cov`` is None when no inference is made.
    """

    estimator: str
    params: pd.Series
    cov: pd.DataFrame | None
    llf: float
    converged: bool
    iterations: int
    mu: np.ndarray
    cov_type: str
    poisson_llf: float
    poisson_mu: np.ndarray


def _support(design: Design) -> str:
    nonzero = int((design.y > 0).sum())
    return (f"{len(design.y)} rows, {nonzero} with any count, total {int(design.y.sum()):,}, "
            f"{design.X.shape[1]} parameters")


def _cov_args(design: Design, inference: bool) -> dict:
    if not inference or design.spec.standard_errors == "model":
        return {"cov_type": "nonrobust"}
    codes, _ = pd.factorize(pd.Series(design.clusters))
    return {"cov_type": "cluster", "cov_kwds": {"groups": np.asarray(codes)}}


def _poisson(design: Design, inference: bool):
    model = sm.GLM(design.y, design.X, family=sm.families.Poisson(), offset=design.offset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)
        res = model.fit(maxiter=200, tol=1e-12, **_cov_args(design, inference))
    return res


def cameron_trivedi(y: np.ndarray, mu: np.ndarray) -> tuple[float, float, float]:
    """Cameron-Trivedi (1990) overdispersion test after a Poisson fit: ``(alpha_hat, t, p one-sided)``.

    OLS without constant of ``((y - mu)^2 - y) / mu`` on ``mu``; a positive slope ``alpha_hat``
    indicates ``Var(y) = mu + alpha * mu^2`` with ``alpha > 0``.
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    z = ((y - mu) ** 2 - y) / mu
    a = float(np.dot(mu, z) / np.dot(mu, mu))
    resid = z - a * mu
    n = len(y)
    s2 = float(np.dot(resid, resid) / (n - 1))
    se = float(np.sqrt(s2 / np.dot(mu, mu)))
    t = a / se if se > 0 else float("inf")
    return a, t, float(scipy.stats.t.sf(t, n - 1))


def fit_poisson(design: Design, *, inference: bool = True) -> Fit:
    """Poisson maximum likelihood with the offset; cluster-robust (or model) covariance."""
    res = _poisson(design, inference)
    converged = bool(getattr(res, "converged", True))
    if not converged or not np.all(np.isfinite(res.params)):
        raise ModelFitError(f"the Poisson fit did not converge ({design.spec.outcome_label}: {_support(design)})")
    cov = pd.DataFrame(res.cov_params(), index=design.X.columns, columns=design.X.columns) if inference else None
    return Fit("poisson", pd.Series(np.asarray(res.params), index=design.X.columns), cov, float(res.llf), converged,
               int(getattr(res, "fit_history", {}).get("iteration", 0)), np.asarray(res.mu), _cov_args(design,
               inference)["cov_type"], float(res.llf), np.asarray(res.mu))


def _nb_attempt(model: NegativeBinomial, start: np.ndarray, method: str, cov_args: dict, **kw):
    """One NB2 fit; None unless it converged to finite parameters with a positive alpha and a zero score."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=HessianInversionWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        try:
            res = model.fit(start_params=start, method=method, disp=0, **kw, **cov_args)
        except (np.linalg.LinAlgError, ValueError):
            return None
        params = np.asarray(res.params)
        if not (res.mle_retvals.get("converged", False) and np.all(np.isfinite(params)) and params[-1] > 0):
            return None
        score = np.asarray(model.score(params))
    scale = 1.0 + float(np.abs(model.endog).sum())
    return res if np.all(np.isfinite(score)) and np.abs(score).max() < 1e-6 * scale else None


def fit_negative_binomial(design: Design, *, inference: bool = True) -> Fit:
    """NB2 maximum likelihood (coefficients and ``alpha`` jointly), started from the Poisson fit.

    Newton's method from the Poisson estimates and a few starting values of ``alpha`` (the
    Cameron-Trivedi moment estimate first); if none converges, BFGS and then Newton from there.
    A fit counts as converged only with finite estimates, ``alpha > 0`` and a zero score.
    """
    pois = _poisson(design, False)
    mu0 = np.asarray(pois.mu)
    a0, _, _ = cameron_trivedi(design.y, mu0)
    model = NegativeBinomial(design.y, design.X, loglike_method="nb2", offset=design.offset)
    cov_args = _cov_args(design, inference)
    res = None
    for alpha0 in dict.fromkeys([float(np.clip(a0, 0.1, 10.0)), 1.0, 0.3, 3.0]):
        res = _nb_attempt(model, np.append(np.asarray(pois.params), alpha0), "newton", cov_args, maxiter=100)
        if res is not None:
            break
    if res is None:
        rough = _nb_attempt(model, np.append(np.asarray(pois.params), 1.0), "bfgs", {"cov_type": "nonrobust"},
                            maxiter=5000)
        if rough is not None:
            res = _nb_attempt(model, np.asarray(rough.params), "newton", cov_args, maxiter=100)
    if res is None:
        raise ModelFitError(f"the negative binomial fit did not converge ({design.spec.outcome_label}: "
                            f"{_support(design)}); try the Poisson estimator, fewer fixed effects or a broader "
                            "outcome")
    names = [*design.X.columns, "alpha"]
    params = pd.Series(np.asarray(res.params), index=names)
    cov = pd.DataFrame(np.asarray(res.cov_params()), index=names, columns=names) if inference else None
    mu = np.exp(design.X.to_numpy() @ params.iloc[:-1].to_numpy() + design.offset)
    return Fit("negative_binomial", params, cov, float(res.llf), True, int(res.mle_retvals.get("iterations", 0)), mu,
               cov_args["cov_type"], float(pois.llf), mu0)


def overdispersion_table(design: Design, fit: Fit) -> pd.DataFrame:
    """The overdispersion tests of a fit: one row per test (``test``, ``statistic``, ``p_value``, ``reading``)."""
    a, t, p = cameron_trivedi(design.y, fit.poisson_mu)
    rows = [{"test": "Cameron-Trivedi regression (after Poisson)", "statistic": t, "p_value": p,
             "estimate": a,
             "reading": ("overdispersed: the Poisson variance assumption fails (NB2 fits better)" if p < 0.05
                         else "no evidence of overdispersion at 5%")}]
    if fit.estimator == "negative_binomial":
        lr = max(2.0 * (fit.llf - fit.poisson_llf), 0.0)
        p_lr = 0.5 * float(scipy.stats.chi2.sf(lr, 1))
        rows.append({"test": "likelihood ratio NB2 vs Poisson (alpha = 0 on the boundary)", "statistic": lr,
                     "p_value": p_lr, "estimate": float(fit.params["alpha"]),
                     "reading": "alpha > 0: overdispersed" if p_lr < 0.05 else "no evidence against Poisson at 5%"})
    return pd.DataFrame(rows, columns=["test", "estimate", "statistic", "p_value", "reading"])
