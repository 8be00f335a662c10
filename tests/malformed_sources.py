"""The malformed-workbook and malformed-REDCap-export corpus: each case is a valid file of `docs/examples/site-folder`
with one thing broken, written at test time (`tests/malformed/` holds the CSV-folder corpus as files)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import polars as pl

from netpet.registry.columns import TABLES
from tests.source_fixtures import write_redcap_export, write_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "docs" / "examples" / "site-folder"


def example_tables() -> dict[str, pl.DataFrame]:
    """The worked example's tables, typed as the interchange format reads them."""
    return {t.name: pl.read_csv(EXAMPLE / f"{t.name}.csv", try_parse_dates=True) for t in TABLES}


Edit = Callable[[openpyxl.Workbook], None]


def _set(sheet: str, cell: str, value: object) -> Edit:
    def edit(book: openpyxl.Workbook) -> None:
        book[sheet][cell] = value
    return edit


def _hide(book: openpyxl.Workbook) -> None:
    book["patients"].sheet_state = "hidden"


def _rename(book: openpyxl.Workbook) -> None:
    book["outcomes"].title = "outcome"


def _merge(book: openpyxl.Workbook) -> None:
    book["patients"].merge_cells("B2:B3")


def _blank_rows(book: openpyxl.Workbook) -> None:
    book["pet_scans"].insert_rows(3, amount=2)  # S2 moves from row 3 to row 5
    book["pet_scans"]["C5"] = "dotatate"


def _serial(book: openpyxl.Workbook) -> None:
    cell = book["patients"]["E2"]
    cell.value, cell.number_format = 42064, "General"


#: case -> (edit, the lines `netpet import` prints for it)
WORKBOOK_CASES: dict[str, tuple[Edit, list[str]]] = {
    "hidden_sheet": (_hide, ["w.xlsx[patients]: the sheet is hidden: unhide it to import it, or delete it"]),
    "misnamed_sheet": (_rename, [
        "w.xlsx[outcome]: not an import table; did you mean 'outcomes'? name each sheet as a table (patients, "
        "pet_scans, timepoints, lesion_reads, treatments, outcomes)"
    ]),
    "merged_cells": (_merge, ["w.xlsx[patients]:2:site: merged cells B2:B3: unmerge them and fill in every cell"]),
    "formula_without_saved_value": (_set("patients", "H2", "=2+3.5"), [
        "w.xlsx[patients]:2:ki67_percent: the formula has no value saved in the file: open and save the workbook in "
        "Excel, or paste values"
    ]),
    "excel_error_value": (_set("patients", "H3", "#N/A"), [
        "w.xlsx[patients]:3:ki67_percent: the cell shows Excel's error #N/A: fix the formula or enter the value"
    ]),
    "serial_number_in_date_column": (_serial, [
        "w.xlsx[patients]:2:diagnosis_date: '42064' is a number, not a date (as a date it reads 2015-03-01): format "
        "the column as Date in Excel, or type YYYY-MM-DD"
    ]),
    "unnamed_column_with_values": (_set("patients", "J3", "note"), [
        "w.xlsx[patients]:1:J: column has values but no name in row 1: name it or delete it"
    ]),
    "column_given_twice": (_set("patients", "I1", "site"), [
        "w.xlsx[patients]:1:site: column appears more than once in row 1; keep one"
    ]),
    "misspelt_column": (_set("treatments", "D1", "start_dat"), [
        "w.xlsx[treatments]:1:start_dat: unknown column; did you mean 'start_date'? treatments accepts "
        "treatment_id, patient_id, treatment, start_date, end_date, cycles, activity_gbq, stop_reason "
        "(or use --ignore-unknown-columns)",
        "w.xlsx[treatments]:1:start_date: required column is missing",
    ]),
    "ambiguous_text_date": (_set("outcomes", "C3", "01/06/2018"), [
        "w.xlsx[outcomes]:3:outcome_date: '01/06/2018' is ambiguous (day or month first?): write dates as "
        "YYYY-MM-DD (2021-04-03 for 3 April 2021), or import with --date-format %d/%m/%Y"
    ]),
    "row_numbers_as_excel_shows_them": (_blank_rows, [
        "w.xlsx[pet_scans]:5:tracer: 'dotatate' is not one of: ga68_dotatate, ga68_dotatoc, ga68_dotanoc, "
        "cu64_dotatate, fdg"
    ]),
    "patient_id_differs_only_in_case": (_set("patients", "A3", "p1"), [
        "w.xlsx[patients]:3:patient_id: patient_id p1 differs from P1 only in case: if it is the same record, "
        "write P1 exactly (IDs are matched as written)",
        "w.xlsx[pet_scans]:4:patient_id: unknown patient_id P2: not in the registry or in this import",
        "w.xlsx[pet_scans]:5:patient_id: unknown patient_id P2: not in the registry or in this import",
        "w.xlsx[timepoints]:3:patient_id: unknown patient_id P2: not in the registry or in this import",
        "w.xlsx[outcomes]:3:patient_id: unknown patient_id P2: not in the registry or in this import",
    ]),
    "reference_differs_only_in_case": (_set("outcomes", "A2", "p1"), [
        "w.xlsx[outcomes]:2:patient_id: unknown patient_id p1: not in the registry or in this import; did you mean "
        "P1? (IDs are matched as written)"
    ]),
}


