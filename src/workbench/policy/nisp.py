"""NISP 2018 as data: load the policy file and view it as tidy frames.

The National Internal Security Policy 2018-2023 is encoded in ``data/policy/nisp2018.yaml``:
drivers D1-D6, goals G1-G4, the six Rs (H1-H6), the 20-item Priority List (section I), the
interventions 1-120 with their Annex A rows, the geographies the policy names and its empirical
claims. :func:`load_policy` reads and checks the file (unknown keys, broken cross-references and
malformed unit ids are refused with an error naming the file and the key path); the ``*_frame``
functions return tidy :class:`pandas.DataFrame` views. How the file was encoded, and what is the
policy's text against the encoder's judgement, is in ``docs/policy.md``.

Examples
--------
>>> from workbench.policy.nisp import load_policy, interventions_frame
>>> policy = load_policy()
>>> policy.intervention("98c").annex.bodies
['MoF', 'ProvincialGovts']
>>> interventions_frame(policy).query("r == 'H3'")["number"].nunique()
5
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from workbench.catalog import PROJECT_ROOT
from workbench.errors import DataValidationError

DEFAULT_POLICY_PATH = PROJECT_ROOT / "data" / "policy" / "nisp2018.yaml"

#: The workbench's planned measures that drivers and claims may reference (ids are fixed).
INDICATOR_IDS: tuple[str, ...] = (
    "violence.deaths_per_100k", "violence.events_per_100k", "violence.deaths", "violence.events",
    "violence.lethality", "youth.share_15_29", "youth.bulge_15_24", "deprivation.poverty_rate",
    "deprivation.mpi_headcount", "deprivation.literacy_10plus", "deprivation.out_of_school_5_16",
    "deprivation.improved_water", "deprivation.flush_toilet", "deprivation.electricity",
    "inequality.gini_poverty", "inequality.theil_poverty",
)

#: Unit ids of the registry (``data/geo/units.csv``): the country ``PK``, a province or territory
#: (ISO 3166-2; FATA ``PK-TA``), or ``<vintage>/<slug>`` (``division/karachi``, ``stable/swat``).
UNIT_ID_PATTERN = (
    r"^(PK|PK-(PB|SD|KP|BA|IS|GB|JK|TA)|(division|stable|census2017|census2023|cod2022|gb2019|d4p)"
    r"/[a-z0-9]+(?:_[a-z0-9]+)*)$"
)
INTERVENTION_ID_PATTERN = r"^[1-9][0-9]{0,2}[a-z]?$"
SECTION_REF_PATTERN = r"^(ES|Foreword|[A-J][1-9]?(\.[1-9])?)$"

Comparison = Literal[
    "rank_highest", "rank_lowest", "rank_position", "rank_order", "approx_value", "at_least",
    "within_range", "peak_then_decline", "decline", "majority_share", "association_highest",
]
Basis = Literal["text", "judgement"]

UnitId = Annotated[str, StringConstraints(pattern=UNIT_ID_PATTERN)]
IndicatorId = Literal[INDICATOR_IDS]  # type: ignore[valid-type]
InterventionId = Annotated[str, StringConstraints(pattern=INTERVENTION_ID_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]

JUDGEMENT_NOTE = (
    "encoding judgement: counts rest on which passages the encoder linked to a unit or R "
    "(data/policy/nisp2018.yaml, docs/policy.md), not on a count the policy states"
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Period(_Model):
    start: int
    end: int


class Meta(_Model):
    title: Text
    short_title: Text
    publisher: Text
    period: Period
    period_source: Text
    source_text: Text
    timeline_note: Text
    priorities_note: Text
    ocr_notes: list[Text] = []


class Body(_Model):
    """A responsible body of Annex A (``printed_as``: its spellings in the annex)."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]+$")]
    name: Text
    printed_as: list[Text]


