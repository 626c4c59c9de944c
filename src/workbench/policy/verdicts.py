"""Verdict rules of the claims audit: pure functions from numbers to a verdict and its reason.

A compound claim ("the abatement ... from its peak in 2014": a peak, and a decline after it) is
judged part by part and its verdict derived by :func:`combine_parts`.

Each rule states its threshold in its arguments (what "approximately" means, how much decline is
"considerable", ...); the procedures (:mod:`workbench.policy.procedures`) choose the rule and the
numbers for each claim.
The verdicts are ``supported``, ``not supported``, ``mixed`` and ``cannot be tested with available
data``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import ParameterError

Verdict = Literal["supported", "not supported", "mixed", "cannot be tested with available data"]
SUPPORTED: Verdict = "supported"
NOT_SUPPORTED: Verdict = "not supported"
MIXED: Verdict = "mixed"
CANNOT: Verdict = "cannot be tested with available data"
VERDICTS: tuple[str, ...] = (SUPPORTED, NOT_SUPPORTED, MIXED, CANNOT)


@dataclass(frozen=True)
class Judgement:
    """A verdict and the sentence that says why (which rule, with which numbers)."""

    verdict: Verdict
    reason: str


def percent_text(x: float) -> str:
    """A share as a percentage with one decimal: ``0.4363`` -> ``"43.6%"``."""
    return f"{100 * x:.1f}%"


def rule_approx(observed: float, expected: float, tolerance: float) -> Judgement:
    """``supported`` when ``observed`` is within ``tolerance`` (relative) of ``expected``.

    Examples
    --------
    >>> rule_approx(43.6, 42, 0.05).verdict
    'supported'
    >>> rule_approx(39.6, 42, 0.05).verdict
    'not supported'
    """
    if expected == 0 or not np.isfinite(observed):
        return Judgement(CANNOT, "no finite observed value, or an expected value of zero")
    diff = (observed - expected) / abs(expected)
    ok = abs(diff) <= tolerance + 1e-12
    return Judgement(SUPPORTED if ok else NOT_SUPPORTED,
                     f"{observed:,.4g} is {diff:+.1%} from {expected:,.4g}; tolerance ±{tolerance:.0%}")


def rule_approx_all(observed: Sequence[float], expected: float, tolerance: float) -> Judgement:
    """Several independent observations of one figure: all within tolerance ``supported``, none
    ``not supported``, some ``mixed``.

    Examples
    --------
    >>> rule_approx_all([73.0, 73.7], 74, 0.02).verdict
    'supported'
    >>> rule_approx_all([70.0, 73.7], 74, 0.02).verdict
    'mixed'
    """
    values = [float(v) for v in observed if np.isfinite(v)]
    if not values:
        return Judgement(CANNOT, "no independent observation")
    ok = [rule_approx(v, expected, tolerance).verdict == SUPPORTED for v in values]
    verdict = SUPPORTED if all(ok) else NOT_SUPPORTED if not any(ok) else MIXED
    shown = ", ".join(f"{v:g}" for v in values)
    return Judgement(verdict, f"{sum(ok)} of {len(values)} observations ({shown}) within ±{tolerance:.0%} "
                              f"of {expected:g}")


def rule_lower_bound_approx(lower_bound: float, expected: float, tolerance: float) -> Judgement:
    """A figure checked against a measure that can only be smaller (deaths for casualties).

    Above the figure by more than the tolerance: ``not supported`` (the part alone exceeds the
    whole). Within the tolerance: ``mixed`` (right only if the figure counts the part alone).
    Below: ``cannot be tested`` (consistent, but the missing part would be needed to confirm it).

    Examples
    --------
    >>> rule_lower_bound_approx(24052, 11862, 0.05).verdict
    'not supported'
    >>> rule_lower_bound_approx(6000, 11862, 0.05).verdict
    'cannot be tested with available data'
    """
    if expected <= 0 or not np.isfinite(lower_bound):
        return Judgement(CANNOT, "no finite lower bound, or a non-positive figure")
    diff = (lower_bound - expected) / expected
    if diff > tolerance:
        return Judgement(NOT_SUPPORTED, f"the lower bound {lower_bound:,.0f} alone exceeds {expected:,.0f} by "
                                        f"{diff:.0%} (more than the ±{tolerance:.0%} tolerance)")
    if diff >= -tolerance:
        return Judgement(MIXED, f"the lower bound {lower_bound:,.0f} matches {expected:,.0f} ({diff:+.1%}): right "
                                "only if the figure counts what the lower bound counts")
    return Judgement(CANNOT, f"the lower bound {lower_bound:,.0f} is {-diff:.0%} below {expected:,.0f}: "
                             "consistent with the figure, but the part the data lack would be needed to confirm it")


def rule_at_least(observed: float, threshold: float, *, strict: bool = True) -> Judgement:
    """``supported`` when ``observed`` exceeds (``strict``) or reaches ``threshold``.

    Examples
    --------
    >>> rule_at_least(15000, 28000).verdict
    'not supported'
    """
    if not np.isfinite(observed):
        return Judgement(CANNOT, "no finite observed value")
    ok = observed > threshold if strict else observed >= threshold
    word = "more than" if strict else "at least"
    return Judgement(SUPPORTED if ok else NOT_SUPPORTED,
                     f"{observed:,.0f} is {'' if ok else 'not '}{word} {threshold:,.0f}")


def rule_share_above(part: float, whole: float, threshold: float) -> Judgement:
    """``supported`` when ``part / whole`` is more than ``threshold`` ("most of": 0.5).

    Examples
    --------
    >>> rule_share_above(60, 100, 0.5).verdict
    'supported'
    """
    if not whole or not np.isfinite(part) or not np.isfinite(whole):
        return Judgement(CANNOT, "the total is zero or missing")
    share = part / whole
    ok = share > threshold
    return Judgement(SUPPORTED if ok else NOT_SUPPORTED,
                     f"share {percent_text(share)} ({part:,.0f} of {whole:,.0f}) is {'' if ok else 'not '}more than "
                     f"{percent_text(threshold)}")


def ranked(values: pd.Series, highest_first: bool) -> pd.Series:
    """Ranks 1..n (ties share the best rank), highest or lowest value first."""
    return values.rank(ascending=not highest_first, method="min")


def rule_rank(values: Mapping[str, float] | pd.Series, target: str, expected_rank: int, *,
              highest_first: bool = True) -> Judgement:
    """``supported`` when ``target`` holds ``expected_rank`` (1 = highest, or lowest when
    ``highest_first`` is False). The reason names the units ranked before it.

    Ties share the better rank (``min``) and are named in the reason. "Second after X" is two
    parts (:func:`rule_top_units` for X, this rule for the rank).

    Examples
    --------
    >>> rule_rank({"A": 3.0, "B": 1.0, "C": 2.0}, "C", 2).verdict
    'supported'
    >>> rule_rank({"A": 3.0, "B": 1.0, "C": 2.0}, "B", 1, highest_first=False).verdict
    'supported'
    """
    s = pd.Series(values, dtype="float64")
    if target not in s.index:
        raise ParameterError(f"target {target!r} is not among the compared units {list(s.index)}")
    if s.isna().any():
        return Judgement(CANNOT, f"no value for {', '.join(map(str, s.index[s.isna()]))}")
    ranks = ranked(s, highest_first)
    got = int(ranks[target])
    ok = got == expected_rank
    before = list(s.index[ranks < got][ranks[ranks < got].argsort(kind="stable")])
    ties = sorted(set(s.index[(ranks == got)]) - {target})
    side = "highest" if highest_first else "lowest"
    reason = f"{target} ranks {got} of {len(s)} ({side} first), expected {expected_rank}"
    if before:
        reason += f"; ranked before it: {', '.join(before)}"
    if ties:
        reason += f"; tied with {', '.join(ties)}"
    return Judgement(SUPPORTED if ok else NOT_SUPPORTED, reason)


def rule_rank_order(values: Mapping[str, float] | pd.Series, expected_order: Sequence[str],
                    min_concordance: float) -> Judgement:
    """Compare the order of ``values`` (highest first) with ``expected_order`` pair by pair.

    All pairs in the expected order: ``supported``; at least ``min_concordance`` of them:
    ``mixed``; fewer: ``not supported``. A tie agrees with no order.

    Examples
    --------
    >>> rule_rank_order({"A": 3, "B": 2, "C": 1}, ["A", "B", "C"], 0.5).verdict
    'supported'
    >>> rule_rank_order({"A": 3, "B": 1, "C": 2}, ["A", "B", "C"], 0.5).verdict
    'mixed'
    """
    s = pd.Series(values, dtype="float64")
    missing = [u for u in expected_order if u not in s.index or pd.isna(s[u])]
    if missing:
        return Judgement(CANNOT, f"no value for {', '.join(missing)}")
    pairs = list(itertools.combinations(expected_order, 2))
    agree = [a for a, b in pairs if s[a] > s[b]]
    share = len(agree) / len(pairs) if pairs else 1.0
    verdict = SUPPORTED if share == 1 else MIXED if share >= min_concordance else NOT_SUPPORTED
    observed = " > ".join(s.loc[list(expected_order)].sort_values(ascending=False, kind="stable").index)
    return Judgement(verdict, f"{len(agree)} of {len(pairs)} pairs in the stated order; observed order {observed}")


def rule_top_units(values: Mapping[str, float] | pd.Series, named: Sequence[str], k: int, *,
                   what: str = "value") -> Judgement:
    """"``named`` have the highest ``what``": the ``k`` highest of ``values`` against the units named.

    The top ``k`` (ties share the better rank, so a tie can widen it) are exactly ``named``:
    ``supported``; some of ``named`` are among them: ``mixed``; none: ``not supported``.

    Examples
    --------
    >>> rule_top_units({"A": 9, "B": 8, "C": 1}, ["A", "B"], 2).verdict
    'supported'
    >>> rule_top_units({"A": 9, "B": 1, "C": 4}, ["A", "B"], 2).verdict
    'mixed'
    >>> rule_top_units({"A": 1, "B": 2, "C": 4, "D": 5}, ["A", "B"], 2).verdict
    'not supported'
    """
    s = pd.Series(values, dtype="float64")
    if s.isna().any():
        return Judgement(CANNOT, f"no {what} for {', '.join(map(str, s.index[s.isna()]))}")
    top = set(s.index[ranked(s, True) <= k])
    want = set(named)
    verdict = SUPPORTED if top == want else MIXED if top & want else NOT_SUPPORTED
    return Judgement(verdict, f"top {k} by {what}: {', '.join(sorted(top))} (stated: {', '.join(sorted(want))})")


def _highest_text(s: pd.Series) -> str:
    top = s.max()
    return f"{', '.join(str(int(y)) for y in s.index[s == top])} ({top:,.0f})"


def rule_peak_year(series: Mapping[int, float] | pd.Series, peak_year: int) -> Judgement:
    """"Its peak in ``peak_year``": a peak is a maximum.

    ``supported``: ``peak_year`` holds the highest value of the series (a year tied with it is
    named). Otherwise ``not supported``, and a local maximum (above both neighbouring years) is
    reported as one, with the true maximum's year and value. ``cannot be tested``: the series
    does not hold ``peak_year``.

    Examples
    --------
    >>> rule_peak_year({2013: 5, 2014: 9, 2015: 4}, 2014).verdict
    'supported'
    >>> j = rule_peak_year({2010: 12, 2013: 5, 2014: 9, 2015: 4}, 2014)
    >>> j.verdict, "local maximum" in j.reason
    ('not supported', True)
    """
    s = pd.Series(series, dtype="float64").dropna().sort_index()
    if peak_year not in s.index:
        return Judgement(CANNOT, f"no value for {peak_year}, the stated peak")
    value, top = s[peak_year], s.max()
    if value == top:
        ties = [int(y) for y in s.index[s == top] if y != peak_year]
        tied = f" (tied with {', '.join(map(str, ties))})" if ties else ""
        return Judgement(SUPPORTED, f"{peak_year} ({value:,.0f}) is the highest year of "
                                    f"{int(s.index.min())}-{int(s.index.max())}{tied}")
    local = value > s.get(peak_year - 1, -np.inf) and value > s.get(peak_year + 1, -np.inf)
    what = "a local maximum, not the maximum" if local else "not a maximum"
    return Judgement(NOT_SUPPORTED, f"{peak_year} ({value:,.0f}) is {what}: the highest year of "
                                    f"{int(s.index.min())}-{int(s.index.max())} is {_highest_text(s)}")


def rule_decline_from(series: Mapping[int, float] | pd.Series, year: int) -> Judgement:
    """"The abatement from ``year``": the series' last year is below ``year``'s value.

    Examples
    --------
    >>> rule_decline_from({2014: 9, 2015: 7, 2017: 4}, 2014).verdict
    'supported'
    >>> rule_decline_from({2014: 9, 2017: 9}, 2014).verdict
    'not supported'
    """
    s = pd.Series(series, dtype="float64").dropna().sort_index()
    if year not in s.index or s.index.max() <= year:
        return Judgement(CANNOT, f"no value for {year} and a later year")
    first, last, last_year = s[year], s.iloc[-1], int(s.index[-1])
    change = (last - first) / first if first else np.nan
    ok = last < first
    shown = f" ({change:+.0%})" if np.isfinite(change) else ""
    return Judgement(SUPPORTED if ok else NOT_SUPPORTED,
                     f"{year} {first:,.0f} to {last_year} {last:,.0f}{shown}: {'' if ok else 'no '}decline")


def rule_decline(first: float, last: float, *, considerable: float | None) -> Judgement:
    """A decline from ``first`` to ``last``; with ``considerable`` the fall must reach that share.

    Examples
    --------
    >>> rule_decline(400, 90, considerable=0.25).verdict
    'supported'
    >>> rule_decline(400, 350, considerable=0.25).verdict
    'mixed'
    """
    if not first or not np.isfinite(first) or not np.isfinite(last):
        return Judgement(CANNOT, "the first value is zero or missing")
    change = (last - first) / first
    if change >= 0:
        verdict = NOT_SUPPORTED
    elif considerable is None or -change >= considerable:
        verdict = SUPPORTED
    else:
        verdict = MIXED
    need = f"; a considerable fall is at least {considerable:.0%}" if considerable is not None else ""
    return Judgement(verdict, f"{first:,.0f} to {last:,.0f} ({change:+.0%}){need}")


def rule_share_in_range(series: Mapping[int, float] | pd.Series, low: float, high: float,
                        usually: float) -> Judgement:
    """"Usually" within ``[low, high]``: ``supported`` when more than ``usually`` of the years are.

    Examples
    --------
    >>> rule_share_in_range({2008: 30, 2009: 40, 2010: 10}, 25, 999, 0.5).verdict
    'supported'
    """
    s = pd.Series(series, dtype="float64")
    if s.empty or s.isna().any():
        return Judgement(CANNOT, "no complete yearly series")
    inside = s.between(low, high)
    share = inside.mean()
    above, below = int((s > high).sum()), int((s < low).sum())
    ok = share > usually
    return Judgement(SUPPORTED if ok else NOT_SUPPORTED,
                     f"{int(inside.sum())} of {len(s)} years within {low:g}-{high:g} ({percent_text(share)}; "
                     f"{below} below, {above} above); 'usually' means more than {percent_text(usually)}")


def combine_readings(verdicts: Mapping[str, str]) -> Judgement:
    """The verdict over the admissible readings of a claim.

    The readings that can be tested decide: all agree, that verdict; they differ, ``mixed``;
    none can be tested, ``cannot be tested``.

    Examples
    --------
    >>> combine_readings({"15-29": "not supported", "0-24": "supported"}).verdict
    'mixed'
    """
    testable = {k: v for k, v in verdicts.items() if v != CANNOT}
    if not testable:
        return Judgement(CANNOT, "no reading can be tested")
    kinds = set(testable.values())
    if len(kinds) == 1:
        return Judgement(kinds.pop(), f"all {len(testable)} readings agree")
    parts = "; ".join(f"{k}: {v}" for k, v in testable.items())
    return Judgement(MIXED, f"the verdict depends on the reading ({parts})")


def combine_parts(verdicts: Mapping[str, str]) -> Judgement:
    """The verdict of a compound claim from the verdicts of its parts (a claim holds when every part does).

    Every part ``supported``: ``supported``. The parts that can be tested all ``not supported``:
    ``not supported`` (one false part is enough, whatever the others). Those that can be tested
    all ``supported`` but some cannot be tested: ``cannot be tested`` (the claim is not
    confirmed). None can be tested: ``cannot be tested``. Otherwise (the parts disagree, or a part
    is itself ``mixed``): ``mixed``.

    Examples
    --------
    >>> combine_parts({"peak": "not supported", "decline": "supported"}).verdict
    'mixed'
    >>> combine_parts({"peak": "supported", "decline": "supported"}).verdict
    'supported'
    >>> combine_parts({"peak": "not supported", "decline": "cannot be tested with available data"}).verdict
    'not supported'
    """
    if not verdicts:
        raise ParameterError("a compound claim needs at least one part")
    parts = "; ".join(f"{k}: {v}" for k, v in verdicts.items())
    testable = {v for v in verdicts.values() if v != CANNOT}
    if not testable:
        return Judgement(CANNOT, f"no part can be tested ({parts})")
    if testable == {SUPPORTED}:
        if CANNOT not in verdicts.values():
            return Judgement(SUPPORTED, f"every part holds ({parts})")
        return Judgement(CANNOT, f"the parts that can be tested hold, the others cannot be tested ({parts})")
    if testable == {NOT_SUPPORTED}:
        return Judgement(NOT_SUPPORTED, f"no part that can be tested holds ({parts})")
    return Judgement(MIXED, f"the parts disagree ({parts})")
