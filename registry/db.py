"""The `Registry`: open or create the registry, migrate it, run transactions and queries.

A registry is one DuckDB file (the embedded default) or a PostgreSQL database reached through DuckDB's
postgres extension (`postgresql://user@host:port/dbname`). Either way it is attached under the catalog
name `registry`, so the same SQL in `sql/` serves both. Opening for writing applies pending migrations and
rebuilds the views; opening read-only never writes. Everything that reads returns polars frames.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from netpet.registry.analysis_tables import ensure_current, refresh_analysis_tables
from netpet.registry.credentials import login_hint, mask, masked_url
from netpet.registry.errors import MigrationError, RegistryError, RegistryInUseError
from netpet.registry.extensions import load_extension
from netpet.registry.history import current_operator
from netpet.registry.migrations import apply_migrations, pending_migrations
from netpet.registry.settings import DEFAULT_SETTINGS, check_setting
from netpet.registry.sql_literals import inline_literals
from netpet.registry.sqlfiles import read_sql
from netpet.registry.views import create_views
from netpet.registry.write_retry import retried

DEFAULT_DB = "netpet.duckdb"
CATALOG = "registry"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")

#: The registry's sequences (migrations 0001 and 0003).
SEQUENCES = ("import_batch_seq", "change_log_seq")


def default_db_path() -> str:
    """Return `$NETPET_DB` when set, else `./netpet.duckdb`."""
    return os.environ.get("NETPET_DB") or DEFAULT_DB


def is_postgres_url(path: str | Path) -> bool:
    """Tell whether `path` names a PostgreSQL registry rather than a file."""
    return str(path).startswith(POSTGRES_PREFIXES)


def display_name(path: str | Path) -> str:
    """Return `path` fit for messages: a PostgreSQL URL's passwords are masked (`netpet.registry.credentials`)."""
    return masked_url(str(path)) if is_postgres_url(path) else str(path)


def spill_directory(path: str, *, read_only: bool, is_postgres: bool) -> str:
    """Return a folder of this connection's own for DuckDB to spill to when a query outgrows its memory cap.

    DuckDB's default for an in-memory session is `./.tmp`, shared by every process started in the same
    folder: two imports spilling at once overwrite each other's blocks and one fails inside DuckDB ("Cannot
    perform IO in in-memory database"). The folder does not exist yet: DuckDB creates it on the first spill
    and removes it on close. A registry file opened for writing spills beside itself, else the system's
    temporary folder.
    """
    name = f"netpet-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    if is_postgres or read_only:
        return str(Path(tempfile.gettempdir()) / name)
    return f"{Path(path).resolve()}.{name}"


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def postgres_has_registry(url: str) -> bool:
    """Tell whether the PostgreSQL database at `url` already holds a migrated registry."""
    probe = Registry(url, read_only=True, migrate=False, views=False)
    try:
        return "schema_migrations" in probe.table_names()
    finally:
        probe.close()


