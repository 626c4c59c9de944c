"""The installed distributions are part of a run's identity: any install, upgrade, removal or altered RECORD is a new run id,
while an unchanged environment is hashed once and then read from the cache."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from workbench.report import run_id
from workbench.report.runner import plan_run


def install(site: Path, name: str, version: str, files: list[str]) -> Path:
    """A distribution's metadata folder as pip writes it (the package files themselves are not needed)."""
    folder = site / f"{name}-{version}.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (folder / "RECORD").write_text("".join(f"{f},sha256=abc{i},10\n" for i, f in enumerate(files)))
    return folder


def test_the_digest_follows_every_change_and_is_cached(tmp_path, monkeypatch):
    site, cache = tmp_path / "site", tmp_path / "cache" / "dependencies.json"
    install(site, "alpha", "1.0", ["alpha/__init__.py"])
    paths = [str(site)]
    first = run_id.dependencies_digest(paths, cache=cache)

    # unchanged: read from the cache, not hashed again
    with monkeypatch.context() as m:
        m.setattr(run_id, "_metadata_digest", lambda folders: pytest.fail("an unchanged environment was hashed again"))
        assert run_id.dependencies_digest(paths, cache=cache) == first

    beta = install(site, "beta", "2.0", ["beta/__init__.py"])
    with_beta = run_id.dependencies_digest(paths, cache=cache)
    assert with_beta != first

    record = beta / "RECORD"
    stamp = record.stat().st_mtime_ns
    record.write_text(record.read_text().replace("abc0", "abd0"))  # same size, same inode, edited in place
    os.utime(record, ns=(stamp + 10**7, stamp + 10**7))  # 10 ms later (file times may tick coarser than this test)
    edited = run_id.dependencies_digest(paths, cache=cache)
    assert edited not in (first, with_beta)

    replacement = beta / "RECORD.new"  # as an installer replaces a file: a new one renamed over the old
    replacement.write_text(record.read_text() + "beta/extra.py,sha256=abc9,10\n")
    os.replace(replacement, record)
    replaced = run_id.dependencies_digest(paths, cache=cache)
    assert replaced not in (first, with_beta, edited)

    (beta / "RECORD").unlink()
    (beta / "METADATA").unlink()
    beta.rmdir()  # uninstalled
    assert run_id.dependencies_digest(paths, cache=cache) == first


def test_an_unreadable_cache_is_only_slower(tmp_path):
    site = tmp_path / "site"
    install(site, "alpha", "1.0", ["alpha/__init__.py"])
    cache = tmp_path / "cache.json"
    cache.write_text("{not json")
    digest = run_id.dependencies_digest([str(site)], cache=cache)
    assert digest == run_id.dependencies_digest([str(site)], cache=tmp_path / "no" / "such" / "x.json")
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert run_id.dependencies_digest([str(site)], cache=blocked / "x.json") == digest  # cannot be written
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".dependencies-")] == []


def test_a_new_install_changes_the_run_id(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("n: int = 1  # a test parameter")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "a.ipynb")
    suite = tmp_path / "suite.yaml"
    suite.write_text(yaml.safe_dump({"name": "deps", "notebooks": ["a"]}))
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))

    def plan():
        return plan_run(suite, project_root=tmp_path, data_checksums={"x": "0" * 64}, start_workers=False)

    before = plan()
    site = tmp_path / "site"
    install(site, "gamma", "0.1", ["gamma.py"])
    monkeypatch.setattr(sys, "path", [*sys.path, str(site)])
    after = plan()
    assert after.components["dependencies"] != before.components["dependencies"] and after.run_id != before.run_id
    assert plan().run_id == after.run_id  # the same environment: the same id
