"""Publishing a report survives a SIGKILL at every step, and runs of one id never race.

Each run here is a real `workbench run` process (plan, lock, recovery, cache check, manifest,
publication, index) whose notebook execution is replaced by a function that writes a test-built
page and can be held until the test releases it: no kernel starts, so the kills are cheap.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from workbench.report import index as report_index
from workbench.report import publication
from workbench.report.manifest import damaged_files, read_manifest

FAKE_RUN = r'''
import json, os, sys, time
from pathlib import Path
from rich.console import Console
from workbench.report import engine, runner
from workbench.report.worker import NotebookResult

suite, reports, mark, status, force = sys.argv[1:6]
hold = os.environ.get("FAKE_HOLD")


def fake_execute_tasks(tasks, *, jobs, console, durations=None):
    if hold:
        Path(hold + ".started").touch()
        while not Path(hold + ".release").exists():
            time.sleep(0.05)
    results = []
    for t in tasks:
        out = Path(t.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{t.name}.html").write_text(f"<p>version {mark}</p>", encoding="utf-8")
        (out / f"{t.name}.ipynb").write_text("{}", encoding="utf-8")
        error = None if status == "ok" else {"cell_index": 1, "execution_count": 1, "ename": "RuntimeError",
                                             "evalue": "asked to fail"}
        results.append(NotebookResult(name=t.name, status=status, started="2026-01-01T00:00:00+00:00",
                                      duration_s=0.1, error=error, files=[f"{t.name}.html", f"{t.name}.ipynb"]))
    return results


engine.execute_tasks = fake_execute_tasks  # the local engine's pool
plan = runner.plan_run(suite, [], project_root=Path(suite).parent, data_checksums={"test": "0" * 64},
                       start_workers=False)
outcome = runner.execute_plan(plan, reports=Path(reports), force=force == "force", console=Console(stderr=True))
print(json.dumps({"status": outcome.status, "run_id": outcome.run_id, "folder": str(outcome.folder),
                  "message": outcome.message}))
'''


def _suite(folder: Path) -> Path:
    """A one-notebook suite; the notebook is never executed (see FAKE_RUN)."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("n: int = 1  # a test parameter")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, folder / "a.ipynb")
    path = folder / "suite.yaml"
    path.write_text(yaml.safe_dump({"name": "pub", "notebooks": ["a"]}))
    (folder / "fake_run.py").write_text(FAKE_RUN)
    return path


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    return _suite(tmp_path)


