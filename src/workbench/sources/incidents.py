"""The analyst's own violence data: an incident log and a published annual series (read and check).

Two documented formats (``docs/incidents.md``; header-only templates in ``data/templates/``):

* an **incident log** (:data:`INCIDENT_LOG_COLUMNS`): one row per incident, with its date (or start
  and end), province and district as the analyst writes them, optional coordinates with their
  precision, category, optional perpetrator, killed (optionally split into civilians, security
  forces and militants), injured, source and notes;
* a **published annual series** (:data:`ANNUAL_SERIES_COLUMNS`): one row per source x year x
  geography x measure, with the value, its unit, the source's own definition, citation and page.

The readers refuse a bad file with one :class:`~workbench.errors.DataValidationError` (or
:class:`~workbench.errors.UnknownUnitError` for a place name) that names the file, the data row
(1-based, the header not counted) and the column, and lists every problem of the same stage in
``failure_cases``. Nothing is dropped, guessed or corrected, and nothing is written.

Place names go through the unit registry (:mod:`workbench.geo.units`): provinces through the
analysts' spellings (alias source ``any``: "NWFP", "KPK", "KP" and "Khyber Pakhtunkhwa" are all
``PK-KP``), districts through the 2023 census and OSM 2023 spellings, then the 2017 census ones
(old districts such as undivided Kohistan, the FATA agencies and Frontier Regions); a name that is
only a division or a multi-district city ("Karachi") is accepted as that division.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pandas as pd
import pandera.pandas as pa

from workbench.errors import DataValidationError, ParameterError
from workbench.geo.units import Registry, UnknownUnitsError, load_registry, normalize_name
from workbench.schemas import PAKISTAN_BBOX, validate
from workbench.sources.analyst_csv import read_analyst_csv

SourceKind = Literal["incident_log", "annual_series"]
KINDS: tuple[str, ...] = ("incident_log", "annual_series")

#: Incident categories (a cell is matched case-insensitively, spaces and hyphens read as ``_``).
CATEGORIES: tuple[str, ...] = (
    "terrorist_attack", "sectarian", "ethno_political", "security_operation", "cross_border", "other",
)
#: What a coordinate pair stands for: the exact spot, a town or city's point, a district's point, a
#: province's point. Only ``exact`` and ``district`` place an incident in a district; ``town``
#: places it in a district except in a multi-district city (Karachi: the city's division).
COORD_PRECISIONS: tuple[str, ...] = ("exact", "town", "district", "province")
#: Measures of a published annual series (and of the comparison).
SERIES_MEASURES: tuple[str, ...] = (
    "incidents", "killed", "injured", "killed_civilians", "killed_security", "killed_militants",
)
SERIES_LAYOUTS: tuple[str, ...] = ("pre2018", "current")
KILLED_PARTS: tuple[str, ...] = ("killed_civilians", "killed_security", "killed_militants")
#: A point may lie this far outside Pakistan's province polygons (coast, border) and still count as inside.
BORDER_TOLERANCE_M = 5_000.0
#: The earliest year an analyst's source may cover (Pakistan's independence).
EARLIEST_YEAR = 1947
#: District names are looked up in these alias sources, in order (then the analysts' ``any``).
DISTRICT_ALIAS_SOURCES: tuple[str, ...] = ("census2023", "osm_districts", "census2017")


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a documented format."""

    name: str
    required: bool
    meaning: str


INCIDENT_LOG_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("incident_id", True, "the analyst's id of the incident, unique in the file"),
    ColumnSpec("date", False, "date of the incident, YYYY-MM-DD (or leave empty and give date_start/date_end)"),
    ColumnSpec("date_start", False, "first day, YYYY-MM-DD, when the date is a range (e.g. only the month is known)"),
    ColumnSpec("date_end", False, "last day, YYYY-MM-DD (empty: the same as date_start)"),
    ColumnSpec("province", True, "province or territory as written (NWFP, KPK, KP, FATA, Sindh, ICT, AJK, GB, ...)"),
    ColumnSpec("district", False,
               "district as written (2023 or 2017 census names, FATA agencies, FRs); empty if unknown"),
    ColumnSpec("latitude", False, "decimal degrees north (WGS 84); give both coordinates or neither"),
    ColumnSpec("longitude", False, "decimal degrees east (WGS 84)"),
    ColumnSpec("coord_precision", False, "what the coordinates stand for: " + ", ".join(COORD_PRECISIONS)),
    ColumnSpec("category", True, "one of: " + ", ".join(CATEGORIES)),
    ColumnSpec("perpetrator", False, "group held responsible, as the source says"),
    ColumnSpec("killed", True, "persons killed, all parties (whole number >= 0)"),
    ColumnSpec("killed_civilians", False, "of whom civilians (empty: not split)"),
    ColumnSpec("killed_security", False, "of whom security forces (police, FC, army, levies)"),
    ColumnSpec("killed_militants", False, "of whom militants or attackers"),
    ColumnSpec("injured", True, "persons injured (whole number >= 0)"),
    ColumnSpec("source", True, "where the incident is documented (report, press item, FIR)"),
    ColumnSpec("notes", False, "free text"),
    ColumnSpec("distinct_from", False, "incident_id(s), separated by ';', of rows that are the same in every other "
                                       "cell but are separate incidents (see 'Exact duplicates')"),
)

