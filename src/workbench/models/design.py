"""From the drivers panel to a model's rows and design matrix, saying what is left out and why.

:func:`build_design` takes a drivers panel (``drivers_district_year_stable``,
``drivers_district_year_census2023`` or ``drivers_province_year``) and a
:class:`~workbench.models.options.Specification`, and returns a :class:`Design`: the outcome, the
log-population offset, the covariates (each with the years it was measured), the fixed-effect
dummies, the cluster of each row, and a table of every row left out with its reason. Nothing is
filled in: a row without population, outcome history or a covariate is left out and reported.

The helpers :func:`lagged`, :func:`measured_before` and :func:`drop_all_zero_groups` are pure
functions on tidy frames, tested on their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.linalg

from workbench.errors import ParameterError
from workbench.formatting import year_ranges
from workbench.geo.units import FATA_ID
from workbench.models.options import COVARIATES, ModelFitError, Specification

PART_KEY = ["unit_id", "province"]
SPATIAL_PREFIX = "spatial_log1p_"
#: The ``covariate`` of the spatial-lag term in coefficient tables.
NEIGHBOUR_COVARIATE = "neighbours' violence"
NOT_ENUMERATED = ("PK-GB", "PK-JK")
_RESIDUAL = {
    "province": "events located only to a province: no district, no population of their own",
    "division": "events located only to a city as a whole (Karachi): no district, no population of their own",
    "country": "events located only to Pakistan: no province or district, no population",
}


# --------------------------------------------------------------------------- helpers (pure)

def lagged(frame: pd.DataFrame, column: str, lag: int, key: Sequence[str] = PART_KEY) -> pd.Series:
    """``column`` of the same unit ``lag`` years earlier, aligned to ``frame``'s rows.

    Matching is by ``key`` and ``year`` (not by position), so a missing year gives a missing
    value and no value crosses from one unit to another.

    Examples
    --------
    >>> f = pd.DataFrame({"unit_id": ["a", "a", "b"], "province": "p", "year": [2000, 2001, 2001], "x": [1, 2, 3]})
    >>> lagged(f, "x", 1).tolist()
    [nan, 1.0, nan]
    """
    key = list(key)
    src = frame[[*key, "year", column]].copy()
    src["year"] = src["year"] + lag
    if src.duplicated([*key, "year"]).any():
        raise ParameterError(f"lagged({column!r}): the frame has more than one row per {key} and year")
    out = frame[[*key, "year"]].merge(src, on=[*key, "year"], how="left", validate="many_to_one")
    return pd.Series(out[column].to_numpy(dtype=float), index=frame.index, name=f"{column}_lag{lag}")


def measured_before(frame: pd.DataFrame, column: str, year_column: str, lag: int,
                    key: Sequence[str] = PART_KEY) -> tuple[pd.Series, pd.Series]:
    """A covariate as a lagged cause: its latest value measured at or before ``year - lag``.

    The drivers panel gives, for each outcome year, the latest measurement at or before it, else
    the earliest after it (with the year it was measured). The value at ``year - lag`` is therefore
    the wanted one exactly when it was measured at or before ``year - lag``; otherwise there is no
    such measurement and the value is missing.

    Returns
    -------
    (value, measured_year)
        Aligned to ``frame``'s rows; both missing where no measurement at or before ``year - lag``
        exists.
    """
    return _before(lagged(frame, column, lag, key), lagged(frame, year_column, lag, key), frame["year"], lag)


def _before(value: pd.Series, when: pd.Series, year: pd.Series, lag: int) -> tuple[pd.Series, pd.Series]:
    """The rule of :func:`measured_before` on lagged values and their measurement years."""
    ok = when.notna() & value.notna() & (when <= year - lag)
    return value.where(ok), when.where(ok)


def drop_all_zero_groups(frame: pd.DataFrame, outcome: str, groups: Sequence[Sequence[str]]
                         ) -> tuple[pd.Series, pd.Series]:
    """Rows to keep when every group of every fixed effect must hold some outcome.

    A fixed-effect group (a district, a province, a year) whose outcome is zero in every row has
    a maximum-likelihood effect of minus infinity: it carries no information about the other
    coefficients and makes the fit fail. Such groups are removed, repeatedly, until none is left.

    Returns
    -------
    (keep, reason)
        Boolean mask over ``frame``'s rows, and for removed rows the fixed effect that removed
        them (``"unit_id+province"``, ``"year"``...), else "".
    """
    keep = pd.Series(True, index=frame.index)
    reason = pd.Series("", index=frame.index, dtype="object")
    changed = True
    while changed:
        changed = False
        for g in groups:
            g = list(g)
            sub = frame.loc[keep, [*g, outcome]]
            if sub.empty:
                break
            total = sub.groupby(g, dropna=False)[outcome].transform("sum")
            zero = total.index[total.to_numpy() == 0]
            if len(zero):
                keep[zero] = False
                reason[zero] = "+".join(g)
                changed = True
    return keep, reason


def _span(values: pd.Series, sep: str = "-") -> str:
    v = values.dropna()
    if v.empty:
        return ""
    lo, hi = int(v.min()), int(v.max())
    return f"{lo}" if lo == hi else f"{lo}{sep}{hi}"


# --------------------------------------------------------------------------- the design

@dataclass
class TermInfo:
    """One reported (non fixed-effect) term: how it entered and when it was measured."""

    term: str
    column: str
    role: str
    per: str
    source: str
    covariate: str = ""
    measured: str = ""
    measurement_age: str = ""
    rows_measured_after_outcome: int = 0


@dataclass
class Design:
    """A model's rows and matrices.

    Attributes
    ----------
    spec:
        The specification.
    sample:
        The rows used: key columns, ``y``, ``population``, ``offset`` and the covariate columns.
    y, X, offset, clusters:
        Outcome, design matrix (named columns: ``const``, the terms, fixed-effect dummies),
        log-population offset, cluster label of each row.
    terms:
        The reported terms in order, with how each entered.
    dropped:
        Rows of the layout left out, grouped by unit and reason: ``unit_id``, ``unit_name``,
        ``province``, ``reason``, ``years``, ``rows``, ``outcome_total``.
    notes:
        Plain-language statements for the output.
    district_set:
        ``stable``, ``census2023`` or ``province`` (the panel's units).
    """

    spec: Specification
    sample: pd.DataFrame
    y: np.ndarray
    X: pd.DataFrame
    offset: np.ndarray
    clusters: np.ndarray
    terms: list[TermInfo]
    dropped: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    district_set: str = ""
    fixed_effects: dict[str, int] = field(default_factory=dict)
    reference_levels: dict[str, str] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        """Units (districts or district parts, or provinces) in the sample."""
        return int(self.sample[PART_KEY].drop_duplicates().shape[0])

    @property
    def n_clusters(self) -> int:
        """Distinct clusters in the sample."""
        return int(pd.unique(self.clusters).size)

    @property
    def period(self) -> str:
        """The outcome years actually used, e.g. ``2005-2021``."""
        return _span(self.sample["year"])


def panel_kind(panel: pd.DataFrame) -> str:
    """``stable``, ``census2023`` or ``province``: which drivers panel this is (from its unit ids)."""
    if "unit_level" not in panel.columns or "unit_id" not in panel.columns:
        raise ParameterError("argument 'panel' must be a drivers panel (read_processed('drivers_district_year_stable')"
                             " or similar); it lacks unit_id/unit_level")
    districts = panel.loc[panel["unit_level"].eq("district"), "unit_id"].astype(str)
    if districts.empty:
        return "province"
    prefixes = set(districts.str.split("/", n=1).str[0])
    if len(prefixes) != 1 or not prefixes <= {"stable", "census2023"}:
        raise ParameterError(f"argument 'panel': district ids of unexpected vintages {sorted(prefixes)}; expected "
                             "one drivers panel (stable or census2023)")
    return prefixes.pop()


def _need(panel: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise ParameterError(f"argument 'panel' lacks column(s) {missing}: pass a drivers panel "
                             "(read_processed('drivers_district_year_stable'), see docs/demography.md)")


def neighbours_lagged(frame: pd.DataFrame, column: str, lag: int,
                      neighbours: Mapping[str, Sequence[str]]) -> tuple[pd.Series, pd.Series]:
    """The mean of ``column`` over each district's neighbours ``lag`` years earlier (a spatial lag).

    A district's value is the sum over its parts (in the pre-2018 layout a district may have a
    FATA part); the mean is over ``neighbours[unit_id]`` with equal weights (row-standardised
    contiguity). Nothing is filled in: the value is missing for a district without neighbours (an
    island), when t-lag is outside the panel's years, or when any neighbour has no value then.

    Returns
    -------
    (value, reason)
        Aligned to ``frame``'s rows; ``reason`` says why a district row has no value ("" where it has).
        Rows that are not districts get no value and no reason.
    """
    district = frame["unit_level"].eq("district")
    totals = frame[district].groupby(["unit_id", "year"])[column].sum(min_count=1).unstack("year")
    units = list(totals.index.astype(str))
    pos = {u: i for i, u in enumerate(units)}
    v = totals.to_numpy(dtype=float)
    mean = np.full_like(v, np.nan)
    lacking = np.zeros(len(units), dtype=bool)
    for u, i in pos.items():
        ns = [pos.get(str(n), -1) for n in neighbours.get(u, ())]
        if not ns:
            lacking[i] = True
        elif min(ns) >= 0:
            mean[i] = v[ns].mean(axis=0)  # NaN in any neighbour's year stays NaN in that year
    years = totals.columns.to_numpy()
    col = {int(y): j for j, y in enumerate(years)}
    uid = frame["unit_id"].astype(str).to_numpy()
    target = (frame["year"].to_numpy() - lag).astype(int)
    value = np.full(len(frame), np.nan)
    reason = np.full(len(frame), "", dtype=object)
    is_d = district.to_numpy()
    for k in np.flatnonzero(is_d):
        i, j = pos[uid[k]], col.get(int(target[k]))
        if lacking[i]:
            reason[k] = "no contiguous neighbour in the boundary layer (an island): no neighbours' violence"
        elif j is None:
            reason[k] = f"neighbours' violence at t-{lag} falls before the panel's first year"
        elif np.isnan(mean[i, j]):
            reason[k] = f"a neighbour has no value of {column} at t-{lag} (or is not in the panel)"
        else:
            value[k] = mean[i, j]
    return pd.Series(value, index=frame.index), pd.Series(reason, index=frame.index, dtype="object")


class PreparedPanel:
    """A drivers panel with the work that every specification shares done once.

    The robustness grid fits many specifications of one panel; each needs the layout's rows, the
    lagged covariates and outcomes and, for the spatial-lag variant, the neighbours' violence. Built
    once here and reused, they give results identical to fitting the panel itself. Pass it to
    :func:`build_design` or the estimators wherever a panel is taken.

    Parameters
    ----------
    panel:
        A drivers panel.
    neighbours:
        ``unit_id -> neighbouring unit_ids`` for the spatial lag; by default Queen contiguity of the
        panel's district set (:func:`workbench.panel.spatial.district_neighbours`), read when first needed.
    """

    def __init__(self, panel: pd.DataFrame, neighbours: Mapping[str, Sequence[str]] | None = None) -> None:
        self.frame = panel
        self.kind = panel_kind(panel)
        self._neighbours = neighbours
        self._rows: dict[str, pd.DataFrame] = {}
        self._cache: dict[tuple, object] = {}

    @property
    def attrs(self) -> dict:
        """The panel's ``attrs`` (its sources)."""
        return self.frame.attrs

    def rows(self, layout: str) -> pd.DataFrame:
        """The panel's rows of ``layout`` (shared: copy before changing)."""
        if layout not in self._rows:
            p = self.frame[self.frame["layout"].eq(layout)].copy().reset_index(drop=True)
            if p.empty:
                raise ParameterError(f"the panel has no rows for layout {layout!r}; layouts in it: "
                                     f"{sorted(self.frame['layout'].unique())}")
            self._rows[layout] = p
        return self._rows[layout]

    def _cached(self, key: tuple, compute):
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def lagged(self, layout: str, column: str, lag: int) -> pd.Series:
        """:func:`lagged` of a column on the layout's rows."""
        return self._cached(("lag", layout, column, lag), lambda: lagged(self.rows(layout), column, lag))

    def lagged_outcome(self, layout: str, column: str, lag: int) -> pd.Series:
        """The outcome ``column`` (as float) of the same unit ``lag`` years earlier."""
        def compute() -> pd.Series:
            rows = self.rows(layout)
            return lagged(rows.assign(y=rows[column].astype(float)), "y", lag)
        return self._cached(("outcome", layout, column, lag), compute)

    def measured_before(self, layout: str, column: str, year_column: str, lag: int) -> tuple[pd.Series, pd.Series]:
        """:func:`measured_before` on the layout's rows."""
        return _before(self.lagged(layout, column, lag), self.lagged(layout, year_column, lag),
                       self.rows(layout)["year"], lag)

    def neighbours_lagged(self, layout: str, column: str, lag: int) -> tuple[pd.Series, pd.Series]:
        """:func:`neighbours_lagged` of the outcome ``column`` on the layout's rows."""
        def compute() -> tuple[pd.Series, pd.Series]:
            rows = self.rows(layout)
            return neighbours_lagged(rows.assign(y=rows[column].astype(float)), "y", lag, self.neighbours())
        return self._cached(("neighbours", layout, column, lag), compute)

    def neighbours(self) -> Mapping[str, Sequence[str]]:
        """The neighbours used for the spatial lag."""
        if self._neighbours is None:
            if self.kind == "province":
                raise ParameterError("neighbours' violence is a district covariate; a province panel has none")
            from workbench.panel.spatial import district_neighbours

            self._neighbours, _ = district_neighbours(self.kind, "queen")
        return self._neighbours


