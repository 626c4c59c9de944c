"""Which units a brief accepts: the provinces and territories, and the 2023 census districts.

A brief is about one unit of the current layout (FATA within Khyber Pakhtunkhwa): a province or
territory of the registry (Punjab, Sindh, Khyber Pakhtunkhwa, Balochistan, Islamabad Capital
Territory, Gilgit-Baltistan, Azad Jammu and Kashmir) or a district of the 2023 census, the district
set the violence panels use by default. Ids are the registry's (``PK-PB``, ``census2023/quetta``); an
id the brief does not accept is an error that says how to list the valid ones, never a silent skip.

>>> brief_unit("PK-BA").unit_name, brief_unit("census2023/quetta").province_id
('Balochistan', 'PK-BA')
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import COUNTRY_ID, load_registry

LEVELS: tuple[str, ...] = ("province", "district")
#: The layout and district set every brief uses (the violence panels' defaults).
LAYOUT = "current"
DISTRICT_SET = "census2023"
COLUMNS = ["unit_id", "unit_name", "level", "province_id"]


def list_command(level: str = "district") -> str:
    """The command that lists the valid ids of a level."""
    return f"workbench briefs --level {level} --list"


@dataclass(frozen=True)
class BriefUnit:
    """One unit a brief is about, with its province (a province is its own)."""

    unit_id: str
    unit_name: str
    level: str
    province_id: str
    province_name: str
    #: ``no``, ``part`` or ``whole``: how much of the unit was FATA before 2018 (registry).
    former_fata: str = "no"
    #: The division of a district (``division/karachi``), empty for a province.
    division: str = ""

    @property
    def is_province(self) -> bool:
        return self.level == "province"


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ParameterError(f"level must be one of {', '.join(LEVELS)}; got {level!r}")


@lru_cache(maxsize=2)
def _units(level: str) -> pd.DataFrame:
    reg = load_registry()
    provinces = reg.provinces(LAYOUT)
    order = {u: i for i, u in enumerate(provinces["unit_id"])}
    if level == "province":
        out = pd.DataFrame({"unit_id": provinces["unit_id"].astype(str), "unit_name": provinces["name"].astype(str),
                            "level": "province", "province_id": provinces["unit_id"].astype(str)})
    else:
        d = reg.districts(DISTRICT_SET)
        out = pd.DataFrame({"unit_id": d["unit_id"].astype(str), "unit_name": d["name"].astype(str),
                            "level": "district", "province_id": d[f"province_{LAYOUT}"].astype(str)})
        out = out.assign(_order=out["province_id"].map(order)).sort_values(
            ["_order", "unit_name", "unit_id"], kind="stable").drop(columns="_order")
    return out[COLUMNS].reset_index(drop=True)


def brief_units(level: str) -> pd.DataFrame:
    """The units a brief accepts at ``level`` (``province`` or ``district``), in a stable order.

    Columns ``unit_id``, ``unit_name``, ``level``, ``province_id`` (a province's own id). Provinces
    in the registry's order; districts of the 2023 census by province (in that order), then name.

    Raises
    ------
    ParameterError
        An unknown level (naming the valid ones).
    """
    _check_level(level)
    return _units(level).copy()


def brief_unit(unit_id: str) -> BriefUnit:
    """The unit of ``unit_id`` (a province or 2023 census district id), or an error saying how to list them."""
    check_unit_id(unit_id)
    reg = load_registry()
    level = "province" if unit_id in set(_units("province")["unit_id"]) else "district"
    province = reg.province_of(unit_id, LAYOUT)
    row = reg.units.set_index("unit_id").loc[unit_id]
    return BriefUnit(unit_id=unit_id, unit_name=reg.name(unit_id), level=level, province_id=province,
                     province_name=reg.name(province), former_fata=str(row["former_fata"] or "no"),
                     division=str(row["division"] or "") if level == "district" else "")


def check_unit_id(unit_id: object) -> None:
    """Refuse an id that is neither a province nor a 2023 census district, in one line.

    The message names the parameter, the value, close ids where there are any, and the commands
    that list the valid ids.
    """
    known = {level: set(_units(level)["unit_id"]) for level in LEVELS}
    if isinstance(unit_id, str) and any(unit_id in ids for ids in known.values()):
        return
    every = sorted(known["province"] | known["district"])
    raise ParameterError(f"parameter 'unit_id': {unit_id!r} is {_why_unknown(unit_id, every)}; list the valid ids "
                         f"with `{list_command('province')}` or `{list_command('district')}`")


def _why_unknown(unit_id: object, every: list[str]) -> str:
    """Why an id has no brief, with the ids it may have meant."""
    text = str(unit_id)
    if text == COUNTRY_ID:
        return "the country, which has no brief: choose a province or a district"
    reg = load_registry()
    if text in reg.units["unit_id"].values:
        row = reg.units.set_index("unit_id").loc[text]
        if row["level"] == "province":  # FATA: a province of the pre-2018 layout only
            return (f"{row['name']}, part of {reg.name(reg.province_of(text, LAYOUT))} in the current layout: use "
                    f"{reg.province_of(text, LAYOUT)} or one of its districts")
        return (f"a {row['level']} of the {row['vintage']} vintage; briefs take provinces and the districts of the "
                "2023 census")
    same_case = [u for u in every if u.lower() == text.lower()]
    if same_case:
        return f"not an id as spelled (ids are case-sensitive: did you mean {same_case[0]}?)"
    by_slug = {u.rpartition("/")[2].lower(): u for u in every}
    close = [by_slug[c] for c in difflib.get_close_matches(text.rpartition("/")[2].lower(), list(by_slug), n=3,
                                                           cutoff=0.75)]
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"not a province or a 2023 census district id{hint}"
