"""Population denominators 1998-2023 and youth measures, from the censuses in the mirror.

Population anchors (one per census year, on every geography; ``docs/demography.md``):

==========  ==================================================================================
year        anchor
==========  ==================================================================================
1998        1998 census count as republished with the 2017 provisional results, by 2017
            district (``census2017_district``; FATA units from ``census2017_tehsil``, because
            the district file's FATA rows carry other units' values)
2017        2017 *final* count re-cut to 2023 districts (``pop_2017`` of the 2023 summary,
            ``census2023_district_summary`` / ``census2023_province_summary``); for the former
            Frontier Regions, ``pop_2017`` of their 2023 sub-divisions (Table 1)
2023        2023 final count (``pop_2023`` of the summary; Frontier Regions: Table 1)
==========  ==================================================================================

The 2017 *provisional* figures are not an anchor: they are the 2017 counts of the 1998 release
only, differ from the final count district by district, and are compared with it in
:func:`census2017_revision`. Between anchors the population grows at a constant rate
(geometric interpolation, :func:`interpolate_geometric`); a census year reproduces its anchor
exactly; nothing is extrapolated: years before 1998 (and before 2017 for 2023 districts that
cut across 2017 districts) have no population. Azad Jammu & Kashmir and Gilgit-Baltistan are not
in the mirrored census tables: their population is missing everywhere, with the reason.

Youth (:func:`youth_table`) comes from census 2023 Table 4 (single years of age), whose universe
is 240,458,089 persons, 1,041,342 fewer than the headline 241,499,431. Decision: shares use the
Table 4 universe for numerator *and* denominator; population totals use the headline summary.
No figure mixes the two.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from workbench.errors import DataValidationError, ParameterError
from workbench.geo.units import FATA_ID, Registry, load_registry
from workbench.indicators.youth import aggregate_shares, youth_bulge, youth_share
from workbench.catalog import sources_of
from workbench.sources import census

FIRST_YEAR, LAST_YEAR = 1998, 2023
CENSUS_YEARS: tuple[int, ...] = (1998, 2017, 2023)
ANCHORS: dict[int, str] = {1998: "census1998", 2017: "census2017_final", 2023: "census2023_final"}
PopulationLevel = Literal["province", "census2023", "stable"]
LAYOUTS: tuple[str, ...] = ("pre2018", "current")
DISTRICT_SETS: tuple[str, ...] = ("census2023", "stable")
KP_ID = "PK-KP"
COUNTRY_ID = "PK"
NOT_ENUMERATED = ("PK-GB", "PK-JK")
NOT_ENUMERATED_REASON = ("not enumerated in the mirrored census tables (PakPC2017/PakPC2023 cover the four "
                         "provinces, ICT and FATA only); no published figure with a citable source in the mirror")

#: The six Frontier Regions (FATA until 2018) and the 2023 Table 1 sub-division each became, in the
#: 2023 district that absorbed it (registry: stable_merges.csv, kind "absorption").
FR_SUBDIVISIONS: dict[str, tuple[str, str]] = {
    "census2017/fr_bannu": ("census2023/bannu", "WAZIR"),
    "census2017/fr_dera_ismail_khan": ("census2023/dera_ismail_khan", "DRAZANDA"),
    "census2017/fr_kohat": ("census2023/kohat", "DARRA ADAM KHEL"),
    "census2017/fr_lakki_marwat": ("census2023/lakki_marwat", "BETTANI"),
    "census2017/fr_peshawar": ("census2023/peshawar", "HASSAN KHEL"),
    "census2017/fr_tank": ("census2023/tank", "JANDOLA"),
}
#: Largest relative difference allowed between a FR's 2017 provisional count and its sub-division's final count.
FR_MATCH_TOLERANCE = 0.01

POPULATION_COLUMNS = ["layout", "unit_id", "unit_name", "unit_level", "province", "year", "population",
                      "pop_method", "pop_anchor_from", "pop_anchor_to", "pop_note"]


def _check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ParameterError(f"argument '{name}' must be one of {list(allowed)}; found {value!r}")




# --------------------------------------------------------------------------- the 2017-district counts

def census2017_units(registry: Registry | None = None) -> pd.DataFrame:
    """1998 and 2017-provisional populations of the 136 units of the 2017 census (FATA separate).

    Non-FATA districts come from the district file; FATA's seven agencies and six Frontier Regions
    from the tehsil file (the district file's FATA labels are out of order, see
    :func:`fata_label_comparison`). Province sums (pre-2018 layout) are checked against the
    province file for both years.

    Returns
    -------
    DataFrame
        ``unit_id``, ``unit_name``, ``province_pre2018``, ``province_current``, ``stable_id``,
        ``overlaps_2023``, ``pop_1998``, ``pop_2017_provisional``, ``source_table``.
    """
    reg = registry or load_registry()
    dist = census.read_census2017_district()
    teh = census.read_census2017_tehsil()
    prov = census.read_census2017_province()
    non_fata = dist[dist["province_std"] != "FATA"].copy()
    non_fata["unit_id"] = reg.resolve_series(non_fata["district_src"], source="census2017", level="district",
                                             column="district_src", file=dist.attrs["file"])
    a = non_fata.groupby("unit_id", as_index=False)[["pop_1998", "pop_2017_provisional"]].sum(min_count=1)
    a["source_table"] = "census2017_district"
    fata = teh[teh["province_std"] == "FATA"].copy()
    tehsil_aliases = reg.aliases
    tehsil_names = set(tehsil_aliases.loc[(tehsil_aliases["source"] == "census2017")
                                          & (tehsil_aliases["level"] == "tehsil"), "name"])
    is_fr = fata["tehsil_src"].isin(tehsil_names)
    fata["unit_id"] = pd.NA
    fata.loc[is_fr, "unit_id"] = reg.resolve_series(fata.loc[is_fr, "tehsil_src"], source="census2017",
                                                    level="tehsil", column="tehsil_src", file=teh.attrs["file"])
    fata.loc[~is_fr, "unit_id"] = reg.resolve_series(fata.loc[~is_fr, "district_src"], source="census2017",
                                                     level="district", column="district_src", file=teh.attrs["file"])
    missing_2017 = fata["pop_2017_provisional"].isna()
    if missing_2017.any():
        r = fata.loc[missing_2017].iloc[0]
        raise DataValidationError(teh.attrs["file"], "a FATA tehsil has no 2017 count", row=int(r["record"]),
                                  column="pop_2017_provisional")
    b = fata.groupby("unit_id", as_index=False)[["pop_1998", "pop_2017_provisional"]].sum()
    b["source_table"] = "census2017_tehsil"
    out = pd.concat([a, b], ignore_index=True)
    units = reg.units.set_index("unit_id")
    expected = set(reg.districts("census2017")["unit_id"])
    if set(out["unit_id"]) != expected:
        raise DataValidationError(dist.attrs["file"], f"the 2017 files do not cover the registry's 2017 districts: "
                                                      f"missing {sorted(expected - set(out['unit_id']))[:5]}, "
                                                      f"extra {sorted(set(out['unit_id']) - expected)[:5]}")
    for col in ("name", "province_pre2018", "province_current", "stable_id", "overlaps_2023"):
        out[col if col != "name" else "unit_name"] = out["unit_id"].map(units[col])
    # check the provinces (pre-2018 layout) against the province file
    prov = prov.assign(unit_id=reg.resolve_series(prov["province_std"], source="census2017", level="province",
                                                  column="province_std", file=prov.attrs["file"]))
    want = prov.groupby("unit_id")[["pop_1998", "pop_2017_provisional"]].sum()
    got = out.groupby("province_pre2018")[["pop_1998", "pop_2017_provisional"]].sum()
    diff = (got.reindex(want.index) - want).abs()
    if (diff.to_numpy() > 0).any():
        where = diff[(diff > 0).any(axis=1)].index[0]
        raise DataValidationError(prov.attrs["file"], f"province {where}: the 2017-district units sum to "
                                                      f"{got.loc[where].to_dict()} but the province file says "
                                                      f"{want.loc[where].to_dict()}", column="pop_2017_provisional")
    out = out[["unit_id", "unit_name", "province_pre2018", "province_current", "stable_id", "overlaps_2023",
               "pop_1998", "pop_2017_provisional", "source_table"]].sort_values("unit_id").reset_index(drop=True)
    out.attrs["sources"] = sources_of(dist, teh, prov)
    return out


def fata_label_comparison(registry: Registry | None = None) -> pd.DataFrame:
    """FATA units as labelled in the district file against their tehsil-file totals.

    One row per FATA unit: ``unit_id``, ``district_file_pop_2017``, ``tehsil_file_pop_2017``,
    ``district_file_pop_1998``, ``tehsil_file_pop_1998``, ``labels_agree``. The totals over FATA
    agree; unit by unit they do not (the district file's labels and values are out of order).
    """
    reg = registry or load_registry()
    dist = census.read_census2017_district()
    f = dist[dist["province_std"] == "FATA"].copy()
    f["unit_id"] = reg.resolve_series(f["district_src"], source="census2017", level="district",
                                      column="district_src", file=dist.attrs["file"])
    by_label = f.groupby("unit_id")[["pop_2017_provisional", "pop_1998"]].sum(min_count=1)
    units = census2017_units(reg).set_index("unit_id")
    fata = units[units["province_pre2018"] == FATA_ID]
    out = pd.DataFrame({
        "unit_id": fata.index,
        "district_file_pop_2017": by_label["pop_2017_provisional"].reindex(fata.index).to_numpy(),
        "tehsil_file_pop_2017": fata["pop_2017_provisional"].to_numpy(),
        "district_file_pop_1998": by_label["pop_1998"].reindex(fata.index).to_numpy(),
        "tehsil_file_pop_1998": fata["pop_1998"].to_numpy(),
    })
    out["labels_agree"] = (out["district_file_pop_2017"] == out["tehsil_file_pop_2017"]) & (
        out["district_file_pop_1998"] == out["tehsil_file_pop_1998"])
    out.attrs["sources"] = sources_of(dist, units)
    return out


def frontier_regions(registry: Registry | None = None, *, c17: pd.DataFrame | None = None) -> pd.DataFrame:
    """The six Frontier Regions with their populations in 1998, 2017 (provisional and final) and 2023.

    Columns ``fr_unit_id``, ``host_unit_id`` (the 2023 district), ``subdivision_src`` (Table 1),
    ``pop_1998``, ``pop_2017_provisional`` (tehsil file), ``pop_2017_final`` and ``pop_2023``
    (Table 1 sub-division, overall), ``relative_difference_2017`` (final / provisional - 1).

    Raises
    ------
    DataValidationError
        A sub-division not found under its host district in Table 1, a host that is not the
        registry's, or a final 2017 count more than 1% away from the provisional one.
    """
    reg = registry or load_registry()
    units = (census2017_units(reg) if c17 is None else c17).set_index("unit_id")
    t1 = census.read_tehsil_table01()
    overall = t1[t1["region_src"] == "OVERALL"].copy()
    overall["district_id"] = reg.resolve_series(overall["district_src"], source="census2023", level="district",
                                                column="district_src", file=t1.attrs["file"])
    rows = []
    for fr, (host, sub) in FR_SUBDIVISIONS.items():
        if units.at[fr, "overlaps_2023"] != host:
            raise DataValidationError("data/geo/units.csv", f"{fr} overlaps {units.at[fr, 'overlaps_2023']} in the "
                                                            f"registry, not {host}", column="overlaps_2023")
        hit = overall[(overall["district_id"] == host) & (overall["tehsil_src"].str.strip() == sub)]
        if len(hit) != 1:
            raise DataValidationError(t1.attrs["file"], f"expected one OVERALL row for sub-division {sub!r} of {host}; "
                                                        f"found {len(hit)}", column="tehsil_src")
        r = hit.iloc[0]
        prov = units.at[fr, "pop_2017_provisional"]
        rel = r["pop_2017"] / prov - 1
        if abs(rel) > FR_MATCH_TOLERANCE:
            raise DataValidationError(t1.attrs["file"], f"sub-division {sub!r} has a final 2017 count of "
                                                        f"{r['pop_2017']:,.0f}, {rel:+.1%} from {fr}'s provisional "
                                                        f"{prov:,.0f}: is it the former Frontier Region?",
                                      row=int(r["record"]), column="pop_2017")
        rows.append({"fr_unit_id": fr, "host_unit_id": host, "subdivision_src": sub,
                     "pop_1998": units.at[fr, "pop_1998"], "pop_2017_provisional": prov,
                     "pop_2017_final": r["pop_2017"], "pop_2023": r["all_sexes"], "relative_difference_2017": rel})
    out = pd.DataFrame(rows)
    out.attrs["sources"] = sources_of(units, t1)
    return out


def census2017_revision(registry: Registry | None = None, *, c17: pd.DataFrame | None = None) -> pd.DataFrame:
    """2017 provisional against 2017 final counts, by stable unit (where they can be compared).

    Columns ``stable_id``, ``unit_name``, ``province``, ``pop_2017_provisional`` (sum of the 2017
    districts), ``pop_2017_final`` (sum of the 2023 districts' ``pop_2017``), ``difference``
    (final - provisional) and ``relative_difference``.
    """
    reg = registry or load_registry()
    c17 = census2017_units(reg) if c17 is None else c17
    summ = _summary_districts(reg)
    prov = c17.groupby("stable_id")["pop_2017_provisional"].sum()
    final = summ.groupby("stable_id")["pop_2017"].sum()
    out = pd.DataFrame({"pop_2017_provisional": prov, "pop_2017_final": final}).dropna().reset_index(names="stable_id")
    out["difference"] = out["pop_2017_final"] - out["pop_2017_provisional"]
    out["relative_difference"] = out["difference"] / out["pop_2017_provisional"]
    names = dict(zip(reg.units["unit_id"], reg.units["name"], strict=True))
    out.insert(1, "unit_name", out["stable_id"].map(names))
    out.insert(2, "province", [reg.province_of(s, "current") for s in out["stable_id"]])
    out.attrs["sources"] = sources_of(c17, summ)
    return out


def _summary_districts(reg: Registry) -> pd.DataFrame:
    s = census.read_summary("district")
    s["unit_id"] = reg.resolve_series(s["district_src"], source="census2023", level="district", column="district_src",
                                      file=s.attrs["file"])
    units = reg.units.set_index("unit_id")
    s["stable_id"] = s["unit_id"].map(units["stable_id"])
    s["former_fata"] = s["unit_id"].map(units["former_fata"])
    s["province_current"] = s["unit_id"].map(units["province_current"])
    return s


# --------------------------------------------------------------------------- anchors

def _anchor_rows(key: dict[str, object], values: dict[int, float], notes: dict[int, str] | None = None) -> list[dict]:
    notes = notes or {}
    return [{**key, "year": y, "population": values.get(y, np.nan), "anchor": ANCHORS[y],
             "anchor_note": notes.get(y, "")} for y in CENSUS_YEARS]


def population_anchors(registry: Registry | None = None, *, c17: pd.DataFrame | None = None) -> pd.DataFrame:
    """Census anchor populations of every unit of every geography, one row per unit and census year.

    Geographies (column ``geography``): ``province`` (both layouts, plus ``PK``), ``census2023``
    and ``stable`` districts (both layouts; in ``pre2018`` a district holding a former Frontier
    Region is split into its settled part, province ``PK-KP``, and its FATA part, ``PK-TA``).
    A missing anchor has ``population`` NaN and an ``anchor_note`` saying why.

    Returns
    -------
    DataFrame
        ``geography``, ``layout``, ``unit_id``, ``unit_level``, ``province``, ``year``,
        ``population``, ``anchor``, ``anchor_note``.
    """
    reg = registry or load_registry()
    c17 = census2017_units(reg) if c17 is None else c17
    summ = _summary_districts(reg)
    fr = frontier_regions(reg, c17=c17)
    psum = census.read_summary("province")
    units = reg.units.set_index("unit_id")
    rows: list[dict] = []

    # ---- 2023 districts: whole units, and FR / settled parts
    c23 = reg.districts("census2023")
    fr_by_host = fr.set_index("host_unit_id")
    s_by_id = summ.set_index("unit_id")
    c17_cover: dict[str, list[str]] = {}
    for uid, overl in zip(c17["unit_id"], c17["overlaps_2023"], strict=True):
        for x in str(overl).split(";"):
            c17_cover.setdefault(x, []).append(uid)
    c17_by_id = c17.set_index("unit_id")

    def whole_1998(x: str) -> tuple[float, str]:
        members = c17_cover.get(x, [])
        straddle = [m for m in members if c17_by_id.at[m, "overlaps_2023"] != x]
        if not members:
            return np.nan, "no 2017-census unit overlaps this district"
        if straddle:
            return np.nan, (f"cuts across 2017 district(s) {', '.join(straddle)}: no 1998 count on its boundaries "
                            f"(use the stable unit {units.at[x, 'stable_id']})")
        return float(c17_by_id.loc[members, "pop_1998"].sum()), ""

    district_values: dict[str, dict[int, float]] = {}
    district_notes: dict[str, dict[int, str]] = {}
    for x, prov_cur, prov_pre, ff in zip(c23["unit_id"], c23["province_current"], c23["province_pre2018"],
                                         c23["former_fata"], strict=True):
        if prov_cur in NOT_ENUMERATED:
            vals, notes = {}, {y: NOT_ENUMERATED_REASON for y in CENSUS_YEARS}
        else:
            p98, note98 = whole_1998(x)
            vals = {1998: p98, 2017: float(s_by_id.at[x, "pop_2017"]), 2023: float(s_by_id.at[x, "pop_2023"])}
            notes = {1998: note98} if note98 else {}
        district_values[x], district_notes[x] = vals, notes
        rows += _anchor_rows({"geography": "census2023", "layout": "current", "unit_id": x, "unit_level": "district",
                              "province": prov_cur}, vals, notes)
        if ff == "part" and x in fr_by_host.index:
            f = fr_by_host.loc[x]
            fr_vals = {1998: float(f["pop_1998"]), 2017: float(f["pop_2017_final"]), 2023: float(f["pop_2023"])}
            settled = {y: vals[y] - fr_vals[y] for y in CENSUS_YEARS}
            note = {y: notes.get(y, "") for y in CENSUS_YEARS}
            rows += _anchor_rows({"geography": "census2023", "layout": "pre2018", "unit_id": x,
                                  "unit_level": "district", "province": KP_ID}, settled, note)
            rows += _anchor_rows({"geography": "census2023", "layout": "pre2018", "unit_id": x,
                                  "unit_level": "district", "province": FATA_ID}, fr_vals)
        else:
            rows += _anchor_rows({"geography": "census2023", "layout": "pre2018", "unit_id": x,
                                  "unit_level": "district", "province": prov_pre}, vals, notes)

    # ---- stable units
    stable = reg.districts("stable")
    c17_by_stable = c17.groupby("stable_id")["pop_1998"].sum()
    for s, prov_cur, prov_pre, ff in zip(stable["unit_id"], stable["province_current"], stable["province_pre2018"],
                                         stable["former_fata"], strict=True):
        members = c23.loc[c23["stable_id"] == s, "unit_id"].tolist()
        if prov_cur in NOT_ENUMERATED:
            vals, notes = {}, {y: NOT_ENUMERATED_REASON for y in CENSUS_YEARS}
        else:
            vals = {1998: float(c17_by_stable.get(s, np.nan)),
                    2017: float(sum(district_values[m][2017] for m in members)),
                    2023: float(sum(district_values[m][2023] for m in members))}
            notes = {}
        rows += _anchor_rows({"geography": "stable", "layout": "current", "unit_id": s, "unit_level": "district",
                              "province": prov_cur}, vals, notes)
        hosts = [m for m in members if m in fr_by_host.index]
        if ff == "part" and hosts:
            f = fr_by_host.loc[hosts]
            fr_vals = {1998: float(f["pop_1998"].sum()), 2017: float(f["pop_2017_final"].sum()),
                       2023: float(f["pop_2023"].sum())}
            settled = {y: vals[y] - fr_vals[y] for y in CENSUS_YEARS}
            rows += _anchor_rows({"geography": "stable", "layout": "pre2018", "unit_id": s, "unit_level": "district",
                                  "province": KP_ID}, settled)
            rows += _anchor_rows({"geography": "stable", "layout": "pre2018", "unit_id": s, "unit_level": "district",
                                  "province": FATA_ID}, fr_vals)
        else:
            rows += _anchor_rows({"geography": "stable", "layout": "pre2018", "unit_id": s, "unit_level": "district",
                                  "province": prov_pre}, vals, notes)

    # ---- provinces, current layout (KP with the former FATA) and the country
    psum = psum[psum["area_src"] == "All"].copy()
    is_pk = psum["region_src"] == "Pakistan"
    psum.loc[~is_pk, "unit_id"] = reg.resolve_series(psum.loc[~is_pk, "region_src"], source="census2023",
                                                     level="province", column="region_src", file=psum.attrs["file"])
    psum.loc[is_pk, "unit_id"] = COUNTRY_ID
    p_by_id = psum.set_index("unit_id")
    c17_cur = c17.groupby("province_current")["pop_1998"].sum()
    c17_pre = c17.groupby("province_pre2018")["pop_1998"].sum()
    # the 2023 districts add up to the provinces (both counts)
    dsum = summ.groupby("province_current")[["pop_2017", "pop_2023"]].sum()
    for pid in dsum.index:
        for col in ("pop_2017", "pop_2023"):
            if dsum.at[pid, col] != p_by_id.at[pid, col]:
                raise DataValidationError(psum.attrs["file"], f"province {pid}: the districts of the summary sum to "
                                                              f"{dsum.at[pid, col]:,.0f} but the province row says "
                                                              f"{p_by_id.at[pid, col]:,.0f}", column=col)
    for layout in LAYOUTS:
        for pid in reg.provinces(layout)["unit_id"]:
            key = {"geography": "province", "layout": layout, "unit_id": pid, "unit_level": "province", "province": pid}
            if pid in NOT_ENUMERATED:
                rows += _anchor_rows(key, {}, {y: NOT_ENUMERATED_REASON for y in CENSUS_YEARS})
                continue
            if layout == "current" or pid not in (KP_ID, FATA_ID):
                vals = {1998: float(c17_cur[pid]), 2017: float(p_by_id.at[pid, "pop_2017"]),
                        2023: float(p_by_id.at[pid, "pop_2023"])}
            else:
                fata = {y: sum(district_values[x][y] for x in c23.loc[c23["former_fata"] == "whole", "unit_id"])
                        + float(fr[{2017: "pop_2017_final", 2023: "pop_2023"}[y]].sum()) for y in (2017, 2023)}
                if pid == FATA_ID:
                    vals = {1998: float(c17_pre[FATA_ID]), **fata}
                else:
                    vals = {1998: float(c17_pre[KP_ID]), **{y: float(p_by_id.at[KP_ID, f"pop_{y}"]) - fata[y]
                                                            for y in (2017, 2023)}}
            rows += _anchor_rows(key, vals)
        key = {"geography": "province", "layout": layout, "unit_id": COUNTRY_ID, "unit_level": "country",
               "province": COUNTRY_ID}
        rows += _anchor_rows(key, {1998: float(c17["pop_1998"].sum()), 2017: float(p_by_id.at[COUNTRY_ID, "pop_2017"]),
                                   2023: float(p_by_id.at[COUNTRY_ID, "pop_2023"])},
                             {y: "census coverage: four provinces, ICT (and FATA); without AJK and GB"
                              for y in CENSUS_YEARS})
    out = pd.DataFrame(rows)
    bad = out["population"].notna() & (out["population"] <= 0)
    if bad.any():
        r = out.loc[bad].iloc[0]
        raise DataValidationError("population anchors", f"non-positive anchor population {r['population']:,.0f}",
                                  row=f"{r['geography']} {r['layout']} {r['unit_id']} {r['province']} {r['year']}",
                                  column="population")
    out.attrs["sources"] = sources_of(c17, summ, fr, psum)
    return out


# --------------------------------------------------------------------------- interpolation

def interpolate_geometric(anchors: pd.DataFrame, years: Sequence[int], key: Sequence[str]) -> pd.DataFrame:
    """Population for each ``key`` and year by constant geometric growth between census anchors.

    For anchors :math:`(t_0, P_0)` and :math:`(t_1, P_1)` with :math:`t_0 < t < t_1`:

    .. math:: P(t) = P_0 \\left(\\frac{P_1}{P_0}\\right)^{(t - t_0)/(t_1 - t_0)}

    A census year returns its anchor exactly. Years before the first or after the last available
    anchor are missing (no extrapolation); a missing anchor (NaN) is skipped, so the years it
    would have bounded are missing too.

    Parameters
    ----------
    anchors:
        ``key`` columns, ``year``, ``population`` (positive or NaN) and optionally
        ``anchor_note`` (why an anchor is missing).
    years:
        The years wanted.
    key:
        Columns identifying a unit.

    Returns
    -------
    DataFrame
        ``key``, ``year``, ``population``, ``pop_method`` (``census``, ``geometric`` or
        ``missing``), ``pop_anchor_from``, ``pop_anchor_to`` (Int64), ``pop_note``.
    """
    key = list(key)
    need = [*key, "year", "population"]
    absent = [c for c in need if c not in anchors.columns]
    if absent:
        raise ParameterError(f"argument 'anchors' lacks column(s) {absent}")
    dup = anchors.duplicated([*key, "year"], keep=False)
    if dup.any():
        raise ParameterError(f"argument 'anchors': {int(dup.sum())} rows repeat a unit and year "
                             f"(first: {anchors.loc[dup, [*key, 'year']].iloc[0].to_dict()})")
    bad = anchors["population"].notna() & (anchors["population"] <= 0)
    if bad.any():
        raise ParameterError(f"argument 'anchors': populations must be positive; found "
                             f"{anchors.loc[bad, 'population'].iloc[0]!r}")
    years = sorted(int(y) for y in years)
    work = anchors[[*key, "year", "population"]].copy()
    work["year"] = work["year"].astype("int64")
    notes = anchors["anchor_note"] if "anchor_note" in anchors.columns else pd.Series("", index=anchors.index)
    work["_note"] = notes.fillna("").astype(str).to_numpy()
    work["_k"] = work.groupby(key, sort=False, dropna=False).ngroup()
    units = work.drop_duplicates("_k")[[*key, "_k"]]
    # why anchors are missing, per unit (each distinct note once)
    gone = work[work["population"].isna() & work["_note"].ne("")]
    why = gone.groupby("_k")["_note"].agg(lambda s: "; ".join(dict.fromkeys(s)))
    have = work[work["population"].notna()].sort_values(["_k", "year"])
    grid = units[["_k"]].merge(pd.DataFrame({"year": years}), how="cross").sort_values(["year", "_k"])
    right = have[["_k", "year", "population"]].sort_values("year")
    lo = pd.merge_asof(grid, right.rename(columns={"year": "t0", "population": "p0"}), left_on="year",
                       right_on="t0", by="_k", direction="backward")
    hi = pd.merge_asof(grid, right.rename(columns={"year": "t1", "population": "p1"}), left_on="year",
                       right_on="t1", by="_k", direction="forward")
    g = lo.merge(hi[["_k", "year", "t1", "p1"]], on=["_k", "year"])
    first = have.groupby("_k")["year"].min()
    last = have.groupby("_k")["year"].max()
    y = g["year"].to_numpy(dtype=float)
    t0, t1 = g["t0"].to_numpy(dtype=float), g["t1"].to_numpy(dtype=float)
    p0, p1 = g["p0"].to_numpy(dtype=float), g["p1"].to_numpy(dtype=float)
    exact = t0 == y
    between = ~exact & ~np.isnan(t0) & ~np.isnan(t1)
    with np.errstate(invalid="ignore", divide="ignore"):
        geo = p0 * (p1 / p0) ** ((y - t0) / (t1 - t0))
    g["population"] = np.where(exact, p0, np.where(between, geo, np.nan))
    g["pop_method"] = np.where(exact, "census", np.where(between, "geometric", "missing"))
    g["pop_anchor_from"] = pd.array(np.where(exact | between, t0, np.nan), dtype="Float64").astype("Int64")
    g["pop_anchor_to"] = pd.array(np.where(exact, t0, np.where(between, t1, np.nan)), dtype="Float64").astype("Int64")
    f, la = g["_k"].map(first), g["_k"].map(last)
    text = np.where(f.isna(), "no census anchor",
                    np.where(g["year"] < f, "before the first census anchor (" + f.astype("Int64").astype(str)
                             + "); not extrapolated",
                             "after the last census anchor (" + la.astype("Int64").astype(str) + "); not extrapolated"))
    why_map = dict(zip(why.index, why.to_numpy(), strict=True))
    extra = pd.Series([why_map.get(k, "") for k in g["_k"]], index=g.index, dtype="object")
    note = pd.Series(text, index=g.index) + np.where(extra.ne(""), " [" + extra + "]", "")
    g["pop_note"] = np.where(g["pop_method"].eq("missing"), note, "")
    out = g.merge(units, on="_k").sort_values(["_k", "year"])
    out = out[[*key, "year", "population", "pop_method", "pop_anchor_from", "pop_anchor_to", "pop_note"]]
    out = out.reset_index(drop=True)
    out["population"] = out["population"].astype("float64")
    out.attrs["sources"] = list(anchors.attrs.get("sources", []))
    return out


def population_table(level: PopulationLevel, registry: Registry | None = None, *,
                     anchors: pd.DataFrame | None = None, first_year: int = FIRST_YEAR,
                     last_year: int = LAST_YEAR) -> pd.DataFrame:
    """Population by unit and year (1998-2023 by default) in both layouts.

    Parameters
    ----------
    level:
        ``province`` (provinces of each layout and ``PK``), ``census2023`` or ``stable`` districts.
    anchors:
        Output of :func:`population_anchors` (computed when not given).

    Returns
    -------
    DataFrame
        :data:`POPULATION_COLUMNS`; key ``layout, unit_id, province, year``.
    """
    _check_choice("level", level, ("province", *DISTRICT_SETS))
    reg = registry or load_registry()
    anc = population_anchors(reg) if anchors is None else anchors
    sub = anc[anc["geography"] == level]
    key = ["layout", "unit_id", "unit_level", "province"]
    out = interpolate_geometric(sub, range(first_year, last_year + 1), key)
    names = dict(zip(reg.units["unit_id"], reg.units["name"], strict=True))
    out["unit_name"] = out["unit_id"].map(names).fillna("")
    out.loc[out["unit_id"] == COUNTRY_ID, "unit_name"] = "Pakistan (census coverage, without AJK and GB)"
    out = out[POPULATION_COLUMNS].sort_values(["layout", "unit_level", "province", "unit_id", "year"],
                                              kind="stable").reset_index(drop=True)
    for c in ("layout", "unit_id", "unit_name", "unit_level", "province", "pop_method", "pop_note"):
        out[c] = out[c].astype("string")
    out.attrs["sources"] = list(anc.attrs.get("sources", []))
    return out


# --------------------------------------------------------------------------- youth (census 2023 Table 4)

YOUTH_COLUMNS = ["level", "unit_id", "unit_name", "province", "sex", "residence", "measure", "youth_ages",
                 "denominator_ages", "youth_pop", "denominator_pop", "share", "n_missing_cells", "measured_year"]


def age_table_with_units(reg: Registry, age: pd.DataFrame | None = None) -> pd.DataFrame:
    """Census 2023 Table 4 by district (:func:`workbench.sources.census.read_age_table`) with ``unit_id``."""
    a = census.read_age_table("district") if age is None else age
    if "unit_id" in a.columns:
        return a
    out = a.copy()
    out["unit_id"] = reg.resolve_series(out["district_src"], source="census2023", level="district",
                                        column="district_src", file=a.attrs.get("file"))
    out.attrs = dict(a.attrs)
    return out


def youth_table(registry: Registry | None = None, *, age: pd.DataFrame | None = None) -> pd.DataFrame:
    """Youth share (15-29 of all) and youth bulge (15-24 of 15+) from census 2023 Table 4.

    By district (2023 districts), province (current layout) and Pakistan, for each sex
    (all_sexes, male, female, transgender) and residence (overall, rural, urban). Province and
    national shares are recomputed from summed counts. Published empty cells (e.g. rural Karachi)
    count as zero persons and are reported in ``n_missing_cells``; a share whose denominator is
    zero is NaN. Full precision is kept.

    Returns
    -------
    DataFrame
        :data:`YOUTH_COLUMNS`.
    """
    reg = registry or load_registry()
    a = age_table_with_units(reg, age)
    src = a.attrs.get("file")
    by = ["unit_id", "sex", "residence"]
    res = pd.concat([youth_share(a, 15, 29, by=by, source=src, missing="zero"),
                     youth_bulge(a, 15, 24, 15, by=by, source=src, missing="zero")], ignore_index=True)
    res["province"] = [reg.province_of(u, "current") for u in res["unit_id"]]
    res["level"] = "district"
    prov = aggregate_shares(res, ["province", "sex", "residence"])
    prov["unit_id"] = prov["province"]
    prov["level"] = "province"
    nat = aggregate_shares(res, ["sex", "residence"])
    nat["unit_id"] = COUNTRY_ID
    nat["province"] = COUNTRY_ID
    nat["level"] = "country"
    out = pd.concat([res, prov, nat], ignore_index=True)
    names = dict(zip(reg.units["unit_id"], reg.units["name"], strict=True))
    out["unit_name"] = out["unit_id"].map(names)
    out["measured_year"] = 2023
    order = {"district": 0, "province": 1, "country": 2}
    sexes = {s: i for i, s in enumerate(census.SEXES)}
    resid = {r: i for i, r in enumerate(census.RESIDENCES)}
    out = out.assign(_l=out["level"].map(order), _s=out["sex"].map(sexes), _r=out["residence"].map(resid))
    out = out.sort_values(["_l", "province", "unit_id", "measure", "_s", "_r"], kind="stable")
    out = out[YOUTH_COLUMNS].reset_index(drop=True)
    for c in ("level", "unit_id", "unit_name", "province", "sex", "residence", "measure", "youth_ages",
              "denominator_ages"):
        out[c] = out[c].astype("string")
    out["n_missing_cells"] = out["n_missing_cells"].astype("int64")
    out.attrs["sources"] = list(a.attrs.get("sources", []))
    return out


def youth_table13_check(registry: Registry | None = None, *, age: pd.DataFrame | None = None,
                        table13: pd.DataFrame | None = None) -> pd.DataFrame:
    """Population aged 15-24 from Table 4 against Table 13 part B, by district, sex and residence.

    Columns ``unit_id``, ``sex``, ``residence``, ``table4_15_24``, ``table13_15_24``,
    ``difference`` (Table 4 - Table 13). Table 13 has no ICT rows, so ICT is absent.
    """
    reg = registry or load_registry()
    a = age_table_with_units(reg, age)
    t13 = census.read_table13_district() if table13 is None else table13
    t13 = t13[(t13["age_bracket_src"].str.strip() == "15 - 24") & (t13["variable"] == "Population")].copy()
    t13["unit_id"] = reg.resolve_series(t13["district_src"], source="census2023", level="district",
                                        column="district_src", file=t13.attrs.get("file"))
    y = a[(a["age_min"] >= 15) & (a["age_max"] <= 24)]
    t4 = y.groupby(["unit_id", "sex", "residence"], as_index=False)["population"].sum(min_count=1)
    t4 = t4.rename(columns={"population": "table4_15_24"})
    t13s = t13.groupby(["unit_id", "sex", "residence"], as_index=False)["value"].sum(min_count=1)
    t13s = t13s.rename(columns={"value": "table13_15_24"})
    out = t13s.merge(t4, on=["unit_id", "sex", "residence"], how="left", validate="one_to_one")
    out["difference"] = out["table4_15_24"].fillna(0) - out["table13_15_24"].fillna(0)
    out = out[["unit_id", "sex", "residence", "table4_15_24", "table13_15_24", "difference"]]
    out.attrs["sources"] = sources_of(a, t13)
    return out


#: Age definitions tried against NISP 2018 D1 ("approximately 60% of its total population").
NISP_YOUTH_DEFINITIONS: tuple[tuple[str, int, int, int | None], ...] = (
    ("15-24 of all ages (UN youth)", 15, 24, None),
    ("15-29 of all ages (National Youth Policy)", 15, 29, None),
    ("15-24 of ages 15+ (youth bulge, Urdal 2006)", 15, 24, 15),
    ("0-24 of all ages (under 25)", 0, 24, None),
    ("0-29 of all ages (under 30)", 0, 29, None),
)


def nisp_youth_claim(registry: Registry | None = None, *, age: pd.DataFrame | None = None,
                     claimed: float = 0.60) -> pd.DataFrame:
    """Which definition of "young people" makes NISP 2018 D1's "approximately 60%" true, in 2023.

    One row per definition (:data:`NISP_YOUTH_DEFINITIONS`), Pakistan, all sexes, overall, from
    Table 4: ``definition``, ``youth_ages``, ``denominator_ages``, ``youth_pop``,
    ``denominator_pop``, ``share``, ``difference_from_claim`` (share - 0.60) and ``closest``
    (True for the definition nearest the claim).
    """
    reg = registry or load_registry()
    a = age_table_with_units(reg, age)
    a = a[(a["sex"] == "all_sexes") & (a["residence"] == "overall")]
    rows = []
    for name, lo, hi, adult in NISP_YOUTH_DEFINITIONS:
        fn = youth_share(a, lo, hi, by=["unit_id"], source=a.attrs.get("file"), missing="zero") if adult is None \
            else youth_bulge(a, lo, hi, adult, by=["unit_id"], source=a.attrs.get("file"), missing="zero")
        nat = aggregate_shares(fn, [])
        r = nat.iloc[0]
        rows.append({"definition": name, "youth_ages": r["youth_ages"], "denominator_ages": r["denominator_ages"],
                     "youth_pop": r["youth_pop"], "denominator_pop": r["denominator_pop"], "share": r["share"]})
    out = pd.DataFrame(rows)
    out["difference_from_claim"] = out["share"] - claimed
    out["closest"] = out["difference_from_claim"].abs() == out["difference_from_claim"].abs().min()
    out.attrs["sources"] = list(a.attrs.get("sources", []))
    return out


__all__ = [
    "ANCHORS", "CENSUS_YEARS", "FR_SUBDIVISIONS", "age_table_with_units", "census2017_revision",
    "census2017_units", "fata_label_comparison", "frontier_regions", "interpolate_geometric", "nisp_youth_claim",
    "population_anchors", "population_table", "youth_table", "youth_table13_check",
]
