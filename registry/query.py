"""Ad-hoc SQL over the registry's analysis views for `netpet query`: one SELECT, on a sandboxed read-only registry.

Three guards. The registry is attached read-only, so no statement can change it. The connection is locked
down before the query is even parsed (`netpet.registry.sandbox`: no file or network access, no extension loading,
configuration locked), so no statement can reach beyond the registry. And the statement's syntax tree may
name only the analysis views (base tables only with `tables=True`) and a few value-generating table
functions. The statement check in front gives a clear message for a mistaken `delete` or a second statement.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from netpet.registry.errors import RegistryError
from netpet.registry.sandbox import SandboxError, check_relations, lock_down

if TYPE_CHECKING:
    from netpet.registry.db import Registry

#: The first word of an allowed statement (DuckDB also reads `from t select ...`; DESCRIBE lists a view's columns).
ALLOWED_FIRST_WORDS = ("select", "with", "from", "describe")
_LEADING_NOISE = re.compile(r"^(\s+|--[^\n]*(\n|$)|/\*.*?\*/|\()+", re.DOTALL)


class QueryError(RegistryError):
    """An ad-hoc query is not a single SELECT, or DuckDB could not run it."""


def run_query(reg: Registry, sql: str, *, tables: bool = False) -> pl.DataFrame:
    """Run one read-only SELECT (or WITH ... SELECT, or DESCRIBE view) over the registry and return its rows.

    The registry's connection is sandboxed first and stays so (`netpet.registry.sandbox.lock_down`).

    Parameters
    ----------
    reg
        A registry opened with `read_only=True`; a writable one is refused.
    sql
        A single SELECT statement over the registry's analysis views (`netpet views` lists them).
    tables
        Also allow the base tables (which hold exact dates such as birth dates).

    Returns
    -------
    pl.DataFrame
        The query's rows.
    """
    if not reg.read_only:
        raise QueryError("ad-hoc queries need a read-only registry: Registry.open(path, read_only=True)")
    lock_down(reg.con)
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error as exc:
        raise QueryError(f"cannot parse the query: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise QueryError(f"give exactly one SELECT statement (got {len(statements)})")
    statement = statements[0]
    words = _LEADING_NOISE.sub("", statement.query).split(None, 1)
    first_word = words[0].lower() if words else ""
    if statement.type != duckdb.StatementType.SELECT or first_word not in ALLOWED_FIRST_WORDS:
        raise QueryError(
            f"only a SELECT (or WITH ... SELECT) is allowed, not {first_word.upper() or 'nothing'}; "
            "the registry is read-only here"
        )
    try:
        check_relations(reg, statement.query, tables=tables)
    except SandboxError as exc:
        raise QueryError(str(exc)) from None
    try:
        return reg.con.execute(statement.query).pl()
    except duckdb.Error as exc:
        raise QueryError(f"query failed: {_first_line(exc)}") from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
