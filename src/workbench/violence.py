"""Violence measures chosen by the notebooks' common parameters: UCDP, or an analyst's registered source.

The notebooks share parameters (``start_year``, ``end_year``, ``level``, ``layout``,
``deaths_estimate``, ``violence_types``, ``violence_source``); :func:`select_panel` turns them into
one tidy frame with ``events`` and ``deaths`` columns, carrying its sources and, in
``attrs["measure"]``, what the two columns count:

* ``violence_source="ucdp_ged_pak"`` (default): the committed UCDP panels; ``events`` are UCDP
  events, ``deaths`` the chosen estimate of deaths for the chosen types of violence;
* a registered incident log (:mod:`workbench.private`): ``events`` are its incidents, ``deaths``
  its persons killed (all parties), optionally for some categories only; years are those the log
  covers (the requested window is cut to them; ``attrs["selection"]["years"]`` says which);
* a registered published annual series: province level only; ``events`` its ``incidents``
  measure, ``deaths`` its ``killed`` measure, for the provinces it publishes (every year of the
  window must be published, nothing is filled in).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import pandas as pd

from workbench.build import read_processed
from workbench.errors import ParameterError
from workbench.panel import FIRST_YEAR, LAST_YEAR, LAYOUTS, VIOLENCE_TYPES

Level = Literal["province", "district"]
DeathsEstimate = Literal["best", "low", "high"]
LEVELS = ("province", "district")
ESTIMATES = ("best", "low", "high")
UCDP_SOURCE = "ucdp_ged_pak"
KEY = ["layout", "unit_id", "unit_name", "unit_level", "province", "year"]


# --------------------------------------------------------------------------- sources


def source_kind(violence_source: str) -> Literal["ucdp", "incident_log", "annual_series"]:
    """``ucdp`` for UCDP GED, else the kind of the registered analyst's source (unknown id: an error)."""
    if violence_source == UCDP_SOURCE:
        return "ucdp"
    if not isinstance(violence_source, str) or not violence_source:
        raise ParameterError(f"violence_source must be {UCDP_SOURCE!r} or a registered source id; "
                             f"got {violence_source!r}")
    from workbench.private import get_source

    try:
        return get_source(violence_source).kind
    except ParameterError as exc:
        raise ParameterError(f"violence_source: {exc}") from None


def source_years(violence_source: str) -> tuple[int, int]:
    """First and last year a violence source covers."""
    if source_kind(violence_source) == "ucdp":
        return FIRST_YEAR, LAST_YEAR
    from workbench.private import get_source

    return get_source(violence_source).years


def source_label(violence_source: str) -> str:
    """A short name of the source for captions (title and years)."""
    if source_kind(violence_source) == "ucdp":
        return f"UCDP GED 22.1 ({FIRST_YEAR}-{LAST_YEAR})"
    from workbench.private import get_source

    s = get_source(violence_source)
    return f"{s.title} ({s.compiler}; {s.first_year}-{s.last_year})"


def measure_labels(violence_source: str, deaths_estimate: str = "best",
                   categories: Sequence[str] | None = None) -> dict[str, str]:
    """What ``events`` and ``deaths`` count for a source (for axis labels and captions)."""
    kind = source_kind(violence_source)
    if kind == "ucdp":
        return {"events": "UCDP events (organised violence with at least one death)",
                "deaths": f"UCDP deaths ({deaths_estimate} estimate)"}
    from workbench.private import get_source

    s = get_source(violence_source)
    only = f" ({', '.join(categories)} only)" if categories else ""
    if kind == "incident_log":
        return {"events": f"incidents{only}, {s.title}", "deaths": f"persons killed{only}, {s.title}"}
    return {"events": f"published incidents, {s.title}", "deaths": f"published persons killed, {s.title}"}


# --------------------------------------------------------------------------- parameters


