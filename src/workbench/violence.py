"""Violence measures chosen by the notebooks' common parameters, from the committed panels.

The notebooks share parameters (``start_year``, ``end_year``, ``level``, ``layout``,
``deaths_estimate``, ``violence_types``); :func:`select_panel` turns them into one tidy frame with
``events`` and ``deaths`` columns for the chosen estimate and types, carrying its sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from workbench.build import read_processed
from workbench.errors import ParameterError
from workbench.panel import FIRST_YEAR, LAST_YEAR, LAYOUTS, VIOLENCE_TYPES

Level = Literal["province", "district"]
DeathsEstimate = Literal["best", "low", "high"]
LEVELS = ("province", "district")
ESTIMATES = ("best", "low", "high")


def check_common_parameters(*, start_year: int, end_year: int, level: str = "province", layout: str = "current",
                            deaths_estimate: str = "best", violence_types: Sequence[str] = VIOLENCE_TYPES,
                            district_set: str = "census2023") -> None:
    """Refuse a bad combination of the notebooks' common parameters with a clear error."""
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    if deaths_estimate not in ESTIMATES:
        raise ParameterError(f"deaths_estimate must be one of {', '.join(ESTIMATES)}; got {deaths_estimate!r}")
    bad = [t for t in violence_types if t not in VIOLENCE_TYPES]
    if bad or not violence_types:
        raise ParameterError(f"violence_types must be a non-empty list drawn from {', '.join(VIOLENCE_TYPES)}; "
                             f"got {list(violence_types)!r}")
    if district_set not in ("census2023", "stable"):
        raise ParameterError(f"district_set must be census2023 or stable; got {district_set!r}")
    if not (FIRST_YEAR <= start_year <= end_year <= LAST_YEAR):
        raise ParameterError(f"years must satisfy {FIRST_YEAR} <= start_year <= end_year <= {LAST_YEAR} "
                             f"(UCDP GED 22.1 covers {FIRST_YEAR}-{LAST_YEAR}); got {start_year}-{end_year}")
    if deaths_estimate != "best" and set(violence_types) != set(VIOLENCE_TYPES):
        raise ParameterError("the panels split deaths by type of violence for the best estimate only: use "
                             "deaths_estimate='best' with a subset of violence_types, or all three types")


def select_panel(*, level: Level = "province", layout: str = "current", start_year: int = FIRST_YEAR,
                 end_year: int = LAST_YEAR, deaths_estimate: DeathsEstimate = "best",
                 violence_types: Sequence[str] = VIOLENCE_TYPES, district_set: str = "census2023") -> pd.DataFrame:
    """Unit-year rows with ``events`` and ``deaths`` for the chosen estimate, types, years and layout.

    District level keeps the rows of events located only to a city, a province or the country
    (``unit_level`` says which), so totals stay whole.
    """
    check_common_parameters(start_year=start_year, end_year=end_year, level=level, layout=layout,
                            deaths_estimate=deaths_estimate, violence_types=violence_types,
                            district_set=district_set)
    name = "violence_province_year" if level == "province" else f"violence_district_year_{district_set}"
    panel = read_processed(name)
    sources = panel.attrs["sources"]
    p = panel[(panel["layout"] == layout) & panel["year"].between(start_year, end_year)].copy()
    types = list(violence_types)
    if set(types) == set(VIOLENCE_TYPES):
        p["events_sel"] = p["events"]
        p["deaths_sel"] = p[f"deaths_{deaths_estimate}"]
    else:
        p["events_sel"] = p[[f"events_{t}" for t in types]].sum(axis=1)
        p["deaths_sel"] = p[[f"deaths_best_{t}" for t in types]].sum(axis=1)
    out = p[["layout", "unit_id", "unit_name", "unit_level", "province", "year"]].copy()
    out["events"] = p["events_sel"].to_numpy()
    out["deaths"] = p["deaths_sel"].to_numpy()
    out = out.reset_index(drop=True)
    out.attrs["sources"] = sources
    out.attrs["selection"] = {"deaths_estimate": deaths_estimate, "violence_types": types,
                              "years": [start_year, end_year], "layout": layout, "level": level}
    return out


def totals_by_unit(panel: pd.DataFrame) -> pd.DataFrame:
    """Events, deaths and lethality (deaths per event) per unit over the selected years, largest first."""
    g = (panel.groupby(["unit_id", "unit_name", "unit_level", "province"], as_index=False)[["events", "deaths"]]
         .sum())
    g["deaths_per_event"] = (g["deaths"] / g["events"]).where(g["events"] > 0)
    g = g.sort_values("deaths", ascending=False, kind="stable").reset_index(drop=True)
    g.attrs["sources"] = panel.attrs.get("sources", [])
    return g


def by_type(*, level: Level = "province", layout: str = "current", start_year: int = FIRST_YEAR,
            end_year: int = LAST_YEAR, district_set: str = "census2023") -> pd.DataFrame:
    """Events and best-estimate deaths by type of violence, per unit over the selected years (long form)."""
    frames = []
    for t in VIOLENCE_TYPES:
        p = select_panel(level=level, layout=layout, start_year=start_year, end_year=end_year,
                         violence_types=[t], district_set=district_set)
        g = p.groupby(["unit_id", "unit_name", "unit_level"], as_index=False)[["events", "deaths"]].sum()
        g["violence_type"] = t
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["sources"] = p.attrs["sources"]
    return out
