"""The claims audit: every claim's specifications run, combined into a verdict, and the tidy tables.

:func:`audit_claims` runs, for each claim of the policy file, the specifications of its plan
through its procedure (:data:`~workbench.policy.procedure_table.PROCEDURES`), combines the
readings into the verdict and lists the sensitivity alternatives whose verdict differs. Every
result names its violence source (``violence_source``, the source's id). The frames builders
turn results into the tables of the notebook and the CLI: :func:`claims_frame_from` (one row
per claim), :func:`sensitivity_frame_from` (one per specification), :func:`numbers_frame_from`
(the numbers behind every verdict).

A compound claim is judged part by part (:func:`parts_frame_from`, one row per part) and its
verdict derived from the parts (:func:`~workbench.policy.verdicts.combine_parts`). A measure the
claim does not state (deaths per 100,000 beside absolute deaths) informs: it is computed and shown
(``measure_note`` says where it disagrees), never decides. Years a source lacks inside a period are
named (``lacking``); where they could change the verdict, the verdict is given over the years
covered and marked ``provisional`` (so are counts the source itself marks provisional, such as
UCDP Candidate events).

What the source cannot give is "cannot be tested", with the reason: no year of a period, a unit
or level it lacks (:class:`~workbench.policy.evidence.SourceGap`), or, for the claims that read
UCDP's actor and conflict coding, event records it does not have (``source.events()``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from workbench.errors import ParameterError
from workbench.policy.evidence import UCDP_GED_ID, Evidence, SourceGap
from workbench.policy.nisp import Claim, Policy, load_policy
from workbench.policy.plans import alternative_estimates
from workbench.policy.procedure_table import PROCEDURES, UCDP_ONLY_CAVEATS, Procedure
from workbench.policy.specs import (
    INFORMING_KINDS,
    POLICY_SOURCE,
    AuditParameters,
    Outcome,
    Spec,
    cannot,
    group_label,
    long_numbers,
)
from workbench.policy.verdicts import CANNOT, MIXED, Verdict, combine_readings, percent_text
from workbench.sources import ViolenceSource
from workbench.sources.resolver import DEFAULT_SOURCE

SCENARIO_COLUMNS = ["claim_id", "violence_source", "scenario", "kind", "description", "period", "deaths_estimate",
                    "violence_types", "verdict", "changes_verdict", "reason", "observed", "measure_used"]
NUMBERS_COLUMNS = ["claim_id", "violence_source", "scenario", "item", "quantity", "value", "rank"]
PARTS_COLUMNS = ["claim_id", "violence_source", "scenario", "part", "statement", "verdict", "reason", "observed",
                 "claim_verdict"]
CLAIMS_COLUMNS = ["claim_id", "source", "section", "verdict", "provisional", "reason", "parts", "expected",
                  "observed", "measure_stated", "measure_used", "measure_note", "proxy", "period_used", "lacking",
                  "provisional_note", "robust", "changed_by", "caveats", "violence_source", "sources", "quote"]


@dataclass(frozen=True)
class ClaimResult:
    """The audit of one claim: the verdict and everything behind it."""

    claim_id: str
    source: str
    section: str
    quote: str
    comparison: str
    expected: str
    verdict: Verdict
    reason: str
    measure_stated: str
    measure_used: str
    proxy: str | None
    period_used: str
    observed: str
    sources: tuple[str, ...]
    caveats: tuple[str, ...]
    robust: bool | None
    changed_by: tuple[str, ...]
    scenarios: pd.DataFrame
    numbers: pd.DataFrame
    violence_source: str = DEFAULT_SOURCE
    parts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PARTS_COLUMNS))
    provisional: bool = False
    provisional_note: str = ""
    lacking: str = ""
    measure_note: str = ""

    @property
    def parts_text(self) -> str:
        """The primary specification's parts and their verdicts: ``peak: not supported; decline: supported``."""
        primary = self.parts[self.parts["scenario"] == "primary"]
        return "; ".join(f"{p.part}: {p.verdict}" for p in primary.itertuples())

    @property
    def sensitivity_text(self) -> str:
        """The sensitivity alternatives in one sentence: how many, and those under which the verdict changes."""
        alternatives = self.scenarios[~self.scenarios["kind"].isin(["primary", "reading", *INFORMING_KINDS])]
        if alternatives.empty:
            return ""
        changed = alternatives[alternatives["changes_verdict"]]
        if changed.empty:
            return (f"the verdict holds under all {len(alternatives)} alternatives "
                    f"({', '.join(alternatives['scenario'])})")
        return (f"{len(alternatives)} alternatives; the verdict changes under "
                + "; ".join(f"{s.scenario} ({s.description}): {s.verdict}" for s in changed.itertuples()))


