"""Suites: which notebooks a run executes, with which parameters.

A suite is a YAML file (``notebooks/suites/<name>.yaml``)::

    name: default                 # optional; the file's stem otherwise
    description: The main report.
    notebook_dir: ..              # where the notebooks are, relative to this file (default: its folder)
    parameters:                   # optional; for every notebook that declares them
      end_year: 2021
    notebooks:
      - 00_data_audit             # a notebook by name (".ipynb" optional)
      - path: 10_violence
        parameters: {level: district}

Values in the file must already have the declared type (an int is accepted for a float).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import ParameterError

_SAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SuiteNotebook:
    """One notebook of a suite: its absolute path and the suite file's parameters for it."""

    path: Path
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """The notebook's name without ``.ipynb`` (its sub-folder in a report)."""
        return self.path.stem


@dataclass(frozen=True)
class Suite:
    """A loaded suite file."""

    name: str
    path: Path
    sha256: str
    description: str
    parameters: dict[str, Any]
    notebooks: tuple[SuiteNotebook, ...]


def suites_dir(project_root: Path) -> Path:
    """The folder of the named suites."""
    return project_root / "notebooks" / "suites"


def resolve_suite_path(suite: str | Path, project_root: Path) -> Path:
    """A suite name (``default``) or a path to a suite file, as an absolute path.

    Raises
    ------
    ParameterError
        Neither a file nor a known suite name; lists the known suites.
    """
    candidate = Path(suite).expanduser()
    text = str(suite)
    if candidate.suffix in (".yaml", ".yml") or "/" in text or candidate.is_file():
        if candidate.is_file():
            return candidate.resolve()
        raise ParameterError(f"suite file {candidate} does not exist")
    named = suites_dir(project_root) / f"{text}.yaml"
    if named.is_file():
        return named.resolve()
    known = sorted(p.stem for p in suites_dir(project_root).glob("*.yaml"))
    raise ParameterError(
        f"unknown suite '{text}': no file {named}; known suites: {', '.join(known) or '(none)'}; "
        "or give the path of a suite file"
    )


def load_suite(path: str | Path) -> Suite:
    """Read and check a suite file (notebooks exist, no notebook twice).

    Raises
    ------
    ParameterError
        A malformed file, or a notebook that does not exist.
    """
    path = Path(path).resolve()
    raw_bytes = path.read_bytes()
    try:
        raw = yaml.safe_load(raw_bytes) or {}
    except yaml.YAMLError as exc:
        raise ParameterError(f"suite file {path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ParameterError(f"suite file {path}: expected a mapping with 'notebooks', found {type(raw).__name__}")
    unknown = set(raw) - {"name", "description", "notebook_dir", "parameters", "notebooks"}
    if unknown:
        raise ParameterError(
            f"suite file {path}: unknown keys {sorted(unknown)}; "
            "allowed: name, description, notebook_dir, parameters, notebooks"
        )
    name = _SAFE_NAME.sub("-", str(raw.get("name") or path.stem)).strip("-") or "suite"
    base = (path.parent / str(raw.get("notebook_dir", "."))).resolve()
    parameters = _mapping(raw.get("parameters"), f"suite file {path}: 'parameters'")
    entries = raw.get("notebooks")
    if not isinstance(entries, list) or not entries:
        raise ParameterError(f"suite file {path}: 'notebooks' must be a non-empty list")
    notebooks: list[SuiteNotebook] = []
    for position, entry in enumerate(entries, start=1):
        where = f"suite file {path}, notebook {position}"
        if isinstance(entry, str):
            rel, params = entry, {}
        elif isinstance(entry, dict) and isinstance(entry.get("path"), str) and set(entry) <= {"path", "parameters"}:
            rel, params = entry["path"], _mapping(entry.get("parameters"), f"{where}: 'parameters'")
        else:
            raise ParameterError(f"{where}: expected a name or {{path: ..., parameters: {{...}}}}, found {entry!r}")
        nb_path = (base / rel).resolve()
        if nb_path.suffix != ".ipynb":
            nb_path = nb_path.with_name(nb_path.name + ".ipynb")
        if not nb_path.is_file():
            raise ParameterError(f"{where}: notebook {nb_path} does not exist")
        if any(n.stem == nb_path.stem for n in notebooks):
            raise ParameterError(f"{where}: a notebook named '{nb_path.stem}' is listed twice")
        notebooks.append(SuiteNotebook(path=nb_path, parameters=params))
    return Suite(
        name=name,
        path=path,
        sha256=hashlib.sha256(raw_bytes).hexdigest(),
        description=str(raw.get("description") or ""),
        parameters=parameters,
        notebooks=tuple(notebooks),
    )


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ParameterError(f"{where}: expected a mapping of parameter names to values, found {value!r}")
    return dict(value)
