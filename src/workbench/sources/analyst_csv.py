"""An analyst's CSV file read as text: encoding and delimiter detected, every cell kept as written.

Spreadsheets save "CSV" in many ways: comma- or semicolon-separated (Excel in locales with a
decimal comma), tab-separated ("Unicode text": UTF-16), with or without a byte-order mark, in
Windows-1252 when saved as plain "CSV". :func:`read_analyst_csv` reads all of these and refuses the
rest with a :class:`~workbench.errors.DataValidationError` that names the file, the row and the
column and says what was found against what was expected.

* **Encoding**: UTF-8 (a UTF-8 byte-order mark is dropped); UTF-16 when the file starts with its
  byte-order mark; only when the bytes are not UTF-8, Windows-1252 (cp1252), else Latin-1, said in
  a note. A workbook (``.xlsx``, ``.xls``) saved under a ``.csv`` name, NUL bytes (UTF-16 without
  a byte-order mark) and an empty file are refused.
* **Delimiter**: one of comma, semicolon, tab or pipe: :class:`csv.Sniffer` (restricted to these)
  proposes one, and the header decides: the delimiter that splits the header into the most of the
  format's column names wins (the sniffed one on a tie). A header that names none of them with any
  delimiter is refused, quoting the header.
* **Rows**: the first non-blank line is the header; data rows are numbered from 1 (the header not
  counted; a blank row keeps its number and is left out). A row with more or fewer cells than the
  header, a duplicated or empty header name and broken quoting are refused.

Each note (an encoding other than UTF-8, a delimiter other than the comma) is in
``attrs["read_notes"]``; commands print them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from workbench.errors import DataValidationError

DELIMITERS: dict[str, str] = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
#: How much of the file :class:`csv.Sniffer` looks at.
SNIFF_CHARS = 16_384
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"), (b"\xff\xfe", "utf-16", "UTF-16"),
         (b"\xfe\xff", "utf-16", "UTF-16"))
_WORKBOOKS = ((b"PK\x03\x04", "a zip archive, probably an Excel workbook (.xlsx)"),
              (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)"))
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t\f\v]*(?:\r\n|\r|\n))*")
_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (comma delimited)'"


def read_analyst_csv(path: str | Path, columns: Sequence[str]) -> pd.DataFrame:
    """Read an analyst's CSV file as text cells.

    Parameters
    ----------
    path:
        The file.
    columns:
        The column names of its format (to choose the delimiter; not checked here).

    Returns
    -------
    DataFrame
        The header's columns (names stripped), cells stripped, as ``string``; index ``row`` = data
        row number (1-based); rows whose every cell is empty are left out. ``attrs``: ``encoding``,
        ``delimiter`` and ``read_notes`` (a list of sentences naming the file).

    Raises
    ------
    DataValidationError
        A file that is missing, empty, not text, not CSV, or whose rows do not fit its header.
    """
    p = Path(path)
    file = str(p)
    if not p.is_file():
        raise DataValidationError(file, "file not found")
    text, encoding, notes = _decode(p.read_bytes(), file)
    _refuse_nul(text, file)
    lines = _LEADING_BLANK_LINES.sub("", text, count=1)
    if not lines.strip():
        raise DataValidationError(file, "the file holds no header row (only blank lines): expected the columns "
                                        f"{list(columns)}")
    delimiter = _delimiter(lines, columns, file)
    if delimiter != ",":
        notes.append(f"{file}: read as {DELIMITERS[delimiter]}-separated values")
    header, rows = _records(lines, delimiter, file)
    table = _frame(header, rows, file)
    table.attrs.update(encoding=encoding, delimiter=delimiter, read_notes=notes)
    return table


def _decode(data: bytes, file: str) -> tuple[str, str, list[str]]:
    """The text, the encoding used, and the notes about it."""
    if not data:
        raise DataValidationError(file, "the file is empty (0 bytes): expected a header row and data rows")
    for magic, what in _WORKBOOKS:
        if data.startswith(magic):
            raise DataValidationError(file, f"not a CSV file but {what}: {_SAVE_AS}")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise DataValidationError(file, f"starts with a {label} byte-order mark but is not {label} text "
                                                f"({exc.reason} at byte {exc.start}): {_SAVE_AS}") from None
            return text, codec, ([] if codec == "utf-8-sig" else [f"{file}: read as {label} (byte-order mark)"])
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        where = f"byte 0x{data[exc.start]:02x} at line {line}"
    try:
        text, codec, label = data.decode("cp1252"), "cp1252", "Windows-1252 (cp1252)"
    except UnicodeDecodeError:
        text, codec, label = data.decode("latin-1"), "latin-1", "Latin-1 (ISO 8859-1)"
    return text, codec, [f"{file}: not UTF-8 ({where}), read as {label}: check accented letters, or {_SAVE_AS}"]


def _refuse_nul(text: str, file: str) -> None:
    at = text.find("\x00")
    if at >= 0:
        line = text.count("\n", 0, at) + 1
        raise DataValidationError(file, f"holds NUL characters (first at line {line}): UTF-16 or UTF-32 text without a "
                                        f"byte-order mark, or not a text file; {_SAVE_AS}")


def _delimiter(text: str, columns: Sequence[str], file: str) -> str:
    """The delimiter that splits the header into the most known column names (the sniffed one on a tie)."""
    try:
        sniffed = csv.Sniffer().sniff(text[:SNIFF_CHARS], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ","
    header_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    known = set(columns)
    candidates = [sniffed, *(d for d in DELIMITERS if d != sniffed)]
    scores = {d: sum(cell.strip() in known for cell in next(csv.reader([header_line], delimiter=d)))
              for d in candidates}
    best = max(candidates, key=lambda d: scores[d])  # max keeps the first of equals: the sniffed one
    if scores[best] == 0:
        shown = header_line if len(header_line) <= 120 else header_line[:117] + "..."
        raise DataValidationError(file, f"the header names none of the format's columns, whichever delimiter "
                                        f"(comma, semicolon, tab, pipe) is used: found {shown!r}; expected the "
                                        f"columns {list(columns)} (see the template in data/templates/ or "
                                        "data/policy/)")
    return best


def _records(text: str, delimiter: str, file: str) -> tuple[list[str], list[list[str]]]:
    """The header's cells and every data record (blank records as empty lists)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    records: list[list[str]] = []
    first_line = 1  # of the record being read
    try:
        for record in reader:
            records.append(record)
            first_line = reader.line_num + 1
    except csv.Error as exc:
        unclosed = "end of data" in str(exc)
        hint = ("a quote '\"' opened in this row is never closed" if unclosed else
                "text after a closing quote: quote the whole cell and double each quote inside it (\"\")")
        cell = _bad_quote_cell("".join(_LINE.findall(text)[first_line - 1:]), delimiter)
        header = [c.strip() for c in records[0]] if records else []
        raise DataValidationError(file, f"not readable as CSV at line {reader.line_num} ({exc}): {hint}",
                                  row=len(records) if records else None,
                                  column=header[cell] if cell is not None and cell < len(header) else None) from None
    header = [c.strip() for c in records[0]]
    return header, records[1:]