def prepare(panel: pd.DataFrame | PreparedPanel, neighbours: Mapping[str, Sequence[str]] | None = None
            ) -> PreparedPanel:
    """A :class:`PreparedPanel` of ``panel`` (returned as it is when already prepared)."""
    if isinstance(panel, PreparedPanel):
        return panel
    if not isinstance(panel, pd.DataFrame):
        raise ParameterError(f"argument 'panel' must be a pandas DataFrame (a drivers panel); found "
                             f"{type(panel).__name__}")
    return PreparedPanel(panel, neighbours)


def _population_reason(row_year: pd.Series, province: pd.Series, first_year: int) -> pd.Series:
    early = row_year < first_year
    out = pd.Series("no population for this unit and year (see drivers_missingness): out of any per-capita model",
                    index=row_year.index, dtype="object")
    out[province.isin(NOT_ENUMERATED)] = ("no population: AJK and GB are not in the mirrored census tables and no "
                                          "cited figure exists; out of any per-capita model")
    out[early] = (f"no population before the first census anchor ({first_year}); not extrapolated, so out of any "
                  "per-capita model")
    return out


def build_design(panel: pd.DataFrame | PreparedPanel, spec: Specification, *,
                 former_fata: Mapping[str, str] | None = None) -> Design:
    """The rows and matrices of one model; every row left out is reported with its reason.

    Parameters
    ----------
    panel:
        A drivers panel (both layouts; only ``spec.layout`` is used), or a :class:`PreparedPanel` of
        one to reuse the work shared by many specifications.
    spec:
        The model.
    former_fata:
        ``unit_id -> "no" | "part" | "whole"`` (the registry's ``former_fata``); needed only when
        ``spec.exclude_former_fata``.

    Raises
    ------
    ParameterError
        The panel does not fit the specification (wrong level, missing columns), a covariate
        cannot enter as asked (a lagged cause measured after every outcome year; a covariate
        constant within units under unit fixed effects), or the design is collinear.
    ModelFitError
        No row is left, or the outcome is zero in every row left.
    """
    base = prepare(panel)
    kind = base.kind
    if spec.level == "district" and kind == "province":
        raise ParameterError("this is a province panel: use province_association for province-level models")
    if spec.level == "province" and kind != "province":
        raise ParameterError(f"this is a district panel ({kind}): province_association needs drivers_province_year")
    y_col = spec.outcome_column
    covs = spec.all_covariates
    year_cols = [COVARIATES[c].year_column for c in covs]
    _need(base.frame, ["layout", "unit_id", "unit_name", "unit_level", "province", "year", y_col, "population",
                       *covs, *year_cols])
    p = base.rows(spec.layout).copy()
    if spec.exclude_former_fata and former_fata is None:
        raise ParameterError("exclude_former_fata needs the registry's former_fata column (pass former_fata=)")
    p["y"] = p[y_col].astype(float)
    first_pop_year = int(p.loc[p["population"].notna(), "year"].min()) if p["population"].notna().any() else 9999

    # terms, computed on the whole layout (so lags reach back before the period)
    terms: list[TermInfo] = []
    term_cols: list[str] = []
    for c in spec.lagged_covariates:
        info = COVARIATES[c]
        value, when = base.measured_before(spec.layout, c, info.year_column, spec.lag)
        col = f"{c}__lag{spec.lag}"
        p[col] = value * info.scale
        p[f"{col}__measured"] = when
        p[f"{col}__panel_measured"] = base.lagged(spec.layout, info.year_column, spec.lag)  # measured at t-lag
        terms.append(TermInfo(f"{c} (t-{spec.lag})", col, f"lagged cause: latest measurement at or before t-{spec.lag}",
                              info.per, info.source, c))
        term_cols.append(col)
    for c in spec.covariates:
        info = COVARIATES[c]
        p[f"{c}__measured"] = p[info.year_column].astype(float)
        p[c] = p[c].astype(float) * info.scale
        terms.append(TermInfo(c, c, "as measured (association)", info.per, info.source, c))
        term_cols.append(c)
    if spec.lagged_violence:
        col = f"log1p_{y_col}__lag{spec.lag}"
        p[col] = np.log1p(base.lagged_outcome(spec.layout, y_col, spec.lag))
        terms.append(TermInfo(f"log(1 + {y_col}) (t-{spec.lag})", col, f"lagged outcome, t-{spec.lag}",
                              "1 log point of (1 + count)", "UCDP GED 22.1 (the outcome itself)", "lagged outcome"))
        term_cols.append(col)
    if spec.neighbour_violence:
        value, why = base.neighbours_lagged(spec.layout, y_col, spec.lag)
        col = f"{SPATIAL_PREFIX}{y_col}__lag{spec.lag}"
        p[col] = np.log1p(value)
        p[f"{col}__why"] = why
        terms.append(TermInfo(f"log(1 + neighbours' mean {y_col}) (t-{spec.lag})", col,
                              f"spatial lag: mean outcome of the contiguous districts, t-{spec.lag}",
                              "1 log point of (1 + neighbours' mean count)",
                              "UCDP GED 22.1 (the outcome in Queen-contiguous districts of the OSM boundary layer)",
                              NEIGHBOUR_COVARIATE))
        term_cols.append(col)

    # the period, then rows left out in order, each with its first reason
    p = p[p["year"].between(spec.start_year, spec.end_year)].reset_index(drop=True)
    if p.empty:
        raise ModelFitError(f"no rows for {spec.start_year}-{spec.end_year} in the {spec.layout} layout")
    reason = pd.Series("", index=p.index, dtype="object")

    def leave_out(mask: pd.Series, why: pd.Series | str) -> None:
        new = mask & reason.eq("")
        if isinstance(why, str):
            reason[new] = why
        else:
            reason[new] = why[new]

    if spec.level == "district":
        residual = ~p["unit_level"].eq("district")
    else:
        residual = ~(p["unit_level"].eq("province") & p["unit_id"].eq(p["province"]))
    leave_out(residual, p["unit_level"].map(_RESIDUAL).fillna("not a unit of this level"))
    if spec.exclude_former_fata:
        ff = p["unit_id"].map(dict(former_fata or {})).fillna("no")
        if spec.layout == "pre2018":
            fata = ff.eq("whole") | p["province"].eq(FATA_ID)
            text = "former FATA left out (exclude_former_fata): a FATA agency or a Frontier Region's part"
        else:
            fata = ff.isin(["whole", "part"])
            text = ("former FATA left out (exclude_former_fata): a former agency, or a district that absorbed a "
                    "Frontier Region (the current layout cannot separate it)")
        leave_out(fata, text)
    leave_out(p["population"].isna() | ~(p["population"] > 0),
              _population_reason(p["year"], p["province"], first_pop_year))
    leave_out(p["y"].isna(), f"no value of {y_col}")
    for t in terms:
        leave_out(p[t.column].isna(), _term_reason(p, t, spec))

    _refuse_lagged_after_outcome(p, reason, terms, spec)

    keep = reason.eq("")
    if not keep.any():
        raise ModelFitError(_nothing_left(p, reason, spec))
    fe_groups: list[list[str]] = []
    if spec.unit_effects == "district":
        fe_groups.append(PART_KEY)
    elif spec.unit_effects == "province":
        fe_groups.append(["province"])
    if spec.year_effects:
        fe_groups.append(["year"])
    if fe_groups:
        k2, why = drop_all_zero_groups(p[keep], "y", fe_groups)
        fe_name = {"unit_id+province": "district", "province": "province", "year": "year"}
        zero_reason = why.map(lambda g: (f"no {spec.outcome_label} in {spec.start_year}-{spec.end_year} "
                                         f"in this {fe_name.get(g, g)}: uninformative with {fe_name.get(g, g)} "
                                         "fixed effects, left out (a zero-only group has no finite effect)"
                                         ) if g else "")
        full_zero = pd.Series(False, index=p.index)
        full_zero[k2.index[~k2]] = True
        zr = pd.Series("", index=p.index, dtype="object")
        zr[k2.index] = zero_reason
        leave_out(full_zero, zr)
        keep = reason.eq("")
    sample = p[keep].copy()
    if sample.empty:
        raise ModelFitError(_nothing_left(p, reason, spec))
    if sample["y"].sum() == 0:
        raise ModelFitError(f"{spec.outcome_label} is zero in every row left ({len(sample)} rows): nothing to model")

    _refuse_time_invariant(sample, terms, spec)

    for t in terms:
        if _outcome_term(t):
            t.measured = f"t-{spec.lag}"
            t.measurement_age = str(spec.lag)
            continue
        when = sample[f"{t.column}__measured"]
        t.measured = _span(when)
        t.measurement_age = _span(sample["year"] - when, " to ")
        t.rows_measured_after_outcome = int((when > sample["year"]).sum())

    X, fe_counts, refs = _design_matrix(sample, term_cols, spec)
    _refuse_collinear(X, spec)
    clusters = (sample["unit_id"] if spec.level == "district" else sample["province"]).astype(str).to_numpy()
    dropped = _dropped_table(p, reason)
    design = Design(spec=spec, sample=sample.reset_index(drop=True), y=sample["y"].to_numpy(dtype=float), X=X,
                    offset=np.log(sample["population"].to_numpy(dtype=float)), clusters=clusters, terms=terms,
                    dropped=dropped, district_set=kind, fixed_effects=fe_counts, reference_levels=refs)
    design.notes = _notes(design, p, reason, residual)
    return design


