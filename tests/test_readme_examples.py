"""Every example command of README.md runs in a plain shell, on a fresh clone, with a clean environment.

The commands are taken from README.md itself: each line of a shell code block, and each inline code
span, that starts with ``workbench`` or ``.venv/bin/workbench`` (a synopsis with ``[…]``, ``|``, ``…``
or ``<…>`` is a description, not a command). Each runs through ``bash -c`` in a clone of the
repository (the work tree's changes laid over it) with nothing but ``PATH`` (this environment's
``bin/`` first), ``HOME``, ``LANG`` and ``PYTHONPATH`` (the clone's ``src/``) set, downloads off.
A run of a suite and ``workbench lab`` are planned (``--dry-run``: everything up to the first
kernel); a run of one notebook runs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow

_FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```", re.MULTILINE | re.DOTALL)
_SPAN = re.compile(r"`([^`\n]+)`")
_COMMAND = re.compile(r"(?:eval\s+\"\$\(|source\s+<\()?(?:\.venv/bin/)?workbench(?:\s|$|\))")
_SYNOPSIS = re.compile(r"\[|\||…|\.\.\.|<[^(]")


def readme_commands(text: str) -> list[str]:
    """The example commands of a README, in order, each once."""
    found: list[str] = []
    for block in _FENCE.finditer(text):
        if block.group("lang") in ("bash", "sh", "shell", "console", ""):
            for line in block.group("body").splitlines():
                line = line.strip().removeprefix("$ ")
                if _COMMAND.match(line):
                    found.append(line)
    outside = _FENCE.sub("", text)
    for span in _SPAN.findall(outside):
        if re.match(r"(?:\.venv/bin/)?workbench(\s|$)", span) and not _SYNOPSIS.search(span):
            found.append(span)
    return list(dict.fromkeys(found))


def _words(command: str) -> list[str]:
    return shlex.split(command, comments=True)


def planned(command: str, notebooks: set[str]) -> str:
    """The command as the test runs it: ``--dry-run`` added to ``lab`` and to a run of a suite."""
    words = _words(command)
    if "$(" in command or not words:
        return command
    at = next(i for i, w in enumerate(words) if w.endswith("workbench"))
    sub = words[at + 1] if len(words) > at + 1 else ""
    if sub == "lab" or (sub == "run" and "--dry-run" not in words and _run_target(words[at + 2:]) not in notebooks):
        words.insert(at + 2, "--dry-run")
    return shlex.join(words)


def _run_target(args: list[str]) -> str:
    """The suite or notebook a ``workbench run`` names ('default' when none)."""
    takes_value = {"-p", "--parameter", "-j", "--jobs", "--reports"}
    skip = False
    for word in args:
        if skip:
            skip = False
        elif word in takes_value:
            skip = True
        elif not word.startswith("-"):
            return word
    return "default"


def test_the_extraction_finds_commands_and_skips_synopses():
    text = ("```bash\nmake report\n.venv/bin/workbench params 10_violence   # a comment\n"
            'eval "$(.venv/bin/workbench completion bash)"\n```\n'
            "Then `workbench data verify`, not `workbench run [SUITE] -p name=value …` nor `workbench tracker "
            "template|check` nor `workbench_x`.\n")
    assert readme_commands(text) == [".venv/bin/workbench params 10_violence   # a comment",
                                     'eval "$(.venv/bin/workbench completion bash)"', "workbench data verify"]
    notebooks = {"30_youth"}
    assert planned("workbench run -p level=district", notebooks) == "workbench run --dry-run -p level=district"
    assert planned(".venv/bin/workbench run 30_youth -p top_n=10  # one", notebooks) == (
        ".venv/bin/workbench run 30_youth -p top_n=10")
    assert planned("workbench run -p x=1 default", notebooks) == "workbench run --dry-run -p x=1 default"
    assert planned("workbench lab", notebooks) == "workbench lab --dry-run"


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A clone of the repository, alone in an empty folder, with the work tree's changes applied."""
    def git(*args: str, cwd: Path) -> str:
        return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout

    dest = tmp_path_factory.mktemp("readme") / "nisp-workbench"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True, capture_output=True)
    wanted = set(git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")) - {""}
    for name in sorted(wanted):
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    for name in set(git("ls-files", "-z", cwd=dest).split("\0")) - {""} - wanted:
        (dest / name).unlink(missing_ok=True)
    (dest / ".venv").symlink_to(Path(sys.prefix))  # the environment `make env` would have created
    return dest


def plain_shell(clone: Path, home: Path) -> dict[str, str]:
    """A clean environment: no WORKBENCH_* setting, nothing from the Makefile."""
    home.mkdir(exist_ok=True)
    return {"PATH": f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(home),
            "LANG": "C.UTF-8", "PYTHONPATH": str(clone / "src"), "WORKBENCH_OFFLINE": "1"}


def test_every_readme_example_runs_in_a_plain_shell(clone, tmp_path):
    commands = readme_commands((clone / "README.md").read_text(encoding="utf-8"))
    assert len(commands) >= 8, commands
    notebooks = {p.stem for p in (clone / "notebooks").glob("*.ipynb")}
    env = plain_shell(clone, tmp_path / "home")
    failures, ran = [], []
    for command in commands:
        line = planned(command, notebooks)
        res = subprocess.run(["bash", "-c", line], cwd=clone, env=env, capture_output=True, text=True, timeout=1200)
        ran.append(line)
        if res.returncode != 0 or "error:" in res.stderr or "Traceback" in res.stderr:
            failures.append(f"$ {line}\n(exit {res.returncode})\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    assert not failures, "\n\n".join(failures)

    # what the commands did: the data were found in the clone, a one-notebook report is complete
    assert any(" run 30_youth" in line and "--dry-run" not in line for line in ran)
    reports = [p for p in (clone / "reports").iterdir() if p.is_dir() and "_30_youth_" in p.name]
    manifest = json.loads((reports[0] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete" and manifest["data"]["read"] and manifest["data"]["mirror"] is None
