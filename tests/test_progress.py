"""Progress bars on long work: drawn on a terminal (click's bar, on stderr), silent in pipes and logs."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from netpet.analysis.outputs.report import write_report
from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.audit import run_checks
from netpet.registry.sqlfiles import sql_files


def test_report_and_checks_report_each_stage(demo_registry: Path, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    with Registry.open(demo_registry, read_only=True) as reg:
        write_report(reg, tmp_path, formats=("png",), progress=lambda *step: seen.append(step))
        assert seen == [("report", i, 5) for i in range(1, 6)]
        seen.clear()
        run_checks(reg, as_of=date(2025, 1, 1), progress=lambda *step: seen.append(step))
    n = len(sql_files("checks"))
    assert seen == [("checks", i, n) for i in range(1, n + 1)]


def test_no_bar_off_a_terminal(demo_registry: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["--db", str(demo_registry), "audit", "--out", str(tmp_path),
                                      "--as-of", "2025-01-01"])
    assert result.exit_code in (0, 1), result.output
    assert "100%" not in result.output  # click's bar, drawn only on a terminal
    assert "\r" not in result.output


def test_a_bar_on_a_terminal(demo_registry: Path, tmp_path: Path) -> None:
    main, tty = pty.openpty()
    env = {**os.environ, "COLUMNS": "100"}
    process = subprocess.Popen(
        [sys.executable, "-m", "netpet", "--db", str(demo_registry), "audit", "--out", str(tmp_path),
         "--as-of", "2025-01-01"], stdout=subprocess.DEVNULL, stderr=tty, env=env)
    os.close(tty)
    drawn = b""
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        drawn += chunk
    process.wait(timeout=120)
    os.close(main)
    assert b"checks" in drawn
    assert b"100%" in drawn


def test_cohort_build_reports_each_criterion(demo_registry: Path, tmp_path: Path) -> None:
    import shutil

    from netpet.registry.cohort_definitions import parse_definition
    from netpet.registry.cohorts import build_cohort, compile_definition

    definition = Path(__file__).resolve().parent.parent / "cohorts" / "examples" / "pancreatic.yaml"
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_registry, path)
    seen: list[tuple[str, int, int]] = []
    with Registry.open(path) as reg:
        build_cohort(reg, definition, "pancreatic", progress=lambda *step: seen.append(step))
    n = len(compile_definition(parse_definition(definition)))
    assert seen == [("criteria", i, n) for i in range(1, n + 1)]
