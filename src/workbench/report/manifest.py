"""The run manifest: what a report was made from, and with what.

``manifest.json`` in every report folder records the run id and its fingerprint, the suite,
each notebook's parameters, status, timing, outputs and cited sources, each data set's
sha256, the versions of the scientific stack (with the PROJ, GEOS and GDAL libraries),
Python, the platform, and the git commit with a dirty flag.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1

#: Distributions whose versions every manifest records.
KEY_PACKAGES = (
    "pandas", "numpy", "geopandas", "shapely", "pyproj", "pyogrio", "statsmodels", "scipy",
    "papermill", "nbconvert", "nbclient", "ipykernel", "matplotlib", "seaborn", "pandera", "nisp-workbench",
)


def package_versions() -> dict[str, str | None]:
    """Versions of the key distributions (None when one is not installed)."""
    from importlib import metadata

    out: dict[str, str | None] = {}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def library_versions() -> dict[str, str | None]:
    """The C libraries under the geospatial stack: PROJ, GEOS, GDAL."""
    out: dict[str, str | None] = {"PROJ": None, "GEOS": None, "GDAL": None}
    try:
        import pyproj

        out["PROJ"] = pyproj.proj_version_str
    except ImportError:  # pragma: no cover - part of the environment
        pass
    try:
        import shapely

        out["GEOS"] = shapely.geos_version_string
    except ImportError:  # pragma: no cover
        pass
    try:
        import pyogrio

        out["GDAL"] = pyogrio.__gdal_version_string__
    except ImportError:  # pragma: no cover
        pass
    return out


def python_info() -> dict[str, str]:
    """Python version and implementation, platform, machine, interpreter path."""
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "platform": platform.platform(),
        "machine": platform.machine(),
    }


def git_state(root: Path) -> dict[str, Any]:
    """The commit of ``root``'s repository and whether the work tree differs from it.

    Read-only: ``git --no-optional-locks`` so that not even the index is refreshed. Outside
    a repository (or without git) the commit is None; before the first commit it is None
    and the tree counts as dirty.
    """

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=root, capture_output=True, text=True, check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )

    try:
        inside = git("rev-parse", "--is-inside-work-tree")
    except OSError:
        return {"commit": None, "dirty": None, "note": "git not available"}
    if inside.returncode != 0:
        return {"commit": None, "dirty": None, "note": "not a git repository"}
    head = git("rev-parse", "HEAD")
    commit = head.stdout.strip() if head.returncode == 0 else None
    status = git("status", "--porcelain", "--untracked-files=normal")
    dirty = bool(status.stdout.strip()) or commit is None
    state: dict[str, Any] = {"commit": commit, "dirty": dirty}
    if commit is None:
        state["note"] = "no commit yet"
    return state


def environment_info() -> dict[str, Any]:
    """The ``environment`` block of a manifest."""
    return {"python": python_info(), "packages": package_versions(), "libraries": library_versions()}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest.json`` (indented, UTF-8) into ``folder``."""
    path = folder / MANIFEST_NAME
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_records(folder: Path) -> dict[str, dict[str, Any]]:
    """Size and sha256 of every file of a report folder but its manifest, by relative path."""
    out = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel != MANIFEST_NAME:
            out[rel] = {"size": path.stat().st_size, "sha256": _sha256_of(path)}
    return out


def damaged_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """What differs between a report folder and the files its manifest lists (empty: the report is whole).

    Each problem is one phrase: ``a/a.html is missing``, ``a/a.html has changed (size 10, recorded 12)``.
    A manifest without a ``files`` block (made before files were recorded) cannot be checked: that is
    a problem too.
    """
    recorded = manifest.get("files")
    if not isinstance(recorded, dict) or not recorded:
        return ["its manifest records no file checksums (made by an older workbench)"]
    problems = []
    for rel, expected in recorded.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
            continue
        size = path.stat().st_size
        if size != expected.get("size"):
            problems.append(f"{rel} has changed (size {size}, recorded {expected.get('size')})")
        elif _sha256_of(path) != expected.get("sha256"):
            problems.append(f"{rel} has changed (its sha256 differs from the one recorded)")
    return problems


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest of a report folder, or None when it is missing or unreadable."""
    path = folder / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
