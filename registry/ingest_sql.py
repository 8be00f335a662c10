"""The import's SQL: statements under `sql/queries/ingest/` filled with spec identifiers, run with bound values.

Identifiers in that SQL come only from `netpet.registry.columns` (checked against the spec's vocabulary, and the
per-column pieces named in `netpet.registry.column_sql`); values are always bound. Also the session settings an
import runs under (memory cap, accepted date format).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import duckdb

from netpet.registry.column_sql import Sql, identifier
from netpet.registry.errors import IngestError
from netpet.registry.sqlfiles import read_sql

#: DuckDB's memory cap during an import: beyond it temp tables spill to disk (to the registry's own spill
#: folder, `netpet.registry.db.spill_directory`), leaving room for Python and polars under a 4 GB budget at
#: tens of millions of rows (a 1M-patient import, 55M lesion reads, peaked at 6.3 GB under a 6 GB cap).
IMPORT_MEMORY_LIMIT = "3GB"
#: Control characters (NUL, ESC, ...) other than tab and line breaks: never data, a sign of a corrupt file.
CONTROL_CHARACTERS = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"

def spec_sql(name: str, /, **slots: str) -> Sql:
    """Read the statement `sql/queries/ingest/<name>.sql` and fill its `{{slot}}`s with spec identifiers or SQL
    built by `netpet.registry.column_sql` (a `Sql`); any other text is refused."""
    text = read_sql("queries", f"ingest/{name}").strip().rstrip(";")
    for slot, value in slots.items():
        text = text.replace("{{" + slot + "}}", value if isinstance(value, Sql) else identifier(value))
    if "{{" in text:
        raise ValueError(f"unfilled slot in ingest/{name}.sql")
    return Sql(text)


def run(
    con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Execute `sql`, binding only the `$parameters` it uses."""
    used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
    return con.execute(sql, {k: v for k, v in (params or {}).items() if k in used})


def fetch_value(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> Any:
    """Run a query of one value and return it (None when it returns no row)."""
    row = run(con, sql, params).fetchone()
    return row[0] if row else None


def fetch_flag(con: duckdb.DuckDBPyConnection, sql: str, params: Mapping[str, Any] | None = None) -> bool:
    """Run a query of one boolean (`select exists (...)`) and return it."""
    return bool(fetch_value(con, sql, params))


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


@contextmanager
def date_format_accepted(con: duckdb.DuckDBPyConnection, date_format: str | None) -> Iterator[None]:
    """Accept dates written as `date_format` (a strptime format such as `%d/%m/%Y`) beside ISO dates in the block."""
    if date_format is not None:
        try:
            run(con, spec_sql("check_date_format"), {"date_format": date_format})
        except duckdb.Error:
            message = f"--date-format {date_format!r} is not a date format; give one such as %d/%m/%Y"
            raise IngestError(message) from None
    run(con, spec_sql("set_date_format"), {"date_format": date_format})
    try:
        yield
    finally:
        run(con, spec_sql("set_date_format"), {"date_format": None})