def _term_reason(p: pd.DataFrame, t: TermInfo, spec: Specification) -> pd.Series:
    """Why a term is missing in each row (a lagged cause: measured only after t-lag, or absent)."""
    if t.column.startswith(SPATIAL_PREFIX):
        return p[f"{t.column}__why"]
    if t.column.startswith("log1p_"):
        return pd.Series(f"lagged outcome t-{spec.lag} falls before UCDP GED coverage (1989)", index=p.index,
                         dtype="object")
    base = t.column.split("__lag")[0]
    out = pd.Series(f"no value of {base} (see drivers_missingness)", index=p.index, dtype="object")
    if "__lag" not in t.column:
        return out
    when = p[f"{t.column}__panel_measured"]
    later = when.notna() & (when > p["year"] - spec.lag)
    out[later] = [f"{base}: no measurement at or before t-{spec.lag} (the earliest is {int(w)}), so it cannot "
                  "enter as a lagged cause for these years" for w in when[later]]
    return out


def _refuse_lagged_after_outcome(p: pd.DataFrame, reason: pd.Series, terms: list[TermInfo],
                                 spec: Specification) -> None:
    """A lagged cause measured only after t-lag in every usable row is refused outright."""
    usable = reason.eq("") | reason.str.contains("lagged cause", regex=False)
    for t in terms:
        if "__lag" not in t.column or _outcome_term(t):
            continue
        if p.loc[usable, t.column].notna().any():
            continue
        when = p[f"{t.column}__panel_measured"]
        later = usable & when.notna() & (when > p["year"] - spec.lag)
        if not later.any():
            continue  # no value at all: the rows are left out with that reason
        base = t.column.split("__lag")[0]
        raise ParameterError(
            f"{base} cannot enter as a lagged cause: it was measured in {_span(when[later])}, after every outcome "
            f"year t-{spec.lag} of {spec.start_year}-{spec.end_year} (a measure taken after the outcome cannot explain "
            f"it). Enter it under covariates= instead (an association, flagged as measured after the outcome), "
            f"or choose a period it precedes")


