"""Need against priority: ranking need (data), attention per unit (encoding judgement), the scorecard and heatmap."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from workbench.errors import ParameterError  # noqa: E402
from workbench.policy import alignment as al  # noqa: E402
from workbench.report import charts  # noqa: E402
from workbench.policy.nisp import attention_by_geography, load_policy  # noqa: E402

# --------------------------------------------------------------------------- ranking need


def need_frame(values: list[float], direction: int, indicator: str = "x.y") -> pd.DataFrame:
    return pd.DataFrame({"indicator": indicator, "direction": direction, "value": values,
                         "unit_id": [f"U{i}" for i in range(len(values))]})


@settings(deadline=None, max_examples=60)
@given(st.lists(st.one_of(st.floats(min_value=0, max_value=100, allow_nan=False), st.just(np.nan)),
                min_size=2, max_size=10))
def test_rank_need_direction_and_missing(values: list[float]) -> None:
    up = al.rank_need(need_frame(values, 1))
    down = al.rank_need(need_frame(values, -1))
    have = ~np.isnan(values)
    assert up["need_rank"].isna().tolist() == (~have).tolist()  # a missing value has no rank
    assert int(up["n_ranked"].iloc[0]) == have.sum()
    if have.sum() >= 2:
        v = pd.Series(values)[have]
        assert up.loc[v.idxmax(), "need_rank"] == 1  # higher value = more need
        assert down.loc[v.idxmin(), "need_rank"] == 1  # lower value = more need
        pct = up["need_percentile"].dropna()
        assert pct.between(0, 1).all()
        assert pct.max() == 1
    else:
        assert up["need_percentile"].isna().all()


def test_an_indicator_two_drivers_share_is_ranked_within_each() -> None:
    one = need_frame([40.0, 60.0, 80.0], -1, "deprivation.literacy_10plus")
    both = pd.concat([one.assign(driver="D1"), one.assign(driver="D3")], ignore_index=True)
    ranked = al.rank_need(both)
    assert ranked["n_ranked"].eq(3).all()
    assert ranked.groupby("driver")["need_rank"].apply(list).to_dict() == {"D1": [1, 2, 3], "D3": [1, 2, 3]}


def test_scorecard_joins_need_and_attention() -> None:
    need = pd.concat([need_frame([10, 20, 30], 1, "youth.share_15_29"), need_frame([90, 50, 70], -1,
                                                                                   "deprivation.literacy_10plus")])
    need = need.assign(driver="D1", driver_name="Youth", role="measure", column="c", unit_name=need["unit_id"],
                       measured_year="2023", missing_reason="")
    need.attrs["sources"] = ["census2023_age_single_district"]
    att = pd.DataFrame({"unit_id": ["U0", "U2"], "n_interventions": [3, 1], "n_priority_items": [1, 0],
                        "n_key_areas": [0, 0], "n_mentions": [5, 1]})
    card = al.scorecard(need, att)
    assert list(card.columns) == al.SCORECARD_COLUMNS
    u1 = card[card["unit_id"] == "U1"].iloc[0]
    assert u1["n_mentions"] == 0  # a unit the policy never names has zero attention
    youth = card[card["indicator"] == "youth.share_15_29"].set_index("unit_id")
    assert youth.loc["U2", "need_rank"] == 1 and youth.loc["U0", "attention_rank"] == 1
    assert youth.loc["U2", "need_minus_attention"] == pytest.approx(1.0 - 0.5)
    lit = card[card["indicator"] == "deprivation.literacy_10plus"].set_index("unit_id")
    assert lit.loc["U1", "need_rank"] == 1  # lowest literacy
    assert set(card["need_basis"]) == {"data"} and set(card["attention_basis"]) == {"encoding judgement"}
    assert card.attrs["sources"] == ["census2023_age_single_district", "policy:nisp2018"]
    with pytest.raises(ParameterError, match="attention_measure"):
        al.scorecard(need, att, attention_measure="n_money")


# --------------------------------------------------------------------------- need from a test-built drivers panel


def drivers_panel() -> pd.DataFrame:
    rows = []
    for unit, deaths, pop, literacy in (("PK-PB", 10, 1e6, 70.0), ("PK-BA", 50, 1e5, 40.0), ("PK-TA", 5, 1e5, np.nan)):
        for year in range(2005, 2019):
            rows.append({"layout": "pre2018", "unit_id": unit, "unit_name": unit, "unit_level": "province",
                         "province": unit, "year": year, "deaths_best": deaths, "population": pop,
                         "youth_share_15_29": 0.25, "youth_bulge_15_24": 0.3, "youth_year": 2023,
                         "literacy_10plus_pct": literacy, "out_of_school_5_16_pct": 100 - (literacy or 0),
                         "improved_water_pct": 90.0, "flush_toilet_pct": 80.0, "electricity_pct": 95.0,
                         "census_deprivation_year": 2023, "mpi_headcount_pct": 30.0, "mpi_year": 2015})
    rows.append({**rows[0], "unit_id": "PK", "unit_level": "country", "province": "PK"})
    df = pd.DataFrame(rows)
    df.attrs["sources"] = ["ucdp_ged_pak"]
    return df


def test_need_table_on_a_built_panel() -> None:
    need = al.need_table(drivers_panel(), violence_years=(2008, 2017))
    assert set(need["unit_id"]) == {"PK-PB", "PK-BA", "PK-TA"}  # the country row is not a province
    v = need[need["indicator"] == "violence.deaths_per_100k"].set_index("unit_id")
    assert v.loc["PK-BA", "value"] == pytest.approx(50 * 10 / (1e5 * 10) * 1e5)
    assert v.loc["PK-BA", "measured_year"] == "2008-2017"
    lit = need[(need["indicator"] == "deprivation.literacy_10plus") & (need["driver"] == "D3")].set_index("unit_id")
    assert lit.loc["PK-TA", "missing_reason"].startswith("no literacy_10plus_pct")
    assert "deprivation.poverty_rate" in need.attrs["not_ranked"]  # no district poverty in a province panel
    assert "inequality.theil_poverty" in need.attrs["not_ranked"]
    with pytest.raises(ParameterError, match="violence_years"):
        al.need_table(drivers_panel(), violence_years=(2001, 2017))
    with pytest.raises(ParameterError, match="layout"):
        al.need_table(drivers_panel(), layout="future")
    with pytest.raises(ParameterError, match="district level"):
        al.need_table(drivers_panel(), level="district", layout="pre2018")


# --------------------------------------------------------------------------- attention


def test_attention_by_layout_and_level() -> None:
    policy = load_policy()
    base = attention_by_geography(policy, include_unlinked=False).set_index("unit_id")
    pre = al.attention_table(level="province", layout="pre2018", policy=policy).set_index("unit_id")
    assert pre.index.str.startswith("PK-").all()
    assert pre.loc["PK-TA", "n_mentions"] == base.loc["PK-TA", "n_mentions"]
    cur = al.attention_table(level="province", layout="current", policy=policy).set_index("unit_id")
    assert "PK-TA" not in cur.index
    kp, ta = base.loc["PK-KP"], base.loc["PK-TA"]
    assert cur.loc["PK-KP", "n_mentions"] == kp["n_mentions"] + ta["n_mentions"]
    assert max(kp["n_interventions"], ta["n_interventions"]) <= cur.loc["PK-KP", "n_interventions"] \
        <= kp["n_interventions"] + ta["n_interventions"]  # a passage naming both counts once
    dist = al.attention_table(level="district", policy=policy).set_index("unit_id")
    assert dist.index.str.startswith("census2023/").all()
    for d in ("census2023/karachi_east", "census2023/malir"):
        assert dist.loc[d, "n_mentions"] == base.loc["division/karachi", "n_mentions"]
    assert dist.loc["census2023/swat", "n_mentions"] == base.loc["stable/swat", "n_mentions"]


def test_theme_links_quote_the_key_areas() -> None:
    policy = load_policy()
    themes = al.theme_attention(policy)
    for r_id, key_area in themes[["r", "key_area"]].itertuples(index=False):
        assert key_area in policy.r(r_id).key_areas, f"{r_id}: {key_area!r} is not one of its key areas"
    measurable = {d.id for d in policy.drivers if d.indicators}
    assert measurable | {"V"} == set(themes["driver"])


# --------------------------------------------------------------------------- end to end on the real data


@pytest.fixture(scope="module")
def province_card(mirror) -> pd.DataFrame:
    return al.build_scorecard(level="province")


def test_province_scorecard_on_real_data(province_card) -> None:
    from workbench.store import read_processed
    from workbench.panel.demography import population_table

    card = province_card
    assert set(card["layout"]) == {"pre2018"}
    assert {"D1", "D3", "V"} == set(card["driver"])
    assert set(card["unit_id"]) == {"PK-PB", "PK-SD", "PK-KP", "PK-TA", "PK-BA", "PK-IS", "PK-GB", "PK-JK"}
    # the violence need is a second computation away from the panels
    p = read_processed("violence_province_year")
    pop = population_table("province")
    for unit in ("PK-TA", "PK-PB"):
        d = p[(p["layout"] == "pre2018") & (p["unit_id"] == unit) & p["year"].between(2008, 2017)]["deaths_best"].sum()
        n = pop[(pop["layout"] == "pre2018") & (pop["unit_id"] == unit) & pop["year"].between(2008, 2017)]
        got = card[(card["indicator"] == "violence.deaths_per_100k") & (card["unit_id"] == unit)]["value"].iloc[0]
        assert got == pytest.approx(d / n["population"].sum() * 1e5)
    # every missing value says why, and ranks count the units with a value in each driver's indicator
    assert (card.loc[card["value"].isna(), "missing_reason"] != "").all()
    have = card.groupby(["driver", "indicator"])["value"].transform(lambda s: s.notna().sum())
    assert (card["n_ranked"] == have).all()
    assert (card.groupby(["driver", "indicator"])["need_rank"].max() <= card.groupby(["driver", "indicator"])[
        "n_ranked"].first()).all()
    assert {"ucdp_ged_pak", "policy:nisp2018"} <= set(card.attrs["sources"])


def test_heatmap(province_card) -> None:
    fig = charts.need_attention_heatmap(province_card)
    try:
        axes_with_labels = fig.axes[:2]  # the two panels (the colour bars follow)
        assert [ax.get_ylabel() for ax in axes_with_labels] == ["need (data)", "attention\n(encoding\njudgement)"]
        assert any("Source:" in t.get_text() for t in fig.texts)
        top = axes_with_labels[0]
        assert len(top.get_yticklabels()) == province_card.drop_duplicates("indicator").shape[0]
    finally:
        plt.close(fig)
    with pytest.raises(ParameterError, match="not in the scorecard"):
        charts.need_attention_heatmap(province_card, units=["PK-XX"])
    with pytest.raises(ParameterError, match="mixes levels"):
        charts.need_attention_heatmap(pd.concat([province_card, province_card.assign(layout="current")]))


def test_scorecard_command(mirror, tmp_path) -> None:
    from typer.testing import CliRunner

    from workbench.cli import app

    out = CliRunner().invoke(app, ["policy", "scorecard", "--csv", str(tmp_path / "card.csv"),
                                   "--figure", str(tmp_path / "card.png")])
    assert out.exit_code == 0, out.output
    card = pd.read_csv(tmp_path / "card.csv")
    assert list(card.columns) == al.SCORECARD_COLUMNS
    assert (tmp_path / "card.png").stat().st_size > 0
    assert "encoding judgement" in out.output
    bad = CliRunner().invoke(app, ["policy", "scorecard", "--level", "tehsil"])
    assert bad.exit_code != 0 and "--level must be one of" in str(bad.exception)


def test_cli_scorecard_refuses_an_unknown_image_type_before_computing(tmp_path):
    from conftest import run_cli

    res = run_cli("policy", "scorecard", "--figure", str(tmp_path / "heatmap.notanimage"))
    assert res.returncode == 1 and res.stderr.startswith("error: --figure") and ".png" in res.stderr
    assert "Traceback" not in res.stderr and not (tmp_path / "heatmap.notanimage").exists()
