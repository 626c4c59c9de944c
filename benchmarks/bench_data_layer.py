"""Benchmark of the data layer: time and peak memory of reading GED, placing events, building panels.

Runs each size in a fresh process (so peak memory is that size's own) at the Pakistan extract's
size and scaled up by replicating events with new ids, to the global GED's size (~300,000 events).
Prints one table; nothing is asserted. Times come from a pass without memory tracing; peak memory
(Python heap, per stage) from a second pass with tracemalloc; max RSS is the whole process's.

    python benchmarks/bench_data_layer.py [--sizes 6416,50000,300000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time, tracemalloc
from pathlib import Path
import pandas as pd
from workbench.sources.ucdp import read_ged
from workbench.geo.placement import assign_events
from workbench.geo.units import load_registry
from workbench.geo.units import DISTRICT_SETS, LAYOUTS
from workbench.sources.ucdp_panels import district_year, province_year

path = sys.argv[1]
reg = load_registry()
out = {}


def stages():
    events = read_ged(path if path != "-" else None)
    yield "read", events
    assignment = assign_events(events, registry=reg)
    yield "place", assignment
    for lay in LAYOUTS:
        province_year(events, assignment, lay, registry=reg)
        for ds in DISTRICT_SETS:
            district_year(events, assignment, lay, ds, registry=reg)
    out["events"] = len(events)
    yield "panels", None


# pass 1: wall time (tracemalloc off: it slows Python code several times over)
t = time.perf_counter()
for name, _ in stages():
    out[f"{name}_s"] = time.perf_counter() - t
    t = time.perf_counter()
# pass 2: peak Python heap memory per stage
tracemalloc.start()
for name, _ in stages():
    out[f"{name}_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
tracemalloc.stop()
out["max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def scaled_copy(n: int, folder: Path) -> Path:
    """The extract replicated to ``n`` events, each copy with new ids (written to ``folder``)."""
    import pandas as pd

    from workbench.catalog import resolve_path

    src = pd.read_csv(resolve_path("ucdp_ged_pak"), dtype=str, keep_default_na=False)
    reps = -(-n // len(src))
    parts = []
    for k in range(reps):
        part = src.copy()
        part["id"] = (part["id"].astype(int) + k * 10_000_000).astype(str)
        parts.append(part)
    big = pd.concat(parts, ignore_index=True).iloc[:n]
    path = folder / f"ged_scaled_{n}.csv"
    big.to_csv(path, index=False)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="6416,50000,300000", help="event counts to run, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'events':>8} {'read s':>8} {'place s':>8} {'panels s':>9} {'read MB':>8} {'place MB':>9} "
          f"{'panels MB':>10} {'max RSS MB':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = "-" if n == 6416 else str(scaled_copy(n, Path(tmp)))
            res = subprocess.run([sys.executable, "-c", CHILD, path], capture_output=True, text=True,
                                 env=dict(os.environ))
            if res.returncode != 0:
                print(res.stderr, file=sys.stderr)
                sys.exit(res.returncode)
            r = json.loads(res.stdout.strip().splitlines()[-1])
            print(f"{r['events']:>8} {r['read_s']:>8.2f} {r['place_s']:>8.2f} {r['panels_s']:>9.2f} "
                  f"{r['read_peak_mb']:>8.0f} {r['place_peak_mb']:>9.0f} {r['panels_peak_mb']:>10.0f} "
                  f"{r['max_rss_mb']:>11.0f}")


if __name__ == "__main__":
    main()
