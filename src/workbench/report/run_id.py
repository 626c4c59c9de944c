"""The identity of a run: a hash of everything that can change a result.

The run id is ``<date>_<suite>_<12 hex>``: the date the run was made (for people) and the
first 12 hex digits of the fingerprint (for identity). The fingerprint hashes

- each notebook's source with outputs, execution counts and metadata stripped (cell type,
  text and tags are kept);
- the suite file;
- the resolved parameters of every notebook;
- each data set's sha256 from the catalog;
- every file under the ``workbench`` package (uncommitted edits included);
- every file under the project's ``data/`` except ``data/private/`` and the staging folders of a
  build (``data/.build-*``) (catalog, reference tables, policy encoding, committed panels);
- the installed distributions and their versions, the Python version and the platform.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import platform
import sys
from collections.abc import Iterable, Mapping
from datetime import date
from importlib import metadata
from pathlib import Path
from typing import Any

from workbench.report.params import load_notebook_json

_SKIP_DIRS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".hypothesis"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
PRIVATE_DATA = "private"
#: The staging folders of a build, interrupted or still running (``workbench.store.STAGING_PREFIX``).
BUILD_STAGING = ".build-*"


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no spaces, the form that is hashed."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _digest(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def notebook_source_digest(path: str | Path) -> str:
    """sha256 of a notebook's cells (type, text, tags), without outputs or counts."""
    nb = load_notebook_json(path)
    cells = [
        {"type": c.get("cell_type"), "source": c["source"], "tags": sorted((c.get("metadata") or {}).get("tags", []))}
        for c in nb["cells"]
    ]
    return _digest(canonical_json(cells))


def tree_digest(root: Path, *, exclude: Iterable[str] = ()) -> str:
    """sha256 over the relative paths and contents of every file under ``root``.

    ``exclude`` names top-level entries of ``root`` to leave out, as glob patterns (e.g.
    ``private``, ``.build-*``). Caches
    (``__pycache__``, ``*.pyc``, checkpoints) are always left out. A missing folder hashes
    as empty.
    """
    h = hashlib.sha256()
    if not root.is_dir():
        return h.hexdigest()
    excluded = set(exclude)
    files = []
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        top_excluded = any(fnmatch.fnmatchcase(rel.parts[0], pattern) for pattern in excluded)
        if top_excluded or _SKIP_DIRS.intersection(rel.parts) or path.suffix in _SKIP_SUFFIXES:
            continue
        if path.is_file():
            files.append((rel.as_posix(), path))
    for rel, path in sorted(files):
        h.update(rel.encode() + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def installed_distributions() -> dict[str, str]:
    """Every installed distribution, name (lower case) to version."""
    out: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name:
            out[name.lower()] = dist.version
    return dict(sorted(out.items()))


def fingerprint(
    *,
    notebooks: Mapping[str, Path],
    suite_sha256: str,
    parameters: Mapping[str, Mapping[str, Any]],
    data_checksums: Mapping[str, str],
    package_dir: Path,
    data_dir: Path,
) -> dict[str, str]:
    """The digest of each input of a run, by component (kept in the manifest).

    Parameters
    ----------
    notebooks:
        Notebook name to its source path.
    suite_sha256:
        The suite file's sha256.
    parameters:
        Notebook name to its resolved parameters.
    data_checksums:
        Catalog data set id to sha256.
    package_dir:
        The ``workbench`` package folder.
    data_dir:
        The project's ``data/`` folder (``data/private`` and ``data/.build-*`` are left out).
    """
    return {
        "notebooks": _digest(canonical_json({k: notebook_source_digest(p) for k, p in notebooks.items()})),
        "suite": suite_sha256,
        "parameters": _digest(canonical_json(parameters)),
        "data_checksums": _digest(canonical_json(dict(data_checksums))),
        "package_source": tree_digest(package_dir),
        "project_data": tree_digest(data_dir, exclude=[PRIVATE_DATA, BUILD_STAGING]),
        "dependencies": _digest(canonical_json(installed_distributions())),
        "python": _digest(f"{sys.version}|{platform.platform()}|{platform.machine()}"),
    }


def run_hash(components: Mapping[str, str]) -> str:
    """The full sha256 of a run's fingerprint."""
    return _digest(canonical_json(dict(components)))


def make_run_id(suite_name: str, full_hash: str, *, day: date | None = None) -> str:
    """``<YYYY-MM-DD>_<suite>_<first 12 hex of the hash>``.

    >>> make_run_id("default", "0123456789abcdef" * 4, day=date(2026, 11, 22))
    '2026-11-22_default_0123456789ab'
    """
    day = day or date.today()
    return f"{day.isoformat()}_{suite_name}_{full_hash[:12]}"


def hash_of_run_id(run_id: str) -> str:
    """The 12-hex hash part of a run id."""
    return run_id.rsplit("_", 1)[-1]
