"""HTML for readers: code hidden, rendering offline.

SARC's networks are air-gapped, so a report page must not fetch anything. nbconvert's
``lab`` template links require.js, MathJax and mermaid from a CDN; the template here drops
those blocks (the page's CSS is inlined by nbconvert, images are embedded as data URIs).
Whatever remote ``<script src>``, ``<link href>``, ``<img src>`` or ``<iframe src>`` is
still left (e.g. from an output that loads a JavaScript library) is removed and
reported. Consequence: LaTeX in markdown shows as its source text, not typeset.

Cells tagged ``remove-cell`` are left out; cells tagged ``remove-output`` show no output.
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
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
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
    nb.cells.insert(0, header_cell(title, facts))
    if appendix is not None:
        nb.cells.append(appendix)
    nb.metadata["title"] = title
    nb.metadata.pop("widgets", None)
    page, _ = _exporter().from_notebook_node(nb)
    return strip_remote_assets(page)
