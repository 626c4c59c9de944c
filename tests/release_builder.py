"""Build small UCDP releases for tests: global GED files and archives in the real shapes, a catalog naming them,
and a local HTTP server (127.0.0.1) that serves them. Test-only data, never presented as real."""

from __future__ import annotations

import contextlib
import hashlib
import http.server
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import yaml

from ged_builder import ged_row, write_ged
from workbench import catalog

ROOT = Path(__file__).resolve().parents[1]

#: Made-up places: (adm_1, adm_2, latitude, longitude) inside Pakistan, and one outside it.
PESHAWAR = ("Khyber Pakhtunkwa province", "Peshawar district", "34.000000", "71.500000")
LAHORE = ("Punjab province", "Lahore district", "31.550000", "74.340000")
QUETTA = ("Balochistan province", "Quetta district", "30.180000", "67.000000")


def event(i: int, year: int, place: tuple[str, str, str, str] = PESHAWAR, *, best: int = 6, kind: int = 1,
          active: str = "true", month: int = 5, **over: object) -> dict[str, str]:
    """A made-up Pakistan event with ``best`` deaths (all civilians) of violence type ``kind``."""
    adm1, adm2, lat, lon = place
    day = f"{year}-{month:02d}-01 00:00:00.000"
    return ged_row(id=i, year=year, adm_1=adm1, adm_2=adm2, latitude=lat, longitude=lon, type_of_violence=kind,
                   active_year=active, date_start=day, date_end=day, deaths_a=0, deaths_b=0, deaths_civilians=best,
                   deaths_unknown=0, best=best, low=best, high=best, **over)


def foreign(i: int, year: int, *, active: str = "true") -> dict[str, str]:
    """A made-up event in India (country_id 750): a global release holds such rows."""
    return ged_row(id=i, year=year, country="India", country_id=750, latitude="28.600000", longitude="77.200000",
                   adm_1="Delhi", adm_2="New Delhi district", active_year=active,
                   date_start=f"{year}-03-01 00:00:00.000", date_end=f"{year}-03-01 00:00:00.000")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_archive(path: Path, member: str, rows: list[dict[str, str]], *, with_iso3: bool = False) -> Path:
    """A zip archive holding one GED CSV (the publisher's layout: 49 columns, no iso3)."""
    csv_path = path.with_suffix(".csv.tmp")
    write_ged(csv_path, rows, with_iso3=with_iso3)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(csv_path, arcname=member)
    csv_path.unlink()
    return path


def member_sha(path: Path, member: str) -> str:
    with zipfile.ZipFile(path) as zf:
        return hashlib.sha256(zf.read(member)).hexdigest()


def release_entry(dataset_id: str, file: str, data: Path | None, *, family: str, version: str,
                  years: tuple[int, int] | None = None, period: tuple[str, str] | None = None,
                  scope: str = "global", member: str | None = None, member_sha256: str | None = None,
                  url: str = "", pinned: bool = True) -> dict:
    """A catalog entry for a test-built release (optional, downloadable from ``url`` when given)."""
    digest = sha(data) if (data is not None and pinned) else None
    release: dict = {"family": family, "version": version, "scope": scope}
    if years:
        release["years"] = list(years)
    if period:
        release["period"] = list(period)
    if member:
        release["member"] = member
        release["member_sha256"] = member_sha256
    return {
        "id": dataset_id, "title": f"Test release {version} (made up by the test)", "file": file, "required": False,
        "publisher": "tests", "citation": "none", "licence": "none", "licence_status": "unconfirmed",
        "version": version, "vintage": "test", "publisher_url": "", "form": "as_published",
        "how_to_obtain": "Ask the test suite for it.", "provenance": "none",
        "reader": "workbench.sources.ucdp:read_ged",
        "sha256": digest, "bytes": data.stat().st_size if data is not None else None,
        "fallback": {"kind": "download", "url": url, "original_sha256": digest, "transform": "none"},
        "release": release,
    }


def write_catalog(tmp_path: Path, entries: list[dict], *, keep: tuple[str, ...] | None = None) -> Path:
    """The project's catalog (its shipped data sets: boundaries, GED 22.1, ...) plus test-built release entries.

    ``keep``: the project's release entries to keep (default: the shipped ones only, so that the test decides
    which releases exist)."""
    doc = yaml.safe_load((ROOT / "data" / "catalog.yaml").read_text(encoding="utf-8"))
    keep = keep if keep is not None else ("ucdp_ged_pak", "ucdp_candidate_26_0_2")
    doc["datasets"] = [e for e in doc["datasets"] if "release" not in e or e["id"] in keep] + entries
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a random port); yields the base URL."""
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def use_catalog(monkeypatch, path: Path) -> None:
    """Make the workbench read ``path`` as its catalog, with fresh release caches."""
    from workbench.sources import releases, resolver

    monkeypatch.setattr(catalog, "CATALOG_PATH", path)
    releases._events.cache_clear()
    resolver._built.cache_clear()
