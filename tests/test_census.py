"""Census readers (workbench.sources.census) on the mirrored PBS tables, and their refusals of bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.panel import demography
from workbench.catalog import resolve_path
from workbench.errors import DataValidationError, ParameterError, UnknownUnitError
from workbench.sources import census


@pytest.fixture(scope="module")
def age(mirror):
    return census.read_age_table("district")


def _subset(dataset_id: str, tmp_path: Path, keep, name: str = "t.csv") -> tuple[Path, pd.DataFrame]:
    """A test file built from the mirrored one: header plus the rows ``keep`` selects (all text)."""
    df = pd.read_csv(resolve_path(dataset_id), dtype=str, keep_default_na=False)
    df = df[keep(df)].reset_index(drop=True)
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path, df


# --------------------------------------------------------------------------- the real files

def test_2023_summary_headline_totals(mirror):
    prov = census.read_summary("province")
    pk = prov[(prov["region_src"] == "Pakistan") & (prov["area_src"] == "All")].iloc[0]
    assert pk["pop_2023"] == 241_499_431 and pk["pop_2017"] == 207_684_626
    dist = census.read_summary("district")
    assert len(dist) == 136 and dist["pop_2023"].sum() == 241_499_431 and dist["pop_2017"].sum() == 207_684_626
    assert prov.attrs["sources"] == ["census2023_province_summary"]


def test_age_table_universe_and_structure(age):
    total = age[(age["age_label_src"] == "ALL AGES") & (age["residence"] == "overall") & (age["sex"] == "all_sexes")]
    assert len(total) == 136 and total["population"].sum() == 240_458_089
    assert len(age) == 125_664
    # ages are 0..74 single years plus the open 75+ group
    single = age.dropna(subset=["age_max"])
    assert sorted(single["age_min"].unique()) == list(range(75))
    assert (age.loc[age["age_label_src"] == "75 & ABOVE", "age_min"] == 75).all()
    # published blanks stay missing (rural Karachi has no rural population)
    kc = age[(age["district_src"] == "KARACHI CENTRAL") & (age["residence"] == "rural")]
    assert kc["population"].isna().all()


def test_census2017_files_and_the_one_tolerated_discrepancy(mirror):
    d = census.read_census2017_district()
    assert len(d) == 272 and d["pop_2017_provisional"].sum() == 207_774_520 and d["pop_1998"].sum() == 132_352_279
    hangu = d[(d["district_src"] == "Hangu") & (d["residence"] == "urban")].iloc[0]
    assert hangu["male"] + hangu["female"] + hangu["transgender"] - hangu["pop_2017_provisional"] == 1


def test_a_second_sex_discrepancy_is_refused(mirror, tmp_path):
    path, df = _subset("census2017_district", tmp_path, lambda d: d["province_std"] == "KHYBER PAKHTUNKHWA")
    row = int(df.index[df["district_src"].eq("Swat") & df["residence"].eq("rural")][0])
    df.loc[row, "male"] = str(int(df.loc[row, "male"]) + 5)
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        census.read_census2017_district(path)
    assert err.value.row == row + 1 and err.value.column == "pop_2017_provisional"
    assert "the sexes do not add up" in str(err.value) and "difference -5" in str(err.value)


def test_table12_and_amenities(mirror):
    t12 = census.read_table12_district()
    lit = t12[(t12["sex"] == "all_sexes") & (t12["residence"] == "overall")]
    num = lit.loc[lit["variable"] == "Literate >=10", "value"].sum()
    den = lit.loc[lit["variable"] == "Population >=10", "value"].sum()
    assert round(100 * num / den, 2) == 60.65
    amen = census.read_amenities_district()
    assert amen.loc[amen["residence"] == "overall", "households"].sum() == 38_292_556


def test_table13_returns_counts_only(mirror):
    t13 = census.read_table13_district()
    assert not t13["variable"].str.contains("%", regex=False).any()
    assert t13["district_src"].nunique() == 135  # no ICT in the source


# --------------------------------------------------------------------------- bad age tables

def _one_district(tmp_path):
    return _subset("census2023_age_single_district", tmp_path, lambda d: d["district_src"] == "AWARAN")


def test_missing_age_row_names_the_cell(mirror, tmp_path):
    path, df = _one_district(tmp_path)
    drop = df.index[(df["age_label_src"] == "17") & (df["residence"] == "urban") & (df["sex"] == "male")]
    df.drop(index=drop).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        census.read_age_table("district", path)
    msg = str(err.value)
    assert str(path) in msg and "missing age row(s) ['17']" in msg and "sex='male'" in msg
    assert err.value.column == "age_label_src"


def test_negative_count_names_row_and_column(mirror, tmp_path):
    path, df = _one_district(tmp_path)
    df.loc[10, "population"] = "-4"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        census.read_age_table("district", path)
    assert err.value.row == 11 and err.value.column == "population" and "negative count" in str(err.value)


def test_ages_that_do_not_add_up_to_the_total(mirror, tmp_path):
    path, df = _one_district(tmp_path)
    i = int(df.index[(df["age_label_src"] == "ALL AGES") & (df["residence"] == "rural")
                     & (df["sex"] == "female")][0])
    df.loc[i, "population"] = str(int(df.loc[i, "population"]) + 100)
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        census.read_age_table("district", path)
    assert err.value.row == i + 1 and err.value.column == "population"
    assert "difference +100" in str(err.value)


def test_sexes_that_do_not_add_up(mirror, tmp_path):
    path, df = _one_district(tmp_path)
    # move 7 persons from the female to the male cell of one age for rural + overall: totals stay equal
    for res in ("rural", "overall"):
        m = (df["age_label_src"] == "30") & (df["residence"] == res)
        i_m = int(df.index[m & (df["sex"] == "male")][0])
        df.loc[i_m, "population"] = str(int(df.loc[i_m, "population"]) + 7)
        tot = int(df.index[(df["age_label_src"] == "ALL AGES") & (df["residence"] == res) & (df["sex"] == "male")][0])
        df.loc[tot, "population"] = str(int(df.loc[tot, "population"]) + 7)
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="the sexes do not add up"):
        census.read_age_table("district", path)


def test_label_and_bounds_must_agree(mirror, tmp_path):
    path, df = _one_district(tmp_path)
    i = int(df.index[df["age_label_src"] == "40"][0])
    df.loc[i, "age_min"] = "41"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        census.read_age_table("district", path)
    assert err.value.row == i + 1 and err.value.column == "age_min"


def test_unknown_district_name_is_an_error_not_a_drop(age):
    bad = age[age["district_src"] == "AWARAN"].copy()
    bad["district_src"] = "ATLANTIS"
    with pytest.raises(UnknownUnitError, match="ATLANTIS"):
        demography.youth_table(age=pd.concat([age, bad], ignore_index=True))


def test_percentage_out_of_range_in_table12(mirror, tmp_path):
    path, df = _subset("census2023_table12_district", tmp_path, lambda d: d["district_src"] == "AWARAN")
    i = int(df.index[df["variable"].str.startswith("Literate %")][0])
    df.loc[i, "male_urban"] = "104.5"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        census.read_table12_district(path)
    assert err.value.row == i + 1 and err.value.column == "male_urban" and "0-100" in str(err.value)


def test_level_is_checked(mirror):
    with pytest.raises(ParameterError, match="level"):
        census.read_age_table("tehsil")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- 2017 units and FATA

def test_census2017_units_take_fata_from_the_tehsil_file(mirror):
    units = demography.census2017_units()
    assert len(units) == 136
    assert units["pop_1998"].sum() == 132_352_279 and units["pop_2017_provisional"].sum() == 207_774_520
    fata = units[units["province_pre2018"] == "PK-TA"]
    assert len(fata) == 13 and (fata["source_table"] == "census2017_tehsil").all()
    assert fata["pop_2017_provisional"].sum() == 5_001_676
    assert fata.set_index("unit_id").at["census2017/bajaur", "pop_2017_provisional"] == 1_093_684


def test_district_file_fata_labels_are_out_of_order(mirror):
    cmp = demography.fata_label_comparison()
    assert len(cmp) == 13 and not cmp["labels_agree"].any()
    assert cmp["district_file_pop_2017"].sum() == cmp["tehsil_file_pop_2017"].sum()
    assert cmp["district_file_pop_1998"].sum() == cmp["tehsil_file_pop_1998"].sum()


def test_frontier_regions_match_their_2023_subdivisions(mirror):
    fr = demography.frontier_regions()
    assert len(fr) == 6
    assert (fr["relative_difference_2017"].abs() < demography.FR_MATCH_TOLERANCE).all()
    assert fr["pop_2017_final"].sum() == 43_112 + 68_506 + 118_839 + 26_394 + 64_761 + 36_418
    assert np.isfinite(fr["pop_2023"]).all()
