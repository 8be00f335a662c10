"""Reading a workbook: what Excel adds (saved formula values, blank rows, trailing rows) reads as the CSV would."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import polars as pl

from netpet.registry import Registry
from netpet.registry.origins import Origin, relocate_issues
from netpet.registry.import_issues import issues_frame
from netpet.registry.workbook import import_workbook, read_workbook
from tests.malformed_sources import example_tables
from tests.source_fixtures import write_workbook


def _save_formula_value(path: Path, formula: str, value: str) -> None:
    """Store `value` as the formula's saved result, as Excel does on save (openpyxl saves none)."""
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    old = f"<f>{formula}</f><v></v>".encode()
    parts = {k: v.replace(old, f"<f>{formula}</f><v>{value}</v>".encode()) for k, v in parts.items()}
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)


def test_formula_reads_as_the_value_excel_saved(tmp_path: Path) -> None:
    path = write_workbook(example_tables(), tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(path)
    book["patients"]["H2"] = "=2+3.5"
    book.save(path)
    _save_formula_value(path, "2+3.5", "5.5")
    with Registry.create(tmp_path / "r.duckdb") as reg:
        import_workbook(reg, path)
        assert reg.query("select ki67_percent from patients where patient_id = 'P1'").item() == 5.5


def test_blank_and_trailing_rows_are_skipped_and_rows_keep_excel_numbers(tmp_path: Path) -> None:
    path = write_workbook(example_tables(), tmp_path / "w.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["pet_scans"]
    sheet.insert_rows(3, amount=2)
    sheet["A40"] = "   "  # a stray space far below: a trailing empty row
    book.save(path)
    tables = read_workbook(path)
    scans = next(f for f in tables.files if f.table.name == "pet_scans")
    assert scans.frame is not None
    assert scans.frame["scan_id"].to_list() == ["S1", "S2", "S3", "S4"]
    assert scans.origin is not None
    assert list(scans.origin.rows) == [2, 5, 6, 7]


def test_relocation_maps_staged_rows_and_columns_to_the_source() -> None:
    origin = Origin(label="e.csv[pet_scan]", shown_as="e.csv", rows=[3, 9], fields={"patient_id": "record_id"})
    issues = issues_frame(
        [
            {"file": "e.csv[pet_scan]", "row": 3, "column": "patient_id", "message": "m1"},
            {"file": "other.csv", "row": 3, "column": "patient_id", "message": "m2"},
            {"file": "e.csv[pet_scan]", "row": 1, "column": "tracer", "message": "m3"},
            {"file": "e.csv[pet_scan]", "row": None, "column": None, "message": "m4"},
        ]
    )
    assert relocate_issues(issues, [origin]).rows() == [
        ("e.csv", 9, "record_id", "m1"),
        ("other.csv", 3, "patient_id", "m2"),
        ("e.csv", 1, "tracer", "m3"),
        ("e.csv", None, None, "m4"),
    ]
    assert isinstance(relocate_issues(issues, []), pl.DataFrame)
