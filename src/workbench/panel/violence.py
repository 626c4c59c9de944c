"""Violence measures chosen by the notebooks' common parameters, from any violence source.

The notebooks share parameters (``start_year``, ``end_year``, ``level``, ``layout``,
``deaths_estimate``, ``violence_types``, ``categories``, ``violence_source``); :func:`select_panel`
turns them into one tidy frame with ``events`` and ``deaths`` columns, carrying its sources and, in
``attrs["measure"]``, what the two columns count. The source is resolved by
:func:`workbench.sources.resolve` (UCDP GED, an analyst's incident log or published series, or any
other kind): what it can give is read from its coverage, never from its kind.

* the window is cut to the years the source covers (``attrs["selection"]["years"]`` says which);
* ``deaths_estimate`` must be one the source has (UCDP: best, low, high; an analyst's log: best);
* a breakdown (UCDP's ``violence_types``, a log's ``categories``) selects the counts of some of the
  source's categories only;
* a source that does not cover every unit-year (a published series) must give every unit-year of
  the window: nothing is filled in;
* every row carries ``provisional`` (preliminary counts: UCDP Candidate releases) and ``months`` (the
  months of its year covered: 12 for a full year, 0 for a year no release covers, whose counts are
  missing, never zero).

The notebooks' release parameters (``ged_release``, ``with_candidate``, ``allow_gap``) choose which
UCDP release ``ucdp_ged_pak`` stands for: :func:`source_from_parameters`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import DISTRICT_SETS, LAYOUTS
from workbench.sources import ViolenceSource, resolve
from workbench.sources.base import YEAR_COLUMNS, year_span
from workbench.sources.resolver import DEFAULT_SOURCE, RELEASE_OPTIONS
from workbench.sources.ucdp_panels import VIOLENCE_TYPES

Level = Literal["province", "district"]
DeathsEstimate = Literal["best", "low", "high"]
LEVELS = ("province", "district")
ESTIMATES = ("best", "low", "high")
UCDP_SOURCE = DEFAULT_SOURCE
KEY = ["layout", "unit_id", "unit_name", "unit_level", "province", "year"]
#: The breakdown parameters of the notebooks, and their "everything" values.
BREAKDOWN_DEFAULTS: dict[str, tuple[str, ...]] = {"violence_types": VIOLENCE_TYPES, "categories": ()}

SourceLike = str | ViolenceSource


# --------------------------------------------------------------------------- sources


def source_from_parameters(violence_source: SourceLike = UCDP_SOURCE,
                           ged_release: str = RELEASE_OPTIONS["ged_release"],
                           with_candidate: bool = RELEASE_OPTIONS["with_candidate"],
                           allow_gap: bool = RELEASE_OPTIONS["allow_gap"]) -> ViolenceSource:
    """The source the notebooks' parameters choose: ``violence_source`` with the UCDP release options.

    ``ged_release`` (``22.1``, ``25.1``, ``26.1`` or ``latest``, the newest present) says which yearly
    release ``ucdp_ged_pak`` stands for; ``with_candidate`` appends the UCDP Candidate releases present
    after its last year (provisional rows); ``allow_gap`` accepts the years between them that nothing
    covers (missing cells). An analyst's source ignores the three. ``source.id`` names the choice
    itself (``ucdp_ged_26_1``, ``ucdp_ged_pak+candidate``): later calls given it read the same source.

    Raises
    ------
    ParameterError
        An unknown source or release, or a gap without ``allow_gap``.
    DataSetMissingError
        The release is not present and cannot be downloaded here (the message says how to obtain it).
    """
    try:
        source = resolve(violence_source, ged_release=ged_release, with_candidate=with_candidate,
                         allow_gap=allow_gap)
    except ParameterError as exc:
        raise ParameterError(f"violence_source: {exc}") from None
    return source



def source_years(violence_source: SourceLike) -> tuple[int, int]:
    """First and last year a violence source covers."""
    return resolve(violence_source).coverage.years


def source_label(violence_source: SourceLike) -> str:
    """A short name of the source for captions (title and years)."""
    return resolve(violence_source).label


def measure_labels(violence_source: SourceLike, deaths_estimate: str = "best",
                   categories: Sequence[str] | None = None) -> dict[str, str]:
    """What ``events`` and ``deaths`` count for a source (for axis labels and captions)."""
    return resolve(violence_source).measure_labels(deaths_estimate, categories)


# --------------------------------------------------------------------------- parameters


def _selected(source: ViolenceSource, violence_types: Sequence[str],
              categories: Sequence[str] | None) -> tuple[str, ...] | None:
    """The breakdown categories chosen (None: everything), refusing a breakdown the source lacks."""
    b = source.coverage.breakdown
    given = {"violence_types": tuple(violence_types), "categories": tuple(categories or ())}
    for parameter, value in given.items():
        everything = not value or set(value) == set(BREAKDOWN_DEFAULTS[parameter]) and parameter != "categories"
        if everything:
            continue
        if b is None or b.parameter != parameter:
            instead = f"select {b.parameter} instead ({b.name})" if b else "it has no breakdown"
            raise ParameterError(f"{parameter} does not apply to {source.title} ({source.id!r}): keep {parameter} at "
                                 f"its default; for {source.title} use {b.parameter if b else 'no breakdown'}: "
                                 f"{instead}")
    chosen = given[b.parameter] if b is not None else ()
    if b is None or not chosen or set(chosen) == set(b.categories):
        return None
    unknown = [c for c in chosen if c not in b.categories]
    if unknown:
        raise ParameterError(f"{b.parameter} must be drawn from {', '.join(b.categories)} (a non-empty list); "
                             f"got {list(chosen)!r}")
    return tuple(chosen)


def check_common_parameters(*, start_year: int, end_year: int, level: str = "province", layout: str = "current",
                            deaths_estimate: str = "best", violence_types: Sequence[str] = VIOLENCE_TYPES,
                            district_set: str = "census2023", violence_source: SourceLike = UCDP_SOURCE,
                            categories: Sequence[str] | None = None) -> ViolenceSource:
    """Refuse a bad combination of the notebooks' common parameters with a clear error; return the source.

    The years are checked against the source's own coverage (a newer release covers more years)."""
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    if deaths_estimate not in ESTIMATES:
        raise ParameterError(f"deaths_estimate must be one of {', '.join(ESTIMATES)}; got {deaths_estimate!r}")
    if not violence_types:
        raise ParameterError(f"violence_types must be a non-empty list drawn from {', '.join(VIOLENCE_TYPES)}; "
                             f"got {list(violence_types)!r}")
    if district_set not in DISTRICT_SETS:
        raise ParameterError(f"district_set must be one of {', '.join(DISTRICT_SETS)}; got {district_set!r}")
    try:
        source = resolve(violence_source)
    except ParameterError as exc:
        raise ParameterError(f"violence_source: {exc}") from None
    cov = source.coverage
    if set(violence_types) - set(VIOLENCE_TYPES) and (cov.breakdown is None or cov.breakdown.parameter
                                                      != "violence_types"):
        raise ParameterError(f"violence_types must be a non-empty list drawn from {', '.join(VIOLENCE_TYPES)}; "
                             f"got {list(violence_types)!r}")
    selected = _selected(source, violence_types, categories)
    if deaths_estimate not in cov.deaths_estimates:
        one = "has one count of persons killed" if cov.deaths_estimates == ("best",) else "has no such estimate"
        raise ParameterError(f"deaths_estimate={deaths_estimate!r}: {source.title} ({source.id!r}) {one} "
                             f"(it gives {', '.join(cov.deaths_estimates)} only): use deaths_estimate='best'")
    if selected and deaths_estimate != "best" and f"deaths_{deaths_estimate}" not in cov.breakdown.deaths:
        raise ParameterError(f"{source.label} splits deaths by {cov.breakdown.name} for the best estimate only: use "
                             f"deaths_estimate='best' with a subset of {cov.breakdown.parameter}, or all of them")
    source.check_level(level, layout, district_set)
    first, last = cov.years
    if start_year > end_year:
        raise ParameterError(f"start_year {start_year} is after end_year {end_year}")
    if end_year < first or start_year > last:
        raise ParameterError(f"years {start_year}-{end_year} do not overlap the years {source.id!r} covers "
                             f"({first}-{last})")
    return source


