"""Small text helpers shared by tables and messages."""

from __future__ import annotations

from collections.abc import Iterable


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