@pytest.fixture(scope="module")
def good_report(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A suite and a reports folder holding one complete report of it (version "old")."""
    folder = tmp_path_factory.mktemp("published")
    suite = _suite(folder)
    first = run(suite, folder / "reports", "old")
    assert first["status"] == "complete"
    return suite, folder / "reports", first


def start(suite: Path, reports: Path, mark: str, *, status: str = "ok", force: bool = False,
          env: dict[str, str] | None = None, stderr: Path | None = None) -> subprocess.Popen:
    args = [sys.executable, str(suite.parent / "fake_run.py"), str(suite), str(reports), mark, status,
            "force" if force else "no"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=stderr.open("w") if stderr else subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def run(suite: Path, reports: Path, mark: str, **kwargs) -> dict:
    proc = start(suite, reports, mark, **kwargs)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def version(folder: Path) -> str:
    return re.search(r"version (\w+)", (folder / "a" / "a.html").read_text()).group(1)


def broken_links(reports: Path) -> list[str]:
    """Every local link of the index pages whose target is missing, resolved as a browser does (by the URL)."""
    pages = [reports / "index.html", *reports.glob("*/index.html"), *reports.glob("failed/*/index.html")]
    broken = []
    for page in pages:
        for href in re.findall(r'href="([^"#]+)"', page.read_text()):
            target = os.path.normpath(os.path.join(os.path.dirname(page), href))
            if not os.path.exists(target):
                broken.append(f"{page.relative_to(reports)} -> {href}")
    return broken


def assert_whole(folder: Path) -> None:
    manifest = read_manifest(folder)
    assert manifest is not None and manifest["status"] == "complete"
    assert damaged_files(folder, manifest) == []


def leftovers(reports: Path, run_id: str) -> list[str]:
    """Everything under reports/ besides the locks, the index, the link and the one folder it points to."""
    link = reports / run_id
    expected = {reports / ".locks", reports / "index.html", link, reports / ".runs", link.resolve()}
    found = [p for p in [*reports.iterdir(), *(reports / ".runs").iterdir()] if p not in expected]
    return sorted(str(p.relative_to(reports)) for p in found)


@pytest.mark.parametrize("step", publication.STEPS)
def test_a_kill_at_any_step_of_publication_loses_no_report(good_report, tmp_path, step):
    suite, pristine, first = good_report
    reports = tmp_path / "reports"
    shutil.copytree(pristine, reports, symlinks=True)
    link = reports / first["run_id"]

    killed = start(suite, reports, "new", force=True, env={publication.DIE_AT_ENV: step})
    killed.communicate(timeout=300)
    assert killed.returncode == -9  # SIGKILL, at that step

    # at once: a whole report under the same link (the old one until the link switched), index links work
    assert_whole(link)
    assert version(link) == ("new" if step in ("switched", "cleaned") else "old")
    assert broken_links(reports) == []

    # the next run of any id finishes the publication (or cleans what is left): published folders are kept
    publication.recover_all(reports)
    assert version(link) == ("old" if step == "staged" else "new")
    assert_whole(link)
    assert leftovers(reports, first["run_id"]) == []
    assert broken_links(reports) == []

    # and a run of the same id finds the report current
    following = run(suite, reports, "next")
    assert following["status"] == "skipped", following["message"]
    assert version(link) == ("old" if step == "staged" else "new")


def test_a_failed_run_never_replaces_the_good_report(suite, tmp_path):
    reports = tmp_path / "reports"
    good = run(suite, reports, "good")
    failed = run(suite, reports, "bad", status="failed", force=True)
    assert failed["status"] == "failed" and failed["run_id"] == good["run_id"]
    assert Path(failed["folder"]) == reports / "failed" / good["run_id"]
    assert version(Path(good["folder"])) == "good" and version(Path(failed["folder"])) == "bad"
    assert broken_links(reports) == []
    index = (reports / "index.html").read_text()
    assert f'href="{good["run_id"]}/index.html"' in index and f'href="failed/{good["run_id"]}/index.html"' in index


def test_reports_of_the_older_layout_become_links(suite, tmp_path):
    """A real folder reports/<run-id>/ (and the .old-* folder the two-rename move could strand) is kept."""
    reports = tmp_path / "reports"
    first = run(suite, reports, "old")
    link = Path(first["folder"])
    published = link.resolve()
    link.unlink()
    stranded = reports / f".old-{first['run_id']}-999999"
    published.rename(stranded)  # what a crash between the two renames of the older move left
    (reports / f".tmp-{first['run_id']}-999998").mkdir()
    following = run(suite, reports, "next")
    assert following["status"] == "skipped"
    assert link.is_symlink() and version(link) == "old"
    assert leftovers(reports, first["run_id"]) == []

    published = link.resolve()
    link.unlink()
    published.rename(link)  # the layout before links: a real folder
    assert run(suite, reports, "next")["status"] == "skipped"
    assert link.is_symlink() and version(link) == "old"
    assert leftovers(reports, first["run_id"]) == []


def _wait_for(path: Path, what: str, *, text: str | None = None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and (text is None or text in " ".join(path.read_text().split())):
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.parametrize("first_status", ["ok", "failed"])
def test_a_second_run_of_the_same_id_waits_then_reports_the_first(suite, tmp_path, first_status):
    reports = tmp_path / "reports"
    hold = tmp_path / "hold"
    first = start(suite, reports, "first", status=first_status, env={"FAKE_HOLD": str(hold)})
    second = None
    try:
        _wait_for(Path(f"{hold}.started"), "the first run to execute")
        second_err = tmp_path / "second.err"
        second = start(suite, reports, "second", stderr=second_err)
        _wait_for(second_err, "the second run to wait", text="is going on (process")
        assert second.poll() is None  # it waits while the first holds the run id
        Path(f"{hold}.release").touch()
        out1, err1 = first.communicate(timeout=300)
        out2, _ = second.communicate(timeout=300)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert first.returncode == 0 and second.returncode == 0, (err1, second_err.read_text())
    one, two = json.loads(out1.splitlines()[-1]), json.loads(out2.splitlines()[-1])
    assert one["run_id"] == two["run_id"]
    if first_status == "ok":  # the second finds the first's report
        assert (one["status"], two["status"]) == ("complete", "skipped")
        assert two["folder"] == one["folder"] and version(Path(one["folder"])) == "first"
    else:  # the first failed: the second runs
        assert (one["status"], two["status"]) == ("failed", "complete")
        assert version(Path(two["folder"])) == "second"
    assert not list(reports.glob(".tmp-*")) and not list(reports.glob(".link-*"))


def test_a_full_disk_leaves_no_temporary_index(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    reports.mkdir()
    real_write = Path.write_text

    def full_disk(self, text, *args, **kwargs):
        if self.name.endswith(".tmp"):
            real_write(self, text[: len(text) // 2], *args, **kwargs)  # part written, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real_write(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    with pytest.raises(OSError, match="No space left"):
        report_index.write_reports_index(reports)
    assert [p.name for p in reports.iterdir() if p.name != ".locks"] == []