# --------------------------------------------------------------------------- panels


def select_panel(*, level: Level = "province", layout: str = "current", start_year: int | None = None,
                 end_year: int | None = None, deaths_estimate: DeathsEstimate = "best",
                 violence_types: Sequence[str] = VIOLENCE_TYPES, district_set: str = "census2023",
                 violence_source: SourceLike = UCDP_SOURCE, categories: Sequence[str] | None = None) -> pd.DataFrame:
    """Unit-year rows with ``events`` and ``deaths`` for the chosen source, estimate, breakdown, years and layout.

    District level keeps the rows of events located only to a city, a province or the country
    (``unit_level`` says which), so totals stay whole.

    Parameters
    ----------
    violence_source:
        A source id (``ucdp_ged_pak``, a registered analyst's source: ``workbench sources list``) or a
        :class:`~workbench.sources.ViolenceSource`. The window is cut to the years it covers.
    start_year, end_year:
        The window; default the years the source covers.
    categories:
        Count these categories of the source's breakdown only (an incident log's categories).

    ``attrs``: ``sources``, ``selection`` (the choices, with the years actually used),
    ``measure`` (what ``events`` and ``deaths`` count), ``violence_source`` and ``provisional``.
    """
    source = resolve(violence_source)
    first, last = source.coverage.years
    start_year = first if start_year is None else start_year
    end_year = last if end_year is None else end_year
    check_common_parameters(start_year=start_year, end_year=end_year, level=level, layout=layout,
                            deaths_estimate=deaths_estimate, violence_types=violence_types,
                            district_set=district_set, violence_source=source, categories=categories)
    selected = _selected(source, violence_types, categories)
    start, end = max(start_year, first), min(end_year, last)
    p = source.panel(level, layout, district_set)
    p = p[p["year"].between(start, end)]
    if selected:
        events = p[[f"events_{c}" for c in selected]].sum(axis=1, min_count=1)
        deaths = p[[f"deaths_{c}" for c in selected]].sum(axis=1, min_count=1)
    else:
        events, deaths = p["events"], p[f"deaths_{deaths_estimate}"]
    out = p[KEY].copy()
    out["events"] = _counts(events)
    out["deaths"] = _counts(deaths)
    out[YEAR_COLUMNS] = p[YEAR_COLUMNS]
    out = out.reset_index(drop=True)
    if not source.coverage.complete:
        out = _require_every_cell(out, source, layout, start, end)
    out.attrs["sources"] = list(p.attrs["sources"])
    types = list(violence_types) if source.coverage.breakdown and source.coverage.breakdown.parameter == \
        "violence_types" else None
    out.attrs["selection"] = {"violence_source": source.id, "years": [start, end],
                              "requested_years": [start_year, end_year], "layout": layout, "level": level,
                              "deaths_estimate": deaths_estimate,
                              **({"violence_types": types} if types is not None else
                                 {"categories": list(categories) if categories else "all"}),
                              **({"district_set": district_set} if level == "district" else {}),
                              **year_notes(source, start, end)}
    out.attrs["measure"] = source.measure_labels(deaths_estimate, list(selected) if selected and categories else None)
    out.attrs["violence_source"] = source.id
    out.attrs["provisional"] = bool(out["provisional"].any())
    out.attrs["source_title"] = source.title
    return out