class Goal(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^G[1-4](\.[1-9])?$")]
    name: Text
    section: Text
    summary: Text
    parent: str | None = None


class DriverIndicator(_Model):
    id: IndicatorId
    role: Literal["measure", "proxy"]
    note: Text


class Driver(_Model):
    """A driver of insecurity (section D) and the workbench indicators that measure it."""

    id: Annotated[str, StringConstraints(pattern=r"^D[1-6]$")]
    name: Text
    section: Text
    summary: Text
    indicators: list[DriverIndicator]
    gaps: Text | None = None
    not_measurable_reason: Text | None = None
    notes: list[Text] = []

    @model_validator(mode="after")
    def _indicator_or_reason(self) -> Driver:
        if not self.indicators and not self.not_measurable_reason:
            raise ValueError(f"driver {self.id} has neither indicators nor a not_measurable_reason")
        return self


class R(_Model):
    """One of the six Rs of the strategy (section H)."""

    id: Annotated[str, StringConstraints(pattern=r"^H[1-6]$")]
    name: Text
    full_name: Text
    section: Text
    statement: Text
    rationale_summary: Text
    key_areas: list[Text] = Field(min_length=1)
    key_area_geographies: list[str] = []
    goals: list[str]
    goals_basis: Literal["text", "judgement", "not_stated"]
    goals_note: Text
    interventions: tuple[int, int]

    @model_validator(mode="after")
    def _goals_match_basis(self) -> R:
        if (self.goals_basis == "not_stated") != (not self.goals):
            raise ValueError(f"{self.id}: goals must be empty exactly when goals_basis is 'not_stated'")
        return self


class Section(_Model):
    id: Text
    r: str
    title: Text
    interventions: tuple[int, int]
    subsections: list[Text] = []
    notes: list[Text] = []


class OcrFix(_Model):
    """One OCR correction: ``found`` is in the seed text, ``corrected`` is what the file says."""

    found: Text
    corrected: Text


class Priority(_Model):
    """An item of the NISP Priority List (section I, Table 2)."""

    number: int = Field(ge=1, le=20)
    r: str
    text: Text
    refers_to: list[InterventionId]
    refers_to_sections: list[Text] = []
    ocr_fixes: list[OcrFix] = []
    notes: list[Text] = []


class AnnexIndicator(_Model):
    id: Text
    text: Text


class AnnexRow(_Model):
    """An intervention's row of Annex A (implementation plan)."""

    text: Text | None
    responsibility: Text | None
    bodies: list[str]
    indicators: list[AnnexIndicator]
    timeline: Literal["short", "medium", "long"] | None
    budget: Text | None


class Intervention(_Model):
    """An intervention of section H (1-120, lettered sub-items such as ``98c``)."""

    id: InterventionId
    r: str
    section: Text
    subsection: Text | None = None
    text: Text
    text_source: Literal["body", "annex_a"]
    themes: list[Text] = []
    timing_in_text: Text | None = None
    annex: AnnexRow
    ocr_fixes: list[OcrFix] = []
    notes: list[Text] = []

    @property
    def number(self) -> int:
        """The item number (``98`` for ``98c``)."""
        return int(re.match(r"\d+", self.id).group())  # type: ignore[union-attr]

    @property
    def letter(self) -> str | None:
        """The sub-item letter (``c`` for ``98c``), or None."""
        return self.id[-1] if self.id[-1].isalpha() else None

    @property
    def parent(self) -> str | None:
        """The id of the numbered item a sub-item belongs to, or None."""
        return str(self.number) if self.letter else None


class Mention(_Model):
    """A place where the policy names a geography."""

    ref: Text
    where: Literal["body", "annex_a", "key_areas", "priority_list", "landscape", "drivers", "background",
                   "executive_summary", "foreword"]
    quote: Text
    basis: Literal["named", "judgement"]
    note: Text | None = None


class Geography(_Model):
    """A geography the policy names, linked to registry unit ids where one exists."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    name: Text
    unit_ids: list[UnitId]
    unit_ids_basis: Basis = "text"
    unit_ids_note: Text | None = None
    mentions: list[Mention] = Field(min_length=1)

    @model_validator(mode="after")
    def _reason_when_unlinked(self) -> Geography:
        if not self.unit_ids and not self.unit_ids_note:
            raise ValueError(f"geography {self.id} has no unit ids and no unit_ids_note saying why")
        return self


class ClaimPeriod(_Model):
    start: int | None
    end: int | None
    stated: bool
    note: Text | None = None


class Expected(_Model):
    """What the claim says, in the terms its comparison needs (no verdict)."""

    value: float | None = None
    value_unit: Text | None = None
    qualifier: Text | None = None
    rank: int | None = Field(default=None, ge=1)
    above: list[list[UnitId]] | None = None
    order: list[list[UnitId]] | None = None
    peak_year: int | None = None
    low: float | None = None
    high: float | None = None


_NEEDS: dict[str, tuple[str, ...]] = {
    "rank_highest": ("comparison_set",),
    "rank_lowest": ("comparison_set",),
    "rank_position": ("comparison_set", "expected.rank"),
    "rank_order": ("expected.order",),
    "approx_value": ("expected.value",),
    "at_least": ("expected.value",),
    "within_range": ("expected.low", "expected.high"),
    "peak_then_decline": ("expected.peak_year",),
    "decline": ("period",),
    "majority_share": ("denominator", "expected.value"),
    "association_highest": ("comparison_set", "indicators"),
}


class Claim(_Model):
    """An empirical statement of the policy (or the PIPS brief) written as a testable claim."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]+\.[a-z0-9_]+$")]
    source: Literal["NISP 2018", "PIPS 2017"]
    section: Text
    quote: Text
    measure_stated: Text
    measure_definition: Text | None = None
    indicators: list[IndicatorId]
    datasets: list[Text]
    measure_basis: Basis = "text"
    measure_gap: Text | None = None
    geography: list[UnitId] = Field(min_length=1)
    geography_note: Text | None = None
    comparison_set: list[list[UnitId]] | None = None
    comparison_set_basis: Basis | None = None
    comparison_set_note: Text | None = None
    denominator: list[UnitId] | None = None
    period: ClaimPeriod
    comparison: Comparison
    comparison_basis: Basis = "text"
    comparison_note: Text | None = None
    expected: Expected
    data_can_speak: bool
    notes: list[Text] = []

    @model_validator(mode="after")
    def _has_what_its_comparison_needs(self) -> Claim:
        missing = []
        for need in _NEEDS[self.comparison]:
            obj: Any = self
            for part in need.split("."):
                obj = getattr(obj, part)
            if obj is None or obj == []:
                missing.append(need)
        if missing:
            raise ValueError(f"claim {self.id}: comparison '{self.comparison}' needs {', '.join(missing)}")
        if self.comparison == "association_highest" and len(self.indicators) < 2:
            raise ValueError(f"claim {self.id}: association_highest needs two indicators (need and violence)")
        if self.comparison_set is not None and self.comparison_set_basis is None:
            raise ValueError(f"claim {self.id}: comparison_set given without comparison_set_basis")
        if self.data_can_speak and not (self.indicators or self.datasets):
            raise ValueError(f"claim {self.id}: data_can_speak is true but no indicator or data set is named")
        return self


