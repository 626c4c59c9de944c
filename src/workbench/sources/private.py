"""The analyst's own sources: registered by path and checksum, never copied, never committed.

An analyst's incident log or published annual series (formats in ``docs/incidents.md``) lives in
the private folder, ``data/private/`` of the checkout (ignored by git; ``WORKBENCH_PRIVATE_DIR``
points elsewhere). :func:`add_source` reads and checks the file first, then records it in the
private registry ``<private folder>/registry.yaml``: id, kind, path, sha256, title,
compiler, definition, licence, sensitivity and the years it covers. Nothing is recorded for a
file that fails its checks.

Registered ids work wherever a catalog id does for the violence measures: ``violence_source`` of
the notebooks (:func:`workbench.panel.violence.select_panel`), the source comparison
(:mod:`workbench.panel.compare`) and source footnotes (:func:`workbench.catalog.describe_sources`). Each
read re-checks the sha256 (:func:`resolve_private_path`): a file changed since registration is an
error until it is registered again (``workbench sources add ... --replace``).

Reports show aggregates only (panels, series); the raw rows never reach a table or figure.

Two safeguards hold for every change of the registry (:func:`add_source`, :func:`remove_source`):

* a private folder that git would track is refused (:func:`refuse_tracked_private_dir`): inside a
  git work tree, the folder must be ignored, or its files show in ``git status``;
* the read-modify-write of the registry holds an exclusive lock (``fcntl.flock`` on
  ``<private folder>/.registry.lock``), and the new registry is written to a temporary file,
  flushed to disk and renamed into place (then the folder is flushed), so concurrent commands never
  lose an entry and a crash leaves the old registry or the new one, never a mix.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Literal, get_args

import pandas as pd
import yaml

from workbench.catalog import PROJECT_ROOT, load_catalog, sha256_of
from workbench.errors import ChecksumError, DataValidationError, ParameterError, WorkbenchError
from workbench.sources.incidents import EARLIEST_YEAR, KINDS, SourceKind, read_source_file

PRIVATE_DIR_ENV = "WORKBENCH_PRIVATE_DIR"
REGISTRY_FILE = "registry.yaml"
LOCK_FILE = ".registry.lock"
Sensitivity = Literal["public", "restricted", "confidential"]
SENSITIVITIES: tuple[str, ...] = get_args(Sensitivity)
_ID = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
FIELDS = ("id", "kind", "path", "sha256", "title", "compiler", "definition", "licence", "sensitivity",
          "first_year", "last_year", "rows", "registered")


class PrivateSourceError(WorkbenchError):
    """The private registry, or a registered file, is not as it should be."""


class PrivateChecksumError(ChecksumError):
    """A registered file that changed since it was registered."""

    def __init__(self, source_id: str, path: Path, expected: str, found: str) -> None:
        self.dataset_id, self.path, self.expected, self.found = source_id, path, expected, found
        WorkbenchError.__init__(
            self,
            f"analyst's source '{source_id}': file {path} has sha256 {found}, but it was registered with "
            f"{expected}. The file changed after registration: if the change is intended, check and register it "
            f"again (`workbench sources add {path} --kind ... --id {source_id} --replace`); otherwise restore it.")


@dataclass(frozen=True)
class PrivateSource:
    """One registered analyst's source.

    ``path`` is as recorded: relative to the private folder when the file lies in it, else absolute.
    ``first_year``/``last_year`` are the years the source covers (a year without incidents inside
    them is a zero; years outside are not covered).
    """

    id: str
    kind: SourceKind
    path: str
    sha256: str
    title: str
    compiler: str
    definition: str
    licence: str
    sensitivity: Sensitivity
    first_year: int
    last_year: int
    rows: int
    registered: str

    def file(self, folder: Path | None = None) -> Path:
        """The absolute path of the file."""
        p = Path(self.path)
        return p if p.is_absolute() else (folder or private_dir()) / p

    @property
    def years(self) -> tuple[int, int]:
        return self.first_year, self.last_year

    @property
    def kind_label(self) -> str:
        return "incident log" if self.kind == "incident_log" else "published annual series"


# --------------------------------------------------------------------------- where


def private_dir() -> Path:
    """The private folder: ``$WORKBENCH_PRIVATE_DIR`` or ``data/private`` of the checkout (absolute)."""
    value = os.environ.get(PRIVATE_DIR_ENV)
    return Path(value).expanduser().resolve() if value else PROJECT_ROOT / "data" / "private"


def registry_path() -> Path:
    """``<private folder>/registry.yaml``."""
    return private_dir() / REGISTRY_FILE


def refuse_tracked_private_dir(folder: Path | None = None, files: tuple[Path, ...] = ()) -> None:
    """Refuse a private folder (and files in it) that git would track.

    Inside a git work tree, ``git check-ignore`` must report the registry's path (and each of
    ``files``) as ignored. Outside a work tree, or without git, there is nothing to check.

    Raises
    ------
    PrivateSourceError
        A path git would track, naming the fix (a ``.gitignore`` line, or a folder elsewhere).
    """
    folder = folder or private_dir()
    anchor = next(p for p in (folder, *folder.parents) if p.is_dir())
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}

    def git(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(anchor), *args], input=stdin, capture_output=True, text=True,
                              env=env, timeout=60, check=False)

    try:
        top = git("rev-parse", "--show-toplevel")
    except (OSError, subprocess.TimeoutExpired):
        return  # no git on this machine
    if top.returncode != 0:
        return  # not inside a git work tree
    probes = [str(folder / REGISTRY_FILE), *(str(f) for f in files)]
    done = git("check-ignore", "--stdin", "-z", stdin="\0".join(probes) + "\0")
    if done.returncode not in (0, 1):
        raise PrivateSourceError(f"private folder {folder}: could not ask git whether it is ignored "
                                 f"(git check-ignore: {done.stderr.strip()}); fix git, or use a folder outside the "
                                 "work tree")
    tracked = [p for p in probes if p not in set(done.stdout.split("\0"))]
    if tracked:
        root = Path(top.stdout.strip())
        line = f"/{folder.relative_to(root)}/" if folder.is_relative_to(root) else f"{folder}/"
        raise PrivateSourceError(
            f"private folder {folder} lies in the git work tree {root}, and git would track {tracked[0]}: the "
            "analyst's files and the registry would show in `git status` and could be committed. Add the line "
            f"{line!r} to {root / '.gitignore'}, or set {PRIVATE_DIR_ENV} to a folder outside the work tree.")


# --------------------------------------------------------------------------- reading the registry


def load_private_sources() -> dict[str, PrivateSource]:
    """The registered sources by id (empty when nothing is registered)."""
    path = registry_path()
    if not path.is_file():
        return {}
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise PrivateSourceError(f"private registry {path} is not valid YAML: {exc}") from None
    items = doc.get("sources", []) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise PrivateSourceError(f"private registry {path}: expected a top-level 'sources' list")
    out: dict[str, PrivateSource] = {}
    for i, raw in enumerate(items, start=1):
        missing = [f for f in FIELDS if not isinstance(raw, dict) or f not in raw]
        if missing:
            raise PrivateSourceError(f"private registry {path}, entry {i}: missing field(s) {', '.join(missing)}")
        entry = PrivateSource(**{f: raw[f] for f in FIELDS})
        if entry.kind not in KINDS:
            raise PrivateSourceError(f"private registry {path}, entry {i} ({entry.id}): kind must be one of "
                                     f"{', '.join(KINDS)}, found {entry.kind!r}")
        if entry.id in out:
            raise PrivateSourceError(f"private registry {path}: id {entry.id!r} appears twice")
        out[entry.id] = entry
    return out


def is_registered(source_id: str) -> bool:
    """True when ``source_id`` is a registered analyst's source."""
    try:
        return source_id in load_private_sources()
    except PrivateSourceError:
        return False