ANNUAL_SERIES_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec("source", True, "the publication series, e.g. the publisher's annual security report"),
    ColumnSpec("year", True, "calendar year the figure refers to"),
    ColumnSpec("geography", True, "province or territory as written, or Pakistan for the national figure"),
    ColumnSpec("layout", True, "pre2018 (the source gives FATA separately; KP without FATA) or current (KP with FATA)"),
    ColumnSpec("measure", True, "one of: " + ", ".join(SERIES_MEASURES)),
    ColumnSpec("value", True, "the published figure (number >= 0, no thousands separators)"),
    ColumnSpec("unit", True, "what is counted, e.g. attacks, persons"),
    ColumnSpec("definition", True, "the source's own definition of what it counts, quoted or closely paraphrased"),
    ColumnSpec("citation", True, "publisher, title, edition/year of the publication"),
    ColumnSpec("page", True, "page or table of the figure"),
    ColumnSpec("notes", False, "free text"),
)

FORMATS: dict[str, tuple[ColumnSpec, ...]] = {"incident_log": INCIDENT_LOG_COLUMNS,
                                             "annual_series": ANNUAL_SERIES_COLUMNS}

#: Columns of the frame :func:`read_incident_log` returns.
LOG_FRAME_COLUMNS = [
    "record", "incident_id", "date_start", "date_end", "year", "province_src", "province_id", "district_src",
    "district_id", "district_level", "latitude", "longitude", "coord_precision", "category", "perpetrator",
    "killed", *KILLED_PARTS, "injured", "source", "notes",
]
#: Columns of the frame :func:`read_annual_series` returns.
SERIES_FRAME_COLUMNS = [
    "record", "source", "year", "geography_src", "unit_id", "unit_level", "layout", "measure", "value", "unit",
    "definition", "citation", "page", "notes",
]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WHOLE = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def template_header(kind: SourceKind) -> list[str]:
    """The column names of a format, in template order."""
    _check_kind(kind)
    return [c.name for c in FORMATS[kind]]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {', '.join(KINDS)}; got {kind!r}")


# --------------------------------------------------------------------------- problems

class _Problems:
    """Problems found in a file, each with its data row, id, column, value and what is wrong."""

    def __init__(self, file: str, id_column: str | None = None, ids: pd.Series | None = None) -> None:
        self.file, self.id_column, self.ids = file, id_column, ids
        self.rows: list[dict[str, object]] = []

    def add(self, mask: pd.Series, column: str, problem: str, values: pd.Series | None = None) -> None:
        """Record ``problem`` for every row where ``mask`` holds (index = data row number)."""
        hit = mask[mask.fillna(False).astype(bool)].index
        vals = values if values is not None else None
        for row in hit:
            self.rows.append({
                "row": int(row),
                "id": (self.ids.loc[row] if self.ids is not None and row in self.ids.index else None),
                "column": column,
                "value": (vals.loc[row] if vals is not None else None),
                "problem": problem,
            })

    def raise_if_any(self) -> None:
        if not self.rows:
            return
        cases = pd.DataFrame(self.rows, columns=["row", "id", "column", "value", "problem"])
        cases = cases.sort_values(["row", "column"], kind="stable").reset_index(drop=True)
        if self.id_column is None:
            cases = cases.drop(columns="id")
        first = cases.iloc[0]
        row = f"{int(first['row'])}"
        if self.id_column is not None and first["id"] not in (None, "") and pd.notna(first["id"]):
            row += f" ({self.id_column} {first['id']!r})"
        found = "" if first["value"] is None or (not isinstance(first["value"], str) and pd.isna(first["value"])) \
            else f" (found {first['value']!r})"
        raise DataValidationError(self.file, f"{first['problem']}{found}", row=row, column=str(first["column"]),
                                  failure_cases=cases)


