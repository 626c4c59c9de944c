"""UCDP releases by version: the yearly GED releases and the monthly Candidate releases of the catalog.

A release is a catalog data set with a ``release`` block (``data/catalog.yaml``): GED 22.1 (the
shipped HDX Pakistan extract), GED 25.1 and 26.1 (the publisher's global zip archives, optional,
fetched on demand), and the Candidate releases (the shipped 26.0.2; others optional). Each gives
its Pakistan events by the same code (:func:`release_events`):

* a file declared a Pakistan extract (``scope: pakistan``) is read as it is, and a row of another
  country is an error;
* a global file (``scope: global``) is read in chunks, keeping the rows of ``country_id`` 770 and
  counting the rest; for an archive, the member's sha256 is checked first (pinned in the catalog,
  else recorded at the first extraction). The extract is cached in the cache folder
  (``extracts/<id>/``, Parquet) with its own sha256 and the counts in a JSON file beside it, so the
  global file is read once; a cached extract whose hash no longer matches is rebuilt.

Offline (``WORKBENCH_OFFLINE=1``) a release that is not present fails at once, with how to obtain it
and where to put it (:func:`require`). ``docs/releases.md`` is the analyst's guide.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import pandas as pd

from workbench.catalog import (DatasetEntry, cache_dir, load_catalog, locate, resolve_path, sha256_of,
                               verify, write_atomic)
from workbench.errors import ChecksumError, DataSetMissingError, ParameterError
from workbench.sources.ucdp import read_ged

Family = Literal["ged", "candidate"]
#: The version that names the newest GED release present.
LATEST = "latest"
#: Bump when the extract's content or layout changes: older cached extracts are rebuilt.
EXTRACT_FORMAT = 1


@dataclass(frozen=True)
class Release:
    """One UCDP release: which data set holds it, and what it covers.

    Attributes
    ----------
    id, title:
        The catalog id and title.
    family:
        ``ged`` (a yearly release, final counts) or ``candidate`` (a monthly release, preliminary).
    version:
        UCDP's version: ``22.1``, ``25.1``, ``26.0.2``.
    scope:
        ``pakistan`` (the file holds Pakistan only) or ``global`` (the workbench extracts Pakistan).
    first_year, last_year:
        The years of events it covers.
    period:
        The first and last day a Candidate release covers (None for a yearly release).
    member, member_sha256:
        The CSV inside the archive, and its sha256 where the catalog pins it.
    """

    id: str
    title: str
    family: Family
    version: str
    scope: Literal["pakistan", "global"]
    first_year: int
    last_year: int
    period: tuple[date, date] | None = None
    member: str | None = None
    member_sha256: str | None = None

    @property
    def label(self) -> str:
        """``UCDP GED 25.1`` or ``UCDP Candidate 26.0.2``."""
        return f"UCDP {'GED' if self.family == 'ged' else 'Candidate'} {self.version}"

    @property
    def provisional(self) -> bool:
        """Candidate events are preliminary: UCDP revises them, and may drop them, before a yearly release."""
        return self.family == "candidate"

    def months(self) -> dict[int, set[int]]:
        """The months covered, by year (every month of every year for a yearly release)."""
        if self.period is None:
            return {y: set(range(1, 13)) for y in range(self.first_year, self.last_year + 1)}
        start, end = self.period
        out: dict[int, set[int]] = {}
        for stamp in pd.period_range(start, end, freq="M"):
            out.setdefault(stamp.year, set()).add(stamp.month)
        return out

    @property
    def order(self) -> tuple:
        """Sorts releases oldest first: by the last day covered, then by version."""
        end = self.period[1] if self.period else date(self.last_year, 12, 31)
        return end, tuple(int(n) for n in re.findall(r"\d+", self.version))


def covers(release: Release) -> str:
    """What a release covers, in words: ``1989-2021``, or ``2026-01-01 to 2026-02-28`` for a Candidate release."""
    if release.period is not None:
        return f"{release.period[0]} to {release.period[1]}"
    return f"{release.first_year}-{release.last_year}"


def _release(entry: DatasetEntry) -> Release:
    spec = entry.extra["release"]
    where = f"catalog entry {entry.id!r}, release"
    try:
        family, version, scope = spec["family"], str(spec["version"]), spec["scope"]
        if family not in ("ged", "candidate") or scope not in ("pakistan", "global"):
            raise ValueError("family must be ged or candidate and scope pakistan or global")
        if family == "ged":
            first, last = (int(y) for y in spec["years"])
            period = None
        else:
            period = tuple(date.fromisoformat(str(d)) for d in spec["period"])
            first, last = period[0].year, period[1].year
        if first > last:
            raise ValueError("its first year is after its last")
    except (KeyError, TypeError, ValueError) as exc:
        raise ParameterError(f"{where}: {exc} (see the header of data/catalog.yaml)") from None
    return Release(id=entry.id, title=entry.title, family=family, version=version, scope=scope, first_year=first,
                   last_year=last, period=period, member=spec.get("member"), member_sha256=spec.get("member_sha256"))


def releases(family: Family | None = None) -> list[Release]:
    """Every release of the catalog (of one family), oldest first."""
    found = [_release(e) for e in load_catalog().every if "release" in e.extra]
    return sorted((r for r in found if family is None or r.family == family), key=lambda r: r.order)


def present(release: Release) -> bool:
    """True when the release's file is in the override, ``data/raw/`` or the cache (nothing is read)."""
    return locate(release.id) is not None