def check_common_parameters(*, start_year: int, end_year: int, level: str = "province", layout: str = "current",
                            deaths_estimate: str = "best", violence_types: Sequence[str] = VIOLENCE_TYPES,
                            district_set: str = "census2023", violence_source: str = UCDP_SOURCE,
                            categories: Sequence[str] | None = None) -> None:
    """Refuse a bad combination of the notebooks' common parameters with a clear error."""
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")
    if layout not in LAYOUTS:
        raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
    if deaths_estimate not in ESTIMATES:
        raise ParameterError(f"deaths_estimate must be one of {', '.join(ESTIMATES)}; got {deaths_estimate!r}")
    bad = [t for t in violence_types if t not in VIOLENCE_TYPES]
    if bad or not violence_types:
        raise ParameterError(f"violence_types must be a non-empty list drawn from {', '.join(VIOLENCE_TYPES)}; "
                             f"got {list(violence_types)!r}")
    if district_set not in ("census2023", "stable"):
        raise ParameterError(f"district_set must be census2023 or stable; got {district_set!r}")
    kind = source_kind(violence_source)
    if kind == "ucdp":
        if categories:
            raise ParameterError("categories select incident categories of an analyst's incident log; for UCDP use "
                                 "violence_types")
        if not (FIRST_YEAR <= start_year <= end_year <= LAST_YEAR):
            raise ParameterError(f"years must satisfy {FIRST_YEAR} <= start_year <= end_year <= {LAST_YEAR} "
                                 f"(UCDP GED 22.1 covers {FIRST_YEAR}-{LAST_YEAR}); got {start_year}-{end_year}")
        if deaths_estimate != "best" and set(violence_types) != set(VIOLENCE_TYPES):
            raise ParameterError("the panels split deaths by type of violence for the best estimate only: use "
                                 "deaths_estimate='best' with a subset of violence_types, or all three types")
        return
    if deaths_estimate != "best":
        raise ParameterError(f"deaths_estimate={deaths_estimate!r} is UCDP's; the analyst's source "
                             f"{violence_source!r} has one count of persons killed: use deaths_estimate='best'")
    if set(violence_types) != set(VIOLENCE_TYPES):
        raise ParameterError(f"violence_types are UCDP's types of violence; the analyst's source {violence_source!r} "
                             "has its own categories: keep all three violence_types and select categories instead")
    if kind == "annual_series":
        if level != "province":
            raise ParameterError(f"the published annual series {violence_source!r} has province figures only: "
                                 "use level='province'")
        if categories:
            raise ParameterError(f"the published annual series {violence_source!r} has no categories")
    else:
        from workbench.sources.incidents import CATEGORIES

        unknown = [c for c in (categories or []) if c not in CATEGORIES]
        if unknown:
            raise ParameterError(f"categories must be drawn from {', '.join(CATEGORIES)}; got {list(categories)!r}")
    first, last = source_years(violence_source)
    if start_year > end_year:
        raise ParameterError(f"start_year {start_year} is after end_year {end_year}")
    if end_year < first or start_year > last:
        raise ParameterError(f"years {start_year}-{end_year} do not overlap the years {violence_source!r} covers "
                             f"({first}-{last})")


# --------------------------------------------------------------------------- panels


def select_panel(*, level: Level = "province", layout: str = "current", start_year: int = FIRST_YEAR,
                 end_year: int = LAST_YEAR, deaths_estimate: DeathsEstimate = "best",
                 violence_types: Sequence[str] = VIOLENCE_TYPES, district_set: str = "census2023",
                 violence_source: str = UCDP_SOURCE, categories: Sequence[str] | None = None) -> pd.DataFrame:
    """Unit-year rows with ``events`` and ``deaths`` for the chosen source, estimate, types, years and layout.

    District level keeps the rows of events located only to a city, a province or the country
    (``unit_level`` says which), so totals stay whole.

    Parameters
    ----------
    violence_source:
        ``ucdp_ged_pak`` (default) or the id of a registered analyst's source (``workbench sources
        list``): then ``events`` are its incidents and ``deaths`` its persons killed, and the
        window is cut to the years it covers.
    categories:
        Incident log only: count these categories (default all).

    ``attrs``: ``sources``, ``selection`` (the choices, with the years actually used),
    ``measure`` (what ``events`` and ``deaths`` count) and ``violence_source``.
    """
    check_common_parameters(start_year=start_year, end_year=end_year, level=level, layout=layout,
                            deaths_estimate=deaths_estimate, violence_types=violence_types,
                            district_set=district_set, violence_source=violence_source, categories=categories)
    kind = source_kind(violence_source)
    if kind == "ucdp":
        return _ucdp_panel(level, layout, start_year, end_year, deaths_estimate, violence_types, district_set)
    first, last = source_years(violence_source)
    start, end = max(start_year, first), min(end_year, last)
    if kind == "incident_log":
        out = _incident_panel(violence_source, level, layout, start, end, district_set, categories)
    else:
        out = _series_panel(violence_source, layout, start, end)
    out.attrs["selection"] = {"violence_source": violence_source, "years": [start, end],
                              "requested_years": [start_year, end_year], "layout": layout, "level": level,
                              "categories": list(categories) if categories else "all",
                              **({"district_set": district_set} if level == "district" else {})}
    out.attrs["measure"] = measure_labels(violence_source, deaths_estimate, categories)
    out.attrs["violence_source"] = violence_source
    return out


