"""Offline HTML pages that list runs: ``reports/index.html`` and each run's ``index.html``.

Both pages are self-contained (inline style, no script, nothing fetched).
"""

from __future__ import annotations

import html
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.report.locks import INDEX_LOCK, exclusive
from workbench.report.manifest import read_manifest
from workbench.report.pdf import write_pdf
from workbench.report.publication import FAILED_DIR

INDEX_NAME = "index.html"

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
       margin: 2rem; color: #1a1a1a; max-width: 72rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f3f3f3; }
.complete, .ok { color: #1b7837; font-weight: 600; }
.failed { color: #b2182b; font-weight: 600; }
.current { background: #1b7837; color: white; border-radius: 0.3rem; padding: 0 0.35rem; font-size: 0.8rem; }
code { font-size: 0.85rem; }
.muted { color: #666; font-size: 0.85rem; }
"""


def _e(value: Any) -> str:
    return html.escape(str(value)) if value is not None else ""


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def _write_atomic(path: Path, text: str) -> None:
    """Write ``path`` whole or not at all; a failed write (a full disk) leaves no temporary file behind."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_page_atomic(path: Path, title: str, body: str) -> Path:
    """Write a self-contained page (the index style) whole or not at all."""
    _write_atomic(path, _page(title, body))
    return path


def _started(manifest: dict[str, Any]) -> datetime:
    try:
        return datetime.fromisoformat(manifest["started"])
    except (KeyError, TypeError, ValueError):
        return datetime.min.astimezone()


def list_runs(reports: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every run folder with a manifest (good runs and ``failed/`` ones), newest first."""
    folders = [p for p in reports.iterdir() if p.is_dir() and not p.name.startswith(".")] if reports.is_dir() else []
    failed = reports / FAILED_DIR
    if failed.is_dir():
        folders += [p for p in failed.iterdir() if p.is_dir() and not p.name.startswith(".")]
    runs = [(p, m) for p in folders if (m := read_manifest(p)) is not None and "run_id" in m]
    runs.sort(key=lambda pm: (_started(pm[1]), pm[1]["run_id"]), reverse=True)
    return runs


def write_reports_index(reports: Path) -> Path:
    """Write ``reports/index.html``: every run, newest first, with status and links.

    The newest complete run of each suite is marked *current*. Runs finishing at the same time
    write it one after the other (a lock), so that the last one written lists both.
    """
    reports.mkdir(parents=True, exist_ok=True)
    with exclusive(reports, INDEX_LOCK):
        return _write_reports_index(reports)


def _write_reports_index(reports: Path) -> Path:
    runs = list_runs(reports)
    current: set[Path] = set()
    seen_suites: set[str] = set()
    for folder, manifest in runs:
        suite = manifest.get("suite", {}).get("name")
        if manifest.get("status") == "complete" and suite not in seen_suites:
            seen_suites.add(suite)
            current.add(folder)
    rows = []
    for folder, m in runs:
        rel = folder.relative_to(reports).as_posix()
        notebooks = m.get("notebooks", [])
        n_ok = sum(1 for n in notebooks if n.get("status") == "ok")
        status = m.get("status", "?")
        badge = ' <span class="current">current</span>' if folder in current else ""
        git = m.get("git", {})
        commit = (git.get("commit") or "none")[:10] + (" (dirty)" if git.get("dirty") else "")
        rows.append(
            "<tr>"
            f"<td><a href=\"{_e(rel)}/{INDEX_NAME}\"><code>{_e(m['run_id'])}</code></a>{badge}</td>"
            f"<td>{_e(m.get('suite', {}).get('name'))}</td>"
            f"<td>{_e(m.get('started'))}</td>"
            f"<td class=\"{_e(status)}\">{_e(status)}</td>"
            f"<td>{n_ok} of {len(notebooks)} ok</td>"
            f"<td>{_e(m.get('duration_s'))} s</td>"
            f"<td><code>{_e(commit)}</code></td>"
            "</tr>"
        )
    body = (
        "<h1>Report runs</h1>\n"
        "<p class=\"muted\">Newest first. Each run folder holds the executed notebooks, their HTML, tables (CSV, XLSX), "
        "figures (PNG) and <code>manifest.json</code>. Failed runs are kept under <code>failed/</code> for debugging.</p>\n"
        "<table>\n<tr><th>Run</th><th>Suite</th><th>Started</th><th>Status</th><th>Notebooks</th>"
        "<th>Duration</th><th>Git commit</th></tr>\n" + "\n".join(rows) + "\n</table>"
        + ("" if rows else "\n<p>No runs yet: <code>workbench run</code> makes one.</p>")
        + ("\n<p><a href=\"briefs/index.html\">Briefs per province and district</a> "
           "(<code>workbench briefs</code>)</p>" if (reports / "briefs" / INDEX_NAME).is_file() else "")
    )
    path = reports / INDEX_NAME
    _write_atomic(path, _page("Report runs", body))
    return path


def write_run_index(folder: Path, manifest: dict[str, Any], *, home: str = "../index.html",
                    published_at: Path | None = None) -> Path:
    """Write a run's own ``index.html`` (and ``index.pdf``): its notebooks with status, links, tables and figures.

    ``home`` is the relative link to ``reports/index.html``; ``published_at`` the folder the run is read from
    once published (the PDF's links point there).
    """
    rows = []
    for nb in manifest.get("notebooks", []):
        name = nb["name"]
        links = [f"<a href=\"{_e(name)}/{_e(name)}.html\">report</a>", f"<a href=\"{_e(name)}/{_e(name)}.ipynb\">notebook</a>"]
        if (folder / name / f"{name}.pdf").is_file():
            links.append(f"<a href=\"{_e(name)}/{_e(name)}.pdf\">pdf</a>")
        outputs = []
        for table in nb.get("tables", []):
            files = " ".join(f"<a href=\"{_e(name)}/{_e(f)}\">{_e(Path(f).suffix[1:])}</a>" for f in table["files"])
            outputs.append(f"table <code>{_e(table['name'])}</code> {files}")
        for figure in nb.get("figures", []):
            files = " ".join(f"<a href=\"{_e(name)}/{_e(f)}\">png</a>" for f in figure["files"])
            outputs.append(f"figure <code>{_e(figure['name'])}</code> {files}")
        error = nb.get("summary") if nb.get("status") != "ok" else ""
        params = ", ".join(f"{k} = {v!r}" for k, v in nb.get("parameters", {}).items())
        rows.append(
            "<tr>"
            f"<td><code>{_e(name)}</code></td>"
            f"<td class=\"{_e(nb.get('status'))}\">{_e(nb.get('status'))}</td>"
            f"<td>{_e(nb.get('duration_s'))} s</td>"
            f"<td>{' · '.join(links)}</td>"
            f"<td><code>{_e(params)}</code></td>"
            f"<td>{'<br>'.join(outputs)}{_e(error)}</td>"
            "</tr>"
        )
    git = manifest.get("git", {})
    body = (
        f"<h1>Run <code>{_e(manifest['run_id'])}</code></h1>\n"
        f"<p>Suite <strong>{_e(manifest.get('suite', {}).get('name'))}</strong>, started {_e(manifest.get('started'))}, "
        f"status <span class=\"{_e(manifest.get('status'))}\">{_e(manifest.get('status'))}</span>, "
        f"git commit <code>{_e(git.get('commit'))}</code>{' (dirty)' if git.get('dirty') else ''}. "
        "Everything this run was made from is in <a href=\"manifest.json\">manifest.json</a>.</p>\n"
        "<table>\n<tr><th>Notebook</th><th>Status</th><th>Time</th><th>Links</th><th>Parameters</th>"
        "<th>Outputs</th></tr>\n" + "\n".join(rows) + "\n</table>\n"
        f"<p class=\"muted\"><a href=\"{_e(home)}\">All runs</a></p>"
    )
    path = folder / INDEX_NAME
    _write_atomic(path, _page(f"Run {manifest['run_id']}", body))
    write_pdf(path, links_from=published_at)  # index.pdf beside it, linking where the run is read; no Chromium: HTML
    return path