def ged_release(version: str) -> Release:
    """The yearly GED release of ``version`` (``22.1``, ``25.1`` ...), or the newest present for ``latest``."""
    ged = releases("ged")
    if version == LATEST:
        here = [r for r in ged if present(r)]
        if not here:
            raise DataSetMissingError("no UCDP GED release is present (GED 22.1 ships in data/raw/: restore it "
                                      "with `git checkout -- data/raw`)")
        return here[-1]
    for r in ged:
        if r.version == version:
            return r
    raise ParameterError(f"ged_release must be one of {', '.join([*(r.version for r in ged), LATEST])} "
                         f"(the UCDP GED releases of data/catalog.yaml); got {version!r}")


def find_release(name: str) -> Release:
    """A release by its version (``22.1``, ``26.0.2``) or catalog id (``ucdp_ged_26_1``); ``latest``: the newest GED
    release present."""
    if name == LATEST:
        return ged_release(LATEST)
    for r in releases():
        if name in (r.version, r.id):
            return r
    known = ", ".join(f"{r.version} ({r.id})" for r in releases())
    raise ParameterError(f"unknown UCDP release {name!r}; the catalog's releases: {known}")


def present_candidates() -> list[Release]:
    """The Candidate releases present, oldest first."""
    return [r for r in releases("candidate") if present(r)]


def require(release: Release) -> Path:
    """The release's verified file: found, else downloaded where allowed, else an error saying how to obtain it.

    Raises
    ------
    DataSetMissingError
        Not present, and not downloadable here (``WORKBENCH_OFFLINE=1``, no network, no address):
        the message says how to obtain the release and where to put it.
    """
    try:
        return resolve_path(release.id)
    except DataSetMissingError as exc:
        raise DataSetMissingError(f"{release.label} is not present: {exc}") from None


# --------------------------------------------------------------------------- events


def release_events(release: Release) -> pd.DataFrame:
    """The release's Pakistan events: typed, validated, with a ``release`` column (its version).

    ``attrs``: ``sources`` (the release's id), ``file``, ``rows_read``, ``rows_outside_pakistan``.
    """
    path = require(release)
    return _events(release.id, str(path), sha256_of(path)).copy()


@lru_cache(maxsize=8)
def _events(release_id: str, path: str, source_sha: str) -> pd.DataFrame:
    release = next(r for r in releases() if r.id == release_id)
    if release.scope == "pakistan":
        events = read_ged(path, source_id=release.id, pakistan_extract=True, label=f"{path} ({release.label})")
    else:
        events = _cached_extract(release, source_sha)
        if events is None:
            events = _extract(release, Path(path), source_sha)
    events["release"] = release.version
    return events


def _extract_paths(release: Release, source_sha: str) -> tuple[Path, Path]:
    folder = cache_dir() / "extracts" / release.id
    stem = f"{source_sha[:16]}-pakistan"
    return folder / f"{stem}.parquet", folder / f"{stem}.json"


def extract_record(release: Release) -> dict | None:
    """What the cached extract of a global release records (rows read, rows outside Pakistan, hashes), or None."""
    where = locate(release.id)
    if where is None or release.scope == "pakistan":
        return None
    _, sidecar = _extract_paths(release, sha256_of(where[1]))
    try:
        return json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _cached_extract(release: Release, source_sha: str) -> pd.DataFrame | None:
    parquet, sidecar = _extract_paths(release, source_sha)
    try:
        record = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("format") != EXTRACT_FORMAT or record.get("source_sha256") != source_sha:
        return None
    if not parquet.is_file() or sha256_of(parquet) != record["extract_sha256"]:
        warnings.warn(f"the cached Pakistan extract of {release.label} ({parquet}) does not match its recorded "
                      "sha256: it is extracted again from the verified release", stacklevel=4)
        return None
    events = pd.read_parquet(parquet).astype(record["dtypes"])
    events.attrs.update({"sources": [release.id], "file": record["file"], "rows_read": record["rows_read"],
                         "rows_outside_pakistan": record["rows_outside_pakistan"]})
    return events


