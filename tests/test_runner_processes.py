"""No process of a run outlives it: after a SIGKILL of `workbench run`, its forkserver, workers, kernels, the
browser a worker keeps for its PDFs and the resource tracker are gone within seconds, and so are the kernels'
private folders (a quick notebook printed, then 2 kernels started)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import ROOT
from workbench.report import publication
from workbench.report.pdf import find_chromium

pytestmark = pytest.mark.slow


def _processes() -> dict[int, tuple[int, str, str, str]]:
    """Every process: pid -> (parent pid, start time, state, command line), read from /proc."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        out[int(entry)] = (int(fields[1]), fields[19], fields[0], cmdline)
    return out


def _descendants(pid: int) -> dict[int, tuple[int, str, str, str]]:
    procs = _processes()
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, (parent, *_rest) in procs.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    return {p: procs[p] for p in family - {pid}}


def _alive(pid: int, started: str) -> bool:
    """True while the same process (same start time) exists and is not a zombie."""
    now = _processes().get(pid)
    return now is not None and now[1] == started and now[2] != "Z"


def test_a_killed_run_leaves_no_process_behind(tmp_path):
    for name, seconds in (("quick", 0), ("sleep_a", 300), ("sleep_b", 300)):
        nb = nbformat.v4.new_notebook()
        cell = nbformat.v4.new_code_cell(f"seconds: int = {seconds}  # how long the notebook sleeps")
        cell.metadata["tags"] = ["parameters"]
        nb.cells = [cell, nbformat.v4.new_code_cell("import time\ntime.sleep(seconds)")]
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    suite = tmp_path / "suite.yaml"
    # quick first: its worker prints its PDF and keeps the browser while it runs sleep_b
    suite.write_text(yaml.safe_dump({"name": "sleepy", "notebooks": ["quick", "sleep_a", "sleep_b"]}))
    browser = find_chromium()
    reports = tmp_path / "reports"
    run = subprocess.Popen([sys.executable, "-m", "workbench", "run", str(suite), "--jobs", "2", "--reports",
                            str(reports)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 240
        family: dict = {}
        while time.monotonic() < deadline:
            family = _descendants(run.pid)
            commands = [cmd for *_x, cmd in family.values()]
            kernels = sum("kernel_launcher" in cmd for cmd in commands)
            if kernels == 2 and (browser is None or any("remote-debugging-pipe" in cmd for cmd in commands)):
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the two kernels (and the browser) never started; processes of the run: {family}")
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
    started = ("forkserver", "resource_tracker", "kernel_launcher", *(["remote-debugging-pipe"] if browser else []))
    kinds = {k: [p for p, (*_x, cmd) in family.items() if k in cmd] for k in started}
    assert all(kinds.values()), kinds  # what the run had started: forkserver, its workers, the tracker, kernels
    kernel_folders = [Path(cmd.split(" -f ")[1].split()[0]).parent for *_x, cmd in family.values()
                      if "kernel_launcher" in cmd]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p, info[1]) for p, info in family.items()):
        time.sleep(0.2)
    survivors = {p: info[3] for p, info in family.items() if _alive(p, info[1])}
    assert survivors == {}, f"still running 10 s after the run was killed: {survivors}"
    assert [f for f in kernel_folders if f.exists()] == []

    # what the killed run left in reports/ is cleaned by the next run's first step
    (leftover,) = reports.glob(".tmp-*")
    publication.recover_all(reports)
    assert not leftover.exists()
