"""The problems an import finds, as one tidy table (file, row, column, message), and how they are shown.

Every reader (folder, workbook, REDCap export) and every check reports in this shape, so that a user sees each
problem once as `file:row:column: message`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

ISSUE_SCHEMA = {"file": pl.String, "row": pl.Int64, "column": pl.String, "message": pl.String}


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
