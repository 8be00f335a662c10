"""The layers stay in order, the import graph has no cycle, and the libraries load under one root only.

netpet (CLI) -> netpet.analysis -> netpet.registry, never upward; inside analysis, outputs -> studies ->
survival, never upward, and the survival engine never touches the registry. Imports made only for type
checking count: a cycle through them is still a cycle in the design.
"""

from __future__ import annotations

import ast
import graphlib
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ROOTS = {"netpet": REPO / "netpet", "netpet.registry": REPO / "registry", "netpet.analysis": REPO / "analysis"}

#: module prefix -> prefixes it must never import
FORBIDDEN = {
    "netpet.registry": ("netpet.analysis", "netpet.cli", "netpet.commands", "netpet.options"),
    "netpet.analysis": ("netpet.cli", "netpet.commands", "netpet.options"),
    "netpet.analysis.survival": ("netpet.analysis.studies", "netpet.analysis.outputs", "netpet.registry"),
    "netpet.analysis.studies": ("netpet.analysis.outputs",),
}
BASE_ANALYSIS = ("netpet.analysis.serialise", "netpet.analysis.vocabulary", "netpet.analysis.errors")


def _modules() -> dict[str, Path]:
    """Every module of the three packages, by its dotted name under the one root."""
    found = {}
    for root, folder in ROOTS.items():
        for path in folder.rglob("*.py"):
            if root == "netpet" and path.relative_to(folder).parts[0] in ("registry", "analysis"):
                continue  # the symlinks to the library folders
            parts = list(path.relative_to(folder).with_suffix("").parts)
            if parts[-1] == "__main__":
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([root, *parts])] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The modules of ours that `name` imports anywhere (top level, in functions, under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            base = node.module if node.level == 0 else f"{package.rsplit('.', node.level - 1)[0]}.{node.module}"
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return {t for t in targets if t in MODULES and t != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer_offences(prefix: str) -> dict[str, list[str]]:
    offences = {}
    for name, targets in GRAPH.items():
        if name == prefix or name.startswith(prefix + "."):
            bad = sorted(t for t in targets for f in FORBIDDEN[prefix] if t == f or t.startswith(f + "."))
            if bad:
                offences[name] = bad
    return offences


@pytest.mark.parametrize("prefix", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(prefix: str) -> None:
    assert _layer_offences(prefix) == {}


def test_analysis_base_modules_import_no_layer() -> None:
    layers = ("netpet.analysis.survival", "netpet.analysis.studies", "netpet.analysis.outputs")
    base = [name for name in BASE_ANALYSIS if name in GRAPH]
    assert base
    assert {name: sorted(t for t in GRAPH[name] if t.startswith(layers)) for name in base} == {key: [] for key in base}


def _cycle() -> list[str]:
    """One import cycle (as graphlib reports it), or [] when there is none; package __init__ re-exports left out."""
    edges = {n: {t for t in ts if MODULES[t].name != "__init__.py"} for n, ts in GRAPH.items()}
    try:
        tuple(graphlib.TopologicalSorter(edges).static_order())
    except graphlib.CycleError as exc:
        return sorted(set(exc.args[1]))
    return []


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycle() == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    GRAPH["netpet.analysis.survival.counts"].add("netpet.analysis.survival.logrank")
    try:
        assert _cycle() == ["netpet.analysis.survival.counts", "netpet.analysis.survival.logrank"]
    finally:
        GRAPH["netpet.analysis.survival.counts"].discard("netpet.analysis.survival.logrank")


def _bare_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module and n.level == 0]
    return [name for name in names if name.split(".")[0] in ("registry", "analysis")]


def test_no_code_imports_the_libraries_by_a_bare_name() -> None:
    folders = ("registry", "analysis", "netpet", "tests", "benchmarks", "docs")
    files = [p for folder in folders for p in (REPO / folder).rglob("*.py")]
    assert {str(p.relative_to(REPO)): _bare_imports(p) for p in files if _bare_imports(p)} == {}


def _run_python(code: str, cwd: Path) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


def test_a_users_own_analysis_and_registry_do_not_shadow_ours(tmp_path: Path) -> None:
    (tmp_path / "analysis.py").write_text("raise ImportError('the user analysis.py was imported')\n")
    (tmp_path / "registry").mkdir()
    (tmp_path / "registry" / "__init__.py").write_text("raise ImportError('the user registry/ was imported')\n")
    code = (
        "import sys, netpet.analysis.studies.km_analysis, netpet.analysis.outputs.report, netpet.registry.db\n"
        "from netpet.analysis import km_report\nfrom netpet.registry import Registry\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('registry', 'analysis')))"
    )
    assert _run_python(code, tmp_path) == "[]"


def test_every_module_loads_once_under_the_one_root() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {sorted(MODULES)!r}:\n    importlib.import_module(name)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('registry', 'analysis')))"
    )
    assert _run_python(code, REPO) == "[]"


def test_cli_help_imports_no_heavy_module() -> None:
    code = (
        "import sys; from netpet.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'polars', 'lifelines', 'matplotlib', 'pandas', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')"
    )
    assert _run_python(code, REPO) == "none"
