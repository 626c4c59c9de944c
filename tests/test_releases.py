"""UCDP releases by version: catalog entries, download from a local server, hash checks, extraction of Pakistan,
the extract cache, unpinned/altered/missing statuses and the offline message. Releases are built by the tests."""

from __future__ import annotations

import json
import time

import pytest

from conftest import run_cli
from release_builder import (LAHORE, QUETTA, event, foreign, member_sha, release_entry, serve, sha, use_catalog,
                             write_archive, write_catalog)
from workbench import catalog
from workbench.errors import ChecksumError, DataSetMissingError, ParameterError
from workbench.sources import releases, resolve

MEMBER = "GEDEvent_vT_1.csv"


def test_the_catalog_knows_every_release_by_version_with_the_published_hashes():
    by_version = {r.version: r for r in releases.releases()}
    assert list(by_version) == ["22.1", "25.1", "26.1", "26.0.2", "26.0.8"]  # oldest first
    cat = catalog.load_catalog()
    # the archives' hashes as recorded for the official files (../shared/data/README.md)
    assert cat["ucdp_ged_25_1"].sha256 == "e256f1fb20a579d8b2f910e5bae212f486d3002adaa2e4359ace740c737da05d"
    assert by_version["25.1"].member_sha256 == "3f286de84cc0cb9152403f53e6aea2ac604d623f156e61079338596e09e8b550"
    assert cat["ucdp_ged_26_1"].sha256 == "8c941d84954e555ee2e54f40fa04d9203bf1e2f962203d0a9930966c4947c667"
    assert by_version["26.1"].member_sha256 is None  # not known: recorded at the first extraction
    assert cat["ucdp_candidate_26_0_8"].sha256 == "2ad6e0b2bfdbaa31873716a3455096923a8539519d69d96aeeea2d0f44a34593"
    assert cat["ucdp_candidate_26_0_8"].fallback["url"] == ""  # its address is a field to fill in
    assert [(r.first_year, r.last_year) for r in releases.releases("ged")] == [(1989, 2021), (1989, 2024),
                                                                              (1989, 2025)]
    assert by_version["26.0.2"].months() == {2026: {1, 2}} and by_version["26.0.2"].provisional
    # optional releases are not data sets a checkout must hold
    assert {e.id for e in cat.optional} == {"ucdp_ged_25_1", "ucdp_ged_26_1", "ucdp_candidate_26_0_8"}
    assert not {e.id for e in cat.optional} & {e.id for e in cat}


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A test-built global release (archive) on a local HTTP server, in a test catalog; an empty cache."""
    site = tmp_path / "site"
    site.mkdir()
    rows = [event(1, 2022), foreign(2, 2022), event(3, 2023, LAHORE, best=2), foreign(4, 2023), foreign(5, 2023),
            event(6, 2023, QUETTA, best=4, kind=3)]
    archive = write_archive(site / "gedT1-csv.zip", MEMBER, rows)
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("WORKBENCH_OFFLINE", raising=False)
    monkeypatch.setattr(catalog, "DOWNLOAD_RETRIES", 0)
    with serve(site) as url:
        def catalog_with(**over) -> None:
            entry = release_entry("ucdp_ged_t_1", "ucdp_ged/gedT1-csv.zip", archive, family="ged", version="T.1",
                                  years=(1989, 2023), member=MEMBER, member_sha256=member_sha(archive, MEMBER),
                                  url=f"{url}/gedT1-csv.zip")
            entry["release"].update(over.pop("release", {}))
            entry.update(over)
            use_catalog(monkeypatch, write_catalog(tmp_path, [entry]))

        yield site, archive, catalog_with, f"{url}/gedT1-csv.zip"


def test_a_release_is_downloaded_checked_extracted_and_cached(served, tmp_path):
    site, archive, catalog_with, _ = served
    catalog_with()
    release = releases.find_release("T.1")
    assert not releases.present(release)
    events = releases.release_events(release)
    cached = tmp_path / "cache" / "ucdp_ged" / "gedT1-csv.zip"
    assert cached.read_bytes() == archive.read_bytes()
    assert sorted(events["id"]) == [1, 3, 6]  # Pakistan only
    assert events.attrs["rows_read"] == 6 and events.attrs["rows_outside_pakistan"] == 3
    assert events["active_year"].dtype == bool and events["release"].eq("T.1").all()
    record = releases.extract_record(release)
    assert record["rows_outside_pakistan"] == 3 and record["rows_pakistan"] == 3 and record["member_pinned"]
    parquet = next((tmp_path / "cache" / "extracts" / "ucdp_ged_t_1").glob("*.parquet"))
    assert record["extract_sha256"] == sha(parquet)
    # the second read needs no network and does not read the archive again
    (site / "gedT1-csv.zip").unlink()  # the publisher is gone
    releases._events.cache_clear()
    again = releases.release_events(release)
    assert again.drop(columns="record").equals(events.drop(columns="record")) and again["record"].equals(
        events["record"])
    status = releases.release_table().set_index("id").loc["ucdp_ged_t_1"]
    assert (status["status"], status["found_in"], status["rows_outside_pakistan"]) == ("ok", "cache", 3)
    assert status["member_sha256"] == "pinned"


def test_a_tampered_extract_is_extracted_again_from_the_verified_archive(served, tmp_path):
    _, _, catalog_with, _ = served
    catalog_with()
    release = releases.find_release("T.1")
    releases.release_events(release)
    parquet = next((tmp_path / "cache" / "extracts" / "ucdp_ged_t_1").glob("*.parquet"))
    parquet.write_bytes(b"garbled")
    releases._events.cache_clear()
    with pytest.warns(UserWarning, match="does not match its recorded sha256"):
        events = releases.release_events(release)
    assert sorted(events["id"]) == [1, 3, 6]
    assert json.loads(parquet.with_suffix(".json").read_text())["extract_sha256"] == sha(parquet)


def test_an_archive_that_differs_from_its_pinned_hash_is_refused_before_anything_is_cached(served, tmp_path):
    _, archive, catalog_with, url = served
    # the server gives the test-built archive, but the catalog pins another hash
    catalog_with(sha256="1" * 64, fallback={"kind": "download", "url": url, "original_sha256": "1" * 64,
                                            "transform": "none"})
    with pytest.raises(ChecksumError) as info:
        releases.release_events(releases.find_release("T.1"))
    assert "1" * 64 in str(info.value) and sha(archive) in str(info.value)
    assert not (tmp_path / "cache" / "ucdp_ged" / "gedT1-csv.zip").exists()


def test_a_member_that_differs_from_its_pinned_hash_is_refused(served, tmp_path):
    _, _, catalog_with, _ = served
    catalog_with(release={"member_sha256": "2" * 64})
    with pytest.raises(ChecksumError) as info:
        releases.release_events(releases.find_release("T.1"))
    assert MEMBER in str(info.value) and "2" * 64 in str(info.value)
    assert not list((tmp_path / "cache").glob("extracts/*/*.parquet"))


def test_an_unknown_member_hash_is_recorded_at_the_first_extraction(served):
    _, archive, catalog_with, _ = served
    catalog_with(release={"member_sha256": None})
    release = releases.find_release("T.1")
    releases.release_events(release)
    record = releases.extract_record(release)
    assert record["member_sha256"] == member_sha(archive, MEMBER) and not record["member_pinned"]
    assert releases.release_table().set_index("id").at["ucdp_ged_t_1", "member_sha256"] == \
        "recorded at first extraction"


def test_an_unpinned_release_is_recorded_on_first_download_then_held_to_it(served, tmp_path):
    _, archive, catalog_with, url = served
    catalog_with(sha256=None, fallback={"kind": "download", "url": url, "original_sha256": None, "transform": "none"})
    release = releases.find_release("T.1")
    releases.release_events(release)
    row = catalog.verify(ids=["ucdp_ged_t_1"]).iloc[0]
    assert (row["status"], row["found_in"], row["expected_sha256"]) == ("unpinned", "cache", sha(archive))
    recorded = json.loads((tmp_path / "cache" / catalog.RECORDED_HASHES).read_text())
    assert recorded["ucdp_ged_t_1"]["sha256"] == sha(archive)
    cached = tmp_path / "cache" / "ucdp_ged" / "gedT1-csv.zip"
    write_archive(cached, MEMBER, [event(1, 2022, best=60)])  # someone changes the file later
    assert catalog.verify(ids=["ucdp_ged_t_1"]).iloc[0]["status"] == "altered"
    releases._events.cache_clear()
    with pytest.raises(ChecksumError, match="first use recorded"):
        releases.release_events(release)


def test_offline_a_missing_release_fails_at_once_saying_how_to_obtain_it_and_where_to_put_it(served, tmp_path,
                                                                                              monkeypatch):
    _, _, catalog_with, _ = served
    catalog_with()
    monkeypatch.setenv("WORKBENCH_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(DataSetMissingError) as info:
        resolve("ucdp_ged_pak", ged_release="T.1")
    assert time.monotonic() - started < 5  # no network attempt (a generous bound, not a timing test)
    msg = str(info.value)
    assert "UCDP GED T.1 is not present" in msg and "Ask the test suite for it." in msg
    assert str(tmp_path / "cache" / "ucdp_ged" / "gedT1-csv.zip") in msg and "WORKBENCH_DATA_MIRROR" in msg
    assert "workbench data pull ucdp_ged_t_1" in msg
    assert catalog.verify(ids=["ucdp_ged_t_1"]).iloc[0]["status"] == "missing"


def test_a_release_without_a_download_address_says_so(served, tmp_path):
    _, _, catalog_with, _ = served
    catalog_with(fallback={"kind": "download", "url": "", "original_sha256": None, "transform": "none"}, sha256=None)
    with pytest.raises(DataSetMissingError, match="No download address is known"):
        releases.require(releases.find_release("T.1"))


def test_a_release_in_the_override_folder_is_found_there(served, tmp_path):
    _, archive, catalog_with, _ = served
    catalog_with()
    mirror = tmp_path / "mirror" / "ucdp_ged"
    mirror.mkdir(parents=True)
    (mirror / "gedT1-csv.zip").write_bytes(archive.read_bytes())
    old = catalog.mirror_dir()
    try:
        catalog.set_mirror(tmp_path / "mirror")
        assert catalog.locate("ucdp_ged_t_1") == ("override", mirror / "gedT1-csv.zip")
        assert len(releases.release_events(releases.find_release("T.1"))) == 3
    finally:
        catalog.set_mirror(old)


def test_latest_is_the_newest_release_present_and_the_default_stays_22_1(served):
    _, _, catalog_with, _ = served
    catalog_with()
    assert releases.ged_release("latest").version == "22.1"  # T.1 is not present yet
    releases.require(releases.find_release("T.1"))
    assert releases.ged_release("latest").version == "T.1"
    assert resolve("ucdp_ged_pak").id == "ucdp_ged_pak"  # a release in the cache never changes the default
    src = resolve("ucdp_ged_pak", ged_release="latest")
    assert (src.id, src.coverage.years) == ("ucdp_ged_t_1", (1989, 2023))
    assert resolve("ucdp_ged_t_1") is src  # the id resolves to the same source (its panels are built once)


def test_a_release_source_builds_its_panels_from_its_events(served):
    _, _, catalog_with, _ = served
    catalog_with()
    src = resolve("ucdp_ged_pak", ged_release="T.1")
    prov = src.panel("province", "current")
    assert prov["year"].min() == 1989 and prov["year"].max() == 2023
    got = prov[prov["events"] > 0].set_index(["unit_id", "year"])["deaths_best"].to_dict()
    assert got == {("PK-KP", 2022): 6, ("PK-PB", 2023): 2, ("PK-BA", 2023): 4}
    assert (prov["months"] == 12).all() and not prov["provisional"].any()
    assert prov.attrs["sources"][0] == "ucdp_ged_t_1" and "osm_districts" in prov.attrs["sources"]
    district = src.panel("district", "current")
    assert district["events"].sum() == 3
    assert src.panel("national", "current").set_index("year").at[2023, "deaths_one_sided"] == 4


def test_release_options_are_checked_and_an_analysts_source_ignores_them():
    with pytest.raises(ParameterError, match=r"ged_release must be one of 22\.1, 25\.1, 26\.1, latest"):
        resolve("ucdp_ged_pak", ged_release="23.1")
    with pytest.raises(ParameterError, match="takes no options"):
        resolve("ucdp_ged_pak", colour="blue")
    with pytest.raises(ParameterError, match="is a Candidate release itself"):
        resolve("ucdp_candidate_26_0_2", with_candidate=True)


def test_verify_lists_every_release_and_an_absent_optional_one_is_no_fault(tmp_path):
    table = releases.release_table().set_index("release")
    assert table["status"].to_dict() == {"UCDP GED 22.1": "ok", "UCDP GED 25.1": "missing", "UCDP GED 26.1": "missing",
                                         "UCDP Candidate 26.0.2": "ok", "UCDP Candidate 26.0.8": "missing"}
    assert table.at["UCDP Candidate 26.0.2", "months_covered"] == "2026: 2"
    assert table.at["UCDP Candidate 26.0.2", "rows_outside_pakistan"] == 1216  # 1,298 rows, 82 of Pakistan
    res = run_cli("data", "verify", env={"WORKBENCH_CACHE": str(tmp_path / "cache")})
    assert res.returncode == 0, res.stderr
    out = " ".join(res.stdout.split())
    assert "UCDP releases" in out and "all 32 data sets OK" in out
    assert "3 optional data set(s) not present (ucdp_ged_25_1, ucdp_ged_26_1, ucdp_candidate_26_0_8)" in out


def test_cli_pull_fetches_a_release_and_reports_the_rows_left_out(served, tmp_path):
    _, _, catalog_with, _ = served
    catalog_with()
    res = run_cli("data", "pull", "T.1", env={"WORKBENCH_CATALOG": str(catalog.CATALOG_PATH),
                                              "WORKBENCH_CACHE": str(tmp_path / "cache")})
    assert res.returncode == 0, res.stderr
    assert "3 Pakistan events (6 rows read, 3 of other countries left out)" in res.stdout
    res = run_cli("data", "pull", "T.1", env={"WORKBENCH_CATALOG": str(catalog.CATALOG_PATH), "WORKBENCH_OFFLINE": "1",
                                              "WORKBENCH_CACHE": str(tmp_path / "elsewhere")})
    assert res.returncode == 1 and res.stderr.startswith("error: UCDP GED T.1 is not present")
