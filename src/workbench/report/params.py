"""The parameters cell of a notebook: its grammar, and typed values for it.

Every notebook starts with a code cell tagged ``parameters``; each of its lines declares one
parameter::

    level: str = "province"  # one of: province, district
    start_year: int = 2007  # first year of the panel
    provinces: list[str] = []  # empty: all

The grammar: ``name: type = default  # help``, one per line, where type is one of
``int``, ``float``, ``str``, ``bool``, ``list[str]``, ``list[int]`` or ``Literal[...]`` (string or
integer choices; the cell then needs ``from typing import Literal``). Blank lines and comment
lines are allowed. The help text may end in clauses, each after a ``;``:

``one of: a, b, c``
    the allowed values (for a list: the allowed elements);
``range: LO..HI``, ``min: LO``, ``max: HI``
    inclusive bounds of a number (for ``list[int]``: of each element). A bound is a number, or
    the name of another parameter of the cell (``end_year: int = 2021  # last year; min: start_year``);
``years: source`` or ``years: <source id>``
    a year (or list of years) that must lie in the years of the notebook's violence source
    (``violence_source``, with its release options) or of the named source. Checked before any
    kernel starts by :mod:`workbench.report.preflight`, for values set on the command line or in a
    suite file; a notebook's default is cut to the source's years by the notebook itself.

Values from the command line (``-p name=value``) are parsed by the declared type; values
from a suite file must already have it. A bad name or value raises
:class:`~workbench.errors.ParameterError` listing the valid names and types; numbers outside
bounds are checked by the pre-flight, which names the notebook.

Examples
--------
>>> specs = parse_parameters_source('level: str = "province"  # one of: province, district')
>>> specs["level"].choices
('province', 'district')
>>> parse_cli_value(specs["level"], "district")
'district'
>>> top = parse_parameters_source("top_n: int = 15  # rows shown; min: 1")["top_n"]
>>> top.help, top.minimum, top.describe()
('rows shown', 1, 'top_n: int (min: 1)')
"""

from __future__ import annotations

import ast
import io
import json
import math
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from workbench.errors import ParameterError

