"""The text of every table cell of an HTML page (for tests of what readers see)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: A number in scientific notation (``2.2e-01``, ``7.027178e+08``).
SCIENTIFIC = re.compile(r"(?<![\w.])\d(?:\.\d+)?e[+-]?\d+(?![\w.])", re.IGNORECASE)
#: A float with more than four decimals.
LONG_FLOAT = re.compile(r"(?<![\w.])\d+\.\d{5,}(?![\w.])")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth, self.cells, self.current = 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
        elif tag in ("td", "th") and self.depth:
            self.current = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif tag in ("td", "th") and self.current is not None:
            self.cells.append("".join(self.current).strip())
            self.current = None

    def handle_data(self, data):
        if self.current is not None:
            self.current.append(data)


def table_cells(page: str) -> list[str]:
    """The text of every ``<td>`` and ``<th>`` inside a ``<table>`` of ``page``."""
    parser = _Cells()
    parser.feed(page)
    return parser.cells


def unreadable_numbers(page: str) -> list[str]:
    """Cells that show a number in scientific notation or with more than four decimals."""
    return [c for c in table_cells(page) if SCIENTIFIC.search(c) or LONG_FLOAT.search(c)]
