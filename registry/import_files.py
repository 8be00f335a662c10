"""The files of an import: which tables a folder holds, each file's checksum and byte scan, and its header's problems.

A CSV header that is one column holding `;`, a misspelt column name (the closest known one is suggested) and a
file on one line are refused here, before any cell is read.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl

from netpet.registry.columns import TABLES, TABLES_BY_NAME, Table
from netpet.registry.csv_lines import EdgeSpaces, LineCounter
from netpet.registry.errors import IngestError
from netpet.registry.identifiers import ID_BYTES
from netpet.registry.import_issues import issues_frame
from netpet.registry.ingest_sql import (
    CONTROL_CHARACTERS,
)
from netpet.registry.origins import Origin

FORMATS = ("csv", "parquet")
Progress = Callable[[str, int, int], None]
#: The longest cell accepted, in characters: IDs, codes and a cause of death fit; a pasted report does not.
MAX_CELL_CHARS = 1000
#: How much of a bad value a message quotes.
SHOWN_CHARS = 60
#: A text cell may not start with what a spreadsheet would run as a formula (OWASP CSV injection); `-`
#: is allowed here (codes such as `-` for "none") and neutralised on CSV export instead (netpet.registry.export).
FORMULA_START = r"^[=+@\t\r]"
#: FORMULA_START's characters as bytes: a CSV file holding none of them (a carriage return only ending a line
#: outside quotes) has no cell starting like a formula.
_FORMULA_BYTES = b"=+@\t\r"
_NOT_FORMULA = bytes(b for b in range(256) if b not in _FORMULA_BYTES)
_NOT_CONTROL = bytes(b for b in range(256) if not re.fullmatch(CONTROL_CHARACTERS.encode(), bytes([b])))
#: The bytes of a CSV file in which every cell is a valid ID or empty: ID characters, commas and line breaks.
_ID_SAFE = ID_BYTES + b",\r\n"
#: A header longer than this, or with a longer name, is a file on one line, not a header (no table comes close).
MAX_HEADER_NAMES = 256
MAX_NAME_CHARS = 128
#: Separators a misexported file uses instead of commas.
OTHER_DELIMITERS = (";", "\t", "|")
#: A date written day and month first (03/04/2021, 3.4.21): which comes first cannot be told, so it is refused.
AMBIGUOUS_DATE = r"^[0-9]{1,2}[./-][0-9]{1,2}[./-][0-9]{2,4}$"


@dataclass(frozen=True)
class ImportFile:
    """One table file of an import folder, or one table read from a workbook or REDCap export (`frame`, `origin`)."""

    table: Table
    path: Path
    fmt: str
    frame: pl.DataFrame | None = field(default=None, compare=False)  # the table's cells as text, already read
    origin: Origin | None = field(default=None, compare=False)  # where the frame's rows came from, for issues

    @property
    def name(self) -> str:
        return self.origin.label if self.origin else self.path.name

    @cached_property
    def scan(self) -> FileScan:
        """The file's SHA-256 and what else its bytes tell (`FileScan`), from one read of its bytes."""
        digest, control, lines, spaces = hashlib.sha256(), False, LineCounter(), EdgeSpaces()
        id_safe = formula_free = self.fmt == "csv"
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
                odd = block.translate(None, _ID_SAFE)  # every control character is among these bytes
                control = control or bool(odd.translate(None, _NOT_CONTROL))
                if self.fmt == "csv":
                    lines.update(block)
                    spaces.update(block)
                    crlf = _whole_line_breaks(block)
                    id_safe = id_safe and not odd and crlf
                    formula_free = formula_free and not odd.translate(None, _NOT_FORMULA) and (
                        b"\r" not in block or (crlf and b'"' not in block)
                    )
        # A Parquet file's (or workbook's) bytes are encoded: only its decoded cells can tell. A REDCap export is
        # CSV text, so its bytes tell as a CSV file's do.
        whole = lines.total() if self.fmt == "csv" and not lines.quoted else None
        return FileScan(
            digest.hexdigest(), control or self.fmt not in ("csv", "redcap"), whole,
            spaced=spaces.found or self.fmt != "csv", id_safe=id_safe, formula_free=formula_free,
        )


def _whole_line_breaks(block: bytes) -> bool:
    """Whether every carriage return of a block ends a line (CRLF): a lone one could be read inside a cell."""
    return b"\r" not in block or block.count(b"\r") == block.count(b"\r\n")


@dataclass(frozen=True)
class FileScan:
    """What one read of an import file's bytes tells: its SHA-256, whether a cell could hold a control character,
    its non-empty lines (None for Parquet, and for a CSV with quotes, whose cells may hold line breaks), whether
    a cell could start or end with a space (`csv_lines.EdgeSpaces`; always for Parquet), whether every byte
    is an ID character, a comma or a line break (`id_safe`: no ID cell can hold a character an ID may not) and
    whether no byte is one a formula starts with (`formula_free`: no cell can start like a formula)."""

    sha256: str
    control: bool
    lines: int | None
    spaced: bool = True
    id_safe: bool = False
    formula_free: bool = False


