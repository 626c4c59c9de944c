"""The unit registry: the one place that knows Pakistan's place names.

Three tables in ``data/geo/`` (see ``docs/geography.md``):

* ``units.csv``: one row per unit of every vintage (provinces and territories by ISO 3166-2
  code, ``PK`` for the country, every other unit ``<vintage>/<slug>``), with its province in both
  layouts, its division, its stable unit and the 2023-census districts it overlaps;
* ``aliases.csv``: every spelling found in the mirrored sources, and the analysts' province
  spellings (source ``any``), each mapped to one unit;
* ``stable_merges.csv``: why each stable unit holds more than one 2023 district (or a former
  Frontier Region), and which vintages force it.

Matching is case-insensitive and ignores punctuation and spacing (:func:`normalize_name`), but the
alias table is explicit: a name that is not in it is an :class:`~workbench.errors.UnknownUnitError`
(close spellings are only offered as suggestions in the message).

Examples
--------
>>> reg = load_registry()
>>> reg.resolve("Khyber Pakhtunkwa province", source="ucdp_adm1", level="province")
'PK-KP'
>>> reg.province_of("census2017/fr_kohat", "pre2018"), reg.stable_of("census2017/fr_kohat")
('PK-TA', 'stable/kohat')
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from workbench.errors import DataValidationError, ParameterError, UnknownUnitError

Layout = Literal["pre2018", "current"]
Level = Literal["country", "province", "division", "district", "tehsil"]
Vintage = Literal["census2017", "census2023", "cod2022", "gb2019", "d4p", "stable"]
Missing = Literal["error", "keep"]
#: The district sets panels are built on: the 2023 census districts, and the stable set every vintage nests in.
DistrictSet = Literal["census2023", "stable"]

LAYOUTS: tuple[str, ...] = get_args(Layout)
DISTRICT_SETS: tuple[str, ...] = get_args(DistrictSet)
LEVELS: tuple[str, ...] = get_args(Level)
DISTRICT_VINTAGES: tuple[str, ...] = get_args(Vintage)
#: Vintages whose districts cover the whole country (AJK and GB included); census2017 lacks AJK and GB.
COMPLETE_VINTAGES: tuple[str, ...] = ("census2023", "cod2022", "gb2019", "d4p")
UNIT_LEVELS: tuple[str, ...] = ("country", "province", "division", "district", "placeholder")
UNIT_VINTAGES: tuple[str, ...] = ("iso3166", "division", *DISTRICT_VINTAGES)
SOURCES: tuple[str, ...] = (
    "any", "ucdp_adm1", "ucdp_adm2", "census2017", "census2023", "cod_adm1", "cod_adm2", "osm_provinces",
    "osm_divisions", "osm_districts", "gb2019", "ne_adm1", "d4p", "mpi",
)
PROVINCE_IDS: tuple[str, ...] = ("PK-PB", "PK-SD", "PK-KP", "PK-BA", "PK-IS", "PK-GB", "PK-JK", "PK-TA")
FATA_ID = "PK-TA"
COUNTRY_ID = "PK"
FORMER_FATA: tuple[str, ...] = ("no", "part", "whole")

UNIT_COLUMNS = [
    "unit_id", "level", "vintage", "name", "province_current", "province_pre2018", "division", "iso_3166_2",
    "pcode", "stable_id", "former_fata", "overlaps_2023", "valid_from", "valid_to", "notes",
]
ALIAS_COLUMNS = ["source", "level", "name", "unit_id", "note"]
MERGE_COLUMNS = [
    "stable_id", "name", "kind", "census2023_members", "other_members", "forced_by_vintages", "forced_by_units",
    "reason",
]

GEO_DIR = Path(__file__).resolve().parents[3] / "data" / "geo"
_SLUG = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")


def normalize_name(name: object) -> str:
    """The matching key of a place name: ASCII, lower case, ``&`` read as "and", punctuation as spaces.

    >>> normalize_name("  D.I.Khan "), normalize_name("Azad Jammu & Kashmir")
    ('d i khan', 'azad jammu and kashmir')
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", " ", text.replace("&", " and ").lower())
    return " ".join(text.split())


def _check_choice(name: str, value: object, allowed: tuple[str, ...], *, none_ok: bool = False) -> None:
    if value is None and none_ok:
        return
    if value not in allowed:
        raise ParameterError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")


