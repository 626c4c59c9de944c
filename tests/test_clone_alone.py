"""A clone with nothing beside it: the shipped data/raw/ is all the workbench needs.

The clone is made with ``git clone`` into a temporary folder (so no ``../shared`` lies beside it),
with the working tree's uncommitted changes laid over it (in CI the tree is clean and the two are
the same). It runs with this environment's interpreter and the clone's own ``src/`` first on the
path, downloads switched off, an empty cache and no override folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of the repository, alone in an empty folder, with the work tree's changes applied."""
    dest = tmp_path_factory.mktemp("alone") / "nisp-workbench"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True,
                   capture_output=True)
    # what a commit of the work tree would hold: tracked and new (not ignored) files
    wanted = set(_git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")) - {""}
    for name in sorted(wanted):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    for name in set(_git("ls-files", "-z", cwd=dest).split("\0")) - {""} - wanted:
        (dest / name).unlink(missing_ok=True)
    assert not (dest.parent / "shared").exists()
    return dest


def _env(clone: Path, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    env.update({"PYTHONPATH": str(clone / "src"), "WORKBENCH_OFFLINE": "1", "WORKBENCH_CACHE": str(tmp / "cache"),
                "MPLBACKEND": "Agg"})
    return env


def _workbench(clone: Path, env: dict[str, str], *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=clone, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_the_clone_finds_every_data_set_in_its_own_data_raw(clone, tmp_path):
    res = _workbench(clone, _env(clone, tmp_path), "data", "verify")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "data sets OK" in res.stdout
    assert "shipped" in res.stdout and "override" in res.stdout
    assert str(ROOT / "data") not in res.stdout.replace("\n", "")  # the clone's files, not this checkout's


def test_one_notebook_runs_in_the_clone_alone(clone, tmp_path):
    suite = clone / "notebooks" / "suites" / "alone.yaml"
    suite.write_text("name: alone\nnotebook_dir: ..\nnotebooks:\n  - 30_youth\n", encoding="utf-8")
    res = _workbench(clone, _env(clone, tmp_path), "run", str(suite), "--jobs", "1")
    assert res.returncode == 0, res.stdout + res.stderr
    folders = [p for p in (clone / "reports").iterdir() if p.is_dir() and p.name.endswith(
        tuple("0123456789abcdef")) and "_alone_" in p.name]
    assert len(folders) == 1
    manifest = json.loads((folders[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    read = manifest["data"]["read"]
    assert read, "the notebook read no data set"
    page = (folders[0] / "30_youth" / "30_youth.html").read_text(encoding="utf-8")
    assert "Appendix: provenance and attribution" in page
    for record in manifest["data"]["provenance"]:
        if record["kind"] == "data set":
            assert (clone / record["file"]).is_file(), record["file"]
