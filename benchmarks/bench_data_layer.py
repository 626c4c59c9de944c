"""Benchmark of the data layer at the global GED's size: placement against geopandas, the build's scaling and memory.

The events are built from the real schema: rows of UCDP GED 22.1 (the shipped Pakistan extract) drawn
at random with new ids, each given its own point by jittering its coordinates (normal, sd 0.05 degrees,
redrawn until the point lies inside Pakistan's districts), so that placement work grows with the events.
These files live in a temporary folder for the benchmark only; no figure of them reaches a report.

Rows (``benchmarks/common.py``: baseline and ours in alternation, min/median/max seconds, ratio of the
medians, merged into ``benchmarks/results.json``):

- placement of N events (one point each) on the districts layer: ``points_in_polygons`` with the 5 km
  rule against ``geopandas.sjoin(predicate="within")`` on the same points and layer (goal <= 1.0);
- placement with every rule (``assign_events``: three layers, UCDP's names, classes) against reading
  the same three layers and ``sjoin(predicate="within")`` on each (for information);
- ``workbench data build --out DIR`` with N events against N/10 events, each a fresh process on a
  mirror holding the built GED file (goal <= 10.5, linear; peak memory, the process's peak resident
  memory, <= 1 GB at N); from the same runs, one row per stage, with the peak memory during it: reading
  the GED file (``sources/ucdp.py``), placement, the violence panels, writing the tables, the drivers
  step (which does not depend on the events). Memory is read from ``/proc/self/status`` (Linux).

    python benchmarks/bench_data_layer.py [--events 420000] [--runs 3] [--placement-runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, paired, report, summary  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
JITTER_DEG = 0.05
SEED = 15
MEMORY_GOAL_MB = 1024

# The build as `workbench data build --out DIR` runs it, with the stages timed from outside.
BUILD_CHILD = r"""
import json, sys, time

import workbench.geo.placement as placement
import workbench.panel.build as build
import workbench.panel.drivers as drivers
import workbench.sources.ucdp as ucdp
import workbench.sources.ucdp_panels as panels

seconds, stage_peak_mb, process_peak_mb = {}, {}, [0.0]


def peak_mb():
    # the peak resident memory since the last reset (Linux: VmHWM), then reset it (clear_refs 5)
    with open("/proc/self/status") as fh:
        hwm = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    process_peak_mb[0] = max(process_peak_mb[0], hwm)
    return hwm


def timed(module, name, stage):
    inner = getattr(module, name)

    def wrapper(*args, **kwargs):
        peak_mb()
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - t0
            stage_peak_mb[stage] = max(stage_peak_mb.get(stage, 0.0), peak_mb())

    setattr(module, name, wrapper)


for module, name, stage in [(ucdp, "read_ged", "read"), (placement, "assign_events", "place"),
                            (panels, "province_year", "panels"), (panels, "district_year", "panels"),
                            (build, "write_csv", "write"), (drivers, "build_step", "drivers")]:
    timed(module, name, stage)
from workbench.cli import main

sys.argv = ["workbench", "data", "build", "--out", sys.argv[1]]
try:
    main()
finally:
    peak_mb()
    print(json.dumps({"seconds": seconds, "stage_peak_mb": stage_peak_mb, "max_rss_mb": process_peak_mb[0]}))
"""


def jittered(lon: np.ndarray, lat: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Each point moved by a normal jitter, redrawn (up to 20 times) until it lies inside Pakistan's districts."""
    import shapely

    from workbench.geo.boundaries import read_layer

    country = shapely.union_all(read_layer("osm_districts").geometry.to_numpy())
    shapely.prepare(country)
    x, y = lon.copy(), lat.copy()
    todo = np.arange(len(x))
    for _ in range(20):
        x[todo] = lon[todo] + rng.normal(0, JITTER_DEG, len(todo))
        y[todo] = lat[todo] + rng.normal(0, JITTER_DEG, len(todo))
        todo = todo[~shapely.contains_xy(country, x[todo], y[todo])]
        if not len(todo):
            break
    x[todo] = lon[todo] + rng.uniform(-1e-4, 1e-4, len(todo))  # the few that never land inside stay near
    y[todo] = lat[todo] + rng.uniform(-1e-4, 1e-4, len(todo))  # their own (outside) point, still distinct
    return x, y


