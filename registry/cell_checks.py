"""Read an import file into typed columns in one parallel pass and find every cell that does not parse or fit.

Each file becomes a DuckDB temp table of typed columns keeping a cell's trimmed text only where it fails
(`_parsed_<table>`, read through the view `_typed_<table>` with the file name and spreadsheet row `_row`);
the checks are set-based SQL from `sql/queries/ingest/`. Each problem is one row (file, row, column, message).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from typing import Any

import duckdb
import polars as pl

from netpet.registry import column_sql as piece
from netpet.registry.column_sql import SpecColumn, Sql, joined
from netpet.registry.columns import Column, Table, stored_name
from netpet.registry.first_load import FirstLoad
from netpet.registry.import_files import (
    AMBIGUOUS_DATE,
    FORMULA_START,
    MAX_CELL_CHARS,
    SHOWN_CHARS,
    FileScan,
    ImportFile,
    csv_header,
    csv_header_problems,
    csv_problem,
    file_issue,
)
from netpet.registry.import_issues import issues_frame
from netpet.registry.ingest_sql import (
    CONTROL_CHARACTERS,
    fetch_flag,
    run,
    spec_sql,
)

_PARSE_PROBLEMS = {
    "date": "'{}' is not a valid date (YYYY-MM-DD)",
    "number": "'{}' is not a number",
    "integer": "'{}' is not a whole number",
    "boolean": "'{}' is not a boolean (true/false, t/f, yes/no, 1/0)",
    "score": "'{}' is not a NETPET score (0-5 or P0-P5)",
    "text": "'{}' starts with =, +, @, a tab or a carriage return, which a spreadsheet runs as a formula; "
    "remove that first character",
}


def stage_file(
    con: duckdb.DuckDBPyConnection, file: ImportFile, first_load: FirstLoad | None = None
) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """Read one file as written straight into `_typed_<table>`; return its header (None if unreadable) and issues.

    The file is read once, by the parse itself: no staged copy of its text is kept beside the parsed table. With
    `first_load` the parse writes the registry table (see `netpet.registry.first_load`).
    """
    try:
        if file.frame is not None:
            return _stage_frame(con, file)
        if file.fmt == "csv":
            header = csv_header(file.path)
            problems = csv_header_problems(file, header)
            if problems:
                return None, problems
            source = spec_sql("source_csv")
            params: dict[str, Any] = {"path": str(file.path), "columns": dict.fromkeys(header, "VARCHAR")}
        else:
            source, params = spec_sql("source_parquet"), {"path": str(file.path)}
            header = [d[0] for d in run(con, spec_sql("source_columns", source=source), params).description]
        parse_source(con, file.table, header, file.name, source, params, scan=file.scan, first_load=first_load)
    except UnicodeDecodeError:
        return None, [file_issue(file, 1, None, "cannot read CSV: the file is not UTF-8 encoded")]
    except csv.Error:  # a bare carriage return in the header: old Mac line endings or a binary file
        message = "cannot read CSV: the header row is not valid CSV; lines must end with LF or CRLF"
        return None, [file_issue(file, 1, None, message)]
    except duckdb.Error as exc:
        if file.fmt == "csv":
            row, message = csv_problem(exc)
            return None, [file_issue(file, row, None, message)]
        first = str(exc).strip().splitlines()[0].replace(str(file.path), file.name)
        return None, [file_issue(file, None, None, f"cannot read Parquet: {first}")]
    return header, []


def _stage_frame(con: duckdb.DuckDBPyConnection, file: ImportFile) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """Parse a table already read into text cells (a workbook sheet, a REDCap instrument) like a CSV file."""
    assert file.frame is not None
    header = file.frame.columns
    problems = csv_header_problems(file, header)
    if problems:
        return None, problems
    con.register("_import_frame", file.frame.to_arrow())
    try:
        parse_source(con, file.table, header, file.name, spec_sql("source_frame"), {})
    finally:
        con.unregister("_import_frame")
    return header, []


def unread_lines(con: duckdb.DuckDBPyConnection, file: ImportFile) -> list[dict[str, Any]]:
    """Return an issue when the parse read fewer rows than the file has non-empty lines after its header."""
    if file.scan.lines is None:
        return []
    row = run(con, spec_sql("parsed_rows", parsed="_parsed_" + file.table.name)).fetchone()
    rows = int(row[0]) if row else 0
    if rows >= file.scan.lines - 1:
        return []
    message = (f"only {rows} row(s) were read from {file.scan.lines - 1} non-empty line(s) after the header; "
               "from this row on, a line was not read as a row (a missing line break, or a line of empty cells)")
    return [file_issue(file, rows + 2, None, message)]


def parse_source(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    file_name: str | None,
    source: Sql,
    source_params: Mapping[str, Any],
    *,
    scan: FileScan | None = None,
    first_load: FirstLoad | None = None,
) -> None:
    """Parse the rows of `source` (a file read as text, see `stage_file`) into `_typed_<table>`.

    What a CSV file's bytes rule out (`scan`) is not tested cell by cell, for the same values: no trimming when no
    cell can start or end with a space (`FileScan.spaced`), no formula test when no text cell can start like one
    (`FileScan.formula_free`). With `first_load`, the rows go straight into the empty registry table instead
    (`FirstLoad.write_parsed`), and `_typed_<table>` reads them there.
    """
    trim = scan is None or scan.spaced
    formulas = scan is None or not scan.formula_free
    present = [c for c in table.column_names if c in header]
    absent = [c for c in table.column_names if c not in header]
    cell = piece.raw_present if trim else piece.raw_as_written
    raw = Sql(", ".join(filter(None, (joined(cell, table, present), joined(piece.raw_missing, table, absent)))))
    kinds = piece.PARSE if formulas else {**piece.PARSE, "text": piece.parse_formula_free_text}
    parsed = Sql(", ".join(kinds[c.kind](SpecColumn.of(table, c.name)) for c in table.columns))
    stored = Sql(", ".join(stored_name(table.name, c) for c in table.column_names))
    params: dict[str, Any] = {**source_params, "formula_start": FORMULA_START, **_range_params(table)}
    for c in table.columns:
        if c.kind == "enum":
            params[f"canon_{c.name}"] = list(c.values)
            params[f"lower_{c.name}"] = [v.lower() for v in c.values]
    slots = {
        "source": source,
        "raw_columns": raw,
        "raw_names": Sql(", ".join("r_" + c for c in table.column_names)),
        "parsed_columns": parsed,
        "stored_names": stored,
        "read_all": piece.READ_EVERY_COLUMN if set(header) - set(present) else piece.ALWAYS,
    }
    if first_load is not None:
        problems, problem_params = cell_problem(table, header, control=scan is None or scan.control, kept=False)
        first_load.write_parsed(con, table, {**slots, "problems": problems}, {**params, **problem_params})
    else:
        kept = Sql(", ".join(piece.kept_text(SpecColumn.of(table, c.name), _out_of_range(table, c))
                             for c in table.columns))
        no_text_kept = joined(piece.no_text, table, table.column_names, " and ")
        sql = spec_sql("parse_file", parsed="_parsed_" + table.name, kept_texts=kept, no_text_kept=no_text_kept,
                       **slots)
        run(con, sql, params)
    texts = Sql(
        ", ".join(
            piece.text_at(SpecColumn.of(table, c), i) for i, c in enumerate(table.column_names, 1)
        )
    )
    run(con, spec_sql("file_name", name="_file_" + table.name), {"file": file_name})
    view = spec_sql(
        "typed_view",
        typed="_typed_" + table.name,
        parsed="_parsed_" + table.name,
        name="_file_" + table.name,
        stored_names=stored,
        texts=texts,
    )
    run(con, view)


def _out_of_range(table: Table, column: Column) -> Sql:
    """SQL true where a bounded column's value is out of range (false for an unbounded column)."""
    if column.low is None and column.high is None:
        return piece.NEVER
    return Sql(piece.out_of_range(SpecColumn.of(table, column.name)))


