"""Spatial statistics on unit polygons: weights, global and local Moran's I, bivariate Moran.

Pure functions of polygons and values (no loading): :mod:`workbench.panel.spatial` reads the
boundary layer and the panels. The statistics are PySAL's (``libpysal`` weights, ``esda``
statistics); this module fixes the choices a report must state and keep reproducible:

* weights are row-standardised; **islands** (units with no neighbour) and **units without a
  value** are taken out before any statistic and listed (:class:`WeightsUsed`), never silently
  given zero neighbours;
* permutation inference always runs from a fixed ``seed``, so a report and its run id reproduce;
* local clusters are called significant only after a false-discovery-rate correction
  (:func:`esda.fdr`, Benjamini-Hochberg at ``alpha``) of the permutation p-values; where no
  p-value passes, esda returns the Bonferroni bound ``alpha / n`` as the threshold.

Quadrants (``esda``'s coding): 1 high-high, 2 low-high, 3 low-low, 4 high-low: a unit's own value
against the (row-standardised) mean of its neighbours, both relative to the mean of all units.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

with warnings.catch_warnings():
    # PySAL imports tqdm.auto, which warns inside a notebook without ipywidgets (only the progress bar is affected)
    warnings.filterwarnings("ignore", message="IProgress not found")
    import esda
    from libpysal import weights as lpw

from workbench.errors import ParameterError
from workbench.formatting import format_p_value

#: Metric CRS for distances (UTM 42N, as :mod:`workbench.geo.boundaries`).
METRIC_CRS = "EPSG:32642"
QUADRANTS = {1: "high-high", 2: "low-high", 3: "low-low", 4: "high-low"}
NOT_SIGNIFICANT = "not significant"
DEFAULT_SEED = 20180111
DEFAULT_PERMUTATIONS = 999


@dataclass
class WeightsUsed:
    """Row-standardised weights over the units that enter a statistic, and those that do not.

    Attributes
    ----------
    w:
        ``libpysal`` weights (row-standardised) over ``ids``.
    ids:
        The units entering, in the order of the value vectors.
    kind:
        ``queen`` contiguity or ``distance`` band (with ``threshold_km``).
    islands:
        Units of the layer left without any neighbour (after units without a value were taken out).
    without_value:
        Units of the layer with no value (e.g. no population): not in the statistic.
    """

    w: lpw.W
    ids: list[str]
    kind: str
    islands: list[str] = field(default_factory=list)
    without_value: list[str] = field(default_factory=list)
    threshold_km: float | None = None

    def describe(self) -> str:
        """One line for captions: kind, units, and what was left out."""
        what = "Queen contiguity" if self.kind == "queen" else f"distance band {self.threshold_km:.0f} km"
        parts = [f"{what}, row-standardised, {len(self.ids)} units"]
        if self.without_value:
            parts.append(f"{len(self.without_value)} without a value left out")
        if self.islands:
            parts.append(f"{len(self.islands)} without a neighbour left out ({', '.join(self.islands)})")
        return "; ".join(parts)


def contiguity_neighbours(polygons: gpd.GeoDataFrame, id_column: str = "unit_id") -> dict[str, list[str]]:
    """Queen contiguity (a shared edge or corner) of each unit: ``unit -> sorted neighbours``."""
    _check_polygons(polygons, id_column)
    frame = polygons.assign(**{id_column: polygons[id_column].astype(str)}).reset_index(drop=True)
    w = lpw.Queen.from_dataframe(frame, ids=id_column, use_index=False, silence_warnings=True)
    return {str(k): sorted(str(n) for n in v) for k, v in w.neighbors.items()}


def distance_neighbours(polygons: gpd.GeoDataFrame, threshold_km: float | None = None,
                        id_column: str = "unit_id") -> tuple[dict[str, list[str]], float]:
    """Units whose centroids lie within ``threshold_km`` of each other (metric CRS).

    With no threshold, the smallest distance that gives every unit at least one neighbour
    (rounded up to the next km). Returns the neighbours and the threshold used.
    """
    _check_polygons(polygons, id_column)
    pts = polygons.to_crs(METRIC_CRS).geometry.centroid
    xy = np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()]) / 1000.0
    ids = polygons[id_column].astype(str).tolist()
    if threshold_km is None:
        threshold_km = float(np.ceil(lpw.min_threshold_distance(xy)))
    if not threshold_km > 0:
        raise ParameterError(f"threshold_km must be a positive distance in km; found {threshold_km!r}")
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    near = (d <= threshold_km) & ~np.eye(len(ids), dtype=bool)
    return {ids[i]: sorted(ids[j] for j in np.flatnonzero(near[i])) for i in range(len(ids))}, threshold_km


def _check_polygons(polygons: gpd.GeoDataFrame, id_column: str) -> None:
    if id_column not in polygons.columns:
        raise ParameterError(f"the polygons have no column {id_column!r}")
    dup = polygons[id_column][polygons[id_column].duplicated()].astype(str).unique().tolist()
    if dup:
        raise ParameterError(f"the polygons hold {id_column} {dup[:5]} more than once: dissolve them first")


def weights_for(neighbours: dict[str, list[str]], values: pd.Series, *, kind: str = "queen",
                threshold_km: float | None = None) -> WeightsUsed:
    """Row-standardised weights over the units that have a value and at least one neighbour with one.

    Units without a value (NaN in ``values``, indexed by unit id, or absent from it) are taken out
    first; units then left without a neighbour (islands) are taken out next, repeatedly. Both lists
    are kept for the caption.
    """
    have = {str(u) for u, v in values.items() if pd.notna(v)}
    without = sorted(u for u in neighbours if u not in have)
    keep = sorted(u for u in neighbours if u in have)
    islands: list[str] = []
    while True:
        k = set(keep)
        lone = [u for u in keep if not any(n in k for n in neighbours[u])]
        if not lone:
            break
        islands += lone
        keep = [u for u in keep if u not in set(lone)]
    if len(keep) < 3:
        raise ParameterError(f"only {len(keep)} units have a value and a neighbour: too few for spatial statistics")
    k = set(keep)
    w = lpw.W({u: [n for n in neighbours[u] if n in k] for u in keep}, id_order=keep, silence_warnings=True)
    w.transform = "r"
    return WeightsUsed(w, keep, kind, sorted(islands), without, threshold_km)


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """NumPy's global generator seeded for one call (esda's global Moran draws from it), then restored."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _vector(values: pd.Series, ids: Sequence[str], what: str) -> np.ndarray:
    v = pd.Series(values, dtype="float64").reindex(list(ids))
    if v.isna().any():
        raise ParameterError(f"{what}: no value for {v.index[v.isna()].tolist()[:5]}")
    return v.to_numpy()


