"""Validate an import folder against the column spec, collecting every problem before anything is written.

Each file is read as text and parsed in one parallel pass into a DuckDB temp table of typed columns that keeps a
cell's trimmed text only where it does not parse (`_parsed_<table>`, read through the view `_typed_<table>` with
the file name and the spreadsheet row number `_row`), then checked with set-based SQL from
`sql/queries/ingest/`. Identifiers in that SQL come only from `netpet.registry.columns`; values are always bound.
Each problem is one row of a tidy frame (file, row, column, message). Writing is `netpet.registry.ingest`'s job.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from netpet.registry.columns import SSTR_TRACERS, TABLES, TABLES_BY_NAME, Column, Table, stored_name
from netpet.registry.csv_lines import LineCounter
from netpet.registry.errors import IngestError
from netpet.registry.identifiers import case_collisions, character_issues
from netpet.registry.sqlfiles import read_sql

FORMATS = ("csv", "parquet")
ISSUE_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "message": pl.String}
Progress = Callable[[str, int, int], None]
#: DuckDB's memory cap during an import: beyond it temp tables spill to disk, leaving room for Python
#: and polars under an 8 GB budget at tens of millions of rows.
IMPORT_MEMORY_LIMIT = "6GB"
#: The longest cell accepted, in characters: IDs, codes and a cause of death fit; a pasted report does not.
MAX_CELL_CHARS = 1000
#: How much of a bad value a message quotes.
SHOWN_CHARS = 60
#: A text cell may not start with what a spreadsheet would run as a formula (OWASP CSV injection); `-`
#: is allowed here (codes such as `-` for "none") and neutralised on CSV export instead (netpet.registry.export).
FORMULA_START = r"^[=+@\t\r]"
#: Control characters (NUL, ESC, ...) other than tab and line breaks: never data, a sign of a corrupt file.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_NOT_CONTROL = bytes(b for b in range(256) if not re.fullmatch(CONTROL_CHARACTERS.encode(), bytes([b])))
#: A header longer than this, or with a longer name, is a file on one line, not a header (no table comes close).
MAX_HEADER_NAMES = 256
MAX_NAME_CHARS = 128
#: Separators a misexported file uses instead of commas.
OTHER_DELIMITERS = (";", "\t", "|")

_PREFIXES = ("", "_typed_", "_parsed_", "_file_", "_all_", "r_")
_VOCABULARY = frozenset(
    prefix + name
    for table in TABLES
    for name in (table.name, *table.column_names, *(stored_name(table.name, c) for c in table.column_names))
    for prefix in _PREFIXES
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



class Sql(str):
    """SQL text rendered from a file under `sql/queries/ingest/` with identifiers from the spec only."""


def spec_sql(name: str, /, **slots: str) -> Sql:
    """Read `sql/queries/ingest/<name>.sql` and fill its `{{slot}}`s with spec identifiers or rendered SQL."""
    text = read_sql("queries", f"ingest/{name}").strip().rstrip(";")
    for slot, value in slots.items():
        if not isinstance(value, Sql) and value not in _VOCABULARY:
            raise ValueError(f"{value!r} is not an identifier of the column spec")
        text = text.replace("{{" + slot + "}}", value)
    if "{{" in text:
        raise ValueError(f"unfilled slot in ingest/{name}.sql")
    return Sql(text)


def each(fragment: str, table: Table, columns: Iterable[str], sep: str = ", ") -> Sql:
    """Render `fragments/<fragment>.sql` once per column and join the pieces with `sep`."""
    return Sql(
        sep.join(
            spec_sql(f"fragments/{fragment}", column=c, stored=stored_name(table.name, c)) for c in columns
        )
    )


def run(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute `sql`, binding only the `$parameters` it uses."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in used})


@contextmanager
def memory_budget(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Cap DuckDB's memory at `IMPORT_MEMORY_LIMIT` for the block, then restore the previous limit."""
    previous = run(con, spec_sql("memory_limit")).fetchone()
    run(con, spec_sql("set_memory_limit"), {"limit": IMPORT_MEMORY_LIMIT})
    try:
        yield
    finally:
        # The limit reads back rounded ("18.8 GiB"), so a default limit is reset rather than set again.
        run(con, spec_sql("reset_memory_limit"))
        if previous is not None and run(con, spec_sql("memory_limit")).fetchone() != previous:
            run(con, spec_sql("set_memory_limit"), {"limit": previous[0]})


