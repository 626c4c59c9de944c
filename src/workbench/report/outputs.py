"""Tables and figures from notebooks: shown with their source, written as files.

Every table and figure names the data sets it was built from. Under each one a single short line
credits the inputs it really used (publisher, data set, version: :func:`credit_line`); boundary
layers are credited only on the maps that draw them (a layer that only placed events in units is an
input of the panel, listed with everything else in the page's provenance appendix and the run's
manifest, with file, sha256 and licence). Where the files go:

- in a report run, ``$WORKBENCH_OUTPUT_DIR`` (set by the runner for each notebook):
  ``tables/<name>.csv``, ``tables/<name>.xlsx``, ``figures/<name>.png``, and one line per
  output in ``outputs.jsonl`` (read back into the run's manifest);
- in JupyterLab, ``reports/interactive/<notebook>/`` of the project checkout (when it can be
  found), else nowhere: the output is only displayed.

Tables are shown formatted for readers (:mod:`workbench.report.tables`); the CSV and XLSX keep full
precision, with any text a spreadsheet would run as a formula made inert.

Examples
--------
In a notebook::

    from workbench.report.outputs import save_figure, show_table
    show_table(panel, "deaths_by_province", caption="Deaths per 100,000, 2007-2021")
    save_figure(fig, "deaths_trend", sources=["ucdp_ged_pak", "census2017_province"])
"""

from __future__ import annotations

import io
import json
import os
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import ParameterError, WorkbenchError
from workbench.report.paths import OUTPUT_DIR_ENV, RUN_ID_ENV
from workbench.report.tables import export_ready, render_table

RECORD_FILE = "outputs.jsonl"
#: Resolution of the PNG figures (print quality); shown on screen at 100 pixels per inch.
FIGURE_DPI = 200
SCREEN_DPI = 100
FOOTNOTE_GID = "workbench-footnote"
DISPLAY_ROWS = 60
#: Most credits (releases) a footnote names one by one; more point to the appendix.
MAX_CREDITED = 6
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")

SourceDescriber = Callable[[list[str]], str]
_describer: SourceDescriber | None = None
_written: set[tuple[str, str]] = set()


class OutputError(WorkbenchError):
    """A table or figure that cannot be written as asked (no source, a name used twice)."""


# --------------------------------------------------------------------------- sources


def set_source_describer(describer: SourceDescriber | None) -> None:
    """Use ``describer(ids) -> footnote`` instead of the catalog's (tests); None restores it."""
    global _describer
    _describer = describer


def describe_sources(ids: Sequence[str]) -> str:
    """The long credit of sources, with ids and sha256 prefixes (the appendix's for non-catalog ids)."""
    if _describer is not None:
        return _describer(list(ids))
    from workbench.sources.credits import describe_sources as catalog_describe

    return catalog_describe(list(ids))


def credit_line(ids: Sequence[str]) -> str:
    """The short footnote for source ids: ``Source: publisher data set (version; vintage); ...``."""
    if _describer is not None:
        return _describer(list(ids))
    from workbench.sources.credits import credit_line as catalog_credit_line

    return catalog_credit_line(list(ids))


def _credit_groups(ids: Sequence[str]) -> list[list[str]]:
    from workbench.sources.credits import credit_groups

    return credit_groups(ids)


def _boundary_layers(ids: Iterable[str]) -> list[str]:
    from workbench.geo.boundaries import LAYERS

    return [i for i in ids if i in LAYERS]


def _source_ids(sources: str | Iterable[str] | None, what: str) -> list[str] | None:
    if sources is None:
        return None
    if isinstance(sources, str):
        return [sources]
    ids = list(sources)
    bad = [s for s in ids if not isinstance(s, str) or not s]
    if bad:
        raise ParameterError(f"{what}: sources must be catalog ids (strings), found {bad!r}")
    return list(dict.fromkeys(ids))