def _range_params(table: Table) -> dict[str, Any]:
    """The bounds `column_sql.out_of_range` binds, for every column of `table`."""
    params: dict[str, Any] = {}
    for c in table.columns:
        params |= {f"low_{c.name}": c.low, f"high_{c.name}": c.high, f"low_open_{c.name}": c.low_open}
    return params


def cell_issues(con: duckdb.DuckDBPyConnection, file: ImportFile, header: list[str]) -> pl.DataFrame:
    """Return empty required cells, unparseable cells and out-of-range numbers of one parsed file."""
    table = file.table
    if not _any_cell_problem(con, file, header):
        return issues_frame()
    frames = []
    for column in table.columns:
        spec = SpecColumn.of(table, column.name)
        raw = piece.raw_text if column.kind == "text" else piece.raw_kept
        sql = spec_sql(
            "check_cells",
            typed="_typed_" + table.name,
            raw=Sql(raw(spec)),
            parsed=spec.stored,
            range=_out_of_range(table, column),
        )
        params = {
            **_range_params(table),
            "required": column.required and column.name in header,
            "shown": SHOWN_CHARS,
            "max_chars": MAX_CELL_CHARS,
            "control": CONTROL_CHARACTERS,
        }
        found = run(con, sql, params).pl()
        if found.height:
            frames.append(
                found.select(
                    pl.lit(file.name).alias("file"),
                    pl.col("row").cast(pl.Int64),
                    pl.lit(column.name).alias("column"),
                    _cell_message(column).alias("message"),
                )
            )
    return issues_frame(pl.concat(frames)) if frames else issues_frame()