def year_notes(source: ViolenceSource, start: int, end: int) -> dict[str, list[int]]:
    """The years of ``start``-``end`` that are not whole, final counts: ``partial_years`` (some months only),
    ``missing_years`` (no release covers them), ``provisional_years`` (preliminary counts)."""
    cov = source.coverage
    inside = range(start, end + 1)
    return {"partial_years": [y for y in cov.partial_years if y in inside],
            "missing_years": [y for y in cov.missing_years if y in inside],
            "provisional_years": [y for y in cov.provisional_years if y in inside]}


def years_note(panel: pd.DataFrame) -> str:
    """In words, what a :func:`select_panel` frame's years hold beyond whole, final counts ('' when nothing)."""
    sel = panel.attrs["selection"]
    rows = panel.drop_duplicates("year").set_index("year")
    parts = [f"{y}: {int(rows.at[y, 'months'])} of 12 months" for y in sel.get("partial_years", []) if y in rows.index]
    if sel.get("missing_years"):
        parts.append(f"no data {year_span(sel['missing_years'])}: missing, not zero")
    if sel.get("provisional_years"):
        parts.append(f"provisional {year_span(sel['provisional_years'])}: UCDP Candidate data")
    return "; ".join(parts)


def _counts(values: pd.Series) -> pd.Series:
    """Whole counts as integers; a column with missing cells stays float (NaN is missing, not zero)."""
    return values.astype("int64").to_numpy() if values.notna().all() else values.astype("float64").to_numpy()