def get_source(source_id: str) -> PrivateSource:
    """The registered source ``source_id``; an unknown id is an error listing the registered ones."""
    sources = load_private_sources()
    if source_id not in sources:
        known = ", ".join(sorted(sources)) or "none"
        raise ParameterError(f"unknown analyst's source {source_id!r} (private registry {registry_path()}); "
                             f"registered: {known}. Register a file with `workbench sources add`.")
    return sources[source_id]


# --------------------------------------------------------------------------- registering


def _check_id(source_id: str) -> None:
    if not isinstance(source_id, str) or not _ID.fullmatch(source_id):
        raise ParameterError(f"source id {source_id!r}: use 3-64 lower-case letters, digits and '_', starting with "
                             "a letter (e.g. cttd_kp_log)")
    catalog_ids = set(load_catalog().entries)
    if source_id in catalog_ids:
        raise ParameterError(f"source id {source_id!r} is a data set of data/catalog.yaml; choose another id")


def _recorded_path(path: Path) -> str:
    """Relative to the private folder when inside it; refused inside the checkout elsewhere."""
    folder = private_dir()
    if path.is_relative_to(folder):
        return str(path.relative_to(folder))
    if path.is_relative_to(PROJECT_ROOT):
        raise ParameterError(
            f"{path} lies inside the project checkout but outside the private folder {folder}: git could "
            "commit it. Move the file into data/private/ (ignored by git) and register it from there.")
    return str(path)