# --------------------------------------------------------------------------- reading text

def read_text_table(path: str | Path, kind: SourceKind) -> pd.DataFrame:
    """Read a CSV of a documented format as text: stripped cells, index = data row number (1-based).

    Encoding and delimiter are detected (:func:`~workbench.sources.analyst_csv.read_analyst_csv`;
    notes in ``attrs["read_notes"]``). Refuses a file that cannot be read as CSV, lacks a required
    column or has a column the format does not know (a misspelt header would otherwise be ignored).
    Rows whose every cell is empty are left out (their numbers are skipped).
    """
    _check_kind(kind)
    file = str(path)
    spec = FORMATS[kind]
    known = [c.name for c in spec]
    raw = read_analyst_csv(path, known)
    unknown = [c for c in raw.columns if c not in known]
    if unknown:
        raise DataValidationError(file, f"unknown column(s) {unknown} for an {kind.replace('_', ' ')}; the format's "
                                        f"columns are {known} (see docs/incidents.md)", column=unknown[0])
    missing = [c.name for c in spec if c.required and c.name not in raw.columns]
    if missing:
        raise DataValidationError(file, f"missing required column(s) {missing}; the format's columns are {known}",
                                  column=missing[0])
    out = raw.reindex(columns=known, fill_value="").astype("string")
    out.attrs = dict(raw.attrs)
    return out


def _parse_dates(text: pd.Series, column: str, problems: _Problems) -> pd.Series:
    filled = text.ne("")
    shaped = text.str.fullmatch(_DATE.pattern).fillna(False)
    parsed = pd.to_datetime(text.where(filled & shaped), format="%Y-%m-%d", errors="coerce")
    bad = filled & parsed.isna()
    problems.add(bad, column, "unparseable date: expected YYYY-MM-DD (e.g. 2014-06-08)", text)
    return parsed


def _parse_counts(text: pd.Series, column: str, problems: _Problems, *, required: bool) -> pd.Series:
    filled = text.ne("")
    if required:
        problems.add(~filled, column, f"'{column}' is empty (a whole number >= 0 is required; 0 if none)", text)
    whole = text.str.fullmatch(_WHOLE.pattern).fillna(False)
    problems.add(filled & ~whole, column, f"'{column}' is not a whole number", text)
    values = pd.to_numeric(text.where(filled & whole), errors="coerce").astype("Int64")
    problems.add(values.lt(0).fillna(False), column, f"'{column}' is negative (counts are >= 0)", text)
    return values


def _parse_floats(text: pd.Series, column: str, problems: _Problems, problem: str) -> pd.Series:
    filled = text.ne("")
    shaped = text.str.fullmatch(_NUMBER.pattern).fillna(False)
    problems.add(filled & ~shaped, column, problem, text)
    return pd.to_numeric(text.where(filled & shaped), errors="coerce").astype("float64")


def _snake(text: pd.Series) -> pd.Series:
    return text.str.lower().str.replace(r"[^a-z0-9]+", "_", regex=True).str.strip("_")


# --------------------------------------------------------------------------- place names

def _suggest(reg: Registry, name: str, sources: tuple[str, ...], levels: tuple[str, ...]) -> list[str]:
    a = reg.aliases
    pool = a[a["source"].isin([*sources, "any"]) & a["level"].isin(levels)]
    spelled = dict(zip(pool["name"].map(normalize_name), pool["name"], strict=True))
    close = difflib.get_close_matches(normalize_name(name), list(spelled), n=3, cutoff=0.75)
    return [spelled[k] for k in close]


def resolve_district_names(names: pd.Series, *, registry: Registry | None = None, file: str | None = None,
                           column: str = "district") -> tuple[pd.Series, pd.Series]:
    """Registry ids (and their level, ``district`` or ``division``) of an analyst's district names.

    Looked up as districts in the 2023 census, OSM 2023 and 2017 census spellings (then the analysts'
    ``any`` aliases), else as divisions (multi-district cities such as Karachi). Empty names stay
    <NA>. Any other name raises :class:`~workbench.errors.UnknownUnitError` naming the file, the
    first row and every unknown name.
    """
    reg = registry or load_registry()
    text = names.astype("string").fillna("")
    found: dict[str, tuple[str, str] | None] = {}
    for name in pd.unique(text[text.ne("")]):
        hit = None
        for level in ("district", "division"):
            for src in DISTRICT_ALIAS_SOURCES:
                uid = reg.lookup(name, src, level)
                if uid is not None:
                    hit = (uid, level)
                    break
            if hit:
                break
        found[name] = hit
    unknown = [n for n, v in found.items() if v is None]
    if unknown:
        rows = [text[text == n].index[0] for n in unknown]
        order = sorted(range(len(unknown)), key=lambda i: rows[i])
        unknown, rows = [unknown[i] for i in order], [rows[i] for i in order]
        raise UnknownUnitsError("incident log districts (2023 census, OSM 2023, 2017 census spellings)", unknown,
                                rows=rows, column=column, level="district",
                                suggestions=_suggest(reg, unknown[0], DISTRICT_ALIAS_SOURCES, ("district", "division")),
                                file=file)
    ids = text.map(lambda n: found[n][0] if n else pd.NA).astype("string")
    levels = text.map(lambda n: found[n][1] if n else pd.NA).astype("string")
    return ids, levels


