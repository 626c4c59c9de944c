"""UCDP Georeferenced Event Dataset (GED) and Candidate files: read, type, validate, flag quirks.

One reader for every shape UCDP's events come in: the HDX Pakistan extract of GED 22.1 (49 GED
columns plus ``iso3``, ``active_year`` written 1/0), the publisher's global GED CSV (49 columns;
from 25.1 on ``active_year`` is written true/false), a CSV inside the publisher's zip archive, and
the Candidate releases as CSV or Excel (xlsx). Each gives the same typed, validated frame of the
Pakistan events (``country_id`` 770).

Reading is bounded in memory: a CSV is parsed in chunks of :data:`CHUNK_ROWS` records by pandas'
C parser with typed columns, and only the Pakistan rows are kept, so a global release (about
250 MB) reads in a few hundred MB at most; a file larger than :data:`MAX_TEXT_BYTES` (or an xlsx
larger than :data:`MAX_XLSX_BYTES`, which openpyxl holds in memory whole) is refused with a clear
message before anything is read. How many rows were of other countries is reported
(``attrs["rows_outside_pakistan"]``); for a file the catalog declares a Pakistan extract such a row
is an error. A file with a header and no records is an error, never "0 events".

When the typed parser meets something it cannot type (a stray field, an unclosed quote, a word in
a count, a record short of a count), the file is read again by the strict reference path (Python's
``csv`` module, record by record, in chunks), which names the record (row), the event id and the
column of the first problem, or, when the value is one it accepts (``6.0`` for an integer), gives
the same frame. (A record short of only its last text fields, ``gwnoa``/``gwnob``, reads as if they
were empty: pandas' parser cannot tell a missing field from an empty one there.)

The schema (:data:`workbench.schemas.GED_SCHEMA`) refuses broken data with an error naming
the file, the event id and the column: unique ``id``; deaths non-negative integers; ``best`` =
``deaths_a + deaths_b + deaths_civilians + deaths_unknown``; valid dates with ``date_start <=
date_end``; coordinates inside Pakistan's bounding box.

The published data's own quirks are *flagged*, not rejected (:func:`quality_flags`): in GED
22.1 for Pakistan, 61 events have ``low > best``, 139 ``best > high``, 137 ``low > high``, and
geocoders' default points recur hundreds of times (337 events share one Karachi point). The
Candidate releases' own check flags (``code_status``) are kept and counted (:func:`code_status_counts`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from workbench.catalog import resolve_path
from workbench.errors import DataValidationError
from workbench.geo.placement import RECURRING_POINT_MIN_EVENTS
from workbench.schemas import GED_SCHEMA, validate

DATASET_ID = "ucdp_ged_pak"
PAKISTAN_COUNTRY_ID = 770

GED_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start",
    "date_end", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
    "gwnoa", "gwnob",
]
INT_COLUMNS = [
    "id", "year", "type_of_violence", "where_prec", "event_clarity", "date_prec", "country_id",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
]
FLOAT_COLUMNS = ["latitude", "longitude"]
DATE_COLUMNS = ["date_start", "date_end"]
STRING_COLUMNS = ["adm_1", "adm_2", "where_description", "side_a", "side_b", "conflict_name", "dyad_name"]
#: Columns every event is checked on (the schema's, and those that decide it is Pakistan's); always read.
CHECKED_COLUMNS = ["id", "year", "active_year", "type_of_violence", "where_prec", "event_clarity", "date_prec",
                   "latitude", "longitude", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
                   "deaths_unknown", "best", "low", "high", "country_id", "country"]
#: ``active_year`` as written by GED 22.1 (1/0) and by GED 25.1 on and the Candidate releases (true/false).
ACTIVE_YEAR_VALUES = {"1": True, "0": False, "true": True, "false": False}

VIOLENCE_TYPES = {1: "state_based", 2: "non_state", 3: "one_sided"}

#: Records parsed at a time (about 50 MB of a global release's text).
CHUNK_ROWS = 50_000
#: The largest CSV the reader takes: four times a global GED release (GED 25.1's CSV is 250,393,383 bytes).
MAX_TEXT_BYTES = 1 << 30
#: The largest xlsx the reader takes (openpyxl holds it in memory whole; a monthly Candidate file is 0.5 MB).
MAX_XLSX_BYTES = 64 << 20

_TYPED = {**{c: "int64" for c in INT_COLUMNS}, **{c: "float64" for c in FLOAT_COLUMNS}}
_TYPED_FAILURES = (ValueError, OverflowError, pd.errors.ParserError, UnicodeDecodeError)

Opener = Callable[[], "IO[bytes]"]


def read_ged(path: str | Path | None = None, *, source_id: str | None = None, member: str | None = None,
             pakistan_extract: bool | None = None, label: str | None = None,
             columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read and validate the UCDP events of Pakistan from any GED or Candidate file.

    Parameters
    ----------
    path:
        A GED CSV (the shipped Pakistan extract, a global release), a zip archive holding one, or a
        Candidate release as CSV or xlsx. Default: the catalog's ``ucdp_ged_pak`` resolved and
        checksum-verified.
    source_id:
        The catalog id credited in ``df.attrs["sources"]``; default ``ucdp_ged_pak`` when ``path``
        is None, else none (the caller names its own source).
    member:
        The CSV inside a zip archive (default: its one CSV member).
    pakistan_extract:
        True when the file is declared to hold Pakistan only: a row of another country is then an
        error. Default: True for ``ucdp_ged_pak``, else False (other countries are counted and left out).
    label:
        How errors name the file (default its path; a release names itself, e.g. ``... (UCDP GED 25.1)``).
    columns:
        Keep only these columns (and those every event is checked on, :data:`CHECKED_COLUMNS`), dropped from
        each chunk as it is read: memory then follows the columns asked for, not the file's news texts.
        Default: every column.

    Returns
    -------
    DataFrame
        One row per Pakistan event, original columns typed (ints, floats, ``date_start``/``date_end``
        as datetimes, ``active_year`` as booleans), plus ``record`` (the data record number in the
        file, 1-based) and ``violence_type`` (``state_based``/``non_state``/``one_sided``). ``attrs``:
        ``sources``, ``file``, ``rows_read`` (records in the file) and ``rows_outside_pakistan``.

    Raises
    ------
    DataValidationError
        A file that is not a GED file, is empty or header-only, too large, malformed, or breaks a
        rule of the schema: the message names the file, the row (record) and the column.
    """
    if path is None:
        path = resolve_path(DATASET_ID)
        source_id = source_id or DATASET_ID
        pakistan_extract = True if pakistan_extract is None else pakistan_extract
    path = Path(path)
    opener, where = _opener(path, member)
    where = label or where
    keep = None if columns is None else [*dict.fromkeys([*CHECKED_COLUMNS, *columns])]
    if path.suffix.lower() == ".xlsx":
        df, rows_read, outside = _collect(_xlsx_chunks(opener, where), where, bool(pakistan_extract), keep)
        df = _type_numbers(df, where)
    else:
        header = _header(opener, where)
        try:
            df, rows_read, outside = _collect(_typed_chunks(opener, header), where, bool(pakistan_extract), keep)
        except _TYPED_FAILURES:
            df, rows_read, outside = _collect(_text_chunks(opener, header, where), where, bool(pakistan_extract),
                                              keep)
            df = _type_numbers(df, where)
    df = validate(_finish(df, where), GED_SCHEMA, file=where, id_column="id", row_numbers=df["record"])
    df["violence_type"] = df["type_of_violence"].map(VIOLENCE_TYPES)
    df = df.reset_index(drop=True)
    df.attrs["sources"] = [source_id] if source_id else []
    df.attrs["file"] = where
    df.attrs["rows_read"] = rows_read
    df.attrs["rows_outside_pakistan"] = outside
    return df


