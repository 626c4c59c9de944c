"""The verdict matrix: every claim audited on every violence source available, side by side.

An analyst sees which verdicts depend on the data chosen: one column per source (each UCDP
release given, every registered analyst's source), the numbers behind each cell, and a mark
where the sources that can test a claim disagree. A claim that reads no violence data (census,
area, MPI, youth) has the same verdict in every column.

Examples
--------
>>> from workbench.policy.matrix import verdict_matrix
>>> m = verdict_matrix(["ucdp_ged_pak", "kp_ctd_log"])  # doctest: +SKIP
>>> m.table[["claim_id", "ucdp_ged_pak", "kp_ctd_log", "disagree"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.errors import ParameterError, WorkbenchError
from workbench.policy.audit import ClaimResult, audit_claims
from workbench.policy.nisp import Policy, load_policy
from workbench.policy.specs import POLICY_SOURCE, AuditParameters
from workbench.policy.verdicts import CANNOT
from workbench.sources import ViolenceSource, available, resolve

#: A source as the matrix takes it: an id, a source object, or an id with resolve options
#: (``("ucdp_ged_pak", {"ged_release": "25.1"})``).
SourceChoice = str | ViolenceSource | tuple[str, dict[str, Any]]
PROVISIONAL_MARK = " (provisional)"
CELL_COLUMNS = ["claim_id", "column", "violence_source", "source_label", "verdict", "provisional", "observed",
                "reason", "lacking"]


@dataclass(frozen=True)
class VerdictMatrix:
    """The audit on several sources.

    Attributes
    ----------
    cells:
        One row per claim and source (:data:`CELL_COLUMNS`): the verdict, whether it is provisional,
        and the numbers behind it (``observed``, ``reason``, ``lacking``).
    table:
        One row per claim: ``claim_id``, ``section``, one column per source (the verdict, with
        "(provisional)" where it is), ``disagree`` (the sources that can test the claim give
        different verdicts) and ``agreement`` (which source gives which verdict).
    results:
        The full results per column (as :func:`~workbench.policy.audit.audit_claims` returns them).
    labels:
        Each column's source label (title and years), for captions.
    skipped:
        Sources that could not be read, with the reason (e.g. a registered file changed since).
    """

    cells: pd.DataFrame
    table: pd.DataFrame
    results: dict[str, list[ClaimResult]]
    labels: dict[str, str]
    skipped: dict[str, str] = field(default_factory=dict)


def _resolved(choice: SourceChoice) -> ViolenceSource:
    if isinstance(choice, tuple):
        source_id, options = choice
        return resolve(source_id, **options)
    return resolve(choice)


def _column(source: ViolenceSource, taken: dict[str, str]) -> str:
    """A column name unique in the matrix: the source's id, or its id and title when an id repeats (releases).

    ``taken`` maps the columns so far to their sources' labels; the same source twice is refused.
    """
    if source.label in taken.values():
        raise ParameterError(f"the source {source.id!r} ({source.label}) is given twice: give each source once")
    return source.id if source.id not in taken else f"{source.id} ({source.title})"


def _choice_text(choice: SourceChoice) -> str:
    if isinstance(choice, tuple):
        return f"{choice[0]} ({', '.join(f'{k}={v}' for k, v in choice[1].items())})"
    return choice.id if isinstance(choice, ViolenceSource) else str(choice)


def verdict_matrix(sources: Sequence[SourceChoice] | None = None, *, policy: Policy | None = None,
                   claim_ids: Sequence[str] | None = None, params: AuditParameters | None = None) -> VerdictMatrix:
    """Audit the claims on each source and put the verdicts side by side.

    Parameters
    ----------
    sources:
        The sources, in column order: ids, :class:`~workbench.sources.ViolenceSource` objects, or
        ``(id, options)`` for a release (``("ucdp_ged_pak", {"ged_release": "25.1"})``). Default:
        every id that resolves (:func:`workbench.sources.available`: the shipped UCDP release and
        every registered analyst's source).
    policy, claim_ids, params:
        As for :func:`~workbench.policy.audit.audit_claims`.

    Returns
    -------
    VerdictMatrix
        A source that cannot be read (a registered file changed since its registration) is left
        out and listed in ``skipped`` with the reason; the matrix needs at least one source.
    """
    chosen: list[SourceChoice] = list(available()) if sources is None else list(sources)
    if not chosen:
        raise ParameterError("give at least one violence source for the verdict matrix")
    p = policy if policy is not None else load_policy()
    results: dict[str, list[ClaimResult]] = {}
    labels: dict[str, str] = {}
    skipped: dict[str, str] = {}
    for choice in chosen:
        try:
            source = _resolved(choice)
            column = _column(source, {c: labels[c].removesuffix(PROVISIONAL_MARK) for c in results})
            audited = audit_claims(p, claim_ids=claim_ids, params=params, violence_source=source)
        except WorkbenchError as exc:
            if sources is not None:  # a source the analyst named must be readable
                raise
            skipped[_choice_text(choice)] = str(exc)
            continue
        results[column] = audited
        labels[column] = source.label + (PROVISIONAL_MARK if source.provisional else "")
    if not results:
        raise ParameterError("no violence source could be read: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    cells = _cells(results, labels)
    return VerdictMatrix(cells, _table(cells, results, list(results)), results, labels, skipped)


def _cells(results: dict[str, list[ClaimResult]], labels: dict[str, str]) -> pd.DataFrame:
    rows = [{"claim_id": r.claim_id, "column": column, "violence_source": r.violence_source,
             "source_label": labels[column], "verdict": r.verdict, "provisional": r.provisional,
             "observed": r.observed, "reason": r.reason, "lacking": r.lacking}
            for column, rs in results.items() for r in rs]
    df = pd.DataFrame(rows, columns=CELL_COLUMNS)
    df.attrs["sources"] = list(dict.fromkeys(s for rs in results.values() for r in rs for s in r.sources)) or [
        POLICY_SOURCE]
    return df


def _table(cells: pd.DataFrame, results: dict[str, list[ClaimResult]], columns: list[str]) -> pd.DataFrame:
    first = results[columns[0]]
    shown = cells.assign(text=cells["verdict"] + cells["provisional"].map({True: PROVISIONAL_MARK, False: ""}))
    wide = shown.pivot(index="claim_id", columns="column", values="text").reindex([r.claim_id for r in first])
    out = pd.DataFrame({"claim_id": [r.claim_id for r in first], "section": [r.section for r in first]})
    for column in columns:
        out[column] = wide[column].to_numpy()
    testable = cells[cells["verdict"] != CANNOT].groupby("claim_id")["verdict"].nunique()
    out["disagree"] = out["claim_id"].map(testable).fillna(0).gt(1).to_numpy()
    by_verdict = (cells.groupby(["claim_id", "verdict"], sort=False)["column"]
                  .agg(lambda c: ", ".join(c)).reset_index())
    agreement = by_verdict.groupby("claim_id").apply(
        lambda g: "; ".join(f"{v}: {c}" for v, c in zip(g["verdict"], g["column"], strict=True)),
        include_groups=False)
    out["agreement"] = out["claim_id"].map(agreement).to_numpy()
    out.attrs["sources"] = list(cells.attrs["sources"])
    return out
