"""Who fights where: actors, conflicts, dyads, months and perpetrators.

Test-built event frames for the rules (involvement, never "caused by"; one-sided side_a is the
perpetrator; governments kept apart; Candidate codes; months), the shipped GED 22.1 for what the
data hold (India-Pakistan and US-al-Qaida events measured), and a fictional incident log for the
perpetrator tables (aggregates only, unmatched names listed).
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_incidents_example import incident_rows, write_incident_log

from workbench.errors import ParameterError
from workbench.indicators import actors as ia

SIDES = {"Government of Pakistan": "142", "Government of India": "141", "TTP": "356", "TTP-KM": "5864",
         "BLA": "287", "Civilians": "1", "XXX770": "3717", "IS": "234"}


def event(i: int, a: str, b: str, kind: int, best: int, *, year: int = 2020, start: str = "2020-03-04",
          end: str | None = None, province: str = "PK-KP") -> dict:
    return {"id": i, "year": year, "type_of_violence": kind, "conflict_name": f"{a} vs {b}",
            "conflict_new_id": 100 + kind, "dyad_name": f"{a} - {b}", "dyad_new_id": 1000 + i % 7,
            "side_a": a, "side_a_new_id": int(SIDES[a]), "side_b": b, "side_b_new_id": int(SIDES[b]),
            "best": best, "low": best - 1 if best else 0, "high": best + 2, "date_start": pd.Timestamp(start),
            "date_end": pd.Timestamp(end or start), "province": province}


@pytest.fixture
def events() -> pd.DataFrame:
    return pd.DataFrame([
        event(1, "Government of Pakistan", "TTP", 1, 10),
        event(2, "Government of Pakistan", "TTP-KM", 1, 4, province="PK-BA"),
        event(3, "TTP", "Civilians", 3, 7),
        event(4, "TTP-KM", "TTP", 2, 3),
        event(5, "Government of India", "Government of Pakistan", 1, 2, province="PK-JK"),
        event(6, "XXX770", "XXX770", 1, 5, year=2026, start="2026-01-05"),
        event(7, "BLA", "Civilians", 3, 6, start="2020-05-30", end="2020-06-02", province="PK-BA"),
    ])


@pytest.fixture(scope="module")
def table():
    from workbench.panel.actors import actor_table

    return actor_table()


def test_an_event_involves_both_sides_and_its_deaths_are_not_attributed(events, table):
    inv = ia.involvement(events, table)
    t = ia.by_actor(inv, by=()).set_index("actor")
    # TTP is involved in events 1, 3 and 4: all their deaths, whoever died
    assert t.loc["TTP", "events"] == 3 and t.loc["TTP", "deaths_best"] == 10 + 7 + 3
    assert t.loc["Government of Pakistan", "events"] == 3 and t.loc["Government of Pakistan", "deaths_low"] == 9 + 3 + 1
    assert "Civilians" not in t.index  # the target of one-sided violence is not an actor of the ranking
    assert t.loc["Government of India", "actor_kind"] == "government"


def test_grouping_follows_the_actor_table_and_counts_an_event_once_per_group(events, table):
    grouped = ia.by_actor(ia.involvement(events, table, grouped=True), by=()).set_index("actor")
    assert grouped.loc["TTP and its factions", "events"] == 4  # event 4 (TTP-KM vs TTP) counts once
    assert grouped.loc["Baloch insurgent groups", "events"] == 1
    ungrouped = ia.by_actor(ia.involvement(events, table, grouped=False), by=()).set_index("actor")
    assert {"TTP", "TTP-KM", "BLA"} <= set(ungrouped.index) and "TTP and its factions" not in ungrouped.index
    inv = ia.involvement(events, table, grouped=True)
    assert set(inv.loc[inv["actor"].eq("TTP and its factions"), "ucdp_name"]) == {"TTP", "TTP-KM"}  # names kept


def test_only_one_sided_side_a_is_a_perpetrator(events, table):
    p = ia.one_sided_by_perpetrator(ia.involvement(events, table, grouped=True)).set_index("perpetrator")
    assert p.loc["TTP and its factions", "deaths_best"] == 7  # event 3 only, not the state-based events
    assert p.loc["Baloch insurgent groups", "events"] == 1
    assert "Government of Pakistan" not in p.index and "Civilians" not in p.index


def test_governments_are_kept_apart_and_interstate_dyads_flagged(events, table):
    d = ia.dyads(events, table).set_index("dyad_name")
    assert bool(d.loc["Government of India - Government of Pakistan", "interstate"])
    assert not d.loc["Government of Pakistan - TTP", "interstate"]
    assert bool(d.loc["XXX770 - XXX770", "unidentified"])


def test_candidate_codes_are_not_yet_identified_and_not_deaths_unknown(events, table):
    inv = ia.involvement(events, table, grouped=False)
    assert set(inv.loc[inv["id"].eq(6), "actor"]) == {ia.UNIDENTIFIED}
    share = ia.unidentified_share(inv).set_index("year")
    assert share.loc[2026, "share_unidentified"] == 1.0 and share.loc[2020, "events_unidentified"] == 0
    assert ia.actor_kind("XXX812", "9999") == "unidentified" and ia.actor_kind("Civilians", "1") == "civilians"
    assert ia.UNIDENTIFIED != "deaths_unknown"


def test_an_event_spanning_two_months_is_left_out_of_months_and_counted(events):
    months, left = ia.monthly(events[events["year"].eq(2020)], by=["province"])
    ba = left.set_index("province").loc["PK-BA"]
    assert ba["events_left_out"] == 1 and ba["deaths_left_out"] == 6 and ba["events"] == 2
    assert months["events"].sum() == 5  # events 1-5; event 7 spans May and June
    kp = months[months["province"].eq("PK-KP")].set_index("month")
    assert kp.loc[pd.Timestamp("2020-03-01"), "deaths_best"] == 10 + 7 + 3
    assert kp.loc[pd.Timestamp("2020-04-01"), "events"] == 0  # months without events are zeros


@given(counts=st.lists(st.integers(0, 20), min_size=4, max_size=24), window=st.integers(1, 4))
def test_the_rolling_mean_is_the_trailing_mean_of_the_months(counts, window):
    rows = []
    for m, c in enumerate(counts):
        day = pd.Timestamp(2020, 1, 1) + pd.DateOffset(months=m)
        rows += [{"id": len(rows) + k, "date_start": day, "date_end": day, "best": 1} for k in range(c)]
    if not rows:
        return
    months, _ = ia.monthly(pd.DataFrame(rows), window=window)
    first = next(i for i, c in enumerate(counts) if c)
    last = max(i for i, c in enumerate(counts) if c)
    series = pd.Series(counts[first:last + 1], dtype=float)
    expected = series.rolling(window, min_periods=window).mean()
    assert months["events"].tolist() == counts[first:last + 1]
    pd.testing.assert_series_equal(months["events_rolling"], expected, check_names=False)


def test_new_and_ended_dyads_by_year():
    f = pd.DataFrame([event(i, "Government of Pakistan", "TTP", 1, 1, year=y) for i, y in [(1, 2000), (8, 2003)]] +
                     [event(2, "BLA", "Civilians", 3, 1, year=2001)])
    f["dyad_new_id"] = [10, 10, 20]
    t = ia.new_and_ended_dyads(f).set_index("year")
    assert t.loc[2000, "new"] == 1 and t.loc[2001, "new"] == 1 and t.loc[2001, "ended"] == 1
    assert t.loc[2002, "active"] == 0 and pd.isna(t.loc[2003, "ended"])  # the data end: not known


def test_a_bad_actor_table_names_its_row_and_column(table):
    bad = table.copy()
    bad.loc[3, "actor_kind"] = "militant"
    with pytest.raises(ParameterError, match=r"ucdp_actors.csv, row 5, column actor_kind: 'militant'"):
        ia.check_actor_table(bad)
    dup = pd.concat([table, table.iloc[[0]]], ignore_index=True)
    with pytest.raises(ParameterError, match="column actor_new_id"):
        ia.check_actor_table(dup)


# --------------------------------------------------------------------------- the real data


@pytest.fixture(scope="module")
def ged():
    from workbench.panel.actors import placed_events

    return placed_events("ucdp_ged_pak")


def test_ged_22_1_holds_two_foreign_governments_in_about_840_events(ged, table):
    d = ia.dyads(ged, table).set_index("dyad_name")
    assert d.loc["Government of India - Government of Pakistan", "events"] == 429
    assert bool(d.loc["Government of India - Government of Pakistan", "interstate"])
    assert d.loc["Government of United States of America - al-Qaida", "events"] == 411
    t = ia.by_actor(ia.involvement(ged, table), by=()).set_index("actor")
    assert t.loc["Government of India", "events"] == 433 and t.loc["Government of Pakistan", "events"] == 4878


def test_every_actor_of_the_shipped_releases_is_in_the_table_with_its_ucdp_name(ged, table):
    inv = ia.involvement(ged, table)
    assert inv["in_actor_table"].all()
    names = dict(zip(table["actor_new_id"], table["ucdp_name"], strict=True))
    assert (inv["ucdp_name"] == inv["actor_new_id"].map(names)).all()
    grouped = table[table["group_id"].isin(["ttp", "baloch"])]
    assert grouped["grouping"].str.contains("docs/actors.md").all()
    assert set(table.loc[table["group_id"].eq("ttp"), "ucdp_name"]) == {
        "TTP", "TTP-KM", "TTP - MR", "TTP - TA", "TTP-SM", "TTP - MT", "TTP-Islahi", "Jamaat-ul-Ahrar"}


def test_placed_events_sum_to_the_violence_panels(ged):
    from workbench.panel.violence import select_panel

    prov = select_panel(level="province")
    mine = ged.groupby("province")["best"].sum()
    theirs = prov.groupby("unit_id")["deaths"].sum()
    assert (mine.reindex(theirs.index, fill_value=0) == theirs).all()
    assert ged.attrs["not_placed"]["events"] == 0
    months, left = ia.monthly(ged)
    assert months["deaths_best"].sum() + left["deaths_left_out"].sum() == ged["best"].sum()


# --------------------------------------------------------------------------- perpetrators of an incident log


def test_perpetrators_are_matched_and_unmatched_names_listed_not_dropped():
    aliases = pd.DataFrame({"alias": ["TTP", "Tehrik-i-Taliban Pakistan", "BLA"], "actor": ["TTP", "TTP", "BLA"]})
    names = pd.Series(["tehrik-i-taliban  pakistan", "TTP", "Lashkar X", "", None, "Lashkar X", "bla"])
    actor, unmatched = ia.match_perpetrators(names, aliases)
    assert actor.tolist() == ["TTP", "TTP", "Lashkar X", "not stated", "not stated", "Lashkar X", "BLA"]
    assert unmatched.to_dict("records") == [{"name": "Lashkar X", "records": 2}]
    clash = pd.DataFrame({"alias": ["TTP", "T.T.P"], "actor": ["TTP", "BLA"]})
    with pytest.raises(ParameterError, match="map one spelling to different actors"):
        ia.match_perpetrators(names, pd.concat([aliases, clash.assign(alias=["ttp", "TTP"])]))


def test_a_registered_logs_perpetrators_give_aggregates_only(tmp_path, monkeypatch, mirror):
    from workbench.panel.actors import incident_perpetrators
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source

    rows = incident_rows()
    for r, name in zip(rows, ["TTP", "Tehreek-e-Taliban Pakistan", "BLA", "TTP-KM qzx-perp-marker", "", "BLA"] * 2,
                       strict=True):
        r["perpetrator"] = name
    folder = tmp_path / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    add_source(write_incident_log(folder / "log.csv", rows), kind="incident_log", source_id="actorlog",
               title="Actor log", compiler="Test", definition="fictional incidents for tests")
    records, unmatched = incident_perpetrators("actorlog")
    table = ia.perpetrator_table(records)
    assert set(table.columns) == {"perpetrator", "incidents", "killed", "incidents_killed_unknown"}
    t = table.set_index("perpetrator")
    assert t.loc["TTP and its factions", "incidents"] == 4 and t.loc["Baloch insurgent groups", "incidents"] == 4
    assert unmatched.to_dict("records") == [{"name": "TTP-KM qzx-perp-marker", "records": 2}]
    assert t["incidents"].sum() == len(rows)  # nothing dropped
    assert incident_perpetrators("ucdp_ged_pak") is None
