"""Plans: which specifications each claim is computed under (primary, readings, sensitivity).

A plan is ``plan(claim, params, evidence) -> list[Spec]``; the first spec is the primary one.

* *readings*: admissible interpretations of a term the text leaves open; when they disagree the
  verdict is ``mixed``;
* *sensitivity*: alternatives that never change the verdict but are listed when theirs differs:
  the deaths estimate, the types of violence, the period, the comparison set, another layer;
* *informing measures* (kind ``measure``): the measure the claim does not state, computed beside
  the one it states (deaths per 100,000 beside absolute deaths, and the reverse): shown, with a
  note where it disagrees, never deciding and never counted against robustness.

Periods stay as written: the primary period is the claim's own (or the default window), and a
source with more years (a newer release) revises the numbers inside it, never extends it. The
alternatives are fixed by the claim too (a shift of ``period_shift`` years either way, the longest
period with data up to the claim's end or 2017), whatever the source's last year.

What a plan may vary is asked of the violence source: its years bound the alternative periods,
its deaths estimates (``coverage.deaths_estimates``) give the low/high alternatives, and its
breakdown (``coverage.breakdown``) the types-of-violence alternative. A source without them gets
no such specification.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from workbench.policy.evidence import Evidence
from workbench.policy.nisp import Claim
from workbench.policy.specs import FIRST_POPULATION_YEAR, TERRORISM_TYPES, AuditParameters, ScenarioKind, Spec
from workbench.sources.ucdp_panels import FIRST_YEAR as UCDP_FIRST_YEAR
from workbench.sources.ucdp_panels import LAST_YEAR as UCDP_LAST_YEAR

Plan = Callable[[Claim, AuditParameters, Evidence], list[Spec]]
#: (name, description, options) of a reading or a sensitivity alternative.
Variant = tuple[str, str, Mapping[str, Any]]


def alternative_estimates(ev: Evidence) -> tuple[str, ...]:
    """The deaths estimates besides the best one that the source gives (UCDP: low, high)."""
    return tuple(e for e in ("low", "high") if e in ev.source.coverage.deaths_estimates)


def offers_types(ev: Evidence, types: Sequence[str]) -> bool:
    """True when the source's counts can be restricted to these types of violence (``violence_types``)."""
    b = ev.source.coverage.breakdown
    return b is not None and b.parameter == "violence_types" and set(types) <= set(b.categories)


def _period_of(claim: Claim, params: AuditParameters, *, first_year: int) -> tuple[int, int, str]:
    """The claim's period, the default window when it states none, or the data's start when only the end is given."""
    start, end = claim.period.start, claim.period.end
    if start is None and end is None:
        s, e = params.default_period
        return s, e, (f"{s}-{e}: no period stated; default window, the ten years before the policy "
                      "(AuditParameters.default_period)")
    if start is None:
        return first_year, end, f"{first_year}-{end}: no start stated, from the first year with data"
    note = "stated in the text" if claim.period.stated else "the encoder's reading"
    return start, end, f"{start}-{end} ({note})"


def _shifted(start: int, end: int, shift: int, first: int, last: int) -> list[tuple[int, int, str]]:
    out = []
    for d in (-shift, shift):
        s, e = start + d, end + d
        if first <= s and e <= last:
            out.append((s, e, f"period shifted {d:+d} year{'s' if abs(d) > 1 else ''}"))
    return out


def violence_plan(*, deaths: bool, terrorism: bool, per_capita: bool, readings: Sequence[Variant] = (),
                  informing: Sequence[Variant] = (), sensitivity: Sequence[Variant] = (),
                  reference_period: tuple[int, int] | None = (2005, 2012)) -> Plan:
    """The specifications of a claim on the violence panels.

    Primary: the claim's period (or the default window), best estimate, all types. Readings
    (name, description, options) replace the primary options; so do the informing measures
    (``informing``: another measure than the stated one, kind ``measure``). Sensitivity: the source's other
    deaths estimates (``deaths``), one-sided + non-state only (``terrorism``, where the source
    splits its counts by UCDP's types of violence), the period shifted either way, the policy's own
    reference period (C5's 2005-2012) and the longest period with data (from 1998 for per-capita
    measures, from the source's first year otherwise, to the claim's end), plus ``sensitivity``.
    Alternative periods stay inside the years the source covers (the primary period does not: it
    is the claim's).
    """

    def plan(claim: Claim, params: AuditParameters, ev: Evidence) -> list[Spec]:
        data_first, data_last = ev.source_years
        first = max(FIRST_POPULATION_YEAR, data_first) if per_capita else data_first
        start, end, note = _period_of(claim, params, first_year=first)
        primary = Spec("primary", "primary", note, start, end)
        specs = [primary]
        specs += [replace(primary, scenario=name, kind="reading", description=desc, options=dict(opts))
                  for name, desc, opts in readings]
        specs += [replace(primary, scenario=name, kind="measure", description=desc, options=dict(opts))
                  for name, desc, opts in informing]
        if deaths:
            specs += [replace(primary, scenario=f"deaths {est}", kind="deaths estimate",
                              description=(f"UCDP {est} estimate of deaths" if ev.procedure_texts_apply
                                           else f"{est} estimate of deaths ({ev.source.title})"),
                              deaths_estimate=est)
                      for est in alternative_estimates(ev)]
        if terrorism and offers_types(ev, TERRORISM_TYPES):
            specs.append(replace(primary, scenario="terrorism types", kind="violence types",
                                 description="one-sided + non-state violence only (attacks by non-state groups; "
                                             "state-based battles left out)", violence_types=TERRORISM_TYPES))
        last = min(data_last, max(end, 2017))
        periods = _shifted(start, end, params.period_shift, first, data_last)
        if not claim.period.stated:  # a stated period is only shifted; an unstated one is also replaced
            if (reference_period is not None and (start, end) != reference_period
                    and first <= reference_period[0] and reference_period[1] <= data_last):
                periods.append((*reference_period, "C5's own reference period (2005-2012)"))
            if (first, last) != (start, end) and first < last:
                periods.append((first, last, f"longest period with data ({first}-{last})"))
        specs += [replace(primary, scenario=f"period {s}-{e}", kind="period", description=d, start=s, end=e)
                  for s, e, d in periods]
        specs += [replace(primary, scenario=name, kind="comparison set" if "comparison_set" in opts else "source",
                          description=desc, options=dict(opts)) for name, desc, opts in sensitivity]
        return specs

    return plan


