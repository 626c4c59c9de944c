"""Province-year series from two violence sources side by side: UCDP, an incident log, a published series.

Every number keeps its source's own definition beside it; differences are computed only where
both sources give a figure, and each source's covered years are stated (a year a source does
not cover is missing, never zero).

* :func:`province_series`: one source's series (one measure, one layout), long: one row per
  province (and the national total, ``PK``) and year, with the definition;
* :func:`compare_sources`: two series joined, with ``difference`` (b - a), coverage and definitions;
* the figure and the report tables: :func:`workbench.report.charts.comparison_figure` and
  :func:`workbench.report.charts.render_comparison`.

Layouts: UCDP and incident logs are placed in both. A published series states its layout per
row: a ``pre2018`` series gives the ``current`` KP as KP + FATA (only in years that give both);
a ``current`` series cannot be split into ``pre2018`` KP and FATA (those cells are missing).

In these series ``PK`` is the national total (all incidents, including those no province holds),
unlike the panels, where ``PK`` holds only the unlocated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from workbench.errors import ParameterError
from workbench.formatting import year_ranges
from workbench.geo.units import LAYOUTS
from workbench.sources import ViolenceSource, resolve

Measure = Literal["incidents", "killed", "injured"]
MEASURES: tuple[str, ...] = ("incidents", "killed", "injured")
SERIES_COLUMNS = ["source_id", "series", "layout", "unit_id", "unit_name", "unit_level", "year", "measure", "value",
                  "definition"]
COMPARISON_COLUMNS = ["unit_id", "unit_name", "unit_level", "year", "value_a", "definition_a", "value_b",
                      "definition_b", "difference", "relative_difference"]


def _check(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


# --------------------------------------------------------------------------- one source


def province_series(source: str | ViolenceSource, *, measure: Measure = "killed", layout: str = "current",
                    series: str | None = None) -> pd.DataFrame:
    """One source's province-year series of ``measure`` in ``layout`` (:data:`SERIES_COLUMNS`).

    Parameters
    ----------
    source:
        A source id (``ucdp_ged_pak``, a registered analyst's source) or a source.
    measure:
        ``incidents``, ``killed`` or ``injured`` (UCDP has no injuries).
    series:
        For a published annual series file holding several publications (its ``source`` column): which.

    ``attrs``: ``sources``, ``coverage`` (first, last year the source covers), ``label``.
    """
    _check("measure", measure, MEASURES)
    _check("layout", layout, LAYOUTS)
    src = resolve(source, series=series) if isinstance(source, str) else source
    long = src.province_series(measure, layout)
    out = long.copy()
    out["source_id"], out["series"], out["layout"], out["measure"] = src.id, long.attrs["label"], layout, measure
    out = out[SERIES_COLUMNS].sort_values(["unit_level", "unit_id", "year"], ascending=[False, True, True],
                                          kind="stable").reset_index(drop=True)
    for c in ("source_id", "series", "layout", "unit_id", "unit_name", "unit_level", "measure", "definition"):
        out[c] = out[c].astype("string")
    out.attrs["sources"] = list(dict.fromkeys([src.id, *long.attrs["sources"]]))
    out.attrs["coverage"] = tuple(int(y) for y in long.attrs["coverage"])
    out.attrs["label"] = long.attrs["label"]
    out.attrs["provisional"] = src.provisional
    return out


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
            "years_in_window": year_ranges(years) or "none",
            "national_total": bool((inside["unit_level"] == "country").any()),
            "provinces": ", ".join(provinces)}


def side_by_side(comp: SourceComparison) -> pd.DataFrame:
    """The numbers as a report shows them: unit, year, each source's figure (by name) and the difference."""
    t = comp.table
    la, lb = comp.labels
    out = pd.DataFrame({"unit": t["unit_name"], "year": t["year"], la: t["value_a"], lb: t["value_b"],
                        f"difference ({lb} - {la})": t["difference"]})
    out.attrs["sources"] = comp.sources
    return out