def _years(frame: pd.DataFrame, first_year: int | None, last_year: int | None, file: str) -> tuple[int, int]:
    """The covered years: given (between 1947 and this year), or the rows' first and last (the readers refuse
    dates before 1947 or after today)."""
    years = frame["year"]
    column = "year" if "geography_src" in frame else "date"
    if (first_year is None or last_year is None) and years.empty:
        raise ParameterError(f"{file} holds no rows: give the years it covers (--first-year, --last-year)")
    this_year = date.today().year
    for option, given in (("--first-year", first_year), ("--last-year", last_year)):
        if given is not None and not EARLIEST_YEAR <= int(given) <= this_year:
            raise ParameterError(f"{file}: coverage {option} {int(given)} is not plausible: years must lie between "
                                 f"{EARLIEST_YEAR} and this year ({this_year}); covered years without incidents "
                                 "count as zeros")
    first = int(years.min()) if first_year is None else int(first_year)
    last = int(years.max()) if last_year is None else int(last_year)
    if first > last:
        raise ParameterError(f"{file}: first year {first} is after last year {last}")
    outside = frame[~years.between(first, last)]
    if len(outside):
        r = outside.iloc[0]
        raise DataValidationError(file, f"year {int(r['year'])} lies outside the declared coverage {first}-{last}",
                                  row=int(r["record"]), column=column)
    return first, last


def add_source(path: str | Path, *, kind: SourceKind, source_id: str, title: str, compiler: str,
               definition: str, licence: str = "", sensitivity: Sensitivity = "restricted",
               first_year: int | None = None, last_year: int | None = None, replace: bool = False,
               on_note: Callable[[str], None] | None = None) -> PrivateSource:
    """Check a file and register it (path and sha256) in the private registry.

    Parameters
    ----------
    path:
        The file, in ``data/private/`` (or outside the checkout).
    kind:
        ``incident_log`` or ``annual_series``.
    source_id:
        The id to use in notebooks and comparisons (not a catalog id).
    title, compiler:
        What the source is and who compiled or published it (shown in source footnotes).
    definition:
        What the source counts as an incident (for an annual series each row also carries the
        publisher's own definition).
    licence, sensitivity:
        Terms of use, and ``public``, ``restricted`` or ``confidential``.
    first_year, last_year:
        Years the source covers; default the first and last year of its rows.
    replace:
        Re-register an existing id (e.g. after the file was corrected).
    on_note:
        Called with each note on how the file was read (an encoding other than UTF-8, a delimiter
        other than the comma).

    Raises
    ------
    DataValidationError, UnknownUnitError
        The file fails its format's checks (nothing is registered).
    ParameterError
        A bad id or option, an id already registered (without ``replace``), a file inside the
        checkout but outside the private folder.
    PrivateSourceError
        A private folder git would track; a file that changed while it was checked.
    """
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    if sensitivity not in SENSITIVITIES:
        raise ParameterError(f"sensitivity must be one of {', '.join(SENSITIVITIES)}; got {sensitivity!r}")
    for name, value in (("title", title), ("compiler", compiler), ("definition", definition)):
        if not isinstance(value, str) or not value.strip():
            raise ParameterError(f"{name} is required (say what the source is, who compiled it and what it counts)")
    _check_id(source_id)
    p = Path(path).expanduser().resolve()
    if not p.is_file():
        raise ParameterError(f"file {p} not found")
    recorded = _recorded_path(p)
    refuse_tracked_private_dir(files=(p,) if p.is_relative_to(private_dir()) else ())
    _refuse_registered(source_id, load_private_sources(), replace)
    sha256 = sha256_of(p)
    frame = read_source_file(p, kind, source_id=source_id)
    if on_note is not None:
        for note in frame.attrs["read_notes"]:
            on_note(note)
    if sha256_of(p) != sha256:
        raise PrivateSourceError(f"file {p} changed while it was being checked; register it again once it is "
                                 "complete (nothing was registered)")
    first, last = _years(frame, first_year, last_year, str(p))
    entry = PrivateSource(id=source_id, kind=kind, path=recorded, sha256=sha256, title=title.strip(),
                          compiler=compiler.strip(), definition=definition.strip(), licence=licence.strip(),
                          sensitivity=sensitivity, first_year=first, last_year=last, rows=int(len(frame)),
                          registered=date.today().isoformat())
    with _registry_lock():
        sources = load_private_sources()
        _refuse_registered(source_id, sources, replace)  # again: another command may have registered it meanwhile
        sources[source_id] = entry
        _write_registry(sources)
    return entry


def _refuse_registered(source_id: str, sources: dict[str, PrivateSource], replace: bool) -> None:
    if source_id in sources and not replace:
        raise ParameterError(f"source id {source_id!r} is registered already (file {sources[source_id].path}); "
                             "pass replace=True (--replace) to register the file again")


