"""The audit procedures: one small function per kind of test, from the numbers to a verdict.

Each ``run_*`` takes a claim, one specification (:class:`~workbench.policy.specs.Spec`), the
evidence and the parameters, computes the measure the data offer and applies a pure verdict
rule (:mod:`workbench.policy.verdicts`). Which procedure and which specifications each claim gets
is the table of :mod:`workbench.policy.procedure_table`.

* on the violence source's panels: :func:`run_rank`, :func:`run_violence_share`,
  :func:`run_casualties`, :func:`run_peak`, :func:`run_decline`, :func:`run_need_vs_violence`;
* on event records with UCDP's actor and conflict coding: :func:`run_militant_deaths`,
  :func:`run_conflict_intensity`;
* on other tables: :func:`run_population_rank`, :func:`run_mpi_value`, :func:`run_mpi_order`,
  :func:`run_area_share`, :func:`run_youth_share`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from workbench.formatting import year_ranges
from workbench.policy.evidence import EQUAL_AREA_CRS, Evidence, layout_provinces
from workbench.policy.measures import (
    VIOLENCE_MEASURES,
    YearsCovered,
    covered_years,
    group_numbers,
    injured_by_unit,
    measure_text,
    national_series,
    no_year_gap,
    undefined_values,
    value_text,
    violence_by_group,
)
from workbench.policy.nisp import Claim
from workbench.policy.specs import (
    SHORT_NAMES,
    AuditParameters,
    Outcome,
    Part,
    Spec,
    cannot,
    frame_sources,
    group_label,
    long_numbers,
    outcome_from_parts,
)
from workbench.policy.verdicts import (
    CANNOT,
    SUPPORTED,
    Judgement,
    percent_text,
    ranked,
    rule_approx,
    rule_approx_all,
    rule_at_least,
    rule_decline,
    rule_lower_bound_approx,
    rule_decline_from,
    rule_peak_year,
    rule_rank,
    rule_rank_order,
    rule_share_above,
    rule_share_in_range,
    rule_top_units,
)

#: UCDP actor and conflict names the PIPS claims need.
GOVERNMENT_OF_PAKISTAN = "Government of Pakistan"
BALOCHISTAN_CONFLICT = "Pakistan: Balochistan"
#: Units outside "national territory" under the narrow reading (not provinces of Pakistan's constitution).
AJK_GB = ("PK-JK", "PK-GB")


def _tolerance(claim: Claim, params: AuditParameters) -> float:
    """The relative tolerance: of "approximately" (a qualifier), or of a figure printed as it is."""
    return params.approx_tolerance if claim.expected.qualifier else params.figure_tolerance


# --------------------------------------------------------------------------- the violence panels


def _period_text(spec: Spec, years: YearsCovered) -> str:
    """The spec's period, with the years covered where the source lacks some: ``2008-2017 (years covered: 2012-2017)``."""
    return spec.period if years.complete else f"{spec.period} (years covered: {year_ranges(years.covered)})"


