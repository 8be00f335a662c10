"""Empty import tables for a site to fill in: CSV files with the headers, one workbook with a sheet per table, or the
REDCap data dictionary of a project that captures the registry.

The workbook's header cells carry a comment with the column's type, whether it is required, its unit and its rule
(worded by `netpet.registry.format_page`), and enumerated, boolean and score columns get a drop-down list, so that a
site
can fill in a registry in Excel and import it with `netpet import`. openpyxl writes it (as it reads workbooks in
`netpet.registry.workbook`): data validation and comments are part of its documented API.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from netpet.registry.columns import TABLES, Column
from netpet.registry.format_page import column_type, required_text
from netpet.registry.redcap import data_dictionary

TEMPLATE_FORMATS = ("csv", "xlsx", "redcap")
WORKBOOK_NAME = "netpet-import.xlsx"
DICTIONARY_NAME = "netpet_data_dictionary.csv"
#: Rows of a template sheet that carry the drop-down lists and date format.
TEMPLATE_ROWS = 5000


def write_templates(out_dir: str | Path, *, fmt: str = "csv") -> list[Path]:
    """Write empty import tables into `out_dir` and return the files written.

    Parameters
    ----------
    out_dir : str or Path
        Folder to write into (created if missing).
    fmt : {"csv", "xlsx", "redcap"}
        One header-only CSV file per table, one workbook with a sheet per table, or the REDCap data dictionary
        of the NETPET project (`netpet.registry.redcap`).
    """
    if fmt not in TEMPLATE_FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(TEMPLATE_FORMATS)}, not {fmt!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        written = []
        for table in TABLES:
            path = out / f"{table.name}.csv"
            with path.open("w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerow(table.column_names)
            written.append(path)
        return written
    if fmt == "redcap":
        path = out / DICTIONARY_NAME
        path.write_text(data_dictionary(), encoding="utf-8")
        return [path]
    return [_write_workbook(out / WORKBOOK_NAME)]


def column_choices(column: Column) -> tuple[str, ...]:
    """The values a drop-down offers for a column (none for free text, numbers and dates)."""
    if column.kind == "enum":
        return column.values
    if column.kind == "boolean":
        return ("true", "false")
    if column.kind == "score":
        return tuple(f"P{s}" for s in range(6))
    return ()


def _write_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table in TABLES:
        sheet = book.create_sheet(table.name)
        sheet.append(list(table.column_names))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, 1):
            letter = get_column_letter(index)
            header = sheet.cell(1, index)
            header.font = Font(bold=True)
            text = f"{column_type(column)}; required: {required_text(column)}"
            text += f"; unit: {column.unit}" if column.unit else ""
            text += f". {column.note}" if column.note else ""
            header.comment = Comment(text.replace("`", ""), "netpet")
            sheet.column_dimensions[letter].width = max(14, len(column.name) + 4)
            cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
            choices = column_choices(column)
            if choices:
                rule = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
                rule.error = f"{column.name} must be one of: {', '.join(choices)}"
                rule.showErrorMessage = True
                sheet.add_data_validation(rule)
                rule.add(cells)
            if column.kind == "date":
                for (cell,) in sheet.iter_rows(min_row=2, max_row=TEMPLATE_ROWS + 1, min_col=index, max_col=index):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path
