"""Interactive maps that open offline: hover a unit for its name, value, years and source.

The map is a plotly figure whose JavaScript is inlined in the page (the first map of a notebook
carries the library, later ones reuse it), drawn as filled polygons on plain axes: no web map
tiles, no base map, nothing fetched from a CDN, so the report opens on an air-gapped machine.
Colours follow the same classes as the printed map (:func:`workbench.report.classes.quantile_classes`
or a linear scale). In print the interactive map is left out; its static twin is printed.

Example
-------
In a notebook, beside the printed map::

    from workbench.report.maps import show_interactive_map
    show_interactive_map(gdf, "deaths", name="map_deaths_by_district", title="Deaths by district",
                         value_label="UCDP deaths (best)", years=(1989, 2021),
                         sources=["ucdp_ged_pak"], boundary_source="osm_districts", scale="quantile")
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.errors import ParameterError
from workbench.formatting import MISSING, decimals_for, format_number
from workbench.report.classes import quantile_classes
from workbench.report.outputs import footnote_text
from workbench.report.viz import DISPUTED_AREAS_NOTE, MISSING_COLOUR, SEQUENTIAL_CMAP, class_colours

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

#: Simplification of the polygons, in degrees (about 1 km): small pages, same picture.
SIMPLIFY_DEGREES = 0.01
#: Whether this kernel has already put plotly's JavaScript into the page.
_library_sent = False


def interactive_map(gdf: gpd.GeoDataFrame, column: str, *, title: str, value_label: str, years: Sequence[int],
                    sources: str | Iterable[str], boundary_source: str, scale: str = "quantile", classes: int = 5,
                    name_column: str = "unit_name", unit_word: str = "units") -> Any:
    """A plotly figure: one filled polygon per unit, coloured by class, with a hover label.

    Parameters
    ----------
    gdf:
        Polygons (longitude/latitude) with ``name_column`` and the value ``column``.
    title, value_label:
        The map's title, and what the value is (with its unit) for the hover label and legend.
    years:
        The years the value covers, ``(first, last)``, shown on hover.
    sources, boundary_source:
        Catalog ids of the values and of the layer drawn, for the hover label and the footnote.
    scale:
        ``"quantile"`` (a class of zeros, then quantile classes) or ``"linear"`` (equal-width classes).
    name_column:
        The units' names for the hover label; without it, the registry's name of each ``unit_id``.
    unit_word:
        What the polygons are (``"districts"``), for the classes' description.
    """
    import plotly.graph_objects as go

    if column not in gdf.columns:
        raise ParameterError(f"column {column!r} is not in the map's frame; its columns: {', '.join(gdf.columns)}")
    names = _unit_names(gdf, name_column)
    if scale not in ("linear", "quantile"):
        raise ParameterError(f"scale must be 'linear' or 'quantile'; got {scale!r}")
    ids = [sources] if isinstance(sources, str) else list(sources)
    source_line = footnote_text(ids, what=f"map {title!r}").removeprefix("Source: ")
    values = gdf[column]
    present = values.dropna()
    if present.empty:
        raise ParameterError(f"column={column!r}: no unit has a value to map")
    labels, index = _classes(values, scale, classes, unit_word)
    colours = class_colours(len(labels), SEQUENTIAL_CMAP)
    decimals = 0 if (present == present.round()).all() else decimals_for(present)
    period = f"{years[0]}-{years[-1]}" if years[0] != years[-1] else f"{years[0]}"
    shapes = gdf.to_crs("EPSG:4326").geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    fig = go.Figure()
    seen: set[int] = set()
    for position, (name, value, shape) in enumerate(zip(names, values, shapes, strict=True)):
        if shape is None or shape.is_empty:
            continue
        cls = int(index[position])
        shown = MISSING if pd.isna(value) else format_number(value, decimals)
        hover = (f"<b>{html.escape(str(name))}</b><br>{html.escape(value_label)}: {shown}<br>{period}"
                 f"<br><span style='font-size:smaller'>{html.escape(source_line)}</span>")
        xs, ys = _outline(shape)
        group = labels[cls] if cls >= 0 else "no data"
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="lines", fill="toself", line={"color": "white", "width": 0.5},
            fillcolor=colours[cls] if cls >= 0 else MISSING_COLOUR, hoveron="fills", hoverinfo="text",
            text=hover, name=group, legendgroup=group, showlegend=cls not in seen,
            legendrank=cls if cls >= 0 else len(labels)))
        seen.add(cls)
    mid_latitude = float(shapes.union_all().centroid.y)
    fig.update_layout(
        title={"text": html.escape(title), "x": 0.01}, height=640, margin={"l": 10, "r": 10, "t": 50, "b": 10},
        plot_bgcolor="white", legend={"title": {"text": html.escape(value_label)}, "itemclick": "toggleothers"},
        xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x",
                                         "scaleratio": 1 / math.cos(math.radians(mid_latitude))},
    )
    fig._workbench_footnote = footnote_text(ids, [DISPUTED_AREAS_NOTE], [boundary_source], what=f"map {title!r}")
    return fig


def _unit_names(gdf: gpd.GeoDataFrame, name_column: str) -> list[str]:
    """The units' names: ``name_column``, else the registry's name of each ``unit_id``."""
    if name_column in gdf.columns:
        return [str(n) for n in gdf[name_column]]
    if "unit_id" not in gdf.columns:
        raise ParameterError(f"the map's frame has neither {name_column!r} nor 'unit_id' to name its units; "
                             f"its columns: {', '.join(gdf.columns)}")
    from workbench.geo.units import load_registry

    registry = load_registry()
    return [registry.name(u) for u in gdf["unit_id"]]


def _classes(values: Any, scale: str, k: int, unit_word: str) -> tuple[list[str], Any]:
    """Class labels, and the class of every row (-1 where the value is missing)."""
    import numpy as np

    present = values.notna().to_numpy()
    x = values.to_numpy(dtype=float)
    index = np.full(len(x), -1)
    if scale == "quantile":
        cls = quantile_classes(x[present], k=k, what=unit_word)
        index[present] = cls.assign(x[present])
        return cls.labels, index
    edges = np.linspace(float(x[present].min()), float(x[present].max()), k + 1)
    index[present] = np.clip(np.searchsorted(edges, x[present], side="right") - 1, 0, k - 1)
    d = decimals_for(edges)
    return [f"{format_number(a, d)}–{format_number(b, d)}" for a, b in zip(edges[:-1], edges[1:], strict=True)], index


def _outline(shape: Any) -> tuple[list[float | None], list[float | None]]:
    """The exterior rings of a (multi)polygon as one x and one y list, rings separated by None."""
    parts = getattr(shape, "geoms", [shape])
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in parts:
        ring = getattr(part, "exterior", None)
        if ring is None:
            continue
        x, y = ring.xy
        xs += [round(v, 4) for v in x] + [None]
        ys += [round(v, 4) for v in y] + [None]
    return xs, ys


def map_html(fig: Any, name: str) -> str:
    """The map as an HTML fragment: plotly's JavaScript inlined the first time in this kernel, the footnote below."""
    global _library_sent
    body = fig.to_html(full_html=False, include_plotlyjs=not _library_sent, div_id=f"wb-map-{name}",
                       config={"displaylogo": False, "responsive": True, "showSendToCloud": False})
    _library_sent = True
    note = html.escape(getattr(fig, "_workbench_footnote", ""))
    return (f'<div class="wb-interactive">{body}<p class="wb-footnote" style="font-size:smaller; color:#444">'
            f"Interactive map (hover a unit; click a class in the legend to show it alone). {note}</p></div>")


class MapView:
    """What a notebook shows for an interactive map (HTML with the inlined library)."""

    def __init__(self, page: str) -> None:
        self.page = page

    def _repr_html_(self) -> str:
        return self.page

    def __repr__(self) -> str:
        return "<interactive map: shown in the HTML report>"


def show_interactive_map(gdf: gpd.GeoDataFrame, column: str, *, name: str, **options: Any) -> None:
    """Build :func:`interactive_map` and display it (in a notebook; elsewhere nothing); ``options`` as there."""
    view = MapView(map_html(interactive_map(gdf, column, **options), name))
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover
        return
    if get_ipython() is not None:
        display(view)