# --------------------------------------------------------------------------- opening files

def _opener(path: Path, member: str | None) -> tuple[Opener, str]:
    """A function that opens the file's bytes afresh (a zip member streamed), and how errors name it."""
    if not path.is_file():
        raise DataValidationError(path, "no such file")
    is_xlsx = path.suffix.lower() == ".xlsx"  # an xlsx workbook is a zip file too
    if not is_xlsx and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            info = _zip_member(zf, path, member)
        _check_size(info.file_size, MAX_TEXT_BYTES, f"{path}!{info.filename}")

        @contextmanager
        def open_member() -> Iterator[IO[bytes]]:
            with zipfile.ZipFile(path) as zf, zf.open(info) as f:
                yield f

        return open_member, f"{path}!{info.filename}"
    limit = MAX_XLSX_BYTES if is_xlsx else MAX_TEXT_BYTES
    _check_size(path.stat().st_size, limit, str(path))
    return lambda: open(path, "rb"), str(path)


def _zip_member(zf: zipfile.ZipFile, path: Path, member: str | None) -> zipfile.ZipInfo:
    names = [i.filename for i in zf.infolist() if not i.is_dir()]
    if member is None:
        csvs = [n for n in names if n.lower().endswith(".csv")]
        if len(csvs) != 1:
            raise DataValidationError(path, f"the archive holds {len(csvs)} CSV files ({', '.join(csvs) or 'none'}); "
                                            "name the one to read (member=)")
        member = csvs[0]
    if member not in names:
        raise DataValidationError(path, f"the archive holds no {member!r}; it holds: {', '.join(names) or 'nothing'}")
    return zf.getinfo(member)


