"""Time a report run: cold, an identical re-run (skipped), and the papermill CLI one notebook at a time.

Usage::

    .venv/bin/python benchmarks/bench_report.py [SUITE] [--jobs N]

SUITE is a suite name or file (default: the default suite). Every run writes into a temporary
reports folder, never into ``reports/``. The three timings are of whole commands, each a fresh
process, as an analyst would type them:

- cold: ``workbench run SUITE --force`` (papermill in-process, notebooks in parallel, HTML,
  tables, manifest);
- warm: the same command again, found identical and skipped;
- papermill CLI: ``papermill in.ipynb out.ipynb -y PARAMS`` for each notebook in turn (no
  HTML, no manifest: less work than ``workbench run``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workbench.report.kernel import choose_kernel
from workbench.report.paths import OUTPUT_DIR_ENV, project_root
from workbench.report.runner import default_jobs, plan_run
from workbench.report.suite import resolve_suite_path


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    return time.perf_counter() - t0, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("suite", nargs="?", default="default")
    parser.add_argument("--jobs", type=int, default=default_jobs())
    args = parser.parse_args()
    root = project_root()
    suite = resolve_suite_path(args.suite, root)
    plan = plan_run(suite, [], project_root=root)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    workbench = [sys.executable, "-m", "workbench", "run", str(suite), "--jobs", str(args.jobs)]
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        reports = Path(tmp) / "reports"
        cold, done = _timed([*workbench, "--force", "--reports", str(reports)], env)
        if done.returncode != 0:
            print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
            return 1
        warm, done = _timed([*workbench, "--reports", str(reports)], env)
        warm_note = ""
        if "nothing to do" not in done.stdout:
            prints = [json.loads(m.read_text())["inputs"]["fingerprint"] for m in reports.glob("*/manifest.json")]
            changed = sorted(k for k in prints[0] if len({p[k] for p in prints}) > 1)
            warm_note = (f"NOT SKIPPED: inputs changed in between ({', '.join(changed) or '?'}; "
                         "files edited during the benchmark?)")
        kernel = choose_kernel().name
        papermill = str(Path(sys.executable).parent / "papermill")
        cli = 0.0
        for nb in plan.notebooks:
            out = Path(tmp) / "cli" / nb.name
            out.mkdir(parents=True)
            seconds, done = _timed(
                [papermill, str(nb.path), str(out / f"{nb.name}.ipynb"), "-k", kernel, "--language", "python",
                 "-y", json.dumps(nb.parameters), "--no-progress-bar", "--cwd", str(nb.path.parent)],
                {**env, OUTPUT_DIR_ENV: str(out)},
            )
            if done.returncode != 0:
                print(done.stderr[-2000:], file=sys.stderr)
                return 1
            cli += seconds
    n = len(plan.notebooks)
    print(f"suite {plan.suite.name}: {n} notebooks, --jobs {args.jobs}, {os.cpu_count()} CPUs")
    print(f"  cold run (workbench run --force)      {cold:7.2f} s")
    print(f"  identical re-run (skipped)            {warm:7.2f} s   warm/cold = {warm / cold:.2f} {warm_note}")
    print(f"  papermill CLI, sequential             {cli:7.2f} s   cold/CLI  = {cold / cli:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
