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
- the installed distributions (each one's ``METADATA`` and ``RECORD``, which lists the hash of
  every file it installed), the Python version and the platform.

Hashing the distributions' metadata takes a while, so its digest is cached
(:func:`dependencies_digest`), keyed on where each ``*.dist-info`` is and the size, modification
time and inode of its ``METADATA`` and ``RECORD``: any ``pip install``, upgrade or removal changes
the key, so a stale digest is never used.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import platform
import sys
import tempfile
from collections.abc import Iterable, Mapping
from datetime import date
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
        h.update(_file_digest(path))
    return h.hexdigest()


#: Digests of files already read by this process, keyed by path and stat (size, mtime, inode, ctime): a file
#: that changes in any way is read again. Planning ~170 briefs hashes the same package and data folders each time.
_FILE_DIGESTS: dict[tuple[str, int, int, int, int], bytes] = {}


def _file_digest(path: Path) -> bytes:
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)
    digest = _FILE_DIGESTS.get(key)
    if digest is None:
        digest = hashlib.sha256(path.read_bytes()).digest()
        if len(_FILE_DIGESTS) > 100_000:
            _FILE_DIGESTS.clear()
        _FILE_DIGESTS[key] = digest
    return digest


#: The files of a distribution's metadata folder that identify what it installed.
_DIST_FILES = ("METADATA", "PKG-INFO", "RECORD")


def distribution_folders(paths: Iterable[str] | None = None) -> list[Path]:
    """Every ``*.dist-info`` and ``*.egg-info`` folder on ``paths`` (``sys.path`` by default), in order."""
    out = []
    for entry in sys.path if paths is None else paths:
        try:
            with os.scandir(entry or ".") as it:
                out += sorted(Path(e.path) for e in it if e.name.endswith((".dist-info", ".egg-info")))
        except OSError:  # not a folder (a zip file, a missing path)
            continue
    return out


def _metadata_key(folders: list[Path]) -> str:
    """What identifies the installed distributions cheaply: paths, and stat of each metadata file."""
    h = hashlib.sha256()
    for folder in folders:
        h.update(str(folder).encode() + b"\0")
        for name in _DIST_FILES:
            try:
                st = os.stat(folder / name)
            except OSError:
                continue
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}\0".encode())
    return h.hexdigest()


def _metadata_digest(folders: list[Path]) -> str:
    """sha256 over each distribution's folder name and the contents of its metadata files."""
    h = hashlib.sha256()
    for folder in folders:
        h.update(folder.name.encode() + b"\0")
        for name in _DIST_FILES:
            try:
                h.update(name.encode() + hashlib.sha256((folder / name).read_bytes()).digest())
            except OSError:
                continue
    return h.hexdigest()


def _digest_cache() -> Path:
    from workbench.catalog import cache_dir

    return cache_dir() / "fingerprints" / f"dependencies-{_digest(sys.prefix)[:16]}.json"


def dependencies_digest(paths: Iterable[str] | None = None, *, cache: Path | None = None) -> str:
    """The digest of the installed distributions, from the cache when their metadata files are unchanged.

    Parameters
    ----------
    paths:
        Where distributions are installed (``sys.path`` by default).
    cache:
        The cache file (default: under the workbench's cache folder, one per environment). A cache
        that cannot be read or written is ignored: the digest is then computed every time.
    """
    folders = distribution_folders(paths)
    key = _metadata_key(folders)
    cache = cache or _digest_cache()
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("key") == key and isinstance(cached.get("digest"), str):
            return cached["digest"]
    except (OSError, ValueError, AttributeError):
        pass
    digest = _metadata_digest(folders)
    _write_cache(cache, {"key": key, "digest": digest})
    return digest


def _write_cache(cache: Path, entry: dict[str, str]) -> None:
    """Replace the cache file atomically; on any error leave no temporary file (the cache is optional)."""
    tmp = None
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".dependencies-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(entry, fh)
        os.replace(tmp, cache)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


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
        "dependencies": dependencies_digest(),
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