def _extract(release: Release, path: Path, source_sha: str) -> pd.DataFrame:
    member_sha = _check_member(release, path) if release.member else None
    where = f"{path}!{release.member}" if release.member else str(path)
    events = read_ged(path, member=release.member, source_id=release.id, label=f"{where} ({release.label})")
    parquet, sidecar = _extract_paths(release, source_sha)
    record = {
        "format": EXTRACT_FORMAT, "dataset_id": release.id, "release": release.label, "file": events.attrs["file"],
        "source_sha256": source_sha, "member": release.member, "member_sha256": member_sha,
        "member_pinned": release.member_sha256 is not None, "rows_read": events.attrs["rows_read"],
        "rows_pakistan": len(events), "rows_outside_pakistan": events.attrs["rows_outside_pakistan"],
        "dtypes": {c: str(t) for c, t in events.dtypes.items()},
    }
    try:
        parquet.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        events.to_parquet(buffer, index=False)
        data = buffer.getvalue()
        record["extract_sha256"] = hashlib.sha256(data).hexdigest()
        write_atomic(parquet, data)  # a unique temporary file: kernels extracting at once do not collide
        write_atomic(sidecar, (json.dumps(record, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:  # a read-only cache: the extract is simply not kept
        warnings.warn(f"could not cache the Pakistan extract of {release.label} in {parquet.parent} ({exc}); it "
                      "will be extracted again next time", stacklevel=3)
    return events


def _check_member(release: Release, path: Path) -> str:
    """The sha256 of the archive's member, streamed; it must equal the catalog's where the catalog pins it."""
    digest = hashlib.sha256()
    try:
        with zipfile.ZipFile(path) as zf, zf.open(release.member) as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except KeyError:
        raise DataSetMissingError(f"{release.label}: the archive {path} holds no {release.member!r}") from None
    found = digest.hexdigest()
    if release.member_sha256 is not None and found != release.member_sha256:
        raise ChecksumError(release.id, Path(f"{path}!{release.member}"), release.member_sha256, found)
    return found


# --------------------------------------------------------------------------- the table of releases


RELEASE_COLUMNS = ["release", "id", "family", "years", "months_covered", "provisional", "status", "found_in",
                   "rows_read", "rows_outside_pakistan", "pakistan_events", "member_sha256"]


def release_table() -> pd.DataFrame:
    """Every release of the catalog: what it covers, its status (ok / missing / unpinned / altered), where found,
    and for a global release already extracted the rows read, the rows outside Pakistan and the member's hash
    (``pinned``, or ``recorded`` at the first extraction)."""
    status = verify(ids=[r.id for r in releases()]).set_index("id")
    rows = []
    for r in releases():
        record = extract_record(r) if status.at[r.id, "status"] in ("ok", "unpinned") else None
        months = r.months()
        rows.append({
            "release": r.label, "id": r.id, "family": r.family,
            "years": f"{r.first_year}-{r.last_year}" if r.first_year != r.last_year else str(r.first_year),
            "months_covered": "; ".join(f"{y}: {len(m)}" for y, m in months.items() if len(m) < 12) or "all",
            "provisional": r.provisional, "status": status.at[r.id, "status"],
            "found_in": status.at[r.id, "found_in"] or "-",
            "rows_read": record["rows_read"] if record else pd.NA,
            "rows_outside_pakistan": record["rows_outside_pakistan"] if record else pd.NA,
            "pakistan_events": record["rows_pakistan"] if record else pd.NA,
            "member_sha256": ("-" if not r.member else "pinned" if r.member_sha256 else
                              "recorded at first extraction" if record else "not pinned"),
        })
    out = pd.DataFrame(rows, columns=RELEASE_COLUMNS)
    out.attrs["sources"] = [r.id for r in releases() if status.at[r.id, "status"] != "missing"]
    return out


def release_coverage() -> pd.DataFrame:
    """Per release present and year: the months covered, whether provisional, and the Pakistan events and deaths
    (best) it records, from its events (no placement). A year a Candidate release covers in part says so."""
    rows = []
    for r in releases():
        if not present(r):
            continue
        events = release_events(r)
        counted = events.groupby("year").agg(events=("id", "size"), deaths_best=("best", "sum"))
        for year, months in r.months().items():
            n = counted.loc[year] if year in counted.index else None
            rows.append({"release": r.label, "id": r.id, "year": year, "months_covered": len(months),
                         "provisional": r.provisional, "events": int(n["events"]) if n is not None else 0,
                         "deaths_best": int(n["deaths_best"]) if n is not None else 0})
    out = pd.DataFrame(rows, columns=["release", "id", "year", "months_covered", "provisional", "events",
                                      "deaths_best"])
    out.attrs["sources"] = list(dict.fromkeys(out["id"]))
    return out


def candidate_flags() -> pd.DataFrame:
    """UCDP's check flags (``code_status``) of the Pakistan events of each Candidate release present."""
    from workbench.sources.ucdp import code_status_counts

    frames = [code_status_counts(release_events(r)).assign(release=r.label) for r in present_candidates()]
    cols = ["release", "code_status", "events", "deaths_best", "share_of_events"]
    out = pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)
    out.attrs["sources"] = [r.id for r in present_candidates()]
    return out
