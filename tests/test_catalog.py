"""The data catalog: every entry complete and verified, and the resolution order with its errors."""

from __future__ import annotations

import hashlib
import http.server
import importlib
import os
import threading
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from workbench import catalog
from workbench.errors import CatalogError, ChecksumError, DataSetMissingError

ROOT = Path(__file__).resolve().parents[1]


N_DATASETS = 32  # 31 of the first landing + the UCDP Candidate release 26.0.2
N_OPTIONAL = 3  # UCDP GED 25.1 and 26.1, Candidate 26.0.8: not shipped, fetched on demand


def test_every_entry_is_complete_and_its_checksum_matches_the_mirror_provenance(mirror):
    cat = catalog.load_catalog()
    assert len(cat) == N_DATASETS
    for entry in cat:
        path = mirror / entry.file
        assert path.is_file(), entry.id
        assert catalog.sha256_of(path) == entry.sha256, entry.id
        assert path.stat().st_size == entry.bytes, entry.id
        # the checksum is the one the mirror's own PROVENANCE.md publishes
        provenance = (mirror / entry.provenance).read_text(encoding="utf-8")
        assert entry.sha256 in provenance, entry.id
        assert entry.citation and entry.publisher and entry.reader


def test_verify_lists_every_data_set_ok_and_where_it_was_found(mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))  # an empty cache: no optional release present
    result = catalog.verify()
    assert len(result) == N_DATASETS + N_OPTIONAL
    required = result[result["required"]]
    assert len(required) == N_DATASETS and set(required["status"]) == {"ok"}
    expected = "override" if catalog.mirror_dir() else "shipped"
    assert set(required["found_in"]) == {expected}
    assert required["where"].str.startswith(f"{expected} ").all()
    optional = result[~result["required"]]
    assert set(optional["status"]) == {"missing"} and set(optional["found_in"]) == {""}


def test_optional_entries_may_be_unpinned_but_required_ones_never(tmp_path):
    ok = _entry("t.csv", b"x", id="opt", required=False, sha256=None,
                fallback={"kind": "download", "url": "", "original_sha256": None, "transform": "none"})
    cat = _write_catalog(tmp_path, [ok])
    assert not cat["opt"].pinned and cat.optional == [cat["opt"]] and len(cat) == 0
    with pytest.raises(CatalogError, match="or null for an optional data set"):
        _write_catalog(tmp_path, [_entry("t.csv", b"x", sha256=None)])
    with pytest.raises(CatalogError, match="required must be true or false"):
        _write_catalog(tmp_path, [_entry("t.csv", b"x", required="no")])


def test_run_checksums_count_an_optional_data_set_once_present(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    data = b"a,b\n1,2\n"
    cat = _write_catalog(tmp_path, [_entry("t.csv", data, id="opt", required=False)])
    assert catalog.catalog_checksums(cat) == {}
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "t.csv").write_bytes(data)
    assert catalog.catalog_checksums(cat) == {"opt": hashlib.sha256(data).hexdigest()}


def test_every_file_under_data_raw_is_byte_for_byte_the_catalogued_one():
    """data/raw/ holds the published files unmodified: each one's sha256 is in the catalog."""
    raw = ROOT / "data" / "raw"
    cat = catalog.load_catalog()
    expected = {e.file: e.sha256 for e in cat} | dict(cat.documents)
    found = {p.relative_to(raw).as_posix(): p for p in raw.rglob("*") if p.is_file()}
    ours = {"LICENSES.md"}  # the workbench's summary of the publishers' terms
    assert set(found) - ours == set(expected), "data/raw/ and the catalog list different files"
    for name, sha in expected.items():
        assert hashlib.sha256(found[name].read_bytes()).hexdigest() == sha, f"data/raw/{name} was modified"
    # every folder carries its PROVENANCE.md, listed in the catalog
    for folder in {p.parent for p in found.values() if p.name != "LICENSES.md"}:
        assert (folder / "PROVENANCE.md").relative_to(raw).as_posix() in cat.documents, folder


def test_licences_name_every_shipped_folder_and_the_project_licence_is_mit():
    licences = (ROOT / "data" / "raw" / "LICENSES.md").read_text(encoding="utf-8")
    for entry in catalog.load_catalog():
        folder = entry.file.rsplit("/", 1)[0]
        assert f"`{folder}/`" in licences, folder
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_resolution_order_is_override_then_shipped_then_cache(tmp_path, monkeypatch):
    data = b"a,b\n1,2\n"
    cat = _write_catalog(tmp_path, [_entry("t.csv", data)])
    places = {name: tmp_path / name for name in ("override", "shipped", "cache")}
    for folder in places.values():
        folder.mkdir()
        (folder / "t.csv").write_bytes(data)
    old_override, old_shipped = catalog.mirror_dir(), catalog.shipped_dir()
    monkeypatch.setenv("WORKBENCH_CACHE", str(places["cache"]))
    try:
        catalog.set_mirror(places["override"])
        catalog.set_shipped(places["shipped"])
        assert catalog.resolve_path("test_set", catalog=cat) == places["override"] / "t.csv"
        assert catalog.verify(cat).loc[0, "found_in"] == "override"
        catalog.set_mirror(None)
        assert catalog.resolve_path("test_set", catalog=cat) == places["shipped"] / "t.csv"
        assert catalog.verify(cat).loc[0, "found_in"] == "shipped"
        catalog.set_shipped(None)
        assert catalog.resolve_path("test_set", catalog=cat) == places["cache"] / "t.csv"
        assert catalog.verify(cat).loc[0, "found_in"] == "cache"
    finally:
        catalog.set_mirror(old_override)
        catalog.set_shipped(old_shipped)


