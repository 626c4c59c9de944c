"""Charts for particular analyses: two sources side by side, need against attention.

Each returns a matplotlib figure with its sources attached (:func:`workbench.report.outputs.attach_sources`);
:func:`render_comparison` also shows and writes the tables of a source comparison.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.panel.compare import SourceComparison, side_by_side
from workbench.policy.alignment import POLICY_SOURCE
from workbench.report.outputs import attach_sources, save_figure, show_table

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


def comparison_figure(comp: SourceComparison, *, units: Sequence[str] | None = None, ncols: int = 3) -> Any:
    """Small multiples: each unit's series from both sources over the years (national total first).

    Parameters
    ----------
    units:
        Unit ids to draw (default: the national total, then every province with a figure in either).
    """
    import matplotlib.pyplot as plt

    t = comp.table
    if units is None:
        have = t[(t["value_a"].notna() | t["value_b"].notna())]
        order = [u for u in ["PK", *sorted(have.loc[have["unit_level"] == "province", "unit_id"].unique())]
                 if u in set(have["unit_id"])]
    else:
        unknown = [u for u in units if u not in set(t["unit_id"])]
        if unknown:
            raise ParameterError(f"units {unknown} are not in the comparison; units: {sorted(set(t['unit_id']))}")
        order = list(units)
    if not order:
        raise ParameterError("nothing to draw: neither source gives a figure in the window")
    n = len(order)
    cols = max(1, min(ncols, n))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.5 * rows + 0.6), squeeze=False, sharex=True)
    la, lb = comp.labels
    for ax, unit in zip(axes.flat, order, strict=False):
        d = t[t["unit_id"] == unit].sort_values("year")
        ax.plot(d["year"], d["value_a"], marker="o", ms=3, label=la)
        ax.plot(d["year"], d["value_b"], marker="s", ms=3, label=lb)
        ax.set_title(str(d["unit_name"].iloc[0]), fontsize=9)
        ax.tick_params(labelsize=7)
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    height = fig.get_figheight()
    top = 1 - 0.6 / height
    fig.suptitle(f"{comp.measure} by province and year, {comp.layout} layout, {comp.years[0]}-{comp.years[1]}",
                 fontsize=10, y=1 - 0.05 / height)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 1 - 0.3 / height), ncol=2,
               fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, top))
    attach_sources(fig, comp.sources, note="Each source counts by its own definition (see the comparison table); "
                                           "a year a source does not cover is left blank, not zero.")
    return fig


def render_comparison(comp: SourceComparison, name: str = "source_comparison") -> None:
    """Show (and in a run, write) the definitions and coverage, the numbers side by side, and the figure."""
    la, lb = comp.labels
    show_table(comp.coverage, f"{name}_definitions",
               caption=f"What each source counts ({comp.measure}) and the years it covers")
    show_table(side_by_side(comp), f"{name}_numbers",
               caption=f"{comp.measure}, {comp.layout} layout, {comp.years[0]}-{comp.years[1]}: {la} and {lb} side by "
                       "side (empty: the source gives no figure; the difference only where both do)")
    save_figure(comparison_figure(comp), f"{name}_figure", sources=comp.sources)


def _short(indicator: str) -> str:
    return indicator.split(".", 1)[1].replace("_", " ")


def _cell(value: float, share: bool) -> str:
    """A heatmap label: shares as percent, small rates with three figures, the rest whole."""
    if not np.isfinite(value):
        return ""
    if share:
        return f"{100 * value:.1f}%"
    return f"{value:.3g}" if abs(value) < 10 else f"{value:.0f}"


def need_attention_heatmap(card: pd.DataFrame, *, units: Sequence[str] | None = None, max_units: int = 40,
                           title: str | None = None, ax: Any = None) -> Figure:
    """Driver x unit: need percentiles (data) above, attention counts (encoding judgement) below.

    Parameters
    ----------
    card:
        :func:`scorecard` output (one level and layout).
    units:
        Unit ids to show, in this order; default: the ``max_units`` units of highest mean need
        percentile, neediest first, then every other unit the policy names.
    title:
        Figure title (default names the level and layout).
    ax:
        Not supported (the figure has two panels); must be None.

    Returns
    -------
    matplotlib.figure.Figure
        With the sources footnote (:func:`workbench.report.outputs.attach_sources`).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns

    if ax is not None:
        raise ParameterError("need_attention_heatmap draws two panels and takes no ax; use the figure it returns")
    missing = [c for c in ("driver", "indicator", "unit_id", "need_percentile", "value") if c not in card.columns]
    if missing or card.empty:
        raise ParameterError(f"argument 'card' must be a non-empty scorecard; missing columns {missing}")
    if card[["level", "layout"]].drop_duplicates().shape[0] != 1:
        raise ParameterError("argument 'card' mixes levels or layouts; pass one scorecard")
    if not isinstance(max_units, int) or max_units < 1:
        raise ParameterError(f"max_units must be a positive whole number; got {max_units!r}")
    names = card.drop_duplicates("unit_id").set_index("unit_id")["unit_name"]
    if units is None:
        order = card.groupby("unit_id")["need_percentile"].mean().sort_values(ascending=False, kind="stable")
        named = card.loc[card["n_mentions"] > 0, "unit_id"].unique()
        shown = list(order.index[:max_units]) + [u for u in order.index[max_units:] if u in set(named)]
    else:
        unknown = [u for u in units if u not in names.index]
        if unknown:
            raise ParameterError(f"units {unknown} are not in the scorecard; its units: {list(names.index)}")
        shown = list(units)
    # one row per indicator; an indicator two drivers share (literacy: D1 and D3) is drawn once
    rows = card.drop_duplicates(["driver", "indicator"]).groupby("indicator", sort=False).agg(
        drivers=("driver", lambda d: "/".join(dict.fromkeys(d))), direction=("direction", "first")).reset_index()
    labels = [f"{d} {_short(i)}{' (low = need)' if s < 0 else ''}"
              for i, d, s in rows[["indicator", "drivers", "direction"]].itertuples(index=False)]
    one = card.drop_duplicates(["indicator", "unit_id"])
    pct = one.pivot(index="indicator", columns="unit_id", values="need_percentile")
    val = one.pivot(index="indicator", columns="unit_id", values="value")
    pct = pct.reindex(index=rows["indicator"], columns=shown)
    val = val.reindex(index=rows["indicator"], columns=shown)
    shares = [i.startswith("youth.") for i in rows["indicator"]]
    counts = ["n_interventions", "n_priority_items", "n_mentions"]
    att = card.drop_duplicates("unit_id").set_index("unit_id")[counts].reindex(shown).T
    width = max(6.0, 0.55 * len(shown) + 3.5)
    height = 0.42 * (len(rows) + len(counts)) + 2.4
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(width, height), sharex=True,
                                      gridspec_kw={"height_ratios": [len(rows), len(counts)], "hspace": 0.08})
    annot = np.array([[_cell(v, share) for v in row] for row, share in zip(val.to_numpy(dtype=float), shares,
                                                                            strict=True)], dtype=object)
    sns.heatmap(pct.to_numpy(dtype=float), ax=top, cmap="cividis", vmin=0, vmax=1, annot=annot, fmt="",
                annot_kws={"fontsize": 7}, cbar_kws={"label": "need percentile (1 = greatest need)", "shrink": 0.8},
                linewidths=0.5, linecolor="white", mask=pct.isna().to_numpy())
    top.set_facecolor("#d9d9d9")
    top.set_yticks(np.arange(len(labels)) + 0.5, labels=labels, rotation=0, fontsize=8)
    top.set_ylabel("need (data)")
    sns.heatmap(att.to_numpy(dtype=float), ax=bottom, cmap="Purples", vmin=0, vmax=max(1, int(att.to_numpy().max())),
                annot=att.to_numpy(), fmt="d",
                annot_kws={"fontsize": 7}, cbar_kws={"label": "passages (count)", "shrink": 0.8}, linewidths=0.5,
                linecolor="white")
    bottom.set_yticks(np.arange(len(counts)) + 0.5, labels=[c.removeprefix("n_").replace("_", " ") for c in counts],
                      rotation=0, fontsize=8)
    bottom.set_ylabel("attention\n(encoding\njudgement)")
    bottom.set_xticks(np.arange(len(shown)) + 0.5, labels=[str(names.get(u, u)) for u in shown], rotation=60,
                      ha="right", fontsize=8)
    level, layout = card["level"].iloc[0], card["layout"].iloc[0]
    top.set_title(title or f"Need against attention, {level}s ({layout} layout)")
    note = ("Need: values printed, colour = within-row percentile; grey = no data. Attention: passages of NISP 2018 "
            "naming the unit (encoding judgement, docs/policy.md).")
    attach_sources(fig, card.attrs.get("sources", [POLICY_SOURCE]), note=note)
    return fig
