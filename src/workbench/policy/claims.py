"""The NISP claims audit: a computed verdict for every claim encoded in ``data/policy/nisp2018.yaml``.

This module is the entry point the notebook ``50_policy`` and ``workbench claims`` use; the audit
lives in small modules:

* :mod:`~workbench.policy.evidence`: the data each claim needs (:class:`Evidence`: the violence
  source and the other tables, loaded once; ``SourceGap``);
* :mod:`~workbench.policy.specs`: :class:`AuditParameters`, one specification (``Spec``) and its
  ``Outcome``;
* :mod:`~workbench.policy.procedures`: one function per kind of test (rank, share, casualties,
  peak, decline, ...); :mod:`~workbench.policy.measures`: the violence arithmetic they share;
* :mod:`~workbench.policy.plans`: which specifications (primary, readings, sensitivity);
* :mod:`~workbench.policy.procedure_table`: the procedure of each claim (:data:`PROCEDURES`);
* :mod:`~workbench.policy.audit`: the audit that runs them and the tidy tables;
* :mod:`~workbench.policy.verdicts`: the pure verdict rules.

The rules, thresholds and defaults are documented in ``docs/claims.md``.

Examples
--------
>>> from workbench.policy.claims import audit_claims, claims_frame_from
>>> results = audit_claims(claim_ids=["C5.punjab_highest_deaths_per_attack"])  # doctest: +SKIP
>>> claims_frame_from(results)[["claim_id", "verdict"]]  # doctest: +SKIP
"""

from __future__ import annotations

from workbench.policy.audit import (
    ClaimResult,
    audit_claims,
    claims_frame_from,
    numbers_frame_from,
    parts_frame_from,
    sensitivity_frame_from,
)
from workbench.policy.evidence import Evidence
from workbench.policy.procedure_table import PROCEDURES
from workbench.policy.specs import AuditParameters

__all__ = ["PROCEDURES", "AuditParameters", "ClaimResult", "Evidence", "audit_claims", "claims_frame_from",
           "numbers_frame_from", "parts_frame_from", "sensitivity_frame_from"]
