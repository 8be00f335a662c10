"""Malformed workbooks and REDCap exports are refused with the location and the fix, and the registry is unchanged.

Each case (`tests/malformed_sources.py`) breaks one thing in the worked example; the lines asserted are the ones
`netpet import` prints: the workbook's sheet and Excel's row number, or the export's line and REDCap field name.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from netpet.cli import cli
from tests.malformed_sources import REDCAP_CASES, WORKBOOK_CASES, write_malformed_export, write_malformed_workbook
from tests.reliability_fixtures import registry_digest


def _refused(tmp_path: Path, args: list[str]) -> list[str]:
    """Import into an empty registry; return the lines printed, after asserting failure and no change."""
    db = tmp_path / "r.duckdb"
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    before = registry_digest(db)
    result = CliRunner().invoke(cli, ["--db", str(db), "import", *args])
    assert result.exit_code == 1, result.output
    assert registry_digest(db) == before
    lines = result.output.splitlines()
    if lines[-1].endswith("problem(s); nothing was imported"):
        assert lines[-1] == f"{len(lines) - 1} problem(s); nothing was imported"
        return lines[:-1]
    return lines


@pytest.mark.parametrize("case", sorted(WORKBOOK_CASES))
def test_malformed_workbook_is_refused_where_the_fix_is(tmp_path: Path, case: str) -> None:
    path = write_malformed_workbook(case, tmp_path / "w.xlsx")
    assert _refused(tmp_path, [str(path)]) == WORKBOOK_CASES[case][1]


@pytest.mark.parametrize("case", sorted(REDCAP_CASES))
def test_malformed_redcap_export_is_refused_where_the_fix_is(tmp_path: Path, case: str) -> None:
    path = write_malformed_export(case, tmp_path / "e.csv")
    assert _refused(tmp_path, [str(path), "--from", "redcap"]) == REDCAP_CASES[case][1]


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "w.xlsx").write_text("patient_id\nP1\n")
    assert _refused(tmp_path, [str(tmp_path / "w.xlsx")]) == [
        "Error: w.xlsx: cannot read the workbook (File is not a zip file); save it from Excel as an Excel Workbook "
        "(.xlsx)"
    ]


def test_a_semicolon_separated_redcap_export_is_refused(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("\ufeffrecord_id;redcap_repeat_instrument\nP1;\n", encoding="utf-8")
    assert _refused(tmp_path, [str(tmp_path / "e.csv"), "--from", "redcap"]) == [
        "Error: e.csv:1: the export is not comma-separated; export again with the comma delimiter"
    ]
