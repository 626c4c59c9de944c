"""The data catalog: where each data set comes from, and proof that it is the right file.

Every data set the workbench reads is an entry of ``data/catalog.yaml`` (id, publisher,
citation, licence, vintage, file, sha256, reader, fallback). :func:`resolve_path` finds the
file, in this order (:func:`locations`):

1. the override folder named by ``WORKBENCH_DATA_MIRROR`` (an organisation's own copy of the
   published files; resolved to an absolute path once, when this module is first imported);
2. ``data/raw/`` of the checkout: the published files as shipped with the workbench;
3. the local cache (``WORKBENCH_CACHE``, default ``~/.cache/nisp-workbench``), for data sets too
   large to ship;
4. the entry's fallback: ``download`` fetches the original from its publisher (or a pinned
   copy), checks the original's sha256, applies the documented transformation and checks the
   result; ``mirror_only`` stops with a message that says how to obtain the file.

Whatever the route, the file's sha256 must equal the catalog's, else :class:`ChecksumError`.
With the shipped files present nothing touches the network; with ``WORKBENCH_OFFLINE=1`` (or no
network) a missing file fails at once with a message, it never hangs.

Every call of :func:`resolve_path` is recorded, so a report can say which data sets a result
was built from (:func:`sources_read`, :func:`describe_sources`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml

from workbench.errors import CatalogError, ChecksumError, DataSetMissingError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CATALOG_ENV = "WORKBENCH_CATALOG"
CATALOG_PATH = Path(os.environ[CATALOG_ENV]).resolve() if os.environ.get(CATALOG_ENV) else (
    PROJECT_ROOT / "data" / "catalog.yaml")

MIRROR_ENV = "WORKBENCH_DATA_MIRROR"
CACHE_ENV = "WORKBENCH_CACHE"
OFFLINE_ENV = "WORKBENCH_OFFLINE"
DOWNLOAD_TIMEOUT_S = 20


#: The published files shipped with the workbench (byte for byte, a PROVENANCE.md per folder).
SHIPPED_DIR = PROJECT_ROOT / "data" / "raw"


def _mirror_from_env() -> Path | None:
    value = os.environ.get(MIRROR_ENV)
    return Path(value).expanduser().resolve() if value else None


# Resolved once, at start-up: later changes of the working directory do not move the override.
_MIRROR: Path | None = _mirror_from_env()
_SHIPPED: Path | None = SHIPPED_DIR


def mirror_dir() -> Path | None:
    """The override folder in use (``WORKBENCH_DATA_MIRROR``, absolute), or None."""
    return _MIRROR


def shipped_dir() -> Path | None:
    """The folder of shipped published files (``data/raw/`` of the checkout), or None when switched off."""
    return _SHIPPED


def cache_dir() -> Path:
    """The local download cache (absolute)."""
    value = os.environ.get(CACHE_ENV)
    return Path(value).expanduser().resolve() if value else Path.home() / ".cache" / "nisp-workbench"


def set_mirror(path: str | Path | None) -> None:
    """Point the catalog at another override folder (tests, notebooks); None for no override."""
    global _MIRROR
    _MIRROR = Path(path).expanduser().resolve() if path is not None else None


def set_shipped(path: str | Path | None) -> None:
    """Use another folder of shipped files (tests); None to look past ``data/raw/``."""
    global _SHIPPED
    _SHIPPED = Path(path).expanduser().resolve() if path is not None else None


def data_dir() -> Path:
    """The folder the published files are read from by default: the override, else ``data/raw/``."""
    return _MIRROR or _SHIPPED or SHIPPED_DIR


def locations(entry: DatasetEntry) -> list[tuple[str, Path]]:
    """Where a data set's file is looked for, in order: override, shipped, cache (label, path)."""
    places = []
    if _MIRROR is not None:
        places.append(("override", _MIRROR / entry.file))
    if _SHIPPED is not None:
        places.append(("shipped", _SHIPPED / entry.file))
    places.append(("cache", cache_dir() / entry.file))
    return places


