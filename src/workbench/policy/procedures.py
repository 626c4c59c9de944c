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

from workbench.policy.evidence import EQUAL_AREA_CRS, Evidence, layout_provinces
from workbench.policy.measures import (
    VIOLENCE_MEASURES,
    group_numbers,
    injured_by_unit,
    measure_text,
    national_series,
    undefined_values,
    value_text,
    violence_by_group,
)
from workbench.policy.nisp import Claim
from workbench.policy.specs import (
    SHORT_NAMES,
    AuditParameters,
    Outcome,
    Spec,
    cannot,
    frame_sources,
    group_label,
    long_numbers,
)
from workbench.policy.verdicts import (
    CANNOT,
    Judgement,
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

#: UCDP actor and conflict names the PIPS claims need.
GOVERNMENT_OF_PAKISTAN = "Government of Pakistan"
BALOCHISTAN_CONFLICT = "Pakistan: Balochistan"
#: Units outside "national territory" under the narrow reading (not provinces of Pakistan's constitution).
AJK_GB = ("PK-JK", "PK-GB")


def _tolerance(claim: Claim, params: AuditParameters) -> float:
    """The relative tolerance: of "approximately" (a qualifier), or of a figure printed as it is."""
    return params.approx_tolerance if claim.expected.qualifier else params.figure_tolerance


# --------------------------------------------------------------------------- the violence panels


def run_rank(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """rank_highest / rank_lowest / rank_position of a violence measure among the comparison set."""
    measure = spec.opt("measure", claim.indicators[0])
    groups = spec.opt("comparison_set", claim.comparison_set)
    df, sources, problem = violence_by_group(ev, spec, groups, measure)
    if problem:
        return cannot(problem, measure_text(measure, spec, ev), sources)
    highest = claim.comparison != "rank_lowest"
    values = pd.Series(df["value"].to_numpy(), index=df["group"])
    target = group_label(claim.geography)
    above = [group_label(g) for g in claim.expected.above] if claim.expected.above else None
    undefined = undefined_values(df, measure, spec.period)
    judgement = (Judgement(CANNOT, undefined) if undefined else
                 rule_rank(values, target, claim.expected.rank or 1, highest_first=highest, above=above))
    ranks = ranked(values, highest).reset_index(drop=True)
    order = df.assign(rank=ranks.to_numpy()).sort_values("rank", kind="stable", na_position="last")
    used = measure_text(measure, spec, ev)
    observed = f"{used}, {spec.period}: " + "; ".join(
        f"{r.group} {value_text(r.value, measure, r.rank)}" for r in order.itertuples())
    return Outcome(judgement, observed, group_numbers(df, measure, ranks), used, sources)


def run_violence_share(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """majority_share: the claim's unit's share of its denominator's events or deaths."""
    measure = spec.opt("measure", claim.indicators[0])
    col = VIOLENCE_MEASURES[measure][0]
    if claim.geography == ["division/karachi"]:
        panel = ev.violence_panel(spec, level="district", layout="current")
        karachi = set(ev.get("karachi_units")) | {"division/karachi"}
        whole = panel[panel["province"].isin(claim.denominator)]
        part = whole[whole["unit_id"].isin(karachi)]
        groups = {"Karachi": float(part[col].sum()), "Sindh": float(whole[col].sum())}
        extra = {"located only to Sindh": float(whole.loc[whole["unit_level"].eq("province"), col].sum())}
    else:
        panel = ev.violence_panel(spec, level="province", layout="pre2018")
        needed = layout_provinces("pre2018") if claim.denominator == ["PK"] else claim.denominator
        ev.require_units(panel, [*claim.geography, *needed], "the share")
        whole = panel if claim.denominator == ["PK"] else panel[panel["province"].isin(claim.denominator)]
        part = whole[whole["unit_id"].isin(claim.geography)]
        groups = {group_label(claim.geography): float(part[col].sum()),
                  group_label(claim.denominator): float(whole[col].sum())}
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
    used = measure_text(measure, spec, ev)
    shown = "; ".join(f"{k}: {percent_text(v) if k.endswith('share') else f'{v:,.0f}'}" for k, v in extra.items())
    observed = f"{used}, {spec.period}: {pname} {pval:,.0f} of {wname} {wval:,.0f} ({percent_text(share)}); {shown}"
    rows = [{"item": pname, "quantity": col, "value": pval, "rank": None},
            {"item": wname, "quantity": col, "value": wval, "rank": None},
            {"item": pname, "quantity": "share", "value": share, "rank": None},
            *[{"item": k.removesuffix(" share"), "quantity": "share" if k.endswith("share") else col, "value": v,
               "rank": None} for k, v in extra.items() if not k.startswith(pname)]]
    return Outcome(judgement, observed, long_numbers(rows), used, frame_sources(panel))


def run_casualties(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """approx_value of a count of casualties: killed + injured when the source gives injuries for every
    unit and year, else its deaths as a lower bound (UCDP: always, it has no injured)."""
    panel = ev.violence_panel(spec, level="province", layout="pre2018")
    ev.require_units(panel, claim.geography, "the casualties")
    where = group_label(claim.geography)
    sub = panel[panel["unit_id"].isin(claim.geography)]
    deaths = float(sub["deaths"].sum())
    by_unit = sub.groupby("unit_id")["deaths"].sum()
    tol = _tolerance(claim, params)
    injured, why_not = injured_by_unit(ev, spec, claim.geography, "pre2018")
    rows = [{"item": where, "quantity": "deaths", "value": deaths, "rank": None},
            *[{"item": SHORT_NAMES.get(u, u), "quantity": "deaths", "value": v, "rank": None}
              for u, v in by_unit.items()]]
    if injured is not None:
        total_injured = float(injured.sum())
        casualties = deaths + total_injured
        judgement = rule_approx(casualties, claim.expected.value, tol)
        used = f"casualties: {ev.labels['deaths']} + persons injured (killed + injured)"
        observed = (f"{used}, {where}, {spec.period}: {casualties:,.0f} ({deaths:,.0f} killed + "
                    f"{total_injured:,.0f} injured; " + ", ".join(
                        f"{SHORT_NAMES.get(u, u)} {by_unit.get(u, 0) + injured.get(u, 0):,.0f}" for u in by_unit.index)
                    + f") against {claim.expected.value:,.0f} casualties stated")
        rows += [{"item": where, "quantity": "injured", "value": total_injured, "rank": None},
                 *[{"item": SHORT_NAMES.get(u, u), "quantity": "injured", "value": v, "rank": None}
                   for u, v in injured.items()],
                 {"item": where, "quantity": "casualties", "value": casualties, "rank": None}]
        sources = frame_sources(panel, ev.get("injured", "pre2018"))
    else:
        judgement = rule_lower_bound_approx(deaths, claim.expected.value, tol)
        if not ev.procedure_texts_apply:  # UCDP's proxy says why deaths are a lower bound; else the reason does
            judgement = replace(judgement, reason=f"{judgement.reason} ({why_not}: deaths are a lower bound)")
        used = measure_text("violence.deaths", spec, ev)
        observed = (f"{used}, {where}, {spec.period}: {deaths:,.0f} ("
                    + ", ".join(f"{SHORT_NAMES.get(u, u)} {v:,.0f}" for u, v in by_unit.items())
                    + f") against {claim.expected.value:,.0f} casualties stated")
        sources = frame_sources(panel)
    rows.append({"item": "stated", "quantity": "casualties", "value": claim.expected.value, "rank": None})
    return Outcome(judgement, observed, long_numbers(rows), used, sources)


def run_peak(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """peak_then_decline of the national yearly series of events."""
    measure = claim.indicators[0]
    column = VIOLENCE_MEASURES[measure][0]
    series, sources = national_series(ev, spec, column)
    judgement = rule_peak_then_decline(series, claim.expected.peak_year)
    used = measure_text(measure, spec, ev) + ", Pakistan, per year"
    top = series.sort_values(ascending=False, kind="stable").head(3)
    observed = (f"{used}, {spec.period}: highest " + ", ".join(f"{int(y)} {v:,.0f}" for y, v in top.items())
                + f"; {claim.expected.peak_year}: {series.get(claim.expected.peak_year, np.nan):,.0f}; "
                f"{int(series.index[-1])}: {series.iloc[-1]:,.0f}")
    ranks = ranked(series, True)
    rows = [{"item": str(int(y)), "quantity": column, "value": v, "rank": int(ranks[y])} for y, v in series.items()]
    return Outcome(judgement, observed, long_numbers(rows), used, sources)


def run_decline(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """decline of the national yearly series from the period's first to its last year."""
    measure = claim.indicators[0]
    column = VIOLENCE_MEASURES[measure][0]
    series, sources = national_series(ev, spec, column)
    considerable = params.considerable_decline if claim.expected.qualifier else None
    judgement = rule_decline(series.iloc[0], series.iloc[-1], considerable=considerable)
    used = measure_text(measure, spec, ev) + ", Pakistan, per year"
    observed = f"{used}: " + ", ".join(f"{int(y)} {v:,.0f}" for y, v in series.items())
    rows = [{"item": str(int(y)), "quantity": column, "value": v, "rank": None} for y, v in series.items()]
    return Outcome(judgement, observed, long_numbers(rows), used, sources)


def run_need_vs_violence(claim: Claim, spec: Spec, ev: Evidence, params: AuditParameters) -> Outcome:
    """association_highest: the most deprived regions (MPI) against the highest violence rates."""
    measure = spec.opt("measure", claim.indicators[1])
    groups = claim.comparison_set
    df, sources, problem = violence_by_group(ev, spec, groups, measure)
    if problem:
        return cannot(problem, measure_text(measure, spec, ev), sources)
    mpi = ev.get("mpi_province").set_index("unit_id")["mpi_headcount_pct"]
    need = pd.Series({group_label(g): mpi.reindex(list(g)).mean() for g in groups})
    outcome = pd.Series(df["value"].to_numpy(), index=df["group"])
    named = [group_label([u]) for u in claim.geography]
    judgement = rule_top_k(need, outcome, named, claim.expected.rank or len(named))
    violence = measure_text(measure, spec, ev)
    rank_o, rank_n = ranked(outcome, True), ranked(need, True)
    observed = ("MPI %: " + "; ".join(f"{k} {v:g} ({int(rank_n[k])})" for k, v in need.items())
                + f" | {violence}, {spec.period}: "
                + "; ".join(f"{k} {value_text(v, measure, rank_o[k])}" for k, v in outcome.items()))
    nums = pd.concat([group_numbers(df, measure, rank_o.reset_index(drop=True)),
                      long_numbers({"item": k, "quantity": "mpi_headcount_pct", "value": v, "rank": int(rank_n[k])}
                                   for k, v in need.items())], ignore_index=True)
    used = f"MPI headcount 2014/15 (NISP D3's figures); {violence}"
    return Outcome(judgement, observed, nums, used, sources + frame_sources(ev.get("mpi_province")))


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
