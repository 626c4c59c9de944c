"""What every benchmark shares: paired timings against a baseline measured in the same run, and the results file.

A benchmark row compares *what we do* with a *named baseline* measured in the same process run, both
repeated ``runs`` times in alternation (baseline, ours, baseline, ours, ...), so that the machine's
state affects both alike. The row reports the min/median/max seconds of each side and the ratio of the
medians (ours / baseline: below 1 is faster than the baseline, unless the row says it is a speed-up).

``benchmarks/results.json`` holds one object per row, by ``name``; each script replaces the rows it
measured and keeps the others::

    {"name": ..., "baseline": ..., "ratio": ..., "goal": ..., "met": ...,
     "ours_s": {"min": ..., "median": ..., "max": ...}, "baseline_s": {...}, "runs": ..., "note": ...}
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


@dataclass
class Row:
    """One benchmark row: ours against a baseline, as a ratio of medians."""

    name: str
    baseline: str
    ours_s: dict[str, float]
    baseline_s: dict[str, float]
    runs: int
    goal: str = ""
    #: "ours/baseline" (a cost ratio: lower is better) or "baseline/ours" (a speed-up: higher is better)
    ratio_kind: str = "ours/baseline"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        ours, base = self.ours_s["median"], self.baseline_s["median"]
        return ours / base if self.ratio_kind == "ours/baseline" else base / ours

    def as_dict(self, met: bool | None = None) -> dict[str, Any]:
        out = asdict(self)
        out["ratio"] = round(self.ratio, 4)
        out["met"] = met
        return out


def summary(seconds: list[float]) -> dict[str, float]:
    """min, median and max of a list of timings (seconds, rounded to the millisecond)."""
    return {"min": round(min(seconds), 3), "median": round(statistics.median(seconds), 3),
            "max": round(max(seconds), 3)}


def timed(fn: Callable[[], Any]) -> float:
    """Seconds one call of ``fn`` takes (wall clock)."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def paired(name: str, *, ours: Callable[[], Any], baseline: Callable[[], Any], baseline_name: str, runs: int = 5,
           goal: str = "", ratio_kind: str = "ours/baseline", note: str = "", warmup: bool = True) -> Row:
    """Time ``baseline`` and ``ours`` alternately ``runs`` times each (after one untimed warm-up of each)."""
    if warmup:
        baseline()
        ours()
    base_s, ours_s = [], []
    for _ in range(runs):
        base_s.append(timed(baseline))
        ours_s.append(timed(ours))
    return Row(name=name, baseline=baseline_name, ours_s=summary(ours_s), baseline_s=summary(base_s), runs=runs,
               goal=goal, ratio_kind=ratio_kind, note=note)


def report(rows: list[Row], checks: dict[str, Callable[[float], bool]] | None = None) -> None:
    """Print the rows as a table and merge them into ``benchmarks/results.json`` (by name)."""
    checks = checks or {}
    print(f"{'benchmark':<58} {'baseline':<44} {'ratio':>7}  {'ours median (min-max) s':>26}  goal")
    for r in rows:
        met = checks[r.name](r.ratio) if r.name in checks else None
        o = r.ours_s
        mark = "" if met is None else (" ok" if met else " NOT MET")
        print(f"{r.name:<58} {r.baseline:<44} {r.ratio:>7.3f}  {o['median']:>9.3f} ({o['min']:.3f}-{o['max']:.3f})"
              f"  {r.goal}{mark}")
    existing = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else []
    mine = {r.name for r in rows}
    merged = [e for e in existing if e.get("name") not in mine]
    merged += [r.as_dict(checks[r.name](r.ratio) if r.name in checks else None) for r in rows]
    fd, tmp = tempfile.mkstemp(dir=RESULTS.parent, prefix=".results-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(merged, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, RESULTS)
    print(f"written {RESULTS}")
