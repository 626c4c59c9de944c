"""Briefs on Dask (issue 17): province briefs with 2 workers against 1, and the time per district brief.

Usage::

    .venv/bin/python benchmarks/bench_briefs.py [--runs N] [--districts N]

- ``province briefs, 2 workers``: every province brief (``workbench briefs --level province``, forced, the
  real ``60_unit_brief`` notebook) on a LocalCluster of 2 worker processes against the same on 1 worker,
  alternately ``--runs`` times (a speed-up: baseline/ours). A cluster is started for each side of each run,
  as the command does. No fixed goal: the issue asks for the ratio.
- ``district brief``: ``--districts`` district briefs on 2 workers; the row is the seconds per brief
  (wall clock ÷ briefs) against the seconds per province brief of the 2-worker runs.

Reports go to a temporary folder, never to ``reports/``.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, report, summary, timed  # noqa: E402

from workbench.report import briefs  # noqa: E402
from workbench.report.paths import project_root  # noqa: E402

QUIET = Console(file=io.StringIO())


def _run(planned: list[briefs.PlannedBrief], workers: int, folder: Path) -> None:
    with briefs.Cluster(workers=workers) as cluster:
        done = briefs.run_briefs(planned, client=cluster.client, reports=folder, force=True, console=QUIET)
    failed = [d for d in done if d.outcome.status != "complete"]
    if failed:
        raise SystemExit(f"benchmark brief failed: {failed[0].outcome.failures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--districts", type=int, default=6)
    args = parser.parse_args()
    root = project_root()
    provinces = briefs.plan_briefs(briefs.units_of("province"), project_root=root)
    districts = briefs.plan_briefs(briefs.units_of("district")[: args.districts], project_root=root)
    with tempfile.TemporaryDirectory(prefix="bench-briefs-") as tmp:
        folder = Path(tmp) / "briefs"
        _run(provinces[:2], 2, folder)  # warm-up: imports, caches of the panels
        one, two = [], []
        for _ in range(args.runs):
            one.append(timed(lambda: _run(provinces, 1, folder)))
            two.append(timed(lambda: _run(provinces, 2, folder)))
        per_district = [timed(lambda: _run(districts, 2, folder)) / len(districts) for _ in range(args.runs)]
    n = len(provinces)
    rows = [
        Row(name=f"province briefs ({n}), LocalCluster 2 workers", baseline="the same, 1 worker",
            ours_s=summary(two), baseline_s=summary(one), runs=args.runs, ratio_kind="baseline/ours",
            note="wall clock of `workbench briefs --level province --force`, a new cluster each time"),
        Row(name=f"district brief, seconds per brief ({len(districts)} briefs, 2 workers)",
            baseline="seconds per province brief, 2 workers", ours_s=summary(per_district),
            baseline_s=summary([t / n for t in two]), runs=args.runs,
            note="a brief per district (about 160) takes this many seconds of wall clock on 2 workers"),
    ]
    report(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
