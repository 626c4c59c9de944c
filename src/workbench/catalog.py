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
   copy) with :mod:`pooch` (retries, a progress bar, a temporary file moved into place), checks
   the original's sha256, applies the documented transformation and checks the result;
   ``mirror_only`` stops with a message that says how to obtain the file.

Whatever the route, the file's sha256 must equal the catalog's, else :class:`ChecksumError`.
With the shipped files present nothing touches the network; with ``WORKBENCH_OFFLINE=1`` (or no
network) a missing file fails at once with a message that says how to obtain it and where to put
it, it never hangs.

**Required and optional data sets.** Iterating a :class:`Catalog` gives the data sets a checkout
must hold (they ship in ``data/raw/``). Entries marked ``required: false`` are *optional*: large
publisher archives (UCDP GED releases after 22.1) and further UCDP Candidate releases, fetched on
demand into the cache (``workbench data pull``) and read only when an analyst chooses them. They
are in :attr:`Catalog.optional` and found by id like any other. An optional entry may be
*unpinned* (``sha256: null``, for a file whose hash is not known in advance): its hash is recorded
in the cache on first use (:func:`recorded_sha256`) and every later read must match it.

Every call of :func:`resolve_path` is recorded, so a report can say which data sets a result
was built from (:func:`sources_read`, :func:`describe_sources`).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import warnings
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
#: How often a failed download (network error) is tried again, waiting 1 s, then 2 s, ...
DOWNLOAD_RETRIES = 2
#: The file in the cache folder that holds the hashes recorded for unpinned data sets.
RECORDED_HASHES = "recorded_sha256.json"


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
_HEX = set("0123456789abcdef")


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and set(value) <= _HEX


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
    #: The file's sha256; None for an unpinned optional data set (recorded on first use).
    sha256: str | None
    bytes: int | None
    #: False for an optional data set (not shipped; fetched on demand).
    required: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pinned(self) -> bool:
        """True when the catalog fixes the file's sha256."""
        return self.sha256 is not None

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
        """The required data sets (those a checkout holds); :attr:`optional` lists the others."""
        return (e for e in self.entries.values() if e.required)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    @property
    def optional(self) -> list[DatasetEntry]:
        """The optional data sets (``required: false``): fetched on demand, read only when chosen."""
        return [e for e in self.entries.values() if not e.required]

    @property
    def every(self) -> list[DatasetEntry]:
        """Every entry, required and optional, in file order."""
        return list(self.entries.values())


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
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise CatalogError(f"{where} ({raw['id']}): required must be true or false, found {required!r}")
    sha = raw["sha256"]
    if not (_is_sha256(sha) or (sha is None and not required)):
        raise CatalogError(f"{where} ({raw['id']}): sha256 must be 64 lower-case hex digits (or null for an "
                           f"optional data set whose hash is recorded on first use), found {sha!r}")
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
        if not (_is_sha256(fb["original_sha256"]) or (fb["original_sha256"] is None and sha is None)):
            raise CatalogError(f"{where} ({raw['id']}): fallback.original_sha256 must be 64 lower-case hex digits "
                               "(null only when sha256 is null)")
    known = {k: raw[k] for k in _REQUIRED}
    extra = {k: v for k, v in raw.items() if k not in known and k != "required"}
    return DatasetEntry(**known, required=required, extra=extra)


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and check a catalog file (default: ``data/catalog.yaml``, or ``WORKBENCH_CATALOG`` when set)."""
    p = Path(path).resolve() if path is not None else CATALOG_PATH
    return _load_catalog_cached(p, p.stat().st_mtime_ns if p.exists() else 0)


@lru_cache(maxsize=8)
def _load_catalog_cached(path: Path, _mtime: int) -> Catalog:
    if not path.exists():
        raise CatalogError(f"catalog file {path} not found")
    try:
        # the C loader when PyYAML has it (the same documents, read about five times faster)
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
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
    #: the file as the publisher distributes it (an archive, a spreadsheet): nothing changes
    "none": lambda data: data,
}


# --------------------------------------------------------------------------- recorded hashes

def _recorded_path() -> Path:
    return cache_dir() / RECORDED_HASHES


def _read_recorded() -> dict[str, dict[str, str]]:
    path = _recorded_path()
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CatalogError(f"the recorded hashes {path} cannot be read ({exc}); delete the file to record them "
                           "again on the next read") from None
    return doc if isinstance(doc, dict) else {}


def recorded_sha256(entry: DatasetEntry) -> str | None:
    """The sha256 recorded on first use of an unpinned data set's file (None when none was recorded)."""
    record = _read_recorded().get(entry.id)
    return record.get("sha256") if isinstance(record, dict) and record.get("file") == entry.file else None


