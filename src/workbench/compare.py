"""Province-year series from two violence sources side by side: UCDP, an incident log, a published series.

Every number keeps its source's own definition beside it; differences are computed only where
both sources give a figure, and each source's covered years are stated (a year a source does
not cover is missing, never zero).

* :func:`province_series`: one source's series (one measure, one layout), long: one row per
  province (and the national total, ``PK``) and year, with the definition;
* :func:`compare_sources`: two series joined, with ``difference`` (b - a), coverage and definitions;
* :func:`comparison_figure` and :func:`render_comparison`: the figure and the report tables.

Layouts: UCDP and incident logs are placed in both. A published series states its layout per
row: a ``pre2018`` series gives the ``current`` KP as KP + FATA (only in years that give both);
a ``current`` series cannot be split into ``pre2018`` KP and FATA (those cells are missing).

In these series ``PK`` is the national total (all incidents, including those no province holds),
unlike the panels, where ``PK`` holds only the unlocated ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.panel import FIRST_YEAR, LAST_YEAR, LAYOUTS

Measure = Literal["incidents", "killed", "injured"]
MEASURES: tuple[str, ...] = ("incidents", "killed", "injured")
UCDP_SOURCE = "ucdp_ged_pak"
NATIONAL_NAME = "Pakistan (total)"
SERIES_COLUMNS = ["source_id", "series", "layout", "unit_id", "unit_name", "unit_level", "year", "measure", "value",
                  "definition"]
COMPARISON_COLUMNS = ["unit_id", "unit_name", "unit_level", "year", "value_a", "definition_a", "value_b",
                      "definition_b", "difference", "relative_difference"]
UCDP_DEFINITIONS = {
    "incidents": "UCDP GED 22.1 events: incidents of organised violence (state-based, non-state or one-sided) with "
                 "at least one death; attacks without deaths are not events",
    "killed": "UCDP GED 22.1 best estimate of deaths in those events (all parties, civilians included)",
}
_PANEL_COLUMN = {"incidents": "incidents", "killed": "killed", "injured": "injured"}


def _check(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


def _kind(source_id: str) -> str:
    from workbench.violence import source_kind

    return source_kind(source_id)


# --------------------------------------------------------------------------- one source


def province_series(source_id: str, *, measure: Measure = "killed", layout: str = "current",
                    series: str | None = None) -> pd.DataFrame:
    """One source's province-year series of ``measure`` in ``layout`` (:data:`SERIES_COLUMNS`).

    Parameters
    ----------
    source_id:
        ``ucdp_ged_pak`` or a registered analyst's source.
    measure:
        ``incidents``, ``killed`` or ``injured`` (UCDP has no injuries).
    series:
        For a published annual series file holding several sources (its ``source`` column): which.

    ``attrs``: ``sources``, ``coverage`` (first, last year the source covers), ``label``.
    """
    _check("measure", measure, MEASURES)
    _check("layout", layout, LAYOUTS)
    kind = _kind(source_id)
    if kind == "annual_series":
        return _series_from_annual(source_id, measure, layout, series)
    if series is not None:
        raise ParameterError(f"series= selects a publication inside a published annual series file; {source_id!r} "
                             "is not one")
    if kind == "ucdp":
        if measure == "injured":
            raise ParameterError("UCDP GED records no injuries: compare killed or incidents with UCDP")
        from workbench import violence

        panel = violence.read_processed("violence_province_year")
        panel = panel[panel["layout"] == layout]
        column = "events" if measure == "incidents" else "deaths_best"
        definition, label, coverage = UCDP_DEFINITIONS[measure], "UCDP GED 22.1", (FIRST_YEAR, LAST_YEAR)
    else:
        from workbench.incident_panel import panel_for
        from workbench.private import get_source

        entry = get_source(source_id)
        panel = panel_for(source_id, "province", layout)
        column = _PANEL_COLUMN[measure]
        what = {"incidents": "incidents", "killed": "persons killed (all parties)", "injured": "persons injured"}
        definition = f"{what[measure]} in {entry.title}: {entry.definition}"
        label, coverage = entry.title, entry.years
    sources = list(panel.attrs.get("sources", [source_id]))
    provinces = panel[panel["unit_level"] == "province"]
    rows = pd.DataFrame({"unit_id": provinces["unit_id"].astype(str), "unit_name": provinces["unit_name"].astype(str),
                         "unit_level": "province", "year": provinces["year"].astype("int64"),
                         "value": provinces[column].astype("float64")})
    total = panel.groupby("year", as_index=False)[column].sum()
    national = pd.DataFrame({"unit_id": "PK", "unit_name": NATIONAL_NAME, "unit_level": "country",
                             "year": total["year"].astype("int64"), "value": total[column].astype("float64")})
    out = pd.concat([rows, national], ignore_index=True)
    return _finish(out, source_id, label, layout, measure, definition, sources, coverage)


def _finish(df: pd.DataFrame, source_id: str, label: str, layout: str, measure: str, definition: Any,
            sources: list[str], coverage: tuple[int, int]) -> pd.DataFrame:
    out = df.copy()
    out["source_id"], out["series"], out["layout"], out["measure"] = source_id, label, layout, measure
    if "definition" not in out:
        out["definition"] = definition
    out = out[SERIES_COLUMNS].sort_values(["unit_level", "unit_id", "year"], ascending=[False, True, True],
                                          kind="stable").reset_index(drop=True)
    for c in ("source_id", "series", "layout", "unit_id", "unit_name", "unit_level", "measure", "definition"):
        out[c] = out[c].astype("string")
    out.attrs["sources"] = list(dict.fromkeys([source_id, *sources]))
    out.attrs["coverage"] = (int(coverage[0]), int(coverage[1]))
    out.attrs["label"] = label
    return out


def _series_from_annual(source_id: str, measure: str, layout: str, series: str | None) -> pd.DataFrame:
    from workbench.geo.units import load_registry
    from workbench.private import get_source, read_private_source

    entry = get_source(source_id)
    rows = read_private_source(source_id)
    labels = sorted(rows["source"].astype(str).unique())
    if series is None:
        if len(labels) > 1:
            raise ParameterError(f"the published series {source_id!r} holds several sources ({'; '.join(labels)}): "
                                 "choose one with series=")
        series = labels[0] if labels else entry.title
    elif series not in labels:
        raise ParameterError(f"series {series!r} is not in {source_id!r}; its sources: {'; '.join(labels)}")
    r = rows[(rows["source"] == series) & (rows["measure"] == measure)]
    reg = load_registry()
    cols = ["unit_id", "year", "value", "definition"]
    same = r.loc[r["layout"] == layout, cols]
    other = r[r["layout"] != layout]
    # the other layout gives exactly every unit but KP and FATA; a pre-2018 series gives the current
    # KP as KP + FATA in the years that give both; a current KP cannot be split
    parts = [same, other.loc[~other["unit_id"].isin(["PK-KP", "PK-TA"]), cols]]
    if layout == "current" and len(other):
        kp = other[other["unit_id"] == "PK-KP"].set_index("year")
        ta = other[other["unit_id"] == "PK-TA"].set_index("year")
        both = kp.index.intersection(ta.index)
        defs = [a if a == b else f"{a} | FATA: {b}"
                for a, b in zip(kp.loc[both, "definition"], ta.loc[both, "definition"], strict=True)]
        parts.append(pd.DataFrame({"unit_id": "PK-KP", "year": both, "value": (kp.loc[both, "value"]
                                   + ta.loc[both, "value"]).to_numpy(), "definition": defs}))
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["unit_id", "year"], keep="first")
    out["unit_level"] = np.where(out["unit_id"] == "PK", "country", "province")
    out["unit_name"] = [NATIONAL_NAME if u == "PK" else reg.name(u) for u in out["unit_id"]]
    out["year"] = out["year"].astype("int64")
    out["value"] = out["value"].astype("float64")
    years = r["year"]
    coverage = (int(years.min()), int(years.max())) if len(years) else entry.years
    return _finish(out, source_id, series, layout, measure, None, [source_id], coverage)


# --------------------------------------------------------------------------- two sources


@dataclass(frozen=True)
class SourceComparison:
    """Two sources' province-year series side by side.

    Attributes
    ----------
    a, b:
        The source ids; ``labels`` their names.
    table:
        :data:`COMPARISON_COLUMNS`: one row per unit and year of the window where either source
        gives a figure; ``difference`` = b - a and ``relative_difference`` = (b - a) / a only where
        both do (and a > 0).
    coverage:
        Per source: what it counts, the years it covers, the years of the window with figures.
    """

    a: str
    b: str
    labels: tuple[str, str]
    measure: str
    layout: str
    years: tuple[int, int]
    table: pd.DataFrame
    coverage: pd.DataFrame

    @property
    def sources(self) -> list[str]:
        return list(self.table.attrs.get("sources", [self.a, self.b]))


def _spec(source: str | tuple[str, str]) -> tuple[str, str | None]:
    if isinstance(source, tuple):
        return source[0], source[1]
    return source, None


def compare_sources(a: str | tuple[str, str], b: str | tuple[str, str], *, measure: Measure = "killed",
                    layout: str = "current", start_year: int | None = None,
                    end_year: int | None = None) -> SourceComparison:
    """Put two sources' province-year series of ``measure`` side by side.

    Parameters
    ----------
    a, b:
        Source ids (``ucdp_ged_pak``, a registered incident log or annual series), or
        ``(id, series)`` for one publication of an annual series file holding several.
    start_year, end_year:
        The window; default the years either source covers.
    """
    (ida, sa), (idb, sb) = _spec(a), _spec(b)
    first = province_series(ida, measure=measure, layout=layout, series=sa)
    second = province_series(idb, measure=measure, layout=layout, series=sb)
    ca, cb = first.attrs["coverage"], second.attrs["coverage"]
    start = start_year if start_year is not None else min(ca[0], cb[0])
    end = end_year if end_year is not None else max(ca[1], cb[1])
    if start > end:
        raise ParameterError(f"start_year {start} is after end_year {end}")
    la, lb = first.attrs["label"], second.attrs["label"]
    if la == lb:
        la, lb = f"{la} [{ida}]", f"{lb} [{idb}]"
    keep = ["unit_id", "unit_name", "unit_level", "year", "value", "definition"]
    x = first.loc[first["year"].between(start, end), keep]
    y = second.loc[second["year"].between(start, end), keep]
    t = x.merge(y, on=["unit_id", "unit_name", "unit_level", "year"], how="outer", suffixes=("_a", "_b"))
    t["difference"] = t["value_b"] - t["value_a"]
    t["relative_difference"] = (t["difference"] / t["value_a"]).where(t["value_a"] > 0)
    t = t.sort_values(["unit_level", "unit_id", "year"], ascending=[False, True, True], kind="stable")
    t = t[COMPARISON_COLUMNS].reset_index(drop=True)
    t.attrs["sources"] = list(dict.fromkeys([*first.attrs["sources"], *second.attrs["sources"]]))
    coverage = pd.DataFrame([_coverage_row(ida, la, first, ca, start, end),
                             _coverage_row(idb, lb, second, cb, start, end)])
    coverage.attrs["sources"] = t.attrs["sources"]
    return SourceComparison(a=ida, b=idb, labels=(la, lb), measure=measure, layout=layout, years=(start, end),
                            table=t, coverage=coverage)


def _coverage_row(source_id: str, label: str, s: pd.DataFrame, coverage: tuple[int, int], start: int,
                  end: int) -> dict[str, Any]:
    inside = s[s["year"].between(start, end)]
    years = sorted(inside["year"].unique())
    definitions = "; ".join(dict.fromkeys(inside["definition"].dropna().astype(str))) or "; ".join(
        dict.fromkeys(s["definition"].dropna().astype(str)))
    provinces = sorted(inside.loc[inside["unit_level"] == "province", "unit_id"].unique())
    return {"source_id": source_id, "source": label, "definition": definitions,
            "covers": f"{coverage[0]}-{coverage[1]}",
            "years_in_window": _ranges(years) or "none",
            "national_total": bool((inside["unit_level"] == "country").any()),
            "provinces": ", ".join(provinces)}


def _ranges(years: Sequence[int]) -> str:
    """``[2015, 2016, 2017, 2019]`` -> ``"2015-2017, 2019"``."""
    out, run = [], []
    for y in years:
        if run and y == run[-1] + 1:
            run.append(y)
        else:
            if run:
                out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else f"{run[0]}")
            run = [y]
    if run:
        out.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else f"{run[0]}")
    return ", ".join(out)


def side_by_side(comp: SourceComparison) -> pd.DataFrame:
    """The numbers as a report shows them: unit, year, each source's figure (by name) and the difference."""
    t = comp.table
    la, lb = comp.labels
    out = pd.DataFrame({"unit": t["unit_name"], "year": t["year"], la: t["value_a"], lb: t["value_b"],
                        f"difference ({lb} - {la})": t["difference"]})
    out.attrs["sources"] = comp.sources
    return out


def comparison_figure(comp: SourceComparison, *, units: Sequence[str] | None = None, ncols: int = 3) -> Any:
    """Small multiples: each unit's series from both sources over the years (national total first).

    Parameters
    ----------
    units:
        Unit ids to draw (default: the national total, then every province with a figure in either).
    """
    import matplotlib.pyplot as plt

    from workbench.report.outputs import attach_sources

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
    from workbench.report.outputs import save_figure, show_table

    la, lb = comp.labels
    show_table(comp.coverage, f"{name}_definitions",
               caption=f"What each source counts ({comp.measure}) and the years it covers")
    show_table(side_by_side(comp), f"{name}_numbers",
               caption=f"{comp.measure}, {comp.layout} layout, {comp.years[0]}-{comp.years[1]}: {la} and {lb} side by "
                       "side (empty: the source gives no figure; the difference only where both do)")
    save_figure(comparison_figure(comp), f"{name}_figure", sources=comp.sources)
