"""Build small UCDP GED files for tests (test-only data, never presented as real)."""

from __future__ import annotations

import csv
from pathlib import Path

from workbench.sources.ucdp import GED_COLUMNS


def ged_row(**overrides: object) -> dict[str, str]:
    """A valid GED record (a made-up event in Peshawar), with fields overridden."""
    row = {c: "" for c in GED_COLUMNS}
    row.update({
        "id": "1", "relid": "TEST-1", "year": "2010", "active_year": "1", "code_status": "Clear",
        "type_of_violence": "1", "conflict_dset_id": "1", "conflict_new_id": "1", "conflict_name": "Test conflict",
        "dyad_dset_id": "1", "dyad_new_id": "1", "dyad_name": "A - B", "side_a_dset_id": "1", "side_a_new_id": "1",
        "side_a": "Side A", "side_b_dset_id": "2", "side_b_new_id": "2", "side_b": "Side B",
        "number_of_sources": "1", "source_article": "test", "where_prec": "1", "where_coordinates": "Peshawar",
        "where_description": "test place", "adm_1": "Khyber Pakhtunkwa province", "adm_2": "Peshawar district",
        "latitude": "34.000000", "longitude": "71.500000", "geom_wkt": "POINT (71.5 34)", "priogrid_gid": "1",
        "country": "Pakistan", "country_id": "770", "region": "Asia", "event_clarity": "1", "date_prec": "1",
        "date_start": "2010-05-01 00:00:00.000", "date_end": "2010-05-01 00:00:00.000",
        "deaths_a": "1", "deaths_b": "2", "deaths_civilians": "3", "deaths_unknown": "0",
        "best": "6", "high": "8", "low": "5", "gwnoa": "770", "gwnob": "",
    })
    row.update({k: str(v) for k, v in overrides.items()})
    return row


def write_ged(path: Path, rows: list[dict[str, str]], *, with_iso3: bool = True, drop: tuple[str, ...] = ()) -> Path:
    """Write rows as a GED CSV (the HDX extract layout with iso3, or the global layout without)."""
    cols = [c for c in GED_COLUMNS if c not in drop]
    if with_iso3:
        i = cols.index("country") + 1
        cols = [*cols[:i], "iso3", *cols[i:]]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=cols, lineterminator="\r\n", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({**r, "iso3": "PAK" if r.get("country_id", "770") == "770" else "IND"})
    return path