def fixed_plan(description: str, *, readings: Sequence[Variant] = (),
               sensitivity: Sequence[tuple[str, ScenarioKind, str, Mapping[str, Any]]] = (),
               primary_options: Mapping[str, Any] | None = None, year: int | None = None) -> Plan:
    """Specifications of a claim on a fixed table (census, MPI, areas): no deaths or period variants
    beyond the ``sensitivity`` given; ``year`` is the year of the data when it differs from the claim's."""

    def plan(claim: Claim, params: AuditParameters, ev: Evidence) -> list[Spec]:
        start, end = (year, year) if year is not None else (claim.period.start, claim.period.end)
        primary = Spec("primary", "primary", description, start, end, options=dict(primary_options or {}))
        specs = [primary]
        specs += [replace(primary, scenario=name, kind="reading", description=desc, options=dict(opts))
                  for name, desc, opts in readings]
        specs += [replace(primary, scenario=name, kind=kind, description=desc,
                          options={**primary.options, **opts}, start=opts.get("start", primary.start),
                          end=opts.get("end", primary.end))
                  for name, kind, desc, opts in sensitivity]
        return specs

    return plan


def militant_plan(claim: Claim, params: AuditParameters, ev: Evidence) -> list[Spec]:
    """PIPS militants killed, on UCDP GED's events: to the PIPS meeting, from 1989, 2004 or 2014."""
    as_of = "2017-05-03"
    base = Spec("primary", "primary", f"{UCDP_FIRST_YEAR} to {as_of} (the PIPS meeting): the start of the 'drive' "
                "is not stated, so from the first year of UCDP GED", UCDP_FIRST_YEAR, 2017, options={"as_of": as_of})
    return [base,
            replace(base, scenario="with unknown status", kind="reading",
                    description="deaths of unknown status counted as militants (an upper reading)",
                    options={"as_of": as_of, "with_unknown": True}),
            replace(base, scenario="from 2004", kind="period", start=2004,
                    description="from 2004, the first army operations in the tribal areas in UCDP GED"),
            replace(base, scenario="from 2014", kind="period", start=2014,
                    description="from 2014 (Zarb-e-Azb, NAP)")]


def baloch_plan(claim: Claim, params: AuditParameters, ev: Evidence) -> list[Spec]:
    """PIPS Balochistan, on UCDP GED's events: the default window, the low/high estimates, other periods."""
    s, e = params.default_period
    base = Spec("primary", "primary", f"{s}-{e}: 'usually', no period stated; default window", s, e)
    specs = [base]
    specs += [replace(base, scenario=f"deaths {est}", kind="deaths estimate", description=f"UCDP {est} estimate",
                      deaths_estimate=est) for est in ("low", "high")]
    specs += [replace(base, scenario=f"period {a}-{b}", kind="period", description=d, start=a, end=b)
              for a, b, d in [*_shifted(s, e, params.period_shift, UCDP_FIRST_YEAR, UCDP_LAST_YEAR),
                              (2004, 2017, "from 2004, the start of the present insurgency in UCDP GED"),
                              (UCDP_FIRST_YEAR, 2017, f"longest period with data ({UCDP_FIRST_YEAR}-2017)")]]
    return specs


def peak_plan(claim: Claim, params: AuditParameters, ev: Evidence) -> list[Spec]:
    """A1's peak: the violence plan, plus the default window and the period from the year before the peak,
    both to the claim's end (a newer release revises these years, it never extends them)."""
    peak = claim.expected.peak_year
    plan = violence_plan(deaths=False, terrorism=True, per_capita=False, reference_period=None)(claim, params, ev)
    primary = plan[0]
    first, last = ev.source_years
    extra = [replace(primary, scenario=f"period {a}-{b}", kind="period", description=d, start=a, end=b)
             for a, b, d in [(params.default_period[0], primary.end, "default window (ten years before the policy)"),
                             (peak - 1, primary.end, f"from the year before the stated peak ({peak - 1})")]
             if first <= a < b <= last and (a, b) != (primary.start, primary.end)]
    return [*plan, *extra]