def global_moran(values: pd.Series, used: WeightsUsed, *, permutations: int = DEFAULT_PERMUTATIONS,
                 seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Global Moran's I of ``values`` (indexed by unit id) with permutation inference.

    Returns ``I``, ``expected`` (``-1/(n-1)``), ``z`` (permutation), ``p_perm`` (pseudo p-value,
    one-sided in the direction of the observed I), ``p_normal`` (two-sided, normality), ``n``.
    """
    y = _vector(values, used.ids, "global Moran")
    with _seeded(seed):
        m = esda.Moran(y, used.w, permutations=permutations)
    return {"I": float(m.I), "expected": float(m.EI), "z": float(m.z_sim), "p_perm": float(m.p_sim),
            "p_normal": float(m.p_norm), "n": int(m.n)}


def rate_moran(events: pd.Series, population: pd.Series, used: WeightsUsed, *,
               permutations: int = DEFAULT_PERMUTATIONS, seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Global Moran's I of empirical-Bayes standardised rates ``events / population`` (Assunção-Reis).

    The EB standardisation shrinks the rates of small populations toward the overall rate, so a few
    deaths in a small district do not dominate (``esda.Moran_Rate``, ``adjusted=True``).
    """
    e = _vector(events, used.ids, "rate Moran (events)")
    b = _vector(population, used.ids, "rate Moran (population)")
    if (b <= 0).any():
        raise ParameterError("rate Moran: every unit needs a positive population")
    with _seeded(seed):
        m = esda.Moran_Rate(e, b, used.w, adjusted=True, permutations=permutations)
    return {"I": float(m.I), "expected": float(m.EI), "z": float(m.z_sim), "p_perm": float(m.p_sim),
            "p_normal": float(m.p_norm), "n": int(m.n)}


def bivariate_moran(x: pd.Series, y: pd.Series, used: WeightsUsed, *, permutations: int = DEFAULT_PERMUTATIONS,
                    seed: int = DEFAULT_SEED) -> dict[str, float]:
    """Bivariate Moran's I: ``x`` in a unit against the neighbours' mean of ``y`` (both standardised)."""
    xv = _vector(x, used.ids, "bivariate Moran (x)")
    yv = _vector(y, used.ids, "bivariate Moran (y)")
    with _seeded(seed):
        m = esda.Moran_BV(xv, yv, used.w, permutations=permutations)
    return {"I": float(m.I), "expected": float(m.EI_sim), "z": float(m.z_sim), "p_perm": float(m.p_sim),
            "n": len(used.ids)}


def local_moran(values: pd.Series, used: WeightsUsed, *, population: pd.Series | None = None,
                permutations: int = DEFAULT_PERMUTATIONS, seed: int = DEFAULT_SEED,
                alpha: float = 0.05) -> pd.DataFrame:
    """Local Moran (LISA) per unit, with clusters significant after a false-discovery-rate correction.

    With ``population``, ``values`` are event counts and the statistic is that of the empirical-Bayes
    standardised rates (``esda.Moran_Local_Rate``).

    Returns
    -------
    DataFrame
        One row per unit: ``unit_id``, ``value``, ``local_i``, ``quadrant`` (high-high ...),
        ``p_perm`` (the permutation pseudo p-value ``(1 + more extreme) / (1 + permutations)``,
        counted in the direction of the observed value: esda's "directed" alternative), ``fdr_threshold`` (the largest p-value
        significant at ``alpha`` after Benjamini-Hochberg; the same on every row), ``significant``,
        ``cluster`` (the quadrant where significant, else "not significant").
    """
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha must be between 0 and 1; found {alpha!r}")
    y = _vector(values, used.ids, "local Moran")
    with warnings.catch_warnings():
        # esda announces a change of its default alternative; the pseudo p-value used here is the
        # directed (folded) one, documented above, and a unit whose simulations do not vary has no z
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        warnings.filterwarnings("ignore", message="invalid value encountered in divide", category=RuntimeWarning)
        if population is not None:
            b = _vector(population, used.ids, "local Moran (population)")
            lm = esda.Moran_Local_Rate(y, b, used.w, adjusted=True, permutations=permutations, seed=seed)
        else:
            lm = esda.Moran_Local(y, used.w, permutations=permutations, seed=seed)
    threshold = float(esda.fdr(lm.p_sim, alpha))
    significant = lm.p_sim <= threshold
    quadrant = pd.Series(lm.q).map(QUADRANTS).to_numpy()
    out = pd.DataFrame({"unit_id": used.ids, "value": y, "local_i": lm.Is, "quadrant": quadrant,
                        "p_perm": lm.p_sim, "fdr_threshold": threshold, "significant": significant})
    out["cluster"] = np.where(out["significant"], out["quadrant"], NOT_SIGNIFICANT)
    return out


def eb_rates(events: pd.Series, population: pd.Series) -> pd.Series:
    """Empirical-Bayes standardised rates (Assunção-Reis): ``(r_i - b) / sqrt(a + b / p_i)``, unitless.

    ``b`` is the overall rate and ``a`` the method-of-moments variance of the true rates; the
    standardisation gives small populations less weight (``esda.smoothing.assuncao_rate``).
    """
    from esda.smoothing import assuncao_rate

    e = pd.Series(events, dtype="float64")
    b = pd.Series(population, dtype="float64").reindex(e.index)
    if e.isna().any() or b.isna().any() or (b <= 0).any():
        raise ParameterError("eb_rates: every unit needs a count and a positive population")
    return pd.Series(assuncao_rate(e.to_numpy(), b.to_numpy()), index=e.index)


def period_statistics(table: pd.DataFrame, neighbours: dict[str, list[str]], *, kind: str = "queen",
                      threshold_km: float | None = None, permutations: int = DEFAULT_PERMUTATIONS,
                      seed: int = DEFAULT_SEED, alpha: float = 0.05) -> dict[str, pd.DataFrame]:
    """Moran's I of violence rates and deprivation, their bivariate Moran, and LISA clusters, per period.

    Parameters
    ----------
    table:
        One row per ``period`` and ``unit_id`` with ``deaths``, ``person_years`` and ``deprivation``
        (:func:`workbench.panel.spatial.hotspot_table`).
    neighbours:
        ``unit_id -> neighbours`` of the layer.

    Returns
    -------
    dict
        ``global``: one row per period and statistic (``statistic``, ``I``, ``expected``, ``z``,
        ``p_perm``, ``n``, ``weights``: what entered and what was left out);
        ``lisa``: :func:`local_moran` of the EB rates per period (``period`` column added);
        ``left_out``: per period and statistic, the units without a value or without a neighbour.
    """
    rows, lisas, left = [], [], []
    for period, p in table.groupby("period", sort=True):
        p = p.set_index("unit_id")
        population = p["person_years"].where(p["person_years"] > 0)
        rate_w = weights_for(neighbours, population.where(p["deaths"].notna()), kind=kind, threshold_km=threshold_km)
        dep_w = weights_for(neighbours, p["deprivation"], kind=kind, threshold_km=threshold_km)
        both = population.where(p["deprivation"].notna())
        bv_w = weights_for(neighbours, both, kind=kind, threshold_km=threshold_km)
        eb = eb_rates(p.loc[bv_w.ids, "deaths"], population[bv_w.ids])
        stats = {
            "violence: deaths per 100k, EB rate Moran": (rate_moran(p["deaths"], population, rate_w,
                                                                    permutations=permutations, seed=seed), rate_w),
            "deprivation: Moran": (global_moran(p["deprivation"], dep_w, permutations=permutations, seed=seed), dep_w),
            "deprivation here vs violence (EB rate) of the neighbours: bivariate Moran": (
                bivariate_moran(p["deprivation"], eb, bv_w, permutations=permutations, seed=seed), bv_w),
        }
        for name, (s, used) in stats.items():
            rows.append({"period": period, "statistic": name, **s, "weights": used.describe()})
            left.append({"period": period, "statistic": name, "without_value": ", ".join(used.without_value),
                         "islands": ", ".join(used.islands)})
        lm = local_moran(p["deaths"], rate_w, population=population, permutations=permutations, seed=seed,
                         alpha=alpha)
        lisas.append(lm.assign(period=period))
    glob = pd.DataFrame(rows)[["period", "statistic", "I", "expected", "z", "p_perm", "n", "weights"]]
    return {"global": glob, "lisa": pd.concat(lisas, ignore_index=True), "left_out": pd.DataFrame(left)}


def hotspot_summary(stats: dict[str, pd.DataFrame], *, alpha: float, label: str, provisional: bool = False
                    ) -> list[tuple[str, tuple[str, ...]]]:
    """Sentences for the summary of findings, each as ``(text, caveats)`` (associations, permutation p-values).

    At most three: the global clustering of every period in one sentence, the high-high clusters, and the
    bivariate statistic of every period in one sentence.
    """
    more = ("the violence counts include UCDP Candidate data: provisional, revised by UCDP",) if provisional else ()
    out: list[tuple[str, tuple[str, ...]]] = []
    g = stats["global"]
    univariate = g[~g["statistic"].str.startswith("deprivation here")]
    parts = []
    for period, p in univariate.groupby("period", sort=True):
        r = p.iloc[0]
        word = "clustered" if r["p_perm"] <= alpha and r["I"] > 0 else (
            "dispersed" if r["p_perm"] <= alpha else "not distinguishable from a random arrangement")
        parts.append(f"{period} {word} (I {r['I']:.2f}, p {_p(r['p_perm'])}, {int(r['n'])} districts)")
    if parts:
        out.append((f"District violence rates ({label}), empirical-Bayes Moran's I with permutation p-values: "
                    + "; ".join(parts) + ".", more))
    lisa = stats["lisa"]
    hh = lisa[lisa["cluster"].eq("high-high")].groupby("period")["unit_id"].size()
    if not hh.empty:
        out.append(("High-high clusters (a district with a high rate among neighbours with high rates): "
                    + "; ".join(f"{k}: {v} districts" for k, v in hh.items()) + ".",
                    (f"significant after a false-discovery-rate correction at {alpha:g}", *more)))
    bv = g[g["statistic"].str.startswith("deprivation here")]
    if not bv.empty:
        out.append(("Bivariate Moran's I of deprivation and the neighbours' violence: "
                    + "; ".join(f"{r.period} {r.I:.2f} (p {_p(r.p_perm)})" for r in bv.itertuples()) + ".",
                    ("an association in space, not evidence of cause and effect", *more)))
    return out


def _p(value: float) -> str:
    """``= 0.217`` or ``<0.001``."""
    text = format_p_value(value)
    return text if text.startswith("<") else f"= {text}"