class UnknownUnitsError(UnknownUnitError):
    """One or more place names the registry does not know (names all of them, and the first row)."""

    def __init__(self, source: str, names: list[str], *, rows: list[object], column: str | None = None,
                 level: str | None = None, suggestions: list[str] | None = None, file: str | None = None) -> None:
        super().__init__(source, names[0], row=rows[0], column=column, level=level, suggestions=suggestions)
        self.names, self.rows, self.file = names, rows, file
        text = str(self.args[0])
        if file:
            text = f"file {file}, {text}"
        if len(names) > 1:
            shown = ", ".join(f"{n!r} (first at row {r})" for n, r in zip(names[:20], rows[:20], strict=True))
            more = f" and {len(names) - 20} more" if len(names) > 20 else ""
            text += f" {len(names)} unknown names in all: {shown}{more}."
        self.args = (text,)


class Registry:
    """Units, aliases and stable merges, validated on construction.

    Parameters
    ----------
    units, aliases, merges:
        The three tables (all columns text; empty cells as empty strings).
    where:
        Label of the folder the tables came from, used in error messages.
    """

    def __init__(self, units: pd.DataFrame, aliases: pd.DataFrame, merges: pd.DataFrame | None = None, *,
                 where: str = "data/geo") -> None:
        self._where = where
        self._units = _validate_units(units, f"{where}/units.csv")
        self._attr = {c: dict(zip(self._units["unit_id"], self._units[c], strict=True)) for c in UNIT_COLUMNS}
        self._members: dict[tuple[str, str], list[str]] = defaultdict(list)
        rows = self._units[["unit_id", "vintage", "level", "stable_id"]].itertuples(index=False)
        for uid, vintage, level, sid in rows:
            if level == "district" and sid:
                self._members[(sid, vintage)].append(uid)
        self._aliases = _validate_aliases(aliases, set(self._units["unit_id"]), f"{where}/aliases.csv")
        self._merges = (_validate_merges(merges, self._units, f"{where}/stable_merges.csv")
                        if merges is not None else pd.DataFrame(columns=MERGE_COLUMNS))
        index: dict[tuple[str, str, str], str] = {}
        spelled: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        for src, lv, name, uid in self._aliases[["source", "level", "name", "unit_id"]].itertuples(index=False):
            key = normalize_name(name)
            index[(src, lv, key)] = uid
            spelled[(src, lv)].setdefault(key, name)
        self._index = index
        self._spelled = spelled

    # ------------------------------------------------------------------ tables
    @property
    def units(self) -> pd.DataFrame:
        """``units.csv`` as a frame (a copy: changing it does not change the registry)."""
        return self._units.copy(deep=False)

    @property
    def aliases(self) -> pd.DataFrame:
        """``aliases.csv`` as a frame."""
        return self._aliases.copy(deep=False)

    @property
    def merges(self) -> pd.DataFrame:
        """``stable_merges.csv`` as a frame."""
        return self._merges.copy(deep=False)

    # ------------------------------------------------------------------ names
    def lookup(self, name: object, source: str = "any", level: Level | None = None) -> str | None:
        """The unit id of ``name`` in ``source`` (falling back to source ``any``), or None if unknown.

        A registry unit id (``"PK-KP"``, ``"census2023/lahore"``) is accepted as itself.
        Raises :class:`ParameterError` when ``level`` is None and the name means different units at
        different levels (e.g. the division and the district Bannu).
        """
        _check_choice("source", source, SOURCES)
        _check_choice("level", level, LEVELS, none_ok=True)
        if name is None or (not isinstance(name, str) and pd.isna(name)):
            return None
        text = str(name)
        if text in self._attr["level"] and (level is None or self._level_fits(text, level)):
            return text
        key = normalize_name(text)
        levels = (level,) if level is not None else LEVELS
        for src in dict.fromkeys((source, "any")):
            found = {lv: self._index[(src, lv, key)] for lv in levels if (src, lv, key) in self._index}
            if len(set(found.values())) > 1:
                options = ", ".join(f"{lv} -> {uid}" for lv, uid in found.items())
                raise ParameterError(f"source {source}: the name {text!r} means different units at different "
                                     f"levels ({options}); pass level= to choose")
            if found:
                return next(iter(found.values()))
        return None

    def resolve(self, name: object, source: str = "any", level: Level | None = None, *, row: object | None = None,
                column: str | None = None, file: str | None = None) -> str:
        """The unit id of ``name``; an unknown name raises :class:`UnknownUnitError`.

        Parameters
        ----------
        name:
            The place name as spelled in the source.
        source:
            Alias source key (``ucdp_adm2``, ``census2023``, ... or ``any``).
        level:
            Level of the name in the source (``province``, ``division``, ``district``, ...).
        row, column, file:
            Where the name was read, for the error message.
        """
        uid = self.lookup(name, source, level)
        if uid is None:
            shown = "" if name is None or (not isinstance(name, str) and pd.isna(name)) else str(name)
            raise UnknownUnitsError(source, [shown], rows=[row], column=column, level=level,
                                    suggestions=self._suggest(shown, source, level), file=file)
        return uid

    def resolve_series(self, names: pd.Series, source: str = "any", level: Level | None = None, *,
                       column: str | None = None, file: str | None = None, missing: Missing = "error") -> pd.Series:
        """Resolve a column of names at once (same index; string dtype).

        Unknown names raise :class:`UnknownUnitError` naming the first bad row (its index label) and
        listing every unknown name. Empty names are an error unless ``missing="keep"`` (then <NA>).
        """
        _check_choice("missing", missing, get_args(Missing))
        values = pd.Series(names, copy=False)
        col = column if column is not None else (str(values.name) if values.name is not None else None)
        as_text = values.astype("string")
        empty = as_text.isna() | as_text.str.strip().eq("")
        if empty.any() and missing == "error":
            first = empty[empty].index[0]
            raise DataValidationError(file, f"{int(empty.sum())} empty place names in source {source} (the first "
                                            "shown); pass missing='keep' to keep such rows without a unit",
                                      row=first, column=col)
        uniques = pd.unique(as_text[~empty])
        mapping = {n: self.lookup(n, source, level) for n in uniques}
        unknown = [n for n, u in mapping.items() if u is None]
        if unknown:
            rows = [as_text[as_text == n].index[0] for n in unknown]
            order = sorted(range(len(unknown)), key=lambda i: values.index.get_loc(rows[i])
                           if values.index.is_unique else i)
            unknown, rows = [unknown[i] for i in order], [rows[i] for i in order]
            raise UnknownUnitsError(source, unknown, rows=rows, column=col, level=level,
                                    suggestions=self._suggest(unknown[0], source, level), file=file)
        out = as_text.map(mapping).astype("string")
        out[empty] = pd.NA
        return out.rename(values.name)

    def _suggest(self, name: str, source: str, level: str | None) -> list[str]:
        key = normalize_name(name)
        pool: dict[str, str] = {}
        for (src, lv), spellings in self._spelled.items():
            if src in (source, "any") and (level is None or lv == level):
                pool.update(spellings)
        close = difflib.get_close_matches(key, list(pool), n=3, cutoff=0.75)
        return [pool[k] for k in close]

    def _level_fits(self, unit_id: str, level: str) -> bool:
        unit_level = self._attr["level"][unit_id]
        return unit_level == level or (level == "district" and unit_level == "placeholder")

    # ------------------------------------------------------------------ units
    def _row(self, unit_id: str) -> dict[str, str]:
        if unit_id not in self._attr["level"]:
            raise UnknownUnitsError("registry unit ids", [str(unit_id)], rows=[None],
                                    suggestions=difflib.get_close_matches(str(unit_id), list(self._attr["level"]), n=3))
        return {c: self._attr[c][unit_id] for c in ("name", "level", "vintage", "province_current",
                                                    "province_pre2018", "stable_id", "notes")}

    def mapping(self, column: str) -> dict[str, str]:
        """``unit_id -> column`` for every unit (e.g. ``mapping("stable_id")``); a copy."""
        _check_choice("column", column, tuple(UNIT_COLUMNS))
        return dict(self._attr[column])

    def name(self, unit_id: str) -> str:
        """The display name of a unit."""
        return str(self._row(unit_id)["name"])

    def province_of(self, unit_id: str, layout: Layout = "current") -> str:
        """ISO 3166-2 code of the unit's province or territory in ``layout``.

        Works for provinces themselves (``PK-TA`` is ``PK-KP`` in the current layout), divisions and
        districts of every vintage. Current-vintage units that hold a former Frontier Region
        (``former_fata == "part"``) are given their settled district's province, ``PK-KP``.
        """
        _check_choice("layout", layout, LAYOUTS)
        row = self._row(unit_id)
        value = row[f"province_{layout}"]
        if not value:
            raise ParameterError(f"unit {unit_id} ({row['name']}, level {row['level']}) has no province: "
                                 f"{row['notes'] or 'it is not inside one province'}")
        return str(value)

    def stable_of(self, unit_id: str) -> str:
        """The stable unit that holds a district-level unit (or a division lying in one stable unit)."""
        row = self._row(unit_id)
        value = row["stable_id"]
        if not value:
            raise ParameterError(f"unit {unit_id} ({row['name']}, level {row['level']}) lies in no single stable "
                                 "unit; only districts of a vintage, and divisions inside one stable unit, have one")
        return str(value)

    def provinces(self, layout: Layout) -> pd.DataFrame:
        """The provinces and territories of ``layout``: 8 in ``pre2018`` (with ``PK-TA``), 7 in ``current``.

        Columns ``unit_id``, ``name``, ``iso``, ``pcode``, ``extent``.
        """
        _check_choice("layout", layout, LAYOUTS)
        p = self._units[self._units["level"].eq("province")]
        if layout == "current":
            p = p[p["unit_id"].ne(FATA_ID)]
        out = pd.DataFrame({"unit_id": p["unit_id"], "name": p["name"], "iso": p["iso_3166_2"],
                            "pcode": p["pcode"]})
        extent = {"PK-KP": "without FATA" if layout == "pre2018" else "with the former FATA"}
        out["extent"] = out["unit_id"].map(extent).fillna("").astype("string")
        return out.reset_index(drop=True)

    def districts(self, vintage: Vintage) -> pd.DataFrame:
        """The district-level units of one vintage (rows of :attr:`units`)."""
        _check_choice("vintage", vintage, DISTRICT_VINTAGES)
        u = self._units
        return u[u["vintage"].eq(vintage) & u["level"].eq("district")].reset_index(drop=True)

    def divisions(self) -> pd.DataFrame:
        """The registered divisions (rows of :attr:`units`)."""
        return self._units[self._units["level"].eq("division")].reset_index(drop=True)

    def members(self, stable_id: str, vintage: Vintage = "census2023") -> list[str]:
        """The units of ``vintage`` that lie in the stable unit ``stable_id``."""
        _check_choice("vintage", vintage, DISTRICT_VINTAGES)
        row = self._row(stable_id)
        if row["vintage"] != "stable":
            raise ParameterError(f"{stable_id} is not a stable unit")
        return list(self._members.get((stable_id, vintage), []))


