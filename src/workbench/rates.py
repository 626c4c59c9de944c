"""Violence per 100,000 people over a period, from the drivers panels (counts and populations).

A rate over several years is deaths per 100,000 person-years: summed deaths over summed yearly
populations (interpolated between censuses), never an average of yearly or district rates.
Years before 1998 have no population and are left out of the rate (and said so); units without
population (AJK, GB, rows of events not located to a unit) get no rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.build import processed_sources, read_processed
from workbench.indicators.violence import aggregate_rates
from workbench.panel import VIOLENCE_TYPES

FIRST_POPULATION_YEAR = 1998


def violence_rates(*, level: str = "province", layout: str = "current", start_year: int = FIRST_POPULATION_YEAR,
                   end_year: int = 2021, deaths_estimate: str = "best",
                   violence_types: Sequence[str] = VIOLENCE_TYPES, district_set: str = "census2023") -> pd.DataFrame:
    """Events and deaths per 100,000 person-years by unit over ``start_year``-``end_year``.

    The common notebook parameters are checked as in :func:`workbench.violence.check_common_parameters`.
    ``attrs["years_used"]`` holds the years that entered the rate (from 1998 on).
    """
    from workbench.violence import check_common_parameters

    check_common_parameters(start_year=start_year, end_year=end_year, level=level, layout=layout,
                            deaths_estimate=deaths_estimate, violence_types=violence_types,
                            district_set=district_set)
    name = "drivers_province_year" if level == "province" else f"drivers_district_year_{district_set}"
    panel = read_processed(name)
    first = max(start_year, FIRST_POPULATION_YEAR)
    p = panel[(panel["layout"] == layout) & panel["year"].between(first, end_year)
              & panel["unit_level"].isin(["province", "district"])].copy()
    types = list(violence_types)
    if set(types) == set(VIOLENCE_TYPES):
        p["deaths"] = p[f"deaths_{deaths_estimate}"]
        p["events_sel"] = p["events"]
    else:
        p["deaths"] = p[[f"deaths_best_{t}" for t in types]].sum(axis=1)
        p["events_sel"] = p[[f"events_{t}" for t in types]].sum(axis=1)
    p = p.drop(columns=["events"]).rename(columns={"events_sel": "events"})
    out = aggregate_rates(p, ["deaths", "events"], "population", ["unit_id", "unit_name", "province"],
                          unit="year", source=name)
    out = out.rename(columns={"population": "person_years"})
    out = out.sort_values("deaths_per_100k", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    # credit what the rate is made of (violence counts and population), not every covariate of the panel
    suffix = "province_year" if level == "province" else f"district_year_{district_set}"
    out.attrs["sources"] = list(dict.fromkeys([*processed_sources(f"violence_{suffix}"),
                                               *processed_sources(f"population_{suffix}")]))
    out.attrs["years_used"] = [first, end_year] if first <= end_year else []
    return out
