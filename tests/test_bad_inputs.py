"""The hostile-input corpus (``tests/bad_inputs/``): every file keeps the outcome its index states.

Each refusal names the file, the data row and the column the index gives, with the words it gives; each
accepted file reads with its rows and the notes on how it was read. All rows are fictional.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workbench.errors import DataValidationError, UnknownUnitError
from workbench.policy.tracker import read_tracker
from workbench.sources.incidents import read_annual_series, read_incident_log

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = yaml.safe_load((CORPUS / "index.yaml").read_text(encoding="utf-8"))
READERS = {
    "incident_log": lambda path: read_incident_log(path, check_points=False),
    "annual_series": read_annual_series,
    "tracker": read_tracker,
}
ERRORS = {"DataValidationError": DataValidationError, "UnknownUnitError": UnknownUnitError}


def test_every_file_of_the_corpus_is_in_the_index_once():
    listed = [c["file"] for c in CASES]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(p.name for p in CORPUS.glob("*.csv"))


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_each_hostile_file_keeps_its_outcome(case):
    path = CORPUS / case["file"]
    read = READERS[case["reader"]]
    if case["expect"] == "read":
        frame = read(path)
        assert len(frame) == case["rows"]
        notes = frame.attrs["read_notes"]
        assert all(note.startswith(f"{path}: ") for note in notes)
        for words in case["notes"]:
            assert any(words in note for note in notes), (words, notes)
        assert len(notes) == len(case["notes"]), notes
        return
    with pytest.raises(ERRORS[case["error"]]) as info:
        read(path)
    err = info.value
    first_line = str(err).splitlines()[0]
    assert str(path) in first_line
    assert case["message"] in first_line
    assert err.column == case["column"]
    row = None if err.row is None else int(str(err.row).split(" ")[0])
    assert row == case["row"]
