"""Schemas of the tidy tables, and one way to turn a schema failure into an analyst's error.

Schemas are pandera ``DataFrameSchema`` objects. :func:`validate` runs one lazily (all
problems at once) and raises :class:`~workbench.errors.DataValidationError` whose message
names the file, the row (data record, 1-based; and the record's id where the table has one)
and the column, with a ``failure_cases`` frame of every offending cell.

Row-wise rules that involve several columns (``best`` = sum of its parts, ``date_start <=
date_end``) are frame-level checks; :data:`ROW_RULE_COLUMN` says which column each one blames.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from workbench.errors import DataValidationError

# Pakistan, with a margin: the mirrored layers reach 23.6-37.1 N and 60.8-77.8 E (COD's Siachen limit).
PAKISTAN_BBOX = {"lat_min": 23.5, "lat_max": 37.5, "lon_min": 60.5, "lon_max": 78.0}

DEATH_COLUMNS = ["deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"]

ROW_RULE_COLUMN = {
    "best_equals_sum_of_parts": "best",
    "date_start_not_after_date_end": "date_start",
}


def _best_is_sum(df: pd.DataFrame) -> pd.Series:
    return df["best"] == df[DEATH_COLUMNS].sum(axis=1)


def _dates_ordered(df: pd.DataFrame) -> pd.Series:
    return df["date_start"] <= df["date_end"]


def _nonneg_int(name: str) -> pa.Column:
    return pa.Column("int64", pa.Check.ge(0), nullable=False)


GED_SCHEMA = pa.DataFrameSchema(
    {
        "id": pa.Column("int64", unique=True, nullable=False),
        "year": pa.Column("int64", pa.Check.in_range(1989, 2100), nullable=False),
        "active_year": pa.Column("bool", nullable=False),  # written 1/0 (GED 22.1) or true/false (25.1 on)
        "type_of_violence": pa.Column("int64", pa.Check.isin([1, 2, 3]), nullable=False),
        "where_prec": pa.Column("int64", pa.Check.isin([1, 2, 3, 4, 5, 6, 7]), nullable=False),
        "event_clarity": pa.Column("int64", pa.Check.isin([1, 2]), nullable=False),
        "date_prec": pa.Column("int64", pa.Check.isin([1, 2, 3, 4, 5]), nullable=False),
        "latitude": pa.Column(
            "float64", pa.Check.in_range(PAKISTAN_BBOX["lat_min"], PAKISTAN_BBOX["lat_max"]), nullable=False
        ),
        "longitude": pa.Column(
            "float64", pa.Check.in_range(PAKISTAN_BBOX["lon_min"], PAKISTAN_BBOX["lon_max"]), nullable=False
        ),
        "date_start": pa.Column("datetime64[ns]", nullable=False),
        "date_end": pa.Column("datetime64[ns]", nullable=False),
        **{c: _nonneg_int(c) for c in [*DEATH_COLUMNS, "best", "low", "high"]},
    },
    checks=[
        pa.Check(_best_is_sum, name="best_equals_sum_of_parts"),
        pa.Check(_dates_ordered, name="date_start_not_after_date_end"),
    ],
    strict=False,
    coerce=False,
)


def validate(df: pd.DataFrame, schema: pa.DataFrameSchema, *, file: str | Path, id_column: str | None = None,
             row_numbers: pd.Series | None = None) -> pd.DataFrame:
    """Validate ``df`` against ``schema``; raise one :class:`DataValidationError` listing every problem.

    Parameters
    ----------
    file:
        The file the table came from (named in the error).
    id_column:
        A column that identifies records (e.g. ``"id"`` for UCDP events), named in the error.
    row_numbers:
        The data record number (1-based) of each row, aligned with ``df.index``; default index + 1.
    """
    try:
        return schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = _failure_table(exc.failure_cases, df, id_column, row_numbers)
        first = cases.iloc[0]
        where_row = f"{int(first['row'])}" if pd.notna(first["row"]) else None
        if where_row and id_column and pd.notna(first.get("id")):
            where_row += f" ({id_column} {first['id']})"
        raise DataValidationError(
            file, f"{first['problem']} (found {first['value']!r})", row=where_row, column=first["column"],
            failure_cases=cases,
        ) from None


def _failure_table(fc: pd.DataFrame, df: pd.DataFrame, id_column: str | None,
                   row_numbers: pd.Series | None) -> pd.DataFrame:
    rows = []
    for _, case in fc.iterrows():
        check = str(case["check"])
        column = case["column"]
        if case["schema_context"] == "DataFrameSchema" and check in ROW_RULE_COLUMN:
            if column != ROW_RULE_COLUMN[check]:
                continue  # frame checks are reported once, against the column they blame
        idx = case["index"]
        has_row = pd.notna(idx) and idx in df.index
        rows.append({
            "row": (int(row_numbers.loc[idx]) if row_numbers is not None else int(idx) + 1) if has_row else None,
            "id": df.loc[idx, id_column] if (has_row and id_column and id_column in df.columns) else None,
            "column": column if pd.notna(column) else None,
            "value": case["failure_case"],
            "problem": _describe(check, column),
        })
    out = pd.DataFrame(rows, columns=["row", "id", "column", "value", "problem"])
    return out.sort_values(["row", "column"], na_position="first", kind="stable").reset_index(drop=True)


def _describe(check: str, column: object) -> str:
    if check == "field_uniqueness":
        return f"duplicate value in '{column}' (must be unique)"
    if check == "column_in_dataframe":
        return f"missing column '{column}'"
    if check.startswith("greater_than_or_equal_to(0"):
        return f"'{column}' must be a non-negative integer"
    if check.startswith("in_range"):
        return f"'{column}' outside the allowed range {check[len('in_range'):]}"
    if check.startswith("isin"):
        return f"'{column}' is not one of the allowed codes {check[len('isin'):]}"
    if check == "best_equals_sum_of_parts":
        return "best is not deaths_a + deaths_b + deaths_civilians + deaths_unknown"
    if check == "date_start_not_after_date_end":
        return "date_start is after date_end"
    if check == "not_nullable":
        return f"'{column}' is empty"
    return f"'{column}' fails check {check}"
