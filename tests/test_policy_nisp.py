"""NISP 2018 as data: the policy file against the policy's own text, and the loader's checks.

The source text is the OCR copy of the policy shipped in ``data/policy/text/``; quotes are compared
after collapsing whitespace
and line-break hyphens, and after undoing each recorded OCR correction.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.errors import DataValidationError
from workbench.policy import nisp
from workbench.policy.nisp import (
    INDICATOR_IDS,
    UNIT_ID_PATTERN,
    annex_indicators_frame,
    attention_by_geography,
    attention_by_R,
    claims_frame,
    drivers_frame,
    geographies_frame,
    interventions_frame,
    load_policy,
    mentions_frame,
    priorities_frame,
    validate_policy,
)

ROOT = Path(__file__).resolve().parents[1]
POLICY_FILE = ROOT / "data" / "policy" / "nisp2018.yaml"
NISP_TEXT = ROOT / "data" / "policy" / "text" / "nisp2018.txt"
PIPS_TEXT = ROOT / "data" / "policy" / "text" / "pips_brief_2017.txt"
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def norm(text: str) -> str:
    """Collapse whitespace and line-break hyphens ('de-\\nweaponization' -> 'de-weaponization')."""
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"-\s+", "-", text).strip()


@pytest.fixture(scope="module")
def seed() -> str:
    return norm(NISP_TEXT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pips() -> str:
    return norm(PIPS_TEXT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy() -> nisp.Policy:
    return load_policy()


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.load(POLICY_FILE.read_text(encoding="utf-8"), Loader=FAST_LOADER)


def as_printed(text: str, fixes) -> str:
    """The text as the OCR copy prints it: each correction undone."""
    for fix in fixes:
        assert fix.corrected in text, f"correction {fix.corrected!r} not in the text it claims to correct"
        text = text.replace(fix.corrected, fix.found)
    return text


def write_yaml(tmp_path: Path, doc: dict, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.dump(doc, Dumper=FAST_DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- interventions


def test_every_intervention_1_to_120_present_exactly_once(policy):
    numbered = [i.id for i in policy.interventions if i.letter is None]
    assert sorted(numbered, key=int) == [str(n) for n in range(1, 121)]
    ids = [i.id for i in policy.interventions]
    assert len(ids) == len(set(ids))
    for item in policy.interventions:
        if item.parent is not None:
            assert item.parent in numbered, item.id
    # lettered sub-items named in the brief and recovered from the OCR
    for sub in ("98a", "98c", "84c", "52c", "99d", "119a"):
        assert sub in ids


def test_sub_items_follow_the_letters_of_the_seed(policy, seed):
    """Every lettered sub-item of the body text is encoded, and no letter is skipped."""
    by_parent: dict[str, list[str]] = {}
    for item in policy.interventions:
        if item.letter:
            by_parent.setdefault(item.parent, []).append(item.letter)
    for parent, letters in by_parent.items():
        assert letters == [chr(ord("a") + k) for k in range(len(letters))], (parent, letters)


def test_items_27_to_39_come_from_annex_a_and_the_rest_from_the_body(policy, seed):
    from_annex = {i.id for i in policy.interventions if i.text_source == "annex_a"}
    assert from_annex == {str(n) for n in range(27, 40)}
    # the body text really does jump from 26 to 40
    assert "Courts and Prisons will be established. 40. Reforming the sentencing structure" in seed


def test_body_texts_appear_in_the_seed(policy, seed):
    missing = []
    for item in policy.interventions:
        if item.text_source == "body" and norm(as_printed(item.text, item.ocr_fixes)) not in seed:
            missing.append(item.id)
    assert missing == []


@pytest.mark.parametrize("item_id, quote", [
    ("1", "Interprovincial Coordination Committee on Internal Security headed by Minister of Interior"),
    ("9a", "Code of Criminal Procedure 1898 will be amended to simplify procedure"),
    ("59", "phased conversion of ‘B’ areas in Balochistan to ‘A’ areas"),
    ("98a", "higher expenditure in infrastructure and the social sector in less developed districts"),
    ("98c", "implementation of Khushhal Balochistan program"),
    ("99", "merge FATA with KP, the Federal Government will retain substantive responsibility"),
    ("111", "Security Analysis & Research Cell (SARC) at Ministry of Interior run by professionals"),
    ("120", "Student societies, fully managed by students through elected councils"),
])
def test_spot_checks_of_intervention_text(policy, seed, item_id, quote):
    item = policy.intervention(item_id)
    assert quote in item.text
    assert norm(quote) in seed


def test_ocr_fixes_name_text_that_is_in_the_seed(policy, seed):
    fixes = [f for i in policy.interventions for f in i.ocr_fixes] + \
            [f for p in policy.priorities for f in p.ocr_fixes]
    assert fixes, "the file records OCR corrections"
    for fix in fixes:
        assert norm(fix.found) in seed, fix.found


def test_themes_of_65_appear_in_the_seed(policy, seed):
    themes = policy.intervention("65").themes
    assert len(themes) == 8
    for theme in themes:
        assert theme in seed


def test_every_intervention_r_is_consistent_with_its_section(policy):
    sections = {s.id: s for s in policy.sections}
    for item in policy.interventions:
        sec = sections[item.section]
        assert item.section.split(".")[0] == item.r == sec.r, item.id
        assert sec.interventions[0] <= item.number <= sec.interventions[1], item.id
        lo, hi = policy.r(item.r).interventions
        assert lo <= item.number <= hi, item.id


def test_r_ranges_match_where_each_r_starts_in_the_seed(policy, seed):
    """The first item after each R's opening statement in the text is the first item of its range."""
    for r in policy.rs:
        pos = seed.find(norm(r.statement))
        assert pos >= 0, r.id
        first = re.search(r" (\d{1,3})\. ?[A-Z]", seed[pos:])
        assert int(first.group(1)) == r.interventions[0], r.id
    ranges = sorted(r.interventions for r in policy.rs)
    assert ranges[0][0] == 1 and ranges[-1][1] == 120
    assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))


