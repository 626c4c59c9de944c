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

A file that is not a suite (``/etc/passwd``, a CSV, a binary, another YAML, a huge file) is refused in
one line that names the file and what a suite is, never quoting the file: its text may be private.
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

#: A suite file is a few lines of YAML; a larger file is another kind of file, and is not read.
MAX_SUITE_BYTES = 1_000_000
#: What a suite file is, for the messages that refuse another file.
SUITE_EXPECTED = "expected a suite: a YAML mapping with 'notebooks' (a list of notebook names)"
#: A quoted fragment of a YAML parser message, other than a character, an escape (``'\\t'``) or a token
#: name (``'<block mapping start>'``), may be the file's text (an alias, a tag): it is left out.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_KEPT_QUOTE = re.compile(r"""^['"](?:[^\\]|\\.)['"]$|^'<[a-z ]+>'$""")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


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
        if candidate.exists():
            raise ParameterError(f"{candidate} is not a regular file (a folder or a device); expected a suite "
                                 "file (.yaml) or a notebook (.ipynb)")
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
    raw_bytes = _read_small(path)
    raw = _parse_yaml(path, raw_bytes)
    if not isinstance(raw, dict) or "notebooks" not in raw:
        found = "a mapping without 'notebooks'" if isinstance(raw, dict) else _kind(raw)
        raise ParameterError(f"suite file {path}: {SUITE_EXPECTED}, found {found}")
    unknown = set(raw) - {"name", "description", "notebook_dir", "parameters", "notebooks"}
    if unknown:  # a suite's own misspelt keys (the file has 'notebooks'), named to be fixed
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
            raise ParameterError(f"{where}: expected a name or {{path: ..., parameters: {{...}}}}, "
                                 f"found {_entry_kind(entry)}")
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
        found = "a mapping with a key that is not a name" if isinstance(value, dict) else _kind(value)
        raise ParameterError(f"{where}: expected a mapping of parameter names to values, found {found}")
    return dict(value)


def _read_small(path: Path) -> bytes:
    """The bytes of a suite file, refusing one larger than :data:`MAX_SUITE_BYTES` without reading it all."""
    if not path.is_file():
        raise ParameterError(f"suite file {path}: not a regular file; {SUITE_EXPECTED}")
    with path.open("rb") as fh:
        data = fh.read(MAX_SUITE_BYTES + 1)
    if len(data) > MAX_SUITE_BYTES:
        size = path.stat().st_size
        shown = f"{size / 1e6:,.1f} MB" if size > MAX_SUITE_BYTES else f"more than {MAX_SUITE_BYTES / 1e6:g} MB"
        raise ParameterError(f"suite file {path}: {shown}, too large for a suite file "
                             f"(at most {MAX_SUITE_BYTES / 1e6:g} MB); {SUITE_EXPECTED}")
    return data


def _parse_yaml(path: Path, data: bytes) -> Any:
    """The YAML document in ``data``; a refusal names the line and column, never the file's text."""
    try:
        text = data.decode("utf-16") if data.startswith(_UTF16_BOMS) else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParameterError(f"suite file {path}: not UTF-8 text (byte {exc.start + 1} cannot be read); "
                             f"{SUITE_EXPECTED}") from None
    try:
        return yaml.safe_load(text)
    except yaml.reader.ReaderError as exc:  # a control character: a binary file
        line = text.count("\n", 0, exc.position) + 1
        raise ParameterError(f"suite file {path}: not a text file (a control character at line {line}); "
                             f"{SUITE_EXPECTED}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        what = "; ".join(_QUOTED.sub(_quoted_or_not, part) for part in (exc.context, exc.problem) if part)
        raise ParameterError(f"suite file {path}: not valid YAML{where}" + (f" ({what})" if what else "")
                             + f"; {SUITE_EXPECTED}") from None
    except (yaml.YAMLError, ValueError):  # a value YAML cannot build (a date such as 2020-13-45)
        raise ParameterError(f"suite file {path}: not valid YAML (a value cannot be read as its type); "
                             f"{SUITE_EXPECTED}") from None
    except RecursionError:
        raise ParameterError(f"suite file {path}: not valid YAML (nested too deeply); {SUITE_EXPECTED}") from None


def _entry_kind(entry: Any) -> str:
    """What a bad entry of 'notebooks' is, without quoting it."""
    if not isinstance(entry, dict):
        return _kind(entry)
    if not isinstance(entry.get("path"), str):
        return "a mapping without a 'path' name"
    return "a mapping with keys other than 'path' and 'parameters'"


def _quoted_or_not(match: re.Match[str]) -> str:
    return match.group() if _KEPT_QUOTE.match(match.group()) else "(…)"


def _kind(value: Any) -> str:
    """What a YAML value is, in words, without quoting it."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text" if "\n" not in value.strip() else "lines of text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} value"