# ---------------------------------------------------------------------- validation

def _fail(file: str, message: str, frame: pd.DataFrame, mask: pd.Series, column: str) -> None:
    bad = frame.loc[mask]
    cases = pd.DataFrame({"row": bad.index + 1, "unit_id": bad["unit_id"] if "unit_id" in bad else pd.NA,
                          "column": column, "value": bad[column]})
    raise DataValidationError(file, message, row=int(bad.index[0]) + 1, column=column, failure_cases=cases)


def _as_text(frame: pd.DataFrame, columns: list[str], file: str) -> pd.DataFrame:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataValidationError(file, f"missing columns {missing}; expected {columns}")
    out = frame[columns].copy()
    for c in columns:
        out[c] = out[c].astype("string").fillna("").str.strip()
    return out.reset_index(drop=True)


def _validate_units(units: pd.DataFrame, file: str) -> pd.DataFrame:
    u = _as_text(units, UNIT_COLUMNS, file)
    if u["unit_id"].eq("").any():
        _fail(file, "empty unit_id", u, u["unit_id"].eq(""), "unit_id")
    dup = u["unit_id"].duplicated(keep=False)
    if dup.any():
        _fail(file, "unit_id must be unique", u, dup, "unit_id")
    for col, allowed in (("level", UNIT_LEVELS), ("vintage", UNIT_VINTAGES), ("former_fata", FORMER_FATA)):
        bad = ~u[col].isin(allowed)
        if bad.any():
            _fail(file, f"{col} must be one of {', '.join(allowed)}", u, bad, col)
    iso_row = u["vintage"].eq("iso3166")
    ok_iso = iso_row & u["unit_id"].isin([COUNTRY_ID, *PROVINCE_IDS])
    prefix = u["unit_id"].str.split("/", n=1).str[0]
    slug = u["unit_id"].str.split("/", n=1).str[1].fillna("")
    ok_other = ~iso_row & prefix.eq(u["vintage"]) & slug.str.fullmatch(_SLUG.pattern).fillna(False)
    bad = ~(ok_iso | ok_other)
    if bad.any():
        _fail(file, "unit_id must be PK, an ISO 3166-2 code (PK-PB, ..., PK-TA) or '<vintage>/<slug>' with the "
                    "row's vintage and a lower-case ascii slug", u, bad, "unit_id")
    provinces = set(PROVINCE_IDS)
    needs_province = u["level"].isin(["province", "division", "district"])
    for col, allowed in (("province_current", provinces - {FATA_ID}), ("province_pre2018", provinces)):
        bad = needs_province & ~u[col].isin(allowed)
        if bad.any():
            _fail(file, f"{col} must be one of {', '.join(sorted(allowed))} for every province, division and "
                        "district", u, bad, col)
    whole = u["level"].eq("district") & u["former_fata"].eq("whole")
    bad = whole & u["province_pre2018"].ne(FATA_ID)
    if bad.any():
        _fail(file, "a wholly former-FATA district must be PK-TA in the pre2018 layout", u, bad, "province_pre2018")
    by_id = u.set_index("unit_id")
    stable_ids = set(u.loc[u["vintage"].eq("stable"), "unit_id"])
    is_district = u["level"].eq("district")
    bad = is_district & ~u["stable_id"].isin(stable_ids)
    if bad.any():
        _fail(file, "every district-level unit needs a stable_id that is a stable unit", u, bad, "stable_id")
    bad = u["vintage"].eq("stable") & u["stable_id"].ne(u["unit_id"])
    if bad.any():
        _fail(file, "a stable unit's stable_id is itself", u, bad, "stable_id")
    bad = u["stable_id"].ne("") & ~u["stable_id"].isin(stable_ids)
    if bad.any():
        _fail(file, "stable_id must be a stable unit", u, bad, "stable_id")
    divisions = set(u.loc[u["level"].eq("division"), "unit_id"])
    bad = u["division"].ne("") & ~u["division"].isin(divisions)
    if bad.any():
        _fail(file, "division must be a division unit id", u, bad, "division")
    c23 = set(u.loc[u["vintage"].eq("census2023") & is_district, "unit_id"])
    parts = u["overlaps_2023"].str.split(";")
    bad = is_district & parts.map(lambda p: not p or any(x not in c23 for x in p))
    if bad.any():
        _fail(file, "overlaps_2023 must list census2023 district ids (';'-separated) for every district", u, bad,
              "overlaps_2023")
    # the partition: every unit's stable unit holds all the 2023 districts it overlaps ...
    c23_stable = by_id.loc[sorted(c23), "stable_id"]
    bad = is_district & pd.Series([bool(p) and any(c23_stable.get(x, "") != s for x in p)
                                   for p, s in zip(parts, u["stable_id"], strict=True)], index=u.index)
    if bad.any():
        _fail(file, "stable_id differs from the stable unit of a 2023 district this unit overlaps", u, bad,
              "stable_id")
    # ... and is no coarser than needed: stable units are the connected components of the overlaps
    components = stable_components(u)
    given: dict[str, set[str]] = defaultdict(set)
    for m in c23:
        given[c23_stable[m]].add(m)
    finest = {frozenset(c) for c in components}
    coarse = [s for s, members in given.items() if frozenset(members) not in finest]
    if coarse:
        mask = u["unit_id"].isin(coarse)
        _fail(file, "stable units must be the connected components of the overlaps (finest partition); these join "
                    "2023 districts that no vintage joins, or split ones that a vintage joins", u, mask, "unit_id")
    return u


