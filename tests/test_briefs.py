"""`workbench briefs` on a real Dask cluster (issue 17): grid, units, failures, cache, separate scheduler, no orphans.

The notebook here is built by the test (a unit id in, a line out; one unit fails on purpose), so that these
tests exercise the engine, the lock, the cache and the publication rather than the brief's content
(tests/test_brief_content.py runs the real 60_unit_brief).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from workbench.errors import ParameterError
from workbench.report import briefs
from workbench.report import index as report_index
from workbench.report.briefs import Unit, choose_units, parameter_grid, plan_briefs, run_briefs
from workbench.report.manifest import read_manifest

ROOT = Path(__file__).resolve().parents[1]
UNITS = [Unit("PK-PB", "Punjab", "province"), Unit("PK-SD", "Sindh", "province"), Unit("PK-BA", "Balochistan", "province")]
CHECKSUMS = {"test-data": "0" * 64}

pytestmark = pytest.mark.slow


def brief_notebook(folder: Path, *, fail_for: str = "PK-SD") -> Path:
    """A stand-in for 60_unit_brief: writes a table for the unit; raises for ``fail_for``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('unit_id: str = "PK-PB"  # a province or district id\n'
                                       'label: str = "a"  # a grid dimension')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Brief"),
        params,
        nbformat.v4.new_code_cell(
            "import os, pandas as pd\n"
            "from workbench.report.outputs import show_table\n"
            f"if unit_id == {fail_for!r}:\n"
            "    raise RuntimeError('no data for ' + unit_id)\n"
            "show_table(pd.DataFrame({'unit': [unit_id], 'label': [label], 'pid': [os.getpid()]}), 'unit', sources=[], caption='The unit of this test brief (derived text)')"),
    ]
    path = folder / "60_unit_brief.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def cluster():
    with briefs.Cluster(workers=2) as c:
        yield c


def run(tmp_path: Path, cluster, units=UNITS, grid=(), **kw):
    notebook = brief_notebook(tmp_path)
    planned = plan_briefs(units, list(grid), project_root=ROOT, notebook=notebook, data_checksums=CHECKSUMS)
    return run_briefs(planned, client=cluster.client, reports=tmp_path / "briefs", **kw)


def test_the_grid_is_every_combination_and_a_repeated_value_is_refused():
    assert parameter_grid(["a=1", "a=2", "b=x", "b=y"]) == [
        {"a": "1", "b": "x"}, {"a": "1", "b": "y"}, {"a": "2", "b": "x"}, {"a": "2", "b": "y"}]
    with pytest.raises(ParameterError, match="given twice"):
        parameter_grid(["a=1", "a=1"])
    with pytest.raises(ParameterError, match="--units"):
        parameter_grid(["unit_id=PK-PB"])


def test_units_are_chosen_by_id_or_name_and_an_unknown_one_is_an_error():
    assert choose_units(UNITS, ["sindh", "PK-PB"]) == [UNITS[1], UNITS[0]]
    assert choose_units(UNITS) == UNITS
    with pytest.raises(ParameterError, match=r"'Lahore' is no province .*--level province --list"):
        choose_units(UNITS, ["Lahore"])


def test_a_bad_parameter_stops_every_brief_before_a_kernel(tmp_path):
    notebook = brief_notebook(tmp_path)
    with pytest.raises(ParameterError, match=r"brief for Punjab \(PK-PB\).*unknown parameter 'nope'"):
        plan_briefs(UNITS, ["nope=1"], project_root=ROOT, notebook=notebook, data_checksums=CHECKSUMS)


