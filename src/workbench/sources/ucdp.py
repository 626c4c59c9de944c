"""UCDP Georeferenced Event Dataset (GED): read, type, validate, flag quirks.

Reads the HDX Pakistan extract in the mirror (49 GED columns plus ``iso3``) and the
publisher's global GED CSV (the same 49 columns without ``iso3``), which it filters to
Pakistan (``country_id`` 770). Quoted multi-line fields are handled by a real CSV parser.

The schema (:data:`workbench.schemas.GED_SCHEMA`) refuses broken data with an error naming
the file, the event id and the column: unique ``id``; deaths non-negative integers; ``best`` =
``deaths_a + deaths_b + deaths_civilians + deaths_unknown``; valid dates with ``date_start <=
date_end``; coordinates inside Pakistan's bounding box.

The published data's own quirks are *flagged*, not rejected (:func:`quality_flags`): in GED
22.1 for Pakistan, 61 events have ``low > best``, 139 ``best > high``, 137 ``low > high``, and
geocoders' default points recur hundreds of times (337 events share one Karachi point).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

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

VIOLENCE_TYPES = {1: "state_based", 2: "non_state", 3: "one_sided"}



def read_ged(path: str | Path | None = None, *, source_id: str | None = None) -> pd.DataFrame:
    """Read and validate UCDP GED events for Pakistan.

    Parameters
    ----------
    path:
        A GED CSV (the mirrored Pakistan extract, or the global GED CSV). Default: the catalog's
        ``ucdp_ged_pak`` resolved and checksum-verified.
    source_id:
        The catalog id credited in ``df.attrs["sources"]``; default ``ucdp_ged_pak`` when ``path``
        is None, else none (the caller names its own source).

    Returns
    -------
    DataFrame
        One row per event, original columns typed (ints, floats, ``date_start``/``date_end`` as
        datetimes), plus ``record`` (the data record number in the file, 1-based) and
        ``violence_type`` (``state_based``/``non_state``/``one_sided``).
    """
    if path is None:
        path = resolve_path(DATASET_ID)
        source_id = source_id or DATASET_ID
    path = Path(path)
    raw = _read_csv_text(path)
    missing = [c for c in GED_COLUMNS if c not in raw.columns]
    if missing:
        raise DataValidationError(path, f"missing column(s) {', '.join(missing)}: not a UCDP GED file "
                                        f"(expected the {len(GED_COLUMNS)} GED columns)", row="header",
                                  column=missing[0])
    raw["record"] = np.arange(1, len(raw) + 1)
    df = _typed(raw, path)
    df = df[df["country_id"] == PAKISTAN_COUNTRY_ID].copy()
    df = validate(df, GED_SCHEMA, file=path, id_column="id", row_numbers=df["record"])
    df["violence_type"] = df["type_of_violence"].map(VIOLENCE_TYPES)
    df = df.reset_index(drop=True)
    df.attrs["sources"] = [source_id] if source_id else []
    df.attrs["file"] = str(path)
    return df


def _read_csv_text(path: Path) -> pd.DataFrame:
    """Read every cell as text with a strict CSV parser; malformed CSV names its record."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataValidationError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise DataValidationError(path, "the file is empty") from None
    except csv.Error as exc:
        raise DataValidationError(path, f"malformed CSV header: {exc}", row="header") from None
    rows: list[list[str]] = []
    try:
        for record in reader:
            if len(record) != len(header):
                if record == [] or record == [""]:
                    continue
                raise DataValidationError(
                    path, f"malformed CSV: the record has {len(record)} fields, the header {len(header)} "
                          f"(a stray comma or quote?)", row=len(rows) + 1, column=None)
            rows.append(record)
    except csv.Error as exc:
        raise DataValidationError(path, f"malformed CSV: {exc} (an unclosed quote?)", row=len(rows) + 1) from None
    if len(set(header)) != len(header):
        dup = [c for c in header if header.count(c) > 1][0]
        raise DataValidationError(path, f"column '{dup}' appears twice in the header", row="header", column=dup)
    return pd.DataFrame(rows, columns=header, dtype=object)


def _typed(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    df = raw.copy()
    for col in INT_COLUMNS:
        df[col] = _to_number(df, col, path, integer=True)
    for col in FLOAT_COLUMNS:
        df[col] = _to_number(df, col, path, integer=False)
    for col in DATE_COLUMNS:
        parsed = pd.to_datetime(df[col].str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
        bad = parsed.isna()
        if bad.any():
            _raise_cell(df, bad, col, path, "not a valid date (expected YYYY-MM-DD ...)")
        df[col] = parsed.astype("datetime64[ns]")
    for col in ("adm_1", "adm_2", "where_description", "side_a", "side_b", "conflict_name", "dyad_name"):
        df[col] = df[col].astype("string")
    return df


def _to_number(df: pd.DataFrame, col: str, path: Path, *, integer: bool) -> pd.Series:
    text = df[col].astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = values.isna()
    if integer:
        bad |= values.notna() & (values != np.floor(values.fillna(0)))
    if bad.any():
        _raise_cell(df, bad, col, path, "not an integer" if integer else "not a number")
    return values.astype("int64") if integer else values.astype("float64")


def _raise_cell(df: pd.DataFrame, bad: pd.Series, col: str, path: Path, what: str) -> None:
    first = bad.idxmax()
    cases = pd.DataFrame({
        "row": df.loc[bad, "record"], "id": df.loc[bad, "id"], "column": col, "value": df.loc[bad, col],
        "problem": what,
    })
    raise DataValidationError(path, f"{what} (found {df.at[first, col]!r})",
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
