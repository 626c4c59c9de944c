"""`workbench run` end to end on test-built notebooks (8 notebook executions in all); `workbench lab`: tests/test_lab.py."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from workbench.cli import app
from workbench.report import engine, runner
from workbench.report.kernel import choose_kernel
from workbench.report.paths import OUTPUT_DIR_ENV, RUN_ID_ENV
from workbench.report.pdf import find_chromium

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: A remote script or stylesheet: what an air-gapped reader's browser could not fetch.
REMOTE_ASSET = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)

#: What the kernel itself sees: its connection file and folder, and the TCP ports its process listens on.
KERNEL_PROBE = r"""import json, stat
from ipykernel import get_connection_file
_cf = get_connection_file()
_folder = os.stat(os.path.dirname(_cf))
_sockets = set()
for _fd in os.listdir("/proc/self/fd"):
    try:
        _target = os.readlink(f"/proc/self/fd/{_fd}")
    except OSError:
        continue
    if _target.startswith("socket:["):
        _sockets.add(_target[8:-1])
_listening = [line.split()[1] for name in ("/proc/net/tcp", "/proc/net/tcp6") if os.path.exists(name)
              for line in open(name).read().splitlines()[1:] if line.split()[3] == "0A" and line.split()[9] in _sockets]
print("kernel=" + json.dumps({"connection_file": _cf, "connection": json.load(open(_cf)),
                              "folder_mode": stat.S_IMODE(_folder.st_mode) & 0o777, "folder_uid": _folder.st_uid,
                              "uid": os.getuid(), "listening_tcp": _listening,
                              "threads": os.environ.get("OPENBLAS_NUM_THREADS"), "sockets": os.listdir(os.path.dirname(_cf))}))"""

SETUP = """import os
import matplotlib.pyplot as plt
import pandas as pd
from workbench.report.outputs import save_figure, set_source_describer, show_table
set_source_describer(lambda ids: "Source: test-built data (" + ", ".join(ids) + ")")"""


def _notebook(path: Path, parameters: str, *cells: str) -> None:
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell(parameters)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first] + [nbformat.v4.new_markdown_cell(c[3:]) if c.startswith("md:") else nbformat.v4.new_code_cell(c)
                          for c in cells]
    nbformat.write(nb, path)


def _console() -> Console:
    return Console(file=io.StringIO(), width=120)


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """Two test notebooks and a suite, run once (2 executions) into a test reports folder."""
    root = tmp_path_factory.mktemp("run")
    _notebook(
        root / "a.ipynb",
        'level: str = "province"  # one of: province, district',
        SETUP,
        'print("cwd=" + os.getcwd())\nprint("backend=" + os.environ["MPLBACKEND"])\n'
        'print("outdir=" + os.environ["WORKBENCH_OUTPUT_DIR"])',
        KERNEL_PROBE,
        "md:# A test notebook\n\nWith a formula, $r = d / p$.",
        'df = pd.DataFrame({"unit": ["u1", "u2"], "value": [1.5, 2.5]})\ndf.attrs["sources"] = ["test_data"]\n'
        'show_table(df, "values", caption=f"Test-built table at {level} level")',
        'fig, ax = plt.subplots()\nax.bar(["u1", "u2"], [1.5, 2.5])\nsave_figure(fig, "bars", sources=["test_data"])',
    )
    _notebook(
        root / "b.ipynb",
        "draws: int = 1  # a test parameter\nfail: bool = False  # raise in cell 2",
        SETUP,
        'if fail:\n    raise RuntimeError("asked to fail")',
        'show_table(pd.DataFrame({"draws": [draws]}), "draws", sources=[], caption="Derived: the parameter value")',
    )
    suite = root / "suite.yaml"
    suite.write_text(yaml.safe_dump({"name": "t", "notebooks": ["a", {"path": "b", "parameters": {"draws": 3}}]}))
    reports = root / "reports"
    watched = ("MPLBACKEND", OUTPUT_DIR_ENV, RUN_ID_ENV, "JPY_SESSION_NAME")
    cwd, env = os.getcwd(), {k: os.environ.get(k) for k in watched}
    first = runner.run_suite(suite, ["level=district"], project_root=ROOT, reports=reports, jobs=2, console=_console())
    return SimpleNamespace(root=root, suite=suite, reports=reports, first=first, cwd_after=os.getcwd() == cwd,
                           env_after={k: os.environ.get(k) for k in watched} == env)


def test_a_complete_report(project):
    first = project.first
    assert first.status == "complete", first.failures
    folder = project.reports / first.run_id
    assert first.folder == folder and re.fullmatch(r"\d{4}-\d\d-\d\d_t_[0-9a-f]{12}", first.run_id)
    files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    pdfs = {"index.pdf", "a/a.pdf", "b/b.pdf"} if find_chromium() else set()  # printed where Chromium is
    assert files == {
        "manifest.json", "index.html",
        "a/a.ipynb", "a/a.html", "a/tables/values.csv", "a/tables/values.xlsx", "a/figures/bars.png",
        "b/b.ipynb", "b/b.html", "b/tables/draws.csv", "b/tables/draws.xlsx",
    } | pdfs
    assert not list(project.reports.glob(".tmp-*")) and not (project.reports / "failed").exists()
    assert project.cwd_after and project.env_after and OUTPUT_DIR_ENV not in os.environ
    # published under .runs/, reached through a link; every file but the manifest recorded with size and sha256
    assert folder.is_symlink() and folder.resolve() == project.reports / ".runs" / f"{first.run_id}-1"
    recorded = json.loads((folder / "manifest.json").read_text())["files"]
    assert set(recorded) == files - {"manifest.json"}
    for rel, entry in recorded.items():
        data = (folder / rel).read_bytes()
        assert entry == {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}, rel

    # the kernel ran in the notebook's folder, headless, writing where the runner said
    executed = nbformat.read(folder / "a" / "a.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    assert f"cwd={project.root}\n" in printed and "backend=Agg\n" in printed
    assert f"outdir={project.reports}/.tmp-{first.run_id}-{os.getpid()}/a\n" in printed
    assert any("save_figure(fig" in c.source for c in executed.cells)  # code kept for reviewers
    assert any(o.get("data", {}).get("image/png") for c in executed.cells for o in c.get("outputs", []))
    assert pd_values(folder / "a" / "tables" / "values.csv") == [1.5, 2.5]
    assert pd_values(folder / "b" / "tables" / "draws.csv") == [3]

    # HTML: code hidden, figure embedded, nothing fetched from the network
    page = (folder / "a" / "a.html").read_text()
    assert "set_source_describer" not in page and "Source: test-built data (test_data)" in page
    assert "data:image/png;base64," in page and "Test-built table at district level" in page
    assert REMOTE_ASSET.findall(page) == []
    for other in (folder / "b" / "b.html", folder / "index.html", project.reports / "index.html"):
        assert REMOTE_ASSET.findall(other.read_text()) == []

    m = json.loads((folder / "manifest.json").read_text())
    assert m["run_id"] == first.run_id and m["status"] == "complete" and m["hash"].startswith(first.run_id[-12:])
    assert m["suite"]["name"] == "t" and m["inputs"]["cli_parameters"] == {"level": "district"}
    assert m["kernel"]["transport"] == "ipc" and m["kernel"]["environment"]["OPENBLAS_NUM_THREADS"] == str(
        max(1, len(os.sched_getaffinity(0)) // 2))
    assert m["inputs"]["jobs"] == 2 and set(m["inputs"]["fingerprint"]) == {
        "notebooks", "suite", "parameters", "data_checksums", "package_source", "project_data", "dependencies", "python"}
    nbs = {n["name"]: n for n in m["notebooks"]}
    assert nbs["a"]["parameters"] == {"level": "district"} and nbs["b"]["parameters"] == {"draws": 3, "fail": False}
    assert all(n["status"] == "ok" and n["duration_s"] > 0 and n["error"] is None for n in nbs.values())
    assert nbs["a"]["tables"][0]["sources"] == ["test_data"] and nbs["a"]["figures"][0]["files"] == ["figures/bars.png"]
    assert m["data"]["checksums"]["ucdp_ged_pak"] == _catalog_sha("ucdp_ged_pak")
    packages = m["environment"]["packages"]
    for name in ("pandas", "numpy", "geopandas", "shapely", "pyproj", "statsmodels", "papermill", "nbconvert",
                 "matplotlib", "seaborn", "pandera"):
        assert packages[name], name
    assert all(m["environment"]["libraries"][k] for k in ("PROJ", "GEOS"))
    assert m["environment"]["python"]["version"] == ".".join(map(str, sys.version_info[:3]))
    assert set(m["git"]) >= {"commit", "dirty"}
    assert m["kernel"]["executable"] == sys.executable


def test_the_kernel_is_private(project):
    """Unix sockets in a folder only this user may enter, no TCP port, the folder removed afterwards."""
    executed = nbformat.read(project.first.folder / "a" / "a.ipynb", as_version=4)
    printed = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.outputs)
    (line,) = [x for x in printed.splitlines() if x.startswith("kernel=")]
    seen = json.loads(line.removeprefix("kernel="))
    folder = Path(seen["connection_file"]).parent
    assert seen["connection"]["transport"] == "ipc" and seen["connection"]["ip"] == str(folder / "kernel")
    assert seen["folder_mode"] == 0o700 and seen["folder_uid"] == seen["uid"] == os.getuid()
    assert seen["listening_tcp"] == []
    sockets = {f"kernel-{seen['connection'][k]}" for k in ("shell_port", "iopub_port", "stdin_port", "control_port",
                                                            "hb_port")}
    assert sockets <= set(seen["sockets"]) and "kernel-subprocess-pipe" in seen["sockets"]
    assert seen["threads"] == str(max(1, len(os.sched_getaffinity(0)) // 2))  # cores / jobs
    assert not folder.exists()


def pd_values(path: Path) -> list:
    import pandas as pd

    return pd.read_csv(path).iloc[:, -1].tolist()


def _catalog_sha(dataset_id: str) -> str:
    from workbench.catalog import load_catalog

    return load_catalog()[dataset_id].sha256


def test_an_identical_rerun_is_skipped(project, monkeypatch):
    monkeypatch.setattr(engine, "execute_tasks", lambda *a, **k: pytest.fail("an identical run was executed"))
    before = _snapshot(project.first.folder)
    again = runner.run_suite(project.suite, ["level=district"], project_root=ROOT, reports=project.reports,
                             jobs=2, console=_console())
    assert again.status == "skipped" and again.run_id == project.first.run_id
    assert f"The current report is {project.first.folder}" in again.message and "--force" in again.message
    assert _snapshot(project.first.folder) == before


def test_force_runs_again(project):
    old = json.loads((project.first.folder / "manifest.json").read_text())
    forced = runner.run_suite(project.suite, ["level=district"], project_root=ROOT, reports=project.reports,
                              jobs=2, force=True, console=_console())
    assert forced.status == "complete" and forced.run_id == project.first.run_id
    new = json.loads((forced.folder / "manifest.json").read_text())
    assert new["inputs"]["force"] is True and old["inputs"]["force"] is False
    assert new["hash"] == old["hash"] and new["finished"] >= old["finished"]
    # the new report replaced the old one: one published folder, no temporary left
    assert sorted(p.name for p in project.reports.iterdir() if p.name.startswith(".")) == [".locks", ".runs"]
    assert [p.name for p in (project.reports / ".runs").iterdir()] == [forced.folder.resolve().name]
    assert forced.folder.resolve().name == f"{forced.run_id}-2"


def test_a_damaged_report_is_not_current(project):
    """A report whose files were deleted or altered is run again, and the message says why."""
    folder = project.first.folder
    (folder / "a" / "a.html").unlink()
    with (folder / "b" / "tables" / "draws.csv").open("a") as fh:
        fh.write("7\n")
    again = runner.run_suite(project.suite, ["level=district"], project_root=ROOT, reports=project.reports,
                             jobs=2, console=_console())
    assert again.status == "complete" and again.run_id == project.first.run_id
    assert f"report {folder} is not current (" in again.message and "running it again" in again.message
    assert "a/a.html is missing" in again.message and "b/tables/draws.csv has changed" in again.message
    plan = runner.plan_run(project.suite, ["level=district"], project_root=ROOT, start_workers=False)
    cached = runner.find_completed(project.reports, plan)
    assert cached is not None and cached.problems == [] and (folder / "a" / "a.html").is_file()


def test_a_failing_notebook_is_kept_and_the_good_report_untouched(project):
    good = project.reports / project.first.run_id
    before = _snapshot(good)
    result = CliRunner().invoke(app, ["run", str(project.suite), "-p", "level=district", "-p", "fail=true",
                                      "--jobs", "2", "--reports", str(project.reports)])
    assert result.exit_code == 1, result.output
    assert "FAILED b.ipynb, cell 2 (In [4]): RuntimeError: asked to fail" in result.output
    assert "FAILED a.ipynb" not in result.output  # a failing notebook stops nothing else
    assert _snapshot(good) == before

    (failed,) = (project.reports / "failed").iterdir()
    m = json.loads((failed / "manifest.json").read_text())
    assert m["status"] == "failed" and failed.name == m["run_id"] != project.first.run_id
    nbs = {n["name"]: n for n in m["notebooks"]}
    assert nbs["a"]["status"] == "ok" and nbs["b"]["status"] == "failed"
    assert nbs["b"]["error"] == {"cell_index": 2, "execution_count": 4, "ename": "RuntimeError", "evalue": "asked to fail"}
    executed = nbformat.read(failed / "b" / "b.ipynb", as_version=4)
    errors = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert [e.ename for e in errors] == ["RuntimeError"]
    assert (failed / "b" / "b.html").is_file() and (failed / "logs" / "b.log").is_file()

    # a failed run is never a cached success
    plan = runner.plan_run(project.suite, ["level=district", "fail=true"], project_root=ROOT, start_workers=False)
    assert plan.run_id == m["run_id"] and runner.find_completed(project.reports, plan) is None

    # the index lists runs newest first: the failed run above the complete one
    index = (project.reports / "index.html").read_text()
    assert index.index(m["run_id"]) < index.index(project.first.run_id)
    assert f'href="failed/{m["run_id"]}/index.html"' in index and "current" in index


def test_kernel_is_this_interpreter():
    choice = choose_kernel()
    assert choice.executable == sys.executable
    assert choice.name in {"nisp-workbench", "python3"}
