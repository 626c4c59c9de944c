"""Who fights where: events and deaths involving UCDP's actors, by conflict and dyad; months; perpetrators.

Pure functions on event frames (one row per event, UCDP's columns ``id``, ``year``, ``date_start``,
``date_end``, ``type_of_violence``, ``conflict_name``/``conflict_new_id``, ``dyad_name``/``dyad_new_id``,
``side_a``/``side_a_new_id``, ``side_b``/``side_b_new_id``, ``best``/``low``/``high``, and the unit
columns a caller adds, e.g. ``province``, ``district``). Loading and placement are in
:mod:`workbench.panel.actors`.

Words matter here (UCDP's definitions):

* an event **involves** both its sides. In state-based and non-state events the deaths are of both
  sides and of civilians: they are deaths in events involving an actor, never deaths "caused by" it;
* only in **one-sided** violence (``type_of_violence`` 3) is ``side_a`` the perpetrator and ``side_b``
  the civilians: "who kills civilians" (:func:`one_sided_by_perpetrator`) uses those events alone;
* each **government** keeps UCDP's name ("Government of India", "Government of United States of
  America"): a foreign government is never folded into "the state"; a dyad of two governments is
  **interstate**;
* Candidate releases name actors not yet identified with codes such as ``XXX770``: shown as
  "not yet identified (candidate)" (:data:`UNIDENTIFIED`), which is not UCDP's ``deaths_unknown``
  (deaths whose side is unknown).

Actors are grouped into movements only through the actor table (``data/reference/ucdp_actors.csv``),
and only when asked (``grouped=True``); the UCDP name stays on every row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.errors import ParameterError

UNIDENTIFIED = "not yet identified (candidate)"
CIVILIANS_ID = "1"
KINDS = ("government", "non_state", "civilians", "unidentified")
TYPE_NAMES = {1: "state-based", 2: "non-state", 3: "one-sided"}
DEATHS = ("deaths_best", "deaths_low", "deaths_high")
EVENT_COLUMNS = ["id", "year", "type_of_violence", "conflict_name", "conflict_new_id", "dyad_name", "dyad_new_id",
                 "side_a", "side_a_new_id", "side_b", "side_b_new_id", "best", "low", "high"]
ACTOR_COLUMNS = ["actor_new_id", "ucdp_name", "actor_kind", "government_of", "group_id", "group_name", "grouping",
                 "publisher", "document", "table_page"]
_UNIDENTIFIED_CODE = re.compile(r"^XXX\d+$")


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(f"{what}: the frame lacks column(s) {missing}")


def as_ids(values: pd.Series) -> pd.Series:
    """Actor, dyad and conflict ids as text ("142"), whatever their type in the file."""
    v = pd.Series(values)
    num = pd.to_numeric(v, errors="coerce")
    whole = num.notna() & (num == np.round(num))
    return v.astype("string").where(~whole, num.round().astype("Int64").astype("string"))


def actor_kind(name: str, new_id: str) -> str:
    """``government``, ``civilians``, ``unidentified`` (a Candidate code such as XXX770) or ``non_state``."""
    name = str(name).strip()
    if _UNIDENTIFIED_CODE.match(name):
        return "unidentified"
    if str(new_id) == CIVILIANS_ID or name == "Civilians":
        return "civilians"
    return "government" if name.startswith("Government of ") else "non_state"


def _kinds(names: pd.Series, ids: pd.Series, actors: pd.DataFrame | None) -> pd.Series:
    """Each actor's kind: from the actor table where it lists the id, else from UCDP's name."""
    found = {(n, i): actor_kind(n, i) for n, i in set(zip(names, ids, strict=True))}
    out = pd.Series([found[(n, i)] for n, i in zip(names, ids, strict=True)], index=names.index, dtype="object")
    if actors is not None:
        listed = ids.map(actors.set_index("actor_new_id")["actor_kind"])
        out = out.where(listed.isna() | out.eq("unidentified"), listed)
    return out


def check_actor_table(table: pd.DataFrame, file: str = "ucdp_actors.csv") -> pd.DataFrame:
    """Refuse an actor table with a missing column, a repeated id or an unknown kind (naming the row)."""
    _need(table, ACTOR_COLUMNS, file)
    t = table.copy()
    t["actor_new_id"] = as_ids(t["actor_new_id"])
    dup = t["actor_new_id"].duplicated(keep=False)
    if dup.any():
        rows = (t.index[dup] + 2).tolist()
        raise ParameterError(f"{file}, rows {rows}, column actor_new_id: the id {t.loc[dup, 'actor_new_id'].iloc[0]} "
                             "appears more than once")
    bad = ~t["actor_kind"].isin(KINDS)
    if bad.any():
        row = int(t.index[bad][0]) + 2
        raise ParameterError(f"{file}, row {row}, column actor_kind: {t.loc[bad, 'actor_kind'].iloc[0]!r} is not one "
                             f"of {', '.join(KINDS)}")
    for c in ("group_id", "group_name", "grouping", "government_of"):
        t[c] = t[c].fillna("").astype(str)
    return t


def involvement(events: pd.DataFrame, actors: pd.DataFrame | None = None, *, grouped: bool = False) -> pd.DataFrame:
    """One row per event and actor involved in it (both sides), with the actor's kind and label.

    Parameters
    ----------
    events:
        Event rows (:data:`EVENT_COLUMNS` plus any unit columns, which are carried along).
    actors:
        The actor table (:func:`check_actor_table`); actors not in it are kept, their kind read from
        UCDP's name (``Government of ...``, ``Civilians``, ``XXX...``).
    grouped:
        Label actors by their group (``group_name``) where the table groups them; else by UCDP name.
        An event in which both sides belong to one group counts once for that group.

    Returns
    -------
    DataFrame
        The event's columns, plus ``side`` (``a``/``b``), ``actor_new_id``, ``ucdp_name``, ``actor_kind``,
        ``actor`` (the label: UCDP name, group, or :data:`UNIDENTIFIED`), ``in_actor_table``.
    """
    _need(events, EVENT_COLUMNS, "involvement")
    parts = []
    for side in ("a", "b"):
        p = events.copy()
        p["side"] = side
        p["actor_new_id"] = as_ids(p[f"side_{side}_new_id"])
        p["ucdp_name"] = p[f"side_{side}"].astype(str)
        parts.append(p)
    long = pd.concat(parts, ignore_index=True)
    long["actor_kind"] = _kinds(long["ucdp_name"], long["actor_new_id"], actors)
    long["actor"] = long["ucdp_name"]
    long["in_actor_table"] = False
    if actors is not None:
        t = actors.set_index("actor_new_id")
        long["in_actor_table"] = long["actor_new_id"].isin(t.index)
        if grouped:
            group = long["actor_new_id"].map(t["group_name"]).fillna("")
            long.loc[group.ne(""), "actor"] = group[group.ne("")]
    long.loc[long["actor_kind"].eq("unidentified"), "actor"] = UNIDENTIFIED
    long = long.drop_duplicates(["id", "actor"]).reset_index(drop=True)
    return long


def _sums(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    g = frame.groupby(list(by), dropna=False, sort=True)
    out = g.agg(events=("id", "nunique"), deaths_best=("best", "sum"), deaths_low=("low", "sum"),
                deaths_high=("high", "sum")).reset_index()
    for c in ("events", *DEATHS):
        out[c] = out[c].astype("int64")
    return out


def by_actor(involved: pd.DataFrame, by: Sequence[str] = ("year",), *, include_civilians: bool = False) -> pd.DataFrame:
    """Events and deaths (best, low, high) **in events involving** each actor, per cell of ``by``.

    An event counts once for every actor involved (so the rows of one cell do not add up to the
    cell's events). Civilians, the target of one-sided violence, are left out unless asked for.
    """
    f = involved if include_civilians else involved[involved["actor_kind"].ne("civilians")]
    return _sums(f, ["actor", "actor_kind", *by]).sort_values(
        ["deaths_best", "events"], ascending=False, kind="stable").reset_index(drop=True)


def leading_actors(involved: pd.DataFrame, n: int = 8, measure: str = "deaths_best") -> list[str]:
    """The ``n`` actors with most ``measure`` in events involving them (civilians not counted)."""
    if measure not in ("events", *DEATHS):
        raise ParameterError(f"measure must be one of events, {', '.join(DEATHS)}; got {measure!r}")
    t = by_actor(involved, by=())
    return t.sort_values([measure, "events"], ascending=False, kind="stable")["actor"].head(n).tolist()


def by_conflict(events: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Events and deaths per UCDP conflict (name, id, type of violence), per cell of ``by``."""
    _need(events, EVENT_COLUMNS, "by_conflict")
    e = events.assign(conflict_new_id=as_ids(events["conflict_new_id"]),
                      type=events["type_of_violence"].map(TYPE_NAMES))
    return _sums(e, ["conflict_name", "conflict_new_id", "type", *by]).sort_values(
        ["deaths_best", "events"], ascending=False, kind="stable").reset_index(drop=True)


def dyads(events: pd.DataFrame, actors: pd.DataFrame | None = None, by: Sequence[str] = ()) -> pd.DataFrame:
    """Events and deaths per UCDP dyad, with its sides, type and whether it is interstate.

    ``interstate``: both sides are governments (e.g. Government of India - Government of Pakistan).
    ``unidentified``: a side is a Candidate code for an actor not yet identified.
    """
    _need(events, EVENT_COLUMNS, "dyads")
    e = events.assign(dyad_new_id=as_ids(events["dyad_new_id"]), type=events["type_of_violence"].map(TYPE_NAMES))
    for side in ("a", "b"):
        e[f"kind_{side}"] = _kinds(e[f"side_{side}"].astype(str), as_ids(e[f"side_{side}_new_id"]), actors)
    e["interstate"] = e["kind_a"].eq("government") & e["kind_b"].eq("government")
    e["unidentified"] = e["kind_a"].eq("unidentified") | e["kind_b"].eq("unidentified")
    keys = ["dyad_name", "dyad_new_id", "side_a", "side_b", "type", "interstate", "unidentified", *by]
    return _sums(e, keys).sort_values(["deaths_best", "events"], ascending=False, kind="stable").reset_index(drop=True)


def one_sided_by_perpetrator(involved: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Events and deaths of one-sided violence by perpetrator (side_a of type 3 events only: UCDP's definition)."""
    f = involved[involved["type_of_violence"].eq(3) & involved["side"].eq("a")]
    out = _sums(f, ["actor", "actor_kind", *by]).rename(columns={"actor": "perpetrator"})
    return out.sort_values(["deaths_best", "events"], ascending=False, kind="stable").reset_index(drop=True)


def new_and_ended_dyads(events: pd.DataFrame) -> pd.DataFrame:
    """Per year: dyads active for the first time in the data, and dyads active for the last time.

    A dyad's last year counts as "ended" only before the data's last year (after it the data cannot
    say); ``active`` is the number of dyads with any event that year. Returns ``year``, ``active``,
    ``new``, ``ended``, ``new_dyads``, ``ended_dyads`` (names).
    """
    _need(events, ["dyad_name", "dyad_new_id", "year"], "new_and_ended_dyads")
    e = events.assign(dyad_new_id=as_ids(events["dyad_new_id"]))
    spans = e.groupby(["dyad_new_id"]).agg(name=("dyad_name", "first"), first=("year", "min"), last=("year", "max"))
    last_year = int(e["year"].max())
    rows = []
    for y in range(int(e["year"].min()), last_year + 1):
        new = spans[spans["first"].eq(y)]["name"].sort_values().tolist()
        ended = spans[spans["last"].eq(y)]["name"].sort_values().tolist() if y < last_year else []
        rows.append({"year": y, "active": int(e.loc[e["year"].eq(y), "dyad_new_id"].nunique()), "new": len(new),
                     "ended": len(ended) if y < last_year else np.nan, "new_dyads": "; ".join(new),
                     "ended_dyads": "; ".join(ended) if y < last_year else "not known: the data end this year"})
    return pd.DataFrame(rows)


def unidentified_share(involved: pd.DataFrame, by: Sequence[str] = ("year",)) -> pd.DataFrame:
    """Per cell of ``by``: events, events with an actor not yet identified (Candidate codes), and the share."""
    per_event = involved.groupby("id").agg(unidentified=("actor_kind", lambda s: bool(s.eq("unidentified").any())),
                                           **{c: (c, "first") for c in by})
    out = per_event.groupby(list(by)).agg(events=("unidentified", "size"),
                                          events_unidentified=("unidentified", "sum")).reset_index()
    out["events_unidentified"] = out["events_unidentified"].astype("int64")
    out["share_unidentified"] = out["events_unidentified"] / out["events"]
    return out


# --------------------------------------------------------------------------- months


def monthly(events: pd.DataFrame, by: Sequence[str] = (), *, window: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and deaths per calendar month, with a rolling mean; events spanning months left out and counted.

    An event counts in a month only when its ``date_start`` and ``date_end`` fall in the same month;
    the others stay in yearly tables and are reported here as left out (how many, how many deaths).
    Months without events inside the span are zeros.

    Returns
    -------
    (months, left_out)
        ``months``: ``by``, ``month`` (first day), ``events``, ``deaths_best``, and
        ``events_rolling``/``deaths_rolling`` (trailing mean over ``window`` months).
        ``left_out``: ``by``, ``events_left_out``, ``deaths_left_out``, ``events``, ``deaths`` (totals).
    """
    _need(events, ["id", "date_start", "date_end", "best", *by], "monthly")
    if window < 1:
        raise ParameterError(f"window must be at least 1 month; got {window}")
    start = pd.to_datetime(events["date_start"])
    end = pd.to_datetime(events["date_end"])
    if start.isna().any() or end.isna().any():
        raise ParameterError("monthly: every event needs date_start and date_end")
    one_month = start.dt.to_period("M").eq(end.dt.to_period("M"))
    e = events.assign(month=start.dt.to_period("M").dt.to_timestamp(), _one=one_month,
                      _out=(~one_month).astype("int64"), _out_deaths=events["best"].where(~one_month, 0))
    by = list(by)
    totals = e.groupby(by, dropna=False) if by else e.groupby(lambda _: 0)
    left = totals.agg(events_left_out=("_out", "sum"), deaths_left_out=("_out_deaths", "sum"),
                      events=("id", "size"), deaths=("best", "sum")).reset_index(drop=not by)
    kept = e[e["_one"]]
    months = pd.date_range(e["month"].min(), e["month"].max(), freq="MS")
    cells = kept.groupby([*by, "month"], dropna=False).agg(events=("id", "size"), deaths_best=("best", "sum"))
    groups = e[by].drop_duplicates() if by else pd.DataFrame(index=[0])
    grid = groups.merge(pd.DataFrame({"month": months}), how="cross")
    out = grid.merge(cells.reset_index(), on=[*by, "month"], how="left")
    out[["events", "deaths_best"]] = out[["events", "deaths_best"]].fillna(0).astype("int64")
    out = out.sort_values([*by, "month"], kind="stable").reset_index(drop=True)
    roll = out.groupby(by, sort=False) if by else out
    for c in ("events", "deaths_best"):
        r = roll[c].rolling(window, min_periods=window).mean()
        out[f"{c.split('_')[0]}_rolling"] = r.reset_index(level=list(range(len(by))), drop=True) if by else r
    return out, left


# --------------------------------------------------------------------------- perpetrators of an incident log


def match_perpetrators(names: pd.Series, aliases: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Match an incident log's perpetrator names to actors through an alias table.

    Matching ignores case, spacing and punctuation. A blank name is "not stated". A name that matches
    nothing is kept as itself (so nothing is dropped) and listed with its count in the second table.

    Returns
    -------
    (actor, unmatched)
        ``actor`` aligned to ``names``; ``unmatched``: ``name``, ``records`` (largest first).
    """
    _need(aliases, ["alias", "actor"], "perpetrator aliases")
    key = aliases.assign(_k=aliases["alias"].map(_normal))
    dup = key["_k"].duplicated(keep=False) & ~key.duplicated(["_k", "actor"], keep=False)
    if dup.any():
        raise ParameterError(f"perpetrator aliases: {key.loc[dup, 'alias'].tolist()[:4]} map one spelling to "
                             "different actors")
    table = dict(zip(key["_k"], key["actor"], strict=True))
    raw = pd.Series(names, dtype="string").fillna("").str.strip()
    norm = raw.map(_normal)
    actor = norm.map(table)
    blank = raw.eq("")
    actor[blank] = "not stated"
    unmatched = actor.isna()
    actor[unmatched] = raw[unmatched]
    counts = raw[unmatched].value_counts().rename_axis("name").reset_index(name="records")
    return actor.astype("string"), counts.sort_values(["records", "name"], ascending=[False, True]).reset_index(drop=True)


def _normal(name: object) -> str:
    return re.sub(r"[^0-9a-z]+", "", str(name).lower())


def perpetrator_table(records: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Incidents and persons killed per matched perpetrator (column ``actor``), per cell of ``by``.

    Aggregates only: never a row of the log. ``killed`` sums the known counts; ``incidents_killed_unknown``
    counts the incidents whose toll the log does not give.
    """
    _need(records, ["actor", "killed", *by], "perpetrator_table")
    killed = pd.to_numeric(records["killed"], errors="coerce")
    f = records.assign(_k=killed, _unknown=killed.isna())
    out = f.groupby(["actor", *by], dropna=False).agg(incidents=("actor", "size"), killed=("_k", "sum"),
                                                      incidents_killed_unknown=("_unknown", "sum")).reset_index()
    out["killed"] = out["killed"].astype("int64")
    out["incidents_killed_unknown"] = out["incidents_killed_unknown"].astype("int64")
    return out.rename(columns={"actor": "perpetrator"}).sort_values(
        ["killed", "incidents"], ascending=False, kind="stable").reset_index(drop=True)


#: The caveat of every count "involving" an actor.
INVOLVING = ("deaths in events involving the actor, on both sides and among civilians, not deaths it inflicted; "
             "only in one-sided violence is UCDP's side_a the perpetrator")
PROVISIONAL_EVENTS = "the events include UCDP Candidate data: provisional, revised by UCDP"


def actor_summary(involved: pd.DataFrame, *, measure: str = "deaths_best", label: str, provisional: bool = False,
                  left_out_of_months: tuple[int, int] | None = None) -> list[tuple[str, tuple[str, ...]]]:
    """Sentences for the summary of findings, each as ``(text, caveats)``: counts "involving" an actor."""
    out: list[tuple[str, tuple[str, ...]]] = []
    more = (PROVISIONAL_EVENTS,) if provisional else ()
    ranking = by_actor(involved, by=())
    if not ranking.empty:
        top = ranking.sort_values([measure, "events"], ascending=False, kind="stable").head(3)
        words = "events" if measure == "events" else f"deaths ({measure.removeprefix('deaths_')} estimate)"
        out.append((f"Actors involved in the most {words} ({label}): "
                    + "; ".join(f"{r.actor} ({getattr(r, measure):,} in {r.events:,} events)"
                                for r in top.itertuples()) + ".", (INVOLVING, *more)))
    perp = one_sided_by_perpetrator(involved)
    if not perp.empty:
        r = perp.iloc[0]
        out.append((f"One-sided violence against civilians: {r['perpetrator']} is the perpetrator with most deaths "
                    f"({int(r[measure]):,} in {int(r['events']):,} events).",
                    ("UCDP's side_a of one-sided events is the perpetrator", *more)))
    foreign = ranking[ranking["actor_kind"].eq("government") & ~ranking["actor"].eq("Government of Pakistan")]
    if not foreign.empty:
        out.append(("Foreign governments appear in their own right: " + "; ".join(
            f"{r.actor} ({r.events:,} events)" for r in foreign.head(3).itertuples()) + ".", more))
    unidentified = involved.loc[involved["actor_kind"].eq("unidentified"), "id"].nunique()
    if unidentified:
        out.append((f"{unidentified:,} events involve an actor {UNIDENTIFIED}.",
                    ("provisional coding: UCDP names the actor in a later release",)))
    if left_out_of_months and left_out_of_months[0]:
        out.append((f"{left_out_of_months[0]:,} events ({left_out_of_months[1]:,} deaths) span more than one month: "
                    "counted in the yearly tables, left out of the monthly ones.", ()))
    return out
