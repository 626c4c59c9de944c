"""Violence per 100,000 people over a period: counts of any source over census populations.

A rate over several years is per 100,000 person-years: summed counts over summed yearly
populations (interpolated between the 1998, 2017 and 2023 censuses), never an average of yearly
or district rates. Years before 1998 have no population and are left out of the rate (and said
so); units without population (AJK, GB, rows of events not located to a unit) get no rate.
A year the source covers only in part (UCDP Candidate releases: 2026 to February) or not at all
(the years between a GED release and the Candidate releases) is left out as well: a partial year
is never read as a year's violence. ``attrs["years_left_out"]`` says which years and why.
The counts come from :func:`workbench.panel.violence.select_panel`, so UCDP and an analyst's
registered source are treated alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from workbench.store import processed_sources, read_processed
from workbench.indicators.violence import aggregate_rates
from workbench.sources.ucdp_panels import VIOLENCE_TYPES
from workbench.panel.violence import UCDP_SOURCE, SourceLike, select_panel
from workbench.sources import resolve
from workbench.sources.base import FULL_YEAR, year_span

FIRST_POPULATION_YEAR = 1998
KEY = ["layout", "unit_id", "province", "year"]


def violence_rates(*, level: str = "province", layout: str = "current", start_year: int = FIRST_POPULATION_YEAR,
                   end_year: int | None = None, deaths_estimate: str = "best",
                   violence_types: Sequence[str] = VIOLENCE_TYPES, district_set: str = "census2023",
                   violence_source: SourceLike = UCDP_SOURCE, categories: Sequence[str] | None = None) -> pd.DataFrame:
    """Events and deaths per 100,000 person-years by unit over ``start_year``-``end_year``.

    Parameters are those of :func:`workbench.panel.violence.select_panel` (checked there). Only units at
    their own level (provinces, or districts) get a rate. ``attrs["years_used"]`` holds the first and
    last year that entered the rate (from 1998 on, within the years the source covers, full years
    only); ``attrs["years_left_out"]`` maps each year of the window left out to the reason (partial
    year, no data) and ``attrs["note"]`` says it in words; ``end_year`` defaults to the source's last year.
    """
    source = resolve(violence_source)
    end_year = source.coverage.last_year if end_year is None else end_year
    first = max(start_year, FIRST_POPULATION_YEAR)
    counts = select_panel(level=level, layout=layout, start_year=first if first <= end_year else start_year,
                          end_year=end_year, deaths_estimate=deaths_estimate, violence_types=violence_types,
                          district_set=district_set, violence_source=source, categories=categories)
    left_out = _years_left_out(counts)
    counts = counts[counts["unit_level"].isin(["province", "district"]) & (counts["year"] >= FIRST_POPULATION_YEAR)
                    & ~counts["year"].isin(list(left_out))]
    years_used = [int(counts["year"].min()), int(counts["year"].max())] if len(counts) else []
    suffix = "province_year" if level == "province" else f"district_year_{district_set}"
    population = read_processed(f"population_{suffix}")
    merged = counts.merge(population[[*KEY, "population"]], on=KEY, how="left", validate="one_to_one")
    out = aggregate_rates(merged, ["deaths", "events"], "population", ["unit_id", "unit_name", "province"],
                          unit="year", source=f"population_{suffix}")
    out = out.rename(columns={"population": "person_years"})
    out = out.sort_values("deaths_per_100k", ascending=False, na_position="last", kind="stable").reset_index(drop=True)
    out.attrs["sources"] = list(dict.fromkeys([*counts.attrs.get("sources", []),
                                               *processed_sources(f"population_{suffix}")]))
    out.attrs["years_used"] = years_used
    out.attrs["years_left_out"] = left_out
    reasons: dict[str, list[int]] = {}
    for year, why in left_out.items():
        reasons.setdefault(why, []).append(year)
    out.attrs["note"] = "; ".join(f"{year_span(ys)} left out: {why}" for why, ys in reasons.items())
    out.attrs["measure"] = counts.attrs.get("measure")
    out.attrs["violence_source"] = source.id
    out.attrs["provisional"] = source.provisional
    return out


def _years_left_out(counts: pd.DataFrame) -> dict[int, str]:
    """The years of a selected panel that give no annual figure: covered in part, or not at all."""
    months = counts.groupby("year")["months"].first()
    provisional = counts.groupby("year")["provisional"].any()
    out = {}
    for year, m in months.items():
        if m == 0:
            out[int(year)] = "no release covers these years (missing, not zero)"
        elif m < FULL_YEAR:
            out[int(year)] = (f"a partial year ({int(m)} of 12 months{', provisional' if provisional[year] else ''}): "
                              "no annual rate from part of a year")
    return out
