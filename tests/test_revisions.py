"""Revisions between two UCDP releases, on releases built by the tests (the shipped 22.1 and 26.0.2 share no
month): added, removed and changed events by year and province, matched by event id."""

from __future__ import annotations

import pytest

from conftest import run_cli
from ged_builder import write_ged
from release_builder import LAHORE, PESHAWAR, QUETTA, event, release_entry, use_catalog, write_catalog
from workbench import catalog
from workbench.sources import releases
from workbench.sources.ucdp_revisions import NOTE, comparable_pairs, revisions


@pytest.fixture
def two_releases(tmp_path, monkeypatch, mirror):
    """Two made-up yearly releases; the newer one revises 2020 and adds 2021."""
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "cache" / "ucdp_ged"
    folder.mkdir(parents=True)
    old_rows = [event(1, 2020, PESHAWAR, best=5), event(2, 2020, LAHORE, best=3), event(3, 2020, QUETTA, best=2),
                event(4, 2020, PESHAWAR, best=1, kind=2), event(5, 2020, PESHAWAR, best=7)]
    new_rows = [event(1, 2020, PESHAWAR, best=5),                 # unchanged
                event(2, 2020, LAHORE, best=8),                   # deaths revised 3 -> 8
                event(3, 2020, PESHAWAR, best=2),                 # moved from Quetta to Peshawar
                event(4, 2020, PESHAWAR, best=1, kind=3),         # type revised 2 -> 3
                # 5 dropped (or re-identified: it shows as removed + added)
                event(6, 2020, QUETTA, best=4),                   # added
                event(7, 2021, LAHORE, best=9)]                   # a year the older release does not cover
    old = write_ged(folder / "old.csv", old_rows, with_iso3=False)
    new = write_ged(folder / "new.csv", new_rows, with_iso3=False)
    entries = [release_entry("ged_old", "ucdp_ged/old.csv", old, family="ged", version="T.1", years=(2019, 2020)),
               release_entry("ged_new", "ucdp_ged/new.csv", new, family="ged", version="T.2", years=(2019, 2021))]
    path = write_catalog(tmp_path, entries, keep=())
    use_catalog(monkeypatch, path)
    return path


def test_events_added_removed_and_changed_by_year_and_province(two_releases):
    rev = revisions(releases.find_release("T.1"), releases.find_release("T.2"))
    assert rev.compared == "2019-2020"  # the years both cover: the added 2021 is no revision
    status = rev.events.set_index("id")
    assert status["status"].to_dict() == {1: "unchanged", 2: "changed", 3: "changed", 4: "changed", 5: "removed",
                                          6: "added"}
    assert status.loc[2, ["changed_deaths", "changed_location", "changed_type"]].tolist() == [True, False, False]
    assert status.loc[3, ["changed_deaths", "changed_location", "changed_type"]].tolist() == [False, True, False]
    assert status.loc[4, ["changed_deaths", "changed_location", "changed_type"]].tolist() == [False, False, True]
    assert status.loc[3, "province"] == "PK-KP"  # where the newer release places it
    assert rev.totals() == {"added": 1, "removed": 1, "changed": 3, "unchanged": 1}
    by = rev.summary.set_index(["year", "province"])
    # each release's events where it places them: T.1 had 1, 4, 5 in KP and 3 in Balochistan
    assert by.loc[(2020, "PK-KP"), ["events_old", "events_new"]].tolist() == [3, 3]
    assert by.loc[(2020, "PK-BA"), ["events_old", "events_new", "deaths_best_old", "deaths_best_new"]].tolist() == \
        [1, 1, 2, 4]
    # statuses where the newer release places the event (event 3 moved into KP; event 5 removed from KP)
    assert by.loc[(2020, "PK-KP"), ["unchanged", "changed", "removed", "added", "changed_location"]].tolist() == \
        [1, 2, 1, 0, 1]
    assert by.loc[(2020, "PK-BA"), ["added", "changed"]].tolist() == [1, 0]
    assert by.loc[(2020, "PK-PB"), ["deaths_best_old", "deaths_best_new", "deaths_best_change"]].tolist() == [3, 8, 5]
    assert rev.summary["events_old"].sum() == 5 and rev.summary["events_new"].sum() == 5  # 2021 is not compared
    assert "re-identified" in NOTE and "removed and added" in NOTE
    assert set(rev.summary.attrs["sources"]) >= {"ged_old", "ged_new", "osm_districts"}
    assert comparable_pairs() == [(releases.find_release("T.1"), releases.find_release("T.2"))]


def test_cli_revisions_prints_the_table_and_the_matching_rule(two_releases, tmp_path):
    out = tmp_path / "rev.csv"
    res = run_cli("data", "revisions", "T.1", "T.2", "--csv", str(out),
                  env={"WORKBENCH_CATALOG": str(two_releases), "WORKBENCH_CACHE": str(tmp_path / "cache")})
    assert res.returncode == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "Events: 1 added, 1 removed, 3 changed, 1 unchanged" in text and NOTE in text
    assert out.read_text().startswith("year,province,events_old,events_new,added,removed,changed")


def test_the_shipped_releases_share_no_month_and_say_so(tmp_path):
    res = run_cli("data", "revisions", "22.1", "26.0.2", env={"WORKBENCH_CACHE": str(tmp_path / "cache")})
    assert res.returncode == 0, res.stderr
    assert "nothing to compare" in res.stdout and "1989-2021" in res.stdout
    assert catalog.verify(ids=["ucdp_ged_pak"]).iloc[0]["status"] == "ok"