def _ucdp_panel(level: str, layout: str, start_year: int, end_year: int, deaths_estimate: str,
                violence_types: Sequence[str], district_set: str) -> pd.DataFrame:
    name = "violence_province_year" if level == "province" else f"violence_district_year_{district_set}"
    panel = read_processed(name)
    sources = panel.attrs["sources"]
    p = panel[(panel["layout"] == layout) & panel["year"].between(start_year, end_year)].copy()
    types = list(violence_types)
    if set(types) == set(VIOLENCE_TYPES):
        p["events_sel"] = p["events"]
        p["deaths_sel"] = p[f"deaths_{deaths_estimate}"]
    else:
        p["events_sel"] = p[[f"events_{t}" for t in types]].sum(axis=1)
        p["deaths_sel"] = p[[f"deaths_best_{t}" for t in types]].sum(axis=1)
    out = p[KEY].copy()
    out["events"] = p["events_sel"].to_numpy()
    out["deaths"] = p["deaths_sel"].to_numpy()
    out = out.reset_index(drop=True)
    out.attrs["sources"] = sources
    out.attrs["selection"] = {"deaths_estimate": deaths_estimate, "violence_types": types,
                              "years": [start_year, end_year], "layout": layout, "level": level}
    out.attrs["measure"] = measure_labels(UCDP_SOURCE, deaths_estimate)
    out.attrs["violence_source"] = UCDP_SOURCE
    return out


def _incident_panel(source_id: str, level: str, layout: str, start: int, end: int, district_set: str,
                    categories: Sequence[str] | None) -> pd.DataFrame:
    from workbench.incident_panel import panel_for

    panel = panel_for(source_id, level, layout, district_set)
    p = panel[panel["year"].between(start, end)]
    out = p[KEY].copy()
    if categories:
        out["events"] = p[[f"incidents_{c}" for c in categories]].sum(axis=1).to_numpy()
        out["deaths"] = p[[f"killed_{c}" for c in categories]].sum(axis=1).to_numpy()
    else:
        out["events"] = p["incidents"].to_numpy()
        out["deaths"] = p["killed"].to_numpy()
    out = out.reset_index(drop=True)
    out.attrs["sources"] = list(panel.attrs["sources"])
    return out


def _series_panel(source_id: str, layout: str, start: int, end: int) -> pd.DataFrame:
    from workbench.compare import province_series

    parts = {}
    for measure, column in (("incidents", "events"), ("killed", "deaths")):
        s = province_series(source_id, measure=measure, layout=layout)
        s = s[s["year"].between(start, end) & s["unit_level"].eq("province")]
        parts[column] = s
    units = sorted(set(parts["events"]["unit_id"]) | set(parts["deaths"]["unit_id"]))
    years = range(start, end + 1)
    grid = pd.MultiIndex.from_product([units, years], names=["unit_id", "year"])
    frame = pd.DataFrame(index=grid)
    missing = []
    for column, s in parts.items():
        values = s.set_index(["unit_id", "year"])["value"]
        frame[column] = values.reindex(grid)
        gaps = frame.index[frame[column].isna()]
        missing += [f"{u} {y} ({'incidents' if column == 'events' else 'killed'})" for u, y in gaps]
    if not units or missing:
        shown = ", ".join(missing[:12]) + (f" and {len(missing) - 12} more" if len(missing) > 12 else "")
        raise ParameterError(f"the published series {source_id!r} does not give every province-year of "
                             f"{start}-{end} in the {layout} layout ({shown or 'no province figures at all'}); "
                             "nothing is filled in: choose years it covers, or compare it with workbench.compare")
    frame = frame.reset_index()
    from workbench.geo.units import load_registry

    reg = load_registry()
    out = pd.DataFrame({"layout": layout, "unit_id": frame["unit_id"].astype("string"),
                        "unit_name": [reg.name(u) for u in frame["unit_id"]], "unit_level": "province",
                        "province": frame["unit_id"].astype("string"), "year": frame["year"].astype("int64")})
    for c in ("layout", "unit_name", "unit_level"):
        out[c] = out[c].astype("string")
    out["events"] = frame["events"].to_numpy()
    out["deaths"] = frame["deaths"].to_numpy()
    out.attrs["sources"] = [source_id]
    return out


