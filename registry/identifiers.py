"""Identifiers that can't be faked: the characters a patient, scan, timepoint, lesion or treatment ID may hold.

An ID is ASCII letters, digits and `- _ . / :` (docs/identifiers.md). That one rule shuts out every
look-alike: full-width and other compatibility forms (Unicode NFKC would fold `P１` to `P1`; the message
gives that form as the fix, an import never rewrites an ID itself), invisible and format characters (zero-width
space, joiners, byte-order marks, direction overrides), spaces, and homoglyphs from other scripts (Cyrillic
`Р`) that no normalisation folds. Beyond characters, two IDs of one table that differ only in case (`P1`,
`p1`) are refused, in the registry or in the same import: they would read as the same patient. Surrounding
spaces are trimmed by the parse, so `P1 ` is `P1`.
"""

from __future__ import annotations

import string
import unicodedata
from typing import Any

import duckdb
import polars as pl

from netpet.registry.columns import Table, stored_name
from netpet.registry.import_issues import issues_frame
from netpet.registry.ingest_sql import CONTROL_CHARACTERS, run, spec_sql

#: What an ID may hold, as a regular expression over the whole value.
ID_PATTERN = r"[A-Za-z0-9._/:-]+"
ALLOWED_PUNCTUATION = "-_./:"
#: The bytes an ID may hold (ID_PATTERN's characters).
ID_BYTES = (string.ascii_letters + string.digits + ALLOWED_PUNCTUATION).encode()
#: Unicode categories that print nothing or change how neighbours print.
_INVISIBLE = {"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp"}


def id_columns(table: Table) -> list[str]:
    """Return the columns of `table` that hold identifiers (its own key and the IDs it refers to)."""
    return [c for c in table.column_names if c.endswith("_id")]


def identifier_problem(value: str) -> str | None:
    """Return why `value` cannot be an ID, naming the fix, or None when it can."""
    invisible = [ch for ch in value if unicodedata.category(ch) in _INVISIBLE]
    if invisible:
        return f"holds an invisible or format character ({_describe(invisible[0])}); retype the ID"
    normal = unicodedata.normalize("NFKC", value)
    if normal != value and normal.isascii() and all(_allowed(ch) for ch in normal):
        return f"holds look-alike characters ({_describe(_first_change(value))}); write it as '{normal}'"
    bad = next((ch for ch in value if not _allowed(ch)), None)
    if bad is None:
        return None
    return f"holds {_describe(bad)}; an ID holds ASCII letters, digits and {' '.join(ALLOWED_PUNCTUATION)} only"


def _allowed(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch in ALLOWED_PUNCTUATION)


def _first_change(value: str) -> str:
    return next(ch for ch in value if unicodedata.normalize("NFKC", ch) != ch)


def _describe(ch: str) -> str:
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}"


def character_issues(con: duckdb.DuckDBPyConnection, file: Any, header: list[str]) -> list[dict[str, Any]]:
    """Return an issue per ID cell of a parsed import file holding characters an ID may not hold.

    A CSV file whose bytes are all ID characters, commas and line breaks (`FileScan.id_safe`) holds none: its
    cells are not read.
    """
    if file.frame is None and file.scan.id_safe:
        return []
    issues = []
    for column in (c for c in id_columns(file.table) if c in header):
        stored = stored_name(file.table.name, column)
        sql = spec_sql("check_id_characters", typed="_typed_" + file.table.name, stored=stored)
        for row, value in run(con, sql, {"id_pattern": ID_PATTERN, "control": CONTROL_CHARACTERS}).fetchall():
            problem = identifier_problem(value) or "is not a valid ID"
            issues.append({"file": file.name, "row": row, "column": column, "message": f"'{value}' {problem}"})
    return issues


def case_collisions(con: duckdb.DuckDBPyConnection, table: Table) -> pl.DataFrame:
    """Return imported IDs of `table`'s key that differ only in case from another ID (registry or import)."""
    if table.key == ("timepoint_id", "lesion_id"):
        sql = spec_sql("check_lesion_id_case", typed="_typed_" + table.name)
    elif len(table.key) == 1:
        slots = {"typed": "_typed_" + table.name, "table": table.name, "column": table.key[0]}
        clash = run(con, spec_sql("any_id_case_clash", **slots)).fetchone()
        if not (clash and clash[0]):
            return issues_frame()
        sql = spec_sql("check_id_case", **slots)
    else:
        return issues_frame()
    return issues_frame(run(con, sql, {"column": table.key[-1]}).pl())
