"""Each analysis command imports only what it uses (issue 21): the time researchers wait goes to imports.

Every command runs in a fresh interpreter on the demo registry; the test fails when it loads a module it should
not. What each command may import, and why the exceptions are there:

- `km`, `cox`: numpy, polars (and the pyarrow its DuckDB hand-over uses), DuckDB, scipy.special. No plotting,
  no YAML parser (PyYAML loads only for a cohort definition or a house style), no scipy.stats (the chi-square
  tail is `scipy.special.chdtrc`), no pandas.
- `report`: also matplotlib through `matplotlib.figure.Figure` (never pyplot), and scipy.stats when Table 1
  needs Fisher's exact test (an expected count below 5, as sex and primary site on the demo registry; its
  Monte Carlo p values are scipy's own). Kruskal-Wallis and chi-square need no scipy.stats.
- `audit`, `validate`: matplotlib without pyplot; no scipy.stats. No pandas either, which DuckDB's Python client
  (1.5.5) imports before it binds any query parameter but None (duckdb/duckdb#18658, the fix of #18530): the
  registry writes numbers and dates into the SQL as typed literals (`registry.sql_literals`) and binds no text
  on their paths.
- `audit` may load scipy.optimize: its small-cell suppression checks hidden cells with `linprog` (loaded only
  when some cell is hidden, as on the demo registry). None of them imports lifelines (a test and benchmark
  dependency).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: Never imported by the analysis commands.
NEVER = ("matplotlib.pyplot", "lifelines", "scipy.stats", "scipy.optimize", "pandas", "statsmodels", "sklearn")
#: command -> the modules of NEVER it may import nevertheless (see the module docstring).
EXCEPTIONS = {
    "km": (),
    "cox": (),
    "report": ("scipy.stats", "scipy.optimize"),  # Table 1's Fisher tests; scipy.stats imports scipy.optimize
    "audit": ("scipy.optimize",),  # linprog on hidden cells
    "validate": (),
}
#: Not imported by km and cox either (they draw nothing unless asked with --plot, and read no YAML unless given
#: a cohort definition or a house style).
NO_PLOTTING = ("matplotlib",)
NO_YAML = ("yaml",)

RUNNER = """
import json, sys
from netpet.cli import cli
try:
    cli(sys.argv[2:], standalone_mode=False)
finally:
    with open(sys.argv[1], "w") as out:
        json.dump(sorted(sys.modules), out)
"""


def _arguments(command: str, folder: Path) -> list[str]:
    return {
        "km": ["km", "--by", "netpet_group", "--at", "12,24,60", "--format", "json"],
        "cox": ["cox", "--covariates", "who_grade,age_at_origin", "--format", "json"],
        "report": ["report", "--out", str(folder / "report"), "--format", "png"],
        "audit": ["audit", "--as-of", "2025-12-31", "--out", str(folder / "audit")],
        "validate": ["validate", "--out", str(folder / "validate"), "--bootstrap", "2", "--format", "json"],
    }[command]


def _loaded(db: Path, arguments: list[str], folder: Path) -> set[str]:
    modules = folder / "modules.json"
    done = subprocess.run([sys.executable, "-c", RUNNER, str(modules), "--db", str(db), *arguments],
                          capture_output=True, text=True, cwd=folder, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(modules.read_text(encoding="utf-8")))


def _offending(loaded: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(b for b in banned if b in loaded or any(m.startswith(b + ".") for m in loaded))


@pytest.mark.parametrize("command", sorted(EXCEPTIONS))
def test_command_imports_only_what_it_uses(command: str, demo_registry: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_registry, db)
    loaded = _loaded(db, _arguments(command, tmp_path), tmp_path)
    banned = tuple(m for m in NEVER if m not in EXCEPTIONS[command])
    if command in ("km", "cox"):
        banned += NO_PLOTTING + NO_YAML
    assert _offending(loaded, banned) == [], f"netpet {command} imported modules it does not need"


def test_the_check_sees_an_import(demo_registry: Path, tmp_path: Path) -> None:
    """The runner reports what a command loads: `km --plot` draws, so it loads matplotlib (never pyplot)."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_registry, db)
    loaded = _loaded(db, ["km", "--plot", str(tmp_path / "km.png")], tmp_path)
    assert _offending(loaded, NO_PLOTTING) == ["matplotlib"]
    assert _offending(loaded, ("matplotlib.pyplot",)) == []
