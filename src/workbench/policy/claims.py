"""The NISP claims audit: a computed verdict for every claim encoded in ``data/policy/nisp2018.yaml``.

Each claim (NISP 2018 and the PIPS brief of May 2017) is checked by an *audit procedure*
(:data:`PROCEDURES`): it computes the measure the data offer for the claim's geography, period and
comparison, and a pure *verdict rule* (``rule_*``) turns the numbers into one of
:data:`VERDICTS`. Nothing is written by hand: a claim whose measure no mirrored data set holds
(``data_can_speak: false``) is "cannot be tested with available data", with the reason.

Every claim is computed under a primary specification and under alternatives:

* *readings*: where the text leaves a term open (the age band of "young people", the territory
  of "national territory", the measure of "incidence of militancy"), each admissible reading is
  computed; when readings disagree the verdict is ``mixed`` and says which reading supports it;
* *sensitivity*: the deaths estimate (UCDP low/high), the period (shifted a year either way, the
  policy's own reference period, the longest period with data), the types of violence
  (one-sided + non-state as the "terrorism" proxy), the boundary layer. These never change the
  verdict; the result lists every alternative whose verdict differs (``robust`` is False then).

The violence counts come from UCDP GED (default) or from any registered analyst's source
(``audit_claims(violence_source=...)``, :mod:`workbench.violence`); every result names the source
in ``violence_source``. With an analyst's source the UCDP notions (deaths estimates, types of
violence, actor and conflict coding) are not used, a period the source does not cover is
"cannot be tested", and casualties are killed + injured when the source gives injuries.

The rules, thresholds and defaults are documented in ``docs/claims.md``.

Examples
--------
>>> from workbench.policy.claims import audit_claims, claims_frame_from
>>> results = audit_claims(claim_ids=["C5.punjab_highest_deaths_per_attack"])  # doctest: +SKIP
>>> claims_frame_from(results)[["claim_id", "verdict"]]  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.indicators.violence import lethality, rate_per_100k
from workbench.panel import FIRST_YEAR as UCDP_FIRST_YEAR
from workbench.panel import LAST_YEAR as UCDP_LAST_YEAR
from workbench.panel import VIOLENCE_TYPES
from workbench.policy.nisp import Claim, Policy, load_policy
from workbench.policy.verdicts import (
    CANNOT,
    MIXED,
    NOT_SUPPORTED,
    SUPPORTED,
    VERDICTS,
    Judgement,
    Verdict,
    combine_readings,
    percent_text,
    ranked,
    rule_approx,
    rule_approx_all,
    rule_at_least,
    rule_decline,
    rule_lower_bound_approx,
    rule_peak_then_decline,
    rule_rank,
    rule_rank_order,
    rule_share_above,
    rule_share_in_range,
    rule_top_k,
)
from workbench.provenance import sources_of

__all__ = [
    "CANNOT", "MIXED", "NOT_SUPPORTED", "PROCEDURES", "SUPPORTED", "UCDP_SOURCE", "VERDICTS", "AuditParameters",
    "ClaimResult",
    "Evidence", "Judgement", "audit_claims", "claims_frame_from", "combine_readings", "numbers_frame_from",
    "rule_approx", "rule_approx_all", "rule_at_least", "rule_decline", "rule_lower_bound_approx", "rule_rank",
    "rule_rank_order", "rule_share_above", "rule_share_in_range", "rule_top_k", "rule_peak_then_decline",
    "sensitivity_frame_from",
]


ScenarioKind = Literal["primary", "reading", "period", "deaths estimate", "violence types", "comparison set",
                       "source"]
DeathsEstimate = Literal["best", "low", "high"]
TERRORISM_TYPES: tuple[str, ...] = ("non_state", "one_sided")
POLICY_SOURCE = "policy:nisp2018"
#: First year with a population denominator (the 1998 census; nothing is extrapolated before it).
FIRST_POPULATION_YEAR = 1998
#: Short labels of the provinces and territories, for the printed numbers.
SHORT_NAMES: dict[str, str] = {
    "PK": "Pakistan", "PK-PB": "Punjab", "PK-SD": "Sindh", "PK-KP": "KP", "PK-TA": "FATA", "PK-BA": "Balochistan",
    "PK-IS": "ICT", "PK-GB": "GB", "PK-JK": "AJK", "division/karachi": "Karachi",
}
PER_CAPITA_NOTE = ("per 100,000 person-years: the period's count over the sum of its yearly populations "
                   "(geometric interpolation between the censuses of 1998, 2017 and 2023; no population before 1998)")
FEW_UNITS_NOTE = "a ranking of {n} regions is descriptive: no statistical test is possible or implied"
UCDP_NOTE = ("UCDP GED 22.1 records organised violence (state-based, non-state, one-sided) with at least one death, "
             "1989-2021; injuries, attacks without deaths and violence outside its definitions are not in it")
#: The default violence source (:mod:`workbench.violence`).
UCDP_SOURCE = "ucdp_ged_pak"
#: Scenario kinds that are UCDP notions: not computed on an analyst's source.
UCDP_ONLY_KINDS: tuple[str, ...] = ("deaths estimate", "violence types")


# --------------------------------------------------------------------------- parameters


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


# --------------------------------------------------------------------------- evidence (data access)


def _committed(name: str) -> pd.DataFrame | None:
    """A committed table of ``data/processed`` (None while the build has not written it)."""
    from workbench.build import read_processed

    try:
        return read_processed(name)
    except ParameterError:
        return None


def _province_population() -> pd.DataFrame:
    committed = _committed("population_province_year")
    if committed is not None:
        return committed
    from workbench.demography import population_table

    return population_table("province")


def _youth_definitions() -> pd.DataFrame:
    committed = _committed("youth_nisp_d1_claim")
    if committed is not None:
        return committed
    from workbench.demography import nisp_youth_claim

    return nisp_youth_claim()


def _mpi_reference() -> pd.DataFrame:
    from workbench.sources.reference import read_mpi_province

    return read_mpi_province(preferred_only=False)


def _mpi_province() -> pd.DataFrame:
    from workbench.sources.deprivation import mpi_province

    return mpi_province()


def _ged_events() -> pd.DataFrame:
    from workbench.sources.ucdp import read_ged

    return read_ged()


def _select_panel(**kwargs: Any) -> pd.DataFrame:
    from workbench.violence import select_panel

    return select_panel(**kwargs)


def _injured_loader(violence_source: str) -> Callable[[str], pd.DataFrame]:
    def load(layout: str) -> pd.DataFrame:
        from workbench.compare import province_series

        return province_series(violence_source, measure="injured", layout=layout)

    return load


class SourceGap(Exception):
    """The analyst's violence source cannot answer a specification (years, units or level it lacks)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _panel(ev: Evidence, **kwargs: Any) -> pd.DataFrame:
    """The violence panel of the audit's source; what an analyst's source cannot give is a :class:`SourceGap`."""
    if ev.is_ucdp:
        return ev.get("panel", **kwargs)
    kwargs.pop("deaths_estimate", None)  # UCDP notions: the source has one count of each
    kwargs.pop("violence_types", None)
    try:
        return ev.get("panel", **kwargs)
    except ParameterError as exc:
        raise SourceGap(f"{ev.violence_source!r} ({ev.source_label}) cannot give this: {exc}") from None


def _require_units(ev: Evidence, panel: pd.DataFrame, units: Iterable[str], what: str) -> None:
    """An analyst's source must give every unit a total needs (a published series may lack some)."""
    missing = sorted(set(units) - set(panel["unit_id"].astype(str)))
    if missing:
        raise SourceGap(f"{ev.violence_source!r} ({ev.source_label}) gives no figures for "
                        f"{', '.join(SHORT_NAMES.get(u, u) for u in missing)}, needed for {what}; nothing is filled in")


def _layout_provinces(layout: str) -> list[str]:
    from workbench.geo.units import load_registry

    return [str(u) for u in load_registry().provinces(layout)["unit_id"]]


#: Equal-area projection for areas (Asia South Albers Equal Area Conic).
EQUAL_AREA_CRS = "ESRI:102028"


def _province_areas(layer: str) -> pd.DataFrame:
    from workbench.geo.boundaries import read_layer

    gdf = read_layer(layer)
    out = pd.DataFrame({"unit_id": gdf["unit_id"].astype(str).to_numpy(),
                        "area_km2": gdf.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6})
    out = out.groupby("unit_id", as_index=False)["area_km2"].sum()
    out.attrs["sources"] = list(gdf.attrs.get("sources", [layer]))
    return out


