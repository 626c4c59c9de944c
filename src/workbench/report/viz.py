"""One figure style for the workbench, and the figures every notebook needs.

- :func:`use_style`: seaborn's colour-blind-safe palette, white grid, readable font sizes,
  200 dpi on save (print quality).
- :func:`choropleth`: a map of one column, naming the boundary layer and carrying the
  standard disclaimer on disputed areas; a linear scale, or quantile classes for skewed counts
  (stated in the legend and the footnote).
- :func:`time_series`: lines over time, one per group, legend title and axes in words.

Every figure carries its sources as a footnote (via
:func:`workbench.report.outputs.attach_sources`); :func:`workbench.report.outputs.save_figure`
writes and shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from workbench.errors import ParameterError
from workbench.report.classes import quantile_classes
from workbench.report.outputs import FIGURE_DPI, attach_sources
from workbench.report.tables import label, unit_level_of

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
            "savefig.dpi": FIGURE_DPI,
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
    scale: str = "linear",
    classes: int = 5,
    unit_word: str = "units",
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
        The map's title and the colour bar's (or legend's) label, with the unit.
    sources:
        Catalog ids of the mapped values.
    boundary_source:
        Catalog id of the boundary layer drawn (e.g. ``cod_adm2``, ``osm_districts``); credited in
        the footnote as ``Boundaries: ...`` together with :data:`DISPUTED_AREAS_NOTE`.
    cmap:
        A matplotlib colour map (sequential, colour-blind safe by default).
    norm:
        For ``scale="linear"``: a matplotlib normalisation, e.g. ``LogNorm()`` (linear by default).
    scale:
        ``"linear"`` (a colour bar), or ``"quantile"``: a class of zeros, then ``classes`` quantile
        classes of the positive values (:func:`workbench.report.classes.quantile_classes`), for
        skewed counts; the legend lists the classes and the footnote says how they were made.
    classes:
        Number of quantile classes.
    unit_word:
        What the polygons are, for the classes' description (``"districts"``).
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
    if scale not in ("linear", "quantile"):
        raise ParameterError(f"scale must be 'linear' or 'quantile'; got {scale!r}")
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
    from matplotlib.patches import Patch

    handles = []
    note = DISPUTED_AREAS_NOTE
    if scale == "quantile":
        cls = quantile_classes(present[column], k=classes, what=unit_word)
        colours = class_colours(len(cls.labels), cmap)
        index = cls.assign(present[column])
        present.plot(ax=ax, color=[colours[i] for i in index], edgecolor="white", linewidth=0.3)
        handles = [Patch(facecolor=c, label=text) for c, text in zip(colours, cls.labels, strict=True)]
        note = f"{cls.description}. {DISPUTED_AREAS_NOTE}"
    else:
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        scale_norm = norm if norm is not None else Normalize(vmin=float(present[column].min()),
                                                             vmax=float(present[column].max()))
        present.plot(column=column, ax=ax, cmap=cmap, norm=scale_norm, edgecolor="white", linewidth=0.3)
        # the colour bar is built from the scale itself, so units without data cannot distort it
        fig.colorbar(ScalarMappable(norm=scale_norm, cmap=cmap), ax=ax, shrink=0.6, label=legend_label)
    if len(missing):
        handles.append(Patch(facecolor=MISSING_COLOUR, hatch="///", label="no data"))
    ax.set_title(title)
    ax.set_axis_off()
    ax.set_aspect("equal")
    if handles:
        outside = {"loc": "center left", "bbox_to_anchor": (1.0, 0.5)} if scale == "quantile" else {"loc": "lower left"}
        ax.legend(handles=handles, title=legend_label if scale == "quantile" else None, fontsize=8, title_fontsize=9,
                  **outside)
    attach_sources(fig, sources, note=note, boundary_layers=[boundary_source])
    return fig


def class_colours(n: int, cmap: str = SEQUENTIAL_CMAP) -> list[str]:
    """``n`` colours of a sequential colour map for ordered classes, low to high as on the linear maps, as hex."""
    import matplotlib as mpl
    from matplotlib.colors import to_hex

    colour_map = mpl.colormaps[cmap]
    return [to_hex(colour_map(0.05 + 0.9 * i / (n - 1) if n > 1 else 0.6)) for i in range(n)]


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
    hue_label: str | None = None,
    ax: Any = None,
) -> Figure:
    """Lines of ``y`` over ``x``, one per value of ``hue``, with markers; a missing value breaks its line.

    A year a source does not cover (NaN) is drawn as a gap, never bridged: the points are drawn in
    ``x`` order as given, one line per group. ``sources`` defaults to ``df.attrs["sources"]``. Axis
    and legend titles default to the columns' labels (:func:`workbench.report.tables.label`:
    ``unit_name`` -> ``Province`` for a province panel).
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
    level = unit_level_of(df)
    groups = df.groupby(hue, sort=True) if hue else [(None, df)]
    colours = sns.color_palette(n_colors=max(1, df[hue].nunique() if hue else 1))
    for colour, (name, g) in zip(colours, groups, strict=False):
        g = g.sort_values(x, kind="stable")
        ax.plot(g[x].to_numpy(), pd.to_numeric(g[y], errors="coerce").to_numpy(dtype=float), marker="o",
                markersize=4, color=colour, label=None if name is None else str(name))
    ax.set_title(title)
    ax.set_ylabel(ylabel or label(y))
    ax.set_xlabel(xlabel or label(x))
    if pd.api.types.is_integer_dtype(df[x]):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if hue:
        handles, names = ax.get_legend_handles_labels()
        ax.legend(handles, [label(n) for n in names], title=hue_label or label(hue, level), loc="best")
    attach_sources(fig, ids)
    return fig


def label_legend(ax: Any, title: str | None = None) -> None:
    """Put a legend's title and entries into words (codes such as ``non_state`` -> ``Non-state``)."""
    legend = ax.get_legend()
    if legend is None:
        return
    for text in legend.get_texts():
        text.set_text(label(text.get_text()))
    words = title if title is not None else label(legend.get_title().get_text())
    legend.set_title(words[:1].upper() + words[1:])