def _resolve_provinces(names: pd.Series, reg: Registry, file: str, column: str) -> pd.Series:
    return reg.resolve_series(names, source="any", level="province", column=column, file=file)


# --------------------------------------------------------------------------- schemas

INCIDENT_LOG_SCHEMA = pa.DataFrameSchema(
    {
        "incident_id": pa.Column("string", unique=True, nullable=False),
        "year": pa.Column("int64", pa.Check.in_range(EARLIEST_YEAR, 2100), nullable=False),
        "date_start": pa.Column("datetime64[ns]", nullable=False),
        "date_end": pa.Column("datetime64[ns]", nullable=False),
        "province_id": pa.Column("string", nullable=False),
        "category": pa.Column("string", pa.Check.isin(list(CATEGORIES)), nullable=False),
        "latitude": pa.Column("float64", pa.Check.in_range(PAKISTAN_BBOX["lat_min"], PAKISTAN_BBOX["lat_max"]),
                              nullable=True),
        "longitude": pa.Column("float64", pa.Check.in_range(PAKISTAN_BBOX["lon_min"], PAKISTAN_BBOX["lon_max"]),
                               nullable=True),
        "killed": pa.Column("Int64", pa.Check.ge(0), nullable=False),
        **{c: pa.Column("Int64", pa.Check.ge(0), nullable=True) for c in KILLED_PARTS},
        "injured": pa.Column("Int64", pa.Check.ge(0), nullable=False),
    },
    strict=False,
    coerce=False,
)

ANNUAL_SERIES_SCHEMA = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", pa.Check.in_range(EARLIEST_YEAR, 2100), nullable=False),
        "unit_id": pa.Column("string", nullable=False),
        "layout": pa.Column("string", pa.Check.isin(list(SERIES_LAYOUTS)), nullable=False),
        "measure": pa.Column("string", pa.Check.isin(list(SERIES_MEASURES)), nullable=False),
        "value": pa.Column("float64", pa.Check.ge(0), nullable=False),
    },
    strict=False,
    coerce=False,
)


# --------------------------------------------------------------------------- the incident log