def _check_size(size: int, limit: int, where: str) -> None:
    if size > limit:
        raise DataValidationError(
            where, f"the file is {size / 1e9:.2f} GB, more than the reader's limit of {limit / 1e9:.2f} GB (a global "
                   "UCDP GED release is about 0.25 GB): this is no UCDP release the reader knows. Check the file, or "
                   f"cut it to Pakistan (country_id {PAKISTAN_COUNTRY_ID}) first")


# --------------------------------------------------------------------------- reading records

def _header(opener: Opener, where: str) -> list[str]:
    """The header record, checked: every GED column present, none twice."""
    with opener() as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            header = next(csv.reader(text, strict=True))
        except StopIteration:
            raise DataValidationError(where, "the file is empty") from None
        except UnicodeDecodeError as exc:
            raise DataValidationError(where, f"not UTF-8 text ({exc.reason})", row="header") from None
        except csv.Error as exc:
            raise DataValidationError(where, f"malformed CSV header: {exc}", row="header") from None
    _check_header(header, where)
    return header


def _check_header(header: list[str], where: str) -> None:
    missing = [c for c in GED_COLUMNS if c not in header]
    if missing:
        raise DataValidationError(where, f"missing column(s) {', '.join(missing)}: not a UCDP GED file "
                                         f"(expected the {len(GED_COLUMNS)} GED columns)", row="header",
                                  column=missing[0])
    if len(set(header)) != len(header):
        dup = [c for c in header if header.count(c) > 1][0]
        raise DataValidationError(where, f"column '{dup}' appears twice in the header", row="header", column=dup)


def _typed_chunks(opener: Opener, header: list[str]) -> Iterator[pd.DataFrame]:
    """The fast path: pandas' C parser with typed count and coordinate columns, chunk by chunk."""
    dtype = {c: _TYPED.get(c, object) for c in header}
    first = 1
    with opener() as raw:
        reader = pd.read_csv(raw, dtype=dtype, keep_default_na=False, na_values=[], chunksize=CHUNK_ROWS,
                             encoding="utf-8-sig", engine="c")
        for chunk in reader:
            if list(chunk.columns) != header:
                raise pd.errors.ParserError("the records do not line up with the header")
            chunk["record"] = np.arange(first, first + len(chunk))
            first += len(chunk)
            yield chunk


def _text_chunks(opener: Opener, header: list[str], where: str) -> Iterator[pd.DataFrame]:
    """The reference path: a strict CSV parser, every cell as text, typed chunk by chunk; errors name the record."""
    rows: list[list[str]] = []
    done = 0
    with opener() as raw:
        records = csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""), strict=True)
        try:
            next(records)
            for record in records:
                if len(record) != len(header):
                    if record == [] or record == [""]:
                        continue
                    raise DataValidationError(
                        where, f"malformed CSV: the record has {len(record)} fields, the header {len(header)} "
                               f"(a stray comma or quote?)", row=done + len(rows) + 1, column=None)
                rows.append(record)
                if len(rows) == CHUNK_ROWS:
                    yield _text_frame(rows, header, done + 1, where)
                    done, rows = done + len(rows), []
        except csv.Error as exc:
            raise DataValidationError(where, f"malformed CSV: {exc} (an unclosed quote?)",
                                      row=done + len(rows) + 1) from None
        except UnicodeDecodeError as exc:
            raise DataValidationError(where, f"not UTF-8 text ({exc.reason})", row=done + len(rows) + 1) from None
    if rows:
        yield _text_frame(rows, header, done + 1, where)


