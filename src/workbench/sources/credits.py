"""Credits for every kind of source a table or figure can name.

Two forms: :func:`credit_line` is the one short line under a table or figure (publisher, data set,
version); :func:`describe_sources` adds each data set's id and sha256 prefix (the command line, and
the provenance appendix for sources that are not catalog data sets).

A source id is one of: a data set of ``data/catalog.yaml`` (``ucdp_ged_pak``), a reference table
typed from publications (``reference:<name>``: ``data/reference/<name>.csv``, each row citing
publisher, document and table/page), the policy encoding (``policy:nisp2018``), or an analyst's
registered source (its id in the private registry, :mod:`workbench.sources.private`). Nothing here
names a private file's path.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from workbench.catalog import PROJECT_ROOT, credit, load_catalog
from workbench.errors import CatalogError

NISP_SHORT = "NISP 2018 (Ministry of Interior, Government of Pakistan), as encoded in data/policy/"
#: Publishers named in a reference table's short credit before "and others".
MAX_PUBLISHERS = 3
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


def short_credit(source_id: str) -> str:
    """The short credit of one source: ``title (version; vintage)`` for a catalog data set, the
    publishers a reference table quotes, the policy, or an analyst's source's compiler and title."""
    cat = load_catalog()
    if source_id in cat.entries:
        return credit(source_id, cat)
    kind, _, name = source_id.partition(":")
    if kind == "reference" and name:
        return _reference_credit(name)
    if kind == "policy" and name:
        return NISP_SHORT
    if not name:
        from workbench.sources.private import get_source, is_registered

        if is_registered(source_id):
            s = get_source(source_id)
            return f"{s.compiler}: {s.title} ({s.kind_label}, {s.first_year}-{s.last_year}; analyst's registered source)"
    return describe_source(source_id)  # raises the error that lists the kinds of id


def _reference_credit(name: str) -> str:
    path = PROJECT_ROOT / "data" / "reference" / f"{name}.csv"
    if not path.exists():
        raise CatalogError(f"reference table {path} named as a source does not exist")
    with path.open(encoding="utf-8", newline="") as fh:
        publishers = list(dict.fromkeys(row["publisher"] for row in csv.DictReader(fh) if row.get("publisher")))
    shown = "; ".join(publishers[:MAX_PUBLISHERS]) + ("; and others" if len(publishers) > MAX_PUBLISHERS else "")
    return f"figures quoted from {shown} (reference table {name}, cited row by row)" if shown else \
        f"reference table {name} (cited row by row)"


def credit_groups(ids: Iterable[str]) -> list[list[str]]:
    """Source ids credited together: catalog data sets of one release (same publisher, version and
    vintage, e.g. three tables of the 2017 census package) form one group; every other id its own."""
    cat = load_catalog()
    groups: dict[object, list[str]] = {}
    for i in dict.fromkeys(ids):
        key = (cat[i].publisher, cat[i].version, cat[i].vintage) if i in cat.entries else i
        groups.setdefault(key, []).append(i)
    return list(groups.values())


def _group_credit(group: list[str]) -> str:
    if len(group) == 1:
        return short_credit(group[0])
    e = load_catalog()[group[0]]
    more = len(group) - 1
    return f"{e.title} and {more} more table{'s' if more > 1 else ''} of the same release ({e.version}; {e.vintage})"


def credit_line(ids: Iterable[str]) -> str:
    """The one-line footnote under a table or figure: ``Source: <short credit>; <short credit>``.

    Tables of one release are credited once (:func:`credit_groups`). The full provenance (file,
    sha256, licence, attribution) is given once, in the report's appendix and the run's manifest.
    """
    ids = list(dict.fromkeys(ids))
    if not ids:
        raise CatalogError("no source given: every table and figure must name the data sets it was built from")
    return "Source: " + "; ".join(_group_credit(g) for g in credit_groups(ids)) + "."
