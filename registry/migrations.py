"""Apply `sql/migrations/NNNN_name.sql` in order, each in one transaction, recorded with its checksum.

Migrations are forward-only: an applied file that has since been edited is an error, never re-run. They
are written in the SQL that DuckDB and PostgreSQL share; on a PostgreSQL registry they run natively there.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

import polars as pl

from netpet.registry.errors import MigrationError
from netpet.registry.sqlfiles import read_sql, sql_files

if TYPE_CHECKING:
    from netpet.registry.session import RegistrySession


#: Applied migrations whose file later changed in a comment only, with the checksum they were applied under.
#: 0002's first comment named a contract page outside the repository; it now names docs/import-format.md.
COMMENT_ONLY_EDITS: dict[str, str] = {
    "0002_create_clinical_tables": "9261ae88c24652b4aef60ac98ecc43b204e4fc1bf788d774d373ab85365584ab",
}


def _checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def applied_migrations(reg: RegistrySession) -> pl.DataFrame:
    """Return the applied migrations (name, sha256, applied_at), oldest first."""
    if "schema_migrations" not in reg.table_names():
        return pl.DataFrame(schema={"name": pl.String, "sha256": pl.String, "applied_at": pl.Datetime})
    return reg.query_file("queries", "applied_migrations")


def pending_migrations(reg: RegistrySession) -> list[str]:
    """Return the names of migrations not yet applied; raise if an applied one was edited."""
    applied = dict(applied_migrations(reg).select("name", "sha256").iter_rows())
    pending = []
    for path in sql_files("migrations"):
        name = path.stem
        digest = _checksum(path.read_text(encoding="utf-8"))
        if name not in applied:
            pending.append(name)
        elif applied[name] not in (digest, COMMENT_ONLY_EDITS.get(name)):
            raise MigrationError(
                f"migration {path.name} was edited after it was applied to {reg.name}; "
                "migrations are forward-only: restore the file and add a new numbered migration instead"
            )
    return pending


def _run(reg: RegistrySession, sql: str) -> None:
    if reg.is_postgres:
        reg.query_file("queries", "run_on_postgres", {"sql": sql})
    else:
        reg.con.execute(sql)


def apply_migrations(reg: RegistrySession) -> list[str]:
    """Apply every pending migration, each in its own transaction; return the names applied.

    A migrated registry gets no DDL at all, so that a role without CREATE (an importer) can open it for writing.
    """
    if "schema_migrations" not in reg.table_names():
        _run(reg, read_sql("queries", "create_schema_migrations"))
    done = []
    by_name = {p.stem: p for p in sql_files("migrations")}
    for name in pending_migrations(reg):
        text = by_name[name].read_text(encoding="utf-8")
        try:
            with reg.transaction():
                _run(reg, text)
                reg.query_file("queries", "record_migration", {"name": name, "sha256": _checksum(text)})
        except Exception as exc:
            raise MigrationError(f"migration {name}.sql failed: {exc}") from exc
        done.append(name)
    if reg.is_postgres:
        reg.con.execute("call pg_clear_cache()")  # tables made by postgres_execute are otherwise unseen
    return done