def write_malformed_workbook(case: str, path: Path) -> Path:
    """Write the example as a workbook and break it as `case` says."""
    write_workbook(example_tables(), path)
    book = openpyxl.load_workbook(path)
    WORKBOOK_CASES[case][0](book)
    book.save(path)
    return path


TextEdit = Callable[[list[list[str]]], None]


def _cell(line: int, field: str, value: str) -> TextEdit:
    def edit(rows: list[list[str]]) -> None:
        rows[line - 1][rows[0].index(field)] = value
    return edit


def _drop(field: str) -> TextEdit:
    def edit(rows: list[list[str]]) -> None:
        index = rows[0].index(field)
        for row in rows:
            del row[index]
    return edit


def _add(field: str) -> TextEdit:
    def edit(rows: list[list[str]]) -> None:
        for row in rows:
            row.append(field if row is rows[0] else "")
    return edit


def _labels(rows: list[list[str]]) -> None:
    rows[0][0] = "Record ID"


def _blank_line(rows: list[list[str]]) -> None:
    rows.insert(2, [])  # the export's rows 3... move down one
    _cell(5, "scan_date", "")(rows)


def _doubled(rows: list[list[str]]) -> None:
    rows[0][rows[0].index("scan_id")] = "tracer"


#: case -> (edit of the export's rows, line 1 = header, the lines `netpet import --from redcap` prints)
REDCAP_CASES: dict[str, tuple[TextEdit, list[str]]] = {
    "unknown_choice_code": (_cell(2, "sex", "7"), [
        "e.csv:2:sex: '7' is not a code of sex (1 = female, 2 = male, 3 = other)"
    ]),
    "checkbox_not_0_or_1": (_cell(6, "avid___2", "2"), [
        "e.csv:6:avid___2: '2' is not a code of avid___2 (1 = true, 0 = false)"
    ]),
    "unknown_repeating_instrument": (_cell(3, "redcap_repeat_instrument", "pet_scans"), [
        "e.csv:3:redcap_repeat_instrument: 'pet_scans' is not a repeating instrument of the NETPET project (pet_scan, "
        "dual_pet_timepoint, lesion_read, treatment_course, outcome_event)",
        "e.csv:5:sstr_scan_id: unknown sstr_scan_id S1: not in the registry or in this import",
    ]),
    "field_missing_from_export": (_drop("tracer"), [
        "e.csv:1:tracer: field is missing from the export; export every instrument of the NETPET project"
    ]),
    "misspelt_field": (_add("scan_dat"), [
        "e.csv:1:scan_dat: not a field of the NETPET project; did you mean 'scan_date'? "
        "(or use --ignore-unknown-columns)"
    ]),
    "required_value_empty": (_cell(4, "scan_date", ""), ["e.csv:4:scan_date: required value is empty"]),
    "ambiguous_date": (_cell(4, "scan_date", "10/01/2016"), [
        "e.csv:4:scan_date: '10/01/2016' is ambiguous (day or month first?): write dates as YYYY-MM-DD "
        "(2021-04-03 for 3 April 2021), or import with --date-format %d/%m/%Y"
    ]),
    "lesion_of_unknown_timepoint": (_cell(6, "lesion_timepoint_id", "T9"), [
        "e.csv:6:lesion_timepoint_id: unknown timepoint_id T9: not in the registry or in this import"
    ]),
    "lesion_read_in_another_record": (_cell(6, "lesion_timepoint_id", "T2"), [
        "e.csv:6:lesion_timepoint_id: timepoint T2 is in record P2, not P1: enter the lesion read in that record, or "
        "correct the timepoint"
    ]),
    "number_out_of_range": (_cell(2, "ki67_percent", "140"), [
        "e.csv:2:ki67_percent: 140 is out of range: must be between 0 and 100"
    ]),
    "blank_line_keeps_row_numbers": (_blank_line, ["e.csv:5:scan_date: required value is empty"]),
    "field_given_twice": (_doubled, [
        "e.csv:1:tracer: field appears more than once in the header; export again from REDCap"
    ]),
    "escape_character_in_a_cell": (_cell(8, "outcome_detail", "\x1b[2Jgone"), [
        "e.csv:8:outcome_detail: '\\x1b[2Jgone' holds a control character (such as NUL): is the file corrupt, or not "
        "UTF-8 text?"
    ]),
    "labels_export": (_labels, [
        "Error: e.csv:1: the first column is 'Record ID', not 'record_id' (this looks like the labels export); export "
        "'CSV / Microsoft Excel (raw data)' of the NETPET project"
    ]),
}


def write_malformed_export(case: str, path: Path) -> Path:
    """Write the example as a REDCap raw export and break it as `case` says."""
    write_redcap_export(example_tables(), path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    REDCAP_CASES[case][0](rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