def issues_frame(rows: Iterable[Mapping[str, Any]] | pl.DataFrame = ()) -> pl.DataFrame:
    """Return issues as the tidy frame (file, row, column, message)."""
    if isinstance(rows, pl.DataFrame):
        return rows.select(pl.col(c).cast(t) for c, t in ISSUE_SCHEMA.items())
    return pl.DataFrame(list(rows), schema=ISSUE_SCHEMA)


def format_issues(issues: pl.DataFrame) -> list[str]:
    """Render each issue as `file:row:column: message` (row and column left out when the issue has none).

    Unprintable characters a bad file carries into a column name or a value (NUL, ESC, a stray byte-order
    mark) are shown escaped (`\\x00`, `\\ufeff`), so that an issue is always one printable line.
    """
    lines = []
    for file, row, column, message in issues.iter_rows():
        where = ":".join(str(part) for part in (file, row, column) if part is not None)
        lines.append(_printable(f"{where}: {message}"))
    return lines


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


@dataclass(frozen=True)
class ImportFile:
    """One table file of an import folder."""

    table: Table
    path: Path
    fmt: str

    @property
    def name(self) -> str:
        return self.path.name

    @cached_property
    def scan(self) -> FileScan:
        """The file's SHA-256, whether it holds a control character, and its lines, from one read of its bytes."""
        digest, control, lines = hashlib.sha256(), False, LineCounter()
        with self.path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 22), b""):
                digest.update(block)
                control = control or bool(block.translate(None, _NOT_CONTROL))
                if self.fmt == "csv":
                    lines.update(block)
        # A Parquet file's bytes are encoded: only its decoded cells can tell.
        whole = lines.total() if self.fmt == "csv" and not lines.quoted else None
        return FileScan(digest.hexdigest(), control or self.fmt != "csv", whole)


@dataclass(frozen=True)
class FileScan:
    """What one read of an import file's bytes tells: its SHA-256, whether a cell could hold a control character,
    and its non-empty lines (None for Parquet, and for a CSV with quotes, whose cells may hold line breaks)."""

    sha256: str
    control: bool
    lines: int | None


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


def _csv_header(path: Path) -> list[str]:
    with path.open("rb") as handle:
        first = handle.readline().decode("utf-8-sig")
    return next(csv.reader([first]), [])


def _csv_header_problems(file: ImportFile, header: list[str]) -> list[dict[str, Any]]:
    """Return what makes a CSV header unusable: none, binary bytes, another separator, empty or doubled names."""
    if not header:
        return [_issue(file, None, None, "the file is empty; expected a header row")]
    if any(re.search(CONTROL_CHARACTERS, h) for h in header):
        return [_issue(file, 1, None, "the header holds control characters (such as NUL): not UTF-8 CSV text")]
    separator = _wrong_separator(header)
    if separator:
        return [_issue(file, 1, None, f"the header is one column holding {separator!r}: save the file comma-separated")]
    if len(header) > MAX_HEADER_NAMES or max(map(len, header)) > MAX_NAME_CHARS:
        message = (f"the header row holds {len(header)} names, up to {max(map(len, header))} characters long: "
                   "is the whole file on one line? Lines must end with LF or CRLF")
        return [_issue(file, 1, None, message)]
    if "" in header:
        return [_issue(file, 1, None, f"the header has {header.count('')} empty column name(s); name or remove them")]
    doubled = sorted({h for h in header if header.count(h) > 1})
    return [_issue(file, 1, h, "column appears more than once in the header") for h in doubled]


def _wrong_separator(header: list[str]) -> str | None:
    """Return the separator a one-column header is split by when it is not a comma (`;` from Excel), else None."""
    if len(header) != 1:
        return None
    return next((d for d in OTHER_DELIMITERS if d in header[0]), None)


def _csv_problem(exc: Exception) -> tuple[int | None, str]:
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


