"""The parameters cell of a notebook: its grammar, and typed values for it.

Every notebook starts with a code cell tagged ``parameters``; each of its lines declares one
parameter::

    level: str = "province"  # one of: province, district
    start_year: int = 2007  # first year of the panel
    provinces: list[str] = []  # empty: all

The grammar: ``name: type = default  # help``, one per line, where type is one of
``int``, ``float``, ``str``, ``bool``, ``list[str]``, ``list[int]`` or ``Literal[...]`` (string or
integer choices; the cell then needs ``from typing import Literal``). Choices may also be
given in the help text, ``# one of: a, b, c``. Blank lines and comment lines are allowed.

Values from the command line (``-p name=value``) are parsed by the declared type; values
from a suite file must already have it. A bad name or value raises
:class:`~workbench.errors.ParameterError` listing the valid names and types.

Examples
--------
>>> specs = parse_parameters_source('level: str = "province"  # one of: province, district')
>>> specs["level"].choices
('province', 'district')
>>> parse_cli_value(specs["level"], "district")
'district'
"""

from __future__ import annotations

import ast
import io
import json
import math
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from workbench.errors import ParameterError

TypeName = Literal["int", "float", "str", "bool", "list[str]", "list[int]"]
TYPES: tuple[str, ...] = ("int", "float", "str", "bool", "list[str]", "list[int]")
TYPES_TEXT = "int, float, str, bool, list[str], list[int] or Literal[...]"
_ONE_OF = re.compile(r"\bone of:\s*(?P<items>.+)$", re.IGNORECASE)
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
    """

    name: str
    type: TypeName
    default: Any
    help: str = ""
    choices: tuple[Any, ...] | None = None

    def describe(self) -> str:
        """``name: type`` with the choices, for error messages and ``--help`` texts."""
        text = f"{self.name}: {self.type}"
        if self.choices is not None:
            text += " (one of: " + ", ".join(str(c) for c in self.choices) + ")"
        return text


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
        help_text = " ".join(comments.get(n, "") for n in range(stmt.lineno, (stmt.end_lineno or stmt.lineno) + 1))
        help_text = help_text.strip()
        try:
            raw_default = ast.literal_eval(stmt.value)
        except ValueError:
            raise ParameterError(f"{at}: the default must be a literal value (a number, a string, True/False, a list)") from None
        if choices is None:
            choices = _choices_from_help(help_text, type_name, at)
        spec = ParamSpec(name=name, type=type_name, default=None, help=help_text, choices=choices)
        default = check_value(spec, raw_default, where=f"{at}: default of '{name}'")
        specs[name] = ParamSpec(name=name, type=type_name, default=default, help=help_text, choices=choices)
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
