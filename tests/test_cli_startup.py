"""Start-up stays light (issue 15): building any command's help loads no heavy module.

tests/test_cli.py checks ``workbench --help`` and the import of the CLI; here every command and
group that the app registers (found by walking the app, so a new command is covered at once) has its
``--help`` built in one fresh interpreter, and a shell-completion request is answered in another.
Neither may load pandas, NumPy, GeoPandas, papermill, pandera (or the package's own data layers):
those belong inside the commands that need them. Nothing here is timed; the speed itself is
measured by ``benchmarks/bench_report.py --rows help``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT

#: Modules no help text may need.
HEAVY = ("pandas", "numpy", "geopandas", "papermill", "pandera", "nbformat", "nbconvert", "nbclient",
         "jupyter_client", "matplotlib", "scipy", "statsmodels", "shapely", "pyarrow", "hypothesis", "yaml")

#: Builds the help of every command path, then reports what was built and what got loaded.
EVERY_HELP = """
import json, sys
import typer
from typer.testing import CliRunner
import workbench.cli

def paths(command, prefix=()):
    yield prefix
    for name in getattr(command, "list_commands", lambda ctx: [])(None):  # a group lists its commands
        yield from paths(command.get_command(None, name), (*prefix, name))

runner = CliRunner()
built = []
for path in paths(typer.main.get_command(workbench.cli.app)):
    result = runner.invoke(workbench.cli.app, [*path, "--help"])
    built.append({"path": list(path), "exit": result.exit_code, "usage": "Usage:" in result.output})
heavy = set(sys.argv[1].split(","))
loaded = sorted(m for m in sys.modules if m.split(".")[0] in heavy
                or (m.startswith("workbench.") and not m.startswith("workbench.cli")))
print(json.dumps({"built": built, "loaded": loaded}))
"""

#: Answers one completion request as the shell would make it, then lists what got loaded.
COMPLETION = """
import sys
import workbench.cli
try:
    workbench.cli.main()
except SystemExit:
    pass
heavy = set(sys.argv[1].split(","))
print("LOADED", sorted(m for m in sys.modules if m.split(".")[0] in heavy))
"""


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "_WORKBENCH", "COMP_"))}


def test_every_commands_help_loads_no_heavy_module():
    done = subprocess.run([sys.executable, "-c", EVERY_HELP, ",".join(HEAVY)], capture_output=True, text=True,
                          env=_clean_env(), cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    paths = {" ".join(b["path"]) for b in out["built"]}
    assert {"", "run", "params", "data", "data build", "sources", "policy", "completion"} <= paths
    assert [b for b in out["built"] if b["exit"] != 0 or not b["usage"]] == []
    assert out["loaded"] == []


def test_answering_a_completion_loads_no_heavy_module():
    env = {**_clean_env(), "_WORKBENCH_COMPLETE": "complete_bash", "COMP_WORDS": "workbench data ", "COMP_CWORD": "2"}
    done = subprocess.run([sys.executable, "-c", COMPLETION, ",".join(HEAVY)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "build" in lines  # the shell got the sub-commands of `data`
    assert lines[-1] == "LOADED []"