class Policy(_Model):
    """The whole policy file, with lookups by id."""

    meta: Meta
    bodies: list[Body]
    goals: list[Goal]
    drivers: list[Driver]
    rs: list[R]
    sections: list[Section]
    priorities: list[Priority]
    geographies: list[Geography]
    claims: list[Claim]
    interventions: list[Intervention]

    def intervention(self, intervention_id: str) -> Intervention:
        """The intervention with this id (``"98c"``); KeyError naming the known range otherwise."""
        for item in self.interventions:
            if item.id == str(intervention_id):
                return item
        raise KeyError(f"no intervention {intervention_id!r} in NISP 2018 (ids 1-120 with letters, e.g. '98c')")

    def r(self, r_id: str) -> R:
        """The R with this id (``"H4"``)."""
        for item in self.rs:
            if item.id == r_id:
                return item
        raise KeyError(f"no R {r_id!r}; known: {', '.join(x.id for x in self.rs)}")

    def sub_items(self, intervention_id: str) -> list[Intervention]:
        """The intervention and its lettered sub-items (``"98"`` -> 98, 98a, 98b, 98c)."""
        return [i for i in self.interventions if i.id == intervention_id or i.parent == intervention_id]


# --------------------------------------------------------------------------- loading


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """A safe loader (libyaml when available) that refuses a key repeated within one mapping."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_policy(path: str | Path | None = None) -> Policy:
    """Read and check the policy file.

    Parameters
    ----------
    path:
        A policy YAML file; default ``data/policy/nisp2018.yaml``.

    Returns
    -------
    Policy
        Typed, immutable objects (cached per file and modification time).

    Raises
    ------
    DataValidationError
        Invalid YAML, a repeated key, an unknown or missing key, a wrong value, or a broken
        cross-reference; the message names the file and the key path (e.g.
        ``interventions[12] (id '9a').annex.indicatorz``), ``failure_cases`` lists every problem.
    """
    p = Path(path).resolve() if path is not None else DEFAULT_POLICY_PATH
    if not p.exists():
        raise DataValidationError(p, "policy file not found")
    return _load_cached(p, p.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime: int) -> Policy:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataValidationError(path, f"not valid YAML: {where}{problem}") from None
    return validate_policy(raw, path)


def validate_policy(raw: Any, source: str | Path = "<policy>") -> Policy:
    """Check an already parsed policy document (the mapping a policy YAML file holds).

    Parameters
    ----------
    raw:
        The parsed document.
    source:
        The file (or a label) that errors name.

    Raises
    ------
    DataValidationError
        As :func:`load_policy`.
    """
    if not isinstance(raw, dict):
        raise DataValidationError(source, f"expected a mapping at the top level, found {type(raw).__name__}")
    try:
        policy = Policy.model_validate(raw)
    except ValidationError as exc:
        _raise_validation(source, raw, exc)
    problems = _cross_reference_problems(policy)
    if problems:
        _raise_problems(source, problems)
    return policy


def _key_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """``('interventions', 12, 'annex', 'x')`` -> ``interventions[12] (id '9a').annex.x``."""
    out, node = "", raw
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            label = next((node[k] for k in ("id", "number") if isinstance(node, dict) and k in node), None)
            if label is not None:
                out += f" (id {label!r})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _raise_validation(path: str | Path, raw: dict, exc: ValidationError) -> None:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            problem = f"unknown key {loc[-1]!r}"
            loc = loc[:-1]
        elif err["type"] == "missing":
            problem = f"missing key {loc[-1]!r}"
            loc = loc[:-1]
        else:
            problem = err["msg"]
        found = err.get("input")
        problems.append((_key_path(raw, loc), problem, "" if err["type"] == "missing" else _short(found)))
    _raise_problems(path, problems)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _raise_problems(path: str | Path, problems: list[tuple[str, str, str]]) -> None:
    cases = pd.DataFrame(problems, columns=["key_path", "problem", "found"])
    cases.insert(0, "file", str(path))
    key_path, problem, found = problems[0]
    more = f" ({len(problems)} problems in all)" if len(problems) > 1 else ""
    found_text = f"; found {found}" if found else ""
    raise DataValidationError(path, f"{problem} at {key_path}{found_text}{more}", failure_cases=cases)


def _duplicates(values: list[Any]) -> list[Any]:
    seen, dup = set(), []
    for v in values:
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup


def _cross_reference_problems(p: Policy) -> list[tuple[str, str, str]]:
    """Every broken link between the parts of the file, as (key path, problem, found)."""
    out: list[tuple[str, str, str]] = []
    for name, items, key in (("bodies", p.bodies, "id"), ("goals", p.goals, "id"), ("drivers", p.drivers, "id"),
                             ("rs", p.rs, "id"), ("sections", p.sections, "id"),
                             ("priorities", p.priorities, "number"), ("geographies", p.geographies, "id"),
                             ("claims", p.claims, "id"), ("interventions", p.interventions, "id")):
        for dup in _duplicates([getattr(i, key) for i in items]):
            out.append((name, f"{key} {dup!r} appears more than once", repr(dup)))
    goals = {g.id for g in p.goals}
    rs = {r.id: r for r in p.rs}
    sections = {s.id: s for s in p.sections}
    bodies = {b.id for b in p.bodies}
    geos = {g.id for g in p.geographies}
    ids = {i.id for i in p.interventions}
    for i, g in enumerate(p.goals):
        if g.parent is not None and g.parent not in goals:
            out.append((f"goals[{i}] (id {g.id!r}).parent", "unknown goal", repr(g.parent)))
    for i, r in enumerate(p.rs):
        where = f"rs[{i}] (id {r.id!r})"
        out += [(f"{where}.goals", "unknown goal", repr(g)) for g in r.goals if g not in goals]
        out += [(f"{where}.key_area_geographies", "unknown geography", repr(g))
                for g in r.key_area_geographies if g not in geos]
    for i, s in enumerate(p.sections):
        where = f"sections[{i}] (id {s.id!r})"
        if s.r not in rs:
            out.append((f"{where}.r", "unknown R", repr(s.r)))
        elif not (rs[s.r].interventions[0] <= s.interventions[0] <= s.interventions[1] <= rs[s.r].interventions[1]):
            out.append((f"{where}.interventions", f"range outside {s.r}'s {list(rs[s.r].interventions)}",
                        repr(list(s.interventions))))
    for i, pr in enumerate(p.priorities):
        where = f"priorities[{i}] (id {pr.number})"
        if pr.r not in rs:
            out.append((f"{where}.r", "unknown R", repr(pr.r)))
        out += [(f"{where}.refers_to", "unknown intervention", repr(x)) for x in pr.refers_to if x not in ids]
        out += [(f"{where}.refers_to_sections", "unknown section", repr(x)) for x in pr.refers_to_sections
                if x not in sections and not re.match(SECTION_REF_PATTERN, x)]
    for i, item in enumerate(p.interventions):
        where = f"interventions[{i}] (id {item.id!r})"
        if item.r not in rs:
            out.append((f"{where}.r", "unknown R", repr(item.r)))
        elif not rs[item.r].interventions[0] <= item.number <= rs[item.r].interventions[1]:
            out.append((f"{where}.r", f"item {item.number} is outside {item.r}'s range "
                        f"{list(rs[item.r].interventions)}", repr(item.r)))
        sec = sections.get(item.section)
        if sec is None:
            out.append((f"{where}.section", "unknown section", repr(item.section)))
        else:
            if sec.r != item.r:
                out.append((f"{where}.section", f"section {sec.id} belongs to {sec.r}, not to r {item.r}",
                            repr(item.section)))
            if not sec.interventions[0] <= item.number <= sec.interventions[1]:
                out.append((f"{where}.section", f"item {item.number} is outside section {sec.id}'s range "
                            f"{list(sec.interventions)}", repr(item.section)))
        if item.parent is not None and item.parent not in ids:
            out.append((f"{where}.id", f"sub-item without its parent item {item.parent}", repr(item.id)))
        out += [(f"{where}.annex.bodies", "unknown body (add it to 'bodies')", repr(b))
                for b in item.annex.bodies if b not in bodies]
        for k, ind in enumerate(item.annex.indicators):
            if not ind.id.startswith(f"{item.id}."):
                out.append((f"{where}.annex.indicators[{k}].id", f"indicator id must start with '{item.id}.'",
                            repr(ind.id)))
    for dup in _duplicates([ind.id for item in p.interventions for ind in item.annex.indicators]):
        out.append(("interventions", f"indicator id {dup!r} appears more than once", repr(dup)))
    prio = {f"P{x.number}" for x in p.priorities}
    for i, g in enumerate(p.geographies):
        for k, m in enumerate(g.mentions):
            if not (m.ref in ids or m.ref in prio or re.match(SECTION_REF_PATTERN, m.ref)):
                out.append((f"geographies[{i}] (id {g.id!r}).mentions[{k}].ref",
                            "unknown reference (an intervention id, P<n> or a section such as C5)", repr(m.ref)))
            if (m.where in ("body", "annex_a")) != (m.ref in ids):
                out.append((f"geographies[{i}] (id {g.id!r}).mentions[{k}].where",
                            "'body'/'annex_a' go with intervention refs and only with them", repr(m.where)))
    return out


# --------------------------------------------------------------------------- frames


POLICY_SOURCE_ID = "policy:nisp2018"


def _credited(fn):
    """Mark a frame built from the policy file with its source (``attrs["sources"]``)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        df = fn(*args, **kwargs)
        df.attrs.setdefault("sources", [POLICY_SOURCE_ID])
        return df

    return wrapper


