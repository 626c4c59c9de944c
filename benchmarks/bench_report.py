"""The report runner against baselines measured in the same run (issue 15's runner rows).

Usage::

    .venv/bin/python benchmarks/bench_report.py [--rows trivial,suite,help] [--runs N]

Every side of every row is a whole command in a fresh process, as an analyst types it, timed in
alternation with its baseline (``benchmarks/common.py``: min/median/max, ratio of medians). Reports go
to a temporary folder, never to ``reports/``.

- ``trivial``: ``workbench run`` on a one-cell notebook (plan, fingerprint, forkserver, kernel, HTML,
  manifest, publication) against one Python process doing ``papermill.execute_notebook`` and
  nbconvert's HTML export (code hidden) of the same notebook. Goal: at most 1.1x.
- ``suite``: the default suite with ``--jobs 2`` against the same with ``--jobs 1`` (a speed-up:
  baseline/ours). Goal: at least 1.8x. Takes a few minutes per run.
- ``help``: ``workbench --help`` against ``python -c "import typer, rich"``. Goal: at most 1.5x.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Row, paired, report  # noqa: E402

from workbench.report.kernel import choose_kernel  # noqa: E402
from workbench.report.paths import project_root  # noqa: E402

ENV = {**os.environ, "MPLBACKEND": "Agg"}
PAPERMILL_AND_HTML = """
import sys
import papermill
from nbconvert import HTMLExporter
source, executed, html, kernel = sys.argv[1:5]
papermill.execute_notebook(source, executed, parameters={"n": 2}, kernel_name=kernel, language="python",
                         progress_bar=False)
page, _ = HTMLExporter(template_name="lab", exclude_input=True, embed_images=True).from_filename(executed)
open(html, "w", encoding="utf-8").write(page)
"""


def command(argv: list[str], env: dict[str, str] | None = None) -> Callable[[], None]:
    """A function that runs ``argv`` (in ``env``, by default :data:`ENV`) and fails loudly if it fails."""

    def run() -> None:
        done = subprocess.run(argv, capture_output=True, text=True, env=env or ENV, check=False)
        if done.returncode != 0:
            raise SystemExit(f"benchmark command failed: {' '.join(argv)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")

    return run


def workbench(*args: str) -> list[str]:
    return [sys.executable, "-m", "workbench", *args]


def trivial_row(tmp: Path, runs: int) -> Row:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("n: int = 1  # a number")
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, nbformat.v4.new_code_cell("print(n + 1)")]
    nbformat.write(nb, tmp / "trivial.ipynb")
    suite = tmp / "trivial.yaml"
    suite.write_text(yaml.safe_dump({"name": "trivial", "notebooks": [{"path": "trivial", "parameters": {"n": 2}}]}))
    # like for like: the baseline writes HTML only, so this side prints no PDF (a run with Chromium prints two)
    html_only = {**ENV, "WORKBENCH_CHROMIUM": "no-chromium-for-this-benchmark"}
    ours = command(workbench("run", str(suite), "--force", "--jobs", "1", "--reports", str(tmp / "reports")), html_only)
    baseline = command([sys.executable, "-c", PAPERMILL_AND_HTML, str(tmp / "trivial.ipynb"),
                        str(tmp / "executed.ipynb"), str(tmp / "executed.html"), choose_kernel().name])
    return paired("workbench run, one trivial notebook", ours=ours, baseline=baseline,
                  baseline_name="papermill + nbconvert HTML, one process", runs=runs, goal="<= 1.1x",
                  note="both sides HTML only (the run's PDFs need Chromium and are left out here)")


def suite_row(tmp: Path, runs: int) -> Row:
    suite = str(project_root() / "notebooks" / "suites" / "default.yaml")

    def jobs(n: int) -> Callable[[], None]:
        return command(workbench("run", suite, "--force", "--jobs", str(n), "--reports", str(tmp / f"reports-{n}")))

    return paired("default suite, --jobs 2", ours=jobs(2), baseline=jobs(1), baseline_name="the same suite, --jobs 1",
                  runs=runs, goal=">= 1.8x faster", ratio_kind="baseline/ours",
                  note=f"{os.cpu_count()} CPUs; each kernel gets cores / jobs BLAS threads")


def help_row(runs: int) -> Row:
    return paired("workbench --help", ours=command(workbench("--help")),
                  baseline=command([sys.executable, "-c", "import typer, rich"]),
                  baseline_name='python -c "import typer, rich"', runs=runs, goal="<= 1.5x")


CHECKS = {
    "workbench run, one trivial notebook": lambda r: r <= 1.1,
    "default suite, --jobs 2": lambda r: r >= 1.8,
    "workbench --help": lambda r: r <= 1.5,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="trivial,suite,help", help="comma-separated: trivial, suite, help")
    parser.add_argument("--runs", type=int, default=5, help="paired runs per row (the suite row: at most 3)")
    args = parser.parse_args()
    wanted = {r.strip() for r in args.rows.split(",") if r.strip()}
    unknown = wanted - {"trivial", "suite", "help"}
    if unknown:
        parser.error(f"unknown rows: {', '.join(sorted(unknown))}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as folder:
        tmp = Path(folder)
        if "help" in wanted:
            rows.append(help_row(max(args.runs, 10)))
        if "trivial" in wanted:
            rows.append(trivial_row(tmp, args.runs))
        if "suite" in wanted:
            rows.append(suite_row(tmp, min(args.runs, 3)))
    report(rows, CHECKS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
