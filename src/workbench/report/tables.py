"""Tables for readers: formats per column, human labels, a width that fits the page.

:func:`render_table` turns a frame into the HTML a report shows (pandas ``Styler``): counts as
whole numbers with thousands separators, shares and percentages with ``%``, p-values as
``<0.001`` and the like, other numbers with three significant digits of the column's typical value
(never scientific notation, never more than four decimals), text left-aligned and wrapped, column
names replaced by labels (:data:`LABELS`, else a readable form of the name). A long table shows its
first rows and keeps the rest behind a ``<details>`` toggle; the CSV and XLSX files keep every row at
full precision (:func:`export_ready` only neutralises formulas there).

>>> label("n_items_without_indicator"), label("person_years"), label("deaths_per_100k")
('Items without indicator', 'Person-years', 'Deaths per 100,000')
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from workbench.formatting import (
    MISSING,
    decimals_for,
    format_count,
    format_number,
    format_p_value,
    format_percent,
    format_share,
    neutralise_formula,
)

#: Column names and codes in words. Names not listed get :func:`label`'s readable form.
LABELS: dict[str, str] = {
    "unit_id": "Unit id", "unit_name": "Unit", "unit_level": "Level", "province": "Province", "year": "Year",
    "events": "Events", "deaths": "Deaths", "deaths_best": "Deaths (best)", "deaths_low": "Deaths (low)",
    "deaths_high": "Deaths (high)", "deaths_civilians": "Civilian deaths", "best": "Deaths (best)",
    "deaths_per_event": "Deaths per event", "person_years": "Person-years",
    "deaths_per_100k": "Deaths per 100,000", "events_per_100k": "Events per 100,000",
    "n_population_missing": "Years without population", "n_population_zero": "Years with population 0",
    "irr": "IRR", "irr_ci_low": "IRR, 95% CI low", "irr_ci_high": "IRR, 95% CI high", "p_value": "p-value",
    "n": "Observations", "gini": "Gini", "theil_t": "Theil T", "theil_l": "Theil L",
    "theil_t_between_share": "Theil T between provinces", "williamson": "Williamson", "max_min": "Max / min",
    "r": "R", "r_name": "R name", "rate_pct": "Rate", "share_pct": "Share", "youth_pop": "Youth population",
    "denominator_pop": "Reference population", "where_prec": "Location precision", "adm_1": "UCDP adm_1",
    "adm_2": "UCDP adm_2", "id": "Id", "sha256": "sha256", "licence_status": "Licence status",
    "claim_id": "Claim", "violence_source": "Violence source", "measurement_age": "Measurement age (years)",
    "d4p_poverty_pct": "Poverty rate (Data4Pakistan)", "youth_bulge_15_24": "Youth bulge 15-24",
    "literacy_10plus_pct": "Literacy 10+", "mpi_headcount_pct": "MPI headcount",
    "state_based": "State-based", "non_state": "Non-state", "one_sided": "One-sided",
    "all_sexes": "All sexes", "overall": "Overall", "need_percentile": "Need percentile",
    "attention_percentile": "Attention percentile",
    "literacy_10plus": "literacy (10 and over)", "out_of_school_5_16": "out of school (ages 5-16)",
    "improved_water": "improved drinking water", "flush_toilet": "flush toilet", "electricity": "electricity",
}
#: Rows shown before a long table folds the rest behind a toggle.
PREVIEW_ROWS = 10
#: Longest text shown in a cell; the rest is in the CSV and XLSX.
MAX_TEXT = 1000

_P_VALUE = re.compile(r"^(p|pvalue|p_value|p_val)$|_p_value$")
_YEAR = re.compile(r"(^|_)year($|_)")
_ID = re.compile(r"(^|_)id$")
_PERCENT = re.compile(r"(^|_)(pct|percent)($|_)")
_SHARE = re.compile(r"(^|_)(share|proportion|fraction)($|_)")
_COORDINATE = re.compile(r"^(lat|latitude|lon|lng|longitude)$")


def label(column: Any, unit_level: str | None = None) -> str:
    """The reader's name of a column: :data:`LABELS`, else the name in words.

    ``unit_name`` becomes the level's name (``Province``, ``District``) when ``unit_level`` is
    given; ``n_x`` becomes ``X``; ``_per_100k`` becomes ``per 100,000``.
    """
    if isinstance(column, tuple):
        return " · ".join(label(c) for c in column)
    name = str(column)
    if name == "unit_name" and unit_level:
        return unit_level.capitalize()
    if name in LABELS:
        return LABELS[name]
    if not re.fullmatch(r"[a-z0-9_]+", name):
        return name  # already words (a unit's name, a category)
    words = name.removeprefix("n_").replace("_per_100k", " per 100,000").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else name


# --------------------------------------------------------------------------- formats per column


def column_kind(name: Any, values: pd.Series) -> str:
    """How a column is shown: year, id, count, share, percent, p_value, coordinate, number, bool or text."""
    key = str(name[-1] if isinstance(name, tuple) else name).lower()
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if not pd.api.types.is_numeric_dtype(values):
        return "text"
    finite = pd.to_numeric(values, errors="coerce").dropna()
    finite = finite[finite.map(math.isfinite)] if len(finite) else finite
    integral = bool(len(finite)) and bool((finite == finite.round()).all())
    if _P_VALUE.search(key):
        return "p_value"
    if _YEAR.search(key) and integral:
        return "year"
    if _ID.search(key) and integral:
        return "id"
    if _COORDINATE.match(key):
        return "coordinate"
    if _PERCENT.search(key):
        return "percent"
    if _SHARE.search(key) and (finite.abs() <= 1).all():
        return "share"
    if integral or pd.api.types.is_integer_dtype(values):
        return "count"
    return "number"


def _text(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, float):
        return format_number(value, decimals_for([value]))
    text = str(value)
    if len(text) > MAX_TEXT:
        text = f"{text[:MAX_TEXT].rstrip()}… ({len(text) - MAX_TEXT:,} more characters in the CSV/XLSX)"
    return text


def _number_formatter(values: pd.Series) -> Callable[[Any], str]:
    finite = [float(v) for v in pd.to_numeric(values, errors="coerce").dropna() if math.isfinite(float(v))]
    decimals = decimals_for(finite)
    sizes = [abs(v) for v in finite if v != 0]
    mixed = bool(sizes) and max(sizes) / min(sizes) >= 1_000  # e.g. populations beside rates
    if mixed:  # each value with its own three significant figures
        return lambda v: format_number(v, decimals_for([v]))
    return lambda v: format_number(v, decimals)


def formatter(kind: str, values: pd.Series) -> Callable[[Any], str]:
    """The function that writes one cell of a column of ``kind`` (see :func:`column_kind`)."""

    def safe(fn: Callable[[Any], str]) -> Callable[[Any], str]:
        return lambda v: MISSING if _is_missing(v) else fn(v)

    if kind == "bool":
        return safe(lambda v: "yes" if bool(v) else "no")
    if kind in ("year", "id"):
        return safe(lambda v: str(int(v)))
    if kind == "count":
        return safe(format_count)
    if kind == "share":
        return safe(format_share)
    if kind == "percent":
        return safe(format_percent)
    if kind == "p_value":
        return safe(format_p_value)
    if kind == "coordinate":
        return safe(lambda v: format_number(v, 4))
    if kind == "number":
        return safe(_number_formatter(values))
    return safe(_text)


def _is_missing(value: Any) -> bool:
    if isinstance(value, list | tuple | set | dict):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def display_frame(df: pd.DataFrame, *, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Every cell as the text a reader sees, with labelled columns (for the text view and the HTML)."""
    out = pd.DataFrame(index=df.index)
    for position, column in enumerate(df.columns):
        values = df.iloc[:, position]
        out[position] = values.map(formatter(column_kind(column, values), values)).astype(object)
    out.columns = _labels(df, labels)
    out.index = _index_labels(df.index)
    return out


