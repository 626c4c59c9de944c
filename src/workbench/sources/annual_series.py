"""A published annual series as a violence source: the figures a publisher gives, nothing filled in.

An annual series (``docs/incidents.md``) gives, per publication, year, geography and measure, one
published value with the publisher's own definition. As a source it yields province and national
panels only (no districts); a province-year or measure the publication does not give is missing,
so the coverage is not ``complete``.

Layouts: a row states its own layout. A ``pre2018`` series gives the ``current`` Khyber
Pakhtunkhwa as KP + FATA, in the years that give both; a ``current`` series cannot be split into
``pre2018`` KP and FATA (those cells are missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.errors import ParameterError
from workbench.geo.units import LAYOUTS, load_registry
from workbench.sources.base import (
    NATIONAL_ID,
    NATIONAL_NAME,
    UNLOCATED_NAME,
    Coverage,
    ViolenceSource,
)
from workbench.sources.private import PrivateSource, read_private_source

#: Published measures in the sources' one schema.
SCHEMA_COLUMNS = {"incidents": "events", "killed": "deaths_best", "killed_civilians": "deaths_civilians",
                  "injured": "injured"}
SERIES_COLUMNS = ["unit_id", "unit_name", "unit_level", "year", "value", "definition"]


class AnnualSeriesSource(ViolenceSource):
    """One publication of a registered annual series file.

    Parameters
    ----------
    entry:
        The registry entry.
    series:
        The publication (the file's ``source`` column) when the file holds several.
    """

    kind_label = "published annual series"

    def __init__(self, entry: PrivateSource, series: str | None = None) -> None:
        rows = read_private_source(entry.id)
        labels = sorted(rows["source"].astype(str).unique())
        if series is None:
            if len(labels) > 1:
                raise ParameterError(f"the published series {entry.id!r} holds several sources ({'; '.join(labels)}): "
                                     "choose one with series=")
            series = labels[0] if labels else entry.title
        elif series not in labels:
            raise ParameterError(f"series {series!r} is not in {entry.id!r}; its sources: {'; '.join(labels)}")
        self.entry, self.series = entry, series
        self.rows = rows[rows["source"] == series]
        self.id = entry.id
        self.title = entry.title
        self.label = f"{entry.title} ({entry.compiler}; {entry.first_year}-{entry.last_year})"
        self.definition = entry.definition
        have = [col for m, col in SCHEMA_COLUMNS.items() if (self.rows["measure"] == m).any()]
        levels = tuple(lv for lv, found in (("national", (self.rows["unit_id"] == NATIONAL_ID).any()),
                                            ("province", (self.rows["unit_id"] != NATIONAL_ID).any())) if found)
        self.coverage = Coverage(first_year=entry.first_year, last_year=entry.last_year,
                                 levels=levels or ("national",), measures=tuple(have) or ("events",), complete=False)
        self.provenance = [entry.id]
        self.caveat = (f"violence source {entry.id!r}: {self.label} ({self.kind_label}); its definition: "
                       f"{entry.definition}")

    @property
    def series_label(self) -> str:
        return self.series

    # ------------------------------------------------------------------ long series

    def province_series(self, measure: str, layout: str) -> pd.DataFrame:
        """Published values of ``measure`` per province (and ``PK``, the national total) and year, with
        the publisher's definition on each row (:data:`SERIES_COLUMNS`)."""
        if layout not in LAYOUTS:
            raise ParameterError(f"layout must be one of {', '.join(LAYOUTS)}; got {layout!r}")
        r = self.rows[self.rows["measure"] == measure]
        reg = load_registry()
        cols = ["unit_id", "year", "value", "definition"]
        same = r.loc[r["layout"] == layout, cols]
        other = r[r["layout"] != layout]
        # the other layout gives exactly every unit but KP and FATA; a pre-2018 series gives the current
        # KP as KP + FATA in the years that give both; a current KP cannot be split
        parts = [same, other.loc[~other["unit_id"].isin(["PK-KP", "PK-TA"]), cols]]
        if layout == "current" and len(other):
            kp = other[other["unit_id"] == "PK-KP"].set_index("year")
            ta = other[other["unit_id"] == "PK-TA"].set_index("year")
            both = kp.index.intersection(ta.index)
            defs = [a if a == b else f"{a} | FATA: {b}"
                    for a, b in zip(kp.loc[both, "definition"], ta.loc[both, "definition"], strict=True)]
            parts.append(pd.DataFrame({"unit_id": "PK-KP", "year": both, "value": (kp.loc[both, "value"]
                                       + ta.loc[both, "value"]).to_numpy(), "definition": defs}))
        out = pd.concat(parts, ignore_index=True).drop_duplicates(["unit_id", "year"], keep="first")
        out["unit_level"] = np.where(out["unit_id"] == NATIONAL_ID, "country", "province")
        out["unit_name"] = [NATIONAL_NAME if u == NATIONAL_ID else reg.name(u) for u in out["unit_id"]]
        out["year"] = out["year"].astype("int64")
        out["value"] = out["value"].astype("float64")
        out = out[SERIES_COLUMNS].reset_index(drop=True)
        out.attrs["sources"] = list(self.provenance)
        years = r["year"]
        out.attrs["coverage"] = (int(years.min()), int(years.max())) if len(years) else self.coverage.years
        out.attrs["label"] = self.series
        return out

    # ------------------------------------------------------------------ panels

    def _panel(self, level: str, layout: str, district_set: str) -> pd.DataFrame:
        reg = load_registry()
        years = np.arange(self.coverage.first_year, self.coverage.last_year + 1)
        if level == "national":
            units = pd.DataFrame({"unit_id": [NATIONAL_ID], "unit_name": [NATIONAL_NAME], "unit_level": ["country"],
                                  "province": [NATIONAL_ID]})
        else:
            provinces = reg.provinces(layout)
            units = pd.DataFrame({"unit_id": [*provinces["unit_id"].astype(str), NATIONAL_ID]})
            units["unit_name"] = [UNLOCATED_NAME if u == NATIONAL_ID else reg.name(u) for u in units["unit_id"]]
            units["unit_level"] = np.where(units["unit_id"] == NATIONAL_ID, "country", "province")
            units["province"] = units["unit_id"]
        grid = units.merge(pd.DataFrame({"year": years}), how="cross")
        for measure, column in SCHEMA_COLUMNS.items():
            s = self.province_series(measure, layout)
            if level == "national":
                s = s[s["unit_level"] == "country"]
            else:
                # the published national figure is a total, not "what no province holds": missing here
                s = s[s["unit_level"] == "province"]
            values = s.set_index(["unit_id", "year"])["value"]
            grid[column] = values.reindex(pd.MultiIndex.from_frame(grid[["unit_id", "year"]])).to_numpy()
        grid.attrs["sources"] = list(self.provenance)
        return grid

    def measure_labels(self, deaths_estimate: str = "best", categories=None) -> dict[str, str]:
        return {"events": f"published incidents, {self.title}", "deaths": f"published persons killed, {self.title}"}
