"""One figure style for the workbench, and the figures every notebook needs.

- :func:`use_style`: seaborn's colour-blind-safe palette, white grid, readable font sizes,
  150 dpi on save.
- :func:`choropleth`: a map of one column, naming the boundary layer and carrying the
  standard disclaimer on disputed areas.
- :func:`time_series`: lines over time, one per group.

Every figure carries its sources as a footnote (via
:func:`workbench.report.outputs.attach_sources`); :func:`workbench.report.outputs.save_figure`
writes and shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from workbench.errors import ParameterError
from workbench.report.outputs import attach_sources, describe_sources

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd
    from matplotlib.figure import Figure

#: The disclaimer every map of Pakistan carries.
DISPUTED_AREAS_NOTE = (
    "Boundaries are shown for statistical purposes only and do not imply any position on the status of "
    "Jammu and Kashmir; the mirrored layers draw Azad Jammu & Kashmir and Gilgit-Baltistan to different extents."
)
#: Sequential colour map for maps: perceptually uniform and readable with colour-vision deficiency.
SEQUENTIAL_CMAP = "cividis"
MISSING_COLOUR = "#d9d9d9"


def use_style() -> None:
    """Set the workbench's figure style (call once at the top of a notebook)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind", font_scale=1.0)
    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 4.8),
            "figure.dpi": 100,
            "savefig.dpi": 150,
            "font.size": 11,
            "axes.titlesize": 13,
            "axes.titleweight": "bold",
            "axes.labelsize": 11,
            "legend.fontsize": 10,
            "legend.frameon": False,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "image.cmap": SEQUENTIAL_CMAP,
        }
    )


def _check_column(frame: Any, column: str, argument: str) -> None:
    if column not in frame.columns:
        raise ParameterError(f"{argument}={column!r}: no such column; the columns are: {', '.join(map(str, frame.columns))}")


def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    title: str,
    sources: str | Iterable[str],
    boundary_source: str,
    legend_label: str,
    cmap: str = SEQUENTIAL_CMAP,
    norm: Any = None,
    ax: Any = None,
) -> Figure:
    """Map one column of a GeoDataFrame; units without a value are grey and labelled "no data".

    Parameters
    ----------
    gdf:
        Polygons with the values to map.
    column:
        The column to colour by (numeric).
    title, legend_label:
        The map's title and the colour bar's label (with the unit).
    sources:
        Catalog ids of the mapped values.
    boundary_source:
        Catalog id of the boundary layer (e.g. ``cod_adm2``, ``osm_districts``); named in the
        footnote together with :data:`DISPUTED_AREAS_NOTE`.
    cmap:
        A matplotlib colour map (sequential, colour-blind safe by default).
    norm:
        A matplotlib normalisation for skewed values, e.g. ``matplotlib.colors.LogNorm()`` or
        ``PowerNorm(0.5)`` (linear by default).
    ax:
        Draw into this axes instead of a new figure.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    _check_column(gdf, column, "column")
    if not pd.api.types.is_numeric_dtype(gdf[column]):
        raise ParameterError(f"column={column!r}: expected numbers, found dtype {gdf[column].dtype}")
    if not isinstance(boundary_source, str) or not boundary_source:
        raise ParameterError("boundary_source: expected the catalog id of the boundary layer, e.g. 'cod_adm2'")
    if ax is None:
        fig, ax = plt.subplots(figsize=(7.5, 8.0))
    else:
        fig = ax.figure
    present = gdf[gdf[column].notna()]
    missing = gdf[gdf[column].isna()]
    if present.empty:
        raise ParameterError(f"column={column!r}: no unit has a value to map")
    if len(missing):
        missing.plot(ax=ax, color=MISSING_COLOUR, edgecolor="white", hatch="///", linewidth=0.3)
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    scale = norm if norm is not None else Normalize(vmin=float(present[column].min()),
                                                    vmax=float(present[column].max()))
    present.plot(column=column, ax=ax, cmap=cmap, norm=scale, edgecolor="white", linewidth=0.3)
    # the colour bar is built from the scale itself, so units without data cannot distort it
    fig.colorbar(ScalarMappable(norm=scale, cmap=cmap), ax=ax, shrink=0.6, label=legend_label)
    ax.set_title(title)
    ax.set_axis_off()
    ax.set_aspect("equal")
    if gdf[column].isna().any():
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(facecolor=MISSING_COLOUR, hatch="///", label="no data")], loc="lower left")
    boundary = describe_sources([boundary_source]).removeprefix("Source: ")
    attach_sources(fig, sources, note=f"Boundaries: {boundary}. {DISPUTED_AREAS_NOTE}")
    return fig


def time_series(
    df: pd.DataFrame,
    x: str,
    y: str,
    hue: str | None = None,
    *,
    title: str,
    sources: str | Iterable[str] | None = None,
    ylabel: str | None = None,
    xlabel: str | None = None,
    ax: Any = None,
) -> Figure:
    """Lines of ``y`` over ``x``, one per value of ``hue``, with markers.

    ``sources`` defaults to ``df.attrs["sources"]``.
    """
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    for column, argument in ((x, "x"), (y, "y"), *(((hue, "hue"),) if hue else ())):
        _check_column(df, column, argument)
    ids = sources if sources is not None else df.attrs.get("sources")
    if ids is None:
        raise ParameterError(f"time_series {title!r}: no sources= given and the frame carries no attrs['sources']")
    if ax is None:
        fig, ax = plt.subplots()
    else:
        fig = ax.figure
    sns.lineplot(data=df, x=x, y=y, hue=hue, marker="o", ax=ax)
    ax.set_title(title)
    ax.set_ylabel(ylabel or y)
    ax.set_xlabel(xlabel or x)
    if pd.api.types.is_integer_dtype(df[x]):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if hue:
        ax.legend(title=hue, loc="best")
    attach_sources(fig, ids)
    return fig
