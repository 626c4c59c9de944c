"""The audit procedure of each claim (:data:`PROCEDURES`): its computation, its plan, and what its data stand in for.

A claim of the policy file with ``data_can_speak: true`` needs an entry here; the audit gives one
without an entry "cannot be tested" (and a test fails until it is written). The proxies and
caveats are written about UCDP GED 22.1 (:data:`UCDP_ONLY_CAVEATS`): with another violence source
the audit replaces them by the source's own words (:mod:`workbench.policy.audit`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from workbench.policy.evidence import Evidence
from workbench.policy.nisp import Claim
from workbench.policy.plans import Plan, baloch_plan, fixed_plan, militant_plan, peak_plan, violence_plan
from workbench.policy.procedures import (
    run_area_share,
    run_casualties,
    run_conflict_intensity,
    run_decline,
    run_militant_deaths,
    run_mpi_order,
    run_mpi_value,
    run_need_vs_violence,
    run_peak,
    run_population_rank,
    run_rank,
    run_violence_share,
    run_youth_share,
)
from workbench.policy.specs import AuditParameters, Outcome, Spec

Reads = Literal["violence panel", "ucdp events", "other"]
#: What each procedure reads: the source's panels, event records with UCDP's actor and conflict coding
#: (``source.events()``), or no violence data.
READS: dict[Callable[..., Outcome], Reads] = {
    run_rank: "violence panel", run_violence_share: "violence panel", run_casualties: "violence panel",
    run_peak: "violence panel", run_decline: "violence panel", run_need_vs_violence: "violence panel",
    run_militant_deaths: "ucdp events", run_conflict_intensity: "ucdp events",
}


@dataclass(frozen=True)
class Procedure:
    """How one claim is audited: its specifications, the computation, and what the data stand in for."""

    run: Callable[[Claim, Spec, Evidence, AuditParameters], Outcome]
    plan: Plan
    proxy: str | None
    caveats: tuple[str, ...] = ()

    @property
    def reads(self) -> Reads:
        """Which violence data the procedure reads: the source's panels (``violence panel``), event
        records with UCDP's actor and conflict coding (``ucdp events``), or none (``other``)."""
        return READS.get(self.run, "other")


# --------------------------------------------------------------------------- what the data stand in for

PER_CAPITA_NOTE = ("per 100,000 person-years: the period's count over the sum of its yearly populations "
                   "(geometric interpolation between the censuses of 1998, 2017 and 2023; no population before 1998)")
FEW_UNITS_NOTE = "a ranking of {n} regions is descriptive: no statistical test is possible or implied"
UCDP_NOTE = ("UCDP GED 22.1 records organised violence (state-based, non-state, one-sided) with at least one death, "
             "1989-2021; injuries, attacks without deaths and violence outside its definitions are not in it")
#: C5's comparison widened to every region (sensitivity of "least fatalities").
_WIDER_SET = [["PK-PB"], ["PK-SD"], ["PK-KP", "PK-TA"], ["PK-BA"], ["PK-IS"], ["PK-GB"], ["PK-JK"]]
_PER_CAPITA = "deaths per 100,000 person-years"
#: The measure a comparison across regions of very different populations does not state, computed beside it.
_INFORM_PER_CAPITA = ("per capita", "deaths per 100,000 person-years: informs, the stated absolute deaths decide",
                      {"measure": "violence.deaths_per_100k"})
_INFORM_ABSOLUTE = ("absolute deaths", "total deaths: informs, the stated per-capita measure decides",
                    {"measure": "violence.deaths"})
_INFORM_ABSOLUTE_EVENTS = ("absolute events", "total events: informs, the per-capita reading decides",
                           {"measure": "violence.events"})
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
#: Caveats about UCDP GED: left out of a result read from another source (its own caveat replaces them).
UCDP_ONLY_CAVEATS = frozenset({UCDP_NOTE, _KARACHI_CAVEAT, _GED_ATTACKS_CAVEAT, _GED_OPERATIONS_CAVEAT,
                               _NACTA_CAVEAT})


# --------------------------------------------------------------------------- the table

