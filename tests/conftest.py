"""Shared test set-up: the data mirror, and builders of test-only files.

The real data sets are read from the mirror (``WORKBENCH_DATA_MIRROR``; when unset, the
``../shared/data/raw`` folder beside the repository). A test that needs real data and finds no
mirror fails: CI must never pass without having looked at the data.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis deadlines are timed tests: off everywhere (speed is measured by benchmarks/).
settings.register_profile("workbench", deadline=None)
settings.load_profile("workbench")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = ROOT.parent / "shared" / "data" / "raw"

if not os.environ.get("WORKBENCH_DATA_MIRROR") and DEFAULT_MIRROR.is_dir():
    os.environ["WORKBENCH_DATA_MIRROR"] = str(DEFAULT_MIRROR)

os.environ.setdefault("MPLBACKEND", "Agg")
# Tests never download: a data set missing from the mirror must fail at once.
os.environ["WORKBENCH_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The real data mirror (fails the test when there is none)."""
    from workbench.catalog import mirror_dir

    m = mirror_dir()
    if m is None or not m.is_dir():
        pytest.fail("no data mirror: set WORKBENCH_DATA_MIRROR to the folder of published data sets "
                    "(e.g. ../shared/data/raw)")
    return m


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m workbench ARGS`` in a fresh process; returns the completed process."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=600)
