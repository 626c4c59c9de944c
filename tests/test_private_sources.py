"""Registering the analyst's own sources: by path and checksum, checked first, never copied."""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT, run_cli
from test_incidents_example import incident_rows, registered, write_incident_log  # noqa: F401 (fixture)

from workbench.sources.credits import describe_sources
from workbench.errors import ChecksumError, DataValidationError, ParameterError
from workbench.sources.private import (
    PRIVATE_DIR_ENV,
    add_source,
    check_sources,
    get_source,
    load_private_sources,
    private_checksums,
    read_private_source,
    registry_path,
    remove_source,
    resolve_private_path,
    sources_report_table,
)


def test_registration_records_path_and_checksum_and_copies_nothing(registered):
    folder = registered["folder"]
    doc = yaml.safe_load(registry_path().read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in doc["sources"]}
    assert entries["testlog"]["path"] == "log.csv"  # relative to the private folder
    assert entries["testlog"]["kind"] == "incident_log"
    assert (entries["testlog"]["first_year"], entries["testlog"]["last_year"], entries["testlog"]["rows"]) == (
        2016, 2019, 12)
    import hashlib

    assert entries["testlog"]["sha256"] == hashlib.sha256((folder / "log.csv").read_bytes()).hexdigest()
    assert sorted(p.name for p in folder.iterdir()) == ["log.csv", "registry.yaml", "series.csv"]
    assert private_checksums() == {"testlog": entries["testlog"]["sha256"],
                                   "testseries": entries["testseries"]["sha256"]}
    assert set(check_sources()["status"]) == {"ok"}


def test_a_registered_source_is_credited_by_describe_sources(registered):
    text = describe_sources(["testlog", "ucdp_ged_pak"])
    assert "Test compiler: Test log (incident log, 2016-2019; analyst's registered source, restricted)" in text
    assert f"[testlog, sha256 {registered['log'].sha256[:12]}]" in text
    assert str(registered["folder"]) not in text  # no path in a footnote


def test_a_bad_file_is_not_registered(registered):
    before = registry_path().read_bytes()
    rows = incident_rows()
    rows[4] = {**rows[4], "killed": "-3"}
    bad = write_incident_log(registered["folder"] / "bad.csv", rows)
    with pytest.raises(DataValidationError, match="negative"):
        add_source(bad, kind="incident_log", source_id="badlog", title="t", compiler="c", definition="d")
    assert registry_path().read_bytes() == before
    assert "badlog" not in load_private_sources()


def test_ids_and_options_are_checked(registered):
    path = registered["folder"] / "log.csv"
    kw = {"kind": "incident_log", "title": "t", "compiler": "c", "definition": "d"}
    with pytest.raises(ParameterError, match="registered already"):
        add_source(path, source_id="testlog", **kw)
    with pytest.raises(ParameterError, match="data set of data/catalog.yaml"):
        add_source(path, source_id="ucdp_ged_pak", **kw)
    with pytest.raises(ParameterError, match="lower-case letters"):
        add_source(path, source_id="My Log", **kw)
    with pytest.raises(ParameterError, match="kind must be one of"):
        add_source(path, source_id="other", **{**kw, "kind": "log"})
    with pytest.raises(ParameterError, match="sensitivity must be one of"):
        add_source(path, source_id="other", sensitivity="secret", **kw)
    with pytest.raises(ParameterError, match="definition is required"):
        add_source(path, source_id="other", **{**kw, "definition": " "})
    with pytest.raises(DataValidationError, match="outside the declared coverage 2017-2019"):
        add_source(path, source_id="other", first_year=2017, **kw)
    again = add_source(path, source_id="testlog", replace=True, first_year=2014, last_year=2020, **kw)
    assert get_source("testlog").years == (2014, 2020) == again.years


def test_a_file_in_the_checkout_outside_the_private_folder_is_refused(registered, monkeypatch):
    inside = ROOT / "data" / "templates" / "incident_log_template.csv"
    with pytest.raises(ParameterError, match="outside the private folder"):
        add_source(inside, kind="incident_log", source_id="other", title="t", compiler="c", definition="d",
                   first_year=2016, last_year=2016)


def test_a_changed_file_is_refused_until_registered_again(registered):
    path = registered["folder"] / "log.csv"
    assert len(read_private_source("testlog")) == 12
    write_incident_log(path, incident_rows()[:5])
    with pytest.raises(ChecksumError, match="changed after registration") as info:
        resolve_private_path("testlog")
    assert "--replace" in str(info.value)
    with pytest.raises(ChecksumError):
        read_private_source("testlog")
    assert check_sources().set_index("id").loc["testlog", "status"] == "altered"
    add_source(path, kind="incident_log", source_id="testlog", title="t", compiler="c", definition="d", replace=True)
    assert len(read_private_source("testlog")) == 5


def test_a_missing_file_and_an_unknown_id(registered):
    (registered["folder"] / "series.csv").unlink()
    assert check_sources().set_index("id").loc["testseries", "status"] == "missing"
    with pytest.raises(ParameterError, match="registered: testlog, testseries"):
        get_source("nolog")
    remove_source("testseries")
    assert list(load_private_sources()) == ["testlog"]


def test_the_report_table_has_metadata_but_no_path(registered):
    t = sources_report_table(["testlog"])
    assert t["id"].tolist() == ["testlog"] and t.attrs["sources"] == ["testlog"]
    assert "path" not in t.columns
    assert str(registered["folder"]) not in t.to_csv()


def test_the_command_line_adds_lists_and_checks(tmp_path, mirror):
    folder = tmp_path / "private"
    env = {PRIVATE_DIR_ENV: str(folder)}
    path = write_incident_log(folder / "cli_log.csv")
    done = run_cli("sources", "add", str(path), "--kind", "incident_log", "--id", "cli_log", "--title", "CLI log",
                   "--compiler", "tests", "--definition", "fictional", env=env)
    assert done.returncode == 0, done.stderr
    assert "registered 'cli_log' (incident log, 12 rows, 2016-2019" in done.stdout
    rows = incident_rows()
    rows[1] = {**rows[1], "date": "2016-02-30"}
    bad = write_incident_log(folder / "bad.csv", rows)
    done = run_cli("sources", "add", str(bad), "--kind", "incident_log", "--id", "bad_log", "--title", "t",
                   "--compiler", "c", "--definition", "d", env=env)
    assert done.returncode == 1
    assert f"file {bad}, row 2 (incident_id 'TESTLOG-0002'), column 'date': unparseable date" in done.stderr
    assert "Traceback" not in done.stderr
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    done = run_cli("sources", "check", env=env)
    assert done.returncode == 1 and "'cli_log': file" in done.stderr and "--replace" in done.stderr


def test_implausible_coverage_years_are_refused(tmp_path, monkeypatch):
    from test_incidents_example import write_incident_log

    from workbench.errors import ParameterError
    from workbench.sources.private import PRIVATE_DIR_ENV, add_source, load_private_sources

    folder = tmp_path / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    log = write_incident_log(folder / "log.csv")
    for first, last in ((None, 2105), (1800, None)):
        with pytest.raises(ParameterError, match="not plausible"):
            add_source(log, kind="incident_log", source_id="futurelog", title="t", compiler="c", definition="d",
                       first_year=first, last_year=last)
    assert "futurelog" not in load_private_sources()
