"""Colour classes for maps of skewed values: a class of zeros, then quantiles of the rest.

A linear colour scale on a count where one district has a hundred times the deaths of the median
paints every other district alike. :func:`quantile_classes` puts the units into classes of about
equal size instead (quantiles of the positive values, zeros in a class of their own), and labels
each class by the smallest and largest value it really holds, so the legend states the classes.

>>> c = quantile_classes([0, 0, 1, 2, 3, 10, 40, 900], k=3)
>>> c.labels
['0', '1–2', '3–10', '40–900']
>>> c.assign([0, 2, 900]).tolist()
[0, 1, 3]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from workbench.errors import ParameterError
from workbench.formatting import decimals_for, format_number


@dataclass(frozen=True)
class Classes:
    """Map classes: upper bounds (inclusive, ascending), one label per class, and how they were made."""

    uppers: tuple[float, ...]
    labels: list[str]
    description: str

    def assign(self, values: Iterable[float]) -> np.ndarray:
        """The class index of each value (-1 for a missing value)."""
        x = np.asarray(list(values), dtype=float)
        index = np.searchsorted(np.asarray(self.uppers), x, side="left")
        index = np.minimum(index, len(self.uppers) - 1)
        return np.where(np.isnan(x), -1, index)


def quantile_classes(values: Iterable[float], *, k: int = 5, what: str = "units") -> Classes:
    """Up to ``k`` quantile classes of the positive values, with zeros (if any) as a class of their own.

    Parameters
    ----------
    values:
        The mapped values (missing ones are ignored; negative values are not allowed).
    k:
        Classes of the positive values (fewer when values repeat).
    what:
        What the values belong to, for the description (``"districts"``).
    """
    x = np.asarray([v for v in values if v is not None], dtype=float)
    x = x[~np.isnan(x)]
    if not isinstance(k, int) or k < 1:
        raise ParameterError(f"k must be a whole number of classes, 1 or more; got {k!r}")
    if x.size == 0:
        raise ParameterError("no value to put into classes: every unit is missing")
    if (x < 0).any():
        raise ParameterError(f"quantile classes take values of 0 or more; found {x.min():g}")
    positive = np.sort(x[x > 0])
    uppers: list[float] = []
    groups: list[np.ndarray] = []
    if (x == 0).any():
        uppers.append(0.0)
        groups.append(np.array([0.0]))
    if positive.size:
        cuts = np.unique(np.quantile(positive, np.linspace(0, 1, k + 1)[1:], method="inverted_cdf"))
        lower = 0.0
        for cut in cuts:
            members = positive[(positive > lower) & (positive <= cut)]
            if members.size:
                uppers.append(float(cut))
                groups.append(members)
            lower = cut
    decimals = 0 if np.all(x == np.round(x)) else decimals_for(positive)
    labels = [_range_label(g, decimals) for g in groups]
    n_classes = len(groups) - int((x == 0).any())
    zero_text = "0 in a class of its own, then " if (x == 0).any() else ""
    description = (f"Classes: {zero_text}{n_classes} quantile class{'es' if n_classes != 1 else ''} of the "
                   f"{positive.size} {what} with a value above 0 (each class labelled by the values it holds)")
    return Classes(uppers=tuple(uppers), labels=labels, description=description)


def _range_label(members: np.ndarray, decimals: int) -> str:
    low, high = format_number(members.min(), decimals), format_number(members.max(), decimals)
    return low if low == high else f"{low}–{high}"
