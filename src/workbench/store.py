"""The store of derived tables: ``data/processed/``, written by ``workbench data build``.

Every table is a CSV written the reproducible way (:func:`write_csv`: LF line endings, fixed column
order and decimals, no tool-version metadata); ``manifest.json`` beside them lists each table with its
rows, columns, sources and sha256, and the catalog inputs with theirs. :func:`read_processed` reads a
table back with its sources in ``df.attrs["sources"]``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from workbench.catalog import PROJECT_ROOT
from workbench.errors import ParameterError

PROCESSED_DIR = PROJECT_ROOT / "data" / "processed"
FLOAT_FORMAT = "%.6f"
REBUILD_COMMAND = "workbench data build"
MANIFEST = "manifest.json"


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """Write a table the reproducible way: LF, fixed column order, fixed decimals, no index."""
    df.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT, encoding="utf-8")


def _manifest(base: Path) -> dict:
    return json.loads((base / MANIFEST).read_text(encoding="utf-8"))


def read_processed(name: str, folder: str | Path | None = None) -> pd.DataFrame:
    """Read a committed table of ``data/processed`` with its sources in ``df.attrs["sources"]``."""
    base = Path(folder) if folder is not None else PROCESSED_DIR
    manifest = _manifest(base)
    if name not in manifest["outputs"]:
        raise ParameterError(f"no processed table {name!r} in {base}; tables: {sorted(manifest['outputs'])}. "
                             f"Rebuild with `{REBUILD_COMMAND}`.")
    entry = manifest["outputs"][name]
    df = pd.read_csv(base / entry["file"], keep_default_na=False, na_values=[""])
    df.attrs["sources"] = list(entry["sources"])
    return df


def processed_sources(name: str, folder: str | Path | None = None) -> list[str]:
    """The sources of a committed table (from ``manifest.json``), without reading the table."""
    base = Path(folder) if folder is not None else PROCESSED_DIR
    return list(_manifest(base)["outputs"][name]["sources"])
