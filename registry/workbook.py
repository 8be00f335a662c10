"""Read an Excel workbook of import tables (one sheet per table) for the all-or-nothing import.

Each sheet named as an import table becomes a staged table of text cells that `netpet.registry.validate` checks exactly
as it checks a CSV file; issues name `workbook.xlsx[sheet]`, Excel's row number and the column's header
(`netpet.registry.origins`). What a spreadsheet adds is handled here: real Excel dates become ISO dates; formulas are
read
as the values Excel saved (refused when none was saved); trailing empty rows and columns are ignored; merged cells,
Excel error values (`#N/A`), numbers in date columns (a lost date format), hidden table sheets, unknown sheets,
unnamed and doubled columns are refused with the fix.

The reader is openpyxl: maintained, pure Python, and the one library that tells a formula from its saved value,
exposes merged ranges, sheet visibility and date formats, and also writes the templates (`netpet.registry.templates`:
drop-down validation and header comments). polars' `read_excel` (fastexcel/calamine) reads faster but hides
formulas and merged cells; `benchmarks/import_formats.py` measures the difference.
"""

from __future__ import annotations

import datetime as dt
import difflib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from netpet.registry.columns import TABLES, TABLES_BY_NAME, Table
from netpet.registry.errors import IngestError, ValidationError
from netpet.registry.import_files import ImportFile
from netpet.registry.import_issues import format_issues, issues_frame
from netpet.registry.ingest import import_files
from netpet.registry.origins import Origin

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_ISSUE = dict[str, Any]


@dataclass(frozen=True)
class WorkbookTables:
    """A workbook read for import: one staged table per table sheet, and the problems found while reading."""

    files: list[ImportFile]
    issues: pl.DataFrame


def read_workbook(path: str | Path) -> WorkbookTables:
    """Read every table sheet of the workbook at `path` into text cells, with Excel's row numbers kept.

    Raises
    ------
    IngestError
        The file is not a workbook openpyxl can read.
    ValidationError
        A sheet's header cannot be used (a column without a name but with values, a name given twice).
    """
    path = Path(path)
    book = _load(path, data_only=False)
    saved = _load(path, data_only=True) if _has_formulas(book) else None
    files: list[ImportFile] = []
    issues: list[_ISSUE] = []
    header: list[_ISSUE] = []
    for sheet in book.worksheets:
        shown = f"{path.name}[{sheet.title}]"
        table = TABLES_BY_NAME.get(sheet.title)
        if table is None:
            issues.append(_unknown_sheet(shown, sheet.title))
            continue
        if sheet.sheet_state != "visible":
            issues.append(_at(shown, None, None, "the sheet is hidden: unhide it to import it, or delete it"))
        values = saved[sheet.title] if saved is not None else None
        rows = list(sheet.iter_rows())
        staged, found = _read_sheet(path, sheet, rows, values, table)
        files.append(staged)
        header += _header_issues(shown, rows)
        issues += found
    if not files and not issues:
        names = ", ".join(t.name for t in TABLES)
        raise IngestError(f"{path.name} has no sheet named as an import table; name the sheets {names}")
    if header:  # the sheet's columns cannot be told apart: nothing below the header can be checked
        frame = issues_frame(header)
        raise ValidationError(frame, "\n".join(format_issues(frame)))
    return WorkbookTables(files, issues_frame(issues))


def _load(path: Path, *, data_only: bool) -> openpyxl.Workbook:
    try:
        return openpyxl.load_workbook(path, data_only=data_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        reason = str(exc).split("\n")[0].replace(str(path), path.name) or type(exc).__name__
        raise IngestError(
            f"{path.name}: cannot read the workbook ({reason}); save it from Excel as an Excel Workbook (.xlsx)"
        ) from None


def _has_formulas(book: openpyxl.Workbook) -> bool:
    return any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)