def _policy(policy: Policy | None) -> Policy:
    return policy if policy is not None else load_policy()


def _join(values: list[Any]) -> str:
    return "; ".join(str(v) for v in values)


def _mentions_by_ref(policy: Policy) -> dict[str, list[tuple[Geography, Mention]]]:
    by_ref: dict[str, list[tuple[Geography, Mention]]] = defaultdict(list)
    for g in policy.geographies:
        for m in g.mentions:
            by_ref[m.ref].append((g, m))
    return by_ref


@_credited
def interventions_frame(policy: Policy | None = None) -> pd.DataFrame:
    """One row per intervention (numbered items and their lettered sub-items).

    Columns: ``id``, ``number``, ``letter``, ``parent``, ``r``, ``r_name``, ``section``,
    ``section_title``, ``subsection``, ``text``, ``text_source`` (body or annex_a), ``annex_text``,
    ``responsibility`` (as printed), ``bodies`` (body ids, ``; ``-joined), ``n_indicators``,
    ``indicators``, ``timeline``, ``budget``, ``geographies`` (ids of geographies named there),
    ``priorities`` (Priority List items that restate it, a judgement), ``notes``.
    """
    p = _policy(policy)
    rs = {r.id: r.name for r in p.rs}
    titles = {s.id: s.title for s in p.sections}
    mentions = _mentions_by_ref(p)
    prio_of: dict[str, list[int]] = defaultdict(list)
    for pr in p.priorities:
        for ref in pr.refers_to:
            for item in p.sub_items(ref):
                prio_of[item.id].append(pr.number)
    rows = [{
        "id": i.id, "number": i.number, "letter": i.letter, "parent": i.parent, "r": i.r, "r_name": rs[i.r],
        "section": i.section, "section_title": titles[i.section], "subsection": i.subsection, "text": i.text,
        "text_source": i.text_source, "annex_text": i.annex.text, "responsibility": i.annex.responsibility,
        "bodies": _join(i.annex.bodies), "n_indicators": len(i.annex.indicators),
        "indicators": _join(x.text for x in i.annex.indicators), "timeline": i.annex.timeline,
        "budget": i.annex.budget, "geographies": _join(sorted({g.id for g, _ in mentions.get(i.id, [])})),
        "priorities": _join(sorted(set(prio_of.get(i.id, [])))), "notes": _join(n for n in i.notes),
    } for i in p.interventions]
    df = pd.DataFrame(rows)
    df["number"] = df["number"].astype("int64")
    df["n_indicators"] = df["n_indicators"].astype("int64")
    return df