def test_annex_bodies_and_indicator_ids_are_consistent(policy):
    bodies = {b.id for b in policy.bodies}
    ind = annex_indicators_frame(policy)
    assert ind["indicator_id"].is_unique
    for item in policy.interventions:
        assert set(item.annex.bodies) <= bodies
        for k, x in enumerate(item.annex.indicators, start=1):
            assert x.id == f"{item.id}.i{k}"
    # timelines are not in the OCR text: none is encoded
    assert all(i.annex.timeline is None for i in policy.interventions)


# --------------------------------------------------------------------------- priorities, drivers, goals


def test_every_priority_maps_to_one_existing_r(policy):
    rs = {r.id for r in policy.rs}
    assert [p.number for p in policy.priorities] == list(range(1, 21))
    for p in policy.priorities:
        assert p.r in rs
        for ref in p.refers_to:
            assert policy.intervention(ref).r == p.r, (p.number, ref)


def test_priority_rs_follow_the_headings_of_table_2(policy, seed):
    """Section I groups the 20 items under R headings; each item's R is the heading above it."""
    start = seed.index("I. NISP Priority List")
    table = seed[start:seed.index("Table 2: NISP Priority List")]
    names = {"Reorient": "H1", "Reimagine": "H2", "Reconcile": "H3", "Redistribute": "H4",
             "Regional Approach": "H5", "Recognize": "H6"}
    heads = sorted((table.index(f"{name}:"), r) for name, r in names.items())
    for p in policy.priorities:
        pos = table.index(f" {p.number}. ")
        heading = [r for at, r in heads if at < pos][-1]
        assert heading == p.r, p.number
        assert norm(as_printed(p.text, p.ocr_fixes)) in seed, p.number


def test_every_driver_has_an_indicator_or_a_reason(policy):
    assert [d.id for d in policy.drivers] == [f"D{k}" for k in range(1, 7)]
    for d in policy.drivers:
        assert d.indicators or (d.not_measurable_reason and len(d.not_measurable_reason) > 40), d.id
        assert {i.id for i in d.indicators} <= set(INDICATOR_IDS)
    df = drivers_frame(policy)
    assert set(df.loc[~df["measurable"], "driver"]) == {d.id for d in policy.drivers if not d.indicators}