def _outcome_term(t: TermInfo) -> bool:
    """The lagged outcome or the neighbours' lagged outcome (no measurement year of their own)."""
    return t.column.startswith(("log1p_", SPATIAL_PREFIX))


def _refuse_time_invariant(sample: pd.DataFrame, terms: list[TermInfo], spec: Specification) -> None:
    if spec.unit_effects == "none":
        return
    key = PART_KEY if spec.unit_effects == "district" else ["province"]
    what = "district" if spec.unit_effects == "district" else "province"
    for t in terms:
        spread = sample.groupby(key)[t.column].agg(lambda s: float(s.max() - s.min()))
        if (spread <= 1e-12).all():
            measured = _span(sample[f"{t.column}__measured"]) if f"{t.column}__measured" in sample else ""
            when = f" (measured {measured})" if measured else ""
            other = "'none'" if what == "province" else "'province' or 'none'"
            raise ParameterError(
                f"{t.term} does not vary within any {what} in {_span(sample['year'])}{when}: it is constant there, "
                f"so with {what} fixed effects its coefficient is not identified. Use unit_effects={other} "
                "(a comparison between units), or drop it from the model")


def _design_matrix(sample: pd.DataFrame, term_cols: list[str], spec: Specification
                   ) -> tuple[pd.DataFrame, dict[str, int], dict[str, str]]:
    columns: dict[str, np.ndarray] = {"const": np.ones(len(sample))}
    for c in term_cols:
        columns[c] = sample[c].astype(float).to_numpy()
    counts: dict[str, int] = {}
    refs: dict[str, str] = {}
    effects = []
    if spec.unit_effects == "district":
        effects.append(("district", sample["unit_id"].astype(str) + "|" + sample["province"].astype(str)))
    elif spec.unit_effects == "province":
        effects.append(("province", sample["province"].astype(str)))
    if spec.year_effects:
        effects.append(("year", sample["year"].astype(int).astype(str)))
    for name, codes in effects:
        values = codes.to_numpy(dtype=object)
        levels = sorted(codes.unique())
        counts[name] = len(levels)
        refs[name] = levels[0]
        for lv in levels[1:]:
            columns[f"{name}[{lv}]"] = (values == lv).astype(float)
    return pd.DataFrame(columns), counts, refs