def _any_cell_problem(con: duckdb.DuckDBPyConnection, file: ImportFile, header: list[str]) -> bool:
    """Tell in one pass whether any cell of the parsed file has a problem `cell_issues` would report.

    Only a text column's value can be too long or hold a control character and still parse; any other
    column's problem shows as its kept text (parse_file.sql keeps it where the value is missing or out of
    range), so its check reads no text at all. A CSV file without a control byte skips that search.
    """
    either, params = cell_problem(file.table, header, control=file.scan.control)
    return fetch_flag(con, spec_sql("any_cell_problem", typed="_typed_" + file.table.name, problems=either), params)


def cell_problem(table: Table, header: list[str], *, control: bool, kept: bool = True) -> tuple[Sql, dict[str, Any]]:
    """SQL true for a row with any cell `cell_issues` would report, and the values it binds: over a parsed row's
    values and kept texts, or (`kept=False`) over its values and texts before any is kept, as a first load
    writes it. `control=False` (no control byte in the file) skips that search."""
    problems, params = [], {"max_chars": MAX_CELL_CHARS, "control": CONTROL_CHARACTERS}
    for column in table.columns:
        spec = SpecColumn.of(table, column.name)
        params[f"required_{column.name}"] = column.required and column.name in header
        found = piece.control(spec) if control else piece.NEVER
        if kept:
            problems.append(piece.text_problem(spec, found) if column.kind == "text" else piece.kept_problem(spec))
        elif column.kind == "text":
            problems.append(piece.parsed_text_problem(spec, _out_of_range(table, column), found))
        else:
            problems.append(piece.parsed_problem(spec, _out_of_range(table, column)))
    return Sql(" or ".join(f"({p})" for p in problems)), params


def _cell_message(column: Column) -> pl.Expr:
    value = pl.col("value")
    if column.kind == "enum":
        parse = pl.format("'{}' is not one of: " + ", ".join(column.values), value)
    else:
        parse = pl.format(_PARSE_PROBLEMS.get(column.kind, "'{}' is not valid"), value)
    if column.kind == "date":
        ambiguous = (
            "'{}' is ambiguous (day or month first?): write dates as YYYY-MM-DD (2021-04-03 for 3 April 2021), "
            "or import with --date-format %d/%m/%Y"
        )
        parse = pl.when(value.str.contains(AMBIGUOUS_DATE)).then(pl.format(ambiguous, value)).otherwise(parse)
    return (
        pl.when(pl.col("problem") == "required")
        .then(pl.lit("required value is empty"))
        .when(pl.col("problem") == "too_long")
        .then(pl.format(f"value is {{}} characters long; a cell holds at most {MAX_CELL_CHARS}", pl.col("length")))
        .when(pl.col("problem") == "control")
        .then(pl.format("'{}' holds a control character (such as NUL): is the file corrupt, or not UTF-8 text?", value))
        .when(pl.col("problem") == "parse")
        .then(parse)
        .otherwise(pl.format("{} is out of range: " + _range_text(column), value))
    )


def _range_text(column: Column) -> str:
    if column.low is not None and column.high is not None:
        return f"must be between {column.low:g} and {column.high:g}"
    if column.low is not None:
        return f"must be {'>' if column.low_open else '>='} {column.low:g}"
    return "" if column.high is None else f"must be <= {column.high:g}"
