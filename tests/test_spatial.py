"""Spatial statistics: weights, Moran's I, LISA, FDR, against hand computations and esda's documented values.

* a small lattice of test-built squares: Queen neighbours, Moran's I, local Moran, quadrants and the
  Benjamini-Hochberg threshold computed by hand from the formulas;
* the example data sets that libpysal ships in its wheel (``stl``, ``sids2``, ``desmith``: read
  offline) against the values esda's own docstrings print;
* the real district layers and panels: every district has a row, units without population are
  listed, and the totals stay whole.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import box

import geopandas as gpd
from workbench.errors import ParameterError
from workbench.indicators import spatial as sp

# --------------------------------------------------------------------------- a test-built lattice


def lattice(rows: int, cols: int) -> gpd.GeoDataFrame:
    """Squares of 1/8 degree (exact in binary, so neighbours share vertices) near Lahore, ids ``r{i}c{j}``."""
    s = 0.125
    cells = [(f"r{i}c{j}", box(74 + s * j, 31 + s * i, 74 + s * (j + 1), 31 + s * (i + 1)))
             for i in range(rows) for j in range(cols)]
    return gpd.GeoDataFrame({"unit_id": [c[0] for c in cells]}, geometry=[c[1] for c in cells], crs="EPSG:4326")


def hand_moran(y: np.ndarray, nb: dict[str, list[str]], ids: list[str]) -> tuple[float, np.ndarray, np.ndarray]:
    """Moran's I, local I_i and neighbours' means by the formulas, row-standardised weights.

    I = (n / S0) * sum_ij w_ij z_i z_j / sum_i z_i^2 with S0 = n; I_i = (n - 1) z_i zl_i / sum_k z_k^2.
    """
    z = y - y.mean()
    pos = {u: k for k, u in enumerate(ids)}
    zl = np.array([np.mean([z[pos[n]] for n in nb[u]]) for u in ids])
    denominator = (z * z).sum()
    return float((z * zl).sum() / denominator), (len(y) - 1) * z * zl / denominator, zl


def test_queen_neighbours_of_a_lattice_share_an_edge_or_a_corner():
    nb = sp.contiguity_neighbours(lattice(3, 3))
    assert len(nb["r1c1"]) == 8 and len(nb["r0c0"]) == 3 and len(nb["r0c1"]) == 5
    assert nb["r0c0"] == ["r0c1", "r1c0", "r1c1"]
    assert all(u in nb[n] for u, ns in nb.items() for n in ns)  # symmetric


def test_the_distance_band_by_default_leaves_no_unit_alone():
    layer = pd.concat([lattice(2, 2), gpd.GeoDataFrame({"unit_id": ["far"]}, geometry=[box(76, 33, 76.1, 33.1)],
                                                        crs="EPSG:4326")], ignore_index=True)
    nb, km = sp.distance_neighbours(layer)
    assert all(nb.values()) and nb["far"] and 150 < km < 400
    tight, _ = sp.distance_neighbours(layer, threshold_km=14)
    assert tight["far"] == [] and tight["r0c0"] == ["r0c1", "r1c0"]  # diagonal centroids are ~17 km apart


@given(values=st.lists(st.floats(0, 100, allow_nan=False), min_size=16, max_size=16))
def test_moran_and_local_moran_equal_the_formulas_on_a_lattice(values):
    layer = lattice(4, 4)
    nb = sp.contiguity_neighbours(layer)
    y = pd.Series(values, index=layer["unit_id"])
    if np.ptp(y.to_numpy()) < 1e-6:
        return  # a constant variable has no Moran's I
    used = sp.weights_for(nb, y)
    i_hand, local_hand, zl = hand_moran(y.reindex(used.ids).to_numpy(), nb, used.ids)
    g = sp.global_moran(y, used, permutations=99, seed=1)
    assert g["I"] == pytest.approx(i_hand, abs=1e-9) and g["expected"] == pytest.approx(-1 / 15)
    lm = sp.local_moran(y, used, permutations=99, seed=1)
    assert np.allclose(lm["local_i"], local_hand, atol=1e-9)
    assert lm["local_i"].sum() == pytest.approx(15 * i_hand, abs=1e-9)  # sum I_i = (n - 1) I
    z = y.reindex(used.ids).to_numpy() - y.mean()
    ok = (np.abs(z) > 1e-9) & (np.abs(zl) > 1e-9)
    quadrant = np.where(z > 0, np.where(zl > 0, "high-high", "high-low"), np.where(zl > 0, "low-high", "low-low"))
    assert (lm["quadrant"].to_numpy()[ok] == quadrant[ok]).all()


def test_a_clustered_lattice_has_high_high_and_low_low_clusters_after_fdr():
    layer = lattice(6, 6)
    y = pd.Series([100.0 if u[1] in "012" and u[3] in "012" else 1.0 for u in layer["unit_id"]],
                  index=layer["unit_id"])
    y += np.arange(36) * 0.01  # not constant within a block
    used = sp.weights_for(sp.contiguity_neighbours(layer), y)
    g = sp.global_moran(y, used)
    assert g["I"] > 0.4 and g["p_perm"] < 0.01
    lm = sp.local_moran(y, used, alpha=0.05)
    # Benjamini-Hochberg by hand: the largest k/n * alpha with p_(k) below it
    p = np.sort(lm["p_perm"].to_numpy())
    passing = [k for k in range(1, 37) if p[k - 1] < k / 36 * 0.05]
    assert lm["fdr_threshold"].iloc[0] == pytest.approx(max(passing) / 36 * 0.05)
    assert lm["significant"].eq(lm["p_perm"] <= lm["fdr_threshold"]).all()
    lm = lm.set_index("unit_id")
    clusters = lm["cluster"]
    assert clusters["r0c0"] == "high-high" and lm.loc["r5c5", "quadrant"] == "low-low"
    assert all(u[1] in "012" and u[3] in "012" for u in clusters[clusters.eq("high-high")].index)
    assert set(clusters) <= {"high-high", "low-low", "high-low", "low-high", "not significant"}


def test_permutation_inference_is_reproducible_and_leaves_numpy_alone():
    layer = lattice(4, 4)
    y = pd.Series(np.linspace(0, 1, 16) ** 2, index=layer["unit_id"])
    used = sp.weights_for(sp.contiguity_neighbours(layer), y)
    np.random.seed(3)
    before = np.random.random()
    np.random.seed(3)
    a, b = sp.global_moran(y, used, seed=7), sp.global_moran(y, used, seed=7)
    assert np.random.random() == before  # the caller's generator state is restored
    assert a == b and sp.local_moran(y, used, seed=7).equals(sp.local_moran(y, used, seed=7))


def test_units_without_a_value_and_islands_are_left_out_and_listed():
    layer = pd.concat([lattice(3, 3), gpd.GeoDataFrame({"unit_id": ["island"]}, geometry=[box(80, 35, 80.1, 35.1)],
                                                        crs="EPSG:4326")], ignore_index=True)
    nb = sp.contiguity_neighbours(layer)
    values = pd.Series(1.0 + np.arange(10), index=layer["unit_id"])
    values["r1c1"] = np.nan  # e.g. a district without population
    values["r0c0"] = np.nan
    used = sp.weights_for(nb, values)
    assert used.without_value == ["r0c0", "r1c1"] and used.islands == ["island"]
    assert set(used.ids) == set(layer["unit_id"]) - {"r0c0", "r1c1", "island"}
    assert "2 without a value left out" in used.describe() and "island" in used.describe()
    assert all(set(used.w.neighbors[u]) <= set(used.ids) for u in used.ids)
    with pytest.raises(ParameterError, match="too few for spatial statistics"):
        sp.weights_for(nb, pd.Series({"r0c0": 1.0, "r0c1": 2.0}))


def test_rate_moran_refuses_a_unit_without_population():
    layer = lattice(3, 3)
    used = sp.weights_for(sp.contiguity_neighbours(layer), pd.Series(1.0, index=layer["unit_id"]))
    with pytest.raises(ParameterError, match="positive population"):
        sp.rate_moran(pd.Series(1.0, index=used.ids), pd.Series(0.0, index=used.ids), used)


# --------------------------------------------------------------------------- esda's documented examples (offline)


def example(name: str):
    import libpysal

    return libpysal.io.open(libpysal.examples.get_path(name))


def gal_weights(name: str, values: np.ndarray) -> tuple[sp.WeightsUsed, pd.Series]:
    w = example(name).read()
    nb = {str(k): [str(n) for n in v] for k, v in w.neighbors.items()}
    ids = [str(i) for i in w.id_order]
    series = pd.Series(values, index=ids)
    return sp.weights_for(nb, series), series


def test_moran_on_st_louis_homicides_as_esda_documents():
    y = np.array(example("stl_hom.txt").by_col["HR8893"])
    used, series = gal_weights("stl.gal", y)
    g = sp.global_moran(series, used)
    assert round(g["I"], 3) == 0.244
    assert g["expected"] == pytest.approx(-0.012987012987012988)
    assert g["p_normal"] == pytest.approx(0.00027147862770937614, rel=1e-6)


def test_rate_and_bivariate_moran_on_north_carolina_sids_as_esda_documents():
    dbf = example("sids2.dbf")
    e, b = np.array(dbf.by_col("SID79")), np.array(dbf.by_col("BIR79"))
    used, events = gal_weights("sids2.gal", e)
    births = pd.Series(b, index=events.index)
    r = sp.rate_moran(events, births, used)
    assert f"{r['I']:6.4f}" == "0.1662" and f"{r['p_normal'] / 2:6.4f}" == "0.0042"  # esda prints one-tailed
    sidr74, sidr79 = (pd.Series(np.array(dbf.by_col(c)), index=events.index) for c in ("SIDR74", "SIDR79"))
    assert round(sp.bivariate_moran(sidr79, sidr74, used)["I"], 3) == 0.156
    lr = sp.local_moran(events, used, population=births, permutations=99).set_index("unit_id")
    codes = {v: k for k, v in sp.QUADRANTS.items()}
    assert [codes[q] for q in lr.loc[events.index[:10], "quadrant"]] == [2, 4, 3, 1, 2, 1, 1, 4, 2, 4]


def test_local_moran_quadrants_on_de_smiths_example_as_esda_documents():
    y = np.array(example("desmith.txt").by_col["z"])
    used, series = gal_weights("desmith.gal", y)
    lm = sp.local_moran(series, used, permutations=99).set_index("unit_id")
    codes = {v: k for k, v in sp.QUADRANTS.items()}
    assert [codes[q] for q in lm.loc[series.index, "quadrant"]] == [4, 4, 4, 2, 3, 3, 1, 4, 3, 3]


# --------------------------------------------------------------------------- the real districts


@pytest.fixture(scope="module")
def stable_table():
    from workbench.panel import spatial as ps

    return ps.hotspot_table("ucdp_ged_pak", district_set="stable", periods=ps.periods_of(2006, 2021, 8))


def test_every_district_of_the_layer_has_neighbours_and_a_row(stable_table):
    from workbench.panel import spatial as ps

    nb, _ = ps.district_neighbours("stable")
    assert all(nb.values())  # no island in the stable set
    assert set(stable_table["unit_id"]) == set(nb)
    edges = ps.neighbour_edges("stable")
    assert len(edges) == sum(len(v) for v in nb.values()) and edges.attrs["sources"] == ["osm_districts"]


def test_the_hotspot_table_keeps_totals_whole_and_lists_units_without_population(stable_table):
    from workbench.panel.violence import select_panel

    nat = select_panel(level="province", start_year=2006, end_year=2021)
    outside = stable_table.attrs["not_in_districts"]
    assert stable_table["deaths"].sum() + outside["deaths"].sum() == nat["deaths"].sum()
    no_pop = stable_table[stable_table["person_years"].isna()]
    assert set(no_pop["province"]) == {"PK-JK", "PK-GB"}
    assert stable_table["deaths_per_100k"].notna().sum() > 100
    assert {"ucdp_ged_pak", "osm_districts"} <= set(stable_table.attrs["sources"])


def test_periods_end_in_the_last_year():
    from workbench.panel.spatial import periods_of

    assert periods_of(1998, 2021, 8) == [(1998, 2005), (2006, 2013), (2014, 2021)]
    assert periods_of(2000, 2021, 8) == [(2000, 2005), (2006, 2013), (2014, 2021)]
    with pytest.raises(ParameterError, match="at least 1 year"):
        periods_of(2000, 2021, 0)