def _unknown_sheet(shown: str, title: str) -> _ISSUE:
    names = [t.name for t in TABLES]
    close = difflib.get_close_matches(title.strip().lower(), names, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return _at(shown, None, None, f"not an import table; {hint}name each sheet as a table ({', '.join(names)})")


def _at(file: str, row: int | None, column: str | None, message: str) -> _ISSUE:
    return {"file": file, "row": row, "column": column, "message": message}


def _read_sheet(
    path: Path, sheet: Worksheet, rows: list[tuple[Cell, ...]], saved: Worksheet | None, table: Table
) -> tuple[ImportFile, list[_ISSUE]]:
    """Read one table sheet: header from row 1, one staged row per non-empty row below it."""
    shown = f"{path.name}[{sheet.title}]"
    header_cells = rows[0] if rows else ()
    names = [_header_name(c.value) for c in header_cells]
    issues: list[_ISSUE] = []
    used = [j for j, name in enumerate(names) if name and names.index(name) == j]
    columns: dict[str, list[str | None]] = {names[j]: [] for j in used}
    kinds = [table.column(n).kind if n in table.column_names else "text" for n in names]
    epoch = sheet.parent.epoch
    source_rows = []
    for row in rows[1:]:
        if all(_blank(c.value) for c in row):
            continue
        source_rows.append(row[0].row)
        for j in used:
            cell = row[j] if j < len(row) else None
            value = _saved_value(cell, saved)
            text, problem = _cell_text(cell, value, kinds[j], epoch)
            columns[names[j]].append(text)
            if problem and cell is not None:
                issues.append(_at(shown, cell.row, names[j], problem))
    issues += _merged_issues(sheet, shown, names)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)) if rows else pl.DataFrame()
    origin = Origin(label=shown, shown_as=shown, rows=source_rows)
    return ImportFile(table, path, "xlsx", frame=frame, origin=origin), issues


def _header_name(value: object) -> str:
    return "" if value is None else str(value).strip()


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_issues(shown: str, rows: list[tuple[Cell, ...]]) -> list[_ISSUE]:
    """Refuse a column with values but no name in row 1, and a name given twice."""
    names = [_header_name(c.value) for c in rows[0]] if rows else []
    body = rows[1:]
    issues = []
    for j, name in enumerate(names):
        if not name and any(j < len(r) and not _blank(r[j].value) for r in body):
            letter = get_column_letter(j + 1)
            issues.append(_at(shown, 1, letter, "column has values but no name in row 1: name it or delete it"))
        elif name and names.index(name) < j:
            issues.append(_at(shown, 1, name, "column appears more than once in row 1; keep one"))
    return issues


def _saved_value(cell: Cell | None, saved: Worksheet | None) -> object:
    """The cell's value; for a formula, the value Excel saved with the file (None if it saved none)."""
    if cell is None:
        return None
    if cell.data_type == "f":
        return saved.cell(cell.row, cell.column).value if saved is not None else None
    return cell.value


def _cell_text(cell: Cell | None, value: object, kind: str, epoch: dt.datetime) -> tuple[str | None, str | None]:
    """Return the cell as import text and, when Excel's value cannot stand for what was meant, the problem.

    `kind` is the column's kind in the spec; `epoch` the workbook's date system (1900, or 1904 from old Macs).
    """
    if cell is None:
        return None, None
    if cell.data_type == "s" and isinstance(value, str) and not value.startswith("#"):  # the common case: text
        return value, None
    if cell.data_type == "f" and value is None:
        return None, "the formula has no value saved in the file: open and save the workbook in Excel, or paste values"
    if isinstance(value, str) and (cell.data_type == "e" or value in _EXCEL_ERRORS):
        return value, f"the cell shows Excel's error {value}: fix the formula or enter the value"
    if kind == "date" and isinstance(value, int | float) and not isinstance(value, bool):
        shown = f"{value:g}"
        try:
            as_date = f" (as a date it reads {from_excel(value, epoch).date().isoformat()})"
        except (ValueError, OverflowError, TypeError):
            as_date = ""
        fix = "format the column as Date in Excel, or type YYYY-MM-DD"
        return shown, f"'{shown}' is a number, not a date{as_date}: {fix}"
    return _as_text(value), None


_EXCEL_ERRORS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"))


def _as_text(value: object) -> str | None:
    """Excel's value as the interchange format writes it: ISO dates, true/false, numbers without a trailing .0."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _merged_issues(sheet: Worksheet, shown: str, names: list[str]) -> list[_ISSUE]:
    """Refuse merged cells: only the first cell of a merged range holds the value the others seem to show."""
    issues = []
    for merged in sorted(sheet.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        column = names[merged.min_col - 1] if merged.min_col <= len(names) and names[merged.min_col - 1] else None
        message = f"merged cells {merged.coord}: unmerge them and fill in every cell"
        issues.append(_at(shown, merged.min_row, column or get_column_letter(merged.min_col), message))
    return issues



def import_workbook(reg: Any, path: str | Path, **options: Any) -> pl.DataFrame:
    """Import the table sheets of the workbook at `path`, all or nothing (options as
    `netpet.registry.ingest.import_files`)."""
    tables = read_workbook(path)
    return import_files(reg, tables.files, source=str(path), found_issues=tables.issues, **options)