def read_incident_log(path: str | Path, *, source_id: str | None = None, registry: Registry | None = None,
                      check_points: bool = True, today: dt.date | None = None) -> pd.DataFrame:
    """Read and check an analyst's incident log.

    Parameters
    ----------
    path:
        A CSV in the incident-log format (``docs/incidents.md``).
    source_id:
        The registered id credited in ``attrs["sources"]`` (:mod:`workbench.sources.private`).
    check_points:
        Check that coordinates lie in Pakistan's province polygons (OSM 2023, within 5 km); False
        keeps only the bounding-box check (tests without the data mirror).
    today:
        Dates after it are refused (default: today's date).

    Returns
    -------
    DataFrame
        :data:`LOG_FRAME_COLUMNS`, one row per incident in file order; ``record`` is the data row.

    Raises
    ------
    DataValidationError
        Unparseable or future date, negative or non-numeric count, duplicated incident id, an exact
        duplicate incident not marked ``distinct_from``, coordinates outside Pakistan, killed parts
        exceeding the total, a district outside its province, a file not readable as CSV, ...
    UnknownUnitError
        A province or district the registry does not know.
    """
    reg = registry or load_registry()
    file = str(path)
    last_day = pd.Timestamp(_today(today))
    t = read_text_table(path, "incident_log")
    ids = t["incident_id"]
    pr = _Problems(file, "incident_id", ids)

    # ids
    pr.add(ids.eq(""), "incident_id", "'incident_id' is empty")
    first_row = pd.Series(ids.index, index=ids.index).groupby(ids.to_numpy()).transform("min")
    dup = ids.ne("") & ids.duplicated(keep="first")
    for row in dup[dup].index:
        pr.rows.append({"row": int(row), "id": ids.loc[row], "column": "incident_id", "value": ids.loc[row],
                        "problem": f"duplicated incident_id (first at row {int(first_row.loc[row])})"})

    # dates
    date = _parse_dates(t["date"], "date", pr)
    start = _parse_dates(t["date_start"], "date_start", pr)
    end = _parse_dates(t["date_end"], "date_end", pr)
    both = t["date"].ne("") & (t["date_start"].ne("") | t["date_end"].ne(""))
    pr.add(both, "date", "give either date or date_start/date_end, not both", t["date"])
    none = t["date"].eq("") & t["date_start"].eq("")
    pr.add(none, "date", "no date: fill date (YYYY-MM-DD), or date_start (and date_end) for a range")
    end_only = t["date"].eq("") & t["date_start"].eq("") & t["date_end"].ne("")
    pr.add(end_only, "date_start", "date_end without date_start")
    date_start = date.where(t["date"].ne(""), start)
    date_end = date.where(t["date"].ne(""), end.where(t["date_end"].ne(""), start))
    pr.add((date_end < date_start).fillna(False), "date_end", "date_end is before date_start", t["date_end"])
    for column, parsed in (("date", date), ("date_start", start), ("date_end", end)):
        pr.add((parsed > last_day).fillna(False), column, f"date later than today ({last_day.date().isoformat()}): "
               "an incident cannot lie in the future (a range ends today at the latest)", t[column])
        pr.add((parsed.dt.year < EARLIEST_YEAR).fillna(False), column,
               f"date before {EARLIEST_YEAR} (the earliest year a source may cover)", t[column])

    # places (text checks; resolution below)
    pr.add(t["province"].eq(""), "province", "'province' is empty (the province or territory is required)")

    # coordinates
    lat = _parse_floats(t["latitude"], "latitude", pr, "'latitude' is not a number (decimal degrees)")
    lon = _parse_floats(t["longitude"], "longitude", pr, "'longitude' is not a number (decimal degrees)")
    has_lat, has_lon = t["latitude"].ne(""), t["longitude"].ne("")
    pr.add(has_lat & ~has_lon, "longitude", "latitude without longitude: give both coordinates or neither")
    pr.add(has_lon & ~has_lat, "latitude", "longitude without latitude: give both coordinates or neither")
    prec = t["coord_precision"].str.lower()
    has_xy = has_lat & has_lon
    pr.add(has_xy & prec.eq(""), "coord_precision",
           f"coordinates without coord_precision (one of {', '.join(COORD_PRECISIONS)})")
    pr.add(prec.ne("") & ~prec.isin(COORD_PRECISIONS), "coord_precision",
           f"'coord_precision' is not one of {', '.join(COORD_PRECISIONS)}", t["coord_precision"])
    pr.add(~has_xy & prec.ne(""), "coord_precision", "coord_precision without coordinates")
    outside_box = (lat.notna() & lon.notna()) & ~(lat.between(PAKISTAN_BBOX["lat_min"], PAKISTAN_BBOX["lat_max"])
                                                   & lon.between(PAKISTAN_BBOX["lon_min"], PAKISTAN_BBOX["lon_max"]))
    pr.add(outside_box, "latitude", "coordinates outside Pakistan (its bounding box "
                                    f"{PAKISTAN_BBOX['lat_min']}-{PAKISTAN_BBOX['lat_max']} N, "
                                    f"{PAKISTAN_BBOX['lon_min']}-{PAKISTAN_BBOX['lon_max']} E; "
                                    "latitude and longitude swapped?)",
           t["latitude"] + ", " + t["longitude"])

    # category
    cat = _snake(t["category"])
    pr.add(t["category"].eq(""), "category", f"'category' is empty (one of {', '.join(CATEGORIES)})")
    pr.add(t["category"].ne("") & ~cat.isin(CATEGORIES), "category",
           f"'category' is not one of {', '.join(CATEGORIES)}", t["category"])

    # counts
    killed = _parse_counts(t["killed"], "killed", pr, required=True)
    parts = {c: _parse_counts(t[c], c, pr, required=False) for c in KILLED_PARTS}
    injured = _parse_counts(t["injured"], "injured", pr, required=True)
    part_sum = sum(p.fillna(0) for p in parts.values())
    over = (part_sum > killed).fillna(False)
    shown = ("killed " + t["killed"] + "; civilians " + t["killed_civilians"].where(t["killed_civilians"].ne(""), "-")
             + ", security " + t["killed_security"].where(t["killed_security"].ne(""), "-")
             + ", militants " + t["killed_militants"].where(t["killed_militants"].ne(""), "-"))
    pr.add(over, "killed", "killed_civilians + killed_security + killed_militants exceed killed", shown)

    pr.add(t["source"].eq(""), "source", "'source' is empty (say where the incident is documented)")
    marks = _distinct_marks(t, pr)
    pr.raise_if_any()

    # places: registry
    province_id = _resolve_provinces(t["province"], reg, file, "province")
    district_id, district_level = resolve_district_names(t["district"], registry=reg, file=file)
    _check_district_in_province(reg, t, province_id, district_id, pr)
    if check_points and has_xy.any():
        _check_points_in_pakistan(reg, t, lat, lon, has_xy, pr)
    same = pd.DataFrame({
        "date_start": date_start, "date_end": date_end, "province": province_id, "district": district_id,
        "latitude": lat, "longitude": lon, "coord_precision": prec, "category": cat, "killed": killed, **parts,
        "injured": injured, **{c: _same_text(t[c]) for c in ("perpetrator", "source", "notes")},
    }, index=t.index)
    _check_exact_duplicates(same, ids, marks, pr)
    pr.raise_if_any()

    out = pd.DataFrame({
        "record": t.index.to_numpy(dtype="int64"),
        "incident_id": ids.to_numpy(),
        "date_start": date_start.astype("datetime64[ns]").to_numpy(),
        "date_end": date_end.astype("datetime64[ns]").to_numpy(),
        "year": date_start.dt.year.astype("int64").to_numpy(),
        "province_src": t["province"].to_numpy(),
        "province_id": province_id.to_numpy(),
        "district_src": t["district"].to_numpy(),
        "district_id": district_id.to_numpy(),
        "district_level": district_level.to_numpy(),
        "latitude": lat.to_numpy(),
        "longitude": lon.to_numpy(),
        "coord_precision": prec.where(prec.ne(""), pd.NA).to_numpy(),
        "category": cat.to_numpy(),
        "perpetrator": t["perpetrator"].to_numpy(),
        "killed": killed.to_numpy(),
        **{c: parts[c].to_numpy() for c in KILLED_PARTS},
        "injured": injured.to_numpy(),
        "source": t["source"].to_numpy(),
        "notes": t["notes"].to_numpy(),
    })
    for c in ("incident_id", "province_src", "province_id", "district_src", "district_id", "district_level",
              "coord_precision", "category", "perpetrator", "source", "notes"):
        out[c] = out[c].astype("string")
    for c in ("killed", *KILLED_PARTS, "injured"):
        out[c] = out[c].astype("Int64")
    out = validate(out[LOG_FRAME_COLUMNS], INCIDENT_LOG_SCHEMA, file=file, id_column="incident_id",
                   row_numbers=out["record"])
    out.attrs["sources"] = [source_id] if source_id else []
    out.attrs["file"] = file
    out.attrs["kind"] = "incident_log"
    out.attrs["read_notes"] = t.attrs["read_notes"]
    return out