def stable_components(units: pd.DataFrame) -> list[set[str]]:
    """The finest partition of the 2023 districts in which every unit's overlaps lie in one part.

    Computed from ``overlaps_2023`` of every district-level unit except the stable units themselves.
    """
    u = units
    is_district = u["level"].eq("district")
    c23 = u.loc[is_district & u["vintage"].eq("census2023"), "unit_id"].tolist()
    parent = {m: m for m in c23}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    rows = u[is_district & u["vintage"].ne("stable")]
    for text in rows["overlaps_2023"]:
        parts = [p for p in str(text).split(";") if p in parent]
        for other in parts[1:]:
            a, b = find(parts[0]), find(other)
            if a != b:
                parent[b] = a
    groups: dict[str, set[str]] = defaultdict(set)
    for m in c23:
        groups[find(m)].add(m)
    return list(groups.values())


def _validate_aliases(aliases: pd.DataFrame, unit_ids: set[str], file: str) -> pd.DataFrame:
    a = _as_text(aliases, ALIAS_COLUMNS, file)
    for col, allowed in (("source", SOURCES), ("level", LEVELS)):
        bad = ~a[col].isin(allowed)
        if bad.any():
            _fail(file, f"{col} must be one of {', '.join(allowed)}", a, bad, col)
    bad = a["name"].eq("")
    if bad.any():
        _fail(file, "empty alias name", a, bad, "name")
    bad = ~a["unit_id"].isin(unit_ids)
    if bad.any():
        _fail(file, "alias target is not a unit of units.csv", a, bad, "unit_id")
    key = a["source"] + "|" + a["level"] + "|" + a["name"].map(normalize_name)
    conflict = key.duplicated(keep=False) & a.groupby(key)["unit_id"].transform("nunique").gt(1)
    if conflict.any():
        _fail(file, "the same (source, level, name) points to different units", a, conflict, "name")
    return a