TypeName = Literal["int", "float", "str", "bool", "list[str]", "list[int]"]
TYPES: tuple[str, ...] = ("int", "float", "str", "bool", "list[str]", "list[int]")
TYPES_TEXT = "int, float, str, bool, list[str], list[int] or Literal[...]"
_ONE_OF = re.compile(r"\bone of:\s*(?P<items>[^;]+)", re.IGNORECASE)
#: A bounds clause of the help text: at its start or after a ``;``.
_CLAUSE = re.compile(r"(?:^|;)\s*(?P<key>range|min|max|years)\s*:\s*(?P<value>[^;]*)", re.IGNORECASE)
#: ``years: source``: the years of the notebook's own violence source.
YEARS_OF_SOURCE = "source"
_INT = re.compile(r"[+-]?\d+")
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter.

    Attributes
    ----------
    name, type:
        The name and the declared type (one of :data:`TYPES`; a ``Literal`` is its base type
        with ``choices``).
    default:
        The default value, already of the declared type.
    help:
        The comment after the declaration ('' when there is none).
    choices:
        Allowed values (for a list type: allowed elements), or None.
    minimum, maximum:
        Inclusive bounds of a number (of each element of a ``list[int]``): a number, the name of
        another parameter of the cell, or None.
    years:
        ``"source"`` (the years of the notebook's violence source), a source id, or None.
    """

    name: str
    type: TypeName
    default: Any
    help: str = ""
    choices: tuple[Any, ...] | None = None
    minimum: int | float | str | None = None
    maximum: int | float | str | None = None
    years: str | None = None

    @property
    def prose(self) -> str:
        """The help text without its ``one of:`` clause (the choices are listed apart)."""
        return _ONE_OF.sub("", self.help).strip().strip(";").strip()

    def bounds_text(self) -> str:
        """The declared bounds in words (``range: 1..5``, ``min: start_year``, ``years of violence_source``), or ''."""
        parts = []
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"range: {self.minimum}..{self.maximum}")
        elif self.minimum is not None:
            parts.append(f"min: {self.minimum}")
        elif self.maximum is not None:
            parts.append(f"max: {self.maximum}")
        if self.years == YEARS_OF_SOURCE:
            parts.append("years of violence_source")
        elif self.years is not None:
            parts.append(f"years of {self.years}")
        return ", ".join(parts)

    def describe(self) -> str:
        """``name: type`` with the choices and bounds, for error messages and ``--help`` texts."""
        text = f"{self.name}: {self.type}"
        extra = []
        if self.choices is not None:
            extra.append("one of: " + ", ".join(str(c) for c in self.choices))
        if self.bounds_text():
            extra.append(self.bounds_text())
        return text + (f" ({'; '.join(extra)})" if extra else "")


# --------------------------------------------------------------------------- the cell


def load_notebook_json(path: str | Path) -> dict[str, Any]:
    """A notebook file as plain JSON (nbformat 4), with each cell's source as one string.

    Plain JSON, not ``nbformat.read``: the runner reads every notebook before anything runs,
    and importing nbformat (with its JSON-schema validation) costs seconds.

    Raises
    ------
    ParameterError
        Not a readable notebook of format 4.
    """
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ParameterError(f"notebook {path}: cannot be read as a notebook file ({exc})") from None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(nb.get("cells"), list):
        raise ParameterError(f"notebook {path}: not a Jupyter notebook of format 4 (save it with JupyterLab 3 or later)")
    for cell in nb["cells"]:
        source = cell.get("source", "")
        cell["source"] = "".join(source) if isinstance(source, list) else str(source)
    return nb


def find_parameters_cell(nb: Mapping[str, Any]) -> int | None:
    """Index of the first cell tagged ``parameters``, or None."""
    for index, cell in enumerate(nb["cells"]):
        if "parameters" in (cell.get("metadata") or {}).get("tags", []):
            return index
    return None


def read_parameters(path: str | Path) -> dict[str, ParamSpec]:
    """The parameters declared by a notebook file.

    Raises
    ------
    ParameterError
        The notebook has no cell tagged ``parameters``, or the cell breaks the grammar.
    """
    path = Path(path)
    nb = load_notebook_json(path)
    index = find_parameters_cell(nb)
    if index is None:
        raise ParameterError(
            f"notebook {path}: no cell is tagged 'parameters'; its first code cell must be, "
            "with one `name: type = default  # help` per line"
        )
    return parse_parameters_source(nb["cells"][index]["source"], where=f"notebook {path}, parameters cell")


def parse_parameters_source(source: str, *, where: str = "parameters cell") -> dict[str, ParamSpec]:
    """Parse the text of a parameters cell into specs, by name, in order of declaration.

    Parameters
    ----------
    source:
        The cell's text.
    where:
        How to name the cell in error messages (e.g. the notebook's path).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{where}, line {exc.lineno}: not valid Python ({exc.msg})") from None
    comments = _comments_by_line(source)
    lines = source.splitlines()
    specs: dict[str, ParamSpec] = {}
    lines_of: dict[str, str] = {}
    for stmt in tree.body:
        text = lines[stmt.lineno - 1].strip() if stmt.lineno <= len(lines) else ""
        at = f"{where}, line {stmt.lineno} `{text}`"
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "typing" and [a.name for a in stmt.names] == ["Literal"]:
            continue
        if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name) or stmt.value is None:
            raise ParameterError(
                f"{at}: expected `name: type = default  # help` (types: {TYPES_TEXT}); "
                "nothing else belongs in a parameters cell"
            )
        name = stmt.target.id
        if name in specs:
            raise ParameterError(f"{at}: parameter '{name}' is declared twice")
        type_name, choices = _annotation(stmt.annotation, at)
        comment = " ".join(comments.get(n, "") for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
        help_text, bounds = _bounds_from_help(comment.strip(), type_name, at)
        try:
            raw_default = ast.literal_eval(stmt.value)
        except ValueError:
            raise ParameterError(f"{at}: the default must be a literal value (a number, a string, True/False, a list)") from None
        if choices is None:
            choices = _choices_from_help(help_text, type_name, at)
        spec = ParamSpec(name=name, type=type_name, default=None, help=help_text, choices=choices, **bounds)
        default = check_value(spec, raw_default, where=f"{at}: default of '{name}'")
        check_bounds(spec, default, where=f"{at}: default of '{name}'")
        specs[name] = replace(spec, default=default)
        lines_of[name] = at
    for name, spec in specs.items():
        for bound in (spec.minimum, spec.maximum):
            if isinstance(bound, str) and (bound not in specs or specs[bound].type not in ("int", "float")):
                raise ParameterError(f"{lines_of[name]}: the bound {bound!r} is neither a number nor an int or "
                                     "float parameter of this cell")
    return specs


def _comments_by_line(source: str) -> dict[int, str]:
    out: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type == tokenize.COMMENT:
                out[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):  # pragma: no cover - ast.parse already passed
        pass
    return out


def _annotation(node: ast.expr, at: str) -> tuple[TypeName, tuple[Any, ...] | None]:
    text = ast.unparse(node).replace(" ", "")
    if text in TYPES:
        return text, None  # type: ignore[return-value]
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
        elts = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        try:
            values = tuple(ast.literal_eval(e) for e in elts)
        except ValueError:
            values = ()
        if values and all(isinstance(v, str) for v in values):
            return "str", values
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            return "int", values
        raise ParameterError(f"{at}: Literal[...] takes string or integer choices, all of one type")
    raise ParameterError(f"{at}: unknown type `{ast.unparse(node)}`; the types are {TYPES_TEXT}")


def _bounds_from_help(comment: str, type_name: TypeName, at: str) -> tuple[str, dict[str, Any]]:
    """The help text without its bounds clauses, and the bounds (``minimum``, ``maximum``, ``years``)."""
    bounds: dict[str, Any] = {}
    for match in _CLAUSE.finditer(comment):
        key, value = match.group("key").lower(), match.group("value").strip()
        if key in bounds or (key == "range" and {"min", "max"} & set(bounds)) or (
                key in ("min", "max") and "range" in bounds):
            raise ParameterError(f"{at}: the bounds are declared twice (use one of range:, or min: and max:)")
        bounds[key] = value
    help_text = _CLAUSE.sub("", comment).strip().rstrip(";").strip()
    out: dict[str, Any] = {}
    if "years" in bounds:
        if type_name not in ("int", "list[int]"):
            raise ParameterError(f"{at}: 'years:' applies to an int or list[int] parameter, not {type_name}")
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", bounds["years"]):
            raise ParameterError(f"{at}: expected 'years: source' or 'years: <source id>', found "
                                 f"'years: {bounds['years']}'")
        out["years"] = bounds.pop("years")
    if not bounds:
        return help_text, out
    if type_name not in ("int", "float", "list[int]"):
        raise ParameterError(f"{at}: bounds (range:, min:, max:) apply to int, float or list[int] parameters, "
                             f"not {type_name}")
    if "range" in bounds:
        low, sep, high = bounds["range"].partition("..")
        if not sep or not low.strip() or not high.strip():
            raise ParameterError(f"{at}: expected 'range: LO..HI' (e.g. range: 1..200), found 'range: {bounds['range']}'")
        bounds = {"min": low, "max": high}
    for key, field_name in (("min", "minimum"), ("max", "maximum")):
        if key in bounds:
            out[field_name] = _bound(bounds[key].strip(), type_name, at)
    low, high = out.get("minimum"), out.get("maximum")
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low > high:
        raise ParameterError(f"{at}: the range {low}..{high} is empty")
    return help_text, out


def _bound(text: str, type_name: TypeName, at: str) -> int | float | str:
    """A bound: a number of the parameter's type, or the name of another parameter."""
    if text.isidentifier():
        return text
    if _INT.fullmatch(text):
        return int(text)
    if type_name == "float":
        try:
            value = float(text)
        except ValueError:
            pass
        else:
            if math.isfinite(value):
                return value
    expected = "a whole number" if type_name != "float" else "a number"
    raise ParameterError(f"{at}: the bound {text!r} is not {expected} or a parameter name")


def _choices_from_help(help_text: str, type_name: TypeName, at: str) -> tuple[Any, ...] | None:
    match = _ONE_OF.search(help_text)
    if not match:
        return None
    items = [i.strip().strip("'\"") for i in match.group("items").split(",")]
    items = [i for i in items if i]
    if type_name in ("str", "list[str]"):
        return tuple(items)
    if type_name in ("int", "list[int]") and all(_INT.fullmatch(i) for i in items):
        return tuple(int(i) for i in items)
    raise ParameterError(f"{at}: 'one of:' lists {items}, which do not fit the type {type_name}")


# --------------------------------------------------------------------------- values


def check_value(spec: ParamSpec, value: Any, *, where: str | None = None) -> Any:
    """Return ``value`` if it has the declared type (an int is accepted for a float).

    Raises
    ------
    ParameterError
        Wrong type, or a value outside the choices.
    """
    where = where or f"parameter '{spec.name}'"
    kind = spec.type
    ok = False
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        value = float(value) if ok else value
    elif kind == "str":
        ok = isinstance(value, str)
    elif kind in ("list[str]", "list[int]"):
        element = str if kind == "list[str]" else int
        ok = isinstance(value, (list, tuple)) and all(
            isinstance(v, element) and not isinstance(v, bool) for v in value
        )
        value = list(value) if ok else value
    if not ok:
        raise ParameterError(f"{where}: expected {kind}, found {type(value).__name__} {value!r}")
    if spec.choices is not None:
        for item in value if isinstance(value, list) else [value]:
            if item not in spec.choices:
                allowed = ", ".join(str(c) for c in spec.choices)
                raise ParameterError(f"{where}: {item!r} is not one of: {allowed}")
    return value


def check_bounds(spec: ParamSpec, value: Any, *, where: str, values: Mapping[str, Any] | None = None) -> None:
    """Refuse a number (each element of a list) outside the declared bounds.

    A bound that names another parameter is checked only when ``values`` (the notebook's
    resolved parameters) are given. The pre-flight checks every bound of a run's values; here,
    :func:`parse_parameters_source` checks each default against its fixed bounds.
    """
    for item in value if isinstance(value, list) else [value]:
        for bound, fails, word in ((spec.minimum, lambda b: item < b, "below the minimum"),
                                   (spec.maximum, lambda b: item > b, "above the maximum")):
            if bound is None or (isinstance(bound, str) and (values is None or bound not in values)):
                continue
            limit, named = (values[bound], f"{bound} = {values[bound]}") if isinstance(bound, str) else (bound, bound)
            if fails(limit):
                raise ParameterError(f"{where}: {item} is {word} {named} (declared: {spec.describe()})")


def parse_cli_value(spec: ParamSpec, text: str) -> Any:
    """Parse a command-line string by the declared type.

    ``bool`` takes true/false, yes/no, 1/0, on/off; a list takes comma-separated items
    (``a,b``) or a Python list (``["a", "b"]``); an empty string is an empty list.
    """
    where = f"parameter '{spec.name}' (-p {spec.name}={text})"
    kind = spec.type
    stripped = text.strip()
    value: Any
    if kind == "str":
        value = text
    elif kind == "int":
        if not _INT.fullmatch(stripped):
            raise ParameterError(f"{where}: expected int, found {text!r}")
        value = int(stripped)
    elif kind == "float":
        try:
            value = float(stripped)
        except ValueError:
            raise ParameterError(f"{where}: expected float, found {text!r}") from None
        if not math.isfinite(value):
            raise ParameterError(f"{where}: expected a finite float, found {text!r}")
    elif kind == "bool":
        low = stripped.lower()
        if low not in _TRUE | _FALSE:
            raise ParameterError(f"{where}: expected bool (true/false, yes/no, 1/0), found {text!r}")
        value = low in _TRUE
    else:
        value = _parse_list(stripped, kind, where)
    return check_value(spec, value, where=where)


def _parse_list(text: str, kind: str, where: str) -> list[Any]:
    if text.startswith("["):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            raise ParameterError(f"{where}: expected {kind}, found {text!r}") from None
        if not isinstance(items, list):
            raise ParameterError(f"{where}: expected {kind}, found {text!r}")
        return items
    items = [i.strip() for i in text.split(",")] if text else []
    if kind == "list[int]":
        bad = [i for i in items if not _INT.fullmatch(i)]
        if bad:
            raise ParameterError(f"{where}: expected list[int] (comma-separated integers), found {bad[0]!r}")
        return [int(i) for i in items]
    return items


def format_assignments(parameters: Mapping[str, Any]) -> str:
    """Parameters as the shell-quoted ``name=value`` words a command line takes.

    >>> format_assignments({"level": "district", "top_n": 10, "title": "two words"})
    "level=district top_n=10 title='two words'"
    """
    import shlex

    return " ".join(f"{k}={shlex.quote(format_cli_value(v))}" for k, v in parameters.items())


def format_cli_value(value: Any) -> str:
    """A typed value as written after ``-p name=`` (the inverse of :func:`parse_cli_value`).

    >>> format_cli_value(["state_based", "non_state"]), format_cli_value(True), format_cli_value(["a,b"])
    ('state_based,non_state', 'true', "['a,b']")
    """
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        if any(not isinstance(v, int) and ("," in v or v != v.strip() or v.startswith("[") or not v) for v in value):
            return repr(value)
        return ",".join(str(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def split_assignment(text: str) -> tuple[str, str]:
    """Split a ``name=value`` command-line argument."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise ParameterError(f"-p {text!r}: expected name=value, e.g. -p level=district")
    return name, value


def describe_specs(specs: Iterable[ParamSpec]) -> str:
    """``name: type`` for each spec, comma-separated (for error messages)."""
    text = ", ".join(s.describe() for s in specs)
    return text or "(none)"


def resolve_parameters(
    specs: Mapping[str, ParamSpec],
    layers: Sequence[Mapping[str, Any]],
    *,
    where: str,
) -> dict[str, Any]:
    """Defaults overlaid by each layer of already-typed values (later layers win).

    Every name of every layer must be declared; every value must have the declared type.
    """
    values = {name: spec.default for name, spec in specs.items()}
    for layer in layers:
        for name, value in layer.items():
            if name not in specs:
                raise ParameterError(
                    f"{where}: unknown parameter '{name}'; the valid parameters are: {describe_specs(specs.values())}"
                )
            values[name] = check_value(specs[name], value, where=f"{where}: parameter '{name}'")
    return values