def _remember(entry: DatasetEntry, sha: str, where: str) -> None:
    """Record the sha256 of an unpinned data set's file, on its first use (atomic write)."""
    doc = _read_recorded()
    doc[entry.id] = {"file": entry.file, "sha256": sha, "first_found": where}
    try:
        write_atomic(_recorded_path(), (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    except OSError as exc:
        warnings.warn(f"could not record the sha256 of '{entry.id}' in {_recorded_path()} ({exc}): later reads "
                      "cannot tell whether the file changed", stacklevel=3)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, moved into place at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def expected_sha256(entry: DatasetEntry) -> str | None:
    """The sha256 a data set's file must have: the catalog's, else the one recorded on first use, else None."""
    return entry.sha256 if entry.pinned else recorded_sha256(entry)


# --------------------------------------------------------------------------- resolution

_READ_LOG: list[str] = []


def sources_read() -> list[str]:
    """Data set ids resolved so far in this process, in first-read order."""
    return list(dict.fromkeys(_READ_LOG))


def _record(dataset_id: str) -> None:
    _READ_LOG.append(dataset_id)


def _check(entry: DatasetEntry, path: Path, label: str) -> Path:
    found = sha256_of(path)
    expected = expected_sha256(entry)
    if expected is None:
        _remember(entry, found, f"{label} {path}")
    elif found != expected:
        raise altered_error(entry, path, expected, found)
    return path


def altered_error(entry: DatasetEntry, path: Path | str, expected: str, found: str) -> ChecksumError:
    """The error of a file whose sha256 is not the pinned one (or, unpinned, not the one recorded on first use)."""
    err = ChecksumError(entry.id, Path(path), expected, found)
    if not entry.pinned:
        err.args = (f"data set '{entry.id}': file {path} has sha256 {found}, but its first use recorded {expected} "
                    f"(the catalog pins no sha256 for it; the record is in {_recorded_path()}). The file changed "
                    f"since: restore the file first used or, if the new one is intended, delete '{entry.id}' from "
                    "that record (better: pin its sha256 in data/catalog.yaml).",)
    return err


def _looked(entry: DatasetEntry) -> list[str]:
    places = [f"{label} {path}" for label, path in locations(entry)]
    if _MIRROR is None:
        places.insert(0, f"override (not set: {MIRROR_ENV} is empty)")
    return places


def locate(dataset_id: str, *, catalog: Catalog | None = None) -> tuple[str, Path] | None:
    """Where a data set's file is (``(label, path)``: override, shipped or cache), without reading it; else None."""
    entry = (catalog if catalog is not None else load_catalog())[dataset_id]
    return next(((label, p) for label, p in locations(entry) if p.is_file()), None)


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
        The file found differs from the catalog's sha256 (or, unpinned, from the one recorded on first use).
    DataSetMissingError
        Not in the override, ``data/raw/`` nor the cache, and the fallback could not provide it.
    """
    cat = catalog if catalog is not None else load_catalog()
    entry = cat[dataset_id]
    for label, candidate in locations(entry):
        if candidate.is_file():
            _record(dataset_id)
            return _check(entry, candidate, label)
    path = _fallback(entry, cache_dir() / entry.file, allow_download=allow_download)
    _record(dataset_id)
    return path


def offline() -> bool:
    """True when downloads are switched off (``WORKBENCH_OFFLINE`` set to anything but 0/false/no)."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def where_to_put(entry: DatasetEntry) -> str:
    """Where an analyst may put a data set's file by hand, in words."""
    places = [f"the cache, {cache_dir() / entry.file}"]
    places.append(f"{_MIRROR / entry.file} (the override folder {MIRROR_ENV})" if _MIRROR is not None
                  else f"a folder named by {MIRROR_ENV}, as <folder>/{entry.file}")
    return " or ".join(places)


def missing_message(entry: DatasetEntry, why: str) -> str:
    """The message of a missing data set: where it was looked for, why, how to obtain it and where to put it."""
    looked = "; ".join(_looked(entry))
    pull = (f" With network, `workbench data pull {entry.id}` downloads it from {entry.fallback['url']}."
            if entry.fallback["kind"] == "download" and entry.fallback.get("url") else "")
    return (f"data set '{entry.id}' not found ({entry.title}). Looked in: {looked}. {why} "
            f"How to obtain it: {entry.how_to_obtain} Put the file in {where_to_put(entry)}.{pull}")


def _fallback(entry: DatasetEntry, target: Path, *, allow_download: bool) -> Path:
    fb = entry.fallback
    if fb["kind"] == "mirror_only":
        looked = "; ".join(_looked(entry))
        raise DataSetMissingError(
            f"data set '{entry.id}' ({entry.title}) not found. Looked in: {looked}. "
            f"It is not downloadable (no automatic download reproduces it). How to obtain it: {entry.how_to_obtain} "
            f"It ships with the workbench in data/raw/{entry.file}: restore it from a fresh clone, or set "
            f"{MIRROR_ENV} to a folder holding it."
        )
    if offline() or not allow_download:
        raise DataSetMissingError(missing_message(entry, f"Downloading is switched off ({OFFLINE_ENV}=1)."))
    url = fb["url"]
    if not url:
        raise DataSetMissingError(missing_message(
            entry, "No download address is known (the catalog entry's fallback url is empty: set it when the "
                   "publisher's address is known)."))
    with tempfile.TemporaryDirectory(dir=_mkdir(target.parent), prefix=".download-") as tmp:
        try:
            original = download(url, Path(tmp) / target.name, dataset_id=entry.id)
        except DataSetMissingError as exc:
            raise DataSetMissingError(missing_message(entry, f"{exc}; no network?")) from None
        found = sha256_of(original)
        if fb["original_sha256"] is not None and found != fb["original_sha256"]:
            raise ChecksumError(entry.id, Path(url), fb["original_sha256"], found)
        if fb["transform"] == "none":
            result = original
        else:
            try:
                data = TRANSFORMS[fb["transform"]](original.read_bytes())
            except ValueError as exc:
                raise DataSetMissingError(f"data set '{entry.id}': transform {fb['transform']} failed on the "
                                          f"download from {url}: {exc}") from None
            result = Path(tmp) / f"{target.name}.transformed"
            result.write_bytes(data)
        result_sha = sha256_of(result)
        if entry.pinned and result_sha != entry.sha256:
            raise ChecksumError(entry.id, Path(f"{url} after {fb['transform']}"), entry.sha256, result_sha)
        os.replace(result, target)
    if not entry.pinned:
        _remember(entry, result_sha, f"downloaded from {url}")
    return target


def _mkdir(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def download(url: str, target: Path, *, dataset_id: str) -> Path:
    """Fetch ``url`` into ``target`` with :mod:`pooch`: retries on network errors, a progress bar on a terminal.

    Raises
    ------
    DataSetMissingError
        The download failed (no network, the address is wrong, the server refused).
    """
    import pooch
    import requests

    fetcher = pooch.create(path=target.parent, base_url="", registry={target.name: None}, urls={target.name: url},
                           retry_if_failed=DOWNLOAD_RETRIES)
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel("WARNING")  # pooch's own advice to pin the hash is the catalog's business
    print(f"downloading {dataset_id} from {url}", file=sys.stderr)
    try:
        fetcher.fetch(target.name, downloader=pooch.HTTPDownloader(progressbar=sys.stderr.isatty(),
                                                                    timeout=DOWNLOAD_TIMEOUT_S))
    except (requests.exceptions.RequestException, OSError) as exc:
        raise DataSetMissingError(f"The download from {url} failed ({exc}) after {DOWNLOAD_RETRIES + 1} "
                                  "attempts") from None
    finally:
        logger.setLevel(level)
    return target


# --------------------------------------------------------------------------- verification and credits

def verify(catalog: Catalog | None = None, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Check every data set, required and optional, without downloading: one row each with its status.

    Status is ``ok`` (sha256 as pinned), ``altered`` (sha256 differs from the pinned or recorded one),
    ``unpinned`` (present, but the catalog fixes no sha256: checked against the one recorded on first
    use, if any) or ``missing``; ``found_in`` says where the file was found (``override``,
    ``shipped``, ``cache``, or empty); ``required`` is False for an optional data set, whose absence
    is no fault. Nothing is raised here; the command line turns any fault into an error.
    """
    cat = catalog if catalog is not None else load_catalog()
    wanted = set(ids) if ids is not None else None
    rows = []
    for entry in cat.every:
        if wanted is not None and entry.id not in wanted:
            continue
        status, where, found = "missing", "; ".join(_looked(entry)), ""
        expected = expected_sha256(entry)
        for label, path in locations(entry):
            if path.is_file():
                found = sha256_of(path)
                status = ("altered" if expected is not None and found != expected
                          else "ok" if entry.pinned else "unpinned")
                where = f"{label} {path}"
                break
        rows.append({
            "id": entry.id, "status": status, "found_in": where.split(" ", 1)[0] if status != "missing" else "",
            "required": entry.required, "vintage": entry.vintage, "licence": entry.licence,
            "licence_status": entry.licence_status, "form": entry.form, "fallback": entry.fallback["kind"],
            "where": where, "expected_sha256": expected or "", "found_sha256": found,
        })
    return pd.DataFrame(rows)


def catalog_checksums(catalog: Catalog | None = None) -> dict[str, str]:
    """Each required data set's catalog sha256, by id, and each optional one present (for run manifests and run ids).

    An optional data set counts once its file is present (its pinned sha256, else the recorded one), so
    that a release appearing in the cache changes the run id of a run that may read it.
    """
    cat = catalog if catalog is not None else load_catalog()
    out = {e.id: e.sha256 for e in cat}
    for e in cat.optional:
        if any(p.is_file() for _, p in locations(e)):
            out[e.id] = expected_sha256(e) or "present, sha256 not yet recorded"
    return out


def credit(dataset_id: str, catalog: Catalog | None = None) -> str:
    """One short credit for a catalog data set: title (which names the publisher), version and vintage."""
    return (catalog if catalog is not None else load_catalog())[dataset_id].source_note


def sources_of(*frames) -> list[str]:
    """The sources of several frames (``attrs["sources"]``), each once, in first-seen order."""
    return list(dict.fromkeys(s for f in frames for s in f.attrs.get("sources", [])))
