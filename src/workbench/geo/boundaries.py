"""Boundary layers from the catalog, with registry unit ids, and the point-in-polygon join.

Layers (catalog ids): ``osm_districts`` (the 2023 census district set plus AJK's and GB's
districts: the layer events are placed in), ``osm_provinces``, ``osm_divisions``, ``cod_adm1``,
``cod_adm2`` (COD 2022, used as a cross-check), ``gb_adm2_2019``, and ``ne_adm1_pre2018``
(Natural Earth, pre-2018 layout with FATA separate: coarse, used only to check UCDP's own FATA
coding). Each layer's name column is resolved to registry unit ids; an unknown name is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from workbench.catalog import resolve_path
from workbench.errors import ParameterError
from workbench.geo.units import Registry, load_registry

# A metric CRS for distances: UTM zone 42N (Pakistan spans 41-43N; over the few kilometres of a
# tolerance the error is far below the precision of the coordinates).
METRIC_CRS = "EPSG:32642"


@dataclass(frozen=True)
class LayerSpec:
    """How to read one boundary layer: its name column, the alias source and the unit level."""

    dataset_id: str
    name_column: str
    alias_source: str
    level: str


LAYERS: dict[str, LayerSpec] = {
    "osm_districts": LayerSpec("osm_districts", "name", "osm_districts", "district"),
    "osm_divisions": LayerSpec("osm_divisions", "name", "osm_divisions", "division"),
    "osm_provinces": LayerSpec("osm_provinces", "name", "osm_provinces", "province"),
    "cod_adm1": LayerSpec("cod_adm1", "ADM1_EN", "cod_adm1", "province"),
    "cod_adm2": LayerSpec("cod_adm2", "ADM2_EN", "cod_adm2", "district"),
    "gb_adm2_2019": LayerSpec("gb_adm2_2019", "shapeName", "gb2019", "district"),
    "ne_adm1_pre2018": LayerSpec("ne_adm1_pre2018", "name", "ne_adm1", "province"),
}


def read_layer(layer: str, *, registry: Registry | None = None) -> gpd.GeoDataFrame:
    """Read a boundary layer with a ``unit_id`` column from the registry.

    Parameters
    ----------
    layer:
        One of :data:`LAYERS` (a catalog id).
    """
    if layer not in LAYERS:
        raise ParameterError(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}")
    spec = LAYERS[layer]
    reg = registry or load_registry()
    path = resolve_path(spec.dataset_id)
    gdf = gpd.read_file(path, columns=[spec.name_column])
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise ParameterError(f"{path}: expected EPSG:4326 lon/lat, found {gdf.crs}")
    names = gdf[spec.name_column].astype(str)
    gdf["unit_id"] = reg.resolve_series(names, source=spec.alias_source, level=spec.level,
                                        column=spec.name_column, file=str(path)).to_numpy()
    gdf = gdf.rename(columns={spec.name_column: "source_name"})
    gdf = gdf[["unit_id", "source_name", "geometry"]].copy()
    gdf.attrs["sources"] = [spec.dataset_id]
    return gdf


#: The rank of "no polygon" (above every polygon's rank by unit id).
NO_POLYGON = np.iinfo(np.int64).max


def points_in_polygons(points: pd.DataFrame, polygons: gpd.GeoDataFrame, *, lon: str = "longitude",
                       lat: str = "latitude", id_column: str = "id", tolerance_m: float = 0.0,
                       distances: bool = True) -> pd.DataFrame:
    """Find, for each point, the polygon that holds it, or the nearest within ``tolerance_m``.

    The rule, whatever geometric predicate computes it (``docs/placement.md``):

    1. a point in the interior of a polygon goes to that polygon;
    2. a point in no interior but on an edge or vertex (a shared border, the outer edge) goes to the
       polygon whose edge it lies on;
    3. a point outside every polygon goes to the nearest polygon, if it lies within ``tolerance_m``
       metres of it (distance in :data:`METRIC_CRS`).

    Where several polygons qualify at one step (an overlap sliver, a shared edge or vertex, equally
    near polygons), the point goes to the one with the lowest ``unit_id``. So every point gets at
    most one unit, and the result does not depend on the order of the polygons.

    Returns one row per point (same order as ``points``) with ``unit_id`` (missing where none),
    ``inside`` (bool: steps 1-2) and ``distance_m`` (0 inside; the distance to the nearest polygon
    otherwise, also where it is beyond the tolerance; missing outside when ``distances`` is false
    and ``tolerance_m`` is 0, which skips the nearest-polygon search).
    """
    x = points[lon].to_numpy(dtype="float64")
    y = points[lat].to_numpy(dtype="float64")
    unit_ids = polygons["unit_id"].astype(str).to_numpy()
    geoms = np.asarray(polygons.geometry.array, dtype=object)
    rank = np.empty(len(unit_ids), dtype=np.int64)
    rank[np.argsort(unit_ids, kind="stable")] = np.arange(len(unit_ids))
    shapely.prepare(geoms)  # in place: a prepared polygon answers point queries many times faster

    order = np.argsort(x, kind="stable")
    best = _lowest_rank_holding(x, y, order, geoms, rank, shapely.contains_xy)
    on_edge = np.flatnonzero(best == NO_POLYGON)
    if len(on_edge):
        best[on_edge] = _lowest_rank_holding(x[on_edge], y[on_edge], np.argsort(x[on_edge], kind="stable"),
                                             geoms, rank, shapely.intersects_xy)
    inside = best != NO_POLYGON
    distance = np.where(inside, 0.0, np.nan)
    outside = np.flatnonzero(~inside)
    if len(outside) and (distances or tolerance_m > 0):
        near, distance[outside] = _nearest(x[outside], y[outside], polygons, rank)
        close = distance[outside] <= tolerance_m
        best[outside[close]] = near[close]
    by_rank = np.empty(len(rank), dtype=object)
    by_rank[rank] = unit_ids
    found = best != NO_POLYGON
    unit = np.full(len(x), None, dtype=object)
    unit[found] = by_rank[best[found]]
    return pd.DataFrame({id_column: points[id_column].to_numpy(), "unit_id": pd.array(unit, dtype="string"),
                         "inside": inside, "distance_m": distance})


def _lowest_rank_holding(x: np.ndarray, y: np.ndarray, order: np.ndarray, geoms: np.ndarray, rank: np.ndarray,
                         holds) -> np.ndarray:
    """For each point, the lowest rank of the polygons for which ``holds(polygon, x, y)`` is true.

    Each polygon is tested only against the points inside its bounding box, found by binary search
    in ``order`` (the points sorted by ``x``) and a filter on ``y``.
    """
    best = np.full(len(x), NO_POLYGON, dtype=np.int64)
    xs = x[order]
    for geom, r, (xmin, ymin, xmax, ymax) in zip(geoms, rank, shapely.bounds(geoms), strict=True):
        cand = order[np.searchsorted(xs, xmin, side="left"):np.searchsorted(xs, xmax, side="right")]
        cand = cand[(y[cand] >= ymin) & (y[cand] <= ymax)]
        hit = cand[holds(geom, x[cand], y[cand])]
        best[hit] = np.minimum(best[hit], r)
    return best


def _nearest(x: np.ndarray, y: np.ndarray, polygons: gpd.GeoDataFrame,
             rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowest rank among the nearest polygons of each point, and the distance in metres."""
    metric = polygons.geometry.to_crs(METRIC_CRS).to_numpy()
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs="EPSG:4326").to_crs(METRIC_CRS).to_numpy()
    (point_idx, poly_idx), dist = shapely.STRtree(metric).query_nearest(pts, return_distance=True, all_matches=True)
    near = np.full(len(x), NO_POLYGON, dtype=np.int64)
    np.minimum.at(near, point_idx, rank[poly_idx])
    distance = np.full(len(x), np.nan)
    distance[point_idx] = dist
    return near, distance


def units_layer(level: str, layout: str = "current", district_set: str = "census2023", *,
                registry: Registry | None = None) -> gpd.GeoDataFrame:
    """Polygons for mapping a panel: provinces of a layout, or districts of a district set.

    Provinces: OSM provinces (current layout) or Natural Earth (pre-2018 layout, coarse). Districts:
    the OSM 2023 layer, dissolved into stable units for ``district_set="stable"``. The layer's
    catalog id is in ``attrs["sources"]`` (name it as the boundary source of a map).
    """
    reg = registry or load_registry()
    if level == "province":
        layer = read_layer("osm_provinces" if layout == "current" else "ne_adm1_pre2018", registry=reg)
        return layer
    if level != "district":
        raise ParameterError(f"level must be province or district; got {level!r}")
    districts = read_layer("osm_districts", registry=reg)
    if district_set == "census2023":
        return districts
    if district_set != "stable":
        raise ParameterError(f"district_set must be census2023 or stable; got {district_set!r}")
    districts["unit_id"] = [reg.stable_of(u) for u in districts["unit_id"]]
    out = districts[["unit_id", "geometry"]].dissolve(by="unit_id", as_index=False)
    out.attrs["sources"] = ["osm_districts"]
    return out