# --------------------------------------------------------------------------- entries

_REQUIRED = (
    "id", "title", "file", "publisher", "citation", "licence", "licence_status", "version", "vintage",
    "publisher_url", "form", "how_to_obtain", "provenance", "fallback", "reader", "sha256", "bytes",
)
_FORMS = {"as_published", "extract", "conversion", "transcription"}


@dataclass(frozen=True)
class DatasetEntry:
    """One data set of the catalog."""

    id: str
    title: str
    file: str
    publisher: str
    citation: str
    licence: str
    licence_status: Literal["confirmed", "unconfirmed"]
    version: str
    vintage: str
    publisher_url: str
    form: str
    how_to_obtain: str
    provenance: str
    fallback: dict[str, Any]
    reader: str
    sha256: str
    bytes: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def source_note(self) -> str:
        """A one-line credit: title (which names the publisher), version and vintage."""
        return f"{self.title} ({self.version}; {self.vintage})"


@dataclass(frozen=True)
class Catalog:
    """All entries of a catalog file, by id."""

    path: Path
    entries: dict[str, DatasetEntry]
    #: Documents shipped beside the files (each folder's PROVENANCE.md): path inside data/raw -> sha256.
    documents: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, dataset_id: str) -> DatasetEntry:
        try:
            return self.entries[dataset_id]
        except KeyError:
            known = ", ".join(sorted(self.entries))
            raise CatalogError(f"unknown data set id {dataset_id!r} (catalog {self.path}); known ids: {known}") from None

    def __iter__(self):
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


def _parse_entry(raw: dict[str, Any], path: Path, position: int) -> DatasetEntry:
    where = f"catalog {path}, entry {position + 1}"
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: expected a mapping, found {type(raw).__name__}")
    missing = [k for k in _REQUIRED if k not in raw]
    if missing:
        raise CatalogError(f"{where} ({raw.get('id', '?')}): missing field(s) {', '.join(missing)}")
    if raw["licence_status"] not in ("confirmed", "unconfirmed"):
        raise CatalogError(f"{where} ({raw['id']}): licence_status must be confirmed or unconfirmed, "
                           f"found {raw['licence_status']!r}")
    if raw["form"] not in _FORMS:
        raise CatalogError(f"{where} ({raw['id']}): form must be one of {sorted(_FORMS)}, found {raw['form']!r}")
    sha = str(raw["sha256"])
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise CatalogError(f"{where} ({raw['id']}): sha256 must be 64 lower-case hex digits, found {sha!r}")
    fb = raw["fallback"]
    if not isinstance(fb, dict) or fb.get("kind") not in ("download", "mirror_only"):
        raise CatalogError(f"{where} ({raw['id']}): fallback.kind must be download or mirror_only")
    if fb["kind"] == "download":
        for key in ("url", "original_sha256", "transform"):
            if key not in fb:
                raise CatalogError(f"{where} ({raw['id']}): a download fallback needs '{key}'")
        if fb["transform"] not in TRANSFORMS:
            raise CatalogError(f"{where} ({raw['id']}): unknown transform {fb['transform']!r}; "
                               f"known: {', '.join(sorted(TRANSFORMS))}")
    known = {k: raw[k] for k in _REQUIRED}
    extra = {k: v for k, v in raw.items() if k not in known}
    return DatasetEntry(**known, extra=extra)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and check a catalog file (default: ``data/catalog.yaml``, or ``WORKBENCH_CATALOG`` when set)."""
    p = Path(path).resolve() if path is not None else CATALOG_PATH
    return _load_catalog_cached(p, p.stat().st_mtime_ns if p.exists() else 0)


@lru_cache(maxsize=8)
def _load_catalog_cached(path: Path, _mtime: int) -> Catalog:
    if not path.exists():
        raise CatalogError(f"catalog file {path} not found")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogError(f"catalog {path} is not valid YAML: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("datasets"), list):
        raise CatalogError(f"catalog {path}: expected a top-level 'datasets' list")
    entries: dict[str, DatasetEntry] = {}
    for i, raw in enumerate(doc["datasets"]):
        entry = _parse_entry(raw, path, i)
        if entry.id in entries:
            raise CatalogError(f"catalog {path}: data set id {entry.id!r} appears twice")
        entries[entry.id] = entry
    documents: dict[str, str] = {}
    for i, raw in enumerate(doc.get("documents") or []):
        if not isinstance(raw, dict) or not {"file", "sha256"} <= set(raw):
            raise CatalogError(f"catalog {path}, document {i + 1}: expected 'file' and 'sha256'")
        documents[str(raw["file"])] = str(raw["sha256"])
    return Catalog(path=path, entries=entries, documents=documents)


# --------------------------------------------------------------------------- hashing

_HASH_MEMO: dict[tuple[str, int, int], str] = {}


def sha256_of(path: str | Path) -> str:
    """The sha256 of a file (memoised by path, size and modification time)."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    if key not in _HASH_MEMO:
        h = hashlib.sha256()
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _HASH_MEMO[key] = h.hexdigest()
    return _HASH_MEMO[key]