def stage_file(
    con: duckdb.DuckDBPyConnection, file: ImportFile
) -> tuple[list[str] | None, list[dict[str, Any]]]:
    """Read one file as written straight into `_typed_<table>`; return its header (None if unreadable) and issues.

    The file is read once, by the parse itself: no staged copy of its text is kept beside the parsed table.
    """
    try:
        if file.fmt == "csv":
            header = _csv_header(file.path)
            problems = _csv_header_problems(file, header)
            if problems:
                return None, problems
            source = spec_sql("source_csv")
            params: dict[str, Any] = {"path": str(file.path), "columns": dict.fromkeys(header, "VARCHAR")}
        else:
            source, params = spec_sql("source_parquet"), {"path": str(file.path)}
            header = [d[0] for d in run(con, spec_sql("source_columns", source=source), params).description]
        parse_source(con, file.table, header, file.name, source, params)
    except UnicodeDecodeError:
        return None, [_issue(file, 1, None, "cannot read CSV: the file is not UTF-8 encoded")]
    except csv.Error:  # a bare carriage return in the header: old Mac line endings or a binary file
        message = "cannot read CSV: the header row is not valid CSV; lines must end with LF or CRLF"
        return None, [_issue(file, 1, None, message)]
    except duckdb.Error as exc:
        if file.fmt == "csv":
            row, message = _csv_problem(exc)
            return None, [_issue(file, row, None, message)]
        first = str(exc).strip().splitlines()[0].replace(str(file.path), file.name)
        return None, [_issue(file, None, None, f"cannot read Parquet: {first}")]
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
    return [_issue(file, rows + 2, None, message)]


def _issue(file: ImportFile, row: int | None, column: str | None, message: str) -> dict[str, Any]:
    return {"file": file.name, "row": row, "column": column, "message": message}


def header_issues(
    file: ImportFile, header: list[str], *, ignore_unknown_columns: bool
) -> list[dict[str, Any]]:
    """Return issues with the header: required columns missing and (unless ignored) unknown columns."""
    table = file.table
    issues = [
        _issue(file, 1, c.name, "required column is missing")
        for c in table.columns
        if c.required and c.name not in header
    ]
    if not ignore_unknown_columns:
        accepted = ", ".join(table.column_names)
        issues += [
            _issue(
                file,
                1,
                h,
                f"unknown column; {table.name} accepts {accepted} (or use --ignore-unknown-columns)",
            )
            for h in header
            if h not in table.column_names
        ]
    return issues


