"""Tables of the data audit: provenance and status of every data set, coverage, placement, quirks.

Pure functions returning tidy frames with ``attrs["sources"]``; the ``00_data_audit`` notebook
shows them.
"""

from __future__ import annotations

import pandas as pd

from workbench.catalog import load_catalog, verify

KNOWN_HOLES = [
    ("ucdp_ged_pak", "UCDP GED 22.1 (shipped) ends on 2021-12-31; 2022 onward (when TTP violence rose again) needs "
                     "a newer release: `workbench data pull 26.1` fetches GED 26.1 (1989-2025) into the cache, "
                     "and UCDP Candidate releases add the current year, provisionally (docs/releases.md)."),
    ("ucdp_ged_pak", "GED records only events of organised violence with at least one death: no injuries, no "
                     "attacks without deaths. It is not a count of terrorist attacks (PIPS, CRSS, NACTA)."),
    ("census2017_district", "The 2017 census tables in the mirror are the provisional results, with no age tables: "
                            "no youth measures before 2023."),
    ("census2023_age_single_district", "The 2023 age tables total 240,458,089, 1,041,342 below the headline "
                                       "241,499,431; AJK and GB are not enumerated in these tables."),
    ("d4p_indicators", "Data4Pakistan district poverty exists only for 2004-2014 (every second year), as "
                       "small-area model estimates; empty for the former FATA, AJK and GB."),
    ("ne_adm1_pre2018", "The only pre-2018 (FATA separate) boundary is coarse Natural Earth: FATA membership of "
                        "events comes from UCDP's own coding, checked against it."),
]


def catalog_table() -> pd.DataFrame:
    """Every data set with provenance, licence, vintage and checksum status."""
    cat = load_catalog()
    status = verify(cat).set_index("id")
    rows = []
    for e in cat:
        rows.append({
            "id": e.id, "title": e.title, "publisher": e.publisher, "version": e.version, "vintage": e.vintage,
            "licence": e.licence, "licence_status": e.licence_status, "form": e.form,
            "fallback": e.fallback["kind"], "sha256": e.sha256[:16], "status": status.loc[e.id, "status"],
        })
    out = pd.DataFrame(rows)
    out.attrs["sources"] = [e.id for e in cat]
    return out


def known_holes() -> pd.DataFrame:
    """What the data cannot say, by data set."""
    out = pd.DataFrame(KNOWN_HOLES, columns=["dataset", "hole"])
    out.attrs["sources"] = sorted(set(out["dataset"]))
    return out


def coverage_by_year(district_panel: pd.DataFrame, layout: str = "current") -> pd.DataFrame:
    """Per year: events and deaths by the level they could be located to, and districts with any event."""
    p = district_panel[district_panel["layout"] == layout]
    by_level = p.pivot_table(index="year", columns="unit_level", values="events", aggfunc="sum", fill_value=0)
    by_level.columns = [f"events_located_to_{c}" for c in by_level.columns]
    out = by_level.reset_index()
    districts = p[p["unit_level"] == "district"]
    out["districts_with_events"] = districts.groupby("year")["events"].apply(lambda s: int((s > 0).sum())).to_numpy()
    out["districts_in_set"] = districts.groupby("year")["unit_id"].nunique().to_numpy()
    out["deaths_best"] = p.groupby("year")["deaths_best"].sum().to_numpy()
    out.attrs["sources"] = district_panel.attrs.get("sources", [])
    return out


def fata_coding_check(assignment: pd.DataFrame) -> pd.DataFrame:
    """UCDP's FATA coding (adm_1) against the Natural Earth pre-2018 FATA polygon."""
    a = assignment.copy()
    a["ucdp_codes_fata"] = a["adm_1"].eq("Federally Administered Tribal Areas")
    ne = a["ne_pre2018"].fillna("").astype(str)
    a["point_in_ne"] = ne.map(lambda u: "FATA" if u == "PK-TA" else ("outside every polygon" if u == "" else
                                                                     "another unit"))
    out = (a.groupby(["ucdp_codes_fata", "point_in_ne"])
           .agg(events=("id", "size"), deaths_best=("best", "sum")).reset_index())
    out.attrs["sources"] = assignment.attrs.get("sources", [])
    return out