@_credited
def annex_indicators_frame(policy: Policy | None = None) -> pd.DataFrame:
    """One row per Annex A indicator: ``intervention``, ``indicator_id``, ``indicator``, ``r``,
    ``section``, ``bodies`` (``; ``-joined ids), ``responsibility``, ``budget``."""
    p = _policy(policy)
    rows = [{"intervention": i.id, "indicator_id": ind.id, "indicator": ind.text, "r": i.r, "section": i.section,
             "bodies": _join(i.annex.bodies), "responsibility": i.annex.responsibility, "budget": i.annex.budget}
            for i in p.interventions for ind in i.annex.indicators]
    return pd.DataFrame(rows, columns=["intervention", "indicator_id", "indicator", "r", "section", "bodies",
                                       "responsibility", "budget"])


@_credited
def priorities_frame(policy: Policy | None = None) -> pd.DataFrame:
    """The 20 items of the Priority List: ``number``, ``r``, ``r_name``, ``text``, ``refers_to``
    (``; ``-joined intervention ids), ``refers_to_sections``, ``refers_to_basis`` (always
    ``judgement``: Table 2 gives no intervention numbers)."""
    p = _policy(policy)
    rs = {r.id: r.name for r in p.rs}
    return pd.DataFrame([{
        "number": x.number, "r": x.r, "r_name": rs[x.r], "text": x.text, "refers_to": _join(x.refers_to),
        "refers_to_sections": _join(x.refers_to_sections), "refers_to_basis": "judgement",
    } for x in p.priorities])