def _refuse_collinear(X: pd.DataFrame, spec: Specification) -> None:
    if X.shape[0] <= X.shape[1]:
        raise ModelFitError(f"{X.shape[0]} rows for {X.shape[1]} parameters: too few rows for this model")
    a = X.to_numpy(dtype=float)
    a = a / np.where(np.abs(a).max(axis=0) > 0, np.abs(a).max(axis=0), 1.0)
    _, r, piv = scipy.linalg.qr(a, mode="economic", pivoting=True)
    d = np.abs(np.diag(r))
    rank = int((d > d[0] * 1e-10).sum())
    if rank < a.shape[1]:
        dependent = [str(X.columns[i]) for i in piv[rank:]]
        named = [c for c in dependent if "[" not in c] or dependent
        raise ParameterError(f"the design is collinear: {named[:5]} {'are' if len(named) > 1 else 'is'} a linear "
                             "combination of the other columns (fixed effects included); drop one of them or change "
                             "the fixed effects")


def _dropped_table(p: pd.DataFrame, reason: pd.Series) -> pd.DataFrame:
    out = p.loc[reason.ne(""), ["unit_id", "unit_name", "unit_level", "province", "year", "y"]].copy()
    out["reason"] = reason[reason.ne("")]
    cols = ["unit_id", "unit_name", "unit_level", "province", "reason", "years", "rows", "outcome_total"]
    if out.empty:
        return pd.DataFrame(columns=cols)
    g = out.groupby(["unit_id", "unit_name", "unit_level", "province", "reason"], sort=False)
    table = g.agg(years=("year", year_ranges), rows=("year", "size"), outcome_total=("y", "sum")).reset_index()
    table["outcome_total"] = table["outcome_total"].astype("int64")
    return table[cols].sort_values(["reason", "province", "unit_id"], kind="stable").reset_index(drop=True)


