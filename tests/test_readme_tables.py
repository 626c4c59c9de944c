"""The README's youth table is typed from the committed youth table: keep the two in step."""

from __future__ import annotations

import re

from conftest import ROOT
from workbench.store import read_processed

NAMES = {"Punjab": "PK-PB", "Sindh": "PK-SD", "Khyber Pakhtunkhwa": "PK-KP", "Balochistan": "PK-BA",
         "Islamabad Capital Territory": "PK-IS", "**Pakistan**": "PK"}


def test_readme_youth_shares_match_the_committed_table():
    youth = read_processed("youth_2023")
    youth = youth[(youth["sex"] == "all_sexes") & (youth["residence"] == "overall")]
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    checked = 0
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] not in NAMES:
            continue
        unit = NAMES[cells[0]]
        for cell, measure in ((cells[1], "youth_share"), (cells[2], "youth_bulge")):
            shown = float(re.sub(r"[^0-9.]", "", cell))
            row = youth[(youth["unit_id"] == unit) & (youth["measure"] == measure)]
            assert len(row) == 1, (unit, measure)
            assert round(100 * float(row["share"].iloc[0]), 1) == shown, (unit, measure, shown)
            checked += 1
    assert checked == 12