class Registry:
    """An open NETPET registry.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.duckdb"
    >>> with Registry.create(path) as reg:
    ...     reg.row_counts()["patients"]
    0
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        key: str | None = None,
        migrate: bool = True,
        views: bool = True,
    ) -> None:
        self.path = str(path)
        self.name = display_name(path)
        self.read_only = read_only
        self.is_postgres = is_postgres_url(path)
        self.encrypted = key is not None
        if self.is_postgres and key is not None:
            raise RegistryError("encryption at rest applies to registry files; PostgreSQL encrypts on its own")
        spill = spill_directory(self.path, read_only=read_only, is_postgres=self.is_postgres)
        self.con = duckdb.connect(config={"threads": os.cpu_count() or 2, "temp_directory": spill})
        # DuckDB's own progress bar would print from inside the library; the CLI draws its own. In Jupyter
        # without ipywidgets DuckDB has it off already and refuses any change to it (duckdb/duckdb#7590).
        with suppress(duckdb.InvalidInputException):
            self.con.execute("set enable_progress_bar = false")
        try:
            self._attach(key)
            if views:
                self._prepare(migrate=migrate)
        except Exception:
            self.con.close()
            raise

    def _attach(self, key: str | None) -> None:
        options = ["type postgres"] if self.is_postgres else []
        if self.read_only:
            options.append("read_only")
        if key is not None:
            options.append("encryption_key $key")
        clause = f" ({', '.join(options)})" if options else ""
        if self.is_postgres:
            load_extension(self.con, "postgres_scanner")
        elif key is not None:
            load_extension(self.con, "httpfs")  # DuckDB writes encrypted files only with httpfs's crypto
            # Off by default even for an encrypted database: an import that spills would write plaintext.
            self.con.execute("set temp_file_encryption = true")
        # ATTACH takes no parameter for its path, so the path is quoted; the key is bound.
        quoted = self.path.replace("'", "''")
        try:
            self.con.execute(f"attach '{quoted}' as {CATALOG}{clause}", {"key": key} if key is not None else None)
        except duckdb.Error as exc:
            raise self._attach_error(exc, key) from None
        if self.is_postgres:
            # Tables live in PostgreSQL; views are DuckDB SQL, so they live in this session's catalog.
            self.con.execute("use memory")
            self.con.execute("set search_path = 'memory.main,registry.public'")
        else:
            self.con.execute(f"use {CATALOG}")

    def _attach_error(self, exc: duckdb.Error, key: str | None) -> RegistryError:
        text = str(exc).lower()
        if "lock" in text:
            return RegistryInUseError(
                f"registry {self.name} is in use by another process; wait for it to finish and try again"
            )
        if "encrypt" in text or (key is not None and "key" in text):
            if key is not None:
                return RegistryError(f"the key given does not open registry {self.name}")
            return RegistryError(
                f"registry {self.name} is encrypted: give its key with $NETPET_KEY or $NETPET_KEY_FILE"
            )
        return RegistryError(f"cannot open registry {self.name}: {login_hint(mask(_first_line(exc), self.path))}")

    def _prepare(self, *, migrate: bool) -> None:
        if self.read_only or not migrate:
            if pending_migrations(self):
                raise MigrationError(
                    f"registry {self.name} needs migrating: open it for writing (e.g. `netpet migrate`)"
                )
            if self.is_postgres:
                create_views(self)  # session views: nothing is written to the server
        else:
            apply_migrations(self)
            create_views(self)
        ensure_current(self)

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, key: str | None = None) -> Registry:
        """Create a new registry at `path` and migrate it; an existing file (or non-empty database) is refused.

        An encrypted registry's file is made readable and writable by its owner only.
        """
        if not is_postgres_url(path) and Path(path).exists():
            raise RegistryError(f"{path} already exists; open it instead, or choose another path")
        if is_postgres_url(path) and postgres_has_registry(str(path)):
            raise RegistryError(f"{display_name(path)} already holds a registry; open it instead")
        reg = cls(path, key=key)
        if key is not None:
            Path(path).chmod(0o600)  # owner-only, whatever the umask: the file is the whole registry
        return reg

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, key: str | None = None) -> Registry:
        """Open an existing registry; a missing file is an error naming `netpet init`."""
        if not is_postgres_url(path) and not Path(path).exists():
            raise RegistryError(
                f"no registry at {path}: name yours with --db PATH or $NETPET_DB, "
                "or create one with `netpet init` or `netpet demo`"
            )
        return cls(path, read_only=read_only, key=key)

    # -- lifecycle ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection; the file is flushed and unlocked."""
        with suppress(duckdb.Error):  # closing twice is harmless
            self.con.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block in one transaction: all of it is committed, or none of it."""
        if self.read_only:
            raise RegistryError(f"registry {self.name} is open read-only")
        self.con.execute("begin transaction")
        try:
            yield self.con
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    # -- reading ------------------------------------------------------------------------------------
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run one statement with its `$name` parameters and return its rows as a polars frame. Numbers, booleans
        and dates are written into the SQL as typed literals (`sql_literals`: binding them imports pandas);
        the rest is bound."""
        sql, bound = inline_literals(sql, params or {})
        return self.con.execute(sql, bound or None).pl()

    def query_file(self, kind: str, name: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run `sql/<kind>/<name>.sql` with the `$name`s it uses from `params` (as `query` passes them) and return
        a polars frame."""
        sql = read_sql(kind, name)
        used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
        bound = {k: v for k, v in (params or {}).items() if k in used}
        return self.query(sql, bound)

    def table_names(self) -> list[str]:
        """Return the registry's base tables, sorted."""
        return self.query_file("queries", "registry_tables")["table_name"].to_list()

    def row_counts(self) -> dict[str, int]:
        """Return the number of rows in every base table."""
        return {
            t: int(self.query_file("queries", "table_row_count", {"table": t})["n"][0]) for t in self.table_names()
        }

    def next_id(self, sequence: str) -> int:
        """Return the next value of one of the registry's sequences, on either backend."""
        if sequence not in SEQUENCES:
            raise RegistryError(f"unknown sequence {sequence!r}")
        if self.is_postgres:
            query = f"select nextval('{sequence}') as id"  # the name is from SEQUENCES, not user input
            return int(self.query_file("queries", "next_id_postgres", {"query": query})["id"][0])
        return int(self.query_file("queries", "next_id", {"sequence": sequence})["id"][0])

    # -- settings -----------------------------------------------------------------------------------
    def setting(self, name: str) -> str:
        """Return a registry setting (see `DEFAULT_SETTINGS`)."""
        if name not in DEFAULT_SETTINGS:
            raise RegistryError(f"unknown setting {name!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}")
        rows = self.query_file("queries", "stored_settings").filter(pl.col("name") == name)
        return str(rows["value"][0]) if rows.height else DEFAULT_SETTINGS[name]

    @retried("setting change")
    def set_setting(self, name: str, value: str, *, command: str = "set_setting") -> None:
        """Store a checked registry setting and log the change; analysis rows follow `score_source` at once."""
        value = check_setting(name, value)
        before = self.setting(name)
        with self.transaction() as con:
            self.query_file("queries", "delete_setting", {"name": name})
            self.query_file("queries", "insert_setting", {"name": name, "value": value})
            self.query_file("queries", "log_setting_change", {
                "operator": current_operator(), "command": command, "name": name,
                "before": json.dumps({"value": before}), "after": json.dumps({"value": value}),
            })
            if name == "score_source":
                refresh_analysis_tables(con)
