"""One error family for the workbench.

Every error is written for an analyst: it names the file, the row and the column
(or the data set, the unit, the parameter) and says what was expected against what
was found. The command line prints the message, not a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas costs a quarter of a second to import: `workbench --help` must not pay it
    import pandas as pd

#: NumPy scalars as ``repr`` shows them since NumPy 2 (``np.int64(1900)``, ``np.str_('KP')``, ``np.True_``).
_NUMPY_SCALAR = re.compile(
    r"""np\.(?:u?int\d*|float\d*|longdouble|complex\d*)\((?P<number>[^()]*)\)"""
    r"""|np\.(?:str_|bytes_)\((?P<text>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\)"""
    r"""|np\.(?P<bool>True|False)_"""
)


def plain_numbers(text: str) -> str:
    """``text`` with NumPy scalar reprs written as plain values: ``np.int64(1900)`` reads ``1900``.

    >>> plain_numbers("year np.int64(1900) not in (np.int64(1989), np.int64(2021)); np.str_('KP'), np.True_")
    "year 1900 not in (1989, 2021); 'KP', True"
    """
    return _NUMPY_SCALAR.sub(lambda m: next(g for g in m.group("number", "text", "bool") if g is not None), text)


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose.

    A message is for an analyst: NumPy scalars in it read as plain numbers (:func:`plain_numbers`),
    whichever module formatted it.
    """

    def __init__(self, *args: object) -> None:
        if args and isinstance(args[0], str):
            args = (plain_numbers(args[0]), *args[1:])
        super().__init__(*args)


class DataValidationError(WorkbenchError):
    """A table broke a rule of its schema.

    Parameters
    ----------
    file:
        The file that was read (or a label for an in-memory table).
    message:
        What is wrong, in words.
    row, column:
        Where: the row (1-based data row, or an id such as ``event id 1234``) and column.
    failure_cases:
        Optional frame with one row per offending cell (file, row, column, value, check).
    """

    def __init__(
        self,
        file: str | Path | None,
        message: str,
        *,
        row: object | None = None,
        column: str | None = None,
        failure_cases: pd.DataFrame | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.failure_cases = failure_cases
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        text = f"{prefix}: {message}" if prefix else message
        if failure_cases is not None and len(failure_cases) > 1:
            shown = failure_cases.head(10).to_string(index=False)
            more = len(failure_cases) - 10
            text += f"\n{len(failure_cases)} problems in all; the first:\n{shown}"
            if more > 0:
                text += f"\n... and {more} more"
        super().__init__(text)
        self.message_text = str(self.args[0])


class UnknownUnitError(WorkbenchError):
    """A place name that the unit registry does not know."""

    def __init__(self, source: str, name: str, *, row: object | None = None, column: str | None = None,
                 level: str | None = None, suggestions: list[str] | None = None) -> None:
        self.source, self.name, self.row, self.column, self.level = source, name, row, column, level
        parts = [f"source {source}"]
        if row is not None:
            parts.append(f"row {row}")
        if column is not None:
            parts.append(f"column '{column}'")
        what = f"{level} name" if level else "unit name"
        text = f"{', '.join(parts)}: unknown {what} {name!r}"
        if suggestions:
            text += f" (did you mean: {', '.join(repr(s) for s in suggestions)}?)"
        text += ". Add it to data/geo/aliases.csv if it is a spelling of a known unit."
        super().__init__(text)


class ChecksumError(WorkbenchError):
    """A data file whose sha256 differs from the catalog's."""

    def __init__(self, dataset_id: str, path: Path, expected: str, found: str) -> None:
        self.dataset_id, self.path, self.expected, self.found = dataset_id, path, expected, found
        super().__init__(
            f"data set '{dataset_id}': file {path} has sha256 {found}, but the catalog expects {expected}. "
            "The file was altered or is another version; restore the published file (data/raw/ is never modified: "
            "`git checkout -- data/raw` restores a shipped one) "
            "or, if a new version is intended, register it in data/catalog.yaml."
        )


class DataSetMissingError(WorkbenchError):
    """A data set found neither in the override folder, data/raw/, the cache nor at its publisher."""


class ParameterError(WorkbenchError):
    """A bad parameter or option: names the parameter and the allowed values."""


class CatalogError(WorkbenchError):
    """The catalog file itself is malformed."""