def test_describe_sources_names_publisher_and_vintage():
    from workbench.sources.credits import describe_sources

    text = describe_sources(["ucdp_ged_pak"])
    assert text.startswith("Source: ") and "GED 22.1" in text and "1989-2021" in text and "29a906a9eb88" in text
    with pytest.raises(CatalogError):
        describe_sources([])


def test_resolution_is_recorded_for_provenance(mirror):
    catalog.resolve_path("cod_adm1")
    assert "cod_adm1" in catalog.sources_read()


# --------------------------------------------------------------------------- test-built catalogs

def _entry(file: str, data: bytes, **over) -> dict:
    e = {
        "id": "test_set", "title": "Test data set (made up by the test)", "file": file, "publisher": "tests",
        "citation": "none", "licence": "none", "licence_status": "unconfirmed", "version": "1", "vintage": "test",
        "publisher_url": "", "form": "extract", "how_to_obtain": "Ask the test suite.", "provenance": "none",
        "fallback": {"kind": "mirror_only"}, "reader": "none", "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
    }
    e.update(over)
    return e


def _write_catalog(tmp_path: Path, entries: list[dict]) -> catalog.Catalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"datasets": entries}), encoding="utf-8")
    return catalog.load_catalog(path)


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """A test override folder and cache (the shipped data/raw/ out of the way), restored afterwards."""
    old, old_shipped = catalog.mirror_dir(), catalog.shipped_dir()
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    catalog.set_mirror(mirror)
    catalog.set_shipped(None)
    yield mirror
    catalog.set_mirror(old)
    catalog.set_shipped(old_shipped)


def test_altered_file_is_refused_with_both_checksums(tmp_path, isolated):
    data = b"a,b\n1,2\n"
    (isolated / "t.csv").write_bytes(data + b"3,4\n")
    cat = _write_catalog(tmp_path, [_entry("t.csv", data)])
    with pytest.raises(ChecksumError) as info:
        catalog.resolve_path("test_set", catalog=cat)
    msg = str(info.value)
    assert "test_set" in msg and hashlib.sha256(data).hexdigest() in msg
    assert hashlib.sha256(data + b"3,4\n").hexdigest() in msg and str(isolated / "t.csv") in msg
    assert catalog.verify(cat).loc[0, "status"] == "altered"


def test_mirror_only_data_set_missing_says_how_to_obtain_it(tmp_path, isolated):
    cat = _write_catalog(tmp_path, [_entry("t.csv", b"x")])
    with pytest.raises(DataSetMissingError) as info:
        catalog.resolve_path("test_set", catalog=cat)
    msg = str(info.value)
    assert "not downloadable" in msg and "Ask the test suite." in msg and str(isolated / "t.csv") in msg
    assert "data/raw/t.csv" in msg
    assert catalog.verify(cat).loc[0, "status"] == "missing"


def test_no_mirror_and_no_network_fails_at_once(tmp_path, isolated, monkeypatch):
    catalog.set_mirror(None)
    monkeypatch.delenv("WORKBENCH_OFFLINE", raising=False)
    monkeypatch.setattr(catalog, "DOWNLOAD_RETRIES", 0)
    # a closed port on this machine: the connection is refused at once, as with no network
    fb = {"kind": "download", "url": "http://127.0.0.1:9/x.csv", "original_sha256": "0" * 64,
          "transform": "drop_hxl_row"}
    cat = _write_catalog(tmp_path, [_entry("t.csv", b"x", fallback=fb)])
    with pytest.raises(DataSetMissingError) as info:
        catalog.resolve_path("test_set", catalog=cat)
    assert "download from http://127.0.0.1:9/x.csv failed" in str(info.value)
    assert "WORKBENCH_DATA_MIRROR" in str(info.value) and "How to obtain it: Ask the test suite." in str(info.value)
    monkeypatch.setenv("WORKBENCH_OFFLINE", "1")
    with pytest.raises(DataSetMissingError, match="switched off") as info:
        catalog.resolve_path("test_set", catalog=cat)
    assert str(tmp_path / "cache" / "t.csv") in str(info.value)  # where to put it