def test_goals_and_rs(policy):
    goals = {g.id for g in policy.goals}
    assert {"G1", "G1.1", "G1.2", "G1.3", "G2", "G3", "G4"} == goals
    assert [r.name for r in policy.rs] == ["Reorient", "Reimagine", "Reconcile", "Redistribute",
                                           "Regional approach", "Recognize"]
    for r in policy.rs:
        assert set(r.goals) <= goals
        assert r.goals_basis in ("text", "judgement", "not_stated")


# --------------------------------------------------------------------------- geographies


def test_every_unit_id_is_a_valid_registry_id(policy):
    from workbench.geo.units import load_registry

    known = set(load_registry().units["unit_id"])
    ids = {u for g in policy.geographies for u in g.unit_ids}
    for c in policy.claims:
        ids |= set(c.geography) | set(c.denominator or [])
        ids |= {u for group in (c.comparison_set or []) for u in group}
        ids |= {u for group in (c.expected.order or []) + (c.expected.above or []) for u in group}
    assert ids, "no unit ids at all"
    for u in ids:
        assert re.match(UNIT_ID_PATTERN, u), u
    assert ids <= known, sorted(ids - known)


def test_named_geographies_link_to_the_units_of_the_brief(policy):
    units = {g.id: g.unit_ids for g in policy.geographies}
    assert units["fata"] == ["PK-TA"]
    assert units["karachi"] == ["division/karachi"]
    assert units["balochistan"] == ["PK-BA"]
    for vague in ("areas_of_kp", "less_developed_districts", "balochistan_b_areas"):
        assert units[vague] == []
        assert next(g for g in policy.geographies if g.id == vague).unit_ids_note
    h3 = policy.r("H3")
    assert set(h3.key_area_geographies) == {"fata", "balochistan", "areas_of_kp", "karachi"}


def test_mention_quotes_appear_in_the_seed(policy, seed):
    """Annex A's cells are interleaved in the OCR, so only non-annex quotes are compared."""
    for g in policy.geographies:
        for m in g.mentions:
            if m.where != "annex_a":
                assert norm(m.quote) in seed, (g.id, m.ref, m.quote)


def test_geographies_frame_has_one_row_per_unit_or_unlinked_geography(policy):
    df = geographies_frame(policy)
    expected = sum(max(1, len(g.unit_ids)) for g in policy.geographies)
    assert len(df) == expected
    assert df.loc[df["unit_id"].isna(), "unit_ids_note"].notna().all()


# --------------------------------------------------------------------------- claims


def test_claims_cover_the_required_sections(policy):
    sections = {c.section for c in policy.claims if c.source == "NISP 2018"}
    assert {"C5", "D3", "A1", "D1"} <= sections
    assert any(c.source == "PIPS 2017" and c.data_can_speak for c in policy.claims)
    c = {x.id: x for x in policy.claims}
    assert c["C5.kp_fata_casualties_2005_2012"].expected.value == 11862
    assert (c["C5.kp_fata_casualties_2005_2012"].period.start, c["C5.kp_fata_casualties_2005_2012"].period.end) == \
        (2005, 2012)
    assert c["C5.sindh_second_per_capita"].expected.rank == 2
    assert c["A1.terrorism_peak_2014"].expected.peak_year == 2014


def test_claim_quotes_appear_in_their_source(policy, seed, pips):
    for c in policy.claims:
        text = seed if c.source == "NISP 2018" else pips
        assert norm(c.quote) in text, c.id


def test_claim_numbers_are_the_numbers_of_the_quote(policy):
    """An expected value or year must be printed in the quote (no number of the encoder's own)."""
    for c in policy.claims:
        quote = c.quote.replace(",", "")
        for value in (c.expected.value, c.expected.peak_year):
            if value is None or c.comparison == "majority_share" or c.id == "D1.youth_share_highest_ever":
                continue
            assert f"{abs(value):g}" in quote, (c.id, value)


def test_claim_data_sets_exist_in_the_catalog(policy):
    from workbench.catalog import load_catalog

    known = set(load_catalog().entries)
    used = {d for c in policy.claims for d in c.datasets}
    assert used and used <= known, sorted(used - known)


def test_claims_frame_flattens_expected_values(policy):
    df = claims_frame(policy)
    assert df["id"].is_unique and len(df) == len(policy.claims)
    row = df.set_index("id").loc["C5.sindh_second_per_capita"]
    assert row["comparison_set"] == "PK-KP+PK-TA; PK-SD; PK-PB; PK-BA"
    assert row["expected_rank"] == 2
    assert not row["period_stated"]


