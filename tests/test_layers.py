"""The layers stay in order: netpet (CLI) -> analysis -> registry, never upward; the CLI starts light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {"registry": ("analysis", "netpet"), "analysis": ("netpet",)}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_lower_layers_never_import_upper_ones(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imports(path) & set(FORBIDDEN[package]))
        for path in (REPO / package).rglob("*.py")
        if _imports(path) & set(FORBIDDEN[package])
    }
    assert offenders == {}


def test_cli_help_imports_no_heavy_module() -> None:
    code = (
        "import sys; from netpet.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'polars', 'lifelines', 'matplotlib', 'pandas', 'scipy') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "none"
