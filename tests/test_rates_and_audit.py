"""Rates per 100,000 from the drivers panels, and the data-audit tables."""

from __future__ import annotations

import numpy as np
import pytest

from test_incidents_example import registered  # noqa: F401 (fixture)
from workbench.panel import audit
from workbench.store import read_processed
from workbench.errors import ParameterError
from workbench.panel.rates import violence_rates


def test_province_rates_are_summed_deaths_over_summed_population():
    rates = violence_rates(level="province", layout="pre2018", start_year=1989, end_year=2021)
    assert rates.attrs["years_used"] == [1998, 2021]
    panel = read_processed("drivers_province_year")
    fata = panel[(panel["layout"] == "pre2018") & (panel["unit_id"] == "PK-TA") & panel["year"].between(1998, 2021)]
    want = fata["deaths_best"].sum() / fata["population"].sum() * 1e5
    got = rates.loc[rates["unit_id"] == "PK-TA", "deaths_per_100k"].iloc[0]
    assert np.isclose(got, want, rtol=1e-12)
    # not the plain mean of yearly rates
    assert not np.isclose(got, (fata["deaths_best"] / fata["population"] * 1e5).mean(), rtol=1e-3)
    # no population for AJK and GB: no rate, not zero
    assert rates.loc[rates["unit_id"].isin(["PK-JK", "PK-GB"]), "deaths_per_100k"].isna().all()


def test_rates_follow_the_estimate_and_types():
    best = violence_rates(start_year=2008, end_year=2017)
    high = violence_rates(start_year=2008, end_year=2017, deaths_estimate="high")
    one_sided = violence_rates(start_year=2008, end_year=2017, violence_types=["one_sided"])
    b, h, o = (x.set_index("unit_id")["deaths"] for x in (best, high, one_sided))
    assert (h >= 0).all() and h.sum() > b.sum() > o.sum() > 0


def test_bad_rate_parameters_are_refused():
    with pytest.raises(ParameterError, match="layout"):
        violence_rates(layout="1990s")
    with pytest.raises(ParameterError, match="start_year"):
        violence_rates(start_year=2019, end_year=2010)
    with pytest.raises(ParameterError, match="best estimate only"):
        violence_rates(deaths_estimate="low", violence_types=["one_sided"])


def test_audit_tables(mirror):
    cat = audit.catalog_table()
    assert len(cat) == 32 and set(cat["status"]) == {"ok"}
    panel = read_processed("violence_district_year_census2023")
    cov = audit.coverage_by_year(panel)
    located = cov[[c for c in cov.columns if c.startswith("events_located_to_")]].sum(axis=1)
    events_per_year = panel[panel["layout"] == "current"].groupby("year")["events"].sum().to_numpy()
    assert np.array_equal(located.to_numpy(), events_per_year)
    assert (cov["districts_in_set"] == 156).all()
    check = audit.fata_coding_check(read_processed("ucdp_event_assignment"))
    assert check["events"].sum() == 6416
    assert set(check["point_in_ne"]) <= {"FATA", "another unit", "outside every polygon"}
    holes = audit.known_holes()
    assert set(holes["dataset"]) <= set(cat["id"])


def test_rates_of_a_registered_incident_log_use_its_counts_and_census_populations(registered):
    from workbench.panel.violence import select_panel

    rates = violence_rates(level="province", layout="current", start_year=1989, end_year=2021,
                           violence_source="testlog")
    assert rates.attrs["violence_source"] == "testlog" and "testlog" in rates.attrs["sources"]
    counts = select_panel(level="province", layout="current", start_year=1998, end_year=2021,
                          violence_source="testlog")
    first, last = rates.attrs["years_used"]
    assert first >= 1998 and last <= 2021
    pop = read_processed("population_province_year")
    checked = 0
    for unit, row in rates.set_index("unit_id").iterrows():
        if np.isnan(row["deaths_per_100k"]):
            continue
        checked += 1
        c = counts[(counts["unit_id"] == unit) & counts["year"].between(first, last)]
        p = pop[(pop["layout"] == "current") & (pop["unit_id"] == unit) & pop["year"].between(first, last)]
        assert np.isclose(row["deaths_per_100k"], c["deaths"].sum() / p["population"].sum() * 1e5, rtol=1e-12)
    assert checked >= 3
