"""`workbench data build`: derive the committed tables under ``data/processed/`` from the catalog.

The build is a list of steps (:data:`STEPS`), run in order; each reads what it needs through the
catalog (and the outputs of earlier steps), and returns named tables. Every table is written as
CSV with LF line endings, a fixed column order and fixed decimals, and no tool-version metadata,
so a rebuild on another machine is byte for byte identical. ``data/processed/manifest.json``
lists each output with its rows and sha256, and the catalog inputs with theirs.

Nothing is written unless every step succeeds, and the folder changes at once: the tables go to a
staging folder first, which replaces ``data/processed`` in one step (:func:`workbench.store.publish`;
a build killed at any point leaves the old or the new version, never a mix, and the next build
completes or removes what it left).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.catalog import load_catalog
from workbench.store import (PROCESSED_DIR, REBUILD_COMMAND, build_lock, check_replaceable, publish, recover,
                             write_csv)


@dataclass(frozen=True)
class Step:
    """One build step: a name, what it does, and the function that returns its tables."""

    name: str
    description: str
    run: Callable[[dict[str, pd.DataFrame]], dict[str, pd.DataFrame]]


#: What the violence step reads of each event beyond the checked columns: the places UCDP names.
BUILD_COLUMNS = ("adm_1", "adm_2")


def _violence_step(done: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    from workbench.geo.placement import assign_events
    from workbench.geo.units import DISTRICT_SETS, LAYOUTS, load_registry
    from workbench.sources.ucdp import quality_flags, read_ged
    from workbench.sources.ucdp_panels import district_year, province_year

    reg = load_registry()
    events = read_ged(columns=BUILD_COLUMNS)  # the columns the placement reads, besides those every event is checked on
    assignment = assign_events(events, registry=reg)
    out = {
        "ucdp_event_assignment": assignment,
        "ucdp_quality_flags": quality_flags(events),
        "violence_province_year": pd.concat(
            [province_year(events, assignment, lay, registry=reg) for lay in LAYOUTS], ignore_index=True),
    }
    for dset in DISTRICT_SETS:
        out[f"violence_district_year_{dset}"] = pd.concat(
            [district_year(events, assignment, lay, dset, registry=reg) for lay in LAYOUTS], ignore_index=True)
    sources = assignment.attrs.get("sources", [])
    for df in out.values():
        df.attrs["sources"] = list(dict.fromkeys([*df.attrs.get("sources", []), *sources]))
    return out


def _drivers_step(done: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    from workbench.panel.drivers import build_step

    return build_step(done)


STEPS: list[Step] = [
    Step("violence", "UCDP GED events placed in units; province-year and district-year violence panels",
         _violence_step),
    Step("drivers", "population denominators, youth, deprivation and the drivers panels", _drivers_step),
]


def register_step(step: Step) -> None:
    """Add a build step (used by later layers: demography, deprivation, drivers panel)."""
    if any(s.name == step.name for s in STEPS):
        raise ValueError(f"a build step named {step.name!r} exists already")
    STEPS.append(step)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(out_dir: str | Path | None = None, *, steps: list[str] | None = None,
          progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Run the build steps and write their tables into ``out_dir`` (default ``data/processed``).

    Returns the written paths by table name. The folder is replaced as a whole, at once
    (:func:`workbench.store.publish`); on any error nothing in ``out_dir`` changes. First, what an
    interrupted build left beside ``out_dir`` is completed or removed (:func:`workbench.store.recover`).
    One build at a time writes into a folder's parent: a second one waits.
    """
    target = (Path(out_dir) if out_dir is not None else PROCESSED_DIR).resolve()
    selected = [s for s in STEPS if steps is None or s.name in steps]
    if steps is not None:
        unknown = set(steps) - {s.name for s in STEPS}
        if unknown:
            from workbench.errors import ParameterError

            raise ParameterError(f"unknown build step(s) {sorted(unknown)}; steps: {[s.name for s in STEPS]}")
    check_replaceable(target)
    with build_lock(target.parent):
        for line in recover(target.parent):
            if progress:
                progress(f"recovery: {line}")
        tables: dict[str, pd.DataFrame] = {}
        for step in selected:
            if progress:
                progress(f"{step.name}: {step.description}")
            tables.update(step.run(tables))
        publish(target, lambda folder: _write_tables(folder, tables))
    return {name: target / f"{name}.csv" for name in tables}


def _write_tables(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    written = {}
    for name, df in tables.items():
        written[name] = folder / f"{name}.csv"
        write_csv(df, written[name])
    _write_manifest(folder, tables, written)


def _write_manifest(folder: Path, tables: dict[str, pd.DataFrame], written: dict[str, Path]) -> None:
    cat = load_catalog()
    sources = sorted({s for df in tables.values() for s in df.attrs.get("sources", []) if s in cat.entries})
    doc = {
        "rebuild_command": REBUILD_COMMAND,
        "inputs": {s: cat[s].sha256 for s in sources},
        "outputs": {
            name: {
                "file": path.name,
                "rows": int(len(tables[name])),
                "columns": list(map(str, tables[name].columns)),
                "sources": [s for s in tables[name].attrs.get("sources", [])],
                "sha256": _sha(path),
            }
            for name, path in sorted(written.items())
        },
    }
    (folder / "manifest.json").write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