def _bad_quote_cell(record: str, delimiter: str) -> int | None:
    """Index of the cell whose quoting breaks (a quote never closed, text after a closing quote)."""
    cell, quoted, closed, at_start = 0, False, False, True
    for ch in record:
        if quoted:
            quoted, closed = ch != '"', ch == '"'
        elif closed:
            if ch == '"':  # a doubled quote inside a quoted cell
                quoted, closed = True, False
            elif ch == delimiter:
                cell, closed, at_start = cell + 1, False, True
            elif ch in "\r\n":
                return None
            else:
                return cell
        elif ch == '"' and at_start:
            quoted, at_start = True, False
        elif ch == delimiter:
            cell, at_start = cell + 1, True
        elif ch in "\r\n":
            return None
        else:
            at_start = False
    return cell if quoted else None


def _frame(header: list[str], rows: list[list[str]], file: str) -> pd.DataFrame:
    for i, name in enumerate(header, start=1):
        if not name:
            raise DataValidationError(file, f"the header's cell {i} is empty (a stray delimiter at the end of the "
                                            "header?): remove the empty column")
        if name in header[: i - 1]:
            raise DataValidationError(file, f"the header names this column twice (cells {header.index(name) + 1} "
                                            f"and {i})", column=name)
    problems = []
    for number, cells in enumerate(rows, start=1):
        if cells and len(cells) != len(header) and any(c.strip() for c in cells):
            many = len(cells) > len(header)
            found = f"{len(cells)} cell{'s' * (len(cells) != 1)} but the header has {len(header)} columns"
            problems.append({"row": number, "column": header[-1] if many else header[len(cells)], "value": None,
                             "problem": found + (": cells after the last column (a delimiter inside a cell that is "
                                                 "not quoted?)" if many else ": cells missing from this column on (or "
                                                 "a line break inside a cell that is not quoted?)")})
    if problems:
        first = problems[0]
        raise DataValidationError(file, str(first["problem"]), row=first["row"], column=str(first["column"]),
                                  failure_cases=pd.DataFrame(problems))
    data = {name: pd.array([(cells[i].strip() if i < len(cells) else "") for cells in rows], dtype="string")
            for i, name in enumerate(header)}
    out = pd.DataFrame(data, index=pd.RangeIndex(1, len(rows) + 1, name="row"))
    return out[~out.eq("").all(axis=1)]