def remove_source(source_id: str) -> None:
    """Take a source out of the registry (the file itself is left alone)."""
    with _registry_lock():
        get_source(source_id)
        sources = load_private_sources()
        del sources[source_id]
        _write_registry(sources)


@contextmanager
def _registry_lock() -> Iterator[None]:
    """Hold the registry's lock (``<private folder>/.registry.lock``) of a folder git does not track."""
    folder = private_dir()
    refuse_tracked_private_dir(folder)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(folder / LOCK_FILE, "a", encoding="utf-8") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)  # released when the file closes
        yield


def _write_registry(sources: dict[str, PrivateSource]) -> None:
    """Write the registry atomically: a flushed temporary file renamed into place, then the folder flushed."""
    path = registry_path()
    doc = {"sources": [asdict(s) for s in sorted(sources.values(), key=lambda s: s.id)]}
    text = ("# The analyst's registered sources (workbench sources add). Not committed: data/private/ is ignored.\n"
            + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".registry-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    folder_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)


# --------------------------------------------------------------------------- using a registered source


def resolve_private_path(source_id: str) -> Path:
    """The verified path of a registered file (its sha256 must equal the registered one)."""
    entry = get_source(source_id)
    p = entry.file()
    if not p.is_file():
        raise PrivateSourceError(f"analyst's source '{source_id}': file {p} not found (registered "
                                 f"{entry.registered}). Restore it or register the new location.")
    found = sha256_of(p)
    if found != entry.sha256:
        raise PrivateChecksumError(source_id, p, entry.sha256, found)
    return p


_FRAMES: dict[tuple[str, str], pd.DataFrame] = {}


def read_private_source(source_id: str) -> pd.DataFrame:
    """The checked rows of a registered source (verified by sha256; cached per file version).

    The frame holds raw rows: use it for panels and series, never show it in a report.
    """
    entry = get_source(source_id)
    path = resolve_private_path(source_id)
    key = (source_id, entry.sha256)
    if key not in _FRAMES:
        _FRAMES[key] = read_source_file(path, entry.kind, source_id=source_id)
    frame = _FRAMES[key].copy(deep=False)
    frame.attrs = {**_FRAMES[key].attrs, "sources": [source_id]}
    return frame


def check_sources() -> pd.DataFrame:
    """Every registered source with its status: ``ok``, ``altered`` (sha256 differs) or ``missing``."""
    rows = []
    for s in load_private_sources().values():
        p = s.file()
        found = sha256_of(p) if p.is_file() else ""
        status = "missing" if not found else ("ok" if found == s.sha256 else "altered")
        rows.append({"id": s.id, "kind": s.kind, "status": status, "title": s.title, "compiler": s.compiler,
                     "years": f"{s.first_year}-{s.last_year}", "rows": s.rows, "sensitivity": s.sensitivity,
                     "registered": s.registered, "path": str(p), "expected_sha256": s.sha256,
                     "found_sha256": found})
    cols = ["id", "kind", "status", "title", "compiler", "years", "rows", "sensitivity", "registered", "path",
            "expected_sha256", "found_sha256"]
    return pd.DataFrame(rows, columns=cols)


def private_checksums() -> dict[str, str]:
    """Registered id to sha256 (for a report run's fingerprint and manifest)."""
    return {s.id: s.sha256 for s in load_private_sources().values()}


def describe_private_source(source_id: str) -> str:
    """One credit line for a registered source (no path, no rows)."""
    s = get_source(source_id)
    return (f"{s.compiler}: {s.title} ({s.kind_label}, {s.first_year}-{s.last_year}; analyst's registered source, "
            f"{s.sensitivity}) [{s.id}, sha256 {s.sha256[:12]}]")


def sources_report_table(ids: list[str] | None = None) -> pd.DataFrame:
    """Registered sources as a report may show them: metadata and status, no path, no rows of data.

    Parameters
    ----------
    ids:
        Only these registered ids (default all).
    """
    sources = load_private_sources()
    chosen = list(sources) if ids is None else [get_source(i).id for i in ids]
    status = check_sources().set_index("id")["status"] if sources else pd.Series(dtype="string")
    rows = [{"id": s.id, "kind": s.kind_label, "status": status.get(s.id, "missing"), "title": s.title,
             "compiler": s.compiler, "definition": s.definition, "years": f"{s.first_year}-{s.last_year}",
             "records": s.rows, "licence": s.licence, "sensitivity": s.sensitivity, "sha256": s.sha256[:16],
             "registered": s.registered} for s in (sources[i] for i in chosen)]
    out = pd.DataFrame(rows, columns=["id", "kind", "status", "title", "compiler", "definition", "years", "records",
                                      "licence", "sensitivity", "sha256", "registered"])
    out.attrs["sources"] = list(chosen)
    return out