# --------------------------------------------------------------------------- loader errors


def test_unknown_keys_are_refused_with_file_and_key_path(tmp_path, raw):
    doc = copy.deepcopy(raw)
    doc["interventions"][12]["annex"]["indicatorz"] = []
    path = write_yaml(tmp_path, doc)
    with pytest.raises(DataValidationError) as err:
        load_policy(path)
    msg = str(err.value)
    assert str(path) in msg
    assert "unknown key 'indicatorz'" in msg
    assert f"interventions[12] (id '{raw['interventions'][12]['id']}').annex" in msg
    assert err.value.failure_cases is not None and len(err.value.failure_cases) == 1


def test_unknown_top_level_key_is_refused(tmp_path, raw):
    path = write_yaml(tmp_path, {**raw, "extras": {"a": 1}})
    with pytest.raises(DataValidationError, match=r"unknown key 'extras' at \(top level\)"):
        load_policy(path)


@settings(deadline=None, max_examples=50)
@given(key=st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True), data=st.data())
def test_any_unknown_intervention_key_is_refused(raw, key, data):
    doc = copy.deepcopy(raw)
    index = data.draw(st.integers(0, len(doc["interventions"]) - 1))
    item = doc["interventions"][index]
    where = data.draw(st.sampled_from(["item", "annex"]))
    target = item if where == "item" else item["annex"]
    if key in target:
        return
    target[key] = "x"
    with pytest.raises(DataValidationError) as err:
        validate_policy(doc, "test-built.yaml")
    assert f"unknown key '{key}'" in str(err.value)
    assert f"interventions[{index}] (id '{item['id']}')" in str(err.value)
    assert "test-built.yaml" in str(err.value)


def test_repeated_key_is_refused(tmp_path):
    text = POLICY_FILE.read_text(encoding="utf-8").replace("  short_title: NISP 2018\n",
                                                          "  short_title: NISP 2018\n  short_title: again\n", 1)
    path = tmp_path / "dup.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"line \d+.*'short_title' appears twice"):
        load_policy(path)


def test_intervention_in_the_wrong_r_is_refused(tmp_path, raw):
    doc = copy.deepcopy(raw)
    item = next(i for i in doc["interventions"] if i["id"] == "98c")
    item["r"] = "H3"
    with pytest.raises(DataValidationError, match=r"id '98c'.*(outside H3|belongs to H4)"):
        load_policy(write_yaml(tmp_path, doc))


def test_invalid_unit_id_is_refused(tmp_path, raw):
    doc = copy.deepcopy(raw)
    doc["geographies"][0]["unit_ids"] = ["Punjab"]
    with pytest.raises(DataValidationError, match=r"geographies\[0\] \(id 'fata'\)\.unit_ids\[0\]"):
        load_policy(write_yaml(tmp_path, doc))


def test_driver_without_indicator_or_reason_is_refused(tmp_path, raw):
    doc = copy.deepcopy(raw)
    d2 = next(d for d in doc["drivers"] if d["id"] == "D2")
    del d2["not_measurable_reason"]
    with pytest.raises(DataValidationError, match="D2 has neither indicators nor a not_measurable_reason"):
        load_policy(write_yaml(tmp_path, doc))


def test_unknown_indicator_and_broken_references_are_refused(tmp_path, raw):
    doc = copy.deepcopy(raw)
    doc["drivers"][0]["indicators"][0]["id"] = "youth.share_15_30"
    doc["priorities"][0]["refers_to"] = ["121"]
    doc["interventions"][0]["annex"]["bodies"] = ["MinistryOfNothing"]
    with pytest.raises(DataValidationError) as err:
        load_policy(write_yaml(tmp_path, doc))
    assert "drivers[0] (id 'D1').indicators[0] (id 'youth.share_15_30').id" in str(err.value)
    # cross-references are checked once the schema holds: fix the indicator and look again
    doc["drivers"][0]["indicators"][0]["id"] = "youth.share_15_29"
    with pytest.raises(DataValidationError) as err:
        load_policy(write_yaml(tmp_path, doc, "second.yaml"))
    cases = err.value.failure_cases
    assert set(cases["problem"]) >= {"unknown intervention", "unknown body (add it to 'bodies')"}


