"""Deprivation and youth: a unit against its province and the country, with its rank by need among its peers.

Census 2023 (youth from the age table, Table 4; literacy and schooling, Table 12; amenities, Tables 22-24)
for all sexes, rural and urban together, and Data4Pakistan's latest consumption-poverty round (a
small-area model estimate), all from the committed tables of ``data/processed``. Missing values stay
missing: AJK and GB are not enumerated in the census tables, FATA has no Data4Pakistan estimate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.briefs.units import DISTRICT_SET, LAYOUT, BriefUnit
from workbench.geo.units import COUNTRY_ID
from workbench.store import read_processed

#: Census 2023 measures (``census_deprivation_2023``): measure -> (words, +1 a higher value is more need, -1 less).
CENSUS_MEASURES: dict[str, tuple[str, int]] = {
    "literacy_10plus": ("literacy, persons 10 and over (%)", -1),
    "out_of_school_5_16": ("children 5-16 out of school (%)", 1),
    "improved_water": ("households with improved drinking water (%)", -1),
    "flush_toilet": ("households with a flush toilet (%)", -1),
    "electricity": ("households with electricity (%)", -1),
}
#: Census 2023 youth measures (``youth_2023``).
YOUTH_MEASURES: dict[str, tuple[str, int]] = {
    "youth_bulge": ("youth bulge: persons 15-24 of persons 15 and over (%)", 1),
    "youth_share": ("youth share: persons 15-29 of all persons (%)", 1),
}
POVERTY = ("consumption poverty, Data4Pakistan small-area estimate (%)", 1)


def social_profile(unit: BriefUnit) -> pd.DataFrame:
    """Deprivation and youth: the unit against its province and the country, with its rank by need.

    Census 2023 (literacy, schooling, amenities; youth from the age table) for all sexes, rural and
    urban together; Data4Pakistan's latest consumption-poverty round (a small-area model estimate; a
    province's and the country's value are the population-weighted means of their districts' estimates,
    ``poverty_inequality``). ``need_rank`` 1 is the greatest need among the peers (a district's fellow
    districts of its province; a province's fellow provinces and territories); a low literacy or
    amenity rate is a high need. AJK and GB are not in the census tables, FATA has no
    Data4Pakistan estimate: their values are missing, never filled.

    Columns ``indicator``, ``unit_value``, ``province_value`` (district briefs), ``country_value``,
    ``need_rank``, ``n_ranked``, ``among``, ``measured``, ``source_table``.
    """
    rows = [*_census_rows(unit), *_poverty_rows(unit)]
    out = pd.DataFrame(rows)
    if unit.is_province:
        out = out.drop(columns="province_value")
    # the district poverty values are the drivers panel's Data4Pakistan column, on the sources of poverty_inequality
    out.attrs["sources"] = list(dict.fromkeys(s for name in ("census_deprivation_2023", "youth_2023", "poverty_inequality")
                                              for s in read_processed(name).attrs["sources"]))
    return out


def _peers_of(unit: BriefUnit, frame: pd.DataFrame, level_column: str, province_column: str) -> pd.DataFrame:
    if unit.is_province:
        return frame[frame[level_column].eq("province")]
    return frame[frame[level_column].eq("district") & frame[province_column].eq(unit.province_id)]


def _need_rank(values: pd.Series, direction: int, unit_id: str) -> tuple[object, int]:
    valid = values.dropna()
    if unit_id not in valid.index:
        return pd.NA, int(len(valid))
    return int((valid * direction).rank(ascending=False, method="min")[unit_id]), int(len(valid))


def _among(unit: BriefUnit) -> str:
    return "provinces and territories" if unit.is_province else f"districts of {unit.province_name}"


def _census_rows(unit: BriefUnit) -> list[dict]:
    census = read_processed("census_deprivation_2023")
    census = census[census["sex"].eq("all_sexes") & census["residence"].eq("overall")]
    youth = read_processed("youth_2023")
    youth = youth[youth["sex"].eq("all_sexes") & youth["residence"].eq("overall")].assign(
        rate_pct=lambda f: 100 * f["share"], census_table="Table 4")
    rows = []
    for frame, measures in ((youth, YOUTH_MEASURES), (census, CENSUS_MEASURES)):
        for measure, (words, direction) in measures.items():
            m = frame[frame["measure"].eq(measure)]
            values = m.set_index("unit_id")["rate_pct"]
            peers = _peers_of(unit, m, "level", "province").set_index("unit_id")["rate_pct"]
            rank, n = _need_rank(peers, direction, unit.unit_id)
            year = m["measured_year"].dropna()
            rows.append({"indicator": words, "unit_value": values.get(unit.unit_id, np.nan),
                         "province_value": values.get(unit.province_id, np.nan),
                         "country_value": values.get(COUNTRY_ID, np.nan), "need_rank": rank, "n_ranked": n,
                         "among": _among(unit), "measured": str(int(year.max())) if len(year) else "",
                         "source_table": f"census 2023, {m['census_table'].iloc[0]}" if len(m) else "census 2023"})
    return rows


def _poverty_rows(unit: BriefUnit) -> list[dict]:
    drivers = read_processed(f"drivers_district_year_{DISTRICT_SET}")
    d = drivers[drivers["layout"].eq(LAYOUT) & drivers["unit_level"].eq("district")]
    last = int(d["d4p_poverty_year"].max())
    d = d[d["year"].eq(last)].set_index("unit_id")
    means = read_processed("poverty_inequality")
    means = means[means["year"].eq(last)].set_index("scope")["mean"]
    words, direction = POVERTY
    if unit.is_province:
        provinces = means.drop(index=[COUNTRY_ID, "PK-TA"], errors="ignore")
        rank, n = _need_rank(provinces, direction, unit.unit_id)
        value = means.get(unit.unit_id, np.nan)
    else:
        peers = d[d["province"].eq(unit.province_id)]["d4p_poverty_pct"]
        rank, n = _need_rank(peers, direction, unit.unit_id)
        value = d["d4p_poverty_pct"].get(unit.unit_id, np.nan)
    return [{"indicator": words, "unit_value": value, "province_value": means.get(unit.province_id, np.nan),
             "country_value": means.get(COUNTRY_ID, np.nan), "need_rank": rank, "n_ranked": n,
             "among": _among(unit), "measured": str(last), "source_table": "Data4Pakistan (latest round)"}]