def find_import_files(folder: Path) -> tuple[list[ImportFile], pl.DataFrame]:
    """Return the folder's table files (in dependency order) and issues with misnamed or doubled files."""
    if not folder.is_dir():
        raise IngestError(f"{folder} is not a folder; give the folder holding the table files")
    found: dict[str, list[Path]] = {}
    issues = []
    accepted = ", ".join(f"{t.name}.csv" for t in TABLES)
    for path in sorted(folder.iterdir()):
        fmt = path.suffix.lower().lstrip(".")
        if not path.is_file() or fmt not in FORMATS or path.name.startswith("."):  # hidden: editor/OS litter
            continue
        if path.stem not in TABLES_BY_NAME:
            message = f"not an import table; accepted names: {accepted} (or .parquet)"
            issues.append({"file": path.name, "row": None, "column": None, "message": message})
            continue
        found.setdefault(path.stem, []).append(path)
    files = []
    for table in TABLES:
        paths = found.get(table.name, [])
        if len(paths) > 1:
            message = f"{table.name} is given twice ({', '.join(p.name for p in paths)}); keep one"
            issues.append({"file": paths[0].name, "row": None, "column": None, "message": message})
        elif paths:
            files.append(ImportFile(table, paths[0], paths[0].suffix.lower().lstrip(".")))
    if not files and not issues:
        raise IngestError(f"{folder} holds no table files; expected some of: {accepted} (or .parquet)")
    return files, issues_frame(issues)


def csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig")
    return next(csv.reader([first]), [])


def csv_header_problems(file: ImportFile, header: list[str]) -> list[dict[str, Any]]:
    """Return what makes a CSV header unusable: none, binary bytes, another separator, empty or doubled names."""
    if not header:
        return [file_issue(file, None, None, "the file is empty; expected a header row")]
    if any(re.search(CONTROL_CHARACTERS, h) for h in header):
        return [file_issue(file, 1, None, "the header holds control characters (such as NUL): not UTF-8 CSV text")]
    separator = _wrong_separator(header)
    if separator:
        fix = "save the file comma-separated (Excel: Save As 'CSV UTF-8 (Comma delimited)', decimals with a point)"
        return [file_issue(file, 1, None, f"the header is one column holding {separator!r}: {fix}")]
    if len(header) > MAX_HEADER_NAMES or max(map(len, header)) > MAX_NAME_CHARS:
        message = (f"the header row holds {len(header)} names, up to {max(map(len, header))} characters long: "
                   "is the whole file on one line? Lines must end with LF or CRLF")
        return [file_issue(file, 1, None, message)]
    if "" in header:
        message = f"the header has {header.count('')} empty column name(s); name or remove them"
        return [file_issue(file, 1, None, message)]
    doubled = sorted({h for h in header if header.count(h) > 1})
    return [file_issue(file, 1, h, "column appears more than once in the header") for h in doubled]


def _wrong_separator(header: list[str]) -> str | None:
    """Return the separator a one-column header is split by when it is not a comma (`;` from Excel), else None."""
    if len(header) != 1:
        return None
    return next((d for d in OTHER_DELIMITERS if d in header[0]), None)


def csv_problem(exc: Exception) -> tuple[int | None, str]:
    """Turn a DuckDB CSV error into (row, reason) without echoing the offending line (it holds data)."""
    text = str(exc)
    line = re.search(r"CSV Error on Line: (\d+)", text)
    lines = [s.strip() for s in text.splitlines()]
    reason = "the file is not valid CSV"
    if "Original Line" in text:
        start = next(i for i, s in enumerate(lines) if s.startswith("Original Line"))
        after = lines[start + 1 :]
        reason = next((s for s in after if s), reason)
    if "not utf-8" in text.lower():
        reason = "the file is not UTF-8 encoded"
    return (int(line.group(1)) if line else None), f"cannot read CSV: {reason}"


def file_issue(file: ImportFile, row: int | None, column: str | None, message: str) -> dict[str, Any]:
    return {"file": file.name, "row": row, "column": column, "message": message}


def header_issues(
    file: ImportFile, header: list[str], *, ignore_unknown_columns: bool
) -> list[dict[str, Any]]:
    """Return issues with the header: required columns missing and (unless ignored) unknown columns."""
    table = file.table
    issues = [
        file_issue(file, 1, c.name, "required column is missing")
        for c in table.columns
        if c.required and c.name not in header
    ]
    if not ignore_unknown_columns:
        accepted = ", ".join(table.column_names)
        issues += [
            file_issue(
                file,
                1,
                h,
                f"unknown column; {_closest(h, table.column_names)}{table.name} accepts {accepted} "
                "(or use --ignore-unknown-columns)",
            )
            for h in header
            if h not in table.column_names
        ]
    return issues


def _closest(name: str, known: Iterable[str]) -> str:
    """`did you mean 'x'? ` for the known name closest to a mistyped one (difflib), else nothing."""
    close = difflib.get_close_matches(name.strip().lower(), list(known), n=1, cutoff=0.75)
    return f"did you mean {close[0]!r}? " if close else ""
