"""`workbench lab`: the project folder as root, notebooks/ as the start folder, root users, outputs never saved.

The notebooks saved here are built by the tests in temporary projects; the real ``notebooks/`` is
never written.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from conftest import ROOT
from workbench.errors import WorkbenchError
from workbench.report import lab
from workbench.report.lab import CONFIG_FILE, lab_command, strip_notebook
from workbench.report.paths import OUTPUT_DIR_ENV


def executed_notebook() -> nbformat.NotebookNode:
    """A notebook as Lab holds it after a run: outputs, execution counts, papermill's records."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)", execution_count=3,
                                     outputs=[nbformat.v4.new_output("stream", text="1\n")])
    cell.metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    cell.metadata["papermill"] = {"duration": 0.1}
    nb.cells = [nbformat.v4.new_markdown_cell("# title"), cell]
    nb.metadata["papermill"] = {"parameters": {}}
    return nb


@pytest.fixture
def project(tmp_path) -> Path:
    """A project folder with notebooks/, docs/, reports/ and the project's own Jupyter config file."""
    root = tmp_path / "project"
    for folder in ("notebooks", "docs", "reports"):
        (root / folder).mkdir(parents=True)
    shutil.copy(ROOT / CONFIG_FILE, root / CONFIG_FILE)
    return root


# --------------------------------------------------------------------------- the command


def test_lab_opens_the_project_folder_in_notebooks_with_the_project_settings(monkeypatch, tmp_path):
    monkeypatch.setattr(lab, "running_as_root", lambda: False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv(OUTPUT_DIR_ENV, str(tmp_path))
    monkeypatch.setenv("WORKBENCH_DATA_MIRROR", os.path.relpath(tmp_path))
    command = lab_command(ROOT, port=8899, browser=False)
    assert command.argv[:2] == [str(Path(sys.executable).parent / "jupyter"), "lab"]
    assert f"--config={ROOT / CONFIG_FILE}" in command.argv
    assert f"--ServerApp.root_dir={ROOT}" in command.argv
    assert "--FileContentsManager.preferred_dir=notebooks" in command.argv
    assert f"--MultiKernelManager.default_kernel_name={command.kernel}" in command.argv
    assert "--ServerApp.port=8899" in command.argv and "--no-browser" in command.argv
    assert "--allow-root" not in command.argv
    assert command.cwd == ROOT
    assert "MPLBACKEND" not in command.env and OUTPUT_DIR_ENV not in command.env
    assert command.env["WORKBENCH_DATA_MIRROR"] == str(tmp_path.resolve())


def test_as_root_lab_adds_allow_root_once(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert lab_command(ROOT).argv.count("--allow-root") == 1
    assert lab_command(ROOT, extra=["--allow-root"]).argv.count("--allow-root") == 1
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert "--allow-root" not in lab_command(ROOT).argv


def test_lab_refuses_a_project_without_its_jupyter_config(project):
    (project / CONFIG_FILE).unlink()
    with pytest.raises(WorkbenchError, match="jupyter_server_config.py is missing"):
        lab_command(project)


def test_lab_dry_run_prints_the_command_and_starts_nothing():
    from conftest import run_cli

    res = run_cli("lab", "--dry-run", "--no-browser")
    assert res.returncode == 0, res.stderr
    assert f"--ServerApp.root_dir={ROOT}" in res.stdout and "--FileContentsManager.preferred_dir=notebooks" in res.stdout
    assert "start folder notebooks/" in res.stderr


# --------------------------------------------------------------------------- outputs never saved


def test_strip_notebook_leaves_what_the_clean_notebooks_test_asks_for():
    nb = executed_notebook()
    strip_notebook(nb)
    code = nb.cells[1]
    assert code.outputs == [] and code.execution_count is None
    assert "execution" not in code.metadata and "papermill" not in code.metadata
    assert "papermill" not in nb.metadata and code.source == "print(1)" and nb.cells[0].source == "# title"


def _contents_manager(project: Path):
    """Jupyter's file contents manager, configured by the project's config file as `workbench lab` loads it."""
    from jupyter_server.services.contents.filemanager import FileContentsManager

    config = PyFileConfigLoader(CONFIG_FILE, path=str(project)).load_config()
    return FileContentsManager(config=config, root_dir=str(project))


def test_saving_through_the_contents_manager_strips_outputs_under_notebooks_only(project):
    manager = _contents_manager(project)
    model = {"type": "notebook", "format": "json", "content": executed_notebook()}
    manager.save(json.loads(json.dumps(model)), "notebooks/probe.ipynb")
    manager.save(json.loads(json.dumps(model)), "reports/executed.ipynb")

    saved = nbformat.read(project / "notebooks" / "probe.ipynb", as_version=4)
    code = saved.cells[1]
    assert code.outputs == [] and code.execution_count is None and "papermill" not in saved.metadata
    assert code.source == "print(1)"
    kept = nbformat.read(project / "reports" / "executed.ipynb", as_version=4)
    assert kept.cells[1].outputs and kept.cells[1].execution_count == 3


def test_the_hook_follows_the_config_files_folder_not_the_checkout(project, tmp_path):
    """The config names its own project's notebooks/: a copy elsewhere never strips another folder."""
    other = tmp_path / "other"
    (other / "notebooks").mkdir(parents=True)
    manager = _contents_manager(project)
    manager.root_dir = str(tmp_path)
    model = {"type": "notebook", "format": "json", "content": executed_notebook()}
    manager.save(json.loads(json.dumps(model)), "other/notebooks/kept.ipynb")
    assert nbformat.read(other / "notebooks" / "kept.ipynb", as_version=4).cells[1].outputs


# --------------------------------------------------------------------------- a real JupyterLab


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local test server
        return response.read()


@pytest.mark.slow
def test_a_real_lab_serves_the_project_root_starts_in_notebooks_and_saves_without_outputs(project, tmp_path):
    port, token = _free_port(), "workbench-test-token"
    command = lab_command(project, port=port, browser=False, extra=[f"--IdentityProvider.token={token}"])
    env = {**command.env, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    log = (tmp_path / "lab.log").open("w")
    process = subprocess.Popen(command.argv, env=env, cwd=command.cwd, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                listing = json.loads(_get(f"{base}/api/contents?token={token}"))
                break
            except OSError:
                assert process.poll() is None, (tmp_path / "lab.log").read_text()
                assert time.monotonic() < deadline, "JupyterLab did not answer in 90 s"
                time.sleep(0.5)
        assert {"notebooks", "docs", "reports"} <= {c["name"] for c in listing["content"]}
        page = _get(f"{base}/lab?token={token}").decode()
        start = page.index(">", page.index('id="jupyter-config-data"')) + 1
        page_config = json.loads(page[start:page.index("</script>", start)])
        assert page_config["preferredPath"].strip("/") == "notebooks"  # the file browser opens there

        body = json.dumps({"type": "notebook", "format": "json", "content": executed_notebook()}).encode()
        request = urllib.request.Request(f"{base}/api/contents/notebooks/probe.ipynb?token={token}", data=body,
                                         method="PUT", headers={"Content-Type": "application/json"})
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    saved = nbformat.read(project / "notebooks" / "probe.ipynb", as_version=4)
    assert saved.cells[1].outputs == [] and saved.cells[1].execution_count is None
    assert "Overriding existing pre_save_hook" not in (tmp_path / "lab.log").read_text()