def _karachi_units() -> list[str]:
    from workbench.geo.units import load_registry

    units = load_registry().units
    return sorted(units.loc[units["division"].eq("division/karachi"), "unit_id"].astype(str))


class Evidence:
    """The data the audit reads, loaded once and cached (each loader can be replaced, e.g. in tests).

    Parameters
    ----------
    violence_source:
        Where the violence counts come from: ``ucdp_ged_pak`` (default) or a registered analyst's
        source (``workbench sources list``; an unknown id is an error).
    panel:
        ``f(**select_panel arguments) -> frame`` (default :func:`workbench.violence.select_panel`
        for UCDP, :func:`workbench.violence.panel_loader` of ``violence_source`` otherwise).
    injured:
        ``f(layout) -> frame`` of province-year persons injured (``unit_id``, ``year``, ``value``)
        of an analyst's source (default :func:`workbench.compare.province_series`); UCDP has none.
    population:
        ``f() -> frame`` of :func:`workbench.demography.population_table` at province level (the
        committed ``population_province_year`` when the build has written it).
    events:
        ``f() -> frame`` of UCDP GED events (:func:`workbench.sources.ucdp.read_ged`).
    mpi_reference, mpi_province, youth, areas, karachi_units:
        The MPI reference table (all rows), the MPI headcount by province (preferred rows), the
        youth definitions of :func:`workbench.demography.nisp_youth_claim` (committed as
        ``youth_nisp_d1_claim``), ``f(layer)`` giving
        ``unit_id``/``area_km2``, and the 2023 districts of Karachi division.
    """

    def __init__(self, *, violence_source: str = UCDP_SOURCE, panel: Callable[..., pd.DataFrame] | None = None,
                 injured: Callable[[str], pd.DataFrame] | None = None,
                 population: Callable[[], pd.DataFrame] | None = None,
                 events: Callable[[], pd.DataFrame] | None = None,
                 mpi_reference: Callable[[], pd.DataFrame] | None = None,
                 mpi_province: Callable[[], pd.DataFrame] | None = None,
                 youth: Callable[[], pd.DataFrame] | None = None,
                 areas: Callable[[str], pd.DataFrame] | None = None,
                 karachi_units: Callable[[], list[str]] | None = None) -> None:
        from workbench import violence

        self.violence_source = violence_source
        self.source_kind = violence.source_kind(violence_source)  # an unknown id is an error here
        self.source_years = violence.source_years(violence_source)
        self.source_label = violence.source_label(violence_source)
        self.labels = violence.measure_labels(violence_source)
        if panel is None:
            panel = _select_panel if self.source_kind == "ucdp" else violence.panel_loader(violence_source)
        self._loaders: dict[str, Callable[..., Any]] = {
            "panel": panel, "injured": injured or _injured_loader(violence_source),
            "population": population or _province_population,
            "events": events or _ged_events, "mpi_reference": mpi_reference or _mpi_reference,
            "mpi_province": mpi_province or _mpi_province, "youth": youth or _youth_definitions,
            "areas": areas or _province_areas, "karachi_units": karachi_units or _karachi_units,
        }
        self._cache: dict[tuple, Any] = {}

    @property
    def is_ucdp(self) -> bool:
        """True when the violence counts are UCDP GED's."""
        return self.source_kind == "ucdp"

    def source_note(self) -> str:
        """What the source counts, for the caveats of a result read from an analyst's source."""
        if self.is_ucdp:
            return UCDP_NOTE
        from workbench.private import get_source

        entry = get_source(self.violence_source)
        return (f"violence source {self.violence_source!r}: {self.source_label} ({entry.kind_label}); its "
                f"definition: {entry.definition}")

    def get(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """The loader ``name`` called with these arguments (cached)."""
        key = (name, args, tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items())))
        if key not in self._cache:
            self._cache[key] = self._loaders[name](*args, **kwargs)
        return self._cache[key]


# --------------------------------------------------------------------------- specifications and outcomes


@dataclass(frozen=True)
class Spec:
    """One computation of a claim: the primary specification or an alternative."""

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
class Outcome:
    """What one specification gives: the verdict, the numbers and what was measured."""

    judgement: Judgement
    observed: str
    numbers: pd.DataFrame
    measure_used: str
    sources: tuple[str, ...]


