"""Time the drivers model's robustness grid: designs built from a panel prepared once, against one built per cell.

Usage::

    .venv/bin/python benchmarks/bench_models.py [--runs N]

Two rows, on the committed stable drivers panel with the 40_drivers main specification and its
reduced grid (lags 1 and 2):

- ``models: grid designs, panel prepared once``: every cell's design from one
  :class:`workbench.models.PreparedPanel`, against the baseline of every cell's design built from
  the raw panel (a fresh preparation per cell, as before the reuse);
- ``models: reduced robustness grid (40_drivers)``: the whole grid (designs and fits), against the
  same cells fitted one by one on the raw panel. For information, no goal: the NB2 fits take most of
  the time on both sides, so the designs' saving (the row above) moves this ratio by a few per cent
  only; it shows that the grid adds no cost of its own over fitting its cells one by one.

Results are printed and merged into ``benchmarks/results.json``.
"""

from __future__ import annotations

import argparse

from common import paired, report

from workbench import models
from workbench.models.design import build_design
from workbench.models.options import Specification
from workbench.store import read_processed

BASE = dict(outcome="deaths", deaths_estimate="best", violence_type="all", layout="current", start_year=2005,
            end_year=2021, unit_effects="province", exclude_former_fata=False)
COVARIATES = dict(lagged_covariates=["d4p_poverty_pct"], covariates=["youth_bulge_15_24"])


def _cell_options(cells: list[dict]) -> list[dict]:
    out = []
    for c in cells:
        start, end = int(c["period"].split("-")[0]), int(c["period"].split("-")[-1])
        out.append({**BASE, "deaths_estimate": c["deaths_estimate"], "violence_type": c["violence_type"],
                    "exclude_former_fata": c["exclude_former_fata"], "lag": c["lag"], "start_year": start,
                    "end_year": end})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    panel = read_processed("drivers_district_year_stable")
    from workbench.geo.units import load_registry

    registry = load_registry()
    former = dict(zip(registry.units["unit_id"].astype(str), registry.units["former_fata"].astype(str), strict=True))
    cells = _cell_options(models.grid_cells({**BASE, "lag": 1}, lags=[1, 2], split_year=2014))
    specs = [Specification(lagged_covariates=("d4p_poverty_pct",), covariates=("youth_bulge_15_24",),
                           **{k: v for k, v in o.items()}) for o in cells]

    def designs_prepared() -> None:
        prepared = models.prepare(panel)
        for s in specs:
            build_design(prepared, s, former_fata=former)

    def designs_per_cell() -> None:
        for s in specs:
            build_design(panel, s, former_fata=former)

    def grid_prepared() -> None:
        models.robustness_grid(panel, grid="reduced", lags=[1, 2], split_year=2014, registry=registry, lag=1,
                               **COVARIATES, **{k: v for k, v in BASE.items()})

    def grid_per_cell() -> None:
        for o in cells:
            try:
                models.negative_binomial(panel, registry=registry, **COVARIATES, **o)
            except (models.ModelFitError, ValueError):
                pass

    rows = [
        paired("models: grid designs, panel prepared once", ours=designs_prepared, baseline=designs_per_cell,
               baseline_name="each cell's design from the raw panel", runs=args.runs, goal="< 1 (faster)",
               note=f"{len(specs)} cells of the reduced grid, stable drivers panel"),
        paired("models: reduced robustness grid (40_drivers)", ours=grid_prepared, baseline=grid_per_cell,
               baseline_name="the same cells fitted one by one", runs=args.runs,
               note="for information: designs and NB2 fits; the fits dominate both sides"),
    ]
    report(rows, checks={rows[0].name: lambda ratio: ratio < 1})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
