"""`netpet template` writes empty import tables a site fills in and imports without reading code."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from netpet.cli import cli
from netpet.registry import Registry
from netpet.registry.columns import TABLES
from netpet.registry.templates import WORKBOOK_NAME, column_choices
from netpet.registry.workbook import import_workbook


def test_csv_template_has_one_header_only_file_per_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for table in TABLES:
        with (tmp_path / f"{table.name}.csv").open(encoding="utf-8") as handle:
            assert list(csv.reader(handle)) == [list(table.column_names)]


def test_xlsx_template_has_a_sheet_per_table_with_comments_and_drop_downs(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template", "--out", str(tmp_path), "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)
    assert book.sheetnames == [t.name for t in TABLES]
    for table in TABLES:
        sheet = book[table.name]
        assert [c.value for c in sheet[1]] == list(table.column_names)
        assert all(c.comment is not None and "required: " in c.comment.text for c in sheet[1])
        ranges = [(rule.formula1, str(rule.sqref)) for rule in sheet.data_validations.dataValidation]
        for index, column in enumerate(table.columns, 1):
            if column_choices(column):
                letter = openpyxl.utils.get_column_letter(index)
                assert (f'"{",".join(column_choices(column))}"', f"{letter}2:{letter}5001") in ranges


def test_a_filled_in_xlsx_template_imports(tmp_path: Path) -> None:
    CliRunner().invoke(cli, ["template", "--out", str(tmp_path), "--format", "xlsx"])
    book = openpyxl.load_workbook(tmp_path / WORKBOOK_NAME)
    book["patients"].append(["P1", "north", "female", None, "2019-05-02", "pancreas", "G2", 3])
    book["outcomes"].append(["P1", "last_contact", "2024-01-31", None])
    book.save(tmp_path / "filled.xlsx")
    with Registry.create(tmp_path / "r.duckdb") as reg:
        summary = import_workbook(reg, tmp_path / "filled.xlsx")
        assert dict(summary.select("table", "inserted").iter_rows())["patients"] == 1
        assert reg.query("select patient_id, who_grade from patients").rows() == [("P1", "G2")]


def test_redcap_template_is_the_shipped_data_dictionary(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template", "--out", str(tmp_path), "--format", "redcap"])
    assert result.exit_code == 0, result.output
    shipped = Path(__file__).resolve().parent.parent / "redcap" / "netpet_data_dictionary.csv"
    assert (tmp_path / "netpet_data_dictionary.csv").read_bytes() == shipped.read_bytes()