def synthetic_events(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` events resampled from GED 22.1 with new ids and jittered points.

    Returns the rows as text (the extract's columns, for a CSV file) and as ``read_ged`` types them.
    """
    from workbench.catalog import resolve_path
    from workbench.sources.ucdp import read_ged

    text = pd.read_csv(resolve_path("ucdp_ged_pak"), dtype=str, keep_default_na=False)
    typed = read_ged()
    if not np.array_equal(text["id"].astype("int64").to_numpy(), typed["id"].to_numpy()):
        raise RuntimeError("read_ged changed the order of the extract's rows")
    rng = np.random.default_rng(SEED)
    pick = rng.integers(0, len(typed), n)
    x, y = jittered(typed["longitude"].to_numpy()[pick], typed["latitude"].to_numpy()[pick], rng)
    lon_text = pd.Series([f"{v:.6f}" for v in x.tolist()], dtype="str")
    lat_text = pd.Series([f"{v:.6f}" for v in y.tolist()], dtype="str")
    rows = text.iloc[pick].reset_index(drop=True)
    rows["id"] = pd.Series(np.arange(1, n + 1)).astype("str")
    rows["longitude"], rows["latitude"] = lon_text, lat_text
    rows["geom_wkt"] = "POINT (" + lon_text + " " + lat_text + ")"
    events = typed.iloc[pick].reset_index(drop=True)
    events["id"] = np.arange(1, n + 1)
    events["record"] = np.arange(1, n + 1)
    events["longitude"] = lon_text.astype("float64").to_numpy()
    events["latitude"] = lat_text.astype("float64").to_numpy()
    return rows, events


def mirror_with(rows: pd.DataFrame, folder: Path) -> dict[str, str]:
    """A data mirror whose GED file holds ``rows`` (the other data sets linked to the shipped ones), and its env."""
    from workbench.catalog import data_dir, sha256_of
    from workbench.store import write_csv

    mirror = folder / "mirror"
    (mirror / "ucdp_ged").mkdir(parents=True)
    for sub in data_dir().iterdir():
        if sub.is_dir() and sub.name != "ucdp_ged":
            (mirror / sub.name).symlink_to(sub)
    catalog = yaml.safe_load((ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    entry = next(e for e in catalog["datasets"] if e["id"] == "ucdp_ged_pak")
    ged = mirror / entry["file"]
    write_csv(rows, ged)
    entry["sha256"], entry["bytes"] = sha256_of(ged), ged.stat().st_size
    (folder / "catalog.yaml").write_text(yaml.safe_dump(catalog, sort_keys=False), encoding="utf-8")
    return {"WORKBENCH_DATA_MIRROR": str(mirror), "WORKBENCH_CATALOG": str(folder / "catalog.yaml"),
            "WORKBENCH_OFFLINE": "1"}


def run_build(env: dict[str, str], out: Path, record: list[dict]) -> None:
    """One `workbench data build --out` in a fresh process; appends its stage times and peak memory to ``record``."""
    proc = subprocess.run([sys.executable, "-c", BUILD_CHILD, str(out)], capture_output=True, text=True,
                          env={**os.environ, **env}, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"data build failed:\n{proc.stderr}")
    record.append(json.loads(proc.stdout.strip().splitlines()[-1]))


def placement_rows(events: pd.DataFrame, runs: int) -> list[Row]:
    import geopandas as gpd
    import shapely

    from workbench.geo.boundaries import points_in_polygons, read_layer
    from workbench.geo.placement import NEAREST_TOLERANCE_M, assign_events
    from workbench.geo.units import load_registry

    reg = load_registry()
    layers = ("osm_districts", "osm_provinces", "ne_adm1_pre2018")
    n = len(events)
    lon, lat = events["longitude"].to_numpy(), events["latitude"].to_numpy()

    def sjoin_within(polygons: gpd.GeoDataFrame) -> pd.DataFrame:
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        return gpd.sjoin(points, polygons[["unit_id", "geometry"]], predicate="within")

    ours_layer, base_layer = read_layer("osm_districts", registry=reg), read_layer("osm_districts", registry=reg)

    def ours_districts() -> None:
        shapely.destroy_prepared(ours_layer.geometry.to_numpy())  # every run prepares its polygons again
        points_in_polygons(events, ours_layer, tolerance_m=NEAREST_TOLERANCE_M)

    rows = [paired(f"placement, {n:,} events (districts layer)", ours=ours_districts,
                   baseline=lambda: sjoin_within(base_layer), baseline_name='geopandas.sjoin(predicate="within")',
                   runs=runs, goal="<= 1.0",
                   note="points_in_polygons with the 5 km nearest rule; both sides build the points from lon/lat")]
    rows.append(paired(f"placement with every rule (assign_events), {n:,}",
                       ours=lambda: assign_events(events, registry=reg),
                       baseline=lambda: [sjoin_within(read_layer(lay, registry=reg)) for lay in layers],
                       baseline_name='read the 3 layers + sjoin(within) on each', runs=runs,
                       note="for information: assign_events also resolves UCDP's names and applies the rules"))
    return rows


def build_rows(small: dict[str, str], large: dict[str, str], n: int, runs: int, folder: Path) -> list[Row]:
    records: dict[str, list[dict]] = {"small": [], "large": []}
    row = paired(f"data build, {n:,} vs {n // 10:,} events", ours=lambda: run_build(large, folder / "out-l",
                                                                                      records["large"]),
                 baseline=lambda: run_build(small, folder / "out-s", records["small"]),
                 baseline_name=f"data build, {n // 10:,} events", runs=runs, warmup=False,
                 goal=f"<= 10.5 (linear); peak memory <= {MEMORY_GOAL_MB} MB at {n:,}",
                 note="`workbench data build --out DIR`, a fresh process each run")
    peaks = {size: [r["max_rss_mb"] for r in rec] for size, rec in records.items()}
    row.extra = {"max_rss_mb_large": summary(peaks["large"]), "max_rss_mb_small": summary(peaks["small"])}
    rows = [row]
    for stage, what in [("read", "read_ged (sources/ucdp.py)"), ("place", "assign_events"),
                        ("panels", "6 violence panels"), ("write", "write_csv of 20 tables"),
                        ("drivers", "drivers step")]:
        large_s = [r["seconds"].get(stage, 0.0) for r in records["large"]]
        small_s = [r["seconds"].get(stage, 0.0) for r in records["small"]]
        peak = [r["stage_peak_mb"].get(stage, 0.0) for r in records["large"]]
        rows.append(Row(name=f"  build stage {what}, {n:,} vs {n // 10:,}", baseline=f"the same, {n // 10:,} events",
                        ours_s=summary(large_s), baseline_s=summary(small_s), runs=runs,
                        note="from the data build runs above; for information",
                        extra={"peak_rss_mb_during_stage_large": summary(peak)}))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=420_000, help="events at the large size (GED 26.1: 417,968)")
    parser.add_argument("--runs", type=int, default=3, help="paired runs of the data build")
    parser.add_argument("--placement-runs", type=int, default=5, help="paired runs of placement")
    args = parser.parse_args()
    n = args.events
    t0 = time.perf_counter()
    rows, events = synthetic_events(n)
    print(f"built {n:,} events from GED 22.1 rows, {events[['longitude', 'latitude']].drop_duplicates().shape[0]:,} "
          f"distinct points ({time.perf_counter() - t0:.0f} s)", flush=True)
    out = placement_rows(events, args.placement_runs)
    del events
    with tempfile.TemporaryDirectory(prefix="bench-data-") as tmp:
        folder = Path(tmp)
        small = mirror_with(rows.iloc[: n // 10], folder / "small")
        large = mirror_with(rows, folder / "large")
        del rows
        out += build_rows(small, large, n, args.runs, folder)
    build_row = out[2]
    peak_large = build_row.extra["max_rss_mb_large"]["max"]
    report(out, checks={out[0].name: lambda ratio: ratio <= 1.0,
                        build_row.name: lambda ratio: ratio <= 10.5 and peak_large <= MEMORY_GOAL_MB})
    print(f"peak memory of the data build at {n:,} events: {peak_large:.0f} MB (peak resident memory; goal <= {MEMORY_GOAL_MB})")
    for r in out[3:]:
        print(f"  {r.name.strip()}: peak memory during the stage {r.extra['peak_rss_mb_during_stage_large']['max']:.0f} MB")


if __name__ == "__main__":
    main()
