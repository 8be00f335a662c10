"""A first load: files written straight into their empty registry tables inside the import's transaction.

The staged import parses each file into a temp table, checks it, then copies it into the registry table. Into a
table that holds no row yet, the copy can be skipped: the parse writes the table itself (insert_parsed.sql),
each row carrying the batch id, and stops at the first cell with a problem; the checks then read the written
rows as the import's (parsed_from_table.sql) while a stand-in of the table as it was, empty, keeps registry
reads seeing the registry before the import (shadow_table.sql). Anything found, or any error of the write,
rolls the whole transaction back, and `netpet.registry.ingest` validates the import the staged way, which
names every problem; so a first load never decides what is reported, only how fast a valid one is written.
Only a DuckDB registry file loads this way (PostgreSQL's tables are written through its scanner).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb

from netpet.registry.column_sql import Sql, identifier
from netpet.registry.columns import Table
from netpet.registry.db import CATALOG
from netpet.registry.import_files import ImportFile
from netpet.registry.ingest_sql import fetch_flag, fetch_value, run, spec_sql


class FirstLoadRefused(Exception):
    """A first load's write stopped (a cell with a problem, a CSV error, a broken constraint): validate staged."""


@dataclass(frozen=True)
class FirstLoad:
    """The tables an import writes straight into (each empty before it), the batch id their rows carry, and
    those of the tables whose primary key is the spec's key (their inserts stop at a repeated key)."""

    tables: frozenset[str]
    batch_id: int
    keyed: frozenset[str] = frozenset()

    def covers(self, table: Table) -> bool:
        return table.name in self.tables

    def enforces_key(self, table: Table) -> bool:
        """Whether the write itself refused a repeated key of `table` (so no check need look for one)."""
        return table.name in self.keyed

    def write_parsed(
        self, con: duckdb.DuckDBPyConnection, table: Table, slots: Mapping[str, Sql], params: Mapping[str, Any]
    ) -> None:
        """Write a file's parsed rows into `table` (insert_parsed.sql's slots), then read them as the import's."""
        target = _qualified(table)
        try:
            run(con, spec_sql("insert_parsed", target=target, **slots), {**params, "batch_id": self.batch_id})
        except duckdb.Error as exc:
            raise FirstLoadRefused(table.name) from exc
        parsed = "_parsed_" + table.name
        run(con, spec_sql("parsed_from_table", parsed=parsed, stored_names=slots["stored_names"], target=target))
        run(con, spec_sql("shadow_table", table=table.name, target=target))

    def drop_shadows(self, con: duckdb.DuckDBPyConnection) -> None:
        """Let the write that follows the checks read the tables themselves again."""
        for name in sorted(self.tables):
            run(con, spec_sql("drop_shadow", table=name))

    def drop_views(self, con: duckdb.DuckDBPyConnection) -> None:
        """Drop the stand-ins and the views of the written rows (after a commit; a rollback took them already)."""
        self.drop_shadows(con)
        for name in sorted(self.tables):
            run(con, spec_sql("drop_parsed_view", parsed="_parsed_" + name))


@contextmanager
def unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB write rows in any order for the block (a first load, its commit included), then restore the
    setting. Kept in file order, each thread's share of a file ends in a part-filled row group, which the
    checkpoint at commit rewrites (insertion_order.sql); set outside the transaction, as a statement after an
    error inside it is refused."""
    ordered = fetch_flag(con, spec_sql("insertion_order_now"))
    run(con, spec_sql("insertion_order"), {"preserve": False})
    try:
        yield
    finally:
        run(con, spec_sql("insertion_order"), {"preserve": ordered})


def plan_first_load(reg: Any, files: list[ImportFile]) -> FirstLoad | None:
    """The first load for `files` into `reg`: their tables holding no row yet, or None when there is none.

    Files read from a workbook or REDCap export (already in memory) stage as before; so does a PostgreSQL registry.
    """
    if reg.is_postgres or reg.read_only:
        return None
    empty = frozenset(
        f.table.name for f in files
        if f.frame is None and not fetch_flag(reg.con, spec_sql("table_has_rows", table=f.table.name))
    )
    if not empty:
        return None
    keys = {name: tuple(columns) for name, columns in run(reg.con, spec_sql("primary_keys")).fetchall()}
    keyed = frozenset(f.table.name for f in files if keys.get(f.table.name) == tuple(f.table.key))
    return FirstLoad(empty, int(fetch_value(reg.con, spec_sql("next_batch_id"))), keyed & empty)


def _qualified(table: Table) -> Sql:
    """The registry table itself, past its stand-in (an unqualified name would find the temp view first)."""
    return Sql(f"{CATALOG}.main.{identifier(table.name)}")