def _numbers(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Long numbers: ``item`` (a unit, group or year), ``quantity``, ``value``, ``rank``."""
    df = pd.DataFrame(list(rows), columns=["item", "quantity", "value", "rank"])
    df["value"] = pd.to_numeric(df["value"]).astype("float64")
    df["rank"] = pd.array(df["rank"], dtype="Int64")
    return df


def _cannot(reason: str, measure_used: str = "none", sources: Iterable[str] = ()) -> Outcome:
    return Outcome(Judgement(CANNOT, reason), "", _numbers([]), measure_used, tuple(sources))


# --------------------------------------------------------------------------- group arithmetic


def _label(group: Sequence[str]) -> str:
    return "+".join(SHORT_NAMES.get(u, u) for u in group)


def _sources(*frames: pd.DataFrame) -> tuple[str, ...]:
    return tuple(sources_of(*frames))


VIOLENCE_MEASURES: dict[str, tuple[str, str]] = {
    "violence.deaths": ("deaths", "UCDP deaths"),
    "violence.events": ("events", "UCDP events"),
    "violence.deaths_per_100k": ("deaths", "UCDP deaths per 100,000 person-years"),
    "violence.events_per_100k": ("events", "UCDP events per 100,000 person-years"),
    "violence.lethality": ("deaths", "UCDP deaths per UCDP event"),
}


def _measure_text(measure: str, spec: Spec, ev: Evidence | None = None) -> str:
    """What a violence measure counts: UCDP's wording, or the analyst's source's (``measure_labels``)."""
    if ev is not None and not ev.is_ucdp:
        col = VIOLENCE_MEASURES[measure][0]
        if measure == "violence.lethality":
            return f"deaths per incident: {ev.labels['deaths']} over {ev.labels['events']}"
        if measure.endswith("_per_100k"):
            return f"{ev.labels[col]}, per 100,000 person-years"
        return ev.labels[col]
    text = VIOLENCE_MEASURES[measure][1]
    if "deaths" in VIOLENCE_MEASURES[measure][0] or measure == "violence.lethality":
        text += f" ({spec.deaths_estimate} estimate)"
    if set(spec.violence_types) != set(VIOLENCE_TYPES):
        text += f", {' + '.join(t.replace('_', '-') for t in spec.violence_types)} violence only"
    return text


def _violence_by_group(ev: Evidence, spec: Spec, groups: Sequence[Sequence[str]], measure: str,
                       layout: str = "pre2018") -> tuple[pd.DataFrame, tuple[str, ...], str | None]:
    """Per group: events, deaths, person-years and the measure's value over the spec's years.

    Returns the frame (one row per group, in the given order), the sources and a reason when the
    measure cannot be computed (population missing).
    """
    panel = _panel(ev, level="province", layout=layout, start_year=spec.start, end_year=spec.end,
                   deaths_estimate=spec.deaths_estimate, violence_types=list(spec.violence_types))
    per_capita = measure.endswith("_per_100k")
    sources = _sources(panel)
    pop_years = None
    if per_capita:
        if spec.start < FIRST_POPULATION_YEAR:
            return pd.DataFrame(), sources, (f"no population before {FIRST_POPULATION_YEAR} (first census anchor); "
                                             f"the period starts {spec.start}")
        pop = ev.get("population")
        pop = pop[(pop["layout"] == layout) & pop["year"].between(spec.start, spec.end)]
        pop_years = pop.groupby("unit_id")["population"].agg(lambda s: s.sum(min_count=1) if s.notna().all()
                                                             else np.nan)
        sources = sources + _sources(pop)
    totals = panel.groupby("unit_id")[["events", "deaths"]].sum()
    rows = []
    for g in groups:
        unknown = [u for u in g if u not in totals.index]
        if unknown and not ev.is_ucdp:
            _require_units(ev, panel, g, f"the comparison in the {layout} layout")
        if unknown:
            raise ParameterError(f"unit(s) {unknown} are not in the {layout} province panel; units: "
                                 f"{sorted(totals.index)}")
        events, deaths = float(totals.loc[list(g), "events"].sum()), float(totals.loc[list(g), "deaths"].sum())
        person_years = np.nan
        if per_capita:
            have = [pop_years.get(u, np.nan) for u in g]
            person_years = float(np.sum(have)) if all(pd.notna(have)) else np.nan
        rows.append({"group": _label(g), "events": events, "deaths": deaths, "person_years": person_years})
    df = pd.DataFrame(rows)
    if per_capita:
        lacking = df.loc[df["person_years"].isna(), "group"].tolist()
        if lacking:
            return df, sources, f"no population for {', '.join(lacking)} in {spec.period}"
        df["value"] = np.asarray(rate_per_100k(df[VIOLENCE_MEASURES[measure][0]], df["person_years"]))
    elif measure == "violence.lethality":
        df["value"] = np.asarray(lethality(df["deaths"], df["events"]))
    else:
        df["value"] = df[VIOLENCE_MEASURES[measure][0]]
    return df, sources, None


def _group_numbers(df: pd.DataFrame, measure: str, ranks: pd.Series | None = None) -> pd.DataFrame:
    rows = []
    ratio = measure.endswith("_per_100k") or measure == "violence.lethality"
    for i, r in df.iterrows():
        rank = None if ranks is None else int(ranks.iloc[i])
        rows.append({"item": r["group"], "quantity": measure, "value": r["value"], "rank": rank})
        for q in ("events", "deaths", "person_years") if ratio else ():
            if q in r and pd.notna(r[q]):
                rows.append({"item": r["group"], "quantity": q, "value": r[q], "rank": None})
    return _numbers(rows)


def _fmt(value: float, measure: str) -> str:
    if measure.endswith("_per_100k") or measure == "violence.lethality":
        return f"{value:.2f}"
    return f"{value:,.0f}"


# --------------------------------------------------------------------------- procedures


def run_rank(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_highest / rank_lowest / rank_position of a violence measure among the comparison set."""
    measure = spec.opt("measure", claim.indicators[0])
    groups = spec.opt("comparison_set", claim.comparison_set)
    df, sources, problem = _violence_by_group(ev, spec, groups, measure)
    if problem:
        return _cannot(problem, _measure_text(measure, spec, ev), sources)
    highest = claim.comparison != "rank_lowest"
    values = pd.Series(df["value"].to_numpy(), index=df["group"])
    target = _label(claim.geography)
    above = [_label(g) for g in claim.expected.above] if claim.expected.above else None
    judgement = rule_rank(values, target, claim.expected.rank or 1, highest_first=highest, above=above)
    ranks = ranked(values, highest).reset_index(drop=True)
    order = df.assign(rank=ranks.to_numpy()).sort_values("rank", kind="stable")
    used = _measure_text(measure, spec, ev)
    observed = f"{used}, {spec.period}: " + "; ".join(
        f"{r.group} {_fmt(r.value, measure)} ({int(r.rank)})" for r in order.itertuples())
    return Outcome(judgement, observed, _group_numbers(df, measure, ranks), used, sources)


def run_violence_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """majority_share: the claim's unit's share of its denominator's events or deaths."""
    measure = spec.opt("measure", claim.indicators[0])
    col = VIOLENCE_MEASURES[measure][0]
    if claim.geography == ["division/karachi"]:
        panel = _panel(ev, level="district", layout="current", start_year=spec.start, end_year=spec.end,
                       deaths_estimate=spec.deaths_estimate, violence_types=list(spec.violence_types))
        karachi = set(ev.get("karachi_units")) | {"division/karachi"}
        whole = panel[panel["province"].isin(claim.denominator)]
        part = whole[whole["unit_id"].isin(karachi)]
        groups = {"Karachi": float(part[col].sum()), "Sindh": float(whole[col].sum())}
        extra = {"located only to Sindh": float(whole.loc[whole["unit_level"].eq("province"), col].sum())}
    else:
        panel = _panel(ev, level="province", layout="pre2018", start_year=spec.start, end_year=spec.end,
                       deaths_estimate=spec.deaths_estimate, violence_types=list(spec.violence_types))
        if not ev.is_ucdp:
            needed = _layout_provinces("pre2018") if claim.denominator == ["PK"] else claim.denominator
            _require_units(ev, panel, [*claim.geography, *needed], "the share")
        whole = panel if claim.denominator == ["PK"] else panel[panel["province"].isin(claim.denominator)]
        part = whole[whole["unit_id"].isin(claim.geography)]
        groups = {_label(claim.geography): float(part[col].sum()), _label(claim.denominator): float(whole[col].sum())}
        extra = {"located only to Pakistan": float(whole.loc[whole["unit_id"].eq("PK"), col].sum())}
    (pname, pval), (wname, wval) = groups.items()
    if spec.opt("largest_share"):
        by_unit = whole.groupby("province")[col].sum()
        inside = by_unit[by_unit.index.isin(claim.geography)].sum()
        others = by_unit[~by_unit.index.isin([*claim.geography, "PK"])]
        values = pd.concat([pd.Series({pname: inside}), others.rename(index=SHORT_NAMES)])
        judgement = rule_rank(values, pname, 1)
        judgement = replace(judgement, reason=f"largest share read for 'most of': {judgement.reason}")
        extra = {f"{k} share": v / wval for k, v in values.sort_values(ascending=False).items()} if wval else {}
    else:
        judgement = rule_share_above(pval, wval, claim.expected.value)
    share = pval / wval if wval else np.nan
    used = _measure_text(measure, spec, ev)
    shown = "; ".join(f"{k}: {percent_text(v) if k.endswith('share') else f'{v:,.0f}'}" for k, v in extra.items())
    observed = f"{used}, {spec.period}: {pname} {pval:,.0f} of {wname} {wval:,.0f} ({percent_text(share)}); {shown}"
    rows = [{"item": pname, "quantity": col, "value": pval, "rank": None},
            {"item": wname, "quantity": col, "value": wval, "rank": None},
            {"item": pname, "quantity": "share", "value": share, "rank": None},
            *[{"item": k.removesuffix(" share"), "quantity": "share" if k.endswith("share") else col, "value": v,
               "rank": None} for k, v in extra.items() if not k.startswith(pname)]]
    return Outcome(judgement, observed, _numbers(rows), used, _sources(panel))


def _injured(ev: Evidence, spec: Spec, units: Sequence[str], layout: str) -> tuple[pd.Series | None, str]:
    """Persons injured per unit over the spec's years from an analyst's source, or None and why not."""
    if ev.is_ucdp:
        return None, "UCDP GED records no injuries"
    try:
        series = ev.get("injured", layout)
    except ParameterError as exc:
        return None, f"{ev.violence_source!r} gives no injured: {exc}"
    years = range(spec.start, spec.end + 1)
    sel = series[series["unit_id"].isin(units) & series["year"].between(spec.start, spec.end)]
    have = set(zip(sel["unit_id"].astype(str), sel["year"].astype(int), strict=True))
    missing = [f"{SHORT_NAMES.get(u, u)} {y}" for u in units for y in years if (u, y) not in have]
    if missing or sel["value"].isna().any():
        shown = ", ".join(missing[:6]) + (f" and {len(missing) - 6} more" if len(missing) > 6 else "")
        return None, f"{ev.violence_source!r} does not give persons injured for every unit and year ({shown})"
    return sel.groupby("unit_id")["value"].sum().astype("float64"), ""


def run_casualties(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of a count of casualties: killed + injured when the source gives injuries, else
    its deaths as a lower bound (UCDP: always, it has no injured)."""
    panel = _panel(ev, level="province", layout="pre2018", start_year=spec.start, end_year=spec.end,
                   deaths_estimate=spec.deaths_estimate, violence_types=list(spec.violence_types))
    if not ev.is_ucdp:
        _require_units(ev, panel, claim.geography, "the casualties")
    sub = panel[panel["unit_id"].isin(claim.geography)]
    deaths = float(sub["deaths"].sum())
    by_unit = sub.groupby("unit_id")["deaths"].sum()
    tol = params.approx_tolerance if claim.expected.qualifier else params.figure_tolerance
    injured, why_not = _injured(ev, spec, claim.geography, "pre2018")
    rows = [{"item": _label(claim.geography), "quantity": "deaths", "value": deaths, "rank": None},
            *[{"item": SHORT_NAMES.get(u, u), "quantity": "deaths", "value": v, "rank": None}
              for u, v in by_unit.items()]]
    if injured is not None:
        total_injured = float(injured.sum())
        casualties = deaths + total_injured
        judgement = rule_approx(casualties, claim.expected.value, tol)
        used = f"casualties: {ev.labels['deaths']} + persons injured (killed + injured)"
        observed = (f"{used}, {_label(claim.geography)}, {spec.period}: {casualties:,.0f} ({deaths:,.0f} killed + "
                    f"{total_injured:,.0f} injured; " + ", ".join(
                        f"{SHORT_NAMES.get(u, u)} {by_unit.get(u, 0) + injured.get(u, 0):,.0f}" for u in by_unit.index)
                    + f") against {claim.expected.value:,.0f} casualties stated")
        rows += [{"item": _label(claim.geography), "quantity": "injured", "value": total_injured, "rank": None},
                 *[{"item": SHORT_NAMES.get(u, u), "quantity": "injured", "value": v, "rank": None}
                   for u, v in injured.items()],
                 {"item": _label(claim.geography), "quantity": "casualties", "value": casualties, "rank": None}]
        sources = _sources(panel, ev.get("injured", "pre2018"))
    else:
        judgement = rule_lower_bound_approx(deaths, claim.expected.value, tol)
        if not ev.is_ucdp:
            judgement = replace(judgement, reason=f"{judgement.reason} ({why_not}: deaths are a lower bound)")
        used = _measure_text("violence.deaths", spec, ev)
        observed = (f"{used}, {_label(claim.geography)}, {spec.period}: {deaths:,.0f} ("
                    + ", ".join(f"{SHORT_NAMES.get(u, u)} {v:,.0f}" for u, v in by_unit.items())
                    + f") against {claim.expected.value:,.0f} casualties stated")
        sources = _sources(panel)
    rows.append({"item": "stated", "quantity": "casualties", "value": claim.expected.value, "rank": None})
    return Outcome(judgement, observed, _numbers(rows), used, sources)


def _national_series(ev: Evidence, spec: Spec, column: str) -> tuple[pd.Series, tuple[str, ...]]:
    panel = _panel(ev, level="province", layout="current", start_year=spec.start, end_year=spec.end,
                   deaths_estimate=spec.deaths_estimate, violence_types=list(spec.violence_types))
    if not ev.is_ucdp:
        _require_units(ev, panel, _layout_provinces("current"), "the national total")
    series = panel.groupby("year")[column].sum().astype("float64")
    return series, _sources(panel)


def run_peak(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """peak_then_decline of the national yearly series of UCDP events."""
    measure = claim.indicators[0]
    series, sources = _national_series(ev, spec, VIOLENCE_MEASURES[measure][0])
    judgement = rule_peak_then_decline(series, claim.expected.peak_year)
    used = _measure_text(measure, spec, ev) + ", Pakistan, per year"
    top = series.sort_values(ascending=False, kind="stable").head(3)
    observed = (f"{used}, {spec.period}: highest " + ", ".join(f"{int(y)} {v:,.0f}" for y, v in top.items())
                + f"; {claim.expected.peak_year}: {series.get(claim.expected.peak_year, np.nan):,.0f}; "
                f"{int(series.index[-1])}: {series.iloc[-1]:,.0f}")
    ranks = ranked(series, True)
    rows = [{"item": str(int(y)), "quantity": VIOLENCE_MEASURES[measure][0], "value": v, "rank": int(ranks[y])}
            for y, v in series.items()]
    return Outcome(judgement, observed, _numbers(rows), used, sources)


def run_decline(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """decline of the national yearly series from the period's first to its last year."""
    measure = claim.indicators[0]
    series, sources = _national_series(ev, spec, VIOLENCE_MEASURES[measure][0])
    considerable = params.considerable_decline if claim.expected.qualifier else None
    judgement = rule_decline(series.iloc[0], series.iloc[-1], considerable=considerable)
    used = _measure_text(measure, spec, ev) + ", Pakistan, per year"
    observed = f"{used}: " + ", ".join(f"{int(y)} {v:,.0f}" for y, v in series.items())
    rows = [{"item": str(int(y)), "quantity": VIOLENCE_MEASURES[measure][0], "value": v, "rank": None}
            for y, v in series.items()]
    return Outcome(judgement, observed, _numbers(rows), used, sources)


#: UCDP actor and conflict names the PIPS claims need.
GOVERNMENT_OF_PAKISTAN = "Government of Pakistan"
BALOCHISTAN_CONFLICT = "Pakistan: Balochistan"


def run_militant_deaths(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """at_least: deaths of side B in state-based conflicts fought by the Government of Pakistan."""
    g = ev.get("events")
    as_of = pd.Timestamp(spec.opt("as_of"))
    sel = g[(g["type_of_violence"] == 1) & (g["side_a"] == GOVERNMENT_OF_PAKISTAN)
            & (g["year"] >= spec.start) & (pd.to_datetime(g["date_start"]) <= as_of)]
    side_b = float(sel["deaths_b"].sum())
    unknown = float(sel["deaths_unknown"].sum())
    value = side_b + (unknown if spec.opt("with_unknown") else 0.0)
    judgement = rule_at_least(value, claim.expected.value, strict=(claim.expected.qualifier or "").startswith("more"))
    used = ("UCDP deaths of side B (the armed groups) in state-based conflicts with side A the Government of "
            f"Pakistan{', plus deaths of unknown status' if spec.opt('with_unknown') else ''} (best estimate)")
    observed = (f"{used}, {spec.start} to {as_of.date()}: {value:,.0f} ({len(sel):,} events; side B {side_b:,.0f}, "
                f"unknown status {unknown:,.0f}) against more than {claim.expected.value:,.0f} stated")
    rows = [{"item": "side B", "quantity": "deaths", "value": side_b, "rank": None},
            {"item": "unknown status", "quantity": "deaths", "value": unknown, "rank": None},
            {"item": "events", "quantity": "events", "value": float(len(sel)), "rank": None}]
    return Outcome(judgement, observed, _numbers(rows), used, _sources(g))


def run_conflict_intensity(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """within_range: yearly deaths of UCDP's 'Pakistan: Balochistan' conflict in the intensity band."""
    g = ev.get("events")
    column = {"best": "best", "low": "low", "high": "high"}[spec.deaths_estimate]
    sel = g[(g["type_of_violence"] == 1) & (g["conflict_name"] == BALOCHISTAN_CONFLICT)]
    years = pd.RangeIndex(spec.start, spec.end + 1)
    series = sel.groupby("year")[column].sum().reindex(years, fill_value=0).astype("float64")
    judgement = rule_share_in_range(series, claim.expected.low, claim.expected.high, params.usually_share)
    used = (f"UCDP deaths per year in the state-based conflict '{BALOCHISTAN_CONFLICT}' "
            f"({spec.deaths_estimate} estimate)")
    observed = f"{used}: " + ", ".join(f"{y} {v:,.0f}" for y, v in series.items())
    rows = [{"item": str(y), "quantity": "deaths", "value": v, "rank": None} for y, v in series.items()]
    return Outcome(judgement, observed, _numbers(rows), used, _sources(g))


def run_population_rank(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_highest of census population among the comparison set, in one census year."""
    pop = ev.get("population")
    year = spec.start
    sub = pop[(pop["layout"] == "pre2018") & (pop["year"] == year)].set_index("unit_id")["population"]
    values = pd.Series({_label(g): sub.reindex(list(g)).sum(min_count=len(g)) for g in claim.comparison_set})
    judgement = rule_rank(values, _label(claim.geography), claim.expected.rank or 1)
    ranks = ranked(values, True)
    observed = f"census population {year}: " + "; ".join(
        f"{k} {v:,.0f} ({int(ranks[k])})" for k, v in values.sort_values(ascending=False).items())
    rows = [{"item": k, "quantity": "population", "value": v, "rank": int(ranks[k])} for k, v in values.items()]
    return Outcome(judgement, observed, _numbers(rows), f"census population {year}", _sources(pop))


def _independent_mpi(ev: Evidence) -> pd.DataFrame:
    """Headcount rows of the MPI reference table that do not come from NISP 2018 itself."""
    from workbench.geo.units import load_registry

    ref = ev.get("mpi_reference")
    rows = ref[(ref["indicator"] == "H_headcount_pct") & (ref["status"] != "policy_text")
               & ~ref["status"].str.startswith("CONFLICTING")].copy()
    reg = load_registry()
    level = rows["geography_level"].map({"province_or_region": "province", "national": "country"})
    rows["unit_id"] = [reg.resolve(n, source="mpi", level=lv) for n, lv in zip(rows["unit_name"], level, strict=True)]
    rows.attrs = dict(ref.attrs)
    return rows


def run_mpi_value(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of a province MPI headcount against the press reports of MPDR (2016)."""
    rows = _independent_mpi(ev)
    unit = claim.geography[0]
    mine = rows[rows["unit_id"] == unit]
    tol = params.approx_tolerance if claim.expected.qualifier else params.figure_tolerance
    judgement = rule_approx_all(mine["value"].tolist(), claim.expected.value, tol)
    used = "MPI headcount 2014/15 (MPDR 2016) as reported by the press, NISP's own figures left out"
    observed = f"{SHORT_NAMES.get(unit, unit)}: " + "; ".join(
        f"{v:g}% ({p}, row {r})" for v, p, r in zip(mine["value"], mine["publisher"], mine["row_id"], strict=True))
    nums = [{"item": f"{SHORT_NAMES.get(unit, unit)} ({p}, row {r})", "quantity": "mpi_headcount_pct", "value": v,
             "rank": None} for v, p, r in zip(mine["value"], mine["publisher"], mine["row_id"], strict=True)]
    return Outcome(judgement, observed, _numbers(nums), used, _sources(rows))


def run_mpi_order(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_order of province MPI headcounts (median of the independent reports per unit)."""
    rows = _independent_mpi(ev)
    med = rows.groupby("unit_id")["value"].median()
    order = [_label(g) for g in claim.expected.order]
    values = pd.Series({_label(g): med.reindex(list(g)).mean() for g in claim.expected.order})
    judgement = rule_rank_order(values, order, params.order_min_concordance)
    used = "MPI headcount 2014/15 (MPDR 2016), median of the press reports per unit, NISP's own figures left out"
    observed = "; ".join(f"{k} {v:g}%" for k, v in values.items())
    ranks = ranked(values, True)
    nums = [{"item": k, "quantity": "mpi_headcount_pct", "value": v, "rank": int(ranks[k])} for k, v in values.items()]
    return Outcome(judgement, observed, _numbers(nums), used, _sources(rows))


def run_need_vs_violence(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """association_highest: the most deprived regions (MPI) against the highest violence rates."""
    measure = spec.opt("measure", claim.indicators[1])
    groups = claim.comparison_set
    df, sources, problem = _violence_by_group(ev, spec, groups, measure)
    if problem:
        return _cannot(problem, _measure_text(measure, spec, ev), sources)
    mpi = ev.get("mpi_province").set_index("unit_id")["mpi_headcount_pct"]
    need = pd.Series({_label(g): mpi.reindex(list(g)).mean() for g in groups})
    outcome = pd.Series(df["value"].to_numpy(), index=df["group"])
    named = [_label([u]) for u in claim.geography]
    judgement = rule_top_k(need, outcome, named, claim.expected.rank or len(named))
    used = f"MPI headcount 2014/15 (NISP D3's figures); {_measure_text(measure, spec, ev)}"
    rank_o, rank_n = ranked(outcome, True), ranked(need, True)
    observed = (f"MPI %: " + "; ".join(f"{k} {v:g} ({int(rank_n[k])})" for k, v in need.items())
                + f" | {_measure_text(measure, spec, ev)}, {spec.period}: "
                + "; ".join(f"{k} {_fmt(v, measure)} ({int(rank_o[k])})" for k, v in outcome.items()))
    nums = pd.concat([_group_numbers(df, measure, rank_o.reset_index(drop=True)),
                      _numbers({"item": k, "quantity": "mpi_headcount_pct", "value": v, "rank": int(rank_n[k])}
                               for k, v in need.items())], ignore_index=True)
    return Outcome(judgement, observed, nums, used, sources + _sources(ev.get("mpi_province")))


#: Units outside "national territory" under the narrow reading (not provinces of Pakistan's constitution).
AJK_GB = ("PK-JK", "PK-GB")


def run_area_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of a province's share of the national area (equal-area projection)."""
    layer = spec.opt("layer", "cod_adm1")
    areas = ev.get("areas", layer).set_index("unit_id")["area_km2"]
    with_ajk_gb = spec.opt("with_ajk_gb", False)
    whole = areas if with_ajk_gb else areas.drop(list(AJK_GB), errors="ignore")
    part = areas.reindex(claim.geography).sum()
    share = 100 * part / whole.sum()
    tol = params.approx_tolerance if claim.expected.qualifier else params.figure_tolerance
    judgement = rule_approx(share, claim.expected.value, tol)
    territory = ("all units incl. AJK and GB" if with_ajk_gb
                 else "the four provinces and ICT (FATA inside KP), without AJK and GB")
    used = f"area share ({layer}, {EQUAL_AREA_CRS} equal-area), national territory = {territory}"
    observed = f"{_label(claim.geography)} {part:,.0f} km² of {whole.sum():,.0f} km²: {share:.1f}%"
    nums = [{"item": _label(claim.geography), "quantity": "area_km2", "value": part, "rank": None},
            {"item": "national territory", "quantity": "area_km2", "value": whole.sum(), "rank": None},
            {"item": _label(claim.geography), "quantity": "area_share_pct", "value": share, "rank": None}]
    return Outcome(judgement, observed, _numbers(nums), used, tuple(ev.get("areas", layer).attrs.get("sources", [])))


def run_youth_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of the share of young people (census 2023 Table 4) under one age band."""
    table = ev.get("youth")
    band = spec.opt("youth_ages")
    row = table[(table["youth_ages"] == band) & (table["denominator_ages"] == "all ages")]
    if row.empty:
        return _cannot(f"no youth share for ages {band} of all ages", sources=_sources(table))
    share = 100 * float(row["share"].iloc[0])
    tol = params.approx_tolerance if claim.expected.qualifier else params.figure_tolerance
    judgement = rule_approx(share, claim.expected.value, tol)
    used = f"share aged {band} of the whole population, census 2023 Table 4"
    persons, total = float(row["youth_pop"].iloc[0]), float(row["denominator_pop"].iloc[0])
    observed = f"Pakistan 2023, ages {band}: {share:.1f}% ({persons:,.0f} of {total:,.0f})"
    nums = [{"item": f"ages {band}", "quantity": "share_pct", "value": share, "rank": None},
            {"item": f"ages {band}", "quantity": "persons", "value": float(row["youth_pop"].iloc[0]), "rank": None},
            {"item": "all ages", "quantity": "persons", "value": float(row["denominator_pop"].iloc[0]), "rank": None}]
    return Outcome(judgement, observed, _numbers(nums), used, _sources(table))


# --------------------------------------------------------------------------- plans: which specifications


Plan = Callable[[Claim, AuditParameters, tuple[int, int]], list[Spec]]
#: The years UCDP GED covers: the default ``years`` of a plan.
UCDP_YEARS = (UCDP_FIRST_YEAR, UCDP_LAST_YEAR)


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


def violence_plan(*, deaths: bool, terrorism: bool, per_capita: bool,
                  readings: Sequence[tuple[str, str, Mapping[str, Any]]] = (),
                  sensitivity: Sequence[tuple[str, str, Mapping[str, Any]]] = (),
                  reference_period: tuple[int, int] | None = (2005, 2012)) -> Plan:
    """The specifications of a claim on the violence panels.

    Primary: the claim's period (or the default window), best estimate, all types. Readings
    (name, description, options) replace the primary options. Sensitivity: low/high deaths
    (``deaths``), one-sided + non-state only (``terrorism``), the period shifted either way, the
    policy's own reference period (C5's 2005-2012) and the longest period with data (from 1998
    for per-capita measures, from the source's first year otherwise, to the claim's end), plus
    ``sensitivity``. ``years`` are those the violence source covers: alternative periods stay
    inside them (the primary period does not: it is the claim's).
    """

    def plan(claim: Claim, params: AuditParameters, years: tuple[int, int] = UCDP_YEARS) -> list[Spec]:
        data_first, data_last = years
        first = max(FIRST_POPULATION_YEAR, data_first) if per_capita else data_first
        start, end, note = _period_of(claim, params, first_year=first)
        primary = Spec("primary", "primary", note, start, end)
        specs = [primary]
        specs += [replace(primary, scenario=name, kind="reading", description=desc, options=dict(opts))
                  for name, desc, opts in readings]
        if deaths:
            specs += [replace(primary, scenario=f"deaths {est}", kind="deaths estimate",
                              description=f"UCDP {est} estimate of deaths", deaths_estimate=est)
                      for est in ("low", "high")]
        if terrorism:
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


def _fixed_plan(description: str, *, readings: Sequence[tuple[str, str, Mapping[str, Any]]] = (),
                sensitivity: Sequence[tuple[str, ScenarioKind, str, Mapping[str, Any]]] = (),
                primary_options: Mapping[str, Any] | None = None, year: int | None = None) -> Plan:
    """Specifications of a claim on a fixed table (census, MPI, areas): no deaths or period variants
    beyond the ``sensitivity`` given; ``year`` is the year of the data when it differs from the claim's."""

    def plan(claim: Claim, params: AuditParameters, years: tuple[int, int] = UCDP_YEARS) -> list[Spec]:
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


def _militant_plan(claim: Claim, params: AuditParameters, years: tuple[int, int] = UCDP_YEARS) -> list[Spec]:
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


def _baloch_plan(claim: Claim, params: AuditParameters, years: tuple[int, int] = UCDP_YEARS) -> list[Spec]:
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


def _peak_plan(claim: Claim, params: AuditParameters, years: tuple[int, int] = UCDP_YEARS) -> list[Spec]:
    peak = claim.expected.peak_year
    plan = violence_plan(deaths=False, terrorism=True, per_capita=False, reference_period=None)(claim, params, years)
    primary = plan[0]
    first, last = years
    end_text = f"to the end of UCDP GED ({last})" if years == UCDP_YEARS else f"to the source's last year ({last})"
    extra = [replace(primary, scenario=f"period {a}-{b}", kind="period", description=d, start=a, end=b)
             for a, b, d in [(params.default_period[0], primary.end, "default window (ten years before the policy)"),
                             (peak - 1, primary.end, f"from the year before the stated peak ({peak - 1})"),
                             (primary.start, last, end_text)]
             if first <= a < b <= last and (a, b) != (primary.start, primary.end)]
    return [*plan, *extra]


@dataclass(frozen=True)
class Procedure:
    """How one claim is audited: its specifications, the computation, and what the data stand in for."""

    run: Callable[[Claim, Spec, Evidence, AuditParameters], Outcome]
    plan: Plan
    proxy: str | None
    caveats: tuple[str, ...] = ()

    @property
    def reads(self) -> Literal["violence panel", "ucdp events", "other"]:
        """Which violence data the procedure reads: the source's panels, UCDP GED's events (actor and
        conflict coding), or none."""
        if self.run in (run_militant_deaths, run_conflict_intensity):
            return "ucdp events"
        if self.run in (run_rank, run_violence_share, run_casualties, run_peak, run_decline, run_need_vs_violence):
            return "violence panel"
        return "other"


_FOUR = "C5's four regions (Punjab, Sindh, KP+FATA, Balochistan)"
_WIDER_SET = [["PK-PB"], ["PK-SD"], ["PK-KP", "PK-TA"], ["PK-BA"], ["PK-IS"], ["PK-GB"], ["PK-JK"]]
_PER_CAPITA = "deaths per 100,000 person-years"
_RANK_CAVEATS = (FEW_UNITS_NOTE.format(n=4), UCDP_NOTE)
_KARACHI_CAVEAT = ("UCDP GED covers little of Karachi's ethnic, political and criminal violence (target killings, "
                   "turf wars, extortion), which falls outside its definitions; Sindh's UCDP counts are a floor")
_GED_ATTACKS_CAVEAT = ("attacks without deaths are not in GED, so deaths per event overstate deaths per attack, "
                       "more so where many attacks kill no one")
_GED_OPERATIONS_CAVEAT = ("UCDP counts the deaths of military operations (state-based conflict) as well as of "
                          "terrorist attacks; NISP's figure is 'primarily' of terrorist-related activity and its "
                          "source is not named")
_NACTA_CAVEAT = ("NACTA counts terrorist incidents, with or without deaths: its peak need not fall in the same year as "
                 "UCDP's")
#: Caveats about UCDP GED: left out of a result read from an analyst's source (its own note replaces them).
UCDP_ONLY_CAVEATS = frozenset({UCDP_NOTE, _KARACHI_CAVEAT, _GED_ATTACKS_CAVEAT, _GED_OPERATIONS_CAVEAT,
                               _NACTA_CAVEAT})

#: The audit procedure of each claim (claims with ``data_can_speak: false`` need none).
PROCEDURES: dict[str, Procedure] = {
    "C5.punjab_most_populous": Procedure(
        run_population_rank,
        _fixed_plan("2017 census (final count): 'is' at the time of writing",
                    sensitivity=[("census 1998", "period", "1998 census", {"start": 1998, "end": 1998}),
                                 ("census 2023", "period", "2023 census", {"start": 2023, "end": 2023})]),
        proxy=None, caveats=("FATA's population is counted with KP, as C5 groups them",)),
    "C5.punjab_least_fatalities": Procedure(
        run_rank,
        violence_plan(deaths=True, terrorism=False, per_capita=False, sensitivity=[
            ("wider set", f"all seven regions incl. ICT, GB and AJK (C5 sets GB and AJK apart as peaceful)",
             {"comparison_set": _WIDER_SET})]),
        proxy="UCDP deaths in organised violence (all sides) for 'overall fatalities'",
        caveats=(*_RANK_CAVEATS, _KARACHI_CAVEAT, "absolute deaths, as the claim says ('overall fatalities'), "
                 "not per head: Punjab has the largest population")),
    "C5.punjab_highest_deaths_per_attack": Procedure(
        run_rank, violence_plan(deaths=True, terrorism=True, per_capita=False),
        proxy=("UCDP deaths per UCDP event for 'average death toll per terrorist attack': GED events are "
               "organised-violence events with at least one death, not terrorist attacks"),
        caveats=(*_RANK_CAVEATS, _GED_ATTACKS_CAVEAT)),
    "C5.sindh_second_per_capita": Procedure(
        run_rank, violence_plan(deaths=True, terrorism=False, per_capita=True),
        proxy=f"UCDP {_PER_CAPITA} for 'casualties per capita' (deaths only: injuries not in UCDP)",
        caveats=(*_RANK_CAVEATS, PER_CAPITA_NOTE, _KARACHI_CAVEAT)),
    "C5.kp_fata_casualties_2005_2012": Procedure(
        run_casualties, violence_plan(deaths=True, terrorism=True, per_capita=False),
        proxy="deaths only (injuries not in UCDP): UCDP deaths are a lower bound of casualties (killed + injured)",
        caveats=(UCDP_NOTE, _GED_OPERATIONS_CAVEAT)),
    "C5.kp_fata_most_incidents": Procedure(
        run_violence_share,
        violence_plan(deaths=False, terrorism=True, per_capita=False, readings=[
            ("largest share", "'most of' read as the largest share among the regions", {"largest_share": True})]),
        proxy="UCDP events for 'incidents of terrorism' (organised violence with at least one death)",
        caveats=(UCDP_NOTE, "events located only to 'Pakistan' stay in the national total")),
    "C5.karachi_most_sindh_violence": Procedure(
        run_violence_share,
        violence_plan(deaths=True, terrorism=False, per_capita=False, readings=[
            ("events", "'violence' read as events", {"measure": "violence.events"})]),
        proxy="UCDP deaths (and events) for 'violence'",
        caveats=(UCDP_NOTE, _KARACHI_CAVEAT, "events located only to Sindh (province level) count in Sindh's "
                 "total but not in Karachi's")),
    "C5.balochistan_area_42pct": Procedure(
        run_area_share,
        _fixed_plan("a geographic fact: current boundaries",
                    readings=[("with AJK and GB", "national territory including Azad Jammu & Kashmir and "
                               "Gilgit-Baltistan", {"with_ajk_gb": True})],
                    sensitivity=[("OSM layer", "source", "OSM 2023 province layer instead of COD 2022",
                                  {"layer": "osm_provinces"})]),
        proxy=None, caveats=("areas are computed from the boundary polygons in an equal-area projection, not taken "
                             "from an official table",)),
    "C5.balochistan_fourth": Procedure(
        run_rank,
        violence_plan(deaths=True, terrorism=False, per_capita=True, readings=[
            ("events per 100k", "'extremism and violence' read as events per 100,000",
             {"measure": "violence.events_per_100k"}),
            ("deaths", "read as total deaths", {"measure": "violence.deaths"}),
            ("events", "read as total events", {"measure": "violence.events"})]),
        proxy=f"UCDP {_PER_CAPITA} for 'extremism and violence' (measure not stated)",
        caveats=(FEW_UNITS_NOTE.format(n=5), UCDP_NOTE, PER_CAPITA_NOTE)),
    "D3.deprived_regions_most_militancy": Procedure(
        run_need_vs_violence,
        violence_plan(deaths=False, terrorism=False, per_capita=True, readings=[
            ("deaths per 100k", "'incidence of militancy' read as deaths per 100,000",
             {"measure": "violence.deaths_per_100k"})]),
        proxy="UCDP events per 100,000 person-years for 'incidence of militancy'; MPI headcount for 'deprived'",
        caveats=(FEW_UNITS_NOTE.format(n=5), PER_CAPITA_NOTE, UCDP_NOTE, "the MPI figures are those D3 quotes "
                 "(2014/15); their check against press reports of MPDR (2016) is claim D3.mpi_order")),
    "D3.mpi_order": Procedure(
        run_mpi_order, _fixed_plan("2014/15 (MPDR 2016), the figures D3 quotes"), proxy=None,
        caveats=("no machine-readable MPDR table in the mirror: values are press reports quoting MPDR (2016); "
                 "NISP's own figures are left out so the check is not circular",)),
    **{cid: Procedure(run_mpi_value, _fixed_plan("2014/15 (MPDR 2016), the figures D3 quotes"), proxy=None,
                      caveats=("no machine-readable MPDR table in the mirror: values are press reports quoting "
                               "MPDR (2016); NISP's own figures are left out so the check is not circular",))
       for cid in ("D3.mpi_fata_74", "D3.mpi_balochistan_71", "D3.mpi_kp_49", "D3.mpi_sindh_43",
                   "D3.mpi_punjab_31")},
    "A1.terrorism_peak_2014": Procedure(
        run_peak, _peak_plan,
        proxy="UCDP events per year for 'incidents of terrorism' (NACTA's series, Figure 1, is not in the mirror)",
        caveats=(UCDP_NOTE, _NACTA_CAVEAT)),
    "C1.decline_2014_2018": Procedure(
        run_decline, violence_plan(deaths=False, terrorism=True, per_capita=False, reference_period=None),
        proxy="UCDP events per year for 'incidents of terrorism'", caveats=(UCDP_NOTE,)),
    "D1.youth_60pct": Procedure(
        run_youth_share,
        _fixed_plan("census 2023, the nearest census with ages (the claim is of 2018)",
                    primary_options={"youth_ages": "15-29"}, year=2023,
                    readings=[("ages 15-24", "'young people' read as ages 15-24 (UN youth)", {"youth_ages": "15-24"}),
                              ("ages 0-24", "read as under 25", {"youth_ages": "0-24"}),
                              ("ages 0-29", "read as under 30", {"youth_ages": "0-29"})]),
        proxy=None, caveats=("the age band is not stated; the primary reading is the workbench's youth.share_15_29 "
                             "(National Youth Policy: 15-29)", "census 2023, five years after the claim: the 2017 "
                             "census tables in the mirror have no ages")),
    "PIPS.militants_killed_28000": Procedure(
        run_militant_deaths, _militant_plan,
        proxy="UCDP deaths of the armed groups (side B) in conflicts with the Government of Pakistan, for "
              "'militants died' (state figure)",
        caveats=(UCDP_NOTE, "low/high estimates are not split by side in GED, so no deaths-estimate sensitivity",
                 "US drone strikes (side A: Government of the USA) are not part of the state's drive and are "
                 "left out")),
    "PIPS.baloch_low_intensity": Procedure(
        run_conflict_intensity, _baloch_plan,
        proxy="UCDP's minor-conflict band (25-999 battle-related deaths a year) of the conflict 'Pakistan: "
              "Balochistan' for 'low-intensity war'",
        caveats=(UCDP_NOTE, "GED holds events only of conflict-years with at least 25 deaths: a year with none "
                 "was below the band", "UCDP measures intensity per conflict: the audit counts every event of the "
                 "conflict 'Pakistan: Balochistan' wherever it happened, and leaves out state-based events in "
                 "Balochistan of other conflicts (e.g. the Government against the TTP)")),
}


# --------------------------------------------------------------------------- the audit


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
    violence_source: str = UCDP_SOURCE


def _expected_text(c: Claim) -> str:
    e = c.expected
    parts = []
    if c.comparison in ("rank_highest", "rank_lowest", "rank_position"):
        side = "lowest" if c.comparison == "rank_lowest" else "highest"
        parts.append(f"{_label(c.geography)} rank {e.rank or 1} ({side} first)")
        if e.above:
            parts.append("after " + ", ".join(_label(g) for g in e.above))
    elif c.comparison == "rank_order":
        parts.append(" > ".join(_label(g) for g in e.order))
    elif c.comparison == "peak_then_decline":
        parts.append(f"peak in {e.peak_year}, decline after")
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
    """One specification; on an analyst's source, a period it does not cover (or a unit, level or year it
    does not give) is "cannot be tested", with the reason."""
    if ev.is_ucdp or procedure.reads != "violence panel":
        return procedure.run(claim, spec, ev, params)
    first, last = ev.source_years
    if spec.start < first or spec.end > last:
        return _cannot(f"{ev.violence_source!r} ({ev.source_label}) covers {first}-{last}, not the period "
                       f"{spec.period}: nothing is filled in")
    try:
        return procedure.run(claim, spec, ev, params)
    except SourceGap as gap:
        return _cannot(gap.reason)


def _caveats(claim: Claim, procedure: Procedure, ev: Evidence) -> tuple[str, ...]:
    gap = (claim.measure_gap,) if claim.measure_gap else ()
    if ev.is_ucdp or procedure.reads == "other":
        return (*gap, *procedure.caveats)
    # the claim's measure gap and the UCDP caveats describe UCDP GED: the source's own note replaces them
    return (*(c for c in procedure.caveats if c not in UCDP_ONLY_CAVEATS), ev.source_note())


def _proxy(claim: Claim, procedure: Procedure, ev: Evidence, primary: Outcome) -> str | None:
    if ev.is_ucdp or procedure.reads == "other":
        return procedure.proxy
    if primary.numbers["quantity"].eq("injured").any():  # casualties measured as killed + injured: no proxy
        return None
    if primary.measure_used == "none":
        return f"{ev.labels['deaths']} or {ev.labels['events']} for '{claim.measure_stated}'"
    return f"{primary.measure_used} for '{claim.measure_stated}'"


def _audit_one(claim: Claim, ev: Evidence, params: AuditParameters) -> ClaimResult:
    base = {"claim_id": claim.id, "source": claim.source, "section": claim.section, "quote": claim.quote,
            "comparison": claim.comparison, "expected": _expected_text(claim),
            "measure_stated": claim.measure_stated, "violence_source": ev.violence_source}
    gap = (claim.measure_gap,) if claim.measure_gap else ()
    procedure = PROCEDURES.get(claim.id)
    if not claim.data_can_speak or procedure is None:
        reason = (claim.measure_gap or "no mirrored data set holds the measure") if not claim.data_can_speak else \
            "no audit procedure is defined for this claim (add one to workbench.policy.claims.PROCEDURES)"
        return ClaimResult(**base, verdict=CANNOT, reason=reason, measure_used="none", proxy=None,
                           period_used=claim.period.note or "", observed="", sources=(POLICY_SOURCE,),
                           caveats=tuple(g for g in gap if g != reason),
                           robust=None, changed_by=(), scenarios=_scenarios_frame(claim.id, [], ev.violence_source),
                           numbers=_numbers_long(claim.id, [], ev.violence_source))
    if procedure.reads == "ucdp events" and not ev.is_ucdp:
        reason = (f"the audit reads UCDP GED's actor and conflict coding ({procedure.proxy}); "
                  f"{ev.violence_source!r} ({ev.source_label}) has no such coding: audit this claim with "
                  f"violence_source={UCDP_SOURCE!r}")
        return ClaimResult(**base, verdict=CANNOT, reason=reason, measure_used="none", proxy=None,
                           period_used=claim.period.note or "", observed="", sources=(POLICY_SOURCE,),
                           caveats=(ev.source_note(),), robust=None, changed_by=(),
                           scenarios=_scenarios_frame(claim.id, [], ev.violence_source),
                           numbers=_numbers_long(claim.id, [], ev.violence_source))
    specs = procedure.plan(claim, params, ev.source_years)
    if not ev.is_ucdp:
        specs = [s for s in specs if s.kind not in UCDP_ONLY_KINDS]
    done = [(spec, _run_spec(procedure, claim, spec, ev, params)) for spec in specs]
    primary = done[0][1]
    readings = {"primary": primary.judgement.verdict} | {
        s.scenario: o.judgement.verdict for s, o in done if s.kind == "reading"}
    if len(readings) > 1:
        combined = combine_readings(readings)
        verdict = combined.verdict
        if combined.verdict == MIXED and primary.judgement.verdict != MIXED:
            reason = f"{combined.reason}; primary: {primary.judgement.reason}"
        else:
            reason = f"{primary.judgement.reason} (the other {len(readings) - 1} reading(s) agree)"
    else:
        verdict, reason = primary.judgement.verdict, primary.judgement.reason
    sens = [(s, o) for s, o in done if s.kind not in ("primary", "reading")]
    changed = tuple(s.scenario for s, o in sens if o.judgement.verdict != primary.judgement.verdict)
    sources = tuple(dict.fromkeys(x for _, o in done for x in o.sources)) + (POLICY_SOURCE,)
    observed = primary.observed
    others = [f"[{s.scenario}] {o.observed}" for s, o in done if s.kind == "reading"]
    if others:
        observed = " | ".join([observed, *others])
    return ClaimResult(**base, verdict=verdict, reason=reason, measure_used=primary.measure_used,
                       proxy=_proxy(claim, procedure, ev, primary), period_used=done[0][0].description,
                       observed=observed, sources=sources, caveats=_caveats(claim, procedure, ev),
                       robust=not changed if sens else None, changed_by=changed,
                       scenarios=_scenarios_frame(claim.id, done, ev.violence_source),
                       numbers=_numbers_long(claim.id, done, ev.violence_source))


SCENARIO_COLUMNS = ["claim_id", "violence_source", "scenario", "kind", "description", "period", "deaths_estimate",
                    "violence_types", "verdict", "changes_verdict", "reason", "observed", "measure_used"]
NUMBERS_COLUMNS = ["claim_id", "violence_source", "scenario", "item", "quantity", "value", "rank"]


def _scenarios_frame(claim_id: str, done: list[tuple[Spec, Outcome]],
                     violence_source: str = UCDP_SOURCE) -> pd.DataFrame:
    primary = done[0][1].judgement.verdict if done else None
    ucdp = violence_source == UCDP_SOURCE
    rows = [{"claim_id": claim_id, "violence_source": violence_source, "scenario": s.scenario, "kind": s.kind,
             "description": s.description, "period": s.period,
             "deaths_estimate": s.deaths_estimate if ucdp else "", "violence_types": "+".join(s.violence_types)
             if ucdp else "", "verdict": o.judgement.verdict,
             "changes_verdict": o.judgement.verdict != primary, "reason": o.judgement.reason,
             "observed": o.observed, "measure_used": o.measure_used} for s, o in done]
    return pd.DataFrame(rows, columns=SCENARIO_COLUMNS)


def _numbers_long(claim_id: str, done: list[tuple[Spec, Outcome]], violence_source: str = UCDP_SOURCE) -> pd.DataFrame:
    parts = [o.numbers.assign(claim_id=claim_id, scenario=s.scenario, violence_source=violence_source)
             for s, o in done]
    if not parts:
        return _numbers([]).assign(claim_id=claim_id, scenario="", violence_source=violence_source)[NUMBERS_COLUMNS]
    return pd.concat(parts, ignore_index=True)[NUMBERS_COLUMNS]


def audit_claims(policy: Policy | None = None, *, claim_ids: Sequence[str] | None = None,
                 params: AuditParameters | None = None, evidence: Evidence | None = None,
                 violence_source: str | None = None) -> list[ClaimResult]:
    """Audit the policy's claims: a computed verdict, numbers, sources and sensitivity for each.

    Parameters
    ----------
    policy:
        The policy (default :func:`workbench.policy.nisp.load_policy`).
    claim_ids:
        Only these claims (ids as in the policy file); an unknown id is an error.
    params:
        Thresholds and defaults (:class:`AuditParameters`).
    evidence:
        Where the data come from (default: the catalog's data sets and the committed panels).
    violence_source:
        The violence counts: ``ucdp_ged_pak`` (default) or a registered analyst's source
        (``workbench sources list``). With an analyst's source, UCDP's deaths estimates and types of
        violence are not computed, a period it does not cover is "cannot be tested" with the reason,
        the claims that need UCDP's actor and conflict coding cannot be tested, and casualties are
        killed + injured when it gives injuries. Must agree with ``evidence.violence_source``.

    Returns
    -------
    list of ClaimResult
        In the order of the policy file; each names its ``violence_source``.
    """
    p = policy if policy is not None else load_policy()
    prm = params if params is not None else AuditParameters()
    if not isinstance(prm, AuditParameters):
        raise ParameterError(f"params must be an AuditParameters; got {type(prm).__name__}")
    if evidence is not None:
        if violence_source is not None and violence_source != evidence.violence_source:
            raise ParameterError(f"violence_source {violence_source!r} differs from the evidence's "
                                 f"{evidence.violence_source!r}: give one of them")
        ev = evidence
    else:
        ev = Evidence(violence_source=UCDP_SOURCE if violence_source is None else violence_source)
    known = [c.id for c in p.claims]
    if claim_ids is not None:
        if isinstance(claim_ids, str):
            claim_ids = [claim_ids]
        unknown = [c for c in claim_ids if c not in known]
        if unknown:
            raise ParameterError(f"unknown claim id(s) {unknown}; the policy's claims are: {', '.join(known)}")
    chosen = [c for c in p.claims if claim_ids is None or c.id in claim_ids]
    return [_audit_one(c, ev, prm) for c in chosen]


CLAIMS_COLUMNS = ["claim_id", "source", "section", "verdict", "reason", "expected", "observed", "measure_stated",
                  "measure_used", "proxy", "period_used", "robust", "changed_by", "caveats", "violence_source",
                  "sources", "quote"]


def claims_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """One row per claim (:data:`CLAIMS_COLUMNS`); lists are ``; ``-joined; ``attrs['sources']`` and
    ``attrs['violence_source']`` (the sources the results used)."""
    rows = [{"claim_id": r.claim_id, "source": r.source, "section": r.section, "verdict": r.verdict,
             "reason": r.reason, "expected": r.expected, "observed": r.observed, "measure_stated": r.measure_stated,
             "measure_used": r.measure_used, "proxy": r.proxy, "period_used": r.period_used, "robust": r.robust,
             "changed_by": "; ".join(r.changed_by), "caveats": "; ".join(r.caveats),
             "violence_source": r.violence_source, "sources": "; ".join(r.sources), "quote": r.quote}
            for r in results]
    df = pd.DataFrame(rows, columns=CLAIMS_COLUMNS)
    df["robust"] = df["robust"].astype("boolean")
    return _with_attrs(df, results)


def _with_attrs(df: pd.DataFrame, results: Sequence[ClaimResult]) -> pd.DataFrame:
    df.attrs["sources"] = list(dict.fromkeys(s for r in results for s in r.sources)) or [POLICY_SOURCE]
    df.attrs["violence_source"] = list(dict.fromkeys(r.violence_source for r in results))
    return df


def sensitivity_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """One row per claim and specification (primary, readings, sensitivity) with its verdict."""
    df = pd.concat([r.scenarios for r in results], ignore_index=True) if results else _scenarios_frame("", [])
    return _with_attrs(df, results)


def numbers_frame_from(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """The numbers behind every verdict, long: ``claim_id, violence_source, scenario, item, quantity, value, rank``."""
    df = pd.concat([r.numbers for r in results], ignore_index=True) if results else _numbers_long("", [])
    return _with_attrs(df, results)