def _require_every_cell(out: pd.DataFrame, source: ViolenceSource, layout: str, start: int,
                        end: int) -> pd.DataFrame:
    """A source with gaps must give every year of the window for each unit it gives at all (nothing is filled in).

    Units it never gives in the window (a series without ICT, GB, AJK; the ``PK`` row, which a series cannot
    split from its national total) are left out of the returned frame.
    """
    given = out.groupby("unit_id")[["events", "deaths"]].transform(lambda s: s.notna().any()).all(axis=1)
    out = out[given]
    provinces = out[out["unit_level"] == "province"]
    gaps = provinces[provinces["events"].isna() | provinces["deaths"].isna()]
    if provinces.empty or len(gaps):
        missing = [f"{u} {y} ({'incidents' if pd.isna(e) else 'killed'})"
                   for u, y, e in gaps[["unit_id", "year", "events"]].itertuples(index=False)]
        shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
        raise ParameterError(f"the published series {source.id!r} does not give every province-year of "
                             f"{start}-{end} in the {layout} layout ({shown or 'no province figures at all'}); "
                             "nothing is filled in: choose years it covers, or compare it with workbench.panel.compare")
    return out.reset_index(drop=True)


def selection_label(panel: pd.DataFrame) -> str:
    """A caption for a :func:`select_panel` frame: source, years, layout, what ``deaths`` counts, the breakdown,
    and the years that are partial, missing or provisional."""
    sel = panel.attrs["selection"]
    source = resolve(panel.attrs["violence_source"])
    start, end = sel["years"]
    text = f"{source.title}, {start}-{end}, {sel['layout']} layout: {panel.attrs['measure']['deaths']}"
    b = source.coverage.breakdown
    chosen = sel.get(b.parameter) if b is not None else None
    if b is not None and chosen not in (None, "all") and set(chosen) != set(b.categories):
        text += f", {b.name}: {', '.join(chosen)}"
    note = years_note(panel)
    if note:
        text += f"; {note}"
    elif panel.attrs.get("provisional"):
        text += " (provisional data)"
    return text


def totals_by_unit(panel: pd.DataFrame) -> pd.DataFrame:
    """Events, deaths and lethality (deaths per event) per unit over the selected years, largest first."""
    g = (panel.groupby(["unit_id", "unit_name", "unit_level", "province"], as_index=False)[["events", "deaths"]]
         .sum())
    g["deaths_per_event"] = (g["deaths"] / g["events"]).where(g["events"] > 0)
    g = g.sort_values("deaths", ascending=False, kind="stable").reset_index(drop=True)
    g.attrs["sources"] = panel.attrs.get("sources", [])
    for key in ("measure", "selection", "violence_source", "provisional"):
        if key in panel.attrs:
            g.attrs[key] = panel.attrs[key]
    return g


def by_type(*, level: Level = "province", layout: str = "current", start_year: int | None = None,
            end_year: int | None = None, district_set: str = "census2023",
            violence_source: SourceLike = UCDP_SOURCE) -> pd.DataFrame:
    """Events and deaths by the source's breakdown, per unit over the selected years (long form).

    UCDP: best-estimate deaths by type of violence (``violence_type`` = state_based, non_state,
    one_sided); an incident log: incidents and killed by its categories (the ``violence_type``
    column then holds the category). ``attrs["breakdown"]`` names the breakdown.
    """
    source = resolve(violence_source)
    b = source.coverage.breakdown
    if b is None:
        raise ParameterError(f"{source.label} ({source.id!r}) has no breakdown by type or category")
    frames = []
    for category in b.categories:
        p = select_panel(level=level, layout=layout, start_year=start_year, end_year=end_year,
                         district_set=district_set, violence_source=source, **{b.parameter: [category]})
        g = p.groupby(["unit_id", "unit_name", "unit_level"], as_index=False)[["events", "deaths"]].sum()
        g["violence_type"] = category
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["sources"] = p.attrs["sources"]
    out.attrs["breakdown"] = b.name
    out.attrs["violence_source"] = source.id
    return out
