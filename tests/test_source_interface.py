"""The violence source interface: the shipped kinds yield one schema, and a new kind is one class plus one entry.

The tiny source kind below is defined by the test, with counts made up by the test (never shown as
real): registering it with the resolver is all it takes for the violence panel, the rates per
100,000 and a claim of the audit to run on it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import sources
from workbench.errors import ParameterError
from workbench.geo.units import load_registry
from workbench.panel.rates import violence_rates
from workbench.panel.violence import select_panel
from workbench.sources import resolver
from workbench.sources.base import PANEL_KEY, YEAR_COLUMNS, Coverage, ViolenceSource, measure_columns

#: Made-up deaths a year per province (test data only).
TINY_DEATHS = {"PK-PB": 10, "PK-SD": 40, "PK-KP": 90, "PK-TA": 30, "PK-BA": 60, "PK-IS": 1, "PK-GB": 0, "PK-JK": 0}


class TinySource(ViolenceSource):
    """A source kind defined by a test: provinces only, deaths and events, 2010-2015."""

    kind_label = "test-built source"

    def __init__(self) -> None:
        self.id = "tiny_test_source"
        self.title = "Tiny test source"
        self.label = "Tiny test source (2010-2015)"
        self.definition = "made-up counts built by the test"
        self.coverage = Coverage(first_year=2010, last_year=2015, levels=("national", "province"),
                                 measures=("events", "deaths_best"))
        self.provenance = ["ucdp_ged_pak"]  # a citable id: footnotes must resolve (the numbers are the test's)
        self.caveat = "test-built counts"

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        reg = load_registry()
        provinces = [str(u) for u in reg.provinces(layout)["unit_id"]]
        rows = []
        for year in range(2010, 2016):
            for unit in provinces:
                deaths = TINY_DEATHS[unit] + (TINY_DEATHS["PK-TA"] if layout == "current" and unit == "PK-KP" else 0)
                rows.append({"unit_id": unit, "unit_name": reg.name(unit), "unit_level": "province",
                             "province": unit, "year": year, "events": deaths // 5, "deaths_best": deaths})
        p = pd.DataFrame(rows)
        if level == "national":
            p = p.groupby("year", as_index=False)[["events", "deaths_best"]].sum()
            p["unit_id"], p["unit_name"], p["unit_level"], p["province"] = "PK", "Pakistan", "country", "PK"
        return p


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setitem(resolver.FIXED, "tiny_test_source", lambda **options: TinySource())
    return sources.resolve("tiny_test_source")


def test_a_new_kind_runs_through_the_violence_panel(tiny):
    p = select_panel(level="province", layout="pre2018", violence_source="tiny_test_source")
    assert p.attrs["selection"]["years"] == [2010, 2015]
    punjab = p[p["unit_id"] == "PK-PB"]
    assert list(punjab["deaths"]) == [10] * 6
    with pytest.raises(ParameterError, match="has one count of persons killed"):
        select_panel(violence_source="tiny_test_source", deaths_estimate="low")
    with pytest.raises(ParameterError, match="national, province figures only"):
        select_panel(level="district", violence_source="tiny_test_source")
    with pytest.raises(ParameterError, match="violence_types does not apply"):
        select_panel(violence_source="tiny_test_source", violence_types=["one_sided"])


def test_a_new_kind_runs_through_the_rates(tiny):
    r = violence_rates(level="province", layout="current", start_year=2010, violence_source=tiny)
    assert r.attrs["years_used"] == [2010, 2015]
    kp = r.set_index("unit_id").loc["PK-KP"]
    assert kp["deaths"] == 6 * 120
    assert kp["deaths_per_100k"] == pytest.approx(1e5 * kp["deaths"] / kp["person_years"])


def test_a_new_kind_runs_through_a_claim(tiny):
    from workbench.policy.claims import AuditParameters, audit_claims, claims_frame_from

    results = audit_claims(claim_ids=["C5.punjab_least_fatalities"], violence_source=tiny,
                           params=AuditParameters(default_period=(2010, 2015)))
    frame = claims_frame_from(results)
    row = frame.set_index("claim_id").loc["C5.punjab_least_fatalities"]
    assert row["violence_source"] == "tiny_test_source"
    assert row["verdict"] == "supported"  # Punjab's made-up 10 a year is the least of C5's four regions


@pytest.mark.parametrize("level", ["national", "province", "district"])
def test_the_shipped_ucdp_release_yields_the_one_schema(level):
    src = sources.resolve("ucdp_ged_pak")
    p = src.panel(level, "current")
    assert list(p.columns) == [*PANEL_KEY, *measure_columns(src), *YEAR_COLUMNS]
    assert not p["provisional"].any() and (p["months"] == 12).all()  # GED 22.1: final counts, every year whole
    assert p["injured"].isna().all()  # UCDP counts no injuries: missing, not zero
    assert (p["events"] >= 0).all() and p["events"].notna().all()
    assert p.attrs["sources"][0] == "ucdp_ged_pak" and "osm_districts" in p.attrs["sources"]  # events, placement


def test_national_figure_includes_events_located_only_to_the_country():
    src = sources.resolve("ucdp_ged_pak")
    national = src.panel("national", "current").set_index("year")
    province = src.panel("province", "current")
    assert (national["events"] == province.groupby("year")["events"].sum()).all()
    only_country = province[province["unit_id"] == "PK"].set_index("year")["events"]
    assert only_country.sum() > 0  # such events exist in GED 22.1 ...
    located = province[province["unit_level"] == "province"].groupby("year")["events"].sum()
    assert (national["events"] - located).sum() == only_country.sum()  # ... and count nationally


def test_the_resolver_names_the_known_ids_for_an_unknown_one():
    with pytest.raises(ParameterError, match="unknown violence source 'nope': .* known: ucdp_ged_pak"):
        sources.resolve("nope")
    assert "ucdp_ged_pak" in sources.available()


def test_conform_fills_measures_a_source_lacks_with_missing_not_zero(tiny):
    p = tiny.panel("province", "current")
    assert p["deaths_low"].isna().all() and p["injured"].isna().all()
    assert np.issubdtype(p["year"].dtype, np.integer)
