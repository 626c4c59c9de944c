"""The command line as an analyst meets it: version, light start-up, completion, examples, params, one-notebook runs."""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import subprocess
import sys

import pytest
import yaml
import typer
from typer.testing import CliRunner

from conftest import ROOT, run_cli
import workbench
from workbench.cli import app
from workbench.cli.helptext import KEEP_LINES
from workbench.cli.progress import step_bar, transfer_bar
from workbench.errors import ParameterError
from workbench.report import runner
from workbench.report.params import read_parameters

#: Modules `workbench --help` must not load (issue 15: start-up).
HEAVY = ("pandas", "numpy", "papermill", "nbformat", "nbconvert", "nbclient", "jupyter_client", "matplotlib",
         "geopandas", "scipy", "statsmodels", "pandera", "yaml")


def _clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("WORKBENCH_", "_WORKBENCH", "COMP_"))}


def test_version():
    res = run_cli("--version")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"nisp-workbench {workbench.__version__} (Python ")


def test_help_loads_no_heavy_module():
    res = subprocess.run([sys.executable, "-X", "importtime", "-m", "workbench", "--help"], capture_output=True,
                         text=True, env=_clean_env(), cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "Usage: workbench" in res.stdout
    loaded = {line.split("|")[-1].strip() for line in res.stderr.splitlines() if line.startswith("import time:")}
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    layers = sorted(m for m in loaded if m.startswith("workbench.") and not m.startswith("workbench.cli"))
    assert heavy == [] and layers == []
    assert "workbench.cli" in loaded  # the measurement saw the package load
    # the list of commands comes from COMMANDS: no command's module, and not rich (plain help)
    assert sorted(m for m in loaded if m.startswith("workbench.cli.")) == ["workbench.cli.helptext"]
    assert not [m for m in loaded if m.split(".")[0] == "rich"]


def test_the_list_of_commands_says_what_each_commands_own_help_says():
    from workbench.cli import COMMANDS, commands_of

    registered = {name: (module, command) for module in {m for m, _ in COMMANDS.values()}
                  for name, command in commands_of(module).commands.items()}
    assert set(registered) == set(COMMANDS)  # every command a module registers is listed, and nothing else
    for name, (module, summary) in COMMANDS.items():
        assert registered[name][0] == module, name
        assert summary == registered[name][1].get_short_help_str(limit=10_000), name
    listing = CliRunner().invoke(app, ["--help"], prog_name="workbench", terminal_width=200).output
    for name, (_module, summary) in COMMANDS.items():
        assert f"  {name}" in listing and summary in listing


def test_importing_the_cli_loads_no_heavy_module():
    code = ("import sys, workbench.cli; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in %r or "
            "(m.startswith('workbench.') and not m.startswith('workbench.cli'))))" % (HEAVY,))
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_clean_env(), timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


# --------------------------------------------------------------------------- completion


def test_completion_prints_a_script_that_asks_the_workbench():
    res = run_cli("completion", "bash")
    assert res.returncode == 0, res.stderr
    assert "_WORKBENCH_COMPLETE=complete_bash" in res.stdout and "complete -o default -F" in res.stdout
    assert run_cli("completion", "zsh").returncode == 0
    assert run_cli("completion", "tcsh").returncode != 0


@pytest.mark.parametrize(("words", "cword", "expected"), [
    ("workbench pa", 1, {"params"}),
    ("workbench da", 1, {"data"}),
    ("workbench completion ", 2, {"bash", "zsh", "fish"}),
    ("workbench run --dr", 2, {"--dry-run"}),
])
def test_the_shell_gets_the_completions(words, cword, expected):
    env = {**_clean_env(), "_WORKBENCH_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    script = [sys.executable, "-c", "from workbench.cli import main; main()"]
    res = subprocess.run(script, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert res.returncode == 0, res.stderr
    assert set(res.stdout.split()) == expected


# --------------------------------------------------------------------------- help and its examples


def _commands(group=None, prefix=()):
    """Every leaf command: (path of names, click command)."""
    group = group or typer.main.get_command(app)
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        if hasattr(command, "commands"):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_command_has_examples_in_its_help_and_every_example_parses():
    checked = 0
    for path, command in [((), typer.main.get_command(app)), *_commands()]:
        epilog = (command.epilog or "").removeprefix(KEEP_LINES + "\n")  # printed as written, not re-wrapped
        assert epilog.startswith("Examples:"), f"workbench {' '.join(path)}: no examples in --help"
        for line in epilog.splitlines()[1:]:
            argv = shlex.split(line, comments=True)
            while argv and re.fullmatch(r"[A-Z_]+=.*", argv[0]):  # WORKBENCH_DATA_MIRROR=... workbench ...
                argv.pop(0)
            if argv[:1] == ["eval"]:  # eval "$(workbench completion bash)"
                argv = shlex.split(argv[1].removeprefix("$(").removesuffix(")"))
            argv = argv[: next((i for i, w in enumerate(argv) if w in (">", ">>")), len(argv))]
            assert argv[0] == "workbench", line
            # --help after the example: click parses every option first, so a wrong one fails here
            result = CliRunner().invoke(app, [*argv[1:], "--help"], prog_name="workbench")
            assert result.exit_code == 0, f"{line}: {result.output}"
            assert f"Usage: workbench {' '.join(path)}" in result.output, line
            checked += 1
    assert checked >= 25


def test_help_shows_the_examples():
    result = CliRunner().invoke(app, ["run", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "workbench run 10_violence -p level=district" in result.output


def test_help_prints_one_example_per_line_as_written():
    """Plain help (no rich formatter, issue 15): the examples are not re-wrapped into one paragraph."""
    result = CliRunner().invoke(app, ["--help"], prog_name="workbench", terminal_width=60)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    at = lines.index("  Examples:")
    assert lines[at + 1:at + 5] == ["    workbench params 10_violence",
                                    "    workbench run 10_violence -p level=district",
                                    "    workbench data verify", '    eval "$(workbench completion bash)"']
    assert "\b" not in result.output and "╭" not in result.output  # click's mark is not shown; no rich box


# --------------------------------------------------------------------------- workbench params


def test_params_lists_a_notebooks_parameters_as_csv():
    result = CliRunner().invoke(app, ["params", "10_violence", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    specs = read_parameters(ROOT / "notebooks" / "10_violence.ipynb")
    assert [r["parameter"] for r in rows] == list(specs)
    by_name = {r["parameter"]: r for r in rows}
    assert by_name["level"]["allowed"] == "province, district" and by_name["level"]["default"] == "province"
    assert by_name["top_n"]["bounds"] == "min: 1" and by_name["top_n"]["type"] == "int"
    assert by_name["start_year"]["bounds"] == "years of violence_source (default ucdp_ged_pak: 1989-2021)"
    assert by_name["violence_types"]["default"] == "state_based,non_state,one_sided"
    assert "one of:" not in by_name["level"]["help"] and by_name["top_n"]["help"] == "units shown in the ranking tables"


def test_params_without_a_name_lists_every_notebook_of_the_default_suite():
    result = CliRunner().invoke(app, ["params", "--format", "csv"])
    assert result.exit_code == 0, result.output
    notebooks = {r["notebook"] for r in csv.DictReader(io.StringIO(result.output))}
    suite = yaml.safe_load((ROOT / "notebooks" / "suites" / "default.yaml").read_text(encoding="utf-8"))
    assert notebooks == set(suite["notebooks"])
    assert "60_unit_brief" not in notebooks  # run by `workbench briefs`, or by name: `workbench params 60_unit_brief`


def test_params_table_in_a_plain_shell():
    res = run_cli("params", "10_violence", env={"COLUMNS": "200"})
    assert res.returncode == 0, res.stderr
    assert "start_year" in res.stdout and "1989-2021" in res.stdout and "province, district" in res.stdout


def test_params_of_an_unknown_notebook_names_the_known_ones():
    result = CliRunner().invoke(app, ["params", "15_nothing"])
    assert isinstance(result.exception, ParameterError)
    assert "notebooks: 00_data_audit, 10_violence" in str(result.exception)


# --------------------------------------------------------------------------- one notebook, dry runs


def test_run_one_notebook_by_name_plans_that_notebook_alone():
    res = run_cli("run", "10_violence", "-p", "level=district", "--dry-run")
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert re.match(r"run \d{4}-\d\d-\d\d_10_violence_[0-9a-f]{12} \(10_violence\): 1 notebook\(s\)", lines[0])
    assert lines[1].startswith("  10_violence: start_year=1989 end_year=0 level=district ")  # 0: the source's last year
    assert len([line for line in lines if line.startswith("  ")]) == 1


def test_a_refused_run_prints_one_line_naming_the_notebook_and_parameters(tmp_path):
    res = run_cli("run", "--dry-run", "-p", "level=district", "-p", "layout=pre2018", "--reports", str(tmp_path))
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [res.stderr.strip()]
    assert res.stderr.startswith("error: notebook 50_policy: level='district' with layout='pre2018'")
    assert list(tmp_path.iterdir()) == []


def test_dry_run_starts_no_kernel_and_writes_nothing(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(runner, "execute_plan", lambda *a, **k: calls.append("execute"))
    reports = tmp_path / "reports"
    result = CliRunner().invoke(app, ["run", "30_youth", "--dry-run", "--reports", str(reports)])
    assert result.exit_code == 0, result.output
    assert "30_youth: " in result.output and calls == [] and not reports.exists()


# --------------------------------------------------------------------------- progress bars


def test_step_bar_counts_the_steps_and_prints_each(capsys):
    with step_bar(2, "data build") as progress:
        progress("violence: events placed")
        progress("drivers: the drivers panels")
    out = capsys.readouterr().out  # beside the build's other lines; errors alone go to stderr
    assert "building violence: events placed" in out and "building drivers: the drivers panels" in out
    assert "2/2" in out and "done" in out


def test_transfer_bar_shows_bytes(capsys):
    with transfer_bar() as update:
        update("ucdp_ged_251", 512, 2048)
        update("ucdp_ged_251", 2048, 2048)
    err = capsys.readouterr().err
    assert "downloading ucdp_ged_251" in err and "2.0/2.0 kB" in err
