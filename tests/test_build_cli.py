"""`workbench data build`: byte-for-byte reproducible, and bad input refused with nothing written."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT, run_cli
from ged_builder import ged_row, write_ged
from workbench import store
from workbench.store import PROCESSED_DIR
from workbench.catalog import sha256_of


def test_rebuild_reproduces_the_committed_tables_byte_for_byte(tmp_path, mirror):
    out = tmp_path / "processed"
    res = run_cli("data", "build", "--out", str(out))
    assert res.returncode == 0, res.stderr
    manifest = json.loads((PROCESSED_DIR / "manifest.json").read_text())
    assert manifest["rebuild_command"] == "workbench data build"
    for name, entry in manifest["outputs"].items():
        assert filecmp.cmp(out / entry["file"], PROCESSED_DIR / entry["file"], shallow=False), name
        assert sha256_of(PROCESSED_DIR / entry["file"]) == entry["sha256"], name
    assert filecmp.cmp(out / "manifest.json", PROCESSED_DIR / "manifest.json", shallow=False)
    committed = {p.name for p in PROCESSED_DIR.glob("*.csv")}
    assert committed == {e["file"] for e in manifest["outputs"].values()}
    # LF only, no tool-version metadata
    text = (PROCESSED_DIR / "violence_province_year.csv").read_bytes()
    assert b"\r\n" not in text
    assert "version" not in json.dumps(manifest).lower()


def _bad_mirror(tmp_path: Path, mirror: Path, ged: Path) -> tuple[Path, Path]:
    """A mirror holding a test-built GED file beside links to the real boundary files, and a catalog for it."""
    m = tmp_path / "mirror"
    (m / "ucdp_ged").mkdir(parents=True)
    for folder in mirror.iterdir():
        if folder.is_dir() and folder.name != "ucdp_ged":
            (m / folder.name).symlink_to(folder)
    target = m / "ucdp_ged" / "ged_22.1_pakistan.csv"
    target.write_bytes(ged.read_bytes())
    cat = yaml.safe_load((ROOT / "data" / "catalog.yaml").read_text())
    for e in cat["datasets"]:
        if e["id"] == "ucdp_ged_pak":
            e["sha256"] = sha256_of(target)
            e["bytes"] = target.stat().st_size
    cat_path = tmp_path / "catalog.yaml"
    cat_path.write_text(yaml.safe_dump(cat, sort_keys=False))
    return m, cat_path


CASES = {
    "malformed_csv": ("malformed CSV", None),
    "missing_column": ("missing column", "deaths_unknown"),
    "duplicate_id": ("duplicate", "id"),
    "negative_deaths": ("non-negative", "deaths_b"),
    "best_not_sum": ("deaths_a + deaths_b", "best"),
    "unknown_province": ("unknown", "adm_1"),
    "unknown_district": ("unknown", "adm_2"),
}


def _make(case: str, folder: Path) -> Path:
    path = folder / "ged.csv"
    if case == "missing_column":
        return write_ged(path, [ged_row(id=1)], drop=("deaths_unknown",))
    rows = {
        "malformed_csv": [ged_row(id=1), ged_row(id=2)],
        "duplicate_id": [ged_row(id=1), ged_row(id=1)],
        "negative_deaths": [ged_row(id=1), ged_row(id=2, deaths_b=-2, best=4)],
        "best_not_sum": [ged_row(id=1, best=60)],
        "unknown_province": [ged_row(id=1), ged_row(id=2, adm_1="Atlantis province", where_prec=5)],
        "unknown_district": [ged_row(id=1), ged_row(id=2), ged_row(id=3, adm_2="Atlantis district")],
    }[case]
    write_ged(path, rows)
    if case == "malformed_csv":
        path.write_bytes(path.read_bytes().replace(b"test place", b'"test place', 1))
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_naming_file_row_and_column_and_writes_nothing(case, tmp_path, mirror):
    ged = _make(case, tmp_path)
    m, cat = _bad_mirror(tmp_path, mirror, ged)
    out = tmp_path / "out"
    res = run_cli("data", "build", "--out", str(out),
                  env={"WORKBENCH_DATA_MIRROR": str(m), "WORKBENCH_CATALOG": str(cat)})
    assert res.returncode != 0
    err = res.stderr.strip()
    assert err.startswith("error: "), err
    assert "Traceback" not in err
    word, column = CASES[case]
    assert word in err
    if case == "unknown_province":
        assert "'Atlantis province'" in err and "row 2" in err and "ucdp_adm1" in err
    elif case == "unknown_district":
        assert "'Atlantis district'" in err and "row 3" in err and "ucdp_adm2" in err
    else:
        assert str(m / "ucdp_ged" / "ged_22.1_pakistan.csv") in err
        assert "row " in err
    if column:
        assert f"'{column}'" in err
    assert not out.exists() or not any(out.iterdir())


def test_altered_file_is_refused_by_the_build(tmp_path, mirror):
    ged = _make("duplicate_id", tmp_path)
    m, _ = _bad_mirror(tmp_path, mirror, ged)
    out = tmp_path / "out"
    res = run_cli("data", "build", "--out", str(out), env={"WORKBENCH_DATA_MIRROR": str(m)})
    assert res.returncode == 1
    assert "ucdp_ged_pak" in res.stderr and "29a906a9eb88d4ae20d46a9e430f01921ecb4569c521deceb01cd87d5d309cb7" in res.stderr
    assert not out.exists()


def test_missing_file_without_network_fails_at_once(tmp_path):
    """A data set in none of override, shipped data/raw/ and cache, with downloads off: one clear error."""
    cat = yaml.safe_load((ROOT / "data" / "catalog.yaml").read_text())
    for e in cat["datasets"]:
        if e["id"] == "ucdp_ged_pak":
            e["file"] = "ucdp_ged/not_shipped.csv"
    cat_path = tmp_path / "catalog.yaml"
    cat_path.write_text(yaml.safe_dump(cat, sort_keys=False))
    out = tmp_path / "out"
    res = run_cli("data", "build", "--out", str(out),
                  env={"WORKBENCH_DATA_MIRROR": str(tmp_path / "nowhere"), "WORKBENCH_CACHE": str(tmp_path / "c"),
                       "WORKBENCH_OFFLINE": "1", "WORKBENCH_CATALOG": str(cat_path)})
    assert res.returncode == 1
    assert "error: data set 'ucdp_ged_pak' not found" in res.stderr
    for place in (tmp_path / "nowhere", ROOT / "data" / "raw", tmp_path / "c"):
        assert str(place / "ucdp_ged" / "not_shipped.csv") in res.stderr
    assert not out.exists()


# --------------------------------------------------------------------------- write_csv: pandas' bytes, faster

text = st.text(alphabet=st.sampled_from(list('ab ,;"\'\n\r\t=-+é€0.')), max_size=6)
floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1e-7, 0.5e-6, 2.5]))
COLUMN_KINDS = {
    "int64": (st.integers(-2**63, 2**63 - 1), "int64"),
    "Int64": (st.one_of(st.none(), st.integers(-10**12, 10**12)), "Int64"),
    "uint8": (st.integers(0, 255), "uint8"),
    "uint64": (st.integers(0, 2**64 - 1), "uint64"),  # beyond int64: left to pandas
    "float64": (floats, "float64"),
    "bool": (st.booleans(), "bool"),
    "boolean": (st.one_of(st.none(), st.booleans()), "boolean"),
    "string": (st.one_of(st.none(), text), "string"),
    "str": (st.one_of(st.none(), text), "str"),
}


@st.composite
def frames(draw):
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(list(COLUMN_KINDS)), min_size=1, max_size=5))
    names = draw(st.lists(text.filter(bool), min_size=len(kinds), max_size=len(kinds), unique=True))
    data = {}
    for name, kind in zip(names, kinds, strict=True):
        values, dtype = COLUMN_KINDS[kind]
        data[name] = pd.Series(draw(st.lists(values, min_size=n, max_size=n)), dtype=dtype)
    return pd.DataFrame(data)


@given(df=frames())
def test_write_csv_writes_exactly_what_pandas_writes(df, tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    with mock.patch.object(store, "CHUNK_ROWS", 5):  # several chunks
        store.write_csv(df, folder / "fast.csv")
    df.to_csv(folder / "pandas.csv", index=False, lineterminator="\n", float_format=store.FLOAT_FORMAT,
              encoding="utf-8")
    assert (folder / "fast.csv").read_bytes() == (folder / "pandas.csv").read_bytes()


def test_write_csv_leaves_other_dtypes_to_pandas(tmp_path):
    df = pd.DataFrame({"when": pd.to_datetime(["2021-01-02", None]), "what": pd.Series(["a", 1], dtype=object)})
    assert not store._formats_fast(df)
    store.write_csv(df, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text() == "when,what\n2021-01-02,a\n,1\n"