def _today(today: dt.date | None) -> dt.date:
    if today is not None and not isinstance(today, dt.date):
        raise ParameterError(f"today must be a datetime.date, found {type(today).__name__}")
    return today or dt.date.today()


def _same_text(text: pd.Series) -> pd.Series:
    """Free text as compared for exact duplicates: case-folded, runs of white space as one space."""
    return text.str.replace(r"\s+", " ", regex=True).str.casefold()


def _distinct_marks(t: pd.DataFrame, pr: _Problems) -> dict[int, set[str]]:
    """Each row's ``distinct_from`` ids; an id not in the file, or the row's own, is a problem."""
    marks = {row: {i.strip() for i in cell.split(";") if i.strip()} for row, cell in t["distinct_from"].items()}
    known = set(t["incident_id"])
    unknown = pd.Series([bool(m - known) for m in marks.values()], index=t.index)
    own = pd.Series([t.at[row, "incident_id"] in m for row, m in marks.items()], index=t.index)
    pr.add(unknown, "distinct_from", "'distinct_from' names an incident_id that is not in this file",
           t["distinct_from"])
    pr.add(own, "distinct_from", "'distinct_from' names the row's own incident_id", t["distinct_from"])
    return marks


def _check_exact_duplicates(same: pd.DataFrame, ids: pd.Series, marks: dict[int, set[str]], pr: _Problems) -> None:
    """Rows equal in every compared cell (``same``) are one incident counted twice, unless marked distinct.

    Two such rows pass when either names the other in ``distinct_from``; otherwise the later row is
    a problem naming the earlier one.
    """
    key = same.astype("string").fillna("")
    repeated = key[key.duplicated(keep=False)]
    for rows in repeated.groupby(list(key.columns), sort=False).groups.values():
        rows = sorted(rows)
        for k, later in enumerate(rows[1:], start=1):
            earlier = next((r for r in rows[:k] if ids[r] not in marks[later] and ids[later] not in marks[r]), None)
            if earlier is None:
                continue
            pr.rows.append({"row": int(later), "id": ids[later], "column": "distinct_from", "value": None,
                            "problem": f"the same incident as row {int(earlier)} (incident_id {ids[earlier]!r}): "
                                       "every cell but incident_id is the same (date, place, category, perpetrator, "
                                       "counts, source, notes), so it would be counted twice. Delete one row, or, if "
                                       f"they are two incidents, put {ids[earlier]!r} in this row's distinct_from"})


