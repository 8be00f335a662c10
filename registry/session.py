"""What migrations, views, stored analysis rows, history and settings need of an open registry (a Protocol).

Opening a `netpet.registry.db.Registry` migrates it and rebuilds its views and stored rows, so `db` imports
those modules; they type their argument against this Protocol rather than import `Registry` back.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import duckdb
    import polars as pl


class RegistrySession(Protocol):
    """An open registry: its connection, its name for messages, and how it runs the SQL files."""

    con: duckdb.DuckDBPyConnection
    name: str
    read_only: bool
    is_postgres: bool

    def query_file(self, kind: str, name: str, params: Mapping[str, Any] | None = None) -> pl.DataFrame:
        """Run `sql/<kind>/<name>.sql` with bound parameters."""
        ...

    def setting(self, name: str) -> str:
        """Return a registry setting."""
        ...

    def table_names(self) -> list[str]:
        """Return the registry's base tables."""
        ...

    def transaction(self) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
        """Run a block in one transaction."""
        ...
