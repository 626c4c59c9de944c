"""The NISP 2018 implementation tracker: Annex A's indicators as a table SARC fills in.

:func:`write_template` writes one row per intervention and Annex A indicator (the policy's columns
filled, the value columns empty); SARC records ``baseline``, ``target``, ``latest_value``, the
``date`` of the latest value and its ``source``, and :func:`read_tracker` checks the filled file.
:func:`progress_by_R` and :func:`progress_by_body` count what has been recorded: they only count
values found in the file and never fill in a missing one.

Rules of a filled tracker (each broken rule is a :class:`~workbench.errors.DataValidationError`
naming the file, the data row and the column):

- the file is CSV as a spreadsheet saves it: delimiter and encoding are detected
  (:func:`~workbench.sources.analyst_csv.read_analyst_csv`; notes in ``attrs["read_notes"]``);
- the columns are exactly :data:`TEMPLATE_COLUMNS`;
- ``intervention`` and ``indicator_id`` name an Annex A indicator of the policy, once; the
  policy's columns (``indicator``, ``responsible``) are as in the template;
- ``baseline``, ``target`` and ``latest_value`` are plain numbers (``12``, ``0.5``, ``-3``; no
  thousands separators, no ``%``); a yes/no indicator is recorded as 1 (done) or 0 (not done);
- a ``latest_value`` needs a ``date`` (``YYYY-MM-DD``) and every value needs a ``source``;
- a date may not lie in the future, nor before the policy's start (1 January 2018); a value dated
  after the policy period (2018-2023) is accepted and flagged ``post_policy``.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from workbench.errors import DataValidationError, ParameterError
from workbench.policy.nisp import Policy, annex_indicators_frame, load_policy
from workbench.sources.analyst_csv import read_analyst_csv

POLICY_COLUMNS = ("intervention", "indicator_id", "indicator", "responsible")
VALUE_COLUMNS = ("baseline", "target", "latest_value")
TEMPLATE_COLUMNS = (*POLICY_COLUMNS, *VALUE_COLUMNS, "date", "source", "comment")

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PROGRESS_COLUMNS = ("n_indicators", "n_in_tracker", "n_with_value", "n_comparable", "n_met_target",
                     "n_post_policy")


def _template(policy: Policy) -> pd.DataFrame:
    ind = annex_indicators_frame(policy)
    responsible = {i.id: i.annex.responsibility or "" for i in policy.interventions}
    out = pd.DataFrame({
        "intervention": ind["intervention"], "indicator_id": ind["indicator_id"], "indicator": ind["indicator"],
        "responsible": ind["intervention"].map(responsible),
    })
    for col in TEMPLATE_COLUMNS[len(POLICY_COLUMNS):]:
        out[col] = ""
    return out


def write_template(path: str | Path, policy: Policy | None = None) -> Path:
    """Write the empty tracker: one row per intervention and Annex A indicator.

    Parameters
    ----------
    path:
        The CSV file to write (UTF-8, comma-separated, ``\\n`` line ends).
    policy:
        The policy (default: :func:`~workbench.policy.nisp.load_policy`).

    Returns
    -------
    Path
        The file written.
    """
    p = policy if policy is not None else load_policy()
    out = Path(path)
    df = _template(p)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(TEMPLATE_COLUMNS)
        writer.writerows(df.itertuples(index=False, name=None))
    return out


def _number(text: str) -> float | None:
    if text == "":
        return None
    if not _NUMBER.match(text):
        raise ValueError
    return float(text)


def read_tracker(path: str | Path, *, policy: Policy | None = None, today: dt.date | None = None) -> pd.DataFrame:
    """Read and check a filled tracker CSV.

    Parameters
    ----------
    path:
        The filled tracker (as written by :func:`write_template`, then edited).
    policy:
        The policy (default: :func:`~workbench.policy.nisp.load_policy`).
    today:
        The date after which a value counts as 'in the future' (default: today's date).

    Returns
    -------
    DataFrame
        One row per row of the file: the template's columns, with ``baseline``, ``target`` and
        ``latest_value`` as ``Float64``, ``date`` as ``datetime64``, plus ``r``, ``section``,
        ``bodies`` (body ids, ``; ``-joined) from the policy, ``post_policy`` (value dated after
        the policy period) and ``row`` (1-based data row of the file); ``attrs["read_notes"]``
        says how the file was read when not as comma-separated UTF-8.

    Raises
    ------
    DataValidationError
        For every broken rule (see the module docstring), and for a file not readable as CSV; the
        message names the first problem's row and column, ``failure_cases`` lists them all.
    """
    p = policy if policy is not None else load_policy()
    if today is not None and not isinstance(today, dt.date):
        raise ParameterError(f"today must be a datetime.date, found {type(today).__name__}")
    today = today or dt.date.today()
    file = Path(path)
    if not file.exists():
        raise DataValidationError(file, "tracker file not found")
    raw = read_analyst_csv(file, TEMPLATE_COLUMNS)
    missing = [c for c in TEMPLATE_COLUMNS if c not in raw.columns]
    unknown = [c for c in raw.columns if c not in TEMPLATE_COLUMNS]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + \
                ([f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        raise DataValidationError(file, f"{'; '.join(parts)}; expected exactly: {', '.join(TEMPLATE_COLUMNS)}",
                                  column=(missing or unknown)[0])
    template = _template(p).set_index(["intervention", "indicator_id"])
    known_interventions = {i.id for i in p.interventions}
    start = dt.date(p.meta.period.start, 1, 1)
    end = dt.date(p.meta.period.end, 12, 31)
    problems: list[dict[str, object]] = []

    def bad(row: int, column: str, value: str, check: str) -> None:
        problems.append({"file": str(file), "row": row, "column": column, "value": value, "check": check})

    values: dict[str, list[float | None]] = {c: [] for c in VALUE_COLUMNS}
    dates: list[dt.date | None] = []
    seen: dict[tuple[str, str], int] = {}
    for k, rec in zip(raw.index.tolist(), raw.to_dict("records"), strict=True):
        key = (rec["intervention"], rec["indicator_id"])
        if rec["intervention"] not in known_interventions:
            bad(k, "intervention", rec["intervention"],
                "unknown intervention: expected an id of NISP 2018 (1-120, lettered sub-items such as 98c)")
        elif key not in template.index:
            own = [i for (n, i) in template.index if n == rec["intervention"]]
            bad(k, "indicator_id", rec["indicator_id"],
                f"unknown indicator for intervention {rec['intervention']}: expected one of "
                f"{', '.join(own) if own else '(none: Annex A states no indicator for it)'}")
        else:
            expected = template.loc[key]
            for col in ("indicator", "responsible"):
                if rec[col] != expected[col]:
                    bad(k, col, rec[col], f"differs from the policy ({expected[col]!r}); the policy's columns "
                                          "identify the indicator and must stay as in the template")
            if key in seen:
                bad(k, "indicator_id", rec["indicator_id"], f"indicator listed twice (first in row {seen[key]})")
            seen.setdefault(key, k)
        for col in VALUE_COLUMNS:
            try:
                values[col].append(_number(rec[col]))
            except ValueError:
                values[col].append(None)
                bad(k, col, rec[col], "not a number: expected a plain number such as 12 or 0.5 "
                                      "(no thousands separators, no %; 1/0 for done/not done)")
        date: dt.date | None = None
        if rec["date"]:
            try:
                if not _DATE.match(rec["date"]):
                    raise ValueError
                date = dt.date.fromisoformat(rec["date"])
            except ValueError:
                bad(k, "date", rec["date"], "not a date: expected YYYY-MM-DD")
            else:
                if date > today:
                    bad(k, "date", rec["date"], f"date in the future (today is {today.isoformat()})")
                    date = None
                elif date < start:
                    bad(k, "date", rec["date"], f"date before the policy's start ({start.isoformat()})")
                    date = None
        dates.append(date)
        if rec["latest_value"] and not rec["date"]:
            bad(k, "date", "", "a latest_value needs the date it refers to (YYYY-MM-DD)")
        if rec["date"] and not rec["latest_value"]:
            bad(k, "latest_value", "", "a date is given but no latest_value")
        if any(rec[c] for c in VALUE_COLUMNS) and not rec["source"]:
            bad(k, "source", "", "a value needs its source (document, table/page or address)")
    if problems:
        cases = pd.DataFrame(problems)
        first = problems[0]
        shown = f" {first['value']!r}" if first["value"] != "" else ""
        more = f" ({len(problems)} problems in all)" if len(problems) > 1 else ""
        raise DataValidationError(file, f"{first['check']}; found{shown or ' nothing'}{more}",
                                  row=first["row"], column=str(first["column"]), failure_cases=cases)
    out = raw[list(TEMPLATE_COLUMNS)].copy()
    for col in VALUE_COLUMNS:
        out[col] = pd.array(values[col], dtype="Float64")
    out["date"] = pd.to_datetime(pd.Series([d.isoformat() if d else None for d in dates], index=out.index,
                                           dtype="object")).astype("datetime64[ns]")
    meta = {i.id: (i.r, i.section, "; ".join(i.annex.bodies)) for i in p.interventions}
    out["r"] = out["intervention"].map(lambda x: meta[x][0])
    out["section"] = out["intervention"].map(lambda x: meta[x][1])
    out["bodies"] = out["intervention"].map(lambda x: meta[x][2])
    out["post_policy"] = pd.Series([d is not None and d > end for d in dates], index=out.index, dtype=bool)
    out["row"] = raw.index.to_numpy()
    out = out.reset_index(drop=True)
    out.attrs = {"read_notes": raw.attrs["read_notes"]}
    return out


def _check_tracker(tracker: pd.DataFrame) -> None:
    if not isinstance(tracker, pd.DataFrame):
        raise ParameterError(f"tracker must be a DataFrame from read_tracker, found {type(tracker).__name__}")
    need = ["intervention", "indicator_id", *VALUE_COLUMNS, "post_policy", "r", "bodies"]
    missing = [c for c in need if c not in tracker.columns]
    if missing:
        raise ParameterError(f"tracker lacks column(s) {', '.join(missing)}: pass the frame read_tracker returns")


def _met(df: pd.DataFrame) -> pd.Series:
    """Target met, where baseline, target and latest value are all numbers (else NA).

    The direction is the target's: above the baseline -> met when latest >= target; below -> met
    when latest <= target; equal -> met when latest == target.
    """
    b, t, v = df["baseline"], df["target"], df["latest_value"]
    met = ((t > b) & (v >= t)) | ((t < b) & (v <= t)) | ((t == b) & (v == t))
    return met.where(b.notna() & t.notna() & v.notna())


def _counts(policy_rows: pd.DataFrame, tracker: pd.DataFrame, by: str) -> pd.DataFrame:
    t = tracker.assign(
        has_value=tracker["latest_value"].notna(),
        comparable=tracker[list(VALUE_COLUMNS)].notna().all(axis=1),
        met=_met(tracker).fillna(False).astype(bool),
        post=tracker["post_policy"] & tracker["latest_value"].notna(),
    )
    g = t.groupby(by)
    out = pd.DataFrame({
        "n_indicators": policy_rows.groupby(by).size(),
        "n_in_tracker": g.size(),
        "n_with_value": g["has_value"].sum(),
        "n_comparable": g["comparable"].sum(),
        "n_met_target": g["met"].sum(),
        "n_post_policy": g["post"].sum(),
    })
    return out.fillna(0).astype("int64")


def progress_by_R(tracker: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:  # noqa: N802
    """Counts of recorded progress per R (all six, also where nothing is recorded).

    Columns: ``r``, ``name``, ``n_indicators`` (Annex A indicators of the R), ``n_in_tracker``
    (rows in the file), ``n_with_value`` (a latest value), ``n_comparable`` (baseline, target and
    latest value all numbers), ``n_met_target`` (see :func:`_met`), ``n_post_policy`` (latest
    values dated after 2023). Counts only: no value is estimated or filled in.
    """
    _check_tracker(tracker)
    p = policy if policy is not None else load_policy()
    ind = annex_indicators_frame(p)
    counts = _counts(ind, tracker, "r").reindex([r.id for r in p.rs], fill_value=0)
    counts.insert(0, "name", [r.name for r in p.rs])
    return counts.rename_axis("r").reset_index()


def progress_by_body(tracker: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    """Counts of recorded progress per responsible body (every body of Annex A).

    An indicator shared by several bodies (e.g. ``MoI; HomeDepts``) counts once for each, so the
    column totals exceed the number of indicators. Columns as :func:`progress_by_R`, with
    ``body`` and ``name``.
    """
    _check_tracker(tracker)
    p = policy if policy is not None else load_policy()
    ind = annex_indicators_frame(p)
    ind = ind.assign(body=ind["bodies"].str.split("; ")).explode("body")
    ind = ind[ind["body"].notna() & (ind["body"] != "")]
    t = tracker.assign(body=tracker["bodies"].str.split("; ")).explode("body")
    t = t[t["body"].notna() & (t["body"] != "")]
    names = {b.id: b.name for b in p.bodies}
    order = [b.id for b in p.bodies if b.id in set(ind["body"])]
    counts = _counts(ind, t, "body").reindex(order, fill_value=0)
    counts.insert(0, "name", [names[b] for b in order])
    return counts.rename_axis("body").reset_index()
