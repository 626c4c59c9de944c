"""What the parts of the claims audit share: its parameters, one specification, one outcome, unit names.

* :class:`AuditParameters`: the thresholds and defaults of the verdict rules (``docs/claims.md``);
* :class:`Spec`: one computation of a claim (the primary specification, a reading or a
  sensitivity alternative), made by a plan (:mod:`workbench.policy.plans`);
* :class:`Outcome`: what a procedure (:mod:`workbench.policy.procedures`) gives for one spec, with
  the :class:`Part` verdicts of a compound claim and the years the source lacks;
* :data:`SHORT_NAMES` and :func:`group_label`: how units and groups of units are printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from workbench.catalog import sources_of
from workbench.errors import ParameterError
from workbench.policy.verdicts import CANNOT, Judgement, combine_parts
from workbench.sources.ucdp_panels import FIRST_YEAR as UCDP_FIRST_YEAR
from workbench.sources.ucdp_panels import LAST_YEAR as UCDP_LAST_YEAR
from workbench.sources.ucdp_panels import VIOLENCE_TYPES

ScenarioKind = Literal["primary", "reading", "measure", "period", "deaths estimate", "violence types",
                       "comparison set", "source"]
#: Specification kinds that inform without deciding or counting against robustness: another measure
#: than the one the claim states (deaths per 100,000 beside absolute deaths).
INFORMING_KINDS: tuple[str, ...] = ("measure",)
DeathsEstimate = Literal["best", "low", "high"]
#: UCDP's types of violence read as "terrorism": attacks by non-state groups, state-based battles left out.
TERRORISM_TYPES: tuple[str, ...] = ("non_state", "one_sided")
#: The source id of the policy text itself, in every result's sources.
POLICY_SOURCE = "policy:nisp2018"
#: First year with a population denominator (the 1998 census; nothing is extrapolated before it).
FIRST_POPULATION_YEAR = 1998
#: Short labels of the provinces and territories, for the printed numbers.
SHORT_NAMES: dict[str, str] = {
    "PK": "Pakistan", "PK-PB": "Punjab", "PK-SD": "Sindh", "PK-KP": "KP", "PK-TA": "FATA", "PK-BA": "Balochistan",
    "PK-IS": "ICT", "PK-GB": "GB", "PK-JK": "AJK", "division/karachi": "Karachi",
}


@dataclass(frozen=True)
class AuditParameters:
    """Thresholds and defaults of the verdict rules (documented in ``docs/claims.md``).

    Parameters
    ----------
    default_period:
        Years used for a claim that states no period: the ten years before the policy (2008-2017).
    approx_tolerance:
        Relative tolerance of "approximately"/"about" (0.05: within 5% of the stated figure).
    figure_tolerance:
        Relative tolerance of a figure printed without qualifier (0.02: rounding and press reports
        that round differently).
    considerable_decline:
        Smallest fall, first to last year, that counts as "considerable" (0.25 = 25%).
    usually_share:
        "Usually": more than this share of the years.
    order_min_concordance:
        A rank order is ``mixed`` (not ``not supported``) when at least this share of its pairs agree.
    period_shift:
        Years by which sensitivity shifts a period either way.
    """

    default_period: tuple[int, int] = (2008, 2017)
    approx_tolerance: float = 0.05
    figure_tolerance: float = 0.02
    considerable_decline: float = 0.25
    usually_share: float = 0.5
    order_min_concordance: float = 0.5
    period_shift: int = 1

    def __post_init__(self) -> None:
        start, end = self.default_period
        if not (UCDP_FIRST_YEAR <= start <= end <= UCDP_LAST_YEAR):
            raise ParameterError(f"default_period must lie within UCDP GED's {UCDP_FIRST_YEAR}-{UCDP_LAST_YEAR}; "
                                 f"got {start}-{end}")
        for name in ("approx_tolerance", "figure_tolerance", "considerable_decline", "usually_share",
                     "order_min_concordance"):
            value = getattr(self, name)
            if not 0 <= value < 1:
                raise ParameterError(f"{name} must be a fraction in [0, 1); got {value!r}")
        if not isinstance(self.period_shift, int) or not 1 <= self.period_shift <= 5:
            raise ParameterError(f"period_shift must be a whole number of years from 1 to 5; got {self.period_shift!r}")


@dataclass(frozen=True)
class Spec:
    """One computation of a claim: the primary specification or an alternative.

    ``deaths_estimate`` and ``violence_types`` select the violence panel (the notebooks' parameters);
    plans vary them only where the source offers a choice (``coverage.deaths_estimates``,
    ``coverage.breakdown``), so on any other source they stay at the defaults: its one count.
    """

    scenario: str
    kind: ScenarioKind
    description: str
    start: int | None = None
    end: int | None = None
    deaths_estimate: DeathsEstimate = "best"
    violence_types: tuple[str, ...] = VIOLENCE_TYPES
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def period(self) -> str:
        if self.start is None and self.end is None:
            return "no period"
        return f"{self.start}" if self.start == self.end else f"{self.start}-{self.end}"

    def opt(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@dataclass(frozen=True)
class Part:
    """One part of a compound claim: what it states, its own verdict and the numbers behind it."""

    name: str
    statement: str
    judgement: Judgement
    observed: str


@dataclass(frozen=True)
class Outcome:
    """What one specification gives: the verdict, the numbers and what was measured.

    ``parts``: the parts of a compound claim (the verdict is then derived from them,
    :func:`outcome_from_parts`). ``lacking``: the years (or unit-years) of the period the source
    does not give, named; ``provisional``: they could change the verdict, which is then given over
    the years covered.
    """

    judgement: Judgement
    observed: str
    numbers: pd.DataFrame
    measure_used: str
    sources: tuple[str, ...]
    parts: tuple[Part, ...] = ()
    lacking: str = ""
    provisional: bool = False


def outcome_from_parts(parts: Sequence[Part], observed: str, numbers: pd.DataFrame, measure_used: str,
                       sources: Iterable[str], *, lacking: str = "", provisional: bool = False) -> Outcome:
    """The outcome of a compound claim: its verdict derived from its parts (:func:`combine_parts`)."""
    combined = combine_parts({p.name: p.judgement.verdict for p in parts})
    judgement = Judgement(combined.verdict, f"{combined.reason} — " + "; ".join(
        f"{p.name}: {p.judgement.reason}" for p in parts))
    return Outcome(judgement, observed, numbers, measure_used, tuple(sources), tuple(parts), lacking, provisional)


def long_numbers(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Long numbers: ``item`` (a unit, group or year), ``quantity``, ``value``, ``rank``."""
    df = pd.DataFrame(list(rows), columns=["item", "quantity", "value", "rank"])
    df["value"] = pd.to_numeric(df["value"]).astype("float64")
    df["rank"] = pd.array(df["rank"], dtype="Int64")
    return df


def cannot(reason: str, measure_used: str = "none", sources: Iterable[str] = ()) -> Outcome:
    """The outcome "cannot be tested with available data", with the reason."""
    return Outcome(Judgement(CANNOT, reason), "", long_numbers([]), measure_used, tuple(sources))


def group_label(group: Sequence[str]) -> str:
    """A group of units as printed: ``KP+FATA``."""
    return "+".join(SHORT_NAMES.get(u, u) for u in group)


def frame_sources(*frames: pd.DataFrame) -> tuple[str, ...]:
    """The sources (``attrs["sources"]``) of frames, in order, once each."""
    return tuple(sources_of(*frames))
