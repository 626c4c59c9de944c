"""environment.yml (conda users), pyproject.toml (pip) and constraints.txt (pins) stay in step."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> dict[str, Requirement]:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text())
    reqs = [*doc["project"]["dependencies"], *doc["project"]["optional-dependencies"]["dev"]]
    return {_norm(Requirement(r).name): Requirement(r) for r in reqs}


def _constraints() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_norm(name)] = version
    return pins


def _conda_dependencies() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str):
            name, _, version = dep.partition("=")
            deps[_norm(name)] = version
    return deps


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    conda = _conda_dependencies()
    conda.pop("python"), conda.pop("pip")
    assert set(conda) == set(_pyproject_requirements())


def test_every_dependency_is_pinned_and_the_pin_satisfies_pyproject():
    pins = _constraints()
    conda = _conda_dependencies()
    for name, req in _pyproject_requirements().items():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} does not satisfy {req}"
        assert conda[name] == pins[name], f"environment.yml pins {name}={conda[name]}, constraints.txt {pins[name]}"


def test_python_version_agrees():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "python=3.11" in env["dependencies"]
    assert doc["project"]["requires-python"] == ">=3.11"