def _xlsx_chunks(opener: Opener, where: str) -> Iterator[pd.DataFrame]:
    """An Excel file (a Candidate release): every cell as text, then the reference typing."""
    with opener() as raw:
        try:
            sheet = pd.read_excel(raw, header=None, dtype=object, engine="openpyxl")
        except (ValueError, zipfile.BadZipFile, KeyError) as exc:
            raise DataValidationError(where, f"not a readable xlsx workbook ({exc})") from None
    if sheet.empty:
        raise DataValidationError(where, "the file is empty")
    header = [_cell_text(v) for v in sheet.iloc[0]]
    _check_header(header, where)
    cells = sheet.iloc[1:].map(_cell_text).to_numpy().tolist()
    if cells:
        yield _text_frame(cells, header, 1, where)


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV would hold (empty for a blank cell)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


def _text_frame(rows: list[list[str]], header: list[str], first: int, where: str) -> pd.DataFrame:
    """Records as text, numbered; only ``country_id`` typed (the Pakistan rows are typed once kept)."""
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df["record"] = np.arange(first, first + len(df))
    df["country_id"] = _to_number(df, "country_id", where, integer=True)
    return df


def _collect(chunks: Iterator[pd.DataFrame], where: str, pakistan_extract: bool,
             keep: Sequence[str] | None = None) -> tuple[pd.DataFrame, int, int]:
    """Keep the Pakistan rows (and the ``keep`` columns) of every chunk; count the other rows (an error in a
    declared Pakistan extract)."""
    kept, rows_read, outside = [], 0, 0
    for chunk in chunks:  # only the Pakistan rows are kept (typed and validated later); the others are counted
        rows_read += len(chunk)
        here = chunk["country_id"].to_numpy() == PAKISTAN_COUNTRY_ID
        if pakistan_extract and not here.all():
            first = chunk.loc[~here].iloc[0]
            raise DataValidationError(
                where, f"the catalog declares this file a Pakistan extract, but the record is of country_id "
                       f"{first['country_id']} ({first['country']}); {int((~here).sum())} such record(s) in this part "
                       "of the file", row=f"{first['record']} (id {first['id']})", column="country_id")
        outside += int((~here).sum())
        kept.append(chunk.loc[here] if keep is None else chunk.loc[here, [*keep, "record"]])
    if rows_read == 0:
        raise DataValidationError(where, "the file has a header but no records: no events at all (an empty export?)",
                                  row="header")
    return pd.concat(kept, ignore_index=True).copy(), rows_read, outside


# --------------------------------------------------------------------------- typing