# --------------------------------------------------------------------------- transforms

def _drop_hxl_row(data: bytes) -> bytes:
    """Delete the second CSV record (HDX's HXL hashtag row) at the byte level.

    HDX country extracts put a row of HXL tags (``#date+year``, ``#adm1+name``, ...) right after
    the header. The header ends at the first CRLF outside quotes; the HXL row has no quoted line
    breaks, so it ends at the next CRLF. Nothing else is changed.
    """
    first = _end_of_record(data, 0)
    second = _end_of_record(data, first)
    record = data[first:second]
    if not record.lstrip(b",").startswith(b"#"):
        raise ValueError("the second record is not an HXL hashtag row (expected it to start with ',,#')")
    return data[:first] + data[second:]


def _end_of_record(data: bytes, start: int) -> int:
    """Offset just past the line end that closes the CSV record starting at ``start``."""
    in_quotes = False
    i = start
    n = len(data)
    while i < n:
        c = data[i]
        if c == 0x22:  # "
            in_quotes = not in_quotes
        elif c == 0x0A and not in_quotes:  # LF (CRLF ends with LF too)
            return i + 1
        i += 1
    return n


TRANSFORMS: dict[str, Callable[[bytes], bytes]] = {
    "drop_hxl_row": _drop_hxl_row,
}


# --------------------------------------------------------------------------- resolution

_READ_LOG: list[str] = []


def sources_read() -> list[str]:
    """Data set ids resolved so far in this process, in first-read order."""
    return list(dict.fromkeys(_READ_LOG))


def _record(dataset_id: str) -> None:
    _READ_LOG.append(dataset_id)


def _check(entry: DatasetEntry, path: Path) -> Path:
    found = sha256_of(path)
    if found != entry.sha256:
        raise ChecksumError(entry.id, path, entry.sha256, found)
    return path


def _looked(entry: DatasetEntry) -> list[str]:
    places = [f"{label} {path}" for label, path in locations(entry)]
    if _MIRROR is None:
        places.insert(0, f"override (not set: {MIRROR_ENV} is empty)")
    return places


def resolve_path(dataset_id: str, *, catalog: Catalog | None = None, allow_download: bool = True) -> Path:
    """Return the verified local path of a data set.

    Parameters
    ----------
    dataset_id:
        An id of ``data/catalog.yaml``, e.g. ``"ucdp_ged_pak"``.
    catalog:
        Another catalog (tests); default the project's.
    allow_download:
        False to never touch the network (as with ``WORKBENCH_OFFLINE=1``).

    Raises
    ------
    ChecksumError
        The file found differs from the catalog's sha256.
    DataSetMissingError
        Not in the mirror nor the cache, and the fallback could not provide it.
    """
    cat = catalog or load_catalog()
    entry = cat[dataset_id]
    for _label, candidate in locations(entry):
        if candidate.is_file():
            _record(dataset_id)
            return _check(entry, candidate)
    path = _fallback(entry, cache_dir() / entry.file, allow_download=allow_download)
    _record(dataset_id)
    return path


