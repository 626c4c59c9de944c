"""Small text helpers shared by tables and messages: year ranges, numbers for readers, safe cells.

Numbers for readers never use scientific notation and never show more than four decimals: a
count is a whole number with thousands separators, a share a percentage, a p-value ``<0.001``
below a thousandth, and a value too small for the column's decimals ``<0.01`` (or ``>-0.01``).

>>> format_count(32992.0), format_share(0.2614), format_p_value(2.2e-05), format_number(702717800.4, 0)
('32,992', '26.1%', '<0.001', '702,717,800')
"""

from __future__ import annotations

import math
from collections.abc import Iterable

#: Most decimals a number is ever shown with.
MAX_DECIMALS = 4
#: What a missing value is shown as.
MISSING = "–"
#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def year_ranges(years: Iterable[int]) -> str:
    """Years as compact ranges: ``[1998, 1999, 2000, 2004]`` -> ``"1998-2000, 2004"``."""
    ys = sorted({int(y) for y in years})
    out: list[str] = []
    start = prev = None
    for y in ys:
        if start is None:
            start = prev = y
        elif y == prev + 1:
            prev = y
        else:
            out.append(f"{start}-{prev}" if start != prev else f"{start}")
            start = prev = y
    if start is not None:
        out.append(f"{start}-{prev}" if start != prev else f"{start}")
    return ", ".join(out)


# --------------------------------------------------------------------------- numbers


def _missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA compare unequal (or raise)
    except (TypeError, ValueError):
        return True


def decimals_for(values: Iterable[float]) -> int:
    """Decimals that give the typical value of a column three significant digits (0 to 4).

    The typical value is the median magnitude of the finite non-zero values; a column without
    one gets 2.

    >>> decimals_for([6.97, 4.89, 52.9]), decimals_for([702717800.0]), decimals_for([0.0217, 0.0095])
    (2, 0, 4)
    """
    sizes = sorted(abs(float(v)) for v in values if not _missing(v) and math.isfinite(float(v)) and float(v) != 0)
    if not sizes:
        return 2
    typical = sizes[len(sizes) // 2]
    return max(0, min(MAX_DECIMALS, 2 - math.floor(math.log10(typical))))


def format_number(value: float, decimals: int) -> str:
    """A number with thousands separators and ``decimals`` decimals (at most four).

    A non-zero value that would show as zero is written as a bound: ``<0.01``, ``>-0.01``.
    """
    if _missing(value):
        return MISSING
    x = float(value)
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    d = max(0, min(MAX_DECIMALS, int(decimals)))
    text = f"{x:,.{d}f}"
    if float(text.replace(",", "")) != 0:
        return text
    if x == 0:
        return text.removeprefix("-")
    bound = f"{10.0 ** -d:.{d}f}"
    return f"<{bound}" if x > 0 else f">-{bound}"


def format_count(value: float) -> str:
    """A count: a whole number with thousands separators (``32,992``)."""
    return format_number(value, 0)


def format_share(value: float, decimals: int = 1) -> str:
    """A share (a fraction of 1) as a percentage: ``0.2614`` -> ``26.1%``."""
    if _missing(value):
        return MISSING
    return f"{format_number(100 * float(value), decimals)}%"


def format_percent(value: float, decimals: int = 1) -> str:
    """A value already in percent: ``26.14`` -> ``26.1%``."""
    if _missing(value):
        return MISSING
    return f"{format_number(float(value), decimals)}%"


def format_p_value(value: float) -> str:
    """A p-value: ``<0.001`` below a thousandth, else three decimals (``0.217``)."""
    if _missing(value):
        return MISSING
    x = float(value)
    return "<0.001" if x < 0.001 else f"{min(x, 1.0):.3f}"


# --------------------------------------------------------------------------- exports


def neutralise_formula(value: object) -> object:
    """Text that a spreadsheet would run as a formula, made inert; anything else unchanged.

    A string starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe (the OWASP rule for CSV injection); it stays readable. Numbers stay numbers.

    >>> neutralise_formula("=HYPERLINK(\\"http://x\\")"), neutralise_formula(-5), neutralise_formula("Punjab")
    ('\\'=HYPERLINK("http://x")', -5, 'Punjab')
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