def _validate_merges(merges: pd.DataFrame, units: pd.DataFrame, file: str) -> pd.DataFrame:
    m = _as_text(merges, MERGE_COLUMNS, file)
    stable = units[units["vintage"].eq("stable")].set_index("unit_id")
    bad = ~m["stable_id"].isin(stable.index)
    if bad.any():
        _fail(file, "stable_id is not a stable unit", m, bad, "stable_id")
    bad = ~m["kind"].isin(["merge", "absorption"])
    if bad.any():
        _fail(file, "kind must be merge or absorption", m, bad, "kind")
    listed = m["stable_id"].map(stable["overlaps_2023"])
    bad = listed.ne(m["census2023_members"])
    if bad.any():
        _fail(file, "census2023_members differ from the stable unit's members in units.csv", m, bad,
              "census2023_members")
    multi = stable.index[stable["overlaps_2023"].str.contains(";")]
    missing = sorted(set(multi) - set(m["stable_id"]))
    if missing:
        raise DataValidationError(file, f"stable units with several 2023 districts need a row with the reason: "
                                        f"{missing}", column="stable_id")
    ids = set(units["unit_id"])
    bad = m["forced_by_units"].str.split(";").map(lambda xs: any(x and x not in ids for x in xs))
    if bad.any():
        _fail(file, "forced_by_units lists ids that are not units", m, bad, "forced_by_units")
    return m


# ---------------------------------------------------------------------- loading

def read_tables(directory: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read ``units.csv``, ``aliases.csv`` and ``stable_merges.csv`` as text (empty cells as "")."""
    folder = Path(directory) if directory is not None else GEO_DIR
    kw = {"dtype": "string", "keep_default_na": False, "na_values": []}
    out = []
    for name in ("units.csv", "aliases.csv", "stable_merges.csv"):
        path = folder / name
        if not path.is_file():
            raise DataValidationError(path, "registry table not found")
        out.append(pd.read_csv(path, **kw))
    return out[0], out[1], out[2]


@lru_cache(maxsize=4)
def _load_cached(folder: str, _stamp: tuple[int, ...]) -> Registry:
    units, aliases, merges = read_tables(folder)
    return Registry(units, aliases, merges, where=folder)


def load_registry(directory: str | Path | None = None) -> Registry:
    """The registry from ``data/geo/`` (or ``directory``), validated; cached until a table changes."""
    folder = Path(directory) if directory is not None else GEO_DIR
    stamp = tuple(int((folder / n).stat().st_mtime_ns) if (folder / n).exists() else 0
                  for n in ("units.csv", "aliases.csv", "stable_merges.csv"))
    return _load_cached(str(folder), stamp)