def _fallback(entry: DatasetEntry, target: Path, *, allow_download: bool) -> Path:
    looked = "; ".join(_looked(entry))
    fb = entry.fallback
    if fb["kind"] == "mirror_only":
        raise DataSetMissingError(
            f"data set '{entry.id}' ({entry.title}) not found. Looked in: {looked}. "
            f"It is not downloadable (no automatic download reproduces it). How to obtain it: {entry.how_to_obtain} "
            f"It ships with the workbench in data/raw/{entry.file}: restore it from a fresh clone, or set "
            f"{MIRROR_ENV} to a folder holding it."
        )
    offline = os.environ.get(OFFLINE_ENV, "").strip() not in ("", "0", "false", "no")
    if offline or not allow_download:
        raise DataSetMissingError(
            f"data set '{entry.id}' not found. Looked in: {looked}. Downloading is switched off "
            f"({OFFLINE_ENV}=1). Set {MIRROR_ENV} to a mirror folder holding {entry.file}, or allow downloads."
        )
    url = fb["url"]
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:  # noqa: S310 (catalog URL)
            data = response.read()
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        raise DataSetMissingError(
            f"data set '{entry.id}' not found. Looked in: {looked}. The download from {url} failed "
            f"({exc}); no network? Set {MIRROR_ENV} to a mirror folder holding {entry.file}."
        ) from None
    found = hashlib.sha256(data).hexdigest()
    if found != fb["original_sha256"]:
        raise ChecksumError(entry.id, Path(url), fb["original_sha256"], found)
    try:
        data = TRANSFORMS[fb["transform"]](data)
    except ValueError as exc:
        raise DataSetMissingError(f"data set '{entry.id}': transform {fb['transform']} failed on the download "
                                  f"from {url}: {exc}") from None
    result_sha = hashlib.sha256(data).hexdigest()
    if result_sha != entry.sha256:
        raise ChecksumError(entry.id, Path(f"{url} after {fb['transform']}"), entry.sha256, result_sha)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, target)
    return target


# --------------------------------------------------------------------------- verification and credits

def verify(catalog: Catalog | None = None, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Check every data set without downloading: one row each with its status.

    Status is ``ok``, ``altered`` (sha256 differs) or ``missing``; ``found_in`` says where the file
    was found (``override``, ``shipped``, ``cache``, or empty). Nothing is raised here; the
    command line turns any non-ok row into an error.
    """
    cat = catalog or load_catalog()
    rows = []
    for entry in cat:
        if ids is not None and entry.id not in set(ids):
            continue
        status, where, found = "missing", "; ".join(_looked(entry)), ""
        for label, path in locations(entry):
            if path.is_file():
                found = sha256_of(path)
                status = "ok" if found == entry.sha256 else "altered"
                where = f"{label} {path}"
                break
        rows.append({
            "id": entry.id, "status": status, "found_in": where.split(" ", 1)[0] if status != "missing" else "",
            "vintage": entry.vintage, "licence": entry.licence,
            "licence_status": entry.licence_status, "form": entry.form, "fallback": entry.fallback["kind"],
            "where": where, "expected_sha256": entry.sha256, "found_sha256": found,
        })
    return pd.DataFrame(rows)


def catalog_checksums(catalog: Catalog | None = None) -> dict[str, str]:
    """Each data set's catalog sha256, by id (for run manifests and run ids)."""
    cat = catalog or load_catalog()
    return {e.id: e.sha256 for e in cat}


def credit(dataset_id: str, catalog: Catalog | None = None) -> str:
    """One short credit for a catalog data set: title (which names the publisher), version and vintage."""
    return (catalog or load_catalog())[dataset_id].source_note


def sources_of(*frames) -> list[str]:
    """The sources of several frames (``attrs["sources"]``), each once, in first-seen order."""
    return list(dict.fromkeys(s for f in frames for s in f.attrs.get("sources", [])))
