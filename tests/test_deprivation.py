"""Deprivation: Data4Pakistan (coverage, ranges, units), the MPI reference table, census 2023 amenities."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.catalog import resolve_path
from workbench.errors import DataValidationError, UnknownUnitError
from workbench.geo.units import load_registry
from workbench.sources import deprivation, reference

NISP_TEXT = Path(__file__).resolve().parents[1] / "data" / "policy" / "text" / "nisp2018.txt"


def _nisp_text() -> str:
    """The NISP 2018 text shipped in data/policy/text/, whitespace collapsed."""
    return " ".join(NISP_TEXT.read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def dictionary(mirror):
    return deprivation.d4p_dictionary()


@pytest.fixture(scope="module")
def raw(dictionary):
    return deprivation.read_d4p_indicators(dictionary=dictionary)


@pytest.fixture(scope="module")
def units(raw):
    return deprivation.d4p_units(long=raw)


@pytest.fixture(scope="module")
def long(raw, dictionary, units):
    return deprivation.d4p_long(long=raw, dictionary=dictionary, units=units)


@pytest.fixture(scope="module")
def census_table(mirror):
    return deprivation.census_deprivation()


# --------------------------------------------------------------------------- Data4Pakistan

def test_poverty_rate_exists_only_2004_2014_for_about_117_districts(long, dictionary, units):
    cov = deprivation.d4p_coverage(long, dictionary, units)
    pov = cov[cov["indicator_id"] == deprivation.POVERTY_ID].set_index("year")
    assert pov["units_with_value"].to_dict() == {2004: 116, 2006: 118, 2008: 118, 2010: 118, 2012: 117, 2014: 116,
                                                 2016: 0, 2017: 0, 2018: 0, 2019: 0}
    assert (pov["units_listed"] == 133).all()  # 134 rows per year minus the "Jammu & Kashmir" placeholder
    never = set(pov.at[2006, "missing_units"].split("; "))
    fata = {"d4p/bajaur", "d4p/khyber", "d4p/kurram", "d4p/mohmand", "d4p/north_waziristan", "d4p/orakzai",
            "d4p/south_waziristan", "d4p/fr_bannu", "d4p/fr_dera_ismail_khan", "d4p/fr_kohat", "d4p/fr_lakki_marwat",
            "d4p/fr_peshawar", "d4p/fr_tank"}
    assert never == fata | {"d4p/azad_jammu_and_kashmir", "d4p/gilgit_baltistan"}
    assert pov["estimate_type"].iloc[0] == deprivation.SMALL_AREA
    # other indicators have other coverage: MICS rounds, expenditure items 2017-2019
    mics = cov[cov["indicator_id"] == "prevalence_of_stunting_height_for_age"].set_index("year")["units_with_value"]
    assert mics[2010] == 68 and mics[2004] == 0 and mics[2016] == 25


def test_dictionary_types_every_indicator(dictionary):
    kinds = dictionary.set_index("indicator")["measure_kind"]
    assert kinds["Poverty Rate (%)"] == "percent"
    assert kinds["Gross school enrollment, primary school, 6-10 years old (% gross)"] == "percent_gross"
    assert kinds["Hospital Services"] == "amount_unstated"  # marked '%' by the publisher, amounts in millions
    assert kinds["Average age at first marriage of women (married woman aged 15 to 49)"] == "years"
    assert dictionary["indicator_id"].is_unique and len(dictionary) == 146


def test_values_are_on_registry_units_with_provinces(long):
    pov = long[long["indicator_id"] == deprivation.POVERTY_ID]
    assert pov["unit_id"].str.startswith("d4p/").all()
    assert set(pov["province_pre2018"]) == {"PK-PB", "PK-SD", "PK-KP", "PK-BA", "PK-IS"}
    assert pov["value"].between(0, 100).all()
    assert long.attrs["sources"][0] == "d4p_indicators"


def _wide_subset(tmp_path: Path, districts: list[str]) -> tuple[Path, pd.DataFrame]:
    df = pd.read_csv(resolve_path("d4p_indicators"), dtype=str, keep_default_na=False)
    df = df[df["District"].isin(districts)].reset_index(drop=True)
    return tmp_path / "d4p.csv", df


def test_a_percentage_above_100_names_file_row_and_column(dictionary, tmp_path):
    path, df = _wide_subset(tmp_path, ["Quetta", "Lahore"])
    i = int(df.index[(df["District"] == "Lahore") & (df["Year"] == "2010")][0])
    df.loc[i, "Poverty Rate (%)"] = "120"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        deprivation.read_d4p_indicators(path, dictionary=dictionary)
    assert err.value.row == i + 1 and err.value.column == "Poverty Rate (%)"
    assert str(path) in str(err.value) and "0 to 100" in str(err.value)


def test_unknown_district_is_an_error(dictionary, tmp_path):
    path, df = _wide_subset(tmp_path, ["Quetta"])
    df.loc[0, "District"] = "Quettta Cantt"
    df.to_csv(path, index=False)
    raw = deprivation.read_d4p_indicators(path, dictionary=dictionary)
    with pytest.raises(UnknownUnitError, match="Quettta Cantt"):
        deprivation.d4p_long(long=raw, dictionary=dictionary)


def test_placeholder_holding_a_value_is_an_error(dictionary, tmp_path):
    path, df = _wide_subset(tmp_path, ["Jammu & Kashmir", "Quetta"])
    i = int(df.index[df["District"] == "Jammu & Kashmir"][0])
    df.loc[i, "Poverty Rate (%)"] = "30"
    df.to_csv(path, index=False)
    raw = deprivation.read_d4p_indicators(path, dictionary=dictionary)
    with pytest.raises(DataValidationError, match="placeholder"):
        deprivation.d4p_long(long=raw, dictionary=dictionary)


# --------------------------------------------------------------------------- multidimensional poverty

def test_mpi_province_table_rows_and_sources(mirror):
    mpi = deprivation.mpi_province().set_index("unit_id")
    assert mpi["mpi_headcount_pct"].to_dict() == {"PK-TA": 74.0, "PK-BA": 71.0, "PK-KP": 49.0, "PK-SD": 43.0,
                                                  "PK-PB": 31.0, "PK": 38.8, "PK-GB": 43.0, "PK-JK": 25.0}
    nisp = mpi.loc[["PK-TA", "PK-BA", "PK-KP", "PK-SD", "PK-PB"]]
    assert (nisp["document"].str.contains("National Internal Security Policy")).all()
    assert (nisp["table_page"].str.contains("Section D3")).all()
    assert mpi.attrs["sources"] == ["reference:mpi_province_2014_15"]


def test_nisp_rows_quote_section_d3_verbatim():
    table = reference.read_mpi_province(preferred_only=False)
    text = _nisp_text()
    nisp = table[table["status"] == "policy_text"]
    assert len(nisp) == 5
    for row in nisp.itertuples():
        assert " ".join(row.quote.split()) in text
        assert re.search(rf"{re.escape(row.unit_name)} \({int(row.value)}%\)", row.quote)


def test_rows_from_the_mirror_equal_the_mirror(mirror):
    table = reference.read_mpi_province(preferred_only=False)
    m = deprivation.read_mpi_reported().set_index("record_id")
    from_mirror = table[table["mirror_record"] != ""]
    assert len(from_mirror) == 15
    for row in from_mirror.itertuples():
        rec = m.loc[row.mirror_record.rsplit(" ", 1)[1]]
        assert rec["value"] == row.value and rec["verbatim_quote"] == row.quote and rec["status"] == row.status
        assert rec["reported_by"] == row.publisher and rec["source_url"] == row.url


def test_do_not_use_flags_are_kept_and_never_preferred(mirror):
    table = reference.read_mpi_province(preferred_only=False)
    flagged = table[table["status"].isin(reference.DO_NOT_USE)]
    assert len(flagged) == 5 and not flagged["preferred"].any()
    usable = deprivation.usable_mpi_rows(deprivation.read_mpi_reported())
    assert not usable["status"].isin(reference.DO_NOT_USE).any() and len(usable) == 38


def _copy_reference(tmp_path: Path) -> Path:
    folder = tmp_path / "reference"
    folder.mkdir()
    shutil.copy(reference.reference_path(reference.MPI_TABLE), folder)
    return folder / f"{reference.MPI_TABLE}.csv"


def test_a_row_without_citation_is_refused(tmp_path):
    path = _copy_reference(tmp_path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[6, "table_page"] = ""
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        reference.read_reference(reference.MPI_TABLE, directory=path.parent)
    assert err.value.row == 7 and err.value.column == "table_page"


def test_a_headcount_outside_0_100_is_refused(tmp_path):
    path = _copy_reference(tmp_path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[2, "value"] = "149"
    df.to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        reference.read_mpi_province(directory=path.parent)
    assert err.value.row == 3 and err.value.column == "value" and "0-100" in str(err.value)


# --------------------------------------------------------------------------- census 2023 deprivation

def test_province_rates_are_computed_from_counts(census_table):
    c = census_table
    d = c[c["level"] == "district"]
    p = c[c["level"] == "province"].set_index(["unit_id", "measure", "sex", "residence"])
    summed = d.groupby(["province", "measure", "sex", "residence"])[["numerator", "denominator"]].sum(min_count=1)
    summed.index = summed.index.set_names("unit_id", level=0)
    both = p.join(summed.add_suffix("_sum"))
    present = both["numerator"].notna()
    assert (both.loc[present, "numerator"] == both.loc[present, "numerator_sum"]).all()
    assert both["denominator"].fillna(-1).eq(both["denominator_sum"].fillna(-1)).all()
    assert (~present).sum() > 0 and both.loc[~present].index.get_level_values("sex").isin(["transgender"]).all()
    # and differ from an unweighted mean of district rates
    lit = c[(c["sex"] == "all_sexes") & (c["residence"] == "overall") & (c["measure"] == "literacy_10plus")]
    pb = lit[lit["province"] == "PK-PB"]
    assert pb[pb["level"] == "province"]["rate_pct"].iloc[0] != pytest.approx(pb[pb["level"] == "district"]
                                                                              ["rate_pct"].mean(), abs=1e-3)


def test_national_census_deprivation(census_table):
    pk = census_table[(census_table["unit_id"] == "PK") & (census_table["sex"] == "all_sexes")
                      & (census_table["residence"] == "overall")].set_index("measure")
    assert round(pk.at["literacy_10plus", "rate_pct"], 2) == 60.65
    assert pk.at["improved_water", "denominator"] == 38_292_556
    assert pk.at["out_of_school_5_16", "numerator"] == 25_373_350
    assert census_table["rate_pct"].dropna().between(0, 100).all()
    assert census_table["unit_id"].str.startswith("census2023/").sum() == 136 * (2 * 12 + 3 * 3)


def test_out_of_school_denominator_agrees_with_table13(census_table):
    from workbench.sources import census

    t13 = census.read_table13_district()
    t13 = t13[(t13["age_bracket_src"].str.strip() == "5 - 16") & (t13["variable"] == "Population")
              & (t13["sex"] == "all_sexes") & (t13["residence"] == "overall")].copy()
    reg = load_registry()
    t13["unit_id"] = reg.resolve_series(t13["district_src"], source="census2023", level="district")
    oos = census_table[(census_table["measure"] == "out_of_school_5_16") & (census_table["sex"] == "all_sexes")
                       & (census_table["residence"] == "overall") & (census_table["level"] == "district")]
    m = oos.merge(t13, on="unit_id")
    assert len(m) == 135 and (m["denominator"] == m["value"]).all()


def test_numerator_above_denominator_is_refused(mirror):
    counts = pd.DataFrame({"district_src": ["AWARAN"], "sex": ["all_sexes"], "residence": ["overall"],
                           "measure": ["flush_toilet"], "numerator": [120.0], "denominator": [100.0],
                           "unit_id": ["census2023/awaran"]})
    with pytest.raises(DataValidationError) as err:
        deprivation.census_deprivation(counts=counts)
    assert err.value.column == "rate_pct" and "outside 0-100" in str(err.value)


def test_conflicting_duplicate_rows_are_left_missing_not_chosen(mirror):
    long = deprivation.read_d4p_indicators()
    assert not long.duplicated(["province_src", "district_src", "year", "indicator_id"]).any()
    conflicts = long.attrs["conflicts"]
    assert conflicts and all(c.startswith("Chitral 2019 ") for c in conflicts)
    hit = long[(long["district_src"] == "Chitral") & (long["year"] == 2019)
               & (long["indicator_id"] == "hospital_services")]
    assert hit.empty


def test_larger_areas_get_no_rate_when_a_district_numerator_is_missing(mirror):
    dep = deprivation.census_deprivation()
    tg = dep[(dep["measure"] == "out_of_school_5_16") & (dep["sex"] == "transgender")]
    districts = tg[tg["level"] == "district"]
    incomplete = districts[districts["numerator"].isna() & districts["denominator"].fillna(0).gt(0)]
    assert len(incomplete) > 0
    for (prov, res), _ in incomplete.groupby(["province", "residence"]):
        row = tg[(tg["level"] == "province") & (tg["unit_id"] == prov) & (tg["residence"] == res)]
        assert row["numerator"].isna().all() and row["rate_pct"].isna().all()