def test_briefs_on_a_local_cluster_a_failure_stops_none_and_a_rerun_skips_the_done(tmp_path, cluster):
    first = run(tmp_path, cluster, grid=["label=a", "label=b"])
    status = {(b.brief.unit.unit_id, b.brief.parameters["label"]): b.outcome.status for b in first}
    assert status == {("PK-PB", "a"): "complete", ("PK-SD", "a"): "failed", ("PK-BA", "a"): "complete",
                      ("PK-PB", "b"): "complete", ("PK-SD", "b"): "failed", ("PK-BA", "b"): "complete"}
    folder = tmp_path / "briefs"
    for b in first:
        manifest = read_manifest(b.outcome.folder)
        assert manifest["engine"]["name"] == "dask" and manifest["engine"]["workers"] == 2
        assert manifest["engine"]["workers_used"], manifest["engine"]
        assert manifest["notebooks"][0]["parameters"]["unit_id"] == b.brief.unit.unit_id
        if b.outcome.status == "failed":
            assert b.outcome.folder.parent == (folder / "failed").resolve()  # kept for debugging
            executed = nbformat.read(b.outcome.folder / "60_unit_brief" / "60_unit_brief.ipynb", as_version=4)
            assert any(o.get("ename") == "RuntimeError" for c in executed.cells for o in c.get("outputs", []))
            assert "RuntimeError: no data for PK-SD" in b.outcome.failures[0]
        else:
            assert (b.outcome.folder / "60_unit_brief" / "60_unit_brief.html").is_file()
            table = [p for p in (b.outcome.folder / "60_unit_brief").rglob("unit*.csv")]
            assert len(table) == 1 and b.brief.unit.unit_id in table[0].read_text()
    # both workers did some of the work
    assert len({read_manifest(b.outcome.folder)["engine"]["workers_used"][0] for b in first}) == 2
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 1 + 6 and "4 complete, 2 failed" in page and "Punjab" in page
    assert "RuntimeError: no data for PK-SD" in page

    again = run(tmp_path, cluster, grid=["label=a", "label=b"])
    assert {b.outcome.status for b in again if b.brief.unit.unit_id != "PK-SD"} == {"skipped"}
    assert {b.outcome.status for b in again if b.brief.unit.unit_id == "PK-SD"} == {"failed"}  # failures run again
    assert {b.outcome.folder for b in again if b.outcome.status == "skipped"} == {
        b.outcome.folder for b in first if b.outcome.status == "complete"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask(*args: str) -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def test_a_scheduler_and_a_worker_started_separately_run_a_brief(tmp_path):
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    worker = _dask("worker", address, "--nthreads", "1", "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1")
    try:
        with briefs.Cluster(scheduler=address, workers=1) as c:
            assert not c.local
            done = run(tmp_path, c, units=UNITS[:1])
        assert [d.outcome.status for d in done] == ["complete"]
        manifest = read_manifest(done[0].outcome.folder)
        assert manifest["engine"]["scheduler"] == address
        assert manifest["engine"]["workers_used"][0].startswith("tcp://127.0.0.1:")
    finally:
        for p in (worker, scheduler):
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=30)


def test_a_killed_briefs_command_leaves_no_worker_or_kernel_behind(tmp_path):
    """SIGKILL of the command mid-brief: the LocalCluster's workers and their kernels exit by themselves."""
    notebook = brief_notebook(tmp_path, fail_for="none")
    slow = nbformat.read(notebook, as_version=4)
    slow.cells.append(nbformat.v4.new_code_cell("import time; time.sleep(600)"))
    nbformat.write(slow, notebook)
    script = tmp_path / "drive.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\n"
        "from workbench.report import briefs\n"
        f"units = [briefs.Unit('PK-PB', 'Punjab', 'province'), briefs.Unit('PK-SD', 'Sindh', 'province')]\n"
        f"planned = briefs.plan_briefs(units, project_root=Path({str(ROOT)!r}), notebook=Path({str(notebook)!r}), "
        f"data_checksums={CHECKSUMS!r})\n"
        "if __name__ == '__main__':\n"
        "    with briefs.Cluster(workers=2) as c:\n"
        f"        briefs.run_briefs(planned, client=c.client, reports=Path({str(tmp_path / 'briefs')!r}))\n")
    log = open(tmp_path / "driver.log", "wb")  # noqa: SIM115 - closed with the test's folder
    driver = subprocess.Popen([sys.executable, str(script)], stdout=log, stderr=log)
    me = psutil.Process(driver.pid)
    deadline = time.monotonic() + 180
    kernels: list[psutil.Process] = []
    while time.monotonic() < deadline and len(kernels) < 2:
        time.sleep(0.5)
        kernels = [p for p in me.children(recursive=True) if "kernel_launcher" in " ".join(p.cmdline())]
    assert len(kernels) == 2, "the two briefs' kernels did not start: " + (tmp_path / "driver.log").read_text()[-2000:]
    family = me.children(recursive=True)
    driver.send_signal(signal.SIGKILL)
    driver.wait(timeout=30)
    gone, alive = psutil.wait_procs(family, timeout=60)
    assert not alive, [" ".join(p.cmdline())[:120] for p in alive]
    assert not (tmp_path / "briefs" / "index.html").exists() or "complete" not in (tmp_path / "briefs" / "index.html").read_text()


