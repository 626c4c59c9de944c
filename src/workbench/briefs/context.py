"""The policy around a unit: the NISP 2018 passages, interventions and priorities that name it, and its need.

Two kinds of statement, kept apart as in :mod:`workbench.policy.alignment`:

* **what the policy names** (an encoding judgement: which passage names which place,
  ``data/policy/nisp2018.yaml``). A passage concerns a unit when one of its geographies is linked to
  the unit itself, to a larger unit that holds it (a district's stable unit or division: "Karachi"
  for its seven districts), or, shown apart, to its province (for Khyber Pakhtunkhwa and the former
  FATA districts, FATA's passages too: FATA is part of the province since 2018). A province brief also
  lists the passages that name a place inside it. Phrases the policy does not delimit ("areas of
  KP", "less developed districts") are linked to no unit and counted for none.
* **need** (data): the unit's rows of the need-against-attention scorecard
  (:func:`workbench.policy.alignment.build_scorecard`, current layout; districts are the 2023 census
  districts), with the policy's baseline years as in ``50_policy``: covariates of 2017 and deaths per
  100,000 over 2008-2017, from the committed drivers panel (UCDP GED 22.1 whatever source the brief reads).
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from workbench.briefs.units import LAYOUT, BriefUnit
from workbench.geo.units import FATA_ID, load_registry
from workbench.policy import alignment, nisp

#: The scorecard's year of covariates and years of the violence rate (50_policy's defaults: the decade before NISP).
NEED_YEAR = 2017
NEED_VIOLENCE_YEARS = (2008, 2017)
POLICY_SOURCE = "policy:nisp2018"
DIRECT, PROVINCE, INSIDE = "names the unit", "names its province", "names a place in it"
#: The scorecard's indicators in words.
INDICATOR_WORDS: dict[str, str] = {
    "youth.share_15_29": "youth share (15-29 of all)", "youth.bulge_15_24": "youth bulge (15-24 of 15+)",
    "deprivation.poverty_rate": "consumption poverty (Data4Pakistan)",
    "deprivation.mpi_headcount": "multidimensional poverty (MPI headcount)",
    "deprivation.literacy_10plus": "literacy (10 and over)", "deprivation.out_of_school_5_16": "children out of school",
    "deprivation.improved_water": "improved drinking water", "deprivation.flush_toilet": "flush toilets",
    "deprivation.electricity": "electricity", "violence.deaths_per_100k": "deaths per 100,000",
}
FATA = "names FATA (the unit was, or holds, part of it until 2018)"
ORDER = (DIRECT, INSIDE, FATA, PROVINCE)


def _geography_units() -> dict[str, list[str]]:
    return {g.id: list(g.unit_ids) for g in nisp.load_policy().geographies}


def linked_geographies(unit: BriefUnit) -> pd.DataFrame:
    """The policy's geographies that concern the unit: ``geography``, ``name``, ``linked_unit``, ``how``.

    ``how``: :data:`DIRECT`, :data:`INSIDE` (a province brief: a place within it), :data:`FATA` (a
    district that was, or holds, part of FATA) or :data:`PROVINCE` (a district's province).
    """
    reg = load_registry()
    units = reg.units.set_index("unit_id")
    own = {unit.unit_id}
    above: set[str] = set()
    fata: set[str] = set()
    if unit.is_province:
        own |= {FATA_ID} if reg.province_of(FATA_ID, LAYOUT) == unit.unit_id else set()  # FATA is in KP now
    else:
        own |= {str(units.at[unit.unit_id, "stable_id"] or ""), unit.division} - {""}
        above = {unit.province_id}
        fata = {FATA_ID} if unit.former_fata in ("part", "whole") else set()
    names = {g.id: g.name for g in nisp.load_policy().geographies}
    rows = []
    for geo, linked in _geography_units().items():
        for u in linked:
            how = DIRECT if u in own else FATA if u in fata else PROVINCE if u in above else None
            if how is None and unit.is_province and u in units.index and u not in own:
                inside = units.at[u, "level"] != "province" and units.at[u, f"province_{LAYOUT}"] == unit.unit_id
                how = INSIDE if inside else None
            if how:
                rows.append({"geography": geo, "name": names[geo], "linked_unit": u, "how": how})
    out = pd.DataFrame(rows, columns=["geography", "name", "linked_unit", "how"]).drop_duplicates("geography")
    return out.reset_index(drop=True)


def passages(unit: BriefUnit) -> pd.DataFrame:
    """Every passage of the policy that names a geography concerning the unit (:func:`linked_geographies`).

    Columns ``how``, ``place`` (the geography's name), ``ref`` (section, intervention or priority),
    ``kind``, ``r``, ``where``, ``basis`` (named, or the encoder's judgement), ``quote``.
    """
    geos = linked_geographies(unit)
    m = nisp.mentions_frame()
    out = m.merge(geos[["geography", "name", "how"]], on="geography", how="inner")
    out = out.rename(columns={"name": "place"})[["how", "place", "ref", "kind", "r", "where", "basis", "quote"]]
    out = out.sort_values("how", key=lambda s: s.map(ORDER.index), kind="stable")
    out.attrs["sources"] = [POLICY_SOURCE]
    return out.reset_index(drop=True)


def interventions(unit: BriefUnit) -> pd.DataFrame:
    """The interventions (Annex A items and sub-items) whose text names a geography concerning the unit.

    Columns ``how``, ``id``, ``r``, ``r_name``, ``text``, ``responsibility``, ``timeline``,
    ``priorities`` (Priority List items restating it, a judgement), ``places``.
    """
    geos = linked_geographies(unit)
    how_of = dict(zip(geos["geography"], geos["how"], strict=True))
    names = dict(zip(geos["geography"], geos["name"], strict=True))
    frame = nisp.interventions_frame()
    rows = []
    for r in frame.itertuples(index=False):
        named = [g for g in str(r.geographies).split("; ") if g in how_of]
        if named:
            hows = sorted({how_of[g] for g in named}, key=ORDER.index)
            rows.append({"how": hows[0], "id": r.id, "r": r.r, "r_name": r.r_name, "text": r.text,
                         "responsibility": r.responsibility, "timeline": r.timeline, "priorities": r.priorities,
                         "places": ", ".join(names[g] for g in named)})
    out = pd.DataFrame(rows, columns=["how", "id", "r", "r_name", "text", "responsibility", "timeline", "priorities",
                                      "places"])
    out.attrs["sources"] = [POLICY_SOURCE]
    return out


def priorities(unit: BriefUnit) -> pd.DataFrame:
    """Priority List items that name a geography concerning the unit or restate an intervention that does.

    As :func:`workbench.policy.nisp.attention_by_geography` counts them; whole-section references are
    not followed. Columns ``how``, ``number``, ``r``, ``r_name``, ``text``, ``via``.
    """
    geos = linked_geographies(unit)
    how_of = dict(zip(geos["geography"], geos["how"], strict=True))
    policy = nisp.load_policy()
    by_ref: dict[str, set[str]] = {}
    for g in policy.geographies:
        for m in g.mentions:
            by_ref.setdefault(m.ref, set()).add(g.id)
    rs = {r.id: r.name for r in policy.rs}
    rows = []
    for p in policy.priorities:
        via = {g: "the item itself" for g in by_ref.get(f"P{p.number}", set()) if g in how_of}
        for ref in p.refers_to:
            for item in policy.sub_items(ref):
                via |= {g: f"intervention {item.id}" for g in by_ref.get(item.id, set()) if g in how_of and g not in via}
        if via:
            hows = sorted({how_of[g] for g in via}, key=ORDER.index)
            rows.append({"how": hows[0], "number": p.number, "r": p.r, "r_name": rs[p.r], "text": p.text,
                         "via": "; ".join(sorted(set(via.values())))})
    out = pd.DataFrame(rows, columns=["how", "number", "r", "r_name", "text", "via"])
    out.attrs["sources"] = [POLICY_SOURCE]
    return out


@lru_cache(maxsize=2)
def _scorecard(level: str) -> pd.DataFrame:
    return alignment.build_scorecard(level=level, layout=LAYOUT, year=NEED_YEAR, violence_years=NEED_VIOLENCE_YEARS)


def need_and_attention(unit: BriefUnit) -> pd.DataFrame:
    """The unit's rows of the need-against-attention scorecard, one per driver indicator.

    Columns ``driver``, ``driver_name``, ``indicator``, ``measure`` (in words), ``role``, ``value``, ``measured_year``,
    ``need_rank``, ``n_ranked`` (1 = the greatest need of all provinces, or of all 2023 census
    districts), ``need_percentile``, ``n_mentions``, ``attention_rank``, ``need_minus_attention``,
    ``missing_reason``. ``attrs``: ``sources``, ``basis``, ``not_ranked``.
    """
    card = _scorecard(unit.level)
    rows = card[card["unit_id"].eq(unit.unit_id)]
    rows = rows.assign(measure=rows["indicator"].map(INDICATOR_WORDS).fillna(rows["indicator"]))
    out = rows[["driver", "driver_name", "indicator", "measure", "role", "value", "measured_year", "need_rank", "n_ranked",
                "need_percentile", "n_mentions", "attention_rank", "need_minus_attention", "missing_reason"]]
    out = out.reset_index(drop=True)
    out.attrs = {k: card.attrs[k] for k in ("sources", "basis", "not_ranked") if k in card.attrs}
    return out


def drivers(unit: BriefUnit, need: pd.DataFrame) -> pd.DataFrame:
    """Each NISP driver: how it is measured for the unit, its highest need percentile, and the Rs that answer it.

    Columns ``driver``, ``name``, ``measured`` (indicators with a value for the unit, or why none),
    ``highest_need`` (the indicator with the highest need percentile, with its rank), ``answered_by``
    (the R and key area that answer the driver, an encoding judgement; :data:`alignment.DRIVER_THEMES`).
    """
    frame = nisp.drivers_frame()
    themes = alignment.DRIVER_THEMES
    rows = []
    for driver, group in frame.groupby("driver", sort=True):
        first = group.iloc[0]
        mine = need[need["driver"].eq(driver)].dropna(subset=["value"])
        if not bool(first["measurable"]):
            measured, highest = f"not measurable: {str(first['not_measurable_reason']).split(': ', 1)[-1]}", ""
        elif mine.empty:
            measured, highest = "no value for this unit", ""
        else:
            measured = ", ".join(mine["measure"])
            top = mine.sort_values("need_percentile", ascending=False, kind="stable").iloc[0]
            highest = f"{top['measure']} (rank {int(top['need_rank'])} of {int(top['n_ranked'])})"
        answered = "; ".join(f"{r}: {area}" for r, area in themes.get(driver, ()))
        rows.append({"driver": driver, "name": first["name"], "measured": measured, "highest_need": highest,
                     "answered_by": answered})
    out = pd.DataFrame(rows)
    out.attrs["sources"] = list(dict.fromkeys([POLICY_SOURCE, *need.attrs.get("sources", [])]))
    return out


def unlinked_geographies() -> pd.DataFrame:
    """The places the policy names without delimiting them: linked to no unit, so counted for none."""
    g = nisp.geographies_frame()
    out = g[g["unit_id"].isna()][["geography", "name", "n_mentions", "unit_ids_note"]].reset_index(drop=True)
    out.attrs["sources"] = [POLICY_SOURCE]
    return out


__all__ = ["DIRECT", "FATA", "INSIDE", "NEED_VIOLENCE_YEARS", "NEED_YEAR", "PROVINCE", "drivers",
           "interventions", "linked_geographies", "need_and_attention", "passages", "priorities",
           "unlinked_geographies"]