def parse_source(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    header: list[str],
    file_name: str | None,
    source: Sql,
    source_params: Mapping[str, Any],
) -> None:
    """Parse the rows of `source` (a file read as text, see `stage_file`) into `_typed_<table>`."""
    present = [c for c in table.column_names if c in header]
    absent = [c for c in table.column_names if c not in header]
    raw = Sql(
        ", ".join(filter(None, (each("raw_present", table, present), each("raw_missing", table, absent))))
    )
    parsed = Sql(
        ", ".join(
            spec_sql(f"fragments/parse_{c.kind}", column=c.name, stored=stored_name(table.name, c.name))
            for c in table.columns
        )
    )
    stored = Sql(", ".join(stored_name(table.name, c) for c in table.column_names))
    kept = Sql(
        ", ".join(
            spec_sql("fragments/kept_text", column=c.name, stored=stored_name(table.name, c.name),
                     range=_out_of_range(table, c))
            for c in table.columns
        )
    )
    params: dict[str, Any] = {**source_params, "formula_start": FORMULA_START, **_range_params(table)}
    for c in table.columns:
        if c.kind == "enum":
            params[f"canon_{c.name}"] = list(c.values)
            params[f"lower_{c.name}"] = [v.lower() for v in c.values]
    sql = spec_sql(
        "parse_file",
        parsed="_parsed_" + table.name,
        source=source,
        raw_columns=raw,
        raw_names=Sql(", ".join("r_" + c for c in table.column_names)),
        parsed_columns=parsed,
        stored_names=stored,
        kept_texts=kept,
        no_text_kept=each("no_text", table, table.column_names, " and "),
        read_all=spec_sql("fragments/read_every_column" if set(header) - set(present) else "fragments/always"),
    )
    run(con, sql, params)
    texts = Sql(
        ", ".join(
            spec_sql("fragments/text_at", column=c, index=Sql(str(i))) for i, c in enumerate(table.column_names, 1)
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
        return spec_sql("fragments/never")
    return spec_sql("fragments/column_out_of_range", column=column.name, stored=stored_name(table.name, column.name))


def _range_params(table: Table) -> dict[str, Any]:
    """The bounds `fragments/column_out_of_range` binds, for every column of `table`."""
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
        stored = stored_name(table.name, column.name)
        raw = "fragments/raw_text" if column.kind == "text" else "fragments/raw_kept"
        sql = spec_sql(
            "check_cells",
            typed="_typed_" + table.name,
            raw=spec_sql(raw, column=column.name, stored=stored),
            parsed=stored,
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
    table = file.table
    problems, params = [], {"max_chars": MAX_CELL_CHARS, "control": CONTROL_CHARACTERS}
    for column in table.columns:
        stored = stored_name(table.name, column.name)
        params[f"required_{column.name}"] = column.required and column.name in header
        if column.kind != "text":
            problems.append(spec_sql("fragments/kept_problem", column=column.name, stored=stored))
            continue
        control = spec_sql("fragments/control" if file.scan.control else "fragments/never", stored=stored)
        problems.append(spec_sql("fragments/text_problem", column=column.name, stored=stored, control=control))
    either = Sql(" or ".join(f"({p})" for p in problems))
    return _fetch_flag(con, spec_sql("any_cell_problem", typed="_typed_" + table.name, problems=either), params)


def _fetch_flag(con: duckdb.DuckDBPyConnection, sql: Sql, params: Mapping[str, Any] | None = None) -> bool:
    """Run a query of one boolean (`select exists (...)`) and return it."""
    row = run(con, sql, params).fetchone()
    return bool(row and row[0])


def _cell_message(column: Column) -> pl.Expr:
    value = pl.col("value")
    if column.kind == "enum":
        parse = pl.format("'{}' is not one of: " + ", ".join(column.values), value)
    else:
        parse = pl.format(_PARSE_PROBLEMS.get(column.kind, "'{}' is not valid"), value)
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


def create_empty_typed(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    """Give a table the import leaves out an empty `_typed_<table>` so that every check can read it."""
    parse_source(con, table, [], None, spec_sql("source_empty"), {})


def create_all_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create `_all_<table>`: each table as it would be after the import (registry rows + imported rows)."""
    for table in TABLES:
        stored = [stored_name(table.name, c) for c in table.column_names]
        sql = spec_sql(
            "all_rows",
            all="_all_" + table.name,
            table=table.name,
            typed="_typed_" + table.name,
            r_columns=Sql(", ".join("r." + c for c in stored)),
            i_columns=Sql(", ".join("i." + c for c in stored)),
            key_match=each("key_match", table, table.key, " and "),
        )
        run(con, sql)


def key_text(table: Table) -> Sql:
    """SQL for an imported row's key as text (`T1|liver-s7`)."""
    return spec_sql("fragments/key_text", parts=each("key_part", table, table.key))


def differs(table: Table) -> Sql:
    """SQL that is true when imported row `i` differs from registry row `r` in any non-key column."""
    others = [c for c in table.column_names if c not in table.key]
    return each("differs", table, [stored_name(table.name, c) for c in others], " or ")


def cross_issues(con: duckdb.DuckDBPyConnection, *, update: bool, window_days: int) -> pl.DataFrame:
    """Return problems between rows: duplicate and clashing keys, unknown references, scans, dates."""
    frames = []
    for table in TABLES:
        typed = "_typed_" + table.name
        slots = {
            "typed": typed,
            "key_text": key_text(table),
            "key_match": each("key_match", table, table.key, " and "),
        }
        key_params = {"column": table.key[0], "key_name": "+".join(table.key)}
        keys = {"typed": typed, "i_keys": Sql(", ".join("i." + k for k in table.key)),
                "keys_present": each("present", table, table.key, " and ")}
        if _fetch_flag(con, spec_sql("any_duplicate_key", **keys)):
            sql = spec_sql("check_duplicate_keys", **keys, key_text=slots["key_text"], key_match=slots["key_match"])
            frames.append(run(con, sql, key_params).pl())
        if not update:
            others = [c for c in table.column_names if c not in table.key]
            frames.append(
                run(
                    con,
                    spec_sql(
                        "check_existing_keys",
                        **slots,
                        table=table.name,
                        differs=differs(table),
                        changed_names=each("changed_name", table, others),
                    ),
                    key_params,
                ).pl()
            )
        for column, parent in table.parents.items():
            parent_key = TABLES_BY_NAME[parent].key[0]
            sql = spec_sql(
                "check_references",
                typed=typed,
                column=column,
                parent=parent,
                parent_typed="_typed_" + parent,
                parent_key=parent_key,
            )
            frames.append(run(con, sql, {"column": column}).pl())
    params = {"window": window_days, "sstr": list(SSTR_TRACERS)}
    for name in (
        "check_timepoint_scans",
        "check_lesion_comparison",
        "check_treatment_dates",
        "check_patient_dates",
    ):
        frames.append(run(con, spec_sql(name), params).pl())
    return issues_frame(pl.concat([issues_frame(f) for f in frames]))


def drop_temporaries(con: duckdb.DuckDBPyConnection) -> None:
    """Drop every temp table and view the import created."""
    for table in TABLES:
        run(
            con,
            spec_sql(
                "drop_temporaries",
                all="_all_" + table.name,
                typed="_typed_" + table.name,
                parsed="_parsed_" + table.name,
                name="_file_" + table.name,
            ),
        )


def stage_and_check(
    con: duckdb.DuckDBPyConnection,
    files: list[ImportFile],
    *,
    update: bool,
    ignore_unknown_columns: bool,
    window_days: int,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Stage and parse every file, then return every issue (cross-row checks only if all files were read)."""
    given = {f.table.name: f for f in files}
    issues: list[pl.DataFrame] = []
    readable = True
    with ThreadPoolExecutor(max_workers=1) as scanner:
        # Each file's bytes are read once for its SHA-256 and control characters (`ImportFile.scan`) while
        # DuckDB parses: hashing releases the GIL, so the two overlap.
        scanner.submit(lambda: [f.scan for f in files])
        for done, table in enumerate(TABLES):
            file = given.get(table.name)
            if file is None:
                create_empty_typed(con, table)
            else:
                header, problems = stage_file(con, file)
                issues.append(issues_frame(problems))
                if header is None:
                    readable = False
                    create_empty_typed(con, table)
                else:
                    issues.append(
                        issues_frame(header_issues(file, header, ignore_unknown_columns=ignore_unknown_columns))
                    )
                    issues.append(cell_issues(con, file, header))
                    issues.append(issues_frame(character_issues(con, file, header)))
                    issues.append(issues_frame(unread_lines(con, file)))
            if progress:
                progress("read", done + 1, len(TABLES))
    create_all_views(con)
    if readable:
        issues.append(cross_issues(con, update=update, window_days=window_days))
        issues.extend(case_collisions(con, file.table) for file in files)
    if progress:
        progress("validate", 1, 1)
    return _in_file_order(pl.concat(issues), files)


def _in_file_order(issues: pl.DataFrame, files: list[ImportFile]) -> pl.DataFrame:
    order = {f.name: i for i, f in enumerate(files)}
    return (
        issues.unique()
        .with_columns(pl.col("file").replace_strict(order, default=-1, return_dtype=pl.Int64).alias("_order"))
        .sort(["_order", "row", "column", "message"], nulls_last=False)
        .drop("_order")
    )


def validate_folder(
    reg: Any, folder: str | Path, *, update: bool = False, ignore_unknown_columns: bool = False
) -> pl.DataFrame:
    """Check an import folder without writing anything and return every problem found.

    Parameters
    ----------
    reg : Registry
        The registry the folder would be imported into (its rows count for keys, references and dates).
    folder : str or Path
        The folder of table files (see `shared/registry-format.md`).
    update, ignore_unknown_columns : bool
        As for `netpet.registry.ingest.import_folder`.

    Returns
    -------
    polars.DataFrame
        One row per problem: file, row (header = 1, first data row = 2), column, message. Empty when valid.
    """
    files, misnamed = find_import_files(Path(folder))
    with memory_budget(reg.con):
        try:
            found = stage_and_check(
                reg.con,
                files,
                update=update,
                ignore_unknown_columns=ignore_unknown_columns,
                window_days=int(reg.setting("pairing_window_days")),
            )
        finally:
            drop_temporaries(reg.con)
    return pl.concat([misnamed, found])