def test_unknown_id_and_malformed_catalog(tmp_path):
    cat = _write_catalog(tmp_path, [_entry("t.csv", b"x")])
    with pytest.raises(CatalogError, match="unknown data set id 'nope'"):
        cat["nope"]
    bad = _entry("t.csv", b"x")
    del bad["sha256"]
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"datasets": [bad]}))
    with pytest.raises(CatalogError, match="missing field"):
        catalog.load_catalog(tmp_path / "bad.yaml")


HXL_FILE = (b'id,year,where_description\r\n,#date+year,#loc+name\r\n'
            b'1,2010,"two\nlines"\r\n2,2011,plain\r\n')


def test_drop_hxl_row_removes_exactly_the_tag_row():
    out = catalog.TRANSFORMS["drop_hxl_row"](HXL_FILE)
    assert out == b'id,year,where_description\r\n1,2010,"two\nlines"\r\n2,2011,plain\r\n'
    with pytest.raises(ValueError, match="HXL"):
        catalog.TRANSFORMS["drop_hxl_row"](out)


def test_download_fallback_checks_original_transforms_and_caches(tmp_path, isolated, monkeypatch):
    monkeypatch.delenv("WORKBENCH_OFFLINE", raising=False)
    monkeypatch.setattr(catalog, "DOWNLOAD_RETRIES", 0)
    served = tmp_path / "site"
    served.mkdir()
    (served / "extract.csv").write_bytes(HXL_FILE)
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        expected = catalog.TRANSFORMS["drop_hxl_row"](HXL_FILE)
        fb = {"kind": "download", "url": f"http://127.0.0.1:{server.server_port}/extract.csv",
              "original_sha256": hashlib.sha256(HXL_FILE).hexdigest(), "transform": "drop_hxl_row"}
        cat = _write_catalog(tmp_path, [_entry("sub/t.csv", expected, fallback=fb)])
        path = catalog.resolve_path("test_set", catalog=cat)
        assert path == tmp_path / "cache" / "sub" / "t.csv" and path.read_bytes() == expected
        server.shutdown()
        server.server_close()
        assert catalog.resolve_path("test_set", catalog=cat) == path  # from the cache, no network
        # the publisher is gone: refused at once
        (tmp_path / "cache" / "sub" / "t.csv").unlink()
        with pytest.raises(DataSetMissingError, match="failed"):
            catalog.resolve_path("test_set", catalog=cat)
    finally:
        server.server_close()


def test_a_download_that_differs_from_the_catalog_is_refused_before_anything_is_cached(tmp_path, isolated,
                                                                                       monkeypatch):
    monkeypatch.delenv("WORKBENCH_OFFLINE", raising=False)
    served = tmp_path / "site"
    served.mkdir()
    (served / "extract.csv").write_bytes(HXL_FILE)
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        fb = {"kind": "download", "url": f"http://127.0.0.1:{server.server_port}/extract.csv",
              "original_sha256": "1" * 64, "transform": "drop_hxl_row"}
        cat = _write_catalog(tmp_path, [_entry("sub/t.csv", b"x", fallback=fb)])
        with pytest.raises(ChecksumError) as info:
            catalog.resolve_path("test_set", catalog=cat)
        assert "1" * 64 in str(info.value) and hashlib.sha256(HXL_FILE).hexdigest() in str(info.value)
        assert not list((tmp_path / "cache").rglob("t.csv"))
    finally:
        server.shutdown()
        server.server_close()


def test_mirror_is_resolved_to_an_absolute_path_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rel").mkdir()
    monkeypatch.setenv("WORKBENCH_DATA_MIRROR", "rel")
    reloaded = importlib.reload(catalog)
    try:
        assert reloaded.mirror_dir() == (tmp_path / "rel").resolve()
        os.chdir("/")
        assert reloaded.mirror_dir() == (tmp_path / "rel").resolve()
    finally:
        monkeypatch.undo()
        importlib.reload(catalog)


def test_cli_verify_ok_and_altered(tmp_path, mirror):
    ok = run_cli("data", "verify")
    assert ok.returncode == 0, ok.stderr
    assert f"all {N_DATASETS} data sets OK" in ok.stdout
    fake_mirror = tmp_path / "m"
    fake_mirror.mkdir()
    (fake_mirror / "t.csv").write_bytes(b"changed")
    cat_path = tmp_path / "catalog.yaml"
    cat_path.write_text(yaml.safe_dump({"datasets": [_entry("t.csv", b"original")]}))
    bad = run_cli("data", "verify", "--catalog", str(cat_path), env={"WORKBENCH_DATA_MIRROR": str(fake_mirror)})
    assert bad.returncode == 1
    assert "test_set" in bad.stderr and hashlib.sha256(b"original").hexdigest() in bad.stderr
    assert hashlib.sha256(b"changed").hexdigest() in bad.stderr


def test_every_reader_named_in_the_catalog_exists():
    import importlib

    for entry in catalog.load_catalog():
        module, _, name = entry.reader.partition(":")
        assert callable(getattr(importlib.import_module(module), name)), entry.id
