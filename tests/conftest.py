"""Shared test set-up: the published data, and builders of test-only files.

The real data sets are read as the workbench reads them: from ``data/raw/`` of the checkout (the
published files shipped with the workbench), or from an override folder when
``WORKBENCH_DATA_MIRROR`` is set. Nothing beside the checkout is needed. A test that needs real
data and finds none fails: CI must never pass without having looked at the data.
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

os.environ.setdefault("MPLBACKEND", "Agg")
# Tests never download: a data set missing from data/raw/ must fail at once.
os.environ["WORKBENCH_OFFLINE"] = "1"


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The folder of real published files in use: the override, else the shipped ``data/raw/``."""
    from workbench.catalog import data_dir

    m = data_dir()
    if not m.is_dir():
        pytest.fail(f"no published data: {m} is missing (a clone ships data/raw/; restore it with git checkout)")
    return m


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m workbench ARGS`` in a fresh process; returns the completed process."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "workbench", *args], capture_output=True, text=True,
                          env=full_env, cwd=cwd or ROOT, timeout=600)
