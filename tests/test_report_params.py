"""The parameters-cell grammar, typed `-p` values, suites, and the run id: no kernel is started here."""

from __future__ import annotations

import keyword
import re
from pathlib import Path

import nbformat
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from workbench.cli import app
from workbench.errors import ParameterError
from workbench.report import engine, runner
from workbench.report.params import (
    ParamSpec,
    check_bounds,
    format_cli_value,
    parse_cli_value,
    parse_parameters_source,
    read_parameters,
    split_assignment,
)
from workbench.report.run_id import fingerprint, make_run_id, notebook_source_digest, run_hash, tree_digest
from workbench.report.suite import load_suite, notebook_suite, resolve_suite_path

ROOT = Path(__file__).resolve().parents[1]


def write_notebook(path: Path, parameters: str, *body: str) -> Path:
    """A test notebook: a `parameters` cell, then code cells."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell, *(nbformat.v4.new_code_cell(b) for b in body)]
    nbformat.write(nb, path)
    return path


def write_suite(path: Path, notebooks: list, **extra) -> Path:
    path.write_text(yaml.safe_dump({"notebooks": notebooks, **extra}))
    return path


# --------------------------------------------------------------------------- grammar


def test_every_type_with_default_help_and_choices():
    source = "\n".join([
        "# comment lines and blank lines are allowed",
        "",
        "from typing import Literal",
        'level: str = "province"  # one of: province, district',
        "start_year: int = 2007  # first year",
        "rate: float = 1  # per 100,000",
        "fata_separate: bool = False",
        "provinces: list[str] = []  # empty: all",
        "years: list[int] = [2017, 2023]",
        'layout: Literal["pre2018", "current"] = "current"  # boundary vintage',
    ])
    specs = parse_parameters_source(source)
    assert list(specs) == ["level", "start_year", "rate", "fata_separate", "provinces", "years", "layout"]
    assert specs["level"] == ParamSpec("level", "str", "province", "one of: province, district", ("province", "district"))
    assert specs["start_year"].default == 2007 and specs["start_year"].help == "first year"
    assert specs["rate"].default == 1.0 and isinstance(specs["rate"].default, float)
    assert specs["fata_separate"].default is False and specs["fata_separate"].help == ""
    assert specs["provinces"].default == [] and specs["provinces"].type == "list[str]"
    assert specs["years"].default == [2017, 2023]
    assert specs["layout"].type == "str" and specs["layout"].choices == ("pre2018", "current")


def test_integer_choices_from_the_help_text():
    specs = parse_parameters_source("census: int = 2017  # one of: 2017, 2023")
    assert specs["census"].choices == (2017, 2023)
    with pytest.raises(ParameterError, match="2020 is not one of: 2017, 2023"):
        parse_cli_value(specs["census"], "2020")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("level = 'province'", "expected `name: type = default"),
        ("level: str", "expected `name: type = default"),
        ("import os", "nothing else belongs"),
        ("print('x')", "nothing else belongs"),
        ("x: dict = {}", "unknown type `dict`"),
        ("x: list[float] = []", "unknown type `list\\[float\\]`"),
        ("x: int = 'a'", "expected int, found str 'a'"),
        ("x: int = True", "expected int, found bool"),
        ("x: bool = 0", "expected bool, found int"),
        ("x: list[int] = [1, 'a']", "expected list\\[int\\]"),
        ("x: int = 1\nx: int = 2", "declared twice"),
        ("x: str = 'c'  # one of: a, b", "'c' is not one of: a, b"),
        ("x: int = 1  # one of: a, b", "do not fit the type int"),
        ("x: int = len('ab')", "must be a literal value"),
        ("x: Literal['a', 1] = 'a'", "all of one type"),
        ("x: int = (", "not valid Python"),
    ],
)
def test_grammar_errors_name_the_line_and_what_is_expected(source, message):
    with pytest.raises(ParameterError, match=message) as info:
        parse_parameters_source(source, where="notebook t.ipynb, parameters cell")
    assert "notebook t.ipynb, parameters cell, line" in str(info.value)


def test_bounds_clauses_are_parsed_and_left_out_of_the_help():
    specs = parse_parameters_source("\n".join([
        "top_n: int = 15  # rows shown; min: 1",
        "lag: int = 1  # years of lag; range: 1..5",
        "share: float = 0.5  # a fraction; range: 0..1",
        "start_year: int = 1989  # first year; years: source",
        "end_year: int = 2021  # last year; years: ucdp_ged_pak; min: start_year",
        "years: list[int] = [2017]  # census years; range: 1998..2023",
        "note: str = ''  # free text; min is not a clause here",
    ]))
    assert (specs["top_n"].minimum, specs["top_n"].maximum, specs["top_n"].help) == (1, None, "rows shown")
    assert (specs["lag"].minimum, specs["lag"].maximum, specs["lag"].help) == (1, 5, "years of lag")
    assert (specs["share"].minimum, specs["share"].maximum) == (0, 1)
    assert specs["start_year"].years == "source" and specs["start_year"].help == "first year"
    assert (specs["end_year"].years, specs["end_year"].minimum) == ("ucdp_ged_pak", "start_year")
    assert specs["note"].help == "free text; min is not a clause here" and specs["note"].minimum is None
    assert specs["lag"].describe() == "lag: int (range: 1..5)"
    assert specs["end_year"].describe() == "end_year: int (min: start_year, years of ucdp_ged_pak)"
    assert specs["start_year"].bounds_text() == "years of violence_source"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x: str = 'a'  # text; min: 1", "bounds \\(range:, min:, max:\\) apply to int, float or list\\[int\\]"),
        ("x: int = 1  # n; range: 1-5", "expected 'range: LO..HI'"),
        ("x: int = 1  # n; range: 5..1", "the range 5..1 is empty"),
        ("x: int = 1  # n; min: 1; range: 1..2", "declared twice"),
        ("x: int = 1  # n; min: 0.5", "the bound '0.5' is not a whole number"),
        ("x: int = 1  # n; min: y", "the bound 'y' is neither a number nor an int or float parameter"),
        ("x: int = 0  # n; min: 1", "default of 'x': 0 is below the minimum 1"),
        ("x: list[int] = [3, 9]  # n; max: 5", "default of 'x': 9 is above the maximum 5"),
        ("x: str = ''  # n; years: source", "'years:' applies to an int or list\\[int\\] parameter"),
        ("x: int = 2000  # n; years: two sources", "expected 'years: source' or 'years: <source id>'"),
    ],
)
def test_bounds_errors_name_the_line(source, message):
    with pytest.raises(ParameterError, match=message) as info:
        parse_parameters_source(source, where="notebook t.ipynb, parameters cell")
    assert "notebook t.ipynb, parameters cell, line 1" in str(info.value)


@settings(deadline=None, max_examples=200)
@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-1000, 1000))
def test_check_bounds_accepts_exactly_the_values_inside(low, high, value):
    spec = ParamSpec("x", "int", 0, minimum=low, maximum=high)
    inside = low <= value <= high
    try:
        check_bounds(spec, value, where="x")
    except ParameterError:
        assert not inside
    else:
        assert inside
    named = ParamSpec("y", "int", 0, minimum="x")
    try:
        check_bounds(named, value, where="y", values={"x": low, "y": value})
    except ParameterError as exc:
        assert value < low and f"below the minimum x = {low}" in str(exc)
    else:
        assert value >= low
    check_bounds(named, value, where="y")  # a named bound needs the values: nothing to check without them


def test_a_notebook_without_a_parameters_cell_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x: int = 1")]
    nbformat.write(nb, tmp_path / "n.ipynb")
    with pytest.raises(ParameterError, match="no cell is tagged 'parameters'"):
        read_parameters(tmp_path / "n.ipynb")


# --------------------------------------------------------------------------- command-line values


@pytest.mark.parametrize(
    ("declared", "text", "expected"),
    [
        ("x: int = 0", "-12", -12),
        ("x: float = 0.5", "2", 2.0),
        ("x: float = 0.5", "1e-3", 0.001),
        ("x: str = ''", " spaced value ", " spaced value "),
        ("x: bool = False", "TRUE", True),
        ("x: bool = True", "no", False),
        ("x: list[str] = []", "Punjab, Sindh", ["Punjab", "Sindh"]),
        ("x: list[str] = []", '["a,b", "c"]', ["a,b", "c"]),
        ("x: list[str] = []", "", []),
        ("x: list[int] = []", "2017,2023", [2017, 2023]),
    ],
)
def test_cli_values_are_parsed_by_the_declared_type(declared, text, expected):
    spec = parse_parameters_source(declared)["x"]
    assert parse_cli_value(spec, text) == expected


@pytest.mark.parametrize(
    ("declared", "text"),
    [("x: int = 0", "1.5"), ("x: int = 0", "ten"), ("x: float = 0.0", "nan"), ("x: float = 0.0", "abc"),
     ("x: bool = False", "maybe"), ("x: list[int] = []", "1,b"), ("x: list[int] = []", "['a']")],
)
def test_cli_values_of_the_wrong_type_are_refused(declared, text):
    spec = parse_parameters_source(declared)["x"]
    with pytest.raises(ParameterError, match=re.escape(f"parameter 'x' (-p x={text}): expected")):
        parse_cli_value(spec, text)


def test_split_assignment():
    assert split_assignment("level=district") == ("level", "district")
    assert split_assignment("q=a=b") == ("q", "a=b")
    for bad in ("level", "=x", "1x=2"):
        with pytest.raises(ParameterError, match="expected name=value"):
            split_assignment(bad)


@settings(deadline=None, max_examples=200)
@given(st.integers(min_value=-10**12, max_value=10**12))
def test_int_round_trip(value):
    assert parse_cli_value(ParamSpec("x", "int", 0), str(value)) == value


@settings(deadline=None, max_examples=200)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_round_trip(value):
    assert parse_cli_value(ParamSpec("x", "float", 0.0), repr(value)) == value


_item = st.text(alphabet=st.characters(blacklist_characters=",[", blacklist_categories=("Cs", "Zs", "Cc")), min_size=1)


@settings(deadline=None, max_examples=200)
@given(st.lists(_item, max_size=6), st.lists(st.integers(-10**6, 10**6), max_size=6))
def test_list_round_trip(strings, ints):
    assert parse_cli_value(ParamSpec("x", "list[str]", []), ",".join(strings)) == strings
    assert parse_cli_value(ParamSpec("x", "list[int]", []), ",".join(map(str, ints))) == ints
    assert parse_cli_value(ParamSpec("x", "list[str]", []), repr(strings)) == strings


@settings(deadline=None, max_examples=200)
@given(st.data())
def test_format_cli_value_parses_back(data):
    kind = data.draw(st.sampled_from(["int", "float", "str", "bool", "list[str]", "list[int]"]))
    strategies = {"int": st.integers(-10**9, 10**9), "float": st.floats(allow_nan=False, allow_infinity=False),
                  "str": st.text(max_size=10), "bool": st.booleans(),
                  "list[str]": st.lists(st.text(max_size=5), max_size=4), "list[int]": st.lists(st.integers(), max_size=4)}
    value = data.draw(strategies[kind])
    assert parse_cli_value(ParamSpec("x", kind, None), format_cli_value(value)) == value


_values = {
    "int": st.integers(-10**9, 10**9),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "str": st.text(max_size=20),
    "bool": st.booleans(),
    "list[str]": st.lists(st.text(max_size=5), max_size=4),
    "list[int]": st.lists(st.integers(-100, 100), max_size=4),
}


@st.composite
def _cells(draw):
    identifier = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True).filter(lambda n: not keyword.iskeyword(n))
    names = draw(st.lists(identifier, min_size=1, max_size=6, unique=True))
    rows = []
    for name in names:
        kind = draw(st.sampled_from(sorted(_values)))
        rows.append((name, kind, draw(_values[kind]), draw(st.text(alphabet="abc xyz019", max_size=15)).strip()))
    return rows


@settings(deadline=None, max_examples=60)
@given(_cells())
def test_any_well_formed_cell_parses_back_to_its_declarations(rows):
    source = "\n".join(f"{n}: {k} = {v!r}" + (f"  # {h}" if h else "") for n, k, v, h in rows)
    specs = parse_parameters_source(source)
    assert [(s.name, s.type, s.default, s.help) for s in specs.values()] == rows


# --------------------------------------------------------------------------- suites and plans


@pytest.fixture
def project(tmp_path):
    """Two notebooks that share `level` and declare `year` with different types, and a suite."""
    write_notebook(tmp_path / "a.ipynb", 'level: str = "province"  # one of: province, district\nyear: int = 2017')
    write_notebook(tmp_path / "b.ipynb", 'level: str = "province"  # one of: province, district\nyear: float = 2017.0\n'
                                         "draws: int = 10")
    write_suite(tmp_path / "s.yaml", ["a", {"path": "b.ipynb", "parameters": {"draws": 20}}])
    return tmp_path


def _plan(project: Path, *cli: str, suite: str = "s.yaml"):
    return runner.plan_run(project / suite, list(cli), project_root=project, data_checksums={"x": "0" * 64})


def test_cli_parameter_applies_to_every_notebook_that_declares_it_by_its_type(project):
    plan = _plan(project, "level=district", "year=2023")
    params = {nb.name: nb.parameters for nb in plan.notebooks}
    assert params == {"a": {"level": "district", "year": 2023},
                      "b": {"level": "district", "year": 2023.0, "draws": 20}}
    assert isinstance(params["b"]["year"], float) and isinstance(params["a"]["year"], int)
    assert _plan(project, "draws=5").notebooks[1].parameters["draws"] == 5  # -p wins over the suite file


def test_unknown_parameter_lists_the_valid_names_and_types(project):
    with pytest.raises(ParameterError) as info:
        _plan(project, "levle=district")
    text = str(info.value)
    assert "unknown parameter 'levle'" in text
    assert "level: str (one of: province, district) [a, b]" in text
    assert "draws: int [b]" in text and "year: int [a, b]" in text


def test_wrong_type_is_refused_naming_the_notebook(project):
    with pytest.raises(ParameterError, match=r"parameter 'draws' \(-p draws=many\): expected int"):
        _plan(project, "draws=many")
    with pytest.raises(ParameterError, match="is not one of: province, district"):
        _plan(project, "level=tehsil")


def test_suite_file_values_are_checked(project):
    write_suite(project / "bad_type.yaml", [{"path": "b", "parameters": {"draws": "20"}}])
    with pytest.raises(ParameterError, match=r"notebook b: parameter 'draws': expected int, found str '20'"):
        _plan(project, suite="bad_type.yaml")
    write_suite(project / "bad_name.yaml", [{"path": "a", "parameters": {"draws": 3}}])
    with pytest.raises(ParameterError, match="unknown parameter 'draws'.*valid parameters are: level: str"):
        _plan(project, suite="bad_name.yaml")
    write_suite(project / "top.yaml", ["a", "b"], parameters={"nothing": 1})
    with pytest.raises(ParameterError, match="unknown parameter 'nothing': no notebook of suite 'top' declares it"):
        _plan(project, suite="top.yaml")
    write_suite(project / "twice.yaml", ["a", "a.ipynb"])
    with pytest.raises(ParameterError, match="listed twice"):
        load_suite(project / "twice.yaml")
    write_suite(project / "missing.yaml", ["zz"])
    with pytest.raises(ParameterError, match="zz.ipynb does not exist"):
        load_suite(project / "missing.yaml")


def test_suite_names_resolve_to_notebooks_suites(project):
    (project / "notebooks" / "suites").mkdir(parents=True)
    write_suite(project / "notebooks" / "suites" / "quick.yaml", ["../../a"])
    assert resolve_suite_path("quick", project) == project / "notebooks" / "suites" / "quick.yaml"
    assert resolve_suite_path(str(project / "s.yaml"), project) == project / "s.yaml"
    with pytest.raises(ParameterError, match="unknown suite or notebook 'nope'.*known suites: quick"):
        resolve_suite_path("nope", project)


def test_a_notebook_name_or_path_is_a_suite_of_one(project):
    (project / "notebooks" / "suites").mkdir(parents=True)
    write_notebook(project / "notebooks" / "10_one.ipynb", "level: str = 'province'  # one of: province, district")
    assert resolve_suite_path("10_one", project) == project / "notebooks" / "10_one.ipynb"
    assert resolve_suite_path(str(project / "a.ipynb"), project) == project / "a.ipynb"
    with pytest.raises(ParameterError, match="notebook file .*zz.ipynb does not exist"):
        resolve_suite_path(str(project / "zz.ipynb"), project)
    with pytest.raises(ParameterError, match="notebooks: 10_one"):
        resolve_suite_path("11_two", project)
    suite = load_suite(project / "notebooks" / "10_one.ipynb")
    assert suite == notebook_suite(project / "notebooks" / "10_one.ipynb")
    assert suite.name == "10_one" and [n.stem for n in suite.notebooks] == ["10_one"] and suite.parameters == {}
    plan = _plan(project, "level=district", suite="notebooks/10_one.ipynb")
    assert plan.run_id.split("_", 1)[1].startswith("10_one_")
    assert plan.notebooks[0].parameters == {"level": "district"}
    with pytest.raises(ParameterError, match="unknown parameter 'draws': no notebook of suite '10_one'"):
        _plan(project, "draws=2", suite="notebooks/10_one.ipynb")


def test_a_suite_of_one_and_a_suite_file_of_the_same_notebook_have_different_run_ids(project):
    write_suite(project / "only_a.yaml", ["a"])
    assert _plan(project, suite="a.ipynb").full_hash != _plan(project, suite="only_a.yaml").full_hash


def test_default_suite_lists_the_eight_notebooks():
    raw = yaml.safe_load((ROOT / "notebooks" / "suites" / "default.yaml").read_text())
    assert raw["name"] == "default"
    assert raw["notebooks"] == ["00_data_audit", "10_violence", "15_actors", "20_inequality", "30_youth", "40_drivers",
                                "45_hotspots", "50_policy"]


def test_bad_parameter_on_the_command_line_starts_no_kernel(project, monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(engine, "execute_tasks", lambda *a, **k: calls.append("pool"))
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: calls.append("papermill"))
    reports = tmp_path / "out" / "reports"
    for bad in (["-p", "nope=1"], ["-p", "draws=1.5"], ["-p", "level"]):
        result = CliRunner().invoke(app, ["run", str(project / "s.yaml"), *bad, "--reports", str(reports)])
        assert result.exit_code != 0
        assert isinstance(result.exception, ParameterError), result.output
    assert calls == []
    assert not reports.exists()


# --------------------------------------------------------------------------- run id


def test_fingerprint_follows_every_input(project, tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "__pycache__").mkdir(parents=True)
    (pkg / "m.py").write_text("x = 1\n")
    data = tmp_path / "data"
    (data / "private").mkdir(parents=True)
    (data / "policy.yaml").write_text("a: 1\n")
    base = dict(notebooks={"a": project / "a.ipynb"}, suite_sha256="s", parameters={"a": {"level": "province"}},
                data_checksums={"ucdp_ged_pak": "1" * 64}, package_dir=pkg, data_dir=data)
    h0 = run_hash(fingerprint(**base))
    assert run_hash(fingerprint(**base)) == h0

    # not part of the identity: outputs of a notebook, caches, private data
    nb = nbformat.read(project / "a.ipynb", as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="hello")]
    nb.cells[0].execution_count = 7
    nbformat.write(nb, project / "a.ipynb")
    (pkg / "__pycache__" / "m.cpython-311.pyc").write_bytes(b"\0")
    (data / "private" / "secret.csv").write_text("1\n")
    assert run_hash(fingerprint(**base)) == h0

    changed = [
        {**base, "parameters": {"a": {"level": "district"}}},
        {**base, "data_checksums": {"ucdp_ged_pak": "2" * 64}},
        {**base, "suite_sha256": "t"},
    ]
    for variant in changed:
        assert run_hash(fingerprint(**variant)) != h0
    (pkg / "m.py").write_text("x = 2\n")
    assert run_hash(fingerprint(**base)) != h0
    (pkg / "m.py").write_text("x = 1\n")
    (data / "policy.yaml").write_text("a: 2\n")
    assert run_hash(fingerprint(**base)) != h0
    (data / "policy.yaml").write_text("a: 1\n")
    assert run_hash(fingerprint(**base)) == h0
    nb.cells[0].source += "\n# edited"
    nbformat.write(nb, project / "a.ipynb")
    assert run_hash(fingerprint(**base)) != h0


def test_tree_digest_sees_renames_and_run_id_format(tmp_path):
    (tmp_path / "a.txt").write_text("1")
    before = tree_digest(tmp_path)
    (tmp_path / "a.txt").rename(tmp_path / "b.txt")
    assert tree_digest(tmp_path) != before
    assert tree_digest(tmp_path / "missing") == tree_digest(tmp_path / "also-missing")
    run_id = make_run_id("default", "ab" * 32)
    date_part, suite, short = run_id.split("_")
    assert suite == "default" and short == "ab" * 6 and len(date_part) == 10


def test_plan_run_id_is_stable_and_strips_outputs(project):
    first = _plan(project)
    digest = notebook_source_digest(project / "a.ipynb")
    nb = nbformat.read(project / "a.ipynb", as_version=4)
    nb.cells[0].execution_count = 3
    nbformat.write(nb, project / "a.ipynb")
    assert notebook_source_digest(project / "a.ipynb") == digest
    assert _plan(project).run_id == first.run_id
    assert _plan(project, "level=district").run_id != first.run_id
