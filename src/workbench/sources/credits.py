"""Credits for every kind of source a table or figure can name.

A source id is one of: a data set of ``data/catalog.yaml`` (``ucdp_ged_pak``), a reference table
typed from publications (``reference:<name>``: ``data/reference/<name>.csv``, each row citing
publisher, document and table/page), the policy encoding (``policy:nisp2018``), or an analyst's
registered source (its id in the private registry, :mod:`workbench.sources.private`). Nothing here
names a private file's path.
"""

from __future__ import annotations

from collections.abc import Iterable

from workbench.catalog import PROJECT_ROOT, credit, load_catalog
from workbench.errors import CatalogError

NISP_CITATION = (
    "Government of Pakistan, Ministry of Interior (2018). National Internal Security Policy 2018-2023 "
    "(NISP 2018), encoded in data/policy/"
)


def describe_source(source_id: str) -> str:
    """One credit line for any source id (catalog, reference table, policy, analyst's source)."""
    cat = load_catalog()
    if source_id in cat.entries:
        e = cat[source_id]
        return f"{credit(source_id, cat)} [{e.id}, sha256 {e.sha256[:12]}]"
    kind, _, name = source_id.partition(":")
    if kind == "reference" and name:
        path = PROJECT_ROOT / "data" / "reference" / f"{name}.csv"
        if not path.exists():
            raise CatalogError(f"reference table {path} named as a source does not exist")
        return f"reference table data/reference/{name}.csv (each row cites publisher, document and table/page)"
    if kind == "policy" and name:
        return NISP_CITATION
    if not name:
        from workbench.sources.private import describe_private_source, is_registered

        if is_registered(source_id):
            return describe_private_source(source_id)
    raise CatalogError(
        f"unknown source id {source_id!r}: use a data/catalog.yaml id, 'reference:<table>', 'policy:<name>' or "
        "the id of an analyst's registered source (`workbench sources list`)"
    )


def describe_sources(ids: Iterable[str]) -> str:
    """A source footnote for a table or figure, from the ids of the sources that produced it."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise CatalogError("no source given: every table and figure must name the data sets it was built from")
    return "Source: " + "; ".join(describe_source(i) for i in ids)