def _nothing_left(p: pd.DataFrame, reason: pd.Series, spec: Specification) -> str:
    top = reason[reason.ne("")].value_counts().head(4)
    lines = "; ".join(f"{n} rows: {r}" for r, n in top.items())
    return (f"no row is left for {spec.outcome_label}, {spec.start_year}-{spec.end_year}, {spec.layout} layout. "
            f"Most common reasons: {lines}")


def _notes(d: Design, p: pd.DataFrame, reason: pd.Series, residual: pd.Series) -> list[str]:
    spec = d.spec
    notes: list[str] = []
    lost = p[residual]
    if spec.level == "district" and lost["y"].sum() > 0:
        notes.append(f"{int(lost['y'].sum()):,} of {int(p['y'].sum()):,} {spec.outcome_label} in "
                     f"{spec.start_year}-{spec.end_year} are located only to a province, a city as a whole or the "
                     "country: they belong to no district and are outside this district model.")
    no_pop = p[reason.str.startswith("no population")]
    if not no_pop.empty:
        early = no_pop["year"].lt(int(p.loc[p["population"].notna(), "year"].min())
                                  if p["population"].notna().any() else 9999)
        txt = "Out of this per-capita model for want of population: "
        parts = []
        ajk_gb = no_pop[no_pop["province"].isin(NOT_ENUMERATED)]
        if not ajk_gb.empty:
            parts.append(f"{', '.join(sorted(ajk_gb['unit_name'].astype(str).unique()))} (AJK and GB: not in the "
                         "mirrored census tables, no cited figure)")
        if early.any():
            parts.append(f"every unit in {year_ranges(no_pop.loc[early, 'year'])} (before the first census anchor)")
        other = no_pop[~no_pop["province"].isin(NOT_ENUMERATED) & ~early]
        if not other.empty:
            names = sorted(other["unit_name"].astype(str).unique())
            parts.append(f"{len(other)} further unit-years of {len(names)} unit(s) ({', '.join(names[:6])}"
                         f"{', ...' if len(names) > 6 else ''}; see the dropped table)")
        notes.append(txt + "; ".join(parts) + ".")
    for t in d.terms:
        if t.rows_measured_after_outcome:
            notes.append(f"{t.term} was measured ({t.measured}) after the outcome year in "
                         f"{t.rows_measured_after_outcome:,} of {len(d.sample):,} rows: it enters as an association, "
                         "not as a cause that precedes the violence.")
    zero = reason.str.contains("uninformative with", regex=False)
    if zero.any():
        units = p.loc[zero, ["unit_id", "province"]].drop_duplicates()
        notes.append(f"{len(units)} unit(s) with no {spec.outcome_label} in the whole period are left out "
                     "(uninformative with fixed effects); see the dropped table.")
    if spec.level == "district" and spec.standard_errors == "cluster" and d.n_clusters < 30:
        notes.append(f"Only {d.n_clusters} clusters: cluster-robust standard errors are unreliable below about 30.")
    return notes