@_credited
def drivers_frame(policy: Policy | None = None) -> pd.DataFrame:
    """One row per driver and indicator (a driver without indicators has one row with no indicator).

    Columns: ``driver``, ``name``, ``section``, ``summary``, ``measurable``, ``indicator``, ``role``
    (measure or proxy), ``note``, ``gaps``, ``not_measurable_reason``.
    """
    p = _policy(policy)
    rows = []
    for d in p.drivers:
        base = {"driver": d.id, "name": d.name, "section": d.section, "summary": d.summary,
                "measurable": bool(d.indicators), "gaps": d.gaps, "not_measurable_reason": d.not_measurable_reason}
        for ind in d.indicators or [None]:
            rows.append({**base, "indicator": ind.id if ind else None, "role": ind.role if ind else None,
                         "note": ind.note if ind else None})
    cols = ["driver", "name", "section", "summary", "measurable", "indicator", "role", "note", "gaps",
            "not_measurable_reason"]
    return pd.DataFrame(rows)[cols]


@_credited
def geographies_frame(policy: Policy | None = None) -> pd.DataFrame:
    """One row per geography and unit id (an unlinked geography has one row with ``unit_id`` NA).

    Columns: ``geography``, ``name``, ``unit_id``, ``unit_ids_basis``, ``unit_ids_note``,
    ``n_mentions``, ``refs`` (``; ``-joined places it is named).
    """
    p = _policy(policy)
    rows = []
    for g in p.geographies:
        for unit in g.unit_ids or [None]:
            rows.append({"geography": g.id, "name": g.name, "unit_id": unit,
                         "unit_ids_basis": g.unit_ids_basis if unit else None, "unit_ids_note": g.unit_ids_note,
                         "n_mentions": len(g.mentions), "refs": _join(m.ref for m in g.mentions)})
    return pd.DataFrame(rows)


