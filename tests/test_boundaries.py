"""The point-in-polygon rule of `points_in_polygons`, on test-built squares (made-up units near Multan).

Interior first; then edges and vertices; then the nearest polygon within the tolerance; ties to the
lowest unit id. The rule is checked against a brute-force reference that asks shapely's own
predicates polygon by polygon, so it cannot depend on how the fast join computes it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely import Point, box

from workbench.geo.boundaries import points_in_polygons

X0, Y0 = 70.0, 30.0  # a corner in Pakistan, so that the metric CRS (UTM 42N) fits


def squares(cells: dict[str, tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    """Polygons ``unit_id -> (xmin, ymin, xmax, ymax)`` in degrees from (X0, Y0)."""
    return gpd.GeoDataFrame({"unit_id": list(cells)},
                            geometry=[box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in cells.values()],
                            crs="EPSG:4326")


def place(polygons: gpd.GeoDataFrame, xy: list[tuple[float, float]], **kw) -> pd.DataFrame:
    pts = pd.DataFrame({"id": range(len(xy)), "longitude": [X0 + x for x, _ in xy],
                        "latitude": [Y0 + y for _, y in xy]})
    return points_in_polygons(pts, polygons, **kw)


def units(result: pd.DataFrame) -> list[str | None]:
    return [None if pd.isna(u) else u for u in result["unit_id"]]


# two squares side by side (ids deliberately in the opposite order of their position), and a third above
ROW = squares({"unit-b": (0, 0, 1, 1), "unit-a": (1, 0, 2, 1), "unit-c": (0, 1, 2, 2)})


def test_a_point_inside_goes_to_its_polygon():
    got = place(ROW, [(0.5, 0.5), (1.5, 0.5), (1.0, 1.5)])
    assert units(got) == ["unit-b", "unit-a", "unit-c"]
    assert got["inside"].all() and (got["distance_m"] == 0).all()


def test_a_point_on_a_shared_edge_or_vertex_goes_to_the_lowest_unit_id():
    got = place(ROW, [(1.0, 0.5), (0.5, 1.0), (1.0, 1.0)])
    # edge of b and a -> a; edge of b and c -> b; vertex of a, b and c -> a
    assert units(got) == ["unit-a", "unit-b", "unit-a"]
    assert got["inside"].all() and (got["distance_m"] == 0).all()


def test_a_point_on_an_outer_edge_goes_to_that_polygon():
    got = place(ROW, [(0.0, 0.5), (2.0, 0.25), (1.5, 0.0)])
    assert units(got) == ["unit-b", "unit-a", "unit-a"]
    assert got["inside"].all()


def test_in_an_overlap_the_lowest_unit_id_wins_and_an_interior_beats_an_edge():
    overlap = squares({"unit-y": (0, 0, 2, 2), "unit-w": (1, 0, 3, 2)})
    # (1.5, 1): inside both -> w; (1, 1): inside y, on w's edge -> y (interior first); (2, 1): on y's edge, inside w
    got = place(overlap, [(1.5, 1.0), (1.0, 1.0), (2.0, 1.0)])
    assert units(got) == ["unit-w", "unit-y", "unit-w"]


def test_the_result_does_not_depend_on_the_order_of_the_polygons():
    xy = [(1.0, 0.5), (0.5, 1.0), (1.0, 1.0), (0.5, 0.5), (2.0, 1.0), (1.0, -0.01)]
    want = units(place(ROW, xy, tolerance_m=5_000))
    for seed in range(4):
        shuffled = ROW.sample(frac=1, random_state=seed).reset_index(drop=True)
        assert units(place(shuffled, xy, tolerance_m=5_000)) == want


def test_a_point_just_outside_goes_to_the_nearest_polygon_within_the_tolerance():
    # 0.01 degrees south of the shared corner of b and a: equally near both -> a; west of b -> b
    got = place(ROW, [(1.0, -0.01), (-0.01, 0.5), (-0.2, 0.5)], tolerance_m=5_000)
    assert units(got) == ["unit-a", "unit-b", None]
    assert not got["inside"].any()
    d = got["distance_m"].to_numpy()
    assert 1_000 < d[0] < 1_200 and 900 < d[1] < 1_000  # 0.01 degree of latitude / of longitude at 30.5 N
    assert d[2] > 5_000  # too far: no unit, but its distance is reported


def test_without_distances_and_tolerance_points_outside_stay_unplaced():
    got = place(ROW, [(-0.01, 0.5), (0.5, 0.5)], distances=False)
    assert units(got) == [None, "unit-b"]
    assert np.isnan(got["distance_m"].iloc[0]) and got["distance_m"].iloc[1] == 0


def test_rows_keep_the_order_and_ids_of_the_points():
    pts = pd.DataFrame({"event": [30, 10, 20], "longitude": [X0 + 1.5, X0 + 0.5, X0 + 5], "latitude": [Y0 + .5] * 3})
    got = points_in_polygons(pts, ROW, id_column="event")
    assert list(got.columns) == ["event", "unit_id", "inside", "distance_m"]
    assert got["event"].tolist() == [30, 10, 20] and units(got) == ["unit-a", "unit-b", None]


def reference(polygons: gpd.GeoDataFrame, x: float, y: float) -> str | None:
    """The rule, one polygon at a time with shapely's predicates: interior, else edge; lowest id."""
    pt = Point(x, y)
    for holds in (lambda g: g.contains(pt), lambda g: g.intersects(pt)):
        hits = [u for u, g in zip(polygons["unit_id"], polygons.geometry, strict=True) if holds(g)]
        if hits:
            return min(hits)
    return None


# a 3 x 3 grid of unit squares, some missing, some doubled by an overlapping square; points on a
# half-degree lattice, so that many fall exactly on edges and vertices, plus points anywhere
cell = st.tuples(st.integers(0, 2), st.integers(0, 2))
lattice = st.tuples(st.integers(-1, 7).map(lambda k: k / 2), st.integers(-1, 7).map(lambda k: k / 2))
anywhere = st.tuples(st.floats(-0.5, 3.5), st.floats(-0.5, 3.5))


@given(cells=st.lists(cell, min_size=1, max_size=9, unique=True),
       overlaps=st.lists(st.tuples(st.floats(0, 2), st.floats(0, 2)), max_size=2),
       ids=st.randoms(use_true_random=False),
       points=st.lists(st.one_of(lattice, anywhere), min_size=1, max_size=40))
def test_matches_the_rule_polygon_by_polygon(cells, overlaps, ids, points):
    boxes = [(a, b, a + 1, b + 1) for a, b in cells] + [(a, b, a + 1.3, b + 0.7) for a, b in overlaps]
    names = [f"u{k:02d}" for k in range(len(boxes))]
    ids.shuffle(names)
    polygons = squares(dict(zip(names, boxes, strict=True)))
    got = units(place(polygons, points, distances=False))
    want = [reference(polygons, X0 + x, Y0 + y) for x, y in points]
    assert got == want


def test_an_empty_set_of_points_gives_an_empty_table():
    got = points_in_polygons(pd.DataFrame({"id": [], "longitude": [], "latitude": []}), ROW)
    assert len(got) == 0 and list(got.columns) == ["id", "unit_id", "inside", "distance_m"]


@pytest.mark.parametrize("tolerance_m", [0.0, 5_000.0])
def test_points_outside_every_polygon_far_away_get_no_unit(tolerance_m):
    got = place(ROW, [(10.0, 10.0)], tolerance_m=tolerance_m)
    assert units(got) == [None] and not got["inside"].iloc[0] and got["distance_m"].iloc[0] > 100_000
