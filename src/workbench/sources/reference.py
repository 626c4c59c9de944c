"""Reference tables typed from publications: ``data/reference/<name>.csv``.

A reference table holds a few figures that exist only in documents (a policy text, a report
quoted in the press), never computed ones. Every row must cite its source in three columns that
are never empty:

``publisher``
    who published the figure (a ministry, an outlet);
``document``
    the document it is printed in;
``table_page``
    where in the document (section, table, page, or "web page, no page numbers; date ...").

:func:`read_reference` refuses a table that lacks these columns or leaves one of them empty in
any row, naming the file, the row and the column. The table is credited as
``reference:<name>`` in ``df.attrs["sources"]`` (see :mod:`workbench.sources.credits`).

Tables
------
``mpi_province_2014_15``
    Multidimensional poverty headcount (% of people poor) by province/region, 2014/15: the five
    figures NISP 2018 quotes in section D3 (preferred), the national, Gilgit-Baltistan and AJK
    figures reported in the press, corroborating press figures, and the press figures flagged
    ``CONFLICTING_do_not_use_as_H`` in the mirror (kept, never used). Columns are described in
    ``docs/demography.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog import PROJECT_ROOT
from workbench.errors import DataValidationError, ParameterError

REFERENCE_DIR = PROJECT_ROOT / "data" / "reference"
CITATION_COLUMNS: tuple[str, ...] = ("publisher", "document", "table_page")

MPI_TABLE = "mpi_province_2014_15"
MPI_COLUMNS = (
    "row_id", "reference_period", "geography_level", "unit_name", "indicator", "value", "value_text", "preferred",
    "status", *CITATION_COLUMNS, "url", "quote", "primary_source", "mirror_record", "note",
)
#: Statuses that forbid using a row as a headcount (copied from the mirror's flags).
DO_NOT_USE = ("CONFLICTING_do_not_use_as_H",)


def reference_path(name: str, directory: str | Path | None = None) -> Path:
    """The file of reference table ``name`` (``data/reference/<name>.csv``)."""
    if not name or "/" in name or name.endswith(".csv"):
        raise ParameterError(f"argument 'name' must be a bare table name such as {MPI_TABLE!r}; found {name!r}")
    return (Path(directory) if directory is not None else REFERENCE_DIR) / f"{name}.csv"


def list_references(directory: str | Path | None = None) -> list[str]:
    """Names of the reference tables present."""
    folder = Path(directory) if directory is not None else REFERENCE_DIR
    return sorted(p.stem for p in folder.glob("*.csv"))


def read_reference(name: str, *, required: Sequence[str] = (), directory: str | Path | None = None) -> pd.DataFrame:
    """Read a reference table (all cells as text) and check that every row cites its source.

    Parameters
    ----------
    name:
        The table name, e.g. ``"mpi_province_2014_15"``.
    required:
        Further columns the caller needs.
    directory:
        Another folder (tests); default ``data/reference``.

    Returns
    -------
    DataFrame
        The table as text, plus ``record`` (1-based data row); ``attrs["sources"]`` is
        ``["reference:<name>"]``.

    Raises
    ------
    DataValidationError
        The file is missing, lacks a citation or required column, or a row leaves a citation
        column empty.
    """
    path = reference_path(name, directory)
    if not path.is_file():
        raise DataValidationError(path, f"reference table {name!r} not found; tables: {list_references(directory)}")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    needed = [*CITATION_COLUMNS, *required]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise DataValidationError(path, f"missing column(s) {missing}: every reference table must carry "
                                        f"{list(CITATION_COLUMNS)} in each row", row="header", column=missing[0])
    df.insert(0, "record", np.arange(1, len(df) + 1))
    for col in CITATION_COLUMNS:
        empty = df[col].str.strip().eq("")
        if empty.any():
            rows = df.loc[empty, "record"].tolist()
            cases = pd.DataFrame({"file": str(path), "row": rows, "column": col, "value": "",
                                  "problem": "empty citation"})
            raise DataValidationError(path, f"empty '{col}': every row must cite publisher, document and "
                                            f"table/page ({len(rows)} row(s) do not)", row=rows[0], column=col,
                                      failure_cases=cases)
    df.attrs["sources"] = [f"reference:{name}"]
    df.attrs["file"] = str(path)
    return df


def read_mpi_province(*, preferred_only: bool = True, directory: str | Path | None = None) -> pd.DataFrame:
    """The 2014/15 multidimensional poverty reference table, typed.

    Parameters
    ----------
    preferred_only:
        True (default): only the rows to use, one per unit (NISP 2018 D3 for FATA, Balochistan,
        KP, Sindh, Punjab; press reports for Pakistan, Gilgit-Baltistan and AJK). False: every
        row, including corroborating and do-not-use rows.

    Returns
    -------
    DataFrame
        The table's columns with ``value`` as float (percent), ``preferred`` as bool and
        ``record``. Unit names are as printed; resolve them with the registry (alias source
        ``mpi``).

    Raises
    ------
    DataValidationError
        A value outside 0-100, a preferred row flagged do-not-use, two preferred rows for one
        unit and indicator, or a row without citation.
    """
    df = read_reference(MPI_TABLE, required=MPI_COLUMNS, directory=directory)
    path = df.attrs["file"]
    text = df["value"].str.strip()
    value = pd.to_numeric(text.where(text.ne("")), errors="coerce")
    bad = value.isna() & text.ne("")
    if bad.any():
        r = df.loc[bad].iloc[0]
        raise DataValidationError(path, f"not a number: found {r['value']!r}", row=int(r["record"]), column="value")
    pct = df["indicator"].str.endswith("_pct")
    out_of_range = pct & value.notna() & ((value < 0) | (value > 100))
    if out_of_range.any():
        r = df.loc[out_of_range].iloc[0]
        raise DataValidationError(path, f"percentage out of range: expected 0-100, found {r['value']!r}",
                                  row=int(r["record"]), column="value")
    flags = df["preferred"].str.strip().str.lower()
    bad = ~flags.isin(["true", "false"])
    if bad.any():
        r = df.loc[bad].iloc[0]
        raise DataValidationError(path, f"expected true or false, found {r['preferred']!r}", row=int(r["record"]),
                                  column="preferred")
    df["value"] = value.astype("float64")
    df["preferred"] = flags.eq("true")
    forbidden = df["preferred"] & df["status"].isin(DO_NOT_USE)
    if forbidden.any():
        r = df.loc[forbidden].iloc[0]
        raise DataValidationError(path, f"a row flagged {r['status']!r} cannot be preferred", row=int(r["record"]),
                                  column="preferred")
    twice = df["preferred"] & df.duplicated(["reference_period", "unit_name", "indicator", "preferred"], keep=False)
    if twice.any():
        r = df.loc[twice].iloc[0]
        raise DataValidationError(path, f"unit {r['unit_name']!r} has more than one preferred {r['indicator']} row",
                                  row=int(r["record"]), column="preferred")
    if preferred_only:
        df = df[df["preferred"]]
    out = df.reset_index(drop=True)
    out.attrs = {"sources": [f"reference:{MPI_TABLE}"], "file": path}
    return out