def run_rank(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_highest / rank_lowest / rank_position of a violence measure among the comparison set.

    "Second after KP and FATA" is compound: the units named before it hold the first ranks (part
    ``after``), and the claim's unit holds its rank (part ``position``).
    """
    measure = spec.opt("measure", claim.indicators[0])
    groups = spec.opt("comparison_set", claim.comparison_set)
    totals = violence_by_group(ev, spec, groups, measure)
    used = measure_text(measure, spec, ev)
    if totals.problem:
        return cannot(totals.problem, used, totals.sources)
    df, years = totals.frame, totals.years
    highest = claim.comparison != "rank_lowest"
    values = pd.Series(df["value"].to_numpy(), index=df["group"])
    target, rank = group_label(claim.geography), claim.expected.rank or 1
    ranks = ranked(values, highest).reset_index(drop=True)
    order = df.assign(rank=ranks.to_numpy()).sort_values("rank", kind="stable", na_position="last")
    observed = f"{used}, {_period_text(spec, years)}: " + "; ".join(
        f"{r.group} {value_text(r.value, measure, r.rank)}" for r in order.itertuples())
    gap = {"lacking": years.text(), "provisional": not years.complete}
    numbers = group_numbers(df, measure, ranks)
    undefined = undefined_values(df, measure, spec.period)
    if undefined:
        return Outcome(Judgement(CANNOT, undefined), observed, numbers, used, totals.sources, **gap)
    if not claim.expected.above:
        judgement = rule_rank(values, target, rank, highest_first=highest)
        return Outcome(judgement, observed, numbers, used, totals.sources, **gap)
    above = [group_label(g) for g in claim.expected.above]
    side = "highest" if highest else "lowest"
    parts = (Part("after", f"{', '.join(above)} rank{'s' if len(above) == 1 else ''} first ({side} first)",
                  rule_top_units(values, above, len(above), what=used), observed),
             Part("position", f"{target} ranks {rank} ({side} first)",
                  rule_rank(values, target, rank, highest_first=highest), observed))
    return outcome_from_parts(parts, observed, numbers, used, totals.sources, **gap)


def _share_counts(claim: Claim, spec: Spec, ev: Evidence, col: str, largest: bool) -> tuple[
        pd.Series, float, dict[str, float], YearsCovered, tuple[str, ...]]:
    """The counts a share needs over the years covered: per unit (the part's units, and every province for
    the largest-share reading), the whole, and what was located only to the whole (no finer unit)."""
    if claim.geography == ["division/karachi"]:
        counts = ev.counts(spec, level="district", layout="current")
        whole = counts[counts["province"].isin(claim.denominator)]
        years = covered_years(whole, whole["unit_id"].astype(str).unique(), [col], spec.start, spec.end)
        if not years.covered:
            raise no_year_gap(ev, spec, "every district of Sindh", years)
        whole = whole[whole["year"].isin(years.covered)]
        karachi = set(ev.get("karachi_units")) | {"division/karachi"}
        part = pd.Series({"Karachi": float(whole.loc[whole["unit_id"].isin(karachi), col].sum())})
        only = {"located only to Sindh": float(whole.loc[whole["unit_level"].eq("province"), col].sum())}
        return part, float(whole[col].sum()), only, years, frame_sources(counts)
    counts = ev.counts(spec, level="province", layout="pre2018")
    units = [*claim.geography, *(layout_provinces("pre2018") if largest else [])]
    ev.require_units(counts, units, "the share", spec)
    years = covered_years(counts, units, [col], spec.start, spec.end)
    if claim.denominator == ["PK"]:
        national = national_series(ev, spec, col)
        years = years.both(national.years)
        whole_total = float(national.values[national.values.index.isin(years.covered)].sum())
        sources = frame_sources(counts) + national.sources
    else:
        whole_units = counts[counts["province"].isin(claim.denominator)]
        years = years.both(covered_years(whole_units, claim.denominator, [col], spec.start, spec.end))
        whole_total = float(whole_units.loc[whole_units["year"].isin(years.covered), col].sum())
        sources = frame_sources(counts)
    if not years.covered:
        raise no_year_gap(ev, spec, f"{group_label(claim.geography)} and {group_label(claim.denominator)}", years)
    inside = counts[counts["year"].isin(years.covered)]
    by_unit = inside.groupby("unit_id")[col].sum(min_count=1)
    part = pd.Series({group_label(claim.geography): float(by_unit.reindex(claim.geography).sum())})
    if largest:
        others = by_unit.reindex([u for u in layout_provinces("pre2018") if u not in claim.geography])
        part = pd.concat([part, others.rename(index=SHORT_NAMES)])
    pk = inside.loc[inside["unit_id"].eq("PK"), col]
    only = {"located only to Pakistan": float(pk.sum())} if pk.notna().any() else {}
    return part, whole_total, only, years, sources


def run_violence_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """majority_share: the claim's unit's share of its denominator's events or deaths (a national
    denominator is the country's figure, :func:`~workbench.policy.measures.national_series`)."""
    measure = spec.opt("measure", claim.indicators[0])
    col = VIOLENCE_MEASURES[measure][0]
    largest = bool(spec.opt("largest_share"))
    values, wval, extra, years, sources = _share_counts(claim, spec, ev, col, largest)
    pname, pval = values.index[0], float(values.iloc[0])
    wname = "Sindh" if claim.geography == ["division/karachi"] else group_label(claim.denominator)
    if largest:
        judgement = rule_rank(values, pname, 1)
        judgement = replace(judgement, reason=f"largest share read for 'most of': {judgement.reason}")
        extra = {f"{k} share": v / wval for k, v in values.sort_values(ascending=False).items()} if wval else {}
    else:
        judgement = rule_share_above(pval, wval, claim.expected.value)
    share = pval / wval if wval else np.nan
    used = measure_text(measure, spec, ev)
    shown = "; ".join(f"{k}: {percent_text(v) if k.endswith('share') else f'{v:,.0f}'}" for k, v in extra.items())
    observed = (f"{used}, {_period_text(spec, years)}: {pname} {pval:,.0f} of {wname} {wval:,.0f} "
                f"({percent_text(share)})" + (f"; {shown}" if shown else ""))
    rows = [{"item": pname, "quantity": col, "value": pval, "rank": None},
            {"item": wname, "quantity": col, "value": wval, "rank": None},
            {"item": pname, "quantity": "share", "value": share, "rank": None},
            *[{"item": k.removesuffix(" share"), "quantity": "share" if k.endswith("share") else col, "value": v,
               "rank": None} for k, v in extra.items() if not k.startswith(pname)]]
    return Outcome(judgement, observed, long_numbers(rows), used, sources, lacking=years.text(),
                   provisional=not years.complete)


def run_casualties(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of a count of casualties: killed + injured when the source gives injuries for every
    unit and year, else its deaths as a lower bound (UCDP: always, it has no injured).

    Over years lacking, a total above the figure by more than the tolerance stays above it whatever
    they hold (counts only add); any other verdict is provisional.
    """
    counts = ev.counts(spec, level="province", layout="pre2018")
    ev.require_units(counts, claim.geography, "the casualties", spec)
    years = covered_years(counts, claim.geography, ["deaths"], spec.start, spec.end)
    if not years.covered:
        raise no_year_gap(ev, spec, group_label(claim.geography), years)
    where, period = group_label(claim.geography), _period_text(spec, years)
    sub = counts[counts["unit_id"].isin(claim.geography) & counts["year"].isin(years.covered)]
    deaths = float(sub["deaths"].sum())
    by_unit = sub.groupby("unit_id")["deaths"].sum()
    tol = _tolerance(claim, params)
    injured, why_not = injured_by_unit(ev, claim.geography, "pre2018", years.covered)
    rows = [{"item": where, "quantity": "deaths", "value": deaths, "rank": None},
            *[{"item": SHORT_NAMES.get(u, u), "quantity": "deaths", "value": v, "rank": None}
              for u, v in by_unit.items()]]
    if injured is not None:
        total_injured = float(injured.sum())
        total = casualties = deaths + total_injured
        judgement = rule_approx(casualties, claim.expected.value, tol)
        used = f"casualties: {ev.labels['deaths']} + persons injured (killed + injured)"
        observed = (f"{used}, {where}, {period}: {casualties:,.0f} ({deaths:,.0f} killed + "
                    f"{total_injured:,.0f} injured; " + ", ".join(
                        f"{SHORT_NAMES.get(u, u)} {by_unit.get(u, 0) + injured.get(u, 0):,.0f}" for u in by_unit.index)
                    + f") against {claim.expected.value:,.0f} casualties stated")
        rows += [{"item": where, "quantity": "injured", "value": total_injured, "rank": None},
                 *[{"item": SHORT_NAMES.get(u, u), "quantity": "injured", "value": v, "rank": None}
                   for u, v in injured.items()],
                 {"item": where, "quantity": "casualties", "value": casualties, "rank": None}]
        sources = frame_sources(counts, ev.get("injured", "pre2018"))
    else:
        total = deaths
        judgement = rule_lower_bound_approx(deaths, claim.expected.value, tol)
        if not ev.procedure_texts_apply:  # UCDP's proxy says why deaths are a lower bound; else the reason does
            judgement = replace(judgement, reason=f"{judgement.reason} ({why_not}: deaths are a lower bound)")
        used = measure_text("violence.deaths", spec, ev)
        observed = (f"{used}, {where}, {period}: {deaths:,.0f} ("
                    + ", ".join(f"{SHORT_NAMES.get(u, u)} {v:,.0f}" for u, v in by_unit.items())
                    + f") against {claim.expected.value:,.0f} casualties stated")
        sources = frame_sources(counts)
    rows.append({"item": "stated", "quantity": "casualties", "value": claim.expected.value, "rank": None})
    above_anyway = total > claim.expected.value * (1 + tol)
    return Outcome(judgement, observed, long_numbers(rows), used, sources, lacking=years.text(),
                   provisional=not years.complete and not above_anyway)


def _yearly_rows(series: pd.Series, column: str, ranks: pd.Series | None = None) -> pd.DataFrame:
    return long_numbers({"item": str(int(y)), "quantity": column, "value": v,
                         "rank": None if ranks is None else int(ranks[y])} for y, v in series.items())


def run_peak(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """"The abatement ... from its peak in 2014", in two parts on the country's yearly series: ``peak``
    (the stated year is the series' maximum over the period, :func:`rule_peak_year`) and ``decline``
    (the period's last year is below it, :func:`rule_decline_from`).

    Years lacking are named. A peak found among the years covered is provisional (a year lacking could
    be higher); one exceeded by a year covered is not supported whatever the others hold. The decline
    is provisional when the period's last year is lacking (it is then judged on the last year covered).
    """
    measure = claim.indicators[0]
    column = VIOLENCE_MEASURES[measure][0]
    national = national_series(ev, spec, column)
    series, years, year = national.values, national.years, claim.expected.peak_year
    used = measure_text(measure, spec, ev) + ", Pakistan, per year"
    peak, decline = rule_peak_year(series, year), rule_decline_from(series, year)
    ranks = ranked(series, True)
    top = series.sort_values(ascending=False, kind="stable").head(3)
    stated = (f"{year}: {series[year]:,.0f} (rank {int(ranks[year])} of {len(series)})" if year in series.index
              else f"{year}: lacking")
    peak_seen = "highest " + ", ".join(f"{int(y)} {v:,.0f}" for y, v in top.items()) + f"; {stated}"
    last = int(series.index[-1])
    decline_seen = f"{stated}; {last}: {series.iloc[-1]:,.0f}"
    parts = (Part("peak", f"{year} is the highest year of {spec.period}", peak, peak_seen),
             Part("decline", f"{spec.end} is below {year}", decline, decline_seen))
    provisional = (not years.complete and peak.verdict == SUPPORTED) or spec.end not in series.index
    observed = f"{used}, {_period_text(spec, years)}: {peak_seen}; {last}: {series.iloc[-1]:,.0f}"
    if national.summed:
        observed += f" ({national.basis()})"
    return outcome_from_parts(parts, observed, _yearly_rows(series, column, ranks), used, national.sources,
                              lacking=years.text(), provisional=provisional)


def run_decline(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """decline of the country's yearly series from the period's first to its last year. Years lacking in
    between do not change it; a first or last year lacking is replaced by the nearest year covered, and
    the verdict is provisional."""
    measure = claim.indicators[0]
    column = VIOLENCE_MEASURES[measure][0]
    national = national_series(ev, spec, column)
    series, years = national.values, national.years
    used = measure_text(measure, spec, ev) + ", Pakistan, per year"
    observed = f"{used}: " + ", ".join(f"{int(y)} {v:,.0f}" for y, v in series.items())
    if national.summed:
        observed += f" ({national.basis()})"
    numbers = _yearly_rows(series, column)
    first, last = int(series.index[0]), int(series.index[-1])
    if first == last:
        return Outcome(Judgement(CANNOT, f"one year only with a figure ({first}): no decline can be measured"),
                       observed, numbers, used, national.sources, lacking=years.text())
    considerable = params.considerable_decline if claim.expected.qualifier else None
    judgement = rule_decline(series.iloc[0], series.iloc[-1], considerable=considerable)
    judgement = replace(judgement, reason=f"{first} to {last}: {judgement.reason}")
    return Outcome(judgement, observed, numbers, used, national.sources, lacking=years.text(),
                   provisional=(first, last) != (spec.start, spec.end))


def run_need_vs_violence(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """association_highest, in two parts: ``deprivation`` (the named regions are the most deprived, by
    MPI) and ``violence`` (they have the highest violence rates)."""
    measure = spec.opt("measure", claim.indicators[1])
    groups = claim.comparison_set
    totals = violence_by_group(ev, spec, groups, measure)
    violence = measure_text(measure, spec, ev)
    if totals.problem:
        return cannot(totals.problem, violence, totals.sources)
    df, years = totals.frame, totals.years
    mpi = ev.get("mpi_province").set_index("unit_id")["mpi_headcount_pct"]
    need = pd.Series({group_label(g): mpi.reindex(list(g)).mean() for g in groups})
    outcome = pd.Series(df["value"].to_numpy(), index=df["group"])
    named = [group_label([u]) for u in claim.geography]
    k = claim.expected.rank or len(named)
    rank_o, rank_n = ranked(outcome, True), ranked(need, True)
    need_seen = "MPI %: " + "; ".join(f"{g} {v:g} ({int(rank_n[g])})" for g, v in need.items())
    violence_seen = f"{violence}, {_period_text(spec, years)}: " + "; ".join(
        f"{g} {value_text(v, measure, rank_o[g])}" for g, v in outcome.items())
    names = " and ".join(named)
    parts = (Part("deprivation", f"{names} are the {k} most deprived (MPI headcount)",
                  rule_top_units(need, named, k, what="MPI headcount"), need_seen),
             Part("violence", f"{names} have the {k} highest {violence}",
                  rule_top_units(outcome, named, k, what=violence), violence_seen))
    nums = pd.concat([group_numbers(df, measure, rank_o.reset_index(drop=True)),
                      long_numbers({"item": g, "quantity": "mpi_headcount_pct", "value": v, "rank": int(rank_n[g])}
                                   for g, v in need.items())], ignore_index=True)
    used = f"MPI headcount 2014/15 (NISP D3's figures); {violence}"
    return outcome_from_parts(parts, f"{need_seen} | {violence_seen}", nums, used,
                              totals.sources + frame_sources(ev.get("mpi_province")), lacking=years.text(),
                              provisional=not years.complete)


# --------------------------------------------------------------------------- UCDP's actor and conflict coding


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
    return Outcome(judgement, observed, long_numbers(rows), used, frame_sources(g))


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
    return Outcome(judgement, observed, long_numbers(rows), used, frame_sources(g))


# --------------------------------------------------------------------------- census, MPI, areas, youth


def run_population_rank(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_highest of census population among the comparison set, in one census year."""
    pop = ev.get("population")
    year = spec.start
    sub = pop[(pop["layout"] == "pre2018") & (pop["year"] == year)].set_index("unit_id")["population"]
    values = pd.Series({group_label(g): sub.reindex(list(g)).sum(min_count=len(g)) for g in claim.comparison_set})
    judgement = rule_rank(values, group_label(claim.geography), claim.expected.rank or 1)
    ranks = ranked(values, True)
    observed = f"census population {year}: " + "; ".join(
        f"{k} {v:,.0f} ({int(ranks[k])})" for k, v in values.sort_values(ascending=False).items())
    rows = [{"item": k, "quantity": "population", "value": v, "rank": int(ranks[k])} for k, v in values.items()]
    return Outcome(judgement, observed, long_numbers(rows), f"census population {year}", frame_sources(pop))


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
    judgement = rule_approx_all(mine["value"].tolist(), claim.expected.value, _tolerance(claim, params))
    used = "MPI headcount 2014/15 (MPDR 2016) as reported by the press, NISP's own figures left out"
    reports = list(zip(mine["value"], mine["publisher"], mine["row_id"], strict=True))
    observed = f"{SHORT_NAMES.get(unit, unit)}: " + "; ".join(f"{v:g}% ({p}, row {r})" for v, p, r in reports)
    nums = [{"item": f"{SHORT_NAMES.get(unit, unit)} ({p}, row {r})", "quantity": "mpi_headcount_pct", "value": v,
             "rank": None} for v, p, r in reports]
    return Outcome(judgement, observed, long_numbers(nums), used, frame_sources(rows))


def run_mpi_order(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_order of province MPI headcounts (median of the independent reports per unit)."""
    rows = _independent_mpi(ev)
    med = rows.groupby("unit_id")["value"].median()
    order = [group_label(g) for g in claim.expected.order]
    values = pd.Series({group_label(g): med.reindex(list(g)).mean() for g in claim.expected.order})
    judgement = rule_rank_order(values, order, params.order_min_concordance)
    used = "MPI headcount 2014/15 (MPDR 2016), median of the press reports per unit, NISP's own figures left out"
    observed = "; ".join(f"{k} {v:g}%" for k, v in values.items())
    ranks = ranked(values, True)
    nums = [{"item": k, "quantity": "mpi_headcount_pct", "value": v, "rank": int(ranks[k])} for k, v in values.items()]
    return Outcome(judgement, observed, long_numbers(nums), used, frame_sources(rows))


def run_area_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of a province's share of the national area (equal-area projection)."""
    layer = spec.opt("layer", "cod_adm1")
    areas = ev.get("areas", layer).set_index("unit_id")["area_km2"]
    with_ajk_gb = spec.opt("with_ajk_gb", False)
    whole = areas if with_ajk_gb else areas.drop(list(AJK_GB), errors="ignore")
    part = areas.reindex(claim.geography).sum()
    share = 100 * part / whole.sum()
    judgement = rule_approx(share, claim.expected.value, _tolerance(claim, params))
    territory = ("all units incl. AJK and GB" if with_ajk_gb
                 else "the four provinces and ICT (FATA inside KP), without AJK and GB")
    used = f"area share ({layer}, {EQUAL_AREA_CRS} equal-area), national territory = {territory}"
    where = group_label(claim.geography)
    observed = f"{where} {part:,.0f} km² of {whole.sum():,.0f} km²: {share:.1f}%"
    nums = [{"item": where, "quantity": "area_km2", "value": part, "rank": None},
            {"item": "national territory", "quantity": "area_km2", "value": whole.sum(), "rank": None},
            {"item": where, "quantity": "area_share_pct", "value": share, "rank": None}]
    return Outcome(judgement, observed, long_numbers(nums), used,
                   tuple(ev.get("areas", layer).attrs.get("sources", [])))


def run_youth_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of the share of young people (census 2023 Table 4) under one age band."""
    table = ev.get("youth")
    band = spec.opt("youth_ages")
    row = table[(table["youth_ages"] == band) & (table["denominator_ages"] == "all ages")]
    if row.empty:
        return cannot(f"no youth share for ages {band} of all ages", sources=frame_sources(table))
    share = 100 * float(row["share"].iloc[0])
    judgement = rule_approx(share, claim.expected.value, _tolerance(claim, params))
    used = f"share aged {band} of the whole population, census 2023 Table 4"
    persons, total = float(row["youth_pop"].iloc[0]), float(row["denominator_pop"].iloc[0])
    observed = f"Pakistan 2023, ages {band}: {share:.1f}% ({persons:,.0f} of {total:,.0f})"
    nums = [{"item": f"ages {band}", "quantity": "share_pct", "value": share, "rank": None},
            {"item": f"ages {band}", "quantity": "persons", "value": persons, "rank": None},
            {"item": "all ages", "quantity": "persons", "value": total, "rank": None}]
    return Outcome(judgement, observed, long_numbers(nums), used, frame_sources(table))
