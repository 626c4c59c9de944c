"""The layout shows the flow: layers import downward only, no import circle, no kind branching outside sources.

Every ``import`` of the package is read from the source (module level and inside functions alike).
Layers, bottom to top (``docs/architecture.md``): the ground floor (catalog, store, errors, schemas,
formatting), indicators, geo, sources, panel, models and policy, briefs, report, cli.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "workbench"
GROUND = {"catalog", "store", "errors", "schemas", "formatting"}
LAYERS = {**{m: 0 for m in GROUND}, "indicators": 1, "geo": 2, "sources": 3, "panel": 4, "models": 5,
          "policy": 5, "briefs": 6, "report": 7, "cli": 8, "__main__": 8}
#: Words that name a kind of violence source, and the id of the default source.
KIND_WORDS = {"ucdp", "incident_log", "annual_series", "ucdp_ged_pak"}


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path) -> set[str]:
    """Every workbench module that ``module`` imports, wherever the import statement stands."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for name in names:
            target = _resolve(name) if name.startswith("workbench") else None
            if target and target != module:
                found.add(target)
    return found


GRAPH = {m: imports_of(m, p) for m, p in MODULES.items()}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return None if len(parts) == 1 else LAYERS.get(parts[1])


def test_every_module_belongs_to_a_layer():
    assert [m for m in MODULES if m != "workbench" and _layer(m) is None] == []


def test_at_most_five_modules_sit_directly_under_the_package():
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert len(top) <= 5, top
    assert set(top) <= GROUND


def test_no_import_circle():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in MODULES:
        if module not in index:
            visit(module)
    assert circles == []


def test_imports_run_downward_only():
    climbs = []
    for module, targets in GRAPH.items():
        here = _layer(module)
        for target in targets:
            there = _layer(target)
            if target == "workbench" or here is None or there is None or module == "workbench.__main__":
                continue
            same_floor_other_package = here == there and module.split(".")[1] != target.split(".")[1]
            if there > here or (same_floor_other_package and here not in (0,)):
                climbs.append(f"{module} -> {target}")
    # models and policy share a floor: the policy may use the models' panels, never the reverse
    climbs = [c for c in climbs if not c.startswith("workbench.policy.")
              or not c.split(" -> ")[1].startswith("workbench.models")]
    assert climbs == []


def _kind_comparisons(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            values = [node.left, *node.comparators]
            words = [v.value for v in values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
            for v in values:
                if isinstance(v, ast.Tuple | ast.List | ast.Set):
                    words += [e.value for e in v.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            hits = KIND_WORDS & set(words)
            if hits:
                found.append(f"line {node.lineno}: {sorted(hits)}")
    return found


def test_no_comparison_with_a_source_kind_outside_the_sources_package():
    offenders = {}
    for module, path in MODULES.items():
        if module.startswith("workbench.sources"):
            continue
        hits = _kind_comparisons(ast.parse(path.read_text(encoding="utf-8")))
        if hits:
            offenders[module] = hits
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        hits = _kind_comparisons(ast.parse(code))
        if hits:
            offenders[nb.name] = hits
    assert offenders == {}


@pytest.mark.parametrize("case", ["kind == 'ucdp'", "x != \"incident_log\"", "k in ('annual_series', 'x')",
                                  "violence_source == 'ucdp_ged_pak'"])
def test_the_kind_check_finds_what_it_looks_for(case):
    assert _kind_comparisons(ast.parse(case))


def test_the_graph_sees_imports_inside_functions():
    # panel/build.py imports the placement inside its violence step, not at module level
    source = (PACKAGE / "panel" / "build.py").read_text(encoding="utf-8")
    module_level = {n.module for n in ast.parse(source).body if isinstance(n, ast.ImportFrom)}
    assert "workbench.geo.placement" not in module_level
    assert "workbench.geo.placement" in GRAPH["workbench.panel.build"]