def test_workbench_briefs_writes_a_brief_for_every_province_and_territory(tmp_path):
    """The issue's done-criterion: the real 60_unit_brief for each of the 7, on a LocalCluster, with a status index."""
    folder = tmp_path / "briefs"
    command = [str(Path(sys.executable).parent / "workbench"), "briefs", "--level", "province", "--workers", "2",
               "--reports", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1500, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "7 brief(s) written, 0 identical skipped, 0 failed" in done.stdout
    units = briefs.units_of("province")
    assert len(units) == 7
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert "7 brief(s): 7 complete" in page
    for unit in units:
        assert f"<code>{unit.unit_id}</code>" in page and unit.unit_name in page
    runs = report_index.list_runs(folder)
    assert len(runs) == 7
    for run, manifest in runs:
        assert manifest["status"] == "complete" and manifest["engine"]["name"] == "dask"
        html = (run / "60_unit_brief" / "60_unit_brief.html").read_text(encoding="utf-8")
        assert '<div class="wb-summary">' in html
    again = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert again.returncode == 0 and "0 brief(s) written, 7 identical skipped, 0 failed" in again.stdout


def test_an_unreachable_scheduler_or_one_without_workers_is_one_clear_error(monkeypatch):
    from workbench.errors import WorkbenchError

    with pytest.raises(WorkbenchError, match=r"cannot reach a Dask scheduler at tcp://127\.0\.0\.1:\d+"):
        briefs.Cluster(scheduler=f"tcp://127.0.0.1:{_free_port()}")
    port = _free_port()
    scheduler = _dask("scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard")
    monkeypatch.setattr(briefs, "WAIT_FOR_WORKERS_S", 3)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.3)
        with pytest.raises(WorkbenchError, match=r"0 worker\(s\) after 3 s, 1 needed; start them with `dask worker"):
            briefs.Cluster(scheduler=f"tcp://127.0.0.1:{port}")
    finally:
        os.killpg(scheduler.pid, signal.SIGTERM)
        scheduler.wait(timeout=30)


def test_a_worker_with_other_workbench_code_refuses_the_task_and_sends_nothing(tmp_path):
    from workbench.report.engine import run_on_worker
    from workbench.report.worker import NotebookTask

    notebook = brief_notebook(tmp_path)
    task = NotebookTask(name="60_unit_brief", source=str(notebook), output_dir=str(tmp_path / "out"),
                        log_path=str(tmp_path / "log"), parameters={}, kernel_name="nisp-workbench", run_id="r")
    output = run_on_worker(task, notebook.read_bytes(), {"package_source": "0" * 64})
    assert output.result.status == "failed" and output.files == {}
    assert "runs other workbench code than the client" in output.result.error["evalue"]
    assert not (tmp_path / "out").exists()


def test_files_a_worker_sends_outside_the_notebook_folder_are_refused(tmp_path):
    from workbench.report.engine import WorkerOutput, _unpack
    from workbench.report.worker import NotebookResult, NotebookTask

    task = NotebookTask(name="n", source="", output_dir=str(tmp_path / "run" / "n"), log_path=str(tmp_path / "log"),
                        parameters={}, kernel_name="k", run_id="r")
    result = NotebookResult(name="n", status="ok", started="", duration_s=0.0)
    _unpack(WorkerOutput(result, {"n.html": b"<p>ok</p>", "tables/t.csv": b"a\n1\n"}, b"log", "w"), task)
    assert (tmp_path / "run" / "n" / "tables" / "t.csv").read_bytes() == b"a\n1\n"
    with pytest.raises(ValueError, match="outside the notebook's folder"):
        _unpack(WorkerOutput(result, {"../../escaped.txt": b"x"}, b"", "w"), task)
    assert not (tmp_path / "escaped.txt").exists()