@_credited
def mentions_frame(policy: Policy | None = None) -> pd.DataFrame:
    """One row per named mention: ``geography``, ``unit_ids``, ``ref``, ``kind`` (intervention,
    priority or section), ``r`` (for intervention and priority refs), ``where``, ``basis``, ``quote``."""
    p = _policy(policy)
    r_of = {i.id: i.r for i in p.interventions} | {f"P{x.number}": x.r for x in p.priorities}
    ids = {i.id for i in p.interventions}
    rows = []
    for g in p.geographies:
        for m in g.mentions:
            kind = "intervention" if m.ref in ids else "priority" if re.match(r"^P\d+$", m.ref) else "section"
            r = r_of.get(m.ref) or (m.ref if re.match(r"^H[1-6]$", m.ref) else None)
            rows.append({"geography": g.id, "unit_ids": _join(g.unit_ids), "ref": m.ref, "kind": kind, "r": r,
                         "where": m.where, "basis": m.basis if g.unit_ids_basis == "text" else "judgement",
                         "quote": m.quote})
    return pd.DataFrame(rows)


@_credited
def claims_frame(policy: Policy | None = None) -> pd.DataFrame:
    """One row per claim, with the expected value flattened into ``expected_*`` columns.

    Lists are ``; ``-joined; a comparison set or order is written group by group, e.g.
    ``PK-KP+PK-TA; PK-SD; PK-PB; PK-BA``. No verdicts: this is what the document says.
    """
    p = _policy(policy)

    def groups(value: list[list[str]] | None) -> str | None:
        return None if value is None else _join("+".join(g) for g in value)

    rows = [{
        "id": c.id, "source": c.source, "section": c.section, "quote": c.quote, "measure_stated": c.measure_stated,
        "measure_definition": c.measure_definition, "indicators": _join(c.indicators), "datasets": _join(c.datasets),
        "measure_basis": c.measure_basis, "measure_gap": c.measure_gap, "geography": _join(c.geography),
        "comparison_set": groups(c.comparison_set), "comparison_set_basis": c.comparison_set_basis,
        "denominator": None if c.denominator is None else _join(c.denominator),
        "period_start": c.period.start, "period_end": c.period.end, "period_stated": c.period.stated,
        "comparison": c.comparison, "comparison_basis": c.comparison_basis,
        "expected_value": c.expected.value, "expected_unit": c.expected.value_unit,
        "expected_rank": c.expected.rank, "expected_above": groups(c.expected.above),
        "expected_order": groups(c.expected.order), "expected_peak_year": c.expected.peak_year,
        "expected_low": c.expected.low, "expected_high": c.expected.high, "expected_qualifier": c.expected.qualifier,
        "data_can_speak": c.data_can_speak,
    } for c in p.claims]
    df = pd.DataFrame(rows)
    for col in ("period_start", "period_end", "expected_rank", "expected_peak_year"):
        df[col] = df[col].astype("Int64")
    for col in ("expected_value", "expected_low", "expected_high"):
        df[col] = df[col].astype("Float64")
    return df


# --------------------------------------------------------------------------- attention


def _intervention_geographies(p: Policy) -> dict[str, set[str]]:
    """Geography ids named by each intervention (its own mentions)."""
    out: dict[str, set[str]] = defaultdict(set)
    for g in p.geographies:
        for m in g.mentions:
            out[m.ref].add(g.id)
    return out


