"""The coefficient plot of a robustness grid: incidence-rate ratios with their intervals, by cell."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import ParameterError

DEFAULT_EXCLUDED = ("alpha",)


def coefficient_plot(table: pd.DataFrame, *, covariates: Sequence[str] | None = None, title: str | None = None):
    """Incidence-rate ratios and confidence intervals across the cells of a grid (or several models).

    Parameters
    ----------
    table:
        :func:`~workbench.models.robustness_grid` output (or coefficient tables concatenated with
        a ``label`` column). Rows with ``status`` other than ``ok`` are not drawn.
    covariates:
        Which covariates to draw (``covariate`` column), one panel each; default all but ``alpha``.
    title:
        The figure title.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per covariate, IRR on a log axis, a line at 1 (no association); the base cell in
        a darker colour. Cells without an interval (descriptive models) show the point only.
    """
    import matplotlib.pyplot as plt
    import matplotlib.ticker as mticker
    import seaborn as sns

    need = {"covariate", "irr", "irr_ci_low", "irr_ci_high", "label"}
    missing = need - set(table.columns)
    if missing:
        raise ParameterError(f"coefficient_plot: the table lacks column(s) {sorted(missing)}; pass robustness_grid "
                             "output")
    labels = list(dict.fromkeys(table["label"]))
    refused = (set(table.loc[table["status"].ne("ok"), "label"]) if "status" in table.columns else set())
    t = table[table["status"].eq("ok")] if "status" in table.columns else table
    t = t[t["covariate"].notna() & t["irr"].notna()]
    available = list(dict.fromkeys(t["covariate"]))
    if covariates is None:
        covariates = [c for c in available if c not in DEFAULT_EXCLUDED]
    unknown = [c for c in covariates if c not in available]
    if unknown or not covariates:
        raise ParameterError(f"coefficient_plot: covariate(s) {list(unknown) or covariates} not in the table; "
                             f"available: {available}")
    fig, axes = plt.subplots(1, len(covariates), figsize=(3.2 * len(covariates) + 2.2, 0.32 * len(labels) + 1.6),
                             sharey=True, squeeze=False)
    palette = sns.color_palette("colorblind", 2)
    for ax, cov in zip(axes[0], covariates, strict=True):
        sub = t[t["covariate"].eq(cov)].set_index("label").reindex(labels)
        ypos = np.arange(len(labels))
        base = sub["is_base"].fillna(False).astype(bool).to_numpy() if "is_base" in sub else np.zeros(len(labels), bool)
        colours = [palette[0] if b else palette[1] for b in base]
        has_ci = sub["irr_ci_low"].notna().to_numpy()
        ax.hlines(ypos[has_ci], sub["irr_ci_low"].to_numpy()[has_ci], sub["irr_ci_high"].to_numpy()[has_ci],
                  colors=np.array(colours, dtype=object)[has_ci].tolist(), linewidth=1.6)
        sns.scatterplot(x=sub["irr"].to_numpy(), y=ypos, hue=base, palette={True: palette[0], False: palette[1]},
                        legend=False, ax=ax, s=36, zorder=3)
        ax.axvline(1.0, color="#555555", linewidth=0.8, linestyle="--")
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(nbins=4))
        ax.xaxis.set_minor_locator(mticker.NullLocator())
        ax.xaxis.set_major_formatter(mticker.FormatStrFormatter("%.2f"))
        for y_, lab in zip(ypos, labels, strict=True):
            if lab in refused:
                ax.text(1.0, y_, "  not estimable (see table)", va="center", ha="left", fontsize=8, color="#777777")
        ax.set_title(cov, fontsize=11)
        ax.set_xlabel("incidence-rate ratio")
        ax.set_yticks(np.arange(len(labels)))
        ax.set_yticklabels(labels)
        ax.invert_yaxis() if ax is axes[0][0] else None
        per = sub["per"].dropna()
        if "per" in sub and not per.empty and per.iloc[0]:
            ax.set_xlabel(f"IRR per {per.iloc[0]}")
    axes[0][0].set_ylabel("")
    if title:
        fig.suptitle(title, fontweight="bold")
    fig.tight_layout()
    return fig