def footnote_text(ids: Sequence[str], notes: Sequence[str] = (), drawn_layers: Sequence[str] = (), *,
                  what: str = "output") -> str:
    """The footnote of a table or figure: one short source line, the layers drawn, the notes.

    Boundary layers among ``ids`` are credited only when drawn (``drawn_layers``, a map's); the
    others were used to place events and are left to the appendix. A table whose only sources are
    boundary layers credits them; one with more than :data:`MAX_CREDITED` releases points to the appendix.
    """
    layers = set(_boundary_layers([*ids, *drawn_layers]))
    data = [i for i in ids if i not in layers]
    if not data and not drawn_layers:
        data = list(ids)
    if len(_credit_groups(data)) > MAX_CREDITED:  # a table about the inputs themselves (the catalog)
        parts = [f"Source: the {len(ids)} inputs listed in the provenance appendix at the end of this page"]
    else:
        parts = [credit_line(data)] if data else []
    if drawn_layers:
        boundary = credit_line(list(dict.fromkeys(drawn_layers))).removeprefix("Source: ")
        parts.append(f"Boundaries: {boundary}")
    parts += [n for n in notes if n]
    if not parts:
        raise OutputError(
            f"{what}: no source. Every table and figure must name the data sets it was built from "
            "(sources=[catalog ids], or df.attrs['sources'] set by the data layer); "
            "for derived text pass sources=[] with a caption (a note for figures) that says so"
        )
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts)


# --------------------------------------------------------------------------- where files go


def output_dir() -> Path | None:
    """The folder for this notebook's outputs, or None (display only).

    ``$WORKBENCH_OUTPUT_DIR`` in a run; otherwise ``reports/interactive/<notebook>/`` of the
    project checkout (the notebook's name from JupyterLab's ``JPY_SESSION_NAME``).
    """
    value = os.environ.get(OUTPUT_DIR_ENV)
    if value:
        return Path(value)
    try:
        from workbench.report.paths import project_root, reports_dir

        root = project_root()
    except WorkbenchError:
        return None
    session = os.environ.get("JPY_SESSION_NAME")
    sub = Path(session).stem if session else "notebook"
    return reports_dir(root) / "interactive" / (sub or "notebook")


def in_run() -> bool:
    """True inside a report run (the runner set ``$WORKBENCH_OUTPUT_DIR``)."""
    return bool(os.environ.get(OUTPUT_DIR_ENV))


def _claim(kind: str, name: str) -> None:
    if not _NAME.fullmatch(name):
        raise ParameterError(
            f"{kind} name {name!r}: use letters, digits, '_', '-' or '.', starting with a letter or digit "
            "(it becomes a file name)"
        )
    if in_run() and (kind, name) in _written:
        raise OutputError(f"{kind} name {name!r} is used twice in this notebook; each {kind} needs its own name")
    _written.add((kind, name))