# --------------------------------------------------------------------------- one claim


def _expected_text(c: Claim) -> str:
    e = c.expected
    parts = []
    if c.comparison in ("rank_highest", "rank_lowest", "rank_position"):
        side = "lowest" if c.comparison == "rank_lowest" else "highest"
        parts.append(f"{group_label(c.geography)} rank {e.rank or 1} ({side} first)")
        if e.above:
            parts.append("after " + ", ".join(group_label(g) for g in e.above))
    elif c.comparison == "rank_order":
        parts.append(" > ".join(group_label(g) for g in e.order))
    elif c.comparison == "peak_then_decline":
        parts.append(e.qualifier or f"peak in {e.peak_year}, decline after")
    elif c.comparison == "within_range":
        parts.append(f"{e.low:g}-{e.high:g} {e.value_unit or ''}".strip())
    elif c.comparison == "association_highest":
        parts.append(e.qualifier or "")
    elif e.value is not None:
        number = f"{e.value:,.0f}" if float(e.value).is_integer() else f"{e.value:,g}"
        unit = {"count": "", "percent": "%", "share": ""}.get(e.value_unit or "", f" {e.value_unit}")
        if e.value_unit == "share":
            number = percent_text(e.value)
        parts.append(f"{e.qualifier + ' ' if e.qualifier else ''}{number}{unit}")
    elif e.qualifier:
        parts.append(e.qualifier)
    return "; ".join(p for p in parts if p)