def test_claim_missing_what_its_comparison_needs_is_refused(tmp_path, raw):
    doc = copy.deepcopy(raw)
    claim = next(c for c in doc["claims"] if c["id"] == "C5.sindh_second_per_capita")
    del claim["expected"]["rank"]
    with pytest.raises(DataValidationError, match="rank_position' needs expected.rank"):
        load_policy(write_yaml(tmp_path, doc))


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("meta:\n  title: [unclosed\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"bad.yaml.*not valid YAML: line \d+"):
        load_policy(path)


# --------------------------------------------------------------------------- frames and attention


def test_interventions_frame(policy):
    df = interventions_frame(policy)
    assert df["id"].is_unique and len(df) == len(policy.interventions)
    assert df["number"].nunique() == 120
    row = df.set_index("id").loc["98c"]
    assert (row["r"], row["section"], row["bodies"]) == ("H4", "H4", "MoF; ProvincialGovts")
    assert "balochistan" in row["geographies"].split("; ")
    assert "15" in row["priorities"].split("; ")


def test_priorities_frame(policy):
    df = priorities_frame(policy)
    assert list(df["number"]) == list(range(1, 21))
    assert (df["refers_to_basis"] == "judgement").all()
    assert df.groupby("r").size().to_dict() == {"H1": 4, "H2": 5, "H3": 3, "H4": 3, "H5": 3, "H6": 2}


def test_attention_by_geography_counts_a_test_built_policy(tmp_path, raw):
    """On a policy with known links: two sub-items of 98 name Sindh, once elsewhere in C5."""
    doc = copy.deepcopy(raw)
    doc["geographies"] = [
        {"id": "x", "name": "X", "unit_ids": ["PK-SD"], "mentions": [
            {"ref": "98a", "where": "body", "quote": "q", "basis": "named"},
            {"ref": "98c", "where": "body", "quote": "q", "basis": "named"},
            {"ref": "C5", "where": "landscape", "quote": "q", "basis": "judgement"}]},
        {"id": "y", "name": "Y", "unit_ids": [], "unit_ids_note": "vague", "mentions": [
            {"ref": "1", "where": "body", "quote": "q", "basis": "named"}]},
    ]
    for r in doc["rs"]:
        r["key_area_geographies"] = ["x"] if r["id"] == "H4" else []
    p = load_policy(write_yaml(tmp_path, doc))
    df = attention_by_geography(p).set_index("unit_id")
    sd = df.loc["PK-SD"]
    assert (sd["n_interventions"], sd["n_intervention_items"], sd["n_priority_items"], sd["n_key_areas"],
            sd["n_mentions"], sd["n_judgement_links"]) == (1, 2, 1, 1, 3, 1)
    unlinked = df.loc[""]
    assert (unlinked["geographies"], unlinked["n_interventions"], unlinked["n_priority_items"]) == ("y", 1, 1)
    assert "" not in set(attention_by_geography(p, include_unlinked=False)["unit_id"])
    assert "judgement" in df.attrs["basis"]


def test_attention_by_r_adds_up(policy):
    df = attention_by_R(policy)
    assert list(df["r"]) == [f"H{k}" for k in range(1, 7)]
    assert df["n_interventions"].sum() == 120
    assert df["n_intervention_items"].sum() == len(policy.interventions)
    assert df["n_priority_items"].sum() == 20
    assert df["n_annex_indicators"].sum() == len(annex_indicators_frame(policy))
    assert df["n_geography_mentions"].sum() == \
        mentions_frame(policy)["r"].isin(df["r"]).sum()


def test_attention_by_geography_on_the_policy(policy):
    df = attention_by_geography(policy)
    assert (df["basis"] == "encoding judgement").all()
    linked = df[df["unit_id"] != ""].set_index("unit_id")
    # FATA is named by interventions 76 (tribal areas, a judgement) and 99 (with 99a and 99d)
    assert linked.loc["PK-TA", "n_interventions"] == 2
    assert linked.loc["PK-TA", "n_judgement_links"] >= 1
    assert isinstance(df, pd.DataFrame) and df["n_mentions"].ge(1).all()
