"""The provenance appendix of a report page: every input it used, once, with its attribution.

Footnotes under tables and figures stay short; the full record of each data set (file, sha256,
licence and the attribution its licence asks for) is given once, at the end of the page, and in
the run's manifest (:func:`provenance_records`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import nbformat

from workbench.errors import WorkbenchError

APPENDIX_TAG = "workbench-provenance-appendix"


def provenance_records(source_ids: Iterable[str]) -> list[dict[str, Any]]:
    """One record per source id: what it is, where it comes from, its terms and attribution.

    Catalog data sets carry file, sha256, licence and citation; reference tables, the policy
    encoding and the analyst's registered sources carry their one-line credit (never a private
    file's path).
    """
    from workbench.catalog import load_catalog
    from workbench.report.outputs import describe_sources

    cat = load_catalog()
    out = []
    for source_id in dict.fromkeys(source_ids):
        if source_id in cat.entries:
            e = cat[source_id]
            out.append({"id": e.id, "kind": "data set", "title": e.title, "publisher": e.publisher,
                        "version": e.version, "vintage": e.vintage, "file": f"data/raw/{e.file}", "sha256": e.sha256,
                        "licence": e.licence, "licence_status": e.licence_status, "attribution": e.citation})
        else:
            try:
                credit = describe_sources([source_id]).removeprefix("Source: ")
            except WorkbenchError:  # named inside a kernel with its own describer (tests): record it as it is
                credit = f"source id {source_id!r} (not a catalog data set, reference table or registered source)"
            out.append({"id": source_id, "kind": "other", "title": credit, "publisher": "", "version": "",
                        "vintage": "", "file": "", "sha256": "", "licence": "", "licence_status": "",
                        "attribution": credit})
    return out


def appendix_cell(records: list[dict[str, Any]]) -> nbformat.NotebookNode:
    """A markdown cell listing each record: title, version, file and sha256, licence, attribution."""
    rows = []
    for r in records:
        where = (f"<code>{html.escape(r['file'])}</code><br><small>sha256 <code>{r['sha256']}</code></small>"
                 if r["file"] else "")
        licence = html.escape(r["licence"]) + (" (unconfirmed)" if r["licence_status"] == "unconfirmed" else "")
        version = ", ".join(html.escape(x) for x in (r["version"], r["vintage"]) if x)
        rows.append(f"<tr><td><code>{html.escape(r['id'])}</code></td><td>{html.escape(r['title'])}"
                    f"{'<br><small>' + version + '</small>' if version else ''}</td><td>{where}</td>"
                    f"<td>{licence}</td><td>{html.escape(r['attribution'])}</td></tr>")
    body = "".join(rows) or "<tr><td colspan=\"5\">No data set was read.</td></tr>"
    text = ("<div class=\"workbench-appendix\"><h2>Appendix: provenance and attribution</h2>"
            "<p>Every input this page used, with the file it was read from (checked by its sha256), its "
            "licence and the attribution that licence asks for. The published files ship in "
            "<code>data/raw/</code>; their terms are summarised in <code>data/raw/LICENSES.md</code>.</p>"
            "<table><thead><tr><th style=\"text-align:left\">id</th><th style=\"text-align:left\">data set</th>"
            "<th style=\"text-align:left\">file</th><th style=\"text-align:left\">licence</th>"
            "<th style=\"text-align:left\">attribution</th></tr></thead><tbody>"
            f"{body}</tbody></table></div>")
    cell = nbformat.v4.new_markdown_cell(text)
    cell.metadata["tags"] = [APPENDIX_TAG]
    return cell