def _run_spec(procedure: Procedure, claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """One specification; on the violence panels, what the source cannot give (no year of the period, a
    unit or a level) is "cannot be tested", with the reason."""
    if procedure.reads != "violence panel":
        return procedure.run(claim, spec, ev, params)
    try:
        return procedure.run(claim, spec, ev, params)
    except SourceGap as gap:
        return cannot(gap.reason)


def _caveats(claim: Claim, procedure: Procedure, ev: Evidence) -> tuple[str, ...]:
    gap = (claim.measure_gap,) if claim.measure_gap else ()
    if ev.procedure_texts_apply or procedure.reads == "other":
        return (*gap, *procedure.caveats)
    # the claim's measure gap and the UCDP caveats describe UCDP GED: the source's own caveat replaces them
    return (*(c for c in procedure.caveats if c not in UCDP_ONLY_CAVEATS), ev.source.caveat)


def _proxy(claim: Claim, procedure: Procedure, ev: Evidence, primary: Outcome) -> str | None:
    if ev.procedure_texts_apply or procedure.reads == "other":
        return procedure.proxy
    if primary.numbers["quantity"].eq("injured").any():  # casualties measured as killed + injured: no proxy
        return None
    if primary.measure_used == "none":
        return f"{ev.labels['deaths']} or {ev.labels['events']} for '{claim.measure_stated}'"
    return f"{primary.measure_used} for '{claim.measure_stated}'"


def _untested(base: dict, claim: Claim, ev: Evidence, reason: str, caveats: tuple[str, ...]) -> ClaimResult:
    """A result without computation: "cannot be tested", with the reason."""
    return ClaimResult(**base, verdict=CANNOT, reason=reason, measure_used="none", proxy=None,
                       period_used=claim.period.note or "", observed="", sources=(POLICY_SOURCE,),
                       caveats=caveats, robust=None, changed_by=(), scenarios=_scenarios_frame(claim.id, [], ev),
                       numbers=_numbers_long(claim.id, [], ev.violence_source),
                       parts=_parts_frame(claim.id, [], ev.violence_source))


def _audit_one(claim: Claim, ev: Evidence, params: AuditParameters) -> ClaimResult:
    base = {"claim_id": claim.id, "source": claim.source, "section": claim.section, "quote": claim.quote,
            "comparison": claim.comparison, "expected": _expected_text(claim),
            "measure_stated": claim.measure_stated, "violence_source": ev.violence_source}
    procedure = PROCEDURES.get(claim.id)
    if not claim.data_can_speak or procedure is None:
        reason = (claim.measure_gap or "no mirrored data set holds the measure") if not claim.data_can_speak else \
            "no audit procedure is defined for this claim (add one to workbench.policy.procedure_table.PROCEDURES)"
        gap = (claim.measure_gap,) if claim.measure_gap else ()
        return _untested(base, claim, ev, reason, tuple(g for g in gap if g != reason))
    if procedure.reads == "ucdp events" and ev.get("events") is None:
        reason = (f"the audit reads UCDP GED's actor and conflict coding ({procedure.proxy}); "
                  f"{ev.violence_source!r} ({ev.source_label}) has no such coding: audit this claim with "
                  f"violence_source={UCDP_GED_ID!r}")
        return _untested(base, claim, ev, reason, (ev.source.caveat,))
    done = [(spec, _run_spec(procedure, claim, spec, ev, params)) for spec in procedure.plan(claim, params, ev)]
    primary = done[0][1]
    deciding = [(s, o) for s, o in done if s.kind in ("primary", "reading")]
    readings = {s.scenario: o.judgement.verdict for s, o in deciding}
    if len(readings) > 1:
        combined = combine_readings(readings)
        verdict = combined.verdict
        if combined.verdict == MIXED and primary.judgement.verdict != MIXED:
            reason = f"{combined.reason}; primary: {primary.judgement.reason}"
        else:
            reason = f"{primary.judgement.reason} (the other {len(readings) - 1} reading(s) agree)"
    else:
        verdict, reason = primary.judgement.verdict, primary.judgement.reason
    sens = [(s, o) for s, o in done if s.kind not in ("primary", "reading", *INFORMING_KINDS)]
    changed = tuple(s.scenario for s, o in sens if o.judgement.verdict != primary.judgement.verdict)
    sources = tuple(dict.fromkeys(x for _, o in done for x in o.sources)) + (POLICY_SOURCE,)
    observed = primary.observed
    others = [f"[{s.scenario}] {o.observed}" for s, o in done if s.kind == "reading"]
    if others:
        observed = " | ".join([observed, *others])
    provisional, provisional_note = _provisional(verdict, deciding, procedure, ev)
    return ClaimResult(**base, verdict=verdict, reason=reason, measure_used=primary.measure_used,
                       proxy=_proxy(claim, procedure, ev, primary), period_used=done[0][0].description,
                       observed=observed, sources=sources, caveats=_caveats(claim, procedure, ev),
                       robust=not changed if sens else None, changed_by=changed,
                       scenarios=_scenarios_frame(claim.id, done, ev),
                       numbers=_numbers_long(claim.id, done, ev.violence_source),
                       parts=_parts_frame(claim.id, done, ev.violence_source), provisional=provisional,
                       provisional_note=provisional_note, lacking=primary.lacking,
                       measure_note=_measure_note(claim, done))


def _provisional(verdict: str, deciding: list[tuple[Spec, Outcome]], procedure: Procedure,
                 ev: Evidence) -> tuple[bool, str]:
    """Whether a verdict is provisional, and why: years lacking that could change it (in the primary
    specification or a reading), or counts the source marks provisional (UCDP Candidate events)."""
    if verdict == CANNOT:
        return False, ""
    notes = [("" if s.kind == "primary" else f"[{s.scenario}] ") + f"years lacking in the source ({o.lacking}) "
             "could change the verdict: it is given over the years covered" for s, o in deciding
             if o.provisional and o.judgement.verdict != CANNOT]
    if procedure.reads != "other" and ev.source.provisional:
        notes.append(f"{ev.source_label}: provisional counts (preliminary, to be revised by the publisher)")
    return bool(notes), "; ".join(notes)


def _measure_note(claim: Claim, done: list[tuple[Spec, Outcome]]) -> str:
    """Where a measure the claim does not state disagrees with the one it states (which decides)."""
    primary = done[0][1].judgement.verdict
    notes = [f"{s.scenario}: {o.judgement.verdict} ("
             + ("; ".join(f"{p.name}: {p.judgement.verdict}" for p in o.parts) or o.judgement.reason)
             + f"), against {primary} on the measure the claim states ({claim.measure_stated!r}), which decides"
             for s, o in done if s.kind in INFORMING_KINDS and o.judgement.verdict not in (primary, CANNOT)]
    return "; ".join(notes)


def _scenarios_frame(claim_id: str, done: list[tuple[Spec, Outcome]], ev: Evidence | None) -> pd.DataFrame:
    """One row per specification. ``deaths_estimate`` is filled where the source offers a choice of
    estimates, ``violence_types`` where it splits its counts by UCDP's types of violence (else empty)."""
    primary = done[0][1].judgement.verdict if done else None
    breakdown = ev.source.coverage.breakdown if ev is not None else None
    estimates = ev is not None and bool(alternative_estimates(ev))
    types = breakdown is not None and breakdown.parameter == "violence_types"
    rows = [{"claim_id": claim_id, "violence_source": ev.violence_source, "scenario": s.scenario, "kind": s.kind,
             "description": s.description, "period": s.period,
             "deaths_estimate": s.deaths_estimate if estimates else "",
             "violence_types": "+".join(s.violence_types) if types else "", "verdict": o.judgement.verdict,
             "changes_verdict": o.judgement.verdict != primary, "reason": o.judgement.reason,
             "observed": o.observed, "measure_used": o.measure_used} for s, o in done]
    return pd.DataFrame(rows, columns=SCENARIO_COLUMNS)


def _parts_frame(claim_id: str, done: list[tuple[Spec, Outcome]], violence_source: str) -> pd.DataFrame:
    """One row per part of a compound claim and specification, beside the verdict derived from the parts."""
    rows = [{"claim_id": claim_id, "violence_source": violence_source, "scenario": s.scenario, "part": p.name,
             "statement": p.statement, "verdict": p.judgement.verdict, "reason": p.judgement.reason,
             "observed": p.observed, "claim_verdict": o.judgement.verdict} for s, o in done for p in o.parts]
    return pd.DataFrame(rows, columns=PARTS_COLUMNS)


def _numbers_long(claim_id: str, done: list[tuple[Spec, Outcome]], violence_source: str) -> pd.DataFrame:
    parts = [o.numbers.assign(claim_id=claim_id, scenario=s.scenario, violence_source=violence_source)
             for s, o in done]
    if not parts:
        return long_numbers([]).assign(claim_id=claim_id, scenario="", violence_source=violence_source)[NUMBERS_COLUMNS]
    return pd.concat(parts, ignore_index=True)[NUMBERS_COLUMNS]


# --------------------------------------------------------------------------- the audit


def _source_id(violence_source: str | ViolenceSource) -> str:
    return violence_source.id if isinstance(violence_source, ViolenceSource) else violence_source


def audit_claims(policy: Policy | None = None, *, claim_ids: Sequence[str] | None = None,
                 params: AuditParameters | None = None, evidence: Evidence | None = None,
                 violence_source: str | ViolenceSource | None = None) -> list[ClaimResult]:
    """Audit the policy's claims: a computed verdict, numbers, sources and sensitivity for each.

    Parameters
    ----------
    policy:
        The policy (default :func:`workbench.policy.nisp.load_policy`).
    claim_ids:
        Only these claims (ids as in the policy file); an unknown id is an error.
    params:
        Thresholds and defaults (:class:`~workbench.policy.specs.AuditParameters`).
    evidence:
        Where the data come from (default: the catalog's data sets and the committed panels).
    violence_source:
        The violence counts: a source id (``ucdp_ged_pak``, the default, or a registered analyst's
        source: ``workbench sources list``) or a :class:`~workbench.sources.ViolenceSource` (used as
        it is, registered or not). What the source lacks is not computed: deaths estimates or types
        of violence it does not give, a period it does not cover ("cannot be tested", with the
        reason), the claims that need UCDP's actor and conflict coding; casualties are killed +
        injured when it gives injuries. Must agree with ``evidence.violence_source``.

    Returns
    -------
    list of ClaimResult
        In the order of the policy file; each names its ``violence_source`` (the source's id).
    """
    p = policy if policy is not None else load_policy()
    prm = params if params is not None else AuditParameters()
    if not isinstance(prm, AuditParameters):
        raise ParameterError(f"params must be an AuditParameters; got {type(prm).__name__}")
    if evidence is not None:
        if violence_source is not None and _source_id(violence_source) != evidence.violence_source:
            raise ParameterError(f"violence_source {_source_id(violence_source)!r} differs from the evidence's "
                                 f"{evidence.violence_source!r}: give one of them")
        ev = evidence
    else:
        ev = Evidence(violence_source=DEFAULT_SOURCE if violence_source is None else violence_source)
    known = [c.id for c in p.claims]
    if claim_ids is not None:
        if isinstance(claim_ids, str):
            claim_ids = [claim_ids]
        unknown = [c for c in claim_ids if c not in known]
        if unknown:
            raise ParameterError(f"unknown claim id(s) {unknown}; the policy's claims are: {', '.join(known)}")
    chosen = [c for c in p.claims if claim_ids is None or c.id in claim_ids]
    return [_audit_one(c, ev, prm) for c in chosen]


# --------------------------------------------------------------------------- tidy tables


def claims_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """One row per claim (:data:`CLAIMS_COLUMNS`); lists are ``; ``-joined; ``attrs['sources']`` and
    ``attrs['violence_source']`` (the sources the results used)."""
    rows = [{"claim_id": r.claim_id, "source": r.source, "section": r.section, "verdict": r.verdict,
             "provisional": r.provisional, "reason": r.reason, "parts": r.parts_text, "expected": r.expected,
             "observed": r.observed, "measure_stated": r.measure_stated, "measure_used": r.measure_used,
             "measure_note": r.measure_note, "proxy": r.proxy, "period_used": r.period_used, "lacking": r.lacking,
             "provisional_note": r.provisional_note, "robust": r.robust, "changed_by": "; ".join(r.changed_by),
             "caveats": "; ".join(r.caveats), "violence_source": r.violence_source, "sources": "; ".join(r.sources),
             "quote": r.quote}
            for r in results]
    df = pd.DataFrame(rows, columns=CLAIMS_COLUMNS)
    df["robust"] = df["robust"].astype("boolean")
    df["provisional"] = df["provisional"].astype("bool")
    return _with_attrs(df, results)


def _with_attrs(df: pd.DataFrame, results: Sequence[ClaimResult]) -> pd.DataFrame:
    df.attrs["sources"] = list(dict.fromkeys(s for r in results for s in r.sources)) or [POLICY_SOURCE]
    df.attrs["violence_source"] = list(dict.fromkeys(r.violence_source for r in results))
    return df


def sensitivity_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """One row per claim and specification (primary, readings, sensitivity) with its verdict."""
    df = pd.concat([r.scenarios for r in results], ignore_index=True) if results else _scenarios_frame("", [], None)
    return _with_attrs(df, results)


def parts_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """One row per part of each compound claim and specification (:data:`PARTS_COLUMNS`): the part's
    statement, verdict, reason and numbers, and beside them the verdict derived from the parts."""
    frames = [r.parts for r in results if len(r.parts)]
    df = pd.concat(frames, ignore_index=True) if frames else _parts_frame("", [], DEFAULT_SOURCE)
    return _with_attrs(df, results)


def numbers_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """The numbers behind every verdict, long: ``claim_id, violence_source, scenario, item, quantity, value, rank``."""
    df = (pd.concat([r.numbers for r in results], ignore_index=True) if results
          else _numbers_long("", [], DEFAULT_SOURCE))
    return _with_attrs(df, results)
