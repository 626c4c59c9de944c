"""Credits for sources that are not catalog data sets: reference tables, the policy text, the analyst's sources.

Catalog data sets are credited by :func:`workbench.catalog.describe_sources`. Tables typed
from publications live in ``data/reference/<name>.csv`` and are named ``reference:<name>``;
each of their rows cites publisher, document and table/page. The policy encoding is
``policy:nisp2018``. An analyst's registered incident log or annual series is named by its
registered id (:mod:`workbench.private`).
"""

from __future__ import annotations

from workbench.errors import CatalogError

NISP_CITATION = (
    "Government of Pakistan, Ministry of Interior (2018). National Internal Security Policy 2018-2023 "
    "(NISP 2018), encoded in data/policy/"
)


def describe_non_catalog_source(source_id: str) -> str:
    """One credit line for a ``reference:<name>`` or ``policy:<name>`` source id."""
    from workbench.catalog import PROJECT_ROOT

    kind, _, name = source_id.partition(":")
    if kind == "reference" and name:
        path = PROJECT_ROOT / "data" / "reference" / f"{name}.csv"
        if not path.exists():
            raise CatalogError(f"reference table {path} named as a source does not exist")
        return f"reference table data/reference/{name}.csv (each row cites publisher, document and table/page)"
    if kind == "policy" and name:
        return NISP_CITATION
    if not name:
        from workbench.private import describe_private_source, is_registered

        if is_registered(source_id):
            return describe_private_source(source_id)
    raise CatalogError(
        f"unknown source id {source_id!r}: use a data/catalog.yaml id, 'reference:<table>', 'policy:<name>' or "
        "the id of an analyst's registered source (`workbench sources list`)"
    )


def sources_of(*frames) -> list[str]:
    """The sources of several frames (``attrs["sources"]``), each once, in first-seen order."""
    return list(dict.fromkeys(s for f in frames for s in f.attrs.get("sources", [])))