def totals_by_unit(panel: pd.DataFrame) -> pd.DataFrame:
    """Events, deaths and lethality (deaths per event) per unit over the selected years, largest first."""
    g = (panel.groupby(["unit_id", "unit_name", "unit_level", "province"], as_index=False)[["events", "deaths"]]
         .sum())
    g["deaths_per_event"] = (g["deaths"] / g["events"]).where(g["events"] > 0)
    g = g.sort_values("deaths", ascending=False, kind="stable").reset_index(drop=True)
    g.attrs["sources"] = panel.attrs.get("sources", [])
    for key in ("measure", "selection", "violence_source"):
        if key in panel.attrs:
            g.attrs[key] = panel.attrs[key]
    return g


def by_type(*, level: Level = "province", layout: str = "current", start_year: int = FIRST_YEAR,
            end_year: int = LAST_YEAR, district_set: str = "census2023",
            violence_source: str = UCDP_SOURCE) -> pd.DataFrame:
    """Events and deaths by type, per unit over the selected years (long form).

    For UCDP: best-estimate deaths by type of violence (``violence_type`` = state_based, non_state,
    one_sided). For an incident log: incidents and killed by its categories (the ``violence_type``
    column then holds the category; ``attrs["breakdown"]`` says which).
    """
    kind = source_kind(violence_source)
    if kind == "annual_series":
        raise ParameterError(f"the published annual series {violence_source!r} has no breakdown by type or category")
    if kind == "ucdp":
        groups = [("violence_types", [t], t) for t in VIOLENCE_TYPES]
    else:
        from workbench.sources.incidents import CATEGORIES

        groups = [("categories", [c], c) for c in CATEGORIES]
    frames = []
    for arg, value, label in groups:
        p = select_panel(level=level, layout=layout, start_year=start_year, end_year=end_year,
                         district_set=district_set, violence_source=violence_source, **{arg: value})
        g = p.groupby(["unit_id", "unit_name", "unit_level"], as_index=False)[["events", "deaths"]].sum()
        g["violence_type"] = label
        frames.append(g)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["sources"] = p.attrs["sources"]
    out.attrs["breakdown"] = "type of violence (UCDP)" if kind == "ucdp" else "incident category"
    out.attrs["violence_source"] = violence_source
    return out


def panel_loader(violence_source: str = UCDP_SOURCE) -> Callable[..., pd.DataFrame]:
    """``f(**select_panel arguments)`` reading ``violence_source``: the panel loader of the claims audit.

    Use as ``Evidence(panel=panel_loader("my_log"))`` (:mod:`workbench.policy.claims`): every
    number of the audit then comes from that source, and its id is in the result's sources. A
    specification the source cannot answer (UCDP's low/high estimates or types of violence, years
    it does not cover) raises :class:`ParameterError`.
    """
    source_kind(violence_source)

    def load(**kwargs: Any) -> pd.DataFrame:
        first, last = source_years(violence_source)
        start, end = kwargs.get("start_year", FIRST_YEAR), kwargs.get("end_year", LAST_YEAR)
        if start < first or end > last:
            raise ParameterError(f"{violence_source!r} covers {first}-{last}; the audit asks for {start}-{end}")
        return select_panel(violence_source=violence_source, **kwargs)

    return load
