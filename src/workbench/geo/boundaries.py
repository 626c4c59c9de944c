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


def points_in_polygons(points: pd.DataFrame, polygons: gpd.GeoDataFrame, *, lon: str = "longitude",
                       lat: str = "latitude", id_column: str = "id", tolerance_m: float = 0.0) -> pd.DataFrame:
    """Find, for each point, the polygon that contains it, or the nearest within ``tolerance_m``.

    Returns one row per point (same order as ``points``) with ``unit_id`` (empty where none),
    ``inside`` (bool) and ``distance_m`` (0 inside; distance to the nearest polygon otherwise).
    A point on a shared edge, or in an overlap sliver, goes to the polygon with the lowest
    unit id, so every point gets at most one unit. Each distinct coordinate is tested once
    (event data repeat coordinates a great deal).
    """
    coords = pd.DataFrame({"lon": points[lon].to_numpy(), "lat": points[lat].to_numpy()})
    unique = coords.drop_duplicates().reset_index(drop=True)
    unique["_key"] = np.arange(len(unique))
    located = _locate_unique(unique, polygons, tolerance_m)
    back = coords.merge(unique, on=["lon", "lat"], how="left")["_key"].to_numpy()
    out = located.iloc[back].reset_index(drop=True)
    out.insert(0, id_column, points[id_column].to_numpy())
    return out


def _locate_unique(unique: pd.DataFrame, polygons: gpd.GeoDataFrame, tolerance_m: float) -> pd.DataFrame:
    """:func:`points_in_polygons` for distinct coordinates (columns lon, lat, _key)."""
    id_column = "_key"
    pts = gpd.GeoDataFrame(
        {id_column: unique[id_column].to_numpy()},
        geometry=gpd.points_from_xy(unique["lon"].to_numpy(), unique["lat"].to_numpy()),
        crs="EPSG:4326",
    )
    pts["_order"] = np.arange(len(pts))
    joined = gpd.sjoin(pts, polygons[["unit_id", "geometry"]], how="left", predicate="intersects")
    joined = joined.sort_values(["_order", "unit_id"]).drop_duplicates("_order", keep="first")
    out = pd.DataFrame({
        id_column: joined[id_column].to_numpy(),
        "unit_id": joined["unit_id"].astype("string").to_numpy(),
        "inside": joined["unit_id"].notna().to_numpy(),
        "distance_m": np.where(joined["unit_id"].notna(), 0.0, np.nan),
    })
    outside = ~out["inside"]
    if outside.any():
        far = pts.loc[outside.to_numpy()].to_crs(METRIC_CRS)
        polys = polygons[["unit_id", "geometry"]].to_crs(METRIC_CRS)
        near = gpd.sjoin_nearest(far, polys, how="left", distance_col="distance_m")
        near = near.sort_values(["_order", "unit_id"]).drop_duplicates("_order", keep="first")
        idx = np.flatnonzero(outside.to_numpy())
        out.loc[idx, "distance_m"] = near["distance_m"].to_numpy()
        within = near["distance_m"].to_numpy() <= tolerance_m
        out.loc[idx[within], "unit_id"] = near["unit_id"].to_numpy()[within]
    return out.drop(columns=[id_column])


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
