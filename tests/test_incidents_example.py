"""Builders of test-only incident logs and annual series (fictional figures), and checks of the templates.

Every figure here is made up by the test and marked so: ids start with ``TESTLOG-``, sources and
notes carry unique marker strings that a report must never contain (``test_incidents_report.py``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import pytest

from workbench.sources.incidents import ANNUAL_SERIES_COLUMNS, INCIDENT_LOG_COLUMNS, template_header

ROOT = Path(__file__).resolve().parents[1]
LOG_HEADER = [c.name for c in INCIDENT_LOG_COLUMNS]
SERIES_HEADER = [c.name for c in ANNUAL_SERIES_COLUMNS]
#: Strings of the test log that must never appear in a report (raw rows).
SECRET_MARKERS = ("TESTLOG-", "qzx-source-marker", "qzx-note-marker", "qzx-perp-marker")


def _incident(i: int, date: str, province: str, district: str, category: str, killed: int, injured: int, *,
              lat: str = "", lon: str = "", prec: str = "", civ: str = "", sec: str = "", mil: str = "",
              date_start: str = "", date_end: str = "") -> dict[str, str]:
    return {
        "incident_id": f"TESTLOG-{i:04d}", "date": date, "date_start": date_start, "date_end": date_end,
        "province": province, "district": district, "latitude": lat, "longitude": lon, "coord_precision": prec,
        "category": category, "perpetrator": f"qzx-perp-marker {i}", "killed": str(killed),
        "killed_civilians": civ, "killed_security": sec, "killed_militants": mil, "injured": str(injured),
        "source": f"qzx-source-marker fictional test record {i}", "notes": f"qzx-note-marker {i}",
    }


def incident_rows() -> list[dict[str, str]]:
    """A fictional log of 12 incidents, 2016-2019, with the spellings and cases analysts use."""
    return [
        _incident(1, "2016-02-03", "NWFP", "Peshawar", "terrorist attack", 5, 12, civ="3", sec="2", mil="0"),
        _incident(2, "2016-05-20", "KPK", "D.I. Khan", "Sectarian", 2, 1),
        _incident(3, "2016-07-11", "FATA", "North Waziristan Agency", "security_operation", 9, 0, mil="9"),
        _incident(4, "2017-01-15", "Khyber Pakhtunkhwa", "", "terrorist_attack", 1, 3),
        _incident(5, "2017-03-02", "Sindh", "Karachi", "ethno-political", 4, 6, civ="4"),
        _incident(6, "", "Balochistan", "Quetta", "terrorist_attack", 7, 20, date_start="2017-06-01",
                  date_end="2017-06-30", civ="5", sec="2"),
        _incident(7, "2018-04-09", "Baluchistan", "", "cross-border", 0, 2, lat="30.19", lon="66.99", prec="town"),
        _incident(8, "2018-08-30", "Punjab", "", "terrorist_attack", 3, 8, lat="31.52", lon="74.35", prec="exact"),
        _incident(9, "2018-10-12", "KP", "Kurram Agency", "sectarian", 6, 9),
        _incident(10, "2019-01-21", "Sindh", "", "other", 1, 0, lat="24.86", lon="67.01", prec="town"),
        _incident(11, "2019-06-04", "ICT", "Islamabad", "terrorist_attack", 2, 5),
        _incident(12, "2019-11-17", "KP", "", "security_operation", 4, 1, lat="34.0", lon="71.5", prec="province"),
    ]


def write_csv(path: Path, header: list[str], rows: Iterable[dict[str, str]]) -> Path:
    """Write rows (dicts) under ``header``; missing keys are empty cells."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})
    return path


def write_incident_log(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """The fictional log (or ``rows``) as a CSV in the incident-log format."""
    return write_csv(path, LOG_HEADER, incident_rows() if rows is None else rows)


def _series(source: str, year: int, geo: str, layout: str, measure: str, value: str, *,
            definition: str = "fictional test definition: attacks by militant groups, excluding operations",
            unit: str = "attacks") -> dict[str, str]:
    return {"source": source, "year": str(year), "geography": geo, "layout": layout, "measure": measure,
            "value": value, "unit": unit, "definition": definition,
            "citation": "fictional test publication", "page": "p. 0", "notes": ""}


def series_rows() -> list[dict[str, str]]:
    """A fictional published series: two years, pre-2018 layout (FATA separate), incidents and killed."""
    rows = []
    values = {  # (geography, incidents, killed) per year: made up
        2016: [("Punjab", "3", "10"), ("Sindh", "4", "9"), ("NWFP", "5", "14"), ("FATA", "6", "30"),
               ("Balochistan", "7", "21"), ("Pakistan", "25", "84")],
        2017: [("Punjab", "2", "4"), ("Sindh", "3", "5"), ("KPK", "4", "8"), ("FATA", "5", "12"),
               ("Balochistan", "6", "18"), ("Pakistan", "20", "47")],
    }
    for year, items in values.items():
        for geo, inc, kil in items:
            rows.append(_series("Test Monitor annual report", year, geo, "pre2018", "incidents", inc))
            rows.append(_series("Test Monitor annual report", year, geo, "pre2018", "killed", kil, unit="persons",
                                definition="fictional test definition: persons killed in those attacks"))
    return rows


def write_annual_series(path: Path, rows: list[dict[str, str]] | None = None) -> Path:
    """The fictional series (or ``rows``) as a CSV in the annual-series format."""
    return write_csv(path, SERIES_HEADER, series_rows() if rows is None else rows)


# --------------------------------------------------------------------------- tests of the templates


def test_templates_are_header_only_and_match_the_documented_formats():
    for kind, name in (("incident_log", "incident_log_template.csv"), ("annual_series", "annual_series_template.csv")):
        path = ROOT / "data" / "templates" / name
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 1, f"{name} must hold the header only"
        assert next(csv.reader(lines)) == template_header(kind)


def test_every_documented_column_is_in_the_docs():
    text = (ROOT / "docs" / "incidents.md").read_text(encoding="utf-8")
    for name in [*LOG_HEADER, *SERIES_HEADER]:
        assert f"`{name}`" in text, f"column {name} is not documented in docs/incidents.md"


def test_the_template_reads_as_an_empty_table():
    from workbench.sources.incidents import read_annual_series, read_incident_log

    log = read_incident_log(ROOT / "data" / "templates" / "incident_log_template.csv", check_points=False)
    series = read_annual_series(ROOT / "data" / "templates" / "annual_series_template.csv")
    assert len(log) == 0 and len(series) == 0


# --------------------------------------------------------------------------- a registered log and series


@pytest.fixture
def registered(tmp_path, monkeypatch, mirror):
    """The fictional log (``testlog``) and series (``testseries``) registered in a temporary private folder."""
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    folder = tmp_path / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    log = add_source(write_incident_log(folder / "log.csv"), kind="incident_log", source_id="testlog",
                     title="Test log", compiler="Test compiler", definition="fictional incidents for tests")
    series = add_source(write_annual_series(folder / "series.csv"), kind="annual_series", source_id="testseries",
                        title="Test series", compiler="Test Monitor", definition="fictional published figures")
    return {"folder": folder, "log": log, "series": series}