def _check_district_in_province(reg: Registry, t: pd.DataFrame, province_id: pd.Series, district_id: pd.Series,
                                pr: _Problems) -> None:
    """A named district must lie in the named province (FATA: a former FATA district)."""
    has = district_id.notna()
    pairs = pd.DataFrame({"p": province_id[has], "d": district_id[has]}).drop_duplicates()
    bad: dict[tuple[str, str], str] = {}
    former = reg.mapping("former_fata")
    for p, d in pairs.itertuples(index=False):
        d_prov = reg.province_of(d, "current")
        if p == "PK-TA":
            if former.get(d, "no") == "no" or d_prov != "PK-KP":
                bad[(p, d)] = (f"district {reg.name(d)} ({d}) was not part of FATA, but the province column says "
                               "FATA")
        elif d_prov != reg.province_of(p, "current"):
            bad[(p, d)] = (f"district {reg.name(d)} ({d}) lies in {reg.name(d_prov)} ({d_prov}), but the province "
                           f"column says {reg.name(p)} ({p})")
    for (p, d), message in bad.items():
        mask = has & province_id.eq(p).fillna(False) & district_id.eq(d).fillna(False)
        pr.add(mask, "district", message, t["district"])


def _check_points_in_pakistan(reg: Registry, t: pd.DataFrame, lat: pd.Series, lon: pd.Series, has_xy: pd.Series,
                              pr: _Problems) -> None:
    from workbench.geo.boundaries import points_in_polygons, read_layer

    provinces = read_layer("osm_provinces", registry=reg)
    pts = pd.DataFrame({"id": t.index[has_xy], "latitude": lat[has_xy].to_numpy(),
                        "longitude": lon[has_xy].to_numpy()})
    hit = points_in_polygons(pts, provinces, tolerance_m=BORDER_TOLERANCE_M)
    outside = hit["unit_id"].isna().to_numpy()
    if outside.any():
        rows = pts["id"].to_numpy()[outside]
        dist = hit["distance_m"].to_numpy()[outside]
        for row, d in zip(rows, dist, strict=True):
            pr.rows.append({"row": int(row), "id": t.loc[row, "incident_id"], "column": "latitude",
                            "value": f"{t.loc[row, 'latitude']}, {t.loc[row, 'longitude']}",
                            "problem": f"coordinates outside Pakistan ({d / 1000:,.0f} km from the nearest province "
                                       f"polygon, OSM 2023; more than {BORDER_TOLERANCE_M / 1000:g} km)"})


# --------------------------------------------------------------------------- the annual series