#: The audit procedure of each claim (claims with ``data_can_speak: false`` need none).
PROCEDURES: dict[str, Procedure] = {
    "C5.punjab_most_populous": Procedure(
        run_population_rank,
        fixed_plan("2017 census (final count): 'is' at the time of writing",
                   sensitivity=[("census 1998", "period", "1998 census", {"start": 1998, "end": 1998}),
                                ("census 2023", "period", "2023 census", {"start": 2023, "end": 2023})]),
        proxy=None, caveats=("FATA's population is counted with KP, as C5 groups them",)),
    "C5.punjab_least_fatalities": Procedure(
        run_rank,
        violence_plan(deaths=True, terrorism=False, per_capita=False, informing=[_INFORM_PER_CAPITA], sensitivity=[
            ("wider set", "all seven regions incl. ICT, GB and AJK (C5 sets GB and AJK apart as peaceful)",
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
        run_rank, violence_plan(deaths=True, terrorism=False, per_capita=True, informing=[_INFORM_ABSOLUTE]),
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
        fixed_plan("a geographic fact: current boundaries",
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
             {"measure": "violence.deaths_per_100k"})], informing=[_INFORM_ABSOLUTE_EVENTS]),
        proxy="UCDP events per 100,000 person-years for 'incidence of militancy'; MPI headcount for 'deprived'",
        caveats=(FEW_UNITS_NOTE.format(n=5), PER_CAPITA_NOTE, UCDP_NOTE, "the MPI figures are those D3 quotes "
                 "(2014/15); their check against press reports of MPDR (2016) is claim D3.mpi_order")),
    "D3.mpi_order": Procedure(
        run_mpi_order, fixed_plan("2014/15 (MPDR 2016), the figures D3 quotes"), proxy=None,
        caveats=("no machine-readable MPDR table in the mirror: values are press reports quoting MPDR (2016); "
                 "NISP's own figures are left out so the check is not circular",)),
    **{cid: Procedure(run_mpi_value, fixed_plan("2014/15 (MPDR 2016), the figures D3 quotes"), proxy=None,
                      caveats=("no machine-readable MPDR table in the mirror: values are press reports quoting "
                               "MPDR (2016); NISP's own figures are left out so the check is not circular",))
       for cid in ("D3.mpi_fata_74", "D3.mpi_balochistan_71", "D3.mpi_kp_49", "D3.mpi_sindh_43",
                   "D3.mpi_punjab_31")},
    "A1.terrorism_peak_2014": Procedure(
        run_peak, peak_plan,
        proxy="UCDP events per year for 'incidents of terrorism' (NACTA's series, Figure 1, is not in the mirror)",
        caveats=(UCDP_NOTE, _NACTA_CAVEAT)),
    "C1.decline_2014_2018": Procedure(
        run_decline, violence_plan(deaths=False, terrorism=True, per_capita=False, reference_period=None),
        proxy="UCDP events per year for 'incidents of terrorism'", caveats=(UCDP_NOTE,)),
    "D1.youth_60pct": Procedure(
        run_youth_share,
        fixed_plan("census 2023, the nearest census with ages (the claim is of 2018)",
                   primary_options={"youth_ages": "15-29"}, year=2023,
                   readings=[("ages 15-24", "'young people' read as ages 15-24 (UN youth)", {"youth_ages": "15-24"}),
                             ("ages 0-24", "read as under 25", {"youth_ages": "0-24"}),
                             ("ages 0-29", "read as under 30", {"youth_ages": "0-29"})]),
        proxy=None, caveats=("the age band is not stated; the primary reading is the workbench's youth.share_15_29 "
                             "(National Youth Policy: 15-29)", "census 2023, five years after the claim: the 2017 "
                             "census tables in the mirror have no ages")),
    "PIPS.militants_killed_28000": Procedure(
        run_militant_deaths, militant_plan,
        proxy="UCDP deaths of the armed groups (side B) in conflicts with the Government of Pakistan, for "
              "'militants died' (state figure)",
        caveats=(UCDP_NOTE, "low/high estimates are not split by side in GED, so no deaths-estimate sensitivity",
                 "US drone strikes (side A: Government of the USA) are not part of the state's drive and are "
                 "left out")),
    "PIPS.baloch_low_intensity": Procedure(
        run_conflict_intensity, baloch_plan,
        proxy="UCDP's minor-conflict band (25-999 battle-related deaths a year) of the conflict 'Pakistan: "
              "Balochistan' for 'low-intensity war'",
        caveats=(UCDP_NOTE, "GED holds events only of conflict-years with at least 25 deaths: a year with none "
                 "was below the band", "UCDP measures intensity per conflict: the audit counts every event of the "
                 "conflict 'Pakistan: Balochistan' wherever it happened, and leaves out state-based events in "
                 "Balochistan of other conflicts (e.g. the Government against the TTP)")),
}

