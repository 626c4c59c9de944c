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

A single notebook is a suite too: ``workbench run 10_violence`` (a name in ``notebooks/``) or the
path of an ``.ipynb`` file runs that notebook alone, as a suite named after it.
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
    return notebooks_dir(project_root) / "suites"


def notebooks_dir(project_root: Path) -> Path:
    """The folder of the project's notebooks."""
    return project_root / "notebooks"


def resolve_suite_path(suite: str | Path, project_root: Path) -> Path:
    """A suite name (``default``), a notebook name (``10_violence``), or the path of a suite or notebook file.

    A name is looked up among the suites first (``notebooks/suites/<name>.yaml``), then among
    the notebooks (``notebooks/<name>.ipynb``).

    Raises
    ------
    ParameterError
        Neither a file nor a known suite or notebook name; lists the known ones.
    """
    candidate = Path(suite).expanduser()
    text = str(suite)
    if candidate.suffix in (".yaml", ".yml", ".ipynb") or "/" in text or candidate.is_file():
        if candidate.is_file():
            return candidate.resolve()
        raise ParameterError(f"{'notebook' if candidate.suffix == '.ipynb' else 'suite'} file {candidate} "
                             "does not exist")
    for named in (suites_dir(project_root) / f"{text}.yaml", notebooks_dir(project_root) / f"{text}.ipynb"):
        if named.is_file():
            return named.resolve()
    suites = sorted(p.stem for p in suites_dir(project_root).glob("*.yaml"))
    notebooks = sorted(p.stem for p in notebooks_dir(project_root).glob("*.ipynb"))
    raise ParameterError(
        f"unknown suite or notebook '{text}': no file {suites_dir(project_root) / (text + '.yaml')} or "
        f"{notebooks_dir(project_root) / (text + '.ipynb')}; known suites: {', '.join(suites) or '(none)'}; "
        f"notebooks: {', '.join(notebooks) or '(none)'}; or give the path of a suite or notebook file"
    )


def notebook_suite(path: str | Path) -> Suite:
    """A suite of one notebook, named after it (``workbench run 10_violence``)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise ParameterError(f"notebook {path} does not exist")
    name = _SAFE_NAME.sub("-", path.stem).strip("-") or "notebook"
    identity = f"notebook {path.name}".encode()  # the notebook's own content is in the run id already
    return Suite(name=name, path=path, sha256=hashlib.sha256(identity).hexdigest(),
                 description=f"The notebook {path.stem} alone.", parameters={},
                 notebooks=(SuiteNotebook(path=path),))


def load_suite(path: str | Path) -> Suite:
    """Read and check a suite file (notebooks exist, no notebook twice); a notebook file is a suite of one.

    Raises
    ------
    ParameterError
        A malformed file, or a notebook that does not exist.
    """
    path = Path(path).resolve()
    if path.suffix == ".ipynb":
        return notebook_suite(path)
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