def covariate_coverage(panel: pd.DataFrame, layout: str = "current") -> pd.DataFrame:
    """What each covariate of a drivers panel covers: source, years measured, units with a value.

    One row per covariate of :data:`~workbench.models.options.COVARIATES` present in the panel,
    over the panel's own units (districts, or provinces for the province panel) of ``layout``:
    ``covariate``, ``source``, ``measured`` (years of measurement), ``varies_over_time``,
    ``units_with_value``, ``units``, ``units_without_value`` (names), ``per``.
    """
    kind = panel_kind(panel)
    level = "province" if kind == "province" else "district"
    p = panel[panel["layout"].eq(layout) & panel["unit_level"].eq(level)]
    if level == "province":
        p = p[p["unit_id"].eq(p["province"])]
    if p.empty:
        raise ParameterError(f"the panel has no {level} rows for layout {layout!r}")
    units = p[["unit_id", "province", "unit_name"]].drop_duplicates()
    rows = []
    for name, info in COVARIATES.items():
        if name not in p.columns or info.year_column not in p.columns:
            continue
        have = p[p[name].notna()]
        with_value = have[["unit_id", "province"]].drop_duplicates()
        lacking = units.merge(with_value, how="left", indicator=True)
        lacking = lacking[lacking["_merge"].eq("left_only")]
        measured = year_ranges(have[info.year_column].dropna().astype(int).unique()) if not have.empty else ""
        rows.append({"covariate": name, "source": info.source, "measured": measured,
                     "varies_over_time": bool(have[info.year_column].nunique() > 1),
                     "units_with_value": len(with_value), "units": len(units),
                     "units_without_value": ", ".join(sorted(lacking["unit_name"].astype(str).unique())),
                     "per": info.per})
    out = pd.DataFrame(rows)
    out.attrs["sources"] = list(panel.attrs.get("sources", []))
    return out
