"""The `Registry`: open or create the DuckDB file, migrate it, run transactions and queries.

A registry is one DuckDB file, attached under the catalog name `registry` so that the same SQL serves an
encrypted file as well as a plain one. Opening for writing applies pending migrations and rebuilds views;
opening read-only never writes. Everything that reads returns polars frames.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from registry.errors import MigrationError, RegistryError, RegistryInUseError
from registry.extensions import load_extension

DEFAULT_DB = "netpet.duckdb"
CATALOG = "registry"

#: Settings a registry keeps in its `settings` table, with their defaults.
DEFAULT_SETTINGS: dict[str, str] = {
    "pairing_window_days": "31",  # Chan et al. 2017 paired scans within 31 days
    "min_cell_count": "5",  # OHDSI minCellCount; 10 in some jurisdictions
    "score_source": "auto",  # auto = derived when lesion reads exist, else recorded
}


def default_db_path() -> str:
    """Return `$NETPET_DB` when set, else `./netpet.duckdb`."""
    return os.environ.get("NETPET_DB") or DEFAULT_DB


def _in_use_error(path: str, exc: Exception) -> RegistryError:
    if "lock" in str(exc).lower():
        return RegistryInUseError(
            f"registry {path} is in use by another process; wait for it to finish and try again"
        )
    return RegistryError(f"cannot open registry {path}: {_first_line(exc)}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


class Registry:
    """An open NETPET registry.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.duckdb"
    >>> with Registry.create(path) as reg:
    ...     reg.query("select count(*) as n from patients")["n"][0]
    0
    """

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        key: str | None = None,
        migrate: bool = True,
    ) -> None:
        self.path = str(path)
        self.read_only = read_only
        self.encrypted = key is not None
        self.con = duckdb.connect(config={"threads": os.cpu_count() or 2})
        try:
            if key is not None:
                load_extension(self.con, "httpfs")
            self._attach(key)
        except Exception:
            self.con.close()
            raise
        from registry.migrations import apply_migrations, pending_migrations
        from registry.views import create_views

        try:
            if read_only or not migrate:
                if pending_migrations(self):
                    raise MigrationError(
                        f"registry {self.path} needs migrating: open it for writing (e.g. `netpet migrate`)"
                    )
            else:
                apply_migrations(self)
                create_views(self)
        except Exception:
            self.close()
            raise

    def _attach(self, key: str | None) -> None:
        options = []
        if self.read_only:
            options.append("read_only")
        if key is not None:
            options.append("encryption_key $key")
        clause = f" ({', '.join(options)})" if options else ""
        try:
            # ATTACH takes no parameter for its path, so the path is quoted; the key is bound.
            quoted = self.path.replace("'", "''")
            if key is not None:
                self.con.execute(f"attach '{quoted}' as {CATALOG}{clause}", {"key": key})
            else:
                self.con.execute(f"attach '{quoted}' as {CATALOG}{clause}")
            self.con.execute(f"use {CATALOG}")
        except duckdb.Error as exc:
            text = str(exc)
            if "encrypt" in text.lower() or (key is not None and "key" in text.lower()):
                if key is not None:
                    raise RegistryError(f"the key given does not open registry {self.path}") from None
                raise RegistryError(
                    f"registry {self.path} is encrypted: give its key with $NETPET_KEY or $NETPET_KEY_FILE"
                ) from None
            raise _in_use_error(self.path, exc) from None

    # -- construction -----------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, key: str | None = None) -> Registry:
        """Create a new registry at `path` (refusing to overwrite an existing file) and migrate it."""
        if Path(path).exists():
            raise RegistryError(f"{path} already exists; open it instead, or choose another path")
        return cls(path, key=key)

    @classmethod
    def open(cls, path: str | Path, *, read_only: bool = False, key: str | None = None) -> Registry:
        """Open an existing registry; a missing file is an error naming `netpet init`."""
        if not Path(path).exists():
            raise RegistryError(f"no registry at {path}: create one with `netpet init` or `netpet demo`")
        return cls(path, read_only=read_only, key=key)

    # -- lifecycle ----------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the connection; the file is flushed and unlocked."""
        try:
            self.con.close()
        except duckdb.Error:  # pragma: no cover - closing twice is harmless
            pass

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """Run the block in one transaction: all of it is committed, or none of it."""
        if self.read_only:
            raise RegistryError(f"registry {self.path} is open read-only")
        self.con.execute("begin transaction")
        try:
            yield self.con
        except BaseException:
            self.con.execute("rollback")
            raise
        self.con.execute("commit")

    # -- reading ------------------------------------------------------------------------------------
    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run one SELECT with bound `$name` parameters and return it as a polars frame."""
        return self.con.execute(sql, dict(params) if params else None).pl()

    def query_file(self, kind: str, name: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run `sql/<kind>/<name>.sql` with bound parameters and return it as a polars frame."""
        from registry.sqlfiles import read_sql

        sql = read_sql(kind, name)
        used = set(re.findall(r"\$([a-z_][a-z0-9_]*)", sql))
        bound = {k: v for k, v in (params or {}).items() if k in used}
        return self.query(sql, bound)

    def table_names(self) -> list[str]:
        """Return the registry's base tables, sorted."""
        frame = self.query(
            "select table_name from duckdb_tables() where database_name = $db and not internal order by 1",
            {"db": CATALOG},
        )
        return frame["table_name"].to_list()

    def row_counts(self) -> dict[str, int]:
        """Return the number of rows in every base table."""
        return {
            t: int(self.query_file("queries", "table_row_count", {"table": t})["n"][0]) for t in self.table_names()
        }

    # -- settings -----------------------------------------------------------------------------------
    def setting(self, name: str) -> str:
        """Return a registry setting (see `DEFAULT_SETTINGS`)."""
        if name not in DEFAULT_SETTINGS:
            raise RegistryError(f"unknown setting {name!r}; known: {', '.join(sorted(DEFAULT_SETTINGS))}")
        rows = self.con.execute("select value from settings where name = $n", {"n": name}).fetchall()
        return str(rows[0][0]) if rows else DEFAULT_SETTINGS[name]

    def set_setting(self, name: str, value: str) -> None:
        """Store a registry setting."""
        self.setting(name)  # validates the name
        self.con.execute(
            "insert or replace into settings (name, value) values ($n, $v)", {"n": name, "v": str(value)}
        )
