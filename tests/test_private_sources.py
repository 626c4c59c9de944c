"""Registering the analyst's own sources: by path and checksum, checked first, never copied."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, run_cli
from test_incidents_example import incident_rows, registered, write_incident_log  # noqa: F401 (fixture)

from workbench.sources.credits import describe_sources
from workbench.errors import ChecksumError, DataValidationError, ParameterError
from workbench.sources.private import (
    PRIVATE_DIR_ENV,
    PrivateSourceError,
    add_source,
    check_sources,
    get_source,
    load_private_sources,
    private_checksums,
    read_private_source,
    refuse_tracked_private_dir,
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
    assert sorted(p.name for p in folder.iterdir()) == [".registry.lock", "log.csv", "registry.yaml", "series.csv"]
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


def test_the_coverage_error_names_the_file_and_the_option(tmp_path, monkeypatch):
    folder = tmp_path / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    log = write_incident_log(folder / "log.csv")
    with pytest.raises(ParameterError) as info:
        add_source(log, kind="incident_log", source_id="futurelog", title="t", compiler="c", definition="d",
                   last_year=2105)
    assert str(info.value).startswith(f"{log}: coverage --last-year 2105 is not plausible")


# --------------------------------------------------------------------------- a private folder git would track (13.6)


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def git_repo(tmp_path):
    repo = tmp_path / "checkout"
    repo.mkdir()
    _git(repo, "init", "-q")
    return repo


def _add(path, source_id="gitlog"):
    return add_source(path, kind="incident_log", source_id=source_id, title="t", compiler="c", definition="d")


def test_a_private_folder_git_would_track_is_refused_naming_the_fix(git_repo, monkeypatch, mirror):
    folder = git_repo / "secure" / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    log = write_incident_log(folder / "log.csv")
    with pytest.raises(PrivateSourceError) as info:
        _add(log)
    text = str(info.value)
    assert f"private folder {folder} lies in the git work tree {git_repo}" in text
    assert f"Add the line '/secure/private/' to {git_repo / '.gitignore'}" in text and PRIVATE_DIR_ENV in text
    assert sorted(p.name for p in folder.iterdir()) == ["log.csv"]  # no registry, no lock written
    (git_repo / ".gitignore").write_text("/secure/private/\n", encoding="utf-8")
    _add(log)
    status = subprocess.run(["git", "-C", str(git_repo), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert status.splitlines() == ["?? .gitignore"]  # neither the log nor the registry shows


def test_a_tracked_registry_or_file_in_an_ignored_folder_is_refused(git_repo, monkeypatch, mirror):
    folder = git_repo / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    (git_repo / ".gitignore").write_text("private/*\n!private/kept.csv\n", encoding="utf-8")
    kept = write_incident_log(folder / "kept.csv")
    with pytest.raises(PrivateSourceError, match=f"git would track {kept}"):
        _add(kept)
    _add(write_incident_log(folder / "log.csv"))
    _git(git_repo, "add", "-f", "private/registry.yaml")  # someone committed the registry
    with pytest.raises(PrivateSourceError, match=f"git would track {folder / 'registry.yaml'}"):
        remove_source("gitlog")
    done = run_cli("sources", "check", env={PRIVATE_DIR_ENV: str(folder)})
    assert done.returncode == 1 and "git would track" in done.stderr and "Traceback" not in done.stderr


def test_a_private_folder_outside_any_work_tree_needs_no_git(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "no-git-here"))  # git cannot be found
    refuse_tracked_private_dir(tmp_path / "private")
    monkeypatch.undo()
    refuse_tracked_private_dir(tmp_path / "private")  # /tmp is in no work tree


# --------------------------------------------------------------------------- concurrent registrations (13.7)


def test_concurrent_registrations_keep_every_entry(tmp_path, monkeypatch):
    """Eight `workbench sources add` at once (without the lock, most entries were lost)."""
    folder = tmp_path / "private"
    monkeypatch.setenv(PRIVATE_DIR_ENV, str(folder))
    rows = [{**r, "latitude": "", "longitude": "", "coord_precision": ""} for r in incident_rows()]
    log = write_incident_log(folder / "log.csv", rows)
    ids = [f"race_log_{i}" for i in range(8)]
    procs = [subprocess.Popen([sys.executable, "-m", "workbench", "sources", "add", str(log), "--kind",
                               "incident_log", "--id", i, "--title", "t", "--compiler", "c", "--definition", "d"],
                              env=dict(os.environ), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
             for i in ids]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, [err for _, err in results]
    assert all(f"registered '{i}'" in out for i, (out, _) in zip(ids, results, strict=True))
    assert sorted(load_private_sources()) == ids
    assert sorted(p.name for p in folder.iterdir()) == [".registry.lock", "log.csv", "registry.yaml"]


def test_a_failed_write_keeps_the_previous_registry_and_leaves_no_temporary(registered, monkeypatch):
    before = registry_path().read_bytes()

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        remove_source("testseries")
    assert registry_path().read_bytes() == before
    assert not list(registered["folder"].glob(".registry-*"))


def test_the_command_line_says_how_it_read_a_file(tmp_path, mirror):
    folder = tmp_path / "private"
    text = write_incident_log(tmp_path / "log.csv").read_text(encoding="utf-8").replace(",", ";")
    log = folder / "excel.csv"
    folder.mkdir()
    log.write_bytes(text.replace("qzx-note-marker 1", "café").encode("cp1252"))
    done = run_cli("sources", "add", str(log), "--kind", "incident_log", "--id", "excel_log", "--title", "t",
                   "--compiler", "c", "--definition", "d", env={PRIVATE_DIR_ENV: str(folder)})
    assert done.returncode == 0, done.stderr
    assert f"note: {log}: not UTF-8" in done.stderr and "read as Windows-1252 (cp1252)" in done.stderr
    assert f"note: {log}: read as semicolon-separated values" in done.stderr