def unit_level_of(df: pd.DataFrame) -> str | None:
    """The one ``unit_level`` of a frame's rows (``province``), or None when they mix levels or have none."""
    if "unit_level" in df.columns:
        levels = df["unit_level"].dropna().unique()
        return str(levels[0]) if len(levels) == 1 else None
    return None


def _labels(df: pd.DataFrame, labels: Mapping[str, str] | None) -> pd.Index:
    level = unit_level_of(df)
    names = [(labels or {}).get(c, label(c, level)) if not isinstance(c, tuple) else label(c) for c in df.columns]
    if len(set(names)) < len(names):  # two columns would read the same: keep their names
        names = [str(c) for c in df.columns]
    return pd.Index(names, dtype=object)


def _index_labels(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        return index.set_names([label(n) if n is not None else None for n in index.names])
    values = pd.Series(index, dtype=index.dtype)
    kind = column_kind(index.name or "", values) if len(values) else "text"
    if kind == "count" and values.between(1800, 2200).all():
        kind = "year"  # an index of years (a pivot by year)
    shown = pd.Index(values.map(formatter(kind, values)).astype(object), name=label(index.name) if index.name else None)
    return shown


# --------------------------------------------------------------------------- HTML

_TABLE_STYLES = [
    {"selector": "", "props": "table-layout: auto; border-collapse: collapse; margin: 0 0 0.4em 0; "
                              "font-size: 0.86em; width: auto; max-width: 100%;"},
    {"selector": "th, td", "props": "padding: 0.25em 0.6em; border-bottom: 1px solid #e3e3e3; vertical-align: top; "
                                    "white-space: normal; overflow-wrap: break-word; max-width: 32em;"},
    {"selector": "thead th", "props": "text-align: left; font-weight: 600; border-bottom: 1px solid #999; "
                                      "background: #f6f6f6;"},
    {"selector": "tbody th", "props": "text-align: left; font-weight: 600;"},
    {"selector": "td.wb-num", "props": "text-align: right; font-variant-numeric: tabular-nums; "
                                       "white-space: nowrap;"},
    {"selector": "td.wb-text", "props": "text-align: left;"},
]


def _css_id(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)


def _styled(df: pd.DataFrame, shown: pd.DataFrame, uid: str, keep_index: bool) -> str:
    styler = (shown.style.set_uuid(uid).set_table_styles(_TABLE_STYLES).format(escape="html")
              .format_index(escape="html", axis=0).format_index(escape="html", axis=1))
    kinds = [column_kind(c, df.iloc[:, i]) for i, c in enumerate(df.columns)]
    classes = pd.DataFrame([["wb-text" if k == "text" else "wb-num" for k in kinds]] * len(shown),
                           index=shown.index, columns=shown.columns)
    styler = styler.set_td_classes(classes)
    if not keep_index:
        styler = styler.hide(axis="index")
    return styler.to_html()


def render_table(df: pd.DataFrame, *, name: str, keep_index: bool, caption: str | None = None,
                 footnote: str = "", more: str = "", labels: Mapping[str, str] | None = None,
                 preview_rows: int = PREVIEW_ROWS) -> str:
    """The HTML of a table: caption, the first rows, the rest behind a toggle, the footnote.

    Parameters
    ----------
    df:
        The rows to show (already cut to what the page shows).
    name:
        The table's name (makes the HTML ids unique and stable).
    keep_index:
        Show the index (a meaningful one, e.g. years of a pivot).
    caption, footnote, more:
        Text above the table, the source line below it, and a note on rows left out of the page.
    labels:
        Column labels that override :data:`LABELS` for this table.
    """
    shown = display_frame(df, labels=labels)
    uid = _css_id(name)
    parts = ['<div class="wb-table">']
    if caption:
        parts.append(f'<p class="wb-caption"><strong>{html.escape(caption)}</strong></p>')
    parts.append('<div class="wb-scroll" style="max-width:100%; overflow-x:auto">')
    fold = len(df) > preview_rows + 2
    head = slice(0, preview_rows) if fold else slice(0, len(df))
    parts.append(_styled(df.iloc[head], shown.iloc[head], uid, keep_index))
    if fold:
        rest = slice(preview_rows, len(df))
        parts.append(f"<details><summary>Rows {preview_rows + 1}–{len(df):,} of {len(df):,}</summary>"
                     f"{_styled(df.iloc[rest], shown.iloc[rest], uid + '_rest', keep_index)}</details>")
    parts.append("</div>")
    if more:
        parts.append(f'<p class="wb-more"><em>{html.escape(more)}</em></p>')
    if footnote:
        parts.append(f'<p class="wb-footnote" style="font-size:smaller; color:#444">{html.escape(footnote)}</p>')
    parts.append("</div>")
    return "\n".join(parts)


# --------------------------------------------------------------------------- exports


def export_ready(df: pd.DataFrame) -> pd.DataFrame:
    """The frame as written to CSV and XLSX: full precision, but no cell, header or index a
    spreadsheet would run as a formula (:func:`workbench.formatting.neutralise_formula`)."""
    out = df.copy()
    for position in range(out.shape[1]):
        values = out.iloc[:, position]
        if not pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_datetime64_any_dtype(values):
            out.isetitem(position, values.map(neutralise_formula))
    out.columns = _neutral_index(out.columns)
    out.index = _neutral_index(out.index)
    return out


def _neutral_index(index: pd.Index) -> pd.Index:
    if isinstance(index, pd.MultiIndex):
        levels = [_neutral_index(level) for level in index.levels]
        names = [neutralise_formula(n) for n in index.names]
        return index.set_levels(levels).set_names(names)
    name = neutralise_formula(index.name)
    if pd.api.types.is_numeric_dtype(index) or pd.api.types.is_datetime64_any_dtype(index):
        return index.rename(name)
    return pd.Index([neutralise_formula(v) for v in index], name=name, dtype=index.dtype
                    if not pd.api.types.is_string_dtype(index) else object)


# --------------------------------------------------------------------------- files


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Write through ``write(temporary path)`` beside ``path``, then move it into place in one step."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file (mkstemp makes it private to its owner)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_table_csv(df: pd.DataFrame, out: Path | TextIO) -> None:
    """A table as CSV without live formulas: to a file (atomically) or to an open text stream."""
    safe = export_ready(df)
    if isinstance(out, (str, Path)):
        atomic_write(Path(out), lambda tmp: safe.to_csv(tmp, index=False, lineterminator="\n"))
    else:
        safe.to_csv(out, index=False, lineterminator="\n")
