"""HTML for readers: code hidden, rendering offline.

SARC's networks are air-gapped, so a report page must not fetch anything. nbconvert's
``lab`` template links require.js, MathJax and mermaid from a CDN; the template here drops
those blocks (the page's CSS is inlined by nbconvert, images are embedded as data URIs).
Whatever remote ``<script src>``, ``<link href>``, ``<img src>`` or ``<iframe src>`` is
still left (e.g. from an output that loads a JavaScript library) is removed and
reported. Consequence: LaTeX in markdown shows as its source text, not typeset.

Cells tagged ``remove-cell`` are left out; cells tagged ``remove-output`` show no output. A cell
tagged ``summary`` (the summary of findings, computed at the end of a notebook) is moved up to
follow the title: the reader sees the findings first, the detail after.

The page carries its own print style (:data:`PAGE_CSS`): A4, page numbers, figures and table rows
not split across pages, interactive maps left out of print (their static map is printed).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping
from typing import Any

import jinja2
import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor

_TEMPLATE_NAME = "workbench_offline.html.j2"
#: Tag of the cell whose output is the summary of findings (moved up to follow the title).
SUMMARY_TAG = "summary"
#: Reading and print style of a report page (tables, footnotes, A4 pages with numbers).
PAGE_CSS = """
.wb-table { margin: 0.4em 0 1.2em 0; max-width: 100%; }
.wb-caption { margin: 0 0 0.3em 0; }
.wb-footnote { margin: 0.2em 0 0 0; line-height: 1.3; }
.wb-table details summary { cursor: pointer; color: #444; font-size: 0.86em; margin: 0.2em 0; }
.wb-summary { border-left: 4px solid #4878a8; background: #f4f7fb; padding: 0.6em 1em; margin: 0.6em 0 1em 0; }
.wb-summary h2 { margin-top: 0.2em; font-size: 1.2em; }
.wb-summary li { margin: 0.25em 0; }
.wb-caveat { color: #555; font-style: italic; }
.wb-interactive { margin: 0.5em 0 1.2em 0; }
@page {
  size: A4;
  margin: 16mm 14mm 18mm 14mm;
  @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; color: #555; }
}
@media print {
  body { font-size: 10pt; }
  .wb-interactive { display: none !important; }
  .wb-scroll { overflow: visible !important; }
  .wb-table table { font-size: 8pt !important; }
  .jp-OutputArea-output img, .wb-summary, figure { break-inside: avoid; page-break-inside: avoid; }
  .jp-OutputArea-output:has(img) { break-inside: avoid; page-break-inside: avoid; }
  tr, .wb-footnote, .wb-caption { break-inside: avoid; page-break-inside: avoid; }
  .wb-caption, h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  img { max-width: 100% !important; height: auto !important; }
}
"""
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block extra_css -%}<style type="text/css">""" + PAGE_CSS + """</style>{%- endblock extra_css -%}
"""

_REMOTE = r"""(?:https?:)?//[^"'\s>]+"""
_ATTR = rf"""\b(?:src|href)\s*=\s*["']?\s*{_REMOTE}"""
#: Elements that make a browser fetch a remote asset.
_REMOTE_ELEMENT = re.compile(
    rf"""<script\b[^>]*{_ATTR}[^>]*>.*?</script\s*>"""
    rf"""|<(?:link|img|iframe|source|embed)\b[^>]*{_ATTR}[^>]*>""",
    re.IGNORECASE | re.DOTALL,
)
#: Fetches from inside scripts or styles: import("https://..."), @import url(https://...).
_REMOTE_CALL = re.compile(rf"""(?:\bimport\s*\(\s*|@import\s+(?:url\(\s*)?|url\(\s*)["']?{_REMOTE}""", re.IGNORECASE)


def external_asset_references(page: str) -> list[str]:
    """Every place where ``page`` would fetch something from another host.

    Hyperlinks (``<a href>``) are not assets and are allowed.

    >>> external_asset_references('<script src="https://cdn.example/x.js"></script><a href="https://x.org">x</a>')
    ['<script src="https://cdn.example/x.js"></script>']
    """
    found = [m.group(0) for m in _REMOTE_ELEMENT.finditer(page)]
    found += [m.group(0) for m in _REMOTE_CALL.finditer(page)]
    return found


def strip_remote_assets(page: str) -> tuple[str, list[str]]:
    """Remove remote-asset elements; return the page and what was removed.

    A fetch from inside a script (``import("https://...")``) cannot be cut out safely; the
    caller gets it back in the list from :func:`external_asset_references`.
    """
    removed = [m.group(0) for m in _REMOTE_ELEMENT.finditer(page)]
    return _REMOTE_ELEMENT.sub("", page), removed


def _exporter() -> HTMLExporter:
    loader = jinja2.DictLoader({_TEMPLATE_NAME: _TEMPLATE})
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[loader],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    exporter.template_file = _TEMPLATE_NAME
    remover = TagRemovePreprocessor(remove_cell_tags={"remove-cell"}, remove_all_outputs_tags={"remove-output"})
    exporter.register_preprocessor(remover, enabled=True)
    return exporter


def summary_first(cells: list[Any]) -> list[Any]:
    """The cells with those tagged :data:`SUMMARY_TAG` moved to follow the first markdown cell (the title)."""
    tagged = [SUMMARY_TAG in c.get("metadata", {}).get("tags", []) for c in cells]
    summary = [c for c, t in zip(cells, tagged, strict=True) if t]
    if not summary:
        return list(cells)
    rest = [c for c, t in zip(cells, tagged, strict=True) if not t]
    title = next((i for i, c in enumerate(rest) if c.get("cell_type") == "markdown"), -1)
    return [*rest[: title + 1], *summary, *rest[title + 1:]]


def header_cell(title: str, facts: Mapping[str, Any]) -> nbformat.NotebookNode:
    """A markdown cell that opens a report page: what was run, with which parameters."""
    lines = [f"<div class=\"workbench-run\"><p><strong>{html.escape(title)}</strong></p><table>"]
    for key, value in facts.items():
        lines.append(f"<tr><th style=\"text-align:left\">{html.escape(str(key))}</th>"
                     f"<td style=\"text-align:left\"><code>{html.escape(str(value))}</code></td></tr>")
    lines.append("</table></div>")
    return nbformat.v4.new_markdown_cell("\n".join(lines))


def notebook_to_html(nb: nbformat.NotebookNode, *, title: str, facts: Mapping[str, Any],
                     appendix: nbformat.NotebookNode | None = None) -> tuple[str, list[str]]:
    """Render an executed notebook as an offline page with code hidden.

    Parameters
    ----------
    nb:
        The executed notebook (not modified).
    title, facts:
        A header shown above the first cell (e.g. the run id and the parameters).
    appendix:
        A cell shown after the last one (the provenance appendix).

    Returns
    -------
    page, removed:
        The HTML, and the remote-asset elements that had to be removed (normally none).
    """
    nb = copy.deepcopy(nb)
    nb.cells = summary_first(nb.cells)
    nb.cells.insert(0, header_cell(title, facts))
    if appendix is not None:
        nb.cells.append(appendix)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    page, _ = _exporter().from_notebook_node(nb)
    return strip_remote_assets(page)