def _record(folder: Path, entry: dict[str, Any]) -> None:
    try:
        from workbench.catalog import sources_read

        entry["data_sets_read"] = sources_read()
    except ImportError:  # pragma: no cover - the catalog is part of the package
        pass
    entry["written_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    entry["run_id"] = os.environ.get(RUN_ID_ENV)
    with (folder / RECORD_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")


def _display(obj: Any) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - ipykernel brings IPython
        print(repr(obj))
        return
    if get_ipython() is None:
        print(repr(obj))
    else:
        display(obj)


# --------------------------------------------------------------------------- tables


class TableView:
    """What a notebook shows for a table: caption, the formatted table (first rows), source footnote."""

    def __init__(self, df: pd.DataFrame, caption: str | None, footnote: str, files: list[Path], *,
                 name: str = "table", labels: dict[str, str] | None = None) -> None:
        self.df, self.caption, self.footnote, self.files = df, caption, footnote, files
        self.name, self.labels = name, labels

    def _shown(self) -> tuple[pd.DataFrame, str]:
        if len(self.df) <= DISPLAY_ROWS:
            return self.df, ""
        names = ", ".join(f.name for f in self.files) or "the table's files"
        return self.df.head(DISPLAY_ROWS), f"First {DISPLAY_ROWS} of {len(self.df):,} rows; all rows in {names}."

    def _repr_html_(self) -> str:
        shown, more = self._shown()
        return render_table(shown, name=self.name, keep_index=_keep_index(shown), caption=self.caption,
                            footnote=self.footnote, more=more, labels=self.labels)

    def __repr__(self) -> str:
        from workbench.report.tables import display_frame

        shown, more = self._shown()
        lines = [self.caption] if self.caption else []
        lines.append(display_frame(shown, labels=self.labels).to_string(index=_keep_index(shown)))
        if more:
            lines.append(more)
        lines.append(self.footnote)
        return "\n".join(lines)


def _keep_index(df: pd.DataFrame) -> bool:
    index = df.index
    default = isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1 and index.name is None
    return not default


def _excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Excel takes no time zones: write tz-aware times as UTC without a zone."""
    out = df
    for column in df.columns:
        if isinstance(df[column].dtype, pd.DatetimeTZDtype):
            out = out.copy() if out is df else out
            out[column] = df[column].dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def show_table(
    df: pd.DataFrame,
    name: str,
    *,
    caption: str | None = None,
    sources: str | Iterable[str] | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """Display a table with its source footnote; write ``<name>.csv`` and ``<name>.xlsx``.

    Parameters
    ----------
    df:
        The table. The index is written too unless it is the default 0..n-1.
    name:
        File name without suffix (letters, digits, ``_ - .``), unique within the notebook.
    caption:
        A title shown above the table (and in the workbook's ``source`` sheet).
    sources:
        Catalog ids of the data sets the table was built from; by default
        ``df.attrs["sources"]`` (set by the data layer). ``[]`` only for derived text, with
        a ``caption`` that says so.
    labels:
        Column headers for this table (``{"deaths": "Deaths, low estimate"}``), over the defaults
        of :data:`workbench.report.tables.LABELS`. The files keep the column names.

    Raises
    ------
    OutputError
        No source is known (and no caption for a ``sources=[]`` table), or the name is used twice.
    """
    if not isinstance(df, pd.DataFrame):
        raise ParameterError(f"show_table {name!r}: expected a pandas DataFrame, found {type(df).__name__}")
    what = f"table {name!r}"
    ids = _source_ids(sources if sources is not None else df.attrs.get("sources"), what)
    if ids is None:
        raise OutputError(
            f"{what}: no source: the frame carries no attrs['sources'] and no sources= was given. "
            "Every table must name the data sets it was built from"
        )
    if not ids and not (caption and caption.strip()):
        raise OutputError(f"{what}: sources=[] needs a caption that says what the table is (derived text)")
    footnote = footnote_text(ids, what=what) if ids else "Source: none (derived text, see the caption)."
    _claim("table", name)
    folder = output_dir()
    files: list[Path] = []
    if folder is not None:
        tables = folder / "tables"
        tables.mkdir(parents=True, exist_ok=True)
        index = _keep_index(df)
        csv_path, xlsx_path = tables / f"{name}.csv", tables / f"{name}.xlsx"
        safe = export_ready(df)
        safe.to_csv(csv_path, index=index)
        about = export_ready(pd.DataFrame(
            {"field": ["table", "caption", "source", "source ids"],
             "value": [name, caption or "", footnote, ", ".join(ids)]}
        ))
        with pd.ExcelWriter(xlsx_path, engine="openpyxl") as writer:
            _excel_ready(safe).to_excel(writer, sheet_name="table", index=index)
            about.to_excel(writer, sheet_name="source", index=False)
        files = [csv_path, xlsx_path]
        _record(folder, {"kind": "table", "name": name, "files": [str(p.relative_to(folder)) for p in files],
                         "caption": caption, "sources": ids, "footnote": footnote,
                         "rows": len(df), "columns": [str(c) for c in df.columns]})
    _display(TableView(df, caption, footnote, files, name=name, labels=labels))


# --------------------------------------------------------------------------- figures


def _figure_meta(fig: Any) -> dict[str, list[str]]:
    return fig.__dict__.setdefault("_workbench_sources", {"sources": [], "notes": [], "layers": []})


def attach_sources(fig: Any, sources: str | Iterable[str], *, note: str | None = None,
                   boundary_layers: Iterable[str] = ()) -> None:
    """Register sources (and a note, e.g. a disclaimer) on a figure and draw its footnote.

    :func:`save_figure` adds its own ``sources`` to these; the viz helpers call this so that a
    map carries its boundary layer and disclaimer however it is saved. ``boundary_layers`` are the
    layers the figure draws (credited as ``Boundaries: ...``).
    """
    meta = _figure_meta(fig)
    layers = _source_ids(list(boundary_layers), "figure") or []
    ids = _source_ids(sources, "figure") or []
    meta["sources"] = list(dict.fromkeys([*meta["sources"], *ids, *layers]))
    meta["layers"] = list(dict.fromkeys([*meta["layers"], *layers]))
    if note and note not in meta["notes"]:
        meta["notes"].append(note)
    if meta["sources"] or meta["notes"]:
        _draw_footnote(fig, footnote_text(meta["sources"], meta["notes"], meta["layers"], what="figure"))


def _draw_footnote(fig: Any, text: str) -> None:
    """Write ``text`` under the lowest axes (tick labels included), wrapped to the figure's width."""
    for artist in [t for t in fig.texts if t.get_gid() == FOOTNOTE_GID]:
        artist.remove()
    size = 7
    x, y = 0.01, 0.0
    if fig.axes:
        fig.canvas.draw()  # lays out aspect-locked axes (maps) and tick labels
        renderer = fig.canvas.get_renderer()
        boxes = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
        boxes = [b.transformed(fig.transFigure.inverted()) for b in boxes if b is not None]
        if boxes:
            x = max(0.0, min(b.x0 for b in boxes))
            y = min(b.y0 for b in boxes) - 0.01
    width = max(40, int(fig.get_figwidth() * (1 - x) * 72 / (size * 0.55)))
    wrapped = "\n".join(textwrap.fill(part, width, break_on_hyphens=False) for part in text.split("\n"))
    fig.text(x, y, wrapped, ha="left", va="top", fontsize=size, color="#444444", gid=FOOTNOTE_GID)


def save_figure(
    fig: Any,
    name: str,
    *,
    sources: str | Iterable[str],
    note: str | None = None,
    boundary_layers: Iterable[str] = (),
    dpi: int = FIGURE_DPI,
) -> None:
    """Add the source footnote to a figure, save it as ``<name>.png``, display it, close it.

    Parameters
    ----------
    fig:
        A matplotlib figure.
    name:
        File name without suffix, unique within the notebook.
    sources:
        Catalog ids of the data shown (added to any the figure already carries, e.g. a map's
        boundary layer). ``[]`` only with a ``note`` saying what the figure is. Boundary layers
        among them are credited only if drawn (``boundary_layers``).
    note:
        Text added after the sources (a caveat, or what a source-free figure shows).
    boundary_layers:
        Catalog ids of the boundary layers the figure draws (a map made without
        :func:`workbench.report.viz.choropleth`).
    dpi:
        Resolution of the PNG (200 by default: print quality).

    The PNG goes to ``figures/<name>.png`` of :func:`output_dir` (nowhere when that is None).
    """
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise ParameterError(f"save_figure {name!r}: expected a matplotlib Figure, found {type(fig).__name__}")
    what = f"figure {name!r}"
    ids = _source_ids(sources, what)
    layers = _source_ids(list(boundary_layers), what) or []
    meta = fig.__dict__.get("_workbench_sources", {"sources": [], "notes": [], "layers": []})
    all_ids = list(dict.fromkeys([*meta["sources"], *(ids or []), *layers]))
    drawn = list(dict.fromkeys([*meta.get("layers", []), *layers]))
    notes = [*meta["notes"], *([note] if note else [])]
    footnote = footnote_text(all_ids, notes, drawn, what=what)
    _claim("figure", name)
    _draw_footnote(fig, footnote)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", facecolor="white")
    png = buffer.getvalue()
    folder = output_dir()
    if folder is not None:
        figures = folder / "figures"
        figures.mkdir(parents=True, exist_ok=True)
        path = figures / f"{name}.png"
        path.write_bytes(png)
        _record(folder, {"kind": "figure", "name": name, "files": [str(path.relative_to(folder))],
                         "sources": all_ids, "footnote": footnote})
    try:
        from IPython.display import Image

        _display(Image(data=png, format="png", width=_screen_width(png, dpi)))
    except ImportError:  # pragma: no cover
        pass
    import matplotlib.pyplot as plt

    plt.close(fig)


def _screen_width(png: bytes, dpi: int) -> int:
    """The width to show a PNG at, in CSS pixels: its size at :data:`SCREEN_DPI` (from the PNG header)."""
    pixels = int.from_bytes(png[16:20], "big")
    return max(1, round(pixels * SCREEN_DPI / dpi))


def read_records(folder: Path) -> list[dict[str, Any]]:
    """The output records a notebook wrote into ``folder`` (empty when none)."""
    path = folder / RECORD_FILE
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