def read_annual_series(path: str | Path, *, source_id: str | None = None, registry: Registry | None = None,
                       today: dt.date | None = None) -> pd.DataFrame:
    """Read and check a published annual series (one row per source x year x geography x measure).

    Returns :data:`SERIES_FRAME_COLUMNS`; ``unit_id`` is a province code (``PK-TA`` for FATA in
    the pre-2018 layout) or ``PK`` for a national figure (``unit_level`` ``country``). A year after
    ``today``'s (default: today's date) is refused.

    Raises
    ------
    DataValidationError
        A non-numeric or negative value, a bad or future year, layout or measure, FATA in the current layout,
        an empty definition/citation/page, or the same source x year x geography x layout x measure twice.
    UnknownUnitError
        A geography the registry does not know.
    """
    reg = registry or load_registry()
    file = str(path)
    this_year = _today(today).year
    t = read_text_table(path, "annual_series")
    pr = _Problems(file)
    for c in ("source", "geography", "unit", "definition", "citation", "page"):
        pr.add(t[c].eq(""), c, f"'{c}' is empty")
    year_ok = t["year"].str.fullmatch(r"\d{4}").fillna(False)
    pr.add(~year_ok, "year", "'year' is not a four-digit year", t["year"])
    year = pd.to_numeric(t["year"].where(year_ok), errors="coerce")
    pr.add(year_ok & year.lt(EARLIEST_YEAR), "year", f"'year' before {EARLIEST_YEAR} (the earliest year a source "
           "may cover)", t["year"])
    pr.add(year_ok & year.gt(this_year), "year", f"'year' later than this year ({this_year}): a published figure "
           "cannot be for a future year", t["year"])
    layout = t["layout"].str.lower()
    pr.add(~layout.isin(SERIES_LAYOUTS), "layout", f"'layout' is not one of {', '.join(SERIES_LAYOUTS)}",
           t["layout"])
    measure = _snake(t["measure"])
    pr.add(~measure.isin(SERIES_MEASURES), "measure", f"'measure' is not one of {', '.join(SERIES_MEASURES)}",
           t["measure"])
    value = _parse_floats(t["value"], "value", pr, "'value' is not a number (digits only, no thousands separators)")
    pr.add(t["value"].eq(""), "value", "'value' is empty (leave the row out when the source gives no figure)")
    pr.add(value.lt(0).fillna(False), "value", "'value' is negative", t["value"])
    pr.raise_if_any()

    unit_id = pd.Series(pd.NA, index=t.index, dtype="string")
    level = pd.Series(pd.NA, index=t.index, dtype="string")
    unknown: list[str] = []
    rows: list[int] = []
    for name in pd.unique(t["geography"]):
        uid = reg.lookup(name, "any", "province")
        lv = "province"
        if uid is None:
            uid, lv = reg.lookup(name, "any", "country"), "country"
        mask = t["geography"].eq(name)
        if uid is None:
            unknown.append(name)
            rows.append(int(mask[mask].index[0]))
            continue
        unit_id[mask], level[mask] = uid, lv
    if unknown:
        raise UnknownUnitsError("annual series geographies (analysts' spellings)", unknown, rows=rows,
                                column="geography", level="province",
                                suggestions=_suggest(reg, unknown[0], (), ("province", "country")), file=file)
    pr.add(unit_id.eq("PK-TA") & layout.eq("current"), "layout",
           "FATA in the current layout: FATA is part of Khyber Pakhtunkhwa there; use layout pre2018", t["layout"])
    key = pd.DataFrame({"s": t["source"], "y": year, "u": unit_id, "l": layout, "m": measure})
    dup = key.duplicated(keep="first")
    first = key.reset_index().groupby(["s", "y", "u", "l", "m"])["row"].transform("min")
    first.index = key.index
    for row in dup[dup].index:
        pr.rows.append({"row": int(row), "column": "value", "value": t.loc[row, "value"],
                        "problem": f"the same source, year, geography, layout and measure as row {int(first[row])}"})
    pr.raise_if_any()

    out = pd.DataFrame({
        "record": t.index.to_numpy(dtype="int64"),
        "source": t["source"].to_numpy(),
        "year": year.astype("int64").to_numpy(),
        "geography_src": t["geography"].to_numpy(),
        "unit_id": unit_id.to_numpy(),
        "unit_level": level.to_numpy(),
        "layout": layout.to_numpy(),
        "measure": measure.to_numpy(),
        "value": value.to_numpy(),
        "unit": t["unit"].to_numpy(),
        "definition": t["definition"].to_numpy(),
        "citation": t["citation"].to_numpy(),
        "page": t["page"].to_numpy(),
        "notes": t["notes"].to_numpy(),
    })
    for c in ("source", "geography_src", "unit_id", "unit_level", "layout", "measure", "unit", "definition",
              "citation", "page", "notes"):
        out[c] = out[c].astype("string")
    out = validate(out[SERIES_FRAME_COLUMNS], ANNUAL_SERIES_SCHEMA, file=file, row_numbers=out["record"])
    out.attrs["sources"] = [source_id] if source_id else []
    out.attrs["file"] = file
    out.attrs["kind"] = "annual_series"
    out.attrs["read_notes"] = t.attrs["read_notes"]
    return out


def read_source_file(path: str | Path, kind: SourceKind, *, source_id: str | None = None,
                     registry: Registry | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Read a file of either format (``kind``), checked (dates after ``today`` refused)."""
    _check_kind(kind)
    if kind == "incident_log":
        return read_incident_log(path, source_id=source_id, registry=registry, today=today)
    return read_annual_series(path, source_id=source_id, registry=registry, today=today)
