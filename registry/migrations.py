"""Apply `sql/migrations/NNNN_name.sql` in order, each in one transaction, recorded with its checksum.

Migrations are forward-only: an applied file that has since been edited is an error, never re-run.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import polars as pl

from registry.errors import MigrationError
from registry.sqlfiles import sql_files

if TYPE_CHECKING:
    from registry.db import Registry

_BOOKKEEPING = """
create table if not exists schema_migrations (
    name varchar primary key,
    sha256 varchar not null,
    applied_at timestamp not null default current_timestamp
)
"""


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def applied_migrations(reg: Registry) -> pl.DataFrame:
    """Return the applied migrations (name, sha256, applied_at), oldest first."""
    exists = reg.query(
        "select count(*) as n from duckdb_tables() where database_name = current_database() "
        "and table_name = 'schema_migrations'"
    )["n"][0]
    if not exists:
        return pl.DataFrame(schema={"name": pl.String, "sha256": pl.String, "applied_at": pl.Datetime})
    return reg.query("select name, sha256, applied_at from schema_migrations order by name")


def pending_migrations(reg: Registry) -> list[str]:
    """Return the names of migrations not yet applied; raise if an applied one was edited."""
    applied = dict(applied_migrations(reg).select("name", "sha256").iter_rows())
    pending = []
    for path in sql_files("migrations"):
        name = path.stem
        digest = _checksum(path.read_text(encoding="utf-8"))
        if name not in applied:
            pending.append(name)
        elif applied[name] != digest:
            raise MigrationError(
                f"migration {path.name} was edited after it was applied to {reg.path}; "
                "migrations are forward-only: restore the file and add a new numbered migration instead"
            )
    return pending


def apply_migrations(reg: Registry) -> list[str]:
    """Apply every pending migration, each in its own transaction; return the names applied."""
    reg.con.execute(_BOOKKEEPING)
    done = []
    by_name = {p.stem: p for p in sql_files("migrations")}
    for name in pending_migrations(reg):
        text = by_name[name].read_text(encoding="utf-8")
        try:
            with reg.transaction() as con:
                con.execute(text)
                con.execute(
                    "insert into schema_migrations (name, sha256) values ($n, $s)",
                    {"n": name, "s": _checksum(text)},
                )
        except Exception as exc:
            raise MigrationError(f"migration {name}.sql failed: {exc}") from exc
        done.append(name)
    return done
