"""`workbench data build` publishes its folder at once: a build killed at any step leaves one complete version.

A child process runs the real build (lock, recovery, staging, journal, swap) on test-built tables that
carry a version number, and kills itself with SIGKILL at one step. The test then looks at the folder
as a reader would, and lets the next start complete or remove what was left.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench import store
from workbench.errors import ParameterError
from workbench.panel import build
from workbench.report import run_id

CHILD = r"""
import os, signal, sys
import pandas as pd
from workbench import store
from workbench.panel import build

version, target, stop_at, exchange = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


def tables(done):
    if version == "fails":
        raise RuntimeError("this build step fails")
    return {f"table_{k}": pd.DataFrame({"version": [int(version)] * 3, "row": range(3)}) for k in range(4)}


def stop(step):
    if step == stop_at:
        os.kill(os.getpid(), signal.SIGKILL)


build.STEPS[:] = [build.Step("test", "test-built tables", tables)]
store._checkpoint = stop
if exchange == "two-renames":
    store._exchange = lambda a, b: False
if stop_at == "writing":  # killed after the first table is written
    write = build.write_csv
    def write_then_die(df, path):
        write(df, path)
        os.kill(os.getpid(), signal.SIGKILL)
    build.write_csv = write_then_die
build.build(target)
"""


def run_build(version: int | str, target: Path, *, stop: str = "never", exchange: str = "exchange"):
    return subprocess.run([sys.executable, "-c", CHILD, str(version), str(target), stop, exchange],
                          capture_output=True, text=True, timeout=300)


def reader_view(target: Path) -> int | None:
    """The one version a reader finds in ``target`` (None: no folder); fails on anything mixed or partial."""
    if not target.exists():
        return None
    manifest = json.loads((target / "manifest.json").read_text())
    files = {e["file"]: e["sha256"] for e in manifest["outputs"].values()}
    assert {p.name for p in target.iterdir()} == {"manifest.json", *files}
    for name, sha in files.items():
        assert hashlib.sha256((target / name).read_bytes()).hexdigest() == sha, name
    versions = {int(v) for name in manifest["outputs"] for v in store.read_processed(name, target)["version"]}
    assert len(versions) == 1, versions
    return versions.pop()


def build_in_process(version: int, target: Path, monkeypatch) -> None:
    """A complete build of test tables of ``version`` (the state a killed build starts from)."""
    tables = {f"table_{k}": pd.DataFrame({"version": [version] * 3, "row": range(3)}) for k in range(4)}
    monkeypatch.setattr(build, "STEPS", [build.Step("test", "test-built tables", lambda done: tables)])
    build.build(target)


def leftovers(target: Path) -> list[Path]:
    return sorted(target.parent.glob(".build-*"))


# step killed at -> (version readers see right after the kill, version after the next start)
STOPS = {
    "writing": (1, 1),     # a table written, the rest not: nothing published, the leftover removed
    "staged": (1, 1),      # every table written, not yet journaled: still nothing published
    "journaled": (1, 2),   # complete and journaled, not swapped: the next start puts it in place
    "moved_old": (None, 2),  # two renames only: old moved out, new not yet in: the next start completes
    "swapped": (2, 2),     # in place; the old version waits to be removed
}
CASES = [(ex, stop) for ex in ("exchange", "two-renames") for stop in STOPS
         if not (stop == "moved_old" and ex == "exchange")]


@pytest.mark.parametrize("exchange, stop", CASES)
def test_a_build_killed_at_any_step_leaves_one_complete_version(tmp_path, monkeypatch, exchange, stop):
    target = tmp_path / "data" / "processed"
    build_in_process(1, target, monkeypatch)
    assert reader_view(target) == 1 and leftovers(target) == []

    killed = run_build(2, target, stop=stop, exchange=exchange)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    now, after = STOPS[stop]
    assert reader_view(target) == now
    assert leftovers(target)
    if now is None:  # a reader is told what happened and what to do, never given a mix
        with pytest.raises(ParameterError, match="interrupted.*workbench data build"):
            store.read_processed("table_0", target)

    with store.build_lock(target.parent):
        done = store.recover(target.parent)
    assert len(done) == 1
    assert reader_view(target) == after and leftovers(target) == []


def test_the_next_build_completes_an_interrupted_one_even_when_it_fails_itself(tmp_path, monkeypatch):
    target = tmp_path / "processed"
    build_in_process(1, target, monkeypatch)
    assert run_build(2, target, stop="journaled", exchange="two-renames").returncode == -signal.SIGKILL
    failed = run_build("fails", target)
    assert failed.returncode != 0 and "this build step fails" in failed.stderr
    assert reader_view(target) == 2 and leftovers(target) == []
    build_in_process(3, target, monkeypatch)
    assert reader_view(target) == 3 and leftovers(target) == []


def test_a_failed_build_changes_nothing_and_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "processed"
    build_in_process(1, target, monkeypatch)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    assert run_build("fails", target).returncode != 0
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before and leftovers(target) == []


def test_a_folder_holding_other_files_is_refused_not_replaced(tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("the analyst's own notes")
    res = run_build(1, target)
    assert res.returncode != 0 and "notes.txt" in res.stderr and "replaces the whole folder" in res.stderr
    assert [p.name for p in target.iterdir()] == ["notes.txt"] and leftovers(target) == []


def test_one_build_at_a_time_holds_the_lock_of_the_parent_folder(tmp_path):
    probe = ("import fcntl, os, sys\nfd = os.open(sys.argv[1], os.O_RDONLY)\n"
             "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n")
    with store.build_lock(tmp_path):
        held = subprocess.run([sys.executable, "-c", probe, str(tmp_path)])
    free = subprocess.run([sys.executable, "-c", probe, str(tmp_path)])
    assert (held.returncode, free.returncode) == (3, 0)
    assert list(tmp_path.iterdir()) == []  # no lock file left behind


def test_leftovers_of_a_build_never_enter_a_runs_fingerprint(tmp_path):
    data = tmp_path / "data"
    (data / "processed").mkdir(parents=True)
    (data / "processed" / "a.csv").write_text("x\n1\n")
    before = run_id.tree_digest(data, exclude=[run_id.PRIVATE_DATA, run_id.BUILD_STAGING])
    staging = data / f"{store.STAGING_PREFIX}{os.getpid()}-abc" / "new"
    staging.mkdir(parents=True)
    (staging / "a.csv").write_text("x\n2\n")
    assert run_id.tree_digest(data, exclude=[run_id.PRIVATE_DATA, run_id.BUILD_STAGING]) == before
    (data / "processed" / "a.csv").write_text("x\n3\n")
    assert run_id.tree_digest(data, exclude=[run_id.PRIVATE_DATA, run_id.BUILD_STAGING]) != before
    assert run_id.BUILD_STAGING == store.STAGING_PREFIX + "*"