@_credited
def attention_by_geography(policy: Policy | None = None, *, include_unlinked: bool = True) -> pd.DataFrame:
    """How much of the policy's attention each unit receives (an encoding judgement).

    Per registry unit id: ``n_interventions`` (distinct numbered items 1-120 that name a geography
    linked to the unit, in the item or one of its sub-items), ``n_intervention_items`` (items and
    sub-items), ``n_priority_items`` (Priority List items that name it or restate an intervention
    that does, incl. its sub-items; whole-section references such as 'H1.3' are not followed),
    ``n_key_areas`` (Rs whose key areas name it), ``n_mentions`` (every named mention, in any
    section), ``n_judgement_links`` (how many of those mentions rest on the encoder's reading) and
    ``geographies``. Unlinked geographies ('less developed districts', 'areas of KP', ...) appear
    with an empty ``unit_id`` and their geography id when ``include_unlinked`` is true.

    These are counts of passages, not of resources: they describe what the text attends to, the
    "attention" side of a need-versus-priority comparison. ``df.attrs['basis']`` says so.
    """
    if not isinstance(include_unlinked, bool):
        raise TypeError("include_unlinked must be True or False")
    p = _policy(policy)
    by_ref = _intervention_geographies(p)
    ids = {i.id for i in p.interventions}
    prio_geos: dict[int, set[str]] = {}
    for pr in p.priorities:
        geos = set(by_ref.get(f"P{pr.number}", set()))
        for ref in pr.refers_to:
            for item in p.sub_items(ref):
                geos |= by_ref.get(item.id, set())
        prio_geos[pr.number] = geos
    rows = []
    for g in p.geographies:
        items = {m.ref for m in g.mentions if m.ref in ids}
        numbers = {p.intervention(x).number for x in items}
        prios = {n for n, geos in prio_geos.items() if g.id in geos}
        key_areas = {r.id for r in p.rs if g.id in r.key_area_geographies}
        judged = sum(1 for m in g.mentions if m.basis == "judgement" or g.unit_ids_basis == "judgement")
        for unit in g.unit_ids or ([""] if include_unlinked else []):
            rows.append({"unit_id": unit, "geography": g.id, "numbers": numbers, "items": items, "prios": prios,
                         "key_areas": key_areas, "n_mentions": len(g.mentions), "n_judgement_links": judged})
    agg: dict[str, dict[str, Any]] = {}
    for row in rows:
        key = row["unit_id"] or f"(unlinked) {row['geography']}"
        a = agg.setdefault(key, {"unit_id": row["unit_id"], "geographies": [], "numbers": set(), "items": set(),
                                 "prios": set(), "key_areas": set(), "n_mentions": 0, "n_judgement_links": 0})
        a["geographies"].append(row["geography"])
        for k in ("numbers", "items", "prios", "key_areas"):
            a[k] |= row[k]
        a["n_mentions"] += row["n_mentions"]
        a["n_judgement_links"] += row["n_judgement_links"]
    out = pd.DataFrame([{
        "unit_id": a["unit_id"], "geographies": _join(a["geographies"]), "n_interventions": len(a["numbers"]),
        "n_intervention_items": len(a["items"]), "n_priority_items": len(a["prios"]),
        "n_key_areas": len(a["key_areas"]), "n_mentions": a["n_mentions"], "n_judgement_links": a["n_judgement_links"],
    } for a in agg.values()])
    out = out.sort_values(["n_interventions", "n_mentions", "unit_id", "geographies"],
                          ascending=[False, False, True, True], ignore_index=True)
    out["basis"] = "encoding judgement"
    out.attrs["basis"] = JUDGEMENT_NOTE
    return out


@_credited
def attention_by_R(policy: Policy | None = None) -> pd.DataFrame:  # noqa: N802 (R is the policy's name)
    """How much of the policy each R holds (an encoding judgement for the geography columns).

    Per R: ``n_interventions`` (numbered items), ``n_intervention_items`` (with sub-items),
    ``n_priority_items``, ``n_annex_indicators``, ``n_items_without_indicator`` (items whose Annex A
    row states no indicator), ``n_geography_mentions`` (named geographies in its interventions,
    priority items and key areas) and ``n_units_named`` (distinct registry units among them).
    The first five are read off the text; the last two rest on the encoder's geography links.
    """
    p = _policy(policy)
    m = mentions_frame(p)
    geo_units = {g.id: g.unit_ids for g in p.geographies}
    rows = []
    for r in p.rs:
        items = [i for i in p.interventions if i.r == r.id]
        mine = m[m["r"] == r.id]
        units = {u for gid in mine["geography"] for u in geo_units[gid]}
        rows.append({
            "r": r.id, "name": r.name, "n_interventions": len({i.number for i in items}),
            "n_intervention_items": len(items), "n_priority_items": sum(1 for x in p.priorities if x.r == r.id),
            "n_annex_indicators": sum(len(i.annex.indicators) for i in items),
            "n_items_without_indicator": sum(1 for i in items if not i.annex.indicators),
            "n_geography_mentions": len(mine), "n_units_named": len(units),
        })
    out = pd.DataFrame(rows)
    out["basis"] = "text counts; geography columns are encoding judgement"
    out.attrs["basis"] = JUDGEMENT_NOTE
    return out