def _type_numbers(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """The reference typing of the count and coordinate columns from text; a bad cell names its record."""
    for col in (c for c in INT_COLUMNS if c in df):
        df[col] = _to_number(df, col, where, integer=True)
    for col in (c for c in FLOAT_COLUMNS if c in df):
        df[col] = _to_number(df, col, where, integer=False)
    return df


def _finish(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """Type what both paths type alike: dates, ``active_year`` and the place and actor names."""
    for col in DATE_COLUMNS:
        parsed = pd.to_datetime(df[col].astype(str).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        bad = parsed.isna()
        if bad.any():
            _raise_cell(df, bad, col, where, "not a valid date (expected YYYY-MM-DD ...)")
        df[col] = parsed.astype("datetime64[ns]")
    active = df["active_year"].astype(str).str.strip().str.lower().map(ACTIVE_YEAR_VALUES)
    bad = active.isna()
    if bad.any():
        _raise_cell(df, bad, "active_year", where, "not 1/0 or true/false")
    df["active_year"] = active.astype(bool)
    for col in (c for c in STRING_COLUMNS if c in df):
        df[col] = df[col].astype("string")
    return df


def _to_number(df: pd.DataFrame, col: str, where: str, *, integer: bool) -> pd.Series:
    text = df[col].astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna()
    if integer:
        bad |= values.notna() & (values != np.floor(values.fillna(0)))
    if bad.any():
        _raise_cell(df, bad, col, where, "not an integer" if integer else "not a number")
    return values.astype("int64") if integer else values.astype("float64")


def _raise_cell(df: pd.DataFrame, bad: pd.Series, col: str, where: str, what: str) -> None:
    first = bad.idxmax()
    cases = pd.DataFrame({
        "row": df.loc[bad, "record"], "id": df.loc[bad, "id"], "column": col, "value": df.loc[bad, col],
        "problem": what,
    })
    raise DataValidationError(where, f"{what} (found {df.at[first, col]!r})",
                              row=f"{df.at[first, 'record']} (id {df.at[first, 'id']})", column=col,
                              failure_cases=cases.reset_index(drop=True))


# --------------------------------------------------------------------------- quirks

def quality_flags(events: pd.DataFrame, *, recurring_min: int = RECURRING_POINT_MIN_EVENTS) -> pd.DataFrame:
    """Flag the published data's quirks, one row per event and flag (nothing is dropped).

    Flags: ``low_gt_best``, ``best_gt_high``, ``low_gt_high`` (the deaths bounds out of order as
    published) and ``recurring_point`` (the event's coordinate is shared by at least
    ``recurring_min`` events: a geocoder's default point for a city or district).

    Returns columns ``id``, ``year``, ``flag``, ``detail``, ``best``, ``where_prec``, ``latitude``,
    ``longitude``.
    """
    checks = {
        "low_gt_best": events["low"] > events["best"],
        "best_gt_high": events["best"] > events["high"],
        "low_gt_high": events["low"] > events["high"],
    }
    frames = []
    for flag, mask in checks.items():
        sub = events.loc[mask]
        frames.append(sub.assign(flag=flag, detail="low=" + sub["low"].astype(str) + " best=" + sub["best"].astype(str)
                                 + " high=" + sub["high"].astype(str)))
    point_counts = events.groupby(["latitude", "longitude"])["id"].transform("size")
    sub = events.loc[point_counts >= recurring_min]
    shared = point_counts.loc[sub.index]
    frames.append(sub.assign(flag="recurring_point",
                             detail=shared.astype(str) + " events at " + sub["latitude"].round(6).astype(str) + ", "
                             + sub["longitude"].round(6).astype(str)))
    cols = ["id", "year", "flag", "detail", "best", "where_prec", "latitude", "longitude"]
    out = pd.concat([f[cols] for f in frames], ignore_index=True)
    out.attrs["sources"] = list(events.attrs.get("sources", []))
    return out.sort_values(["flag", "id"], kind="stable").reset_index(drop=True)


def code_status_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events and deaths (best) by UCDP's ``code_status``: ``Clear``, or the check a Candidate event still awaits.

    UCDP marks Candidate events that still need checking (``Check geography``, ``Check dyad``,
    ``Check type of violence``, ``Check deaths``, ...); the events are kept and counted, never dropped.
    """
    out = (events.groupby("code_status").agg(events=("id", "size"), deaths_best=("best", "sum")).reset_index()
           .sort_values(["events", "code_status"], ascending=[False, True], kind="stable").reset_index(drop=True))
    out["share_of_events"] = out["events"] / len(events)
    out.attrs["sources"] = list(events.attrs.get("sources", []))
    return out


def quality_summary(flags: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Events and deaths (best) per quality flag, with the share of all events."""
    out = flags.groupby("flag").agg(events=("id", "nunique"), deaths_best=("best", "sum")).reset_index()
    out["share_of_events"] = out["events"] / len(events)
    out.attrs["sources"] = list(events.attrs.get("sources", []))
    return out


def recurring_points(events: pd.DataFrame, *, recurring_min: int = RECURRING_POINT_MIN_EVENTS) -> pd.DataFrame:
    """Coordinates shared by at least ``recurring_min`` events, most shared first."""
    g = (events.groupby(["latitude", "longitude"])
         .agg(events=("id", "size"), deaths_best=("best", "sum"),
              where_prec=("where_prec", lambda s: ",".join(str(v) for v in sorted(s.unique()))),
              adm_1=("adm_1", "first"), adm_2=("adm_2", "first"))
         .reset_index())
    out = g[g["events"] >= recurring_min].sort_values("events", ascending=False).reset_index(drop=True)
    out.attrs["sources"] = list(events.attrs.get("sources", []))
    return out
